#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension TextParser {
    /// Reads a file descriptor to its end, feeding the parser chunk by chunk
    /// through one reusable buffer (memory stays flat whatever the input size).
    /// Does not call ``finish()``.
    public func feed(fileDescriptor fd: Int32, chunkSize: Int = 256 << 10) throws(ParseError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { unsafe buffer.deallocate() }
        while true {
            let n = unsafe read(fd, buffer.baseAddress, chunkSize)
            if n == 0 { return }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = unsafe String(cString: strerror(errno))
                throw ParseError(kind: .io, source: options.source, line: 0, column: 0, message: "read failed: \(reason)")
            }
            unsafe try feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}

// The input boundary: raw chunks (plain or gzip) become lines, each parsed where it lies
// in the chunk as a ``Line``; a line split across chunks is carried and completed.
extension TextParser {
    /// Parses the next chunk of input.
    public func feed(_ chunk: UnsafeRawBufferPointer) throws(ParseError) {
        precondition(!finished, "feed(_:) after finish()")
        lineParser.statistics.inputBytes += chunk.count
        if !decompressionDecided {
            // Wait for two bytes to tell gzip from text; a 1-byte first chunk is held.
            if magicPrefix.isEmpty && chunk.count >= 2 {
                unsafe decideDecompression(chunk[0], chunk[1])
            } else {
                unsafe magicPrefix.append(contentsOf: chunk)
                guard magicPrefix.count >= 2 else { return }
                decideDecompression(magicPrefix[0], magicPrefix[1])
                let held = magicPrefix
                magicPrefix = []
                unsafe try withBytes(held) { (b: UnsafeRawBufferPointer) throws(ParseError) in unsafe try decoded(b) }
                return
            }
        }
        unsafe try decoded(chunk)
    }

    /// Parses the next chunk of input, lent as a span (an HTTP body piece, say): the safe
    /// entry for callers that hold no pointer of their own.
    public func feed(_ chunk: Span<UInt8>) throws(ParseError) {
        unsafe try chunk.withUnsafeBufferPointer { (b: UnsafeBufferPointer<UInt8>) throws(ParseError) in
            unsafe try feed(UnsafeRawBufferPointer(b))
        }
    }

    /// Parses the next chunk of input.
    public func feed(_ chunk: [UInt8]) throws(ParseError) {
        unsafe try withBytes(chunk) { (b: UnsafeRawBufferPointer) throws(ParseError) in unsafe try feed(b) }
    }

    /// Ends the input: parses a last line without newline, checks the gzip stream
    /// is complete and, for OpenMetrics, that `# EOF` came and the last family is valid.
    public func finish() throws(ParseError) {
        precondition(!finished, "finish() called twice")
        finished = true
        if !magicPrefix.isEmpty {
            let held = magicPrefix
            magicPrefix = []
            unsafe try withBytes(held) { (b: UnsafeRawBufferPointer) throws(ParseError) in unsafe try lineParser.text(b) }
        }
        if let inflater, !inflater.isComplete {
            let offset = inflater.consumedInput
            throw ParseError(
                kind: .compression, source: options.source, line: 0, column: 0,
                message: statistics.inputBytes == 0 || offset == 0
                    ? "gzip stream is empty" : "gzip stream is truncated after \(offset) compressed bytes")
        }
        try lineParser.finish()
    }

    private func decideDecompression(_ b0: UInt8, _ b1: UInt8) {
        decompressionDecided = true
        if b0 == 0x1F && b1 == 0x8B {
            inflater = GzipInflater()
            lineParser.statistics.gzip = true
        }
    }

    /// Compressed chunks at least this large are inflated on a helper thread, overlapping the parse.
    static let pipelineThreshold = 16 << 10

    private func decoded(_ chunk: UnsafeRawBufferPointer) throws(ParseError) {
        guard let inflater else { return unsafe try lineParser.text(chunk) }
        let source = options.source
        if chunk.count >= Self.pipelineThreshold {
            let pipeline = self.pipeline ?? InflatePipeline(inflater)
            self.pipeline = pipeline
            unsafe try pipeline.run(chunk, source: source) { (out: UnsafeRawBufferPointer) throws(ParseError) in unsafe try self.lineParser.text(out) }
        } else {
            unsafe try inflater.inflate(chunk, source: source) { (out: UnsafeRawBufferPointer) throws(ParseError) in
                unsafe try self.lineParser.text(out)
            }
        }
    }

}

/// Lends an array's bytes to a closure that throws ``ParseError`` (the standard
/// library's `withUnsafeBytes` rethrows untyped).
@inline(__always)
func withBytes(_ a: [UInt8], _ body: (UnsafeRawBufferPointer) throws(ParseError) -> Void) throws(ParseError) {
    var failure: ParseError? = nil
    unsafe a.withUnsafeBytes { (b: UnsafeRawBufferPointer) -> Void in
        do throws(ParseError) { unsafe try body(b) } catch { failure = error }
    }
    if let failure { throw failure }
}
