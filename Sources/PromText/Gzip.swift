internal import CZlib

/// Whole-buffer gzip helpers for tools and tests (fixtures, benchmarks).
/// Parsing never needs them: ``TextParser`` inflates as it streams.
package enum Gzip {
    /// Whether `bytes` start with the gzip magic `1f 8b`.
    package static func isGzip(_ bytes: some Collection<UInt8>) -> Bool {
        var it = bytes.makeIterator()
        return it.next() == 0x1F && it.next() == 0x8B
    }

    /// gzip-compresses `bytes` (level 6, one member).
    package static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = unsafe z_stream()
        guard unsafe CZlib_deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK else { return [] }
        defer { unsafe deflateEnd(&stream) }
        var out = unsafe [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        let written: Int = unsafe bytes.withUnsafeBufferPointer { input in
            unsafe out.withUnsafeMutableBufferPointer { output in
                unsafe stream.next_in = unsafe UnsafeMutablePointer(mutating: input.baseAddress)
                unsafe stream.avail_in = uInt(input.count)
                unsafe stream.next_out = output.baseAddress
                unsafe stream.avail_out = uInt(output.count)
                _ = unsafe deflate(&stream, Z_FINISH)
                return unsafe output.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(written...)
        return out
    }

    /// The inflated size of a whole gzip buffer, inflating into one reused buffer
    /// (zlib's own speed, for benchmarks); throws on corrupt or truncated input.
    package static func inflatedSize(_ bytes: [UInt8], source: String = "<gzip>") throws(ParseError) -> Int {
        var total = 0
        unsafe try inflateAll(bytes, source: source) { (piece: UnsafeRawBufferPointer) throws(ParseError) in total += piece.count }
        return total
    }

    /// Inflates a whole gzip buffer (all members); throws on corrupt or truncated input
    /// or when the output would exceed `limit` bytes.
    package static func decompress(_ bytes: [UInt8], limit: Int = 1 << 30, source: String = "<gzip>") throws(ParseError) -> [UInt8] {
        var out: [UInt8] = []
        unsafe try inflateAll(bytes, source: source) { (piece: UnsafeRawBufferPointer) throws(ParseError) in
            if out.count + piece.count > limit {
                throw ParseError(kind: .limit, source: source, line: 0, column: 0,
                                 message: "inflated size exceeds the limit of \(limit) bytes")
            }
            unsafe out.append(contentsOf: piece)
        }
        return out
    }

    /// Inflates all of `bytes`, piece by piece, and checks the stream ended.
    private static func inflateAll(
        _ bytes: [UInt8], source: String, _ body: (UnsafeRawBufferPointer) throws(ParseError) -> Void
    ) throws(ParseError) {
        let inflater = GzipInflater()
        unsafe try withBytes(bytes) { (buf: UnsafeRawBufferPointer) throws(ParseError) in
            unsafe try inflater.inflate(buf, source: source, body)
        }
        if !inflater.isComplete {
            throw ParseError(kind: .compression, source: source, line: 0, column: 0, message: "gzip stream is truncated")
        }
    }
}
