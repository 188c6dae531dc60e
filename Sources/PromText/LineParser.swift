/// The parse of decoded text, line by line: the state every line reads or updates (counts,
/// label slots, the repeat cache, the previous line, the current `# TYPE`, the OpenMetrics
/// validator) and the parsers of sample and metadata lines.
///
/// A value type, so that the parse's hot state is accessed through `self` (checked at
/// compile time) rather than as class properties (checked at run time on every access):
/// ``TextParser`` hands it each decoded chunk, one access per chunk.
struct LineParser: ~Copyable {
    let options: TextParser.Options
    let consumer: any SampleConsumer
    let openMetrics: Bool
    let maxLine: Int
    var statistics = ParseStatistics()
    var errors: [ParseError] = []

    /// The start of a line that continues in the next chunk.
    var carry: [UInt8] = []
    /// Lenient mode: dropping the rest of a line that exceeded the length cap.
    var droppingOverlongLine = false

    /// Label slots of the current line, reused; grows only when a line has more labels than any before.
    var slots = LabelSlots(capacity: 32)
    /// Scratch for duplicate-label checks on lines with many labels.
    var hashScratch: [(UInt64, Int)] = []

    let filter: CompiledFamilyFilter?
    /// Whether lines the filter does not keep are still parsed and validated.
    let validatesSkipped: Bool

    /// 0.0.4: the family of the last `# TYPE` line and its type, to type the samples that follow.
    var typedFamily: [UInt8] = []
    var typedFamilyType: MetricType = .untyped
    var repeatCache = RepeatCache()
    /// Set by ``parseLabels``: the line's label names are the previous line's, already checked.
    var labelNamesRepeated = false
    /// The previous sample line of the current chunk, whose label slots are still in ``slots``:
    /// labels in the prefix a line shares with it are taken over without parsing them again.
    var previousLine: Line? = nil
    var previousLineCount = 0
    var previousLabelCount = 0

    var validator: OpenMetricsValidator?

    init(options: TextParser.Options, consumer: any SampleConsumer) {
        self.options = options
        self.consumer = consumer
        self.openMetrics = options.format == .openMetrics
        self.maxLine = min(max(options.limits.maxLineLength, 16), Int(Int32.max) - 1)
        self.filter = options.filter.map(CompiledFamilyFilter.init)
        self.validatesSkipped = options.filter?.skipped != .unparsed
        self.validator = openMetrics ? OpenMetricsValidator() : nil
        self.carry.reserveCapacity(4096)
        self.typedFamily.reserveCapacity(256)
    }

    /// Bytes held in the parse's own buffers.
    var bufferedBytes: Int { carry.capacity + slots.capacity * MemoryLayout<LabelSlot>.stride + hashScratch.capacity * 16 }

    /// Parses `line`, turning a fault into an error or, in lenient mode, a count.
    /// Returns the index of the line's `\n`.
    mutating func processLine(_ line: Line) throws(ParseError) -> Int {
        statistics.lines += 1
        do {
            return try parseLine(line)
        } catch {
            previousLine = nil  // its slots may be half overwritten
            let n = line.newline(from: 0)
            try report(error, lineBytes: line.view(0, n))
            return n
        }
    }

    mutating func report(_ fault: LineFault, lineBytes: ByteView?) throws(ParseError) {
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

    private mutating func parseLine(_ p: Line) throws(LineFault) -> Int {
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
            let n = p.newline(from: start)
            if openMetrics {
                try parseOpenMetricsComment(p, n)
            } else {
                // CRLF tolerated in 0.0.4.
                try parseComment(p.dropFirst(start), n - start - (p[n - 1] == 0x0D ? 1 : 0))
            }
            return n
        }
        return try parseSample(p, start)
    }
}
