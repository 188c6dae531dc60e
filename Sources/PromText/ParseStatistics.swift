/// What one parse saw, line by line. Nothing is skipped without being counted here.
public struct ParseStatistics: Sendable, Hashable {
    /// Bytes fed to the parser (compressed bytes when the input is gzip).
    public var inputBytes = 0
    /// Bytes of text parsed (after inflating).
    public var decodedBytes = 0
    /// Whether the input was gzip.
    public var gzip = false
    /// Lines read (the last line counts even without a final newline).
    public var lines = 0
    /// Samples handed to the consumer.
    public var samples = 0
    /// Sample lines of families the ``FamilyFilter`` did not want: validated but not handed over
    /// (or skipped unparsed with ``FamilyFilter/SkippedLines/unparsed``).
    public var filteredSamples = 0
    /// `# HELP`, `# TYPE` and `# UNIT` lines.
    public var metadataLines = 0
    /// Other comment lines (0.0.4 only).
    public var commentLines = 0
    /// Blank lines (0.0.4 only).
    public var blankLines = 0
    /// Lines skipped as invalid in lenient mode (each has an error).
    public var invalidLines = 0

    /// All counts zero.
    public init() {}
}
