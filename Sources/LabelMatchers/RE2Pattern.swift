internal import CRE2
import PromModel

/// A compiled regular expression: PromQL's label matchers and `label_replace` (anchored
/// at both ends, `=~"a|b"` meaning `^(?:a|b)$`), and templates' `reReplaceAll` (not anchored).
///
/// RE2 does the matching: the syntax is the one Prometheus's Go `regexp` accepts
/// (`\pL`, `[[:alpha:]]`, `(?i)`, `(?P<name>…)`; no look-arounds or back-references),
/// and matching takes time linear in the input, whatever the pattern.
@safe
package final class RE2Pattern: @unchecked Sendable, CustomDebugStringConvertible {
    // Sendable: the compiled program is immutable after init, and RE2's matching
    // functions are safe to call from several threads at once (re2.h).
    private let compiled: OpaquePointer
    /// The pattern as given, without the anchors ``init(_:anchored:)`` adds.
    package let pattern: String
    /// `RE2Pattern("…")`: the pattern, for a config printed whole.
    package var debugDescription: String { "RE2Pattern(\(quoted(pattern)))" }
    /// `GET|LIST`-style plain alternations: answered by set lookup, without the regex engine.
    private let literals: Set<String>?
    /// Capturing groups, not counting the whole match.
    package let groupCount: Int
    /// Group names by index (index 0, the whole match, has none).
    package let groupNames: [String?]

    /// Compiles `^(?:pattern)$`, or `pattern` as written with `anchored: false`; the error
    /// carries RE2's message.
    package init(_ pattern: String, anchored: Bool = true) throws(RegexError) {
        self.pattern = pattern
        var message: UnsafeMutablePointer<CChar>? = nil
        let compiled = unsafe Self.withChars(anchored ? "^(?:" + pattern + ")$" : pattern) { unsafe CRE2_compile($0, $1, &message) }
        guard let compiled = unsafe compiled else {
            let reason = unsafe message.map { unsafe String(cString: $0) } ?? "invalid pattern"
            unsafe CRE2_free_error(message)
            throw RegexError(message: "invalid regular expression \(quoted(pattern)): \(reason)")
        }
        unsafe self.compiled = compiled
        groupCount = unsafe Int(CRE2_group_count(compiled))
        groupNames = (0...groupCount).map { i in unsafe CRE2_group_name(compiled, Int32(i)).map { unsafe String(cString: $0) } }
        let plain = pattern.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
                || $0 == "/" || $0 == "|" || $0 == ":"
        }
        literals = plain && anchored ? Set(pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init)) : nil
    }

    deinit { unsafe CRE2_free(compiled) }

    /// Whether all of `s` matches (an anchored pattern).
    package func matches(_ s: String) -> Bool {
        if let literals { return literals.contains(s) }
        return unsafe Self.withChars(s) { unsafe CRE2_full_match(compiled, $0, $1) != 0 }
    }

    /// The groups of the first match in `s` (of all of `s` for an anchored pattern): index 0
    /// the whole match, nil for a group that did not take part; nil when nothing matches.
    package func captures(_ s: String) -> [Substring?]? {
        guard let spans = match(s, from: 0) else { return nil }
        return groups(s, spans)
    }

    /// Go's `Regexp.ReplaceAllString`: every non-overlapping match replaced by `template`
    /// expanded for it (``expand(_:_:)``); an empty match right after a match is skipped.
    package func replaceAll(_ s: String, with template: String) -> String {
        let bytes = Array(s.utf8)
        var out: [UInt8] = []
        var lastMatchEnd = 0
        var searchPos = 0
        while searchPos <= bytes.count, let spans = match(s, from: searchPos) {
            let (start, end) = (Int(spans[0]), Int(spans[1]))
            out += bytes[lastMatchEnd..<start]
            // Without a limit the expansion is never refused.
            if end > lastMatchEnd || start == 0 { out += Array((expand(template, groups(s, spans)) ?? "").utf8) }
            lastMatchEnd = end
            // Advance past the match, and always by at least one character.
            let width = searchPos < bytes.count ? Self.utf8Width(bytes[searchPos]) : 0
            if searchPos + width > end {
                searchPos += width
            } else if searchPos + 1 > end {
                searchPos += 1
            } else {
                searchPos = end
            }
        }
        out += bytes[lastMatchEnd...]
        return String(decoding: out, as: UTF8.self)
    }

    private static func utf8Width(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    /// Byte offsets of the groups of the first match at or after `start`.
    private func match(_ s: String, from start: Int) -> [Int64]? {
        let count = groupCount + 1
        var spans = [Int64](repeating: -1, count: 2 * count)
        let matched = unsafe Self.withChars(s) { text, length in
            unsafe spans.withUnsafeMutableBufferPointer { out in
                unsafe CRE2_match(compiled, text, length, start, out.baseAddress, Int32(count))
            }
        }
        return matched != 0 ? spans : nil
    }

    private func groups(_ s: String, _ spans: [Int64]) -> [Substring?] {
        let utf8 = s.utf8
        return (0...groupCount).map { i in
            let (from, to) = (Int(spans[2 * i]), Int(spans[2 * i + 1]))
            guard from >= 0, to >= from else { return nil }
            let a = utf8.index(utf8.startIndex, offsetBy: from)
            let b = utf8.index(utf8.startIndex, offsetBy: to)
            return s[a..<b]
        }
    }

    /// Go's `Regexp.Expand` of `template` for a match's groups: `$1`, `${1}`, `$name`,
    /// `${name}` (the longest run of letters, digits and `_`; a number with a leading zero
    /// is a name), `$$` for `$`; an unknown or unmatched group expands to nothing and a
    /// malformed reference is kept as text. Nil when the result would be longer than `limit`
    /// bytes: it is never built past it (`$1$1$1…` of a long group would be).
    package func expand(_ template: String, _ groups: [Substring?], limit: Int = .max) -> String? {
        var out = ""
        var rest = Substring(template)
        func fits(_ piece: Substring) -> Bool { out.utf8.count + piece.utf8.count <= limit }
        while let dollar = rest.firstIndex(of: "$") {
            guard fits(rest[..<dollar]) else { return nil }
            out += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "$" {
                out += "$"
                rest = rest.dropFirst()
                continue
            }
            guard let (name, after) = Self.reference(rest) else {
                out += "$"
                continue
            }
            rest = after
            var group: Substring? = nil
            if let index = Self.number(name) {
                if index < groups.count { group = groups[index] }
            } else if let index = groupNames.firstIndex(where: { $0 == name }), index < groups.count {
                group = groups[index]
            }
            if let group {
                guard fits(group) else { return nil }
                out += group
            }
        }
        guard fits(rest) else { return nil }
        return out + rest
    }

    /// Lends `s`'s UTF-8 bytes as the C interface takes them: a pointer (never NULL, even
    /// for an empty string) and a length; NUL bytes inside are kept.
    private static func withChars<R>(_ s: String, _ body: (UnsafePointer<CChar>, Int) -> R) -> R {
        var s = s
        return s.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return unsafe "".withCString { unsafe body($0, 0) } }
            return unsafe body(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), buffer.count)
        }
    }

    /// A `name` or `{name}` at the start of `s`, and what follows it.
    private static func reference(_ s: Substring) -> (String, Substring)? {
        var rest = s
        let braced = rest.first == "{"
        if braced { rest = rest.dropFirst() }
        // Go's unicode.IsLetter, unicode.IsDigit or '_'.
        let scalars = rest.unicodeScalars.prefix { c in
            switch c.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: true
            default: c == "_"
            }
        }
        guard !scalars.isEmpty else { return nil }
        let name = Substring(scalars)
        rest = rest[scalars.endIndex...]
        if braced {
            guard rest.first == "}" else { return nil }
            rest = rest.dropFirst()
        }
        return (String(name), rest)
    }

    /// A group number as Go reads one: ASCII digits, no leading zero, below 10^8.
    private static func number(_ name: String) -> Int? {
        guard name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), name.utf8.count < 9 else { return nil }
        if name.count > 1 && name.hasPrefix("0") { return nil }
        return Int(name)
    }
}

/// A pattern RE2 refuses, with RE2's reason: `invalid regular expression "a(": missing ): a(`.
package struct RegexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The whole message, the pattern and RE2's reason (what ``description`` prints).
    package var message: String
    package var description: String { message }
}
