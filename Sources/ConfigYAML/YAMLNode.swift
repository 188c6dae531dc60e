/// A YAML node as the strict readers see it: a scalar's text and style, a mapping's pairs in
/// file order (repeated keys kept, so that the reader can report them), a sequence's items;
/// each with the position where it starts. Tags are not resolved: every scalar is text, and
/// the readers type it themselves (``int``, ``float``, ``isNull``), as go-yaml does into
/// the Go field's type.
///
/// Aliases share the anchored node (the arrays are copied on write only), so a file of
/// nested aliases ("billion laughs") costs its size until something walks it.
package enum YAMLNode: Sendable {
    case scalar(Scalar)
    case mapping(Mapping)
    case sequence(Items)

    /// A position in the file, 1-based, as people and editors count.
    package struct Mark: Sendable, Equatable {
        /// The line, from 1.
        package var line: Int
        /// The column, from 1 (in bytes, as libyaml counts).
        package var column: Int

        /// The position at `line` and `column`, both from 1.
        package init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
    }

    /// How a scalar is written, which tells `null` from `"null"`.
    package enum Style: Sendable, Equatable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// A scalar: its text (escapes and folding applied), how it was written, where.
    package struct Scalar: Sendable {
        /// The text, with escapes and folding applied.
        package var string: String
        /// How the scalar was written.
        package var style: Style
        /// Where the scalar starts.
        package var mark: Mark
    }

    /// A mapping's pairs, in file order.
    package struct Mapping: Sendable {
        /// The keys and values, in file order, repeated keys included.
        package var pairs: [(key: YAMLNode, value: YAMLNode)]
        /// Where the mapping starts.
        package var mark: Mark
    }

    /// A sequence's items, in file order.
    package struct Items: Sendable {
        /// The items, in file order.
        package var nodes: [YAMLNode]
        /// Where the sequence starts.
        package var mark: Mark
    }

    /// Where the node starts.
    package var mark: Mark {
        switch self {
        case .scalar(let s): s.mark
        case .mapping(let m): m.mark
        case .sequence(let s): s.mark
        }
    }

    /// The scalar, or nil for a mapping or sequence.
    package var scalar: Scalar? {
        if case .scalar(let s) = self { return s }
        return nil
    }

    /// A mapping's pairs, or nil for another kind.
    package var mapping: [(key: YAMLNode, value: YAMLNode)]? {
        if case .mapping(let m) = self { return m.pairs }
        return nil
    }

    /// A sequence's items, or nil for another kind.
    package var sequence: [YAMLNode]? {
        if case .sequence(let s) = self { return s.nodes }
        return nil
    }

    /// A mapping's value for the scalar key `key` (the last one when the key is repeated);
    /// nil when there is none or this is not a mapping.
    package subscript(key: String) -> YAMLNode? {
        mapping?.last { $0.key.string == key }?.value
    }

    /// A scalar's text, or nil for a mapping or sequence.
    package var string: String? { scalar?.string }

    /// Whether this is a scalar spelled as YAML's null (`~`, `null`, `Null`, `NULL`, or
    /// nothing). Callers that care whether it was quoted also look at the ``Style``.
    package var isNull: Bool {
        guard let s = scalar else { return false }
        switch s.string {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// A scalar as an integer, as YAML 1.1 spells one: an optional sign, then decimal digits,
    /// `0x` hex, `0o` octal or `0b` binary, with `_` separators allowed; nil for anything else.
    package var int: Int? {
        guard var s = scalar.map({ Substring($0.string) }), !s.isEmpty else { return nil }
        var negative = false
        if let sign = s.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            s = s.dropFirst()
        }
        var radix = 10
        if s.count > 2, s.first == "0" {
            switch s.dropFirst().first {
            case "x": radix = 16
            case "o": radix = 8
            case "b": radix = 2
            default: break
            }
            if radix != 10 { s = s.dropFirst(2) }
        }
        let digits = s.filter { $0 != "_" }
        guard !digits.isEmpty, digits.first != "-", digits.first != "+",
            let magnitude = Int(negative ? "-" + digits : digits, radix: radix)
        else { return nil }
        return magnitude
    }

    /// A scalar as a number, as YAML 1.1 spells one: `.inf`, `-.inf`, `.nan` (any of their
    /// capitalisations), or a decimal number with `_` separators allowed; nil for anything else.
    package var float: Double? {
        guard let s = scalar?.string, !s.isEmpty else { return nil }
        switch s {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default:
            let digits = s.filter { $0 != "_" }
            guard digits.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
            return Double(digits)
        }
    }
}
