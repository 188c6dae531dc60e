/// Metric and label names as Prometheus defines them: a metric name matches
/// `[a-zA-Z_:][a-zA-Z0-9_:]*`, a label name `[a-zA-Z_][a-zA-Z0-9_]*`. The one definition
/// for the parser's byte classes, PromQL's lexer and functions, rule files and configs.
///
/// The byte predicates are `public` and `@inlinable`: the parser's scanning loops call them
/// per byte, and Swift 6.3 inlines across modules only what is public (a `package`
/// `@inlinable` function stayed a call: 5 % more instructions per parse, by callgrind).
public enum NameValidation {
    /// Whether `c` is an ASCII letter: both cases folded to lower case, then one unsigned
    /// comparison, no branch.
    @inlinable @inline(__always)
    public static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }

    /// Whether `c` is an ASCII digit, by one unsigned comparison.
    @inlinable @inline(__always)
    public static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// Whether `c` may start a metric name.
    @inlinable @inline(__always)
    public static func isMetricNameStart(_ c: UInt8) -> Bool { isLetter(c) || c == 0x5F || c == 0x3A }

    /// Whether `c` may continue a metric name.
    @inlinable @inline(__always)
    public static func isMetricNameChar(_ c: UInt8) -> Bool { isMetricNameStart(c) || isDigit(c) }

    /// Whether `c` may start a label name.
    @inlinable @inline(__always)
    public static func isLabelNameStart(_ c: UInt8) -> Bool { isLetter(c) || c == 0x5F }

    /// Whether `c` may continue a label name.
    @inlinable @inline(__always)
    public static func isLabelNameChar(_ c: UInt8) -> Bool { isLabelNameStart(c) || isDigit(c) }

    /// Whether `s` is a valid metric name.
    package static func isMetricName(_ s: String) -> Bool {
        guard let first = s.utf8.first, isMetricNameStart(first) else { return false }
        return s.utf8.allSatisfy(isMetricNameChar)
    }

    /// Whether `s` is a valid label name.
    package static func isLabelName(_ s: String) -> Bool {
        guard let first = s.utf8.first, isLabelNameStart(first) else { return false }
        return s.utf8.allSatisfy(isLabelNameChar)
    }
}
