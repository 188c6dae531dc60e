/// A parse failure a person can act on: where it is and what was expected.
///
/// Printed as `source:line:column: message (near "excerpt")`, like promtool.
/// Columns count Unicode scalars from 1.
public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, broadly; the message says precisely.
    public enum Kind: Sendable, Hashable {
        /// The text does not follow the format's grammar.
        case syntax
        /// A rule of OpenMetrics beyond the grammar (grouping, ordering, counter values…).
        case semantics
        /// A configured cap in ``ParseLimits`` was exceeded.
        case limit
        /// The gzip stream is corrupt or truncated.
        case compression
        /// Reading the input failed (`read(2)` returned an error).
        case io
    }

    /// What kind of problem it is.
    public var kind: Kind
    /// The input's name: a file path, `<stdin>`, a URL.
    public var source: String
    /// 1-based line number (0 when the error is not tied to a line, e.g. gzip).
    public var line: Int
    /// 1-based column in Unicode scalars (0 when not tied to a position).
    public var column: Int
    /// What was expected or what is wrong, e.g. `expected '=' after label name "verb"`.
    public var message: String
    /// A short excerpt of the offending line around the column (printable ASCII, escaped).
    public var excerpt: String

    /// An error at a position; `column` 0 when the error is not tied to one.
    public init(kind: Kind, source: String, line: Int, column: Int, message: String, excerpt: String = "") {
        self.kind = kind
        self.source = source
        self.line = line
        self.column = column
        self.message = message
        self.excerpt = excerpt
    }

    /// `source:line:column: message (near "excerpt")`, the form editors and people read.
    public var description: String {
        var s = source
        if line > 0 {
            s += ":\(line)"
            if column > 0 { s += ":\(column)" }
        }
        s += ": \(message)"
        if !excerpt.isEmpty { s += " (near \"\(excerpt)\")" }
        return s
    }

    /// Builds an error for the byte at `offset` of a line, computing column and excerpt.
    static func at<Bytes: RandomAccessCollection<UInt8>>(
        _ kind: Kind, source: String, line: Int, lineBytes: Bytes, offset: Int, message: String
    ) -> ParseError where Bytes.Index == Int {
        let offset = max(0, min(offset, lineBytes.count))
        var column = 1
        for i in 0..<offset where lineBytes[i] & 0xC0 != 0x80 { column += 1 }
        let from = max(0, offset - 24)
        let to = min(lineBytes.count, offset + 24)
        var excerpt = from > 0 ? "…" : ""
        for i in from..<to {
            let b = lineBytes[i]
            switch b {
            case 0x20..<0x7F where b != 0x22 && b != 0x5C: excerpt.unicodeScalars.append(Unicode.Scalar(b))
            case 0x22: excerpt += "\\\""
            case 0x5C: excerpt += "\\\\"
            case 0x09: excerpt += "\\t"
            case 0x0D: excerpt += "\\r"
            default: excerpt += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        if to < lineBytes.count { excerpt += "…" }
        return ParseError(kind: kind, source: source, line: line, column: column, message: message, excerpt: excerpt)
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String {
        count >= n ? self : String(repeating: "0", count: n - count) + self
    }
}
