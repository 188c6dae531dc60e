/// A `# HELP`, `# TYPE` or `# UNIT` line lent to a ``SampleConsumer``.
public struct MetadataView {
    /// Which metadata line this is.
    public enum Kind: Sendable { case help, type, unit }
    /// `# HELP`, `# TYPE` or `# UNIT`.
    public let kind: Kind
    /// The metric family name.
    public let name: ByteView
    /// The text after the name as written: help text (escaped), type keyword or unit.
    public let text: ByteView
    /// The declared type, for ``Kind/type`` lines.
    public let type: MetricType?
    /// The format being parsed (HELP escapes differ between formats).
    public let format: ExpositionFormat

    /// The help text with its escapes resolved (`\\`, `\n`; OpenMetrics also `\"`).
    public var unescapedText: String {
        var out: [UInt8] = []
        Unescaper.appendUnescaped(text, quotes: format == .openMetrics, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
