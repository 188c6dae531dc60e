/// Caps on what one input may make the parser hold or produce.
///
/// Every input comes from outside, so every size is bounded. Exceeding a cap is
/// a ``ParseError`` (in lenient mode the line is skipped and counted), except
/// ``maxDecodedBytes`` and ``maxSamples``, which always stop the parse: a gzip bomb is not a bad line.
public struct ParseLimits: Sendable, Hashable {
    /// Largest decoded (inflated) text accepted, in bytes. Default 512 MiB.
    public var maxDecodedBytes: Int = 512 << 20
    /// Longest line accepted, in bytes, without its line end. Default 1 MiB.
    public var maxLineLength: Int = 1 << 20
    /// Most labels on one sample. Default 512.
    public var maxLabelsPerSample: Int = 512
    /// Longest label name, in bytes. Default 1 KiB.
    public var maxLabelNameLength: Int = 1 << 10
    /// Longest label value, in bytes as written (escaped). Default 64 KiB.
    public var maxLabelValueLength: Int = 64 << 10
    /// Most samples handed to the consumer. Past it the parse stops (at the end of the chunk
    /// in progress, so the consumer may see a few more), like ``maxDecodedBytes``: a consumer
    /// that keeps samples has bounded memory whatever the input. Default: no limit.
    public var maxSamples: Int = .max
    /// Most errors kept with their messages in lenient mode; all are counted.
    public var maxRecordedErrors: Int = 100

    /// The documented defaults.
    public init() {}
}
