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

    public struct Options: Sendable {
        public var format: ExpositionFormat
        public var mode: Mode
        public var limits: ParseLimits
        /// Names the input in errors: a path, `<stdin>`, a URL.
        public var source: String
        /// Only these families reach the consumer; nil keeps all.
        public var filter: FamilyFilter?
        public var decompression: Decompression

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

    public let options: Options
    /// Counts of what was read so far.
    @exclusivity(unchecked) public internal(set) var statistics = ParseStatistics()
    /// In lenient mode, the first ``ParseLimits/maxRecordedErrors`` errors (all are counted
    /// in ``ParseStatistics/invalidLines``).
    @exclusivity(unchecked) public private(set) var errors: [ParseError] = []

    let consumer: any SampleConsumer
    let openMetrics: Bool
    let maxLine: Int

    /// The start of a line that continues in the next chunk.
    @exclusivity(unchecked) var carry: [UInt8] = []
    /// Lenient mode: dropping the rest of a line that exceeded the length cap.
    @exclusivity(unchecked) var droppingOverlongLine = false

    /// Label slots of the current line, reused; grows only when a line has more labels than any before.
    @exclusivity(unchecked) var slots: UnsafeMutablePointer<LabelSlot>
    @exclusivity(unchecked) var slotCapacity: Int
    /// Scratch for duplicate-label checks on lines with many labels.
    @exclusivity(unchecked) var hashScratch: [(UInt64, Int)] = []

    @exclusivity(unchecked) var filter: CompiledFamilyFilter?
    /// Whether lines the filter does not keep are still parsed and validated.
    let validatesSkipped: Bool

    /// 0.0.4: the family of the last `# TYPE` line and its type, to type the samples that follow.
    @exclusivity(unchecked) var typedFamily: [UInt8] = []
    @exclusivity(unchecked) var typedFamilyType: MetricType = .untyped
    @exclusivity(unchecked) var repeatCache = RepeatCache()
    /// Set by ``parseLabels``: the line's label names are the previous line's, already checked.
    @exclusivity(unchecked) var labelNamesRepeated = false
    /// The previous sample line of the current chunk, whose label slots are still in ``slots``:
    /// labels in the prefix a line shares with it are taken over without parsing them again.
    @exclusivity(unchecked) var previousLine: UnsafePointer<UInt8>? = nil
    @exclusivity(unchecked) var previousLineCount = 0
    @exclusivity(unchecked) var previousLabelCount = 0
    let table = ByteClass.table

    @exclusivity(unchecked) var validator: OpenMetricsValidator?

    private var decompressionDecided: Bool
    private var magicPrefix: [UInt8] = []
    private var inflater: GzipInflater?
    private var pipeline: InflatePipeline?
    private var finished = false

    public init(options: Options = Options(), consumer: any SampleConsumer) {
        self.options = options
        self.consumer = consumer
        self.openMetrics = options.format == .openMetrics
        self.maxLine = min(max(options.limits.maxLineLength, 16), Int(Int32.max) - 1)
        self.slotCapacity = 32
        self.slots = UnsafeMutablePointer<LabelSlot>.allocate(capacity: 32)
        self.filter = options.filter.map(CompiledFamilyFilter.init)
        self.validatesSkipped = options.filter?.skipped != .unparsed
        self.validator = openMetrics ? OpenMetricsValidator() : nil
        self.decompressionDecided = options.decompression == .none
        if options.decompression == .gzip {
            self.inflater = GzipInflater()
            self.statistics.gzip = true
        }
        self.carry.reserveCapacity(4096)
        self.typedFamily.reserveCapacity(256)
    }

    /// Bytes the parser holds in its own buffers (a line carried over between chunks, label
    /// slots, inflate output): what the memory bound of a parse is about, whatever its input.
    package var bufferedBytes: Int {
        carry.capacity + slotCapacity * MemoryLayout<LabelSlot>.stride + hashScratch.capacity * 16
            + (inflater.map { _ in GzipInflater.pieceSize } ?? 0) + (pipeline.map { _ in 2 * GzipInflater.pieceSize } ?? 0)
    }

    deinit {
        slots.deallocate()
        repeatCache.deallocate()
    }

    /// Parses the next chunk of input.
    public func feed(_ chunk: UnsafeRawBufferPointer) throws(ParseError) {
        precondition(!finished, "feed(_:) after finish()")
        statistics.inputBytes += chunk.count
        if !decompressionDecided {
            // Wait for two bytes to tell gzip from text; a 1-byte first chunk is held.
            if magicPrefix.isEmpty && chunk.count >= 2 {
                decideDecompression(chunk[0], chunk[1])
            } else {
                magicPrefix.append(contentsOf: chunk)
                guard magicPrefix.count >= 2 else { return }
                decideDecompression(magicPrefix[0], magicPrefix[1])
                let held = magicPrefix
                magicPrefix = []
                try withBytes(held) { (b: UnsafeRawBufferPointer) throws(ParseError) in try decoded(b) }
                return
            }
        }
        try decoded(chunk)
    }

    /// Parses the next chunk of input.
    public func feed(_ chunk: [UInt8]) throws(ParseError) {
        try withBytes(chunk) { (b: UnsafeRawBufferPointer) throws(ParseError) in try feed(b) }
    }

    /// Ends the input: parses a last line without newline, checks the gzip stream
    /// is complete and, for OpenMetrics, that `# EOF` came and the last family is valid.
    public func finish() throws(ParseError) {
        precondition(!finished, "finish() called twice")
        finished = true
        if !magicPrefix.isEmpty {
            let held = magicPrefix
            magicPrefix = []
            try withBytes(held) { (b: UnsafeRawBufferPointer) throws(ParseError) in try text(b) }
        }
        if let inflater, !inflater.isComplete {
            let offset = inflater.consumedInput
            throw ParseError(
                kind: .compression, source: options.source, line: 0, column: 0,
                message: statistics.inputBytes == 0 || offset == 0
                    ? "gzip stream is empty" : "gzip stream is truncated after \(offset) compressed bytes")
        }
        if droppingOverlongLine {
            droppingOverlongLine = false
        } else if !carry.isEmpty {
            try processCarry()  // the last line, without a newline
        }
        if validator != nil {
            do {
                try validator!.finish()
            } catch {
                try report(error, lineBytes: nil)
            }
        }
    }

    private func decideDecompression(_ b0: UInt8, _ b1: UInt8) {
        decompressionDecided = true
        if b0 == 0x1F && b1 == 0x8B {
            inflater = GzipInflater()
            statistics.gzip = true
        }
    }

    /// Compressed chunks at least this large are inflated on a helper thread, overlapping the parse.
    static let pipelineThreshold = 16 << 10

    private func decoded(_ chunk: UnsafeRawBufferPointer) throws(ParseError) {
        guard let inflater else { return try text(chunk) }
        let source = options.source
        if chunk.count >= Self.pipelineThreshold {
            let pipeline = self.pipeline ?? InflatePipeline(inflater)
            self.pipeline = pipeline
            try pipeline.run(chunk, source: source) { (out: UnsafeRawBufferPointer) throws(ParseError) in try self.text(out) }
        } else {
            try inflater.inflate(chunk, source: source) { (out: UnsafeRawBufferPointer) throws(ParseError) in
                try self.text(out)
            }
        }
    }

    /// Splits decoded text into lines; complete lines are parsed in place, a partial last line is carried.
    /// Past ``ParseLimits/maxSamples`` the parse stops at the end of the chunk.
    private func text(_ chunk: UnsafeRawBufferPointer) throws(ParseError) {
        try lines(chunk)
        if statistics.samples > options.limits.maxSamples {
            throw ParseError(
                kind: .limit, source: options.source, line: statistics.lines, column: 0,
                message: "more samples than the limit of \(options.limits.maxSamples)")
        }
    }

    private func lines(_ chunk: UnsafeRawBufferPointer) throws(ParseError) {
        guard chunk.count > 0, let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        previousLine = nil  // lines of an earlier chunk may be gone
        statistics.decodedBytes += chunk.count
        if statistics.decodedBytes > options.limits.maxDecodedBytes {
            throw ParseError(
                kind: .limit, source: options.source, line: statistics.lines + 1, column: 0,
                message: "input exceeds the decoded size limit of \(options.limits.maxDecodedBytes) bytes (gzip bomb?)")
        }
        var p = base
        let end = base + chunk.count
        if droppingOverlongLine || !carry.isEmpty {
            // Complete the line carried over from the previous chunk.
            guard let nl = memchr(p, 0x0A, end - p).map({ UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) }) else {
                if !droppingOverlongLine {
                    if carry.count + (end - p) > maxLine {
                        try overlong(Array(carry.prefix(64)))
                    } else {
                        carry.append(contentsOf: UnsafeBufferPointer(start: p, count: end - p))
                    }
                }
                return
            }
            if droppingOverlongLine {
                droppingOverlongLine = false
            } else if carry.count + (nl - p) > maxLine {
                try overlong(Array(carry.prefix(64)))
                droppingOverlongLine = false
            } else {
                carry.append(contentsOf: UnsafeBufferPointer(start: p, count: nl - p))
                try processCarry()
            }
            p = nl + 1
        }
        guard p < end else { return }
        // Every line up to the chunk's last newline is complete: parse those where they are,
        // each parse finding its own line's end.
        guard let lastNewline = ByteScanning.lastNewline(p, end - p) else {
            try carryOver(p, end)
            return
        }
        let limit = lastNewline + 1
        while p < limit {
            if limit - p > maxLine + 1 {
                // Only in chunks larger than the line cap can a line here exceed it: measure first.
                let n = ByteScanning.newline(p, 0, limit - p)
                if n > maxLine {
                    try overlong(Array(UnsafeBufferPointer(start: p, count: 64)))
                    droppingOverlongLine = false
                    p += n + 1
                    continue
                }
            }
            p += try processLine(p, limit - p) + 1
        }
        try carryOver(p, end)
    }

    /// Keeps the start of a line that continues in the next chunk.
    private func carryOver(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) throws(ParseError) {
        guard p < end else { return }
        if end - p > maxLine {
            try overlong(Array(UnsafeBufferPointer(start: p, count: min(end - p, 64))))
        } else {
            carry.append(contentsOf: UnsafeBufferPointer(start: p, count: end - p))
        }
    }

    /// Parses the carried line, with a newline appended as its end.
    private func processCarry() throws(ParseError) {
        carry.append(0x0A)
        previousLine = nil
        try withBytes(carry) { (b: UnsafeRawBufferPointer) throws(ParseError) in
            _ = try processLine(b.baseAddress!.assumingMemoryBound(to: UInt8.self), b.count)
        }
        previousLine = nil  // the carry buffer is about to change
        carry.removeAll(keepingCapacity: true)
    }

    /// A line over the length cap: an error; in lenient mode the rest of it is dropped.
    private func overlong(_ start: [UInt8]) throws(ParseError) {
        statistics.lines += 1
        carry.removeAll(keepingCapacity: true)
        droppingOverlongLine = true
        let fault = LineFault(.limit, at: start.count, "line longer than the limit of \(maxLine) bytes")
        try withBytes(start) { (b: UnsafeRawBufferPointer) throws(ParseError) in
            try report(fault, lineBytes: b.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Parses the line at `p` (a `\n` ends it before `p + limit`), turning a fault into an
    /// error or, in lenient mode, a count. Returns the index of the line's `\n`.
    func processLine(_ p: UnsafePointer<UInt8>, _ limit: Int) throws(ParseError) -> Int {
        statistics.lines += 1
        do {
            return try parseLine(p, limit)
        } catch {
            previousLine = nil  // its slots may be half overwritten
            let n = ByteScanning.newline(p, 0, limit)
            try report(error, lineBytes: UnsafeBufferPointer(start: p, count: n))
            return n
        }
    }

    func report(_ fault: LineFault, lineBytes: UnsafeBufferPointer<UInt8>?) throws(ParseError) {
        let error: ParseError
        let line = fault.line ?? statistics.lines
        if let lineBytes, fault.line == nil {
            error = .at(fault.kind, source: options.source, line: line, lineBytes: lineBytes, offset: fault.offset,
                        message: fault.message)
        } else {
            error = ParseError(kind: fault.kind, source: options.source, line: line, column: 0, message: fault.message)
        }
        guard options.mode == .lenient else { throw error }
        statistics.invalidLines += 1
        if errors.count < options.limits.maxRecordedErrors { errors.append(error) }
    }

    private func parseLine(_ p: UnsafePointer<UInt8>, _ limit: Int) throws(LineFault) -> Int {
        if openMetrics && validator!.sawEOF { throw LineFault(.syntax, at: 0, "unexpected text after \"# EOF\"") }
        var start = 0
        if !openMetrics {
            while p[start] == 0x20 || p[start] == 0x09 { start += 1 }
        }
        let c = p[start]
        if c == 0x0A || (c == 0x0D && !openMetrics && p[start + 1] == 0x0A) {
            if openMetrics { throw LineFault(.syntax, at: 0, "blank lines are not allowed in OpenMetrics") }
            statistics.blankLines += 1
            return c == 0x0A ? start : start + 1
        }
        if c == UInt8(ascii: "#") {
            let n = ByteScanning.newline(p, start, limit)
            if openMetrics {
                try parseOpenMetricsComment(p, n)
            } else {
                try parseComment(p + start, n - start - (p[n - 1] == 0x0D ? 1 : 0))  // CRLF tolerated in 0.0.4
            }
            return n
        }
        return try parseSample(p, start, limit)
    }

    /// Makes room for at least `needed` label slots.
    func growSlots(to needed: Int) {
        var capacity = slotCapacity
        while capacity < needed { capacity *= 2 }
        let new = UnsafeMutablePointer<LabelSlot>.allocate(capacity: capacity)
        new.moveInitialize(from: slots, count: slotCapacity)
        slots.deallocate()
        slots = new
        slotCapacity = capacity
    }
}

/// Lends an array's bytes to a closure that throws ``ParseError`` (the standard
/// library's `withUnsafeBytes` rethrows untyped).
@inline(__always)
func withBytes(_ a: [UInt8], _ body: (UnsafeRawBufferPointer) throws(ParseError) -> Void) throws(ParseError) {
    var failure: ParseError? = nil
    a.withUnsafeBytes { (b: UnsafeRawBufferPointer) -> Void in
        do throws(ParseError) { try body(b) } catch { failure = error }
    }
    if let failure { throw failure }
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
