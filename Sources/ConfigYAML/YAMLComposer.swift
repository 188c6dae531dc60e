internal import CYAML

/// libyaml's parser events composed into ``YAMLNode`` trees: the one place ctlmon talks to
/// libyaml. Scanner and parser errors keep libyaml's words (`mapping values are not allowed
/// in this context`) and its line; an alias to an anchor not yet complete is
/// `found undefined alias`. Nesting is composed with an explicit stack, never recursion.
package enum YAMLComposer {
    /// Why the text is not YAML: libyaml's problem, at a 1-based line (0 when it has none).
    package struct Failure: Error, Equatable {
        /// The line of the problem, from 1; 0 when libyaml gives none (out of memory).
        package var line: Int
        /// libyaml's words for it (`mapping values are not allowed in this context`).
        package var problem: String

        /// libyaml's `problem` at `line`.
        package init(line: Int, problem: String) {
            self.line = line
            self.problem = problem
        }
    }

    /// The documents of `text`, in order (none for empty text). With `single`, a second
    /// document is an error (`but found another document`), as in a rule file.
    package static func documents(_ text: String, single: Bool) throws(Failure) -> [YAMLNode] {
        var parser = unsafe yaml_parser_t()
        guard unsafe yaml_parser_initialize(&parser) == 1 else { throw Failure(line: 0, problem: "out of memory") }
        defer { unsafe yaml_parser_delete(&parser) }
        // libyaml wants a non-null input even when it is empty: one spare byte, not passed.
        var bytes = Array(text.utf8)
        bytes.append(0)
        let count = bytes.count - 1
        return try unsafe bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> [YAMLNode] in
            unsafe yaml_parser_set_input_string(&parser, buffer.baseAddress, count)
            var composer = Composition(single: single)
            while true {
                var event = unsafe yaml_event_t()
                guard unsafe yaml_parser_parse(&parser, &event) == 1 else { throw unsafe failure(parser, buffer) }
                defer { unsafe yaml_event_delete(&event) }
                if try unsafe composer.take(event) { return composer.documents }
            }
        }
    }

    /// The failure libyaml reports, with the line of a reader error counted from its offset.
    private static func failure(_ parser: yaml_parser_t, _ text: UnsafeBufferPointer<UInt8>) -> Failure {
        let problem = unsafe parser.problem.map { unsafe String(cString: $0) } ?? "unknown error"
        switch unsafe parser.error {
        case YAML_MEMORY_ERROR:
            return Failure(line: 0, problem: "out of memory")
        case YAML_READER_ERROR:
            let end = unsafe min(Int(parser.problem_offset), text.count)
            let newlines = unsafe text[..<end].count(where: { $0 == 0x0A })
            return Failure(line: 1 + newlines, problem: problem)
        default:
            return unsafe Failure(line: Int(parser.problem_mark.line) + 1, problem: problem)
        }
    }

    /// The state of one composition: open collections, anchors, finished documents.
    private struct Composition {
        let single: Bool
        var documents: [YAMLNode] = []
        private var stack: [Open] = []
        private var anchors: [String: YAMLNode] = [:]

        init(single: Bool) { self.single = single }

        /// A sequence or mapping whose end has not come yet.
        private struct Open {
            var anchor: String?
            var mark: YAMLNode.Mark
            var isMapping: Bool
            var items: [YAMLNode] = []
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            var key: YAMLNode?
        }

        /// Takes one event; true at the end of the stream.
        mutating func take(_ event: yaml_event_t) throws(Failure) -> Bool {
            let mark = unsafe YAMLNode.Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch unsafe event.type {
            case YAML_STREAM_END_EVENT:
                return true
            case YAML_DOCUMENT_START_EVENT:
                if single && !documents.isEmpty { throw Failure(line: mark.line, problem: "but found another document") }
            case YAML_ALIAS_EVENT:
                let name = unsafe Self.text(event.data.alias.anchor) ?? ""
                guard let node = anchors[name] else { throw Failure(line: mark.line, problem: "found undefined alias") }
                add(node)
            case YAML_SCALAR_EVENT:
                let s = unsafe event.data.scalar
                let value = unsafe s.value.map { unsafe String(decoding: UnsafeBufferPointer(start: $0, count: s.length), as: UTF8.self) } ?? ""
                let node = YAMLNode.scalar(.init(string: value, style: unsafe Self.style(s.style), mark: mark))
                if let anchor = unsafe Self.text(s.anchor) { anchors[anchor] = node }
                add(node)
            case YAML_SEQUENCE_START_EVENT:
                stack.append(Open(anchor: unsafe Self.text(event.data.sequence_start.anchor), mark: mark, isMapping: false))
            case YAML_MAPPING_START_EVENT:
                stack.append(Open(anchor: unsafe Self.text(event.data.mapping_start.anchor), mark: mark, isMapping: true))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let open = stack.popLast() else { break }
                let node: YAMLNode = open.isMapping
                    ? .mapping(.init(pairs: open.pairs, mark: open.mark)) : .sequence(.init(nodes: open.items, mark: open.mark))
                if let anchor = open.anchor { anchors[anchor] = node }
                add(node)
            default:
                break
            }
            return false
        }

        /// A finished node: the next item or key or value of the open collection, or a document.
        private mutating func add(_ node: YAMLNode) {
            guard !stack.isEmpty else {
                documents.append(node)
                return
            }
            let top = stack.count - 1
            if !stack[top].isMapping {
                stack[top].items.append(node)
            } else if let key = stack[top].key {
                stack[top].pairs.append((key, node))
                stack[top].key = nil
            } else {
                stack[top].key = node
            }
        }

        private static func style(_ s: yaml_scalar_style_t) -> YAMLNode.Style {
            switch s {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
        }

        private static func text(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            unsafe p.map { unsafe String(cString: $0) }
        }
    }
}
