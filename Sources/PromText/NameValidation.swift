/// Metric and label names as Prometheus defines them: a metric name matches
/// `[a-zA-Z_:][a-zA-Z0-9_:]*`, a label name `[a-zA-Z_][a-zA-Z0-9_]*`. The one definition
/// for the parser, PromQL's lexer and functions, and rule files.
package enum NameValidation {
    /// Whether `c` may start a metric name.
    @inline(__always)
    package static func isMetricNameStart(_ c: UInt8) -> Bool { ByteClass.isMetricStart(c) }

    /// Whether `c` may continue a metric name.
    @inline(__always)
    package static func isMetricNameChar(_ c: UInt8) -> Bool { ByteClass.isMetricChar(c) }

    package static func isMetricName(_ s: String) -> Bool {
        guard let first = s.utf8.first, isMetricNameStart(first) else { return false }
        return s.utf8.allSatisfy(isMetricNameChar)
    }

    package static func isLabelName(_ s: String) -> Bool {
        guard let first = s.utf8.first, ByteClass.isLabelStart(first) else { return false }
        return s.utf8.allSatisfy(ByteClass.isLabelChar)
    }
}
