internal import CZlib

/// Streaming gzip inflate through zlib: compressed chunks in, text chunks out.
///
/// Owns one `z_stream` and a reusable 256 KiB output buffer. Handles
/// concatenated gzip members (as `gzip -c a b` writes). A stream that ends
/// early is detected by ``isComplete`` at the end of input.
final class GzipInflater {
    private var stream = z_stream()
    private let output: UnsafeMutableRawBufferPointer
    private var initialized = false
    /// Whether the last gzip member ended (and nothing but trailing members followed).
    private(set) var isComplete = false
    /// Compressed bytes consumed so far.
    private(set) var consumedInput = 0

    init(outputCapacity: Int = 256 << 10) {
        output = UnsafeMutableRawBufferPointer.allocate(byteCount: outputCapacity, alignment: 16)
        // 15 window bits + 16: gzip wrapper only.
        initialized = CZlib_inflateInit2(&stream, 15 + 16) == Z_OK
    }

    deinit {
        if initialized { inflateEnd(&stream) }
        output.deallocate()
    }

    /// Inflates `input`, calling `body` with each piece of output (valid only during the call).
    func inflate(
        _ input: UnsafeRawBufferPointer, source: String, _ body: (UnsafeRawBufferPointer) throws(ParseError) -> Void
    ) throws(ParseError) {
        guard initialized else {
            throw ParseError(kind: .compression, source: source, line: 0, column: 0, message: "zlib failed to initialise")
        }
        guard let base = input.baseAddress, input.count > 0 else { return }
        var offset = 0
        while offset < input.count {
            if isComplete {
                // Another gzip member follows the one that ended.
                inflateReset(&stream)
                isComplete = false
            }
            let available = min(input.count - offset, Int(UInt32.max))
            stream.next_in = UnsafeMutablePointer(mutating: base.advanced(by: offset).assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(available)
            repeat {
                stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(output.count)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                let produced = output.count - Int(stream.avail_out)
                if produced > 0 { try body(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
                if status == Z_STREAM_END {
                    isComplete = true
                    break
                }
                if status == Z_BUF_ERROR && produced == 0 { break }  // needs more input
                if status != Z_OK {
                    let what = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw ParseError(
                        kind: .compression, source: source, line: 0, column: 0,
                        message: "corrupt gzip stream after \(consumedInput + available - Int(stream.avail_in)) compressed bytes: \(what)")
                }
            } while stream.avail_in > 0 || stream.avail_out == 0
            let used = available - Int(stream.avail_in)
            consumedInput += used
            offset += used
            if used == 0 && !isComplete { break }
        }
    }
}
