#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A push-style streaming parser for Prometheus text 0.0.4 and OpenMetrics 1.0.
///
/// Feed bytes in chunks of any size with ``feed(_:)``, then call ``finish()``.
/// Chunks may split anywhere; the result is the same for every split. Samples
/// reach the ``SampleConsumer`` as borrowed views, without a heap allocation
/// per line. gzip input is recognised by its magic bytes and inflated on the way.
///
/// ```swift
/// let parser = TextParser(options: .init(source: "metrics.txt"), consumer: myConsumer)
/// try parser.feed(chunk)
/// try parser.finish()
/// print(parser.statistics.samples)
/// ```
public final class TextParser {
    /// How errors are handled.
    public enum Mode: Sendable {
        /// Stop at the first error.
        case strict
        /// Skip each bad line, record and count it, and go on.
        case lenient
    }

    /// Whether the input is gzip.
    public enum Decompression: Sendable {
        /// gzip when the input starts with the gzip magic bytes `1f 8b`.
        case auto
        /// Plain text.
        case none
        /// gzip, as an HTTP `Content-Encoding: gzip` says.
        case gzip
    }

    /// How a parse reads its input.
    public struct Options: Sendable {
        /// Prometheus text 0.0.4 (the default) or OpenMetrics 1.0.
        public var format: ExpositionFormat
        /// Strict (stop at the first error) or lenient (skip bad lines, count them).
        public var mode: Mode
        /// Caps on sizes and counts; see ``ParseLimits``.
        public var limits: ParseLimits
        /// Names the input in errors: a path, `<stdin>`, a URL.
        public var source: String
        /// Only these families reach the consumer; nil keeps all.
        public var filter: FamilyFilter?
        /// Whether the input is gzip (by default, told by its first two bytes).
        public var decompression: Decompression

        /// Options with the defaults for what is not given.
        public init(
            format: ExpositionFormat = .prometheusText, mode: Mode = .strict, limits: ParseLimits = ParseLimits(),
            source: String = "<input>", filter: FamilyFilter? = nil, decompression: Decompression = .auto
        ) {
            self.format = format
            self.mode = mode
            self.limits = limits
            self.source = source
            self.filter = filter
            self.decompression = decompression
        }
    }

    /// The options the parser was made with.
    public let options: Options
    /// Counts of what was read so far.
    public var statistics: ParseStatistics { lineParser.statistics }
    /// In lenient mode, the first ``ParseLimits/maxRecordedErrors`` errors (all are counted
    /// in ``ParseStatistics/invalidLines``).
    public var errors: [ParseError] { lineParser.errors }

    /// Everything the parse of lines needs and keeps; called once per decoded chunk.
    var lineParser: LineParser

    var decompressionDecided: Bool
    var magicPrefix: [UInt8] = []
    var inflater: GzipInflater?
    var pipeline: InflatePipeline?
    var finished = false

    /// A parser handing what it reads to `consumer` (kept until the parser is gone).
    public init(options: Options = Options(), consumer: any SampleConsumer) {
        self.options = options
        self.lineParser = LineParser(options: options, consumer: consumer)
        self.decompressionDecided = options.decompression == .none
        if options.decompression == .gzip {
            self.inflater = GzipInflater()
            self.lineParser.statistics.gzip = true
        }
    }

    /// Bytes the parser holds in its own buffers (a line carried over between chunks, label
    /// slots, inflate output): what the memory bound of a parse is about, whatever its input.
    package var bufferedBytes: Int {
        lineParser.bufferedBytes
            + (inflater.map { _ in GzipInflater.pieceSize } ?? 0) + (pipeline.map { _ in 2 * GzipInflater.pieceSize } ?? 0)
    }
}


/// A fault within one line: where (byte offset) and what; made a ``ParseError`` by the caller.
struct LineFault: Error {
    var kind: ParseError.Kind
    var offset: Int
    var message: String
    /// Set when the fault belongs to an earlier line than the current one (family-end checks).
    var line: Int?

    init(_ kind: ParseError.Kind, at offset: Int, _ message: String, line: Int? = nil) {
        self.kind = kind
        self.offset = offset
        self.message = message
        self.line = line
    }
}
