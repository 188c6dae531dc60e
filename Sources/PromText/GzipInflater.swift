internal import CZlib

/// Streaming gzip inflate through zlib: compressed input in, text out.
///
/// Owns one `z_stream`. Handles concatenated gzip members (as `gzip -c a b`
/// writes). A stream that ends early is detected by ``isComplete`` at the
/// end of input. Not thread-safe: one thread at a time (``InflatePipeline``
/// hands it between threads with semaphores).
@safe
final class GzipInflater {
    private var stream = unsafe z_stream()
    private let initialized: Bool
    /// Whether the last gzip member ended (and nothing but whole members followed).
    private(set) var isComplete = false
    /// Compressed bytes consumed so far.
    private(set) var consumedInput = 0
    /// Output buffer of ``inflate(_:source:_:)``, allocated on first use.
    private var output: UnsafeMutableRawBufferPointer?
    static let pieceSize = 64 << 10

    init() {
        // 15 window bits + 16: gzip wrapper only.
        initialized = unsafe CZlib_inflateInit2(&stream, 15 + 16) == Z_OK
    }

    deinit {
        if initialized { unsafe inflateEnd(&stream) }
        unsafe output?.deallocate()
    }

    /// Compressed input not yet consumed.
    var pendingInput: Int { unsafe Int(stream.avail_in) }

    /// Sets the compressed bytes to consume; they must stay valid until consumed.
    func setInput(_ input: UnsafeRawBufferPointer) {
        unsafe stream.next_in = unsafe UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        unsafe stream.avail_in = uInt(input.count)
    }

    /// Inflates pending input into `out`; returns the bytes produced (0: nothing more for now).
    func inflate(into out: UnsafeMutableRawBufferPointer, source: String) throws(ParseError) -> Int {
        guard initialized else {
            throw ParseError(kind: .compression, source: source, line: 0, column: 0, message: "zlib failed to initialise")
        }
        var produced = 0
        repeat {
            if isComplete {
                guard unsafe stream.avail_in > 0 else { break }
                unsafe inflateReset(&stream)  // another gzip member follows
                isComplete = false
            }
            let before = unsafe Int(stream.avail_in)
            unsafe stream.next_out = unsafe out.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
            unsafe stream.avail_out = uInt(out.count - produced)
            let status = unsafe CZlib.inflate(&stream, Z_NO_FLUSH)
            produced = unsafe out.count - Int(stream.avail_out)
            unsafe consumedInput += before - Int(stream.avail_in)
            if status == Z_STREAM_END {
                isComplete = true
                continue
            }
            if status == Z_BUF_ERROR { break }  // no progress possible: needs input or output space
            if status != Z_OK {
                let what = unsafe stream.msg.map { unsafe String(cString: $0) } ?? "error \(status)"
                throw ParseError(
                    kind: .compression, source: source, line: 0, column: 0,
                    message: "corrupt gzip stream after \(consumedInput) compressed bytes: \(what)")
            }
        } while unsafe produced < out.count && stream.avail_in > 0
        return produced
    }

    /// Inflates all of `input` on the calling thread, calling `body` with each piece (valid during the call).
    func inflate(
        _ input: UnsafeRawBufferPointer, source: String, _ body: (UnsafeRawBufferPointer) throws(ParseError) -> Void
    ) throws(ParseError) {
        let out = unsafe output ?? UnsafeMutableRawBufferPointer.allocate(byteCount: Self.pieceSize, alignment: 16)
        unsafe output = unsafe out
        unsafe setInput(input)
        while true {
            let n = unsafe try inflate(into: out, source: source)
            if n > 0 { unsafe try body(UnsafeRawBufferPointer(rebasing: out[0..<n])) }
            if n == 0 || (n < out.count && pendingInput == 0) { break }
        }
    }
}
