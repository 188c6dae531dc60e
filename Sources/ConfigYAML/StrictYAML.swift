import PromModel

/// Strict YAML reading for rule files and promtool-format test files, as Prometheus
/// reads them (`yaml.UnmarshalStrict`): unknown keys, repeated keys and values of the
/// wrong kind are errors, each with its line; nothing is silently defaulted.
///
/// Bounds, checked before the YAML library sees the text: at most ``maxBytes`` of text
/// and ``maxDepth`` levels of nesting (go-yaml stops at 10,000). Aliases are followed by
/// reference, so a "billion laughs" file costs nothing until something walks it, and the
/// readers below only walk the shapes they expect.
package struct StrictYAML {
    /// The largest file read, in bytes: 16 MiB, far above any real rule or configuration file.
    package static let maxBytes = 16 << 20
    /// The deepest nesting accepted, flow brackets and indentation levels together.
    package static let maxDepth = 1000

    /// The file being read, for the ``ConfigFileError`` its caller throws.
    package let path: String
    /// (line, message) of every problem found so far, in order; the caller throws a
    /// ``ConfigFileError`` when there are any.
    package private(set) var problems: [(Int, String)] = []

    /// A reader for the file at `path`, with no problems yet.
    package init(path: String) { self.path = path }

    /// Reads a file as UTF-8 text, refusing what is not a regular file, too large, or not UTF-8.
    package static func read(path: String) throws(ConfigFileError) -> String {
        let bytes: [UInt8]
        do {
            // At most one byte past the limit is read: a device such as /dev/zero never ends.
            bytes = try FileContents.read(path, limit: maxBytes)
        } catch .tooLarge {
            throw ConfigFileError(path, [(0, "file is larger than the limit of \(maxBytes) bytes")])
        } catch {
            throw ConfigFileError(path, [(0, "cannot read: \(error)")])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigFileError(path, [(invalidUTF8Line(bytes), "invalid UTF-8 (a YAML file must be UTF-8 text)")])
        }
        return text
    }

    /// The 1-based line of the first byte that is not UTF-8.
    private static func invalidUTF8Line(_ bytes: [UInt8]) -> Int {
        var line = 1
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            if String(validating: bytes[start..<i], as: UTF8.self) == nil { return line }
            line += 1
            start = i + 1
        }
        return line
    }

    /// Composes the first document, after checking the text's size and nesting; a second
    /// document is an error.
    package static func compose(_ text: String, path: String) throws(ConfigFileError) -> YAMLNode? {
        try documents(text, path: path, single: true).first
    }

    /// Composes every document (`---`-separated), after the same checks as ``compose(_:path:)``.
    package static func composeAll(_ text: String, path: String) throws(ConfigFileError) -> [YAMLNode] {
        try documents(text, path: path, single: false)
    }

    private static func documents(_ text: String, path: String, single: Bool) throws(ConfigFileError) -> [YAMLNode] {
        if text.utf8.count > maxBytes { throw ConfigFileError(path, [(0, "file is larger than the limit of \(maxBytes) bytes")]) }
        if let line = tooDeep(text) {
            throw ConfigFileError(path, [(line, "YAML nested more than \(maxDepth) levels deep")])
        }
        do {
            return try YAMLComposer.documents(text, single: single)
        } catch {
            throw ConfigFileError(path, [(error.line, "invalid YAML: \(error.problem)")])
        }
    }

    /// The line where flow collections (`[`, `{`) or block indentation first nest deeper
    /// than ``maxDepth``; nil when they never do. Brackets inside quotes or comments count
    /// too: a conservative bound, far from what a real file reaches.
    private static func tooDeep(_ text: String) -> Int? {
        var flow = 0
        var line = 1
        var indents: [Int] = []
        var column = 0
        var atLineStart = true
        for b in text.utf8 {
            switch b {
            case 0x0A:
                line += 1
                column = 0
                atLineStart = true
                continue
            case 0x20 where atLineStart:
                column += 1
                continue
            case 0x5B, 0x7B: flow += 1
            case 0x5D, 0x7D: flow = max(0, flow - 1)
            default: break
            }
            if atLineStart {
                atLineStart = false
                while let last = indents.last, last >= column { indents.removeLast() }
                indents.append(column)
            }
            if flow + indents.count > maxDepth { return line }
        }
        return nil
    }

    /// Records a problem at `node`'s line (0 without one) and lets reading go on, so that one
    /// pass reports every problem of the file.
    package mutating func problem(_ node: YAMLNode?, _ message: String) {
        problems.append((node?.mark.line ?? 0, message))
    }

    /// A mapping's values by key; unknown and repeated keys, and keys that are not strings,
    /// are problems (a key in `unsupported` is said to be a Prometheus setting ctlmon does not
    /// implement, unless this part allows it). nil (with a problem) when the node is not a mapping.
    package mutating func mapping(_ node: YAMLNode, allowed: [String], unsupported: Set<String> = [], in what: String) -> [String: YAMLNode]? {
        guard let mapping = node.mapping else {
            problem(node, "expected \(what) (a mapping), found \(kind(node))")
            return nil
        }
        var out: [String: YAMLNode] = [:]
        for (key, value) in mapping {
            guard key.scalar != nil, let k = key.string else {
                problem(key, "keys of \(what) must be strings")
                continue
            }
            if unsupported.contains(k) && !allowed.contains(k) {
                problem(key, "\"\(k)\" in \(what) is a Prometheus setting ctlmon does not implement")
                continue
            }
            guard allowed.contains(k) else {
                problem(key, "unknown key \"\(k)\" in \(what) (expected \(allowed.joined(separator: ", ")))")
                continue
            }
            if out[k] != nil {
                problem(key, "key \"\(k)\" is repeated in \(what)")
                continue
            }
            out[k] = value
        }
        return out
    }

    /// A scalar as text; a sequence or mapping where a scalar belongs is a problem.
    package mutating func string(_ node: YAMLNode?, _ what: String) -> String? {
        guard let node else { return nil }
        guard node.scalar != nil else {
            problem(node, "\(what) must be a string, found \(kind(node))")
            return nil
        }
        // YAML's null (`~`, `null`, nothing) is no value, as go-yaml decodes it into a string.
        if node.isNull, node.scalar?.style == .plain { return "" }
        return node.string
    }

    /// A sequence's items; nil (with a problem) when the node is another kind.
    package mutating func sequence(_ node: YAMLNode?, _ what: String) -> [YAMLNode] {
        guard let node else { return [] }
        if node.isNull, node.scalar?.style == .plain { return [] }
        guard let items = node.sequence else {
            problem(node, "\(what) must be a list, found \(kind(node))")
            return []
        }
        return Array(items)
    }

    /// A list of strings.
    package mutating func strings(_ node: YAMLNode?, _ what: String) -> [String] {
        sequence(node, what).compactMap { string($0, "an item of \(what)") }
    }

    /// A mapping of strings to strings (labels, annotations): scalar values only, no repeated keys.
    package mutating func stringMap(_ node: YAMLNode?, _ what: String) -> [(key: String, value: String, node: YAMLNode)] {
        guard let node else { return [] }
        if node.isNull, node.scalar?.style == .plain { return [] }
        guard let mapping = node.mapping else {
            problem(node, "\(what) must be a mapping, found \(kind(node))")
            return []
        }
        var seen = Set<String>()
        var out: [(key: String, value: String, node: YAMLNode)] = []
        for (key, value) in mapping {
            guard key.scalar != nil, let k = key.string else {
                problem(key, "keys of \(what) must be strings")
                continue
            }
            if !seen.insert(k).inserted {
                problem(key, "key \"\(k)\" is repeated in \(what)")
                continue
            }
            guard let v = string(value, "\(what) \"\(k)\"") else { continue }
            out.append((k, v, value))
        }
        return out
    }

    /// A duration (`30s`, `5m`, `1h30m`, `0`), in milliseconds.
    package mutating func duration(_ node: YAMLNode?, _ what: String) -> Int64? {
        guard let node, let s = string(node, what) else { return nil }
        do {
            return try PromDuration.milliseconds(Substring(s))
        } catch {
            problem(node, error == .outOfRange
                ? "\(what): duration out of range \"\(s)\" (at most about 292 years)"
                : "\(what): bad duration \"\(s)\" (expected e.g. 30s, 5m, 1h30m)")
            return nil
        }
    }

    private func kind(_ node: YAMLNode) -> String {
        switch node {
        case .scalar: "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}
