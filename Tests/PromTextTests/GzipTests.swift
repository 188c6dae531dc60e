import CtlmonTestSupport
import CZlib
import PromText
import Testing

/// gzip input: detected by magic bytes, inflated while streaming, capped, and checked for truncation.
@Suite("gzip")
struct GzipTests {
    let text = Array((0..<2000).map { "m{i=\"\($0)\"} \($0)\n" }.joined().utf8)

    @Test("round trip: gzip input gives the same samples as the text, in every split")
    func roundTrip() {
        let gz = Gzip.compress(text)
        #expect(Gzip.isGzip(gz) && gz.count < text.count / 3)
        let plain = Digest()
        parse(text, into: plain)
        for chunks in [[Int.max], [1], [2, 1, 9], randomChunks(count: 50, max: 500, seed: 5)] {
            let d = Digest()
            let o = parse(gz, chunks: chunks, into: d)
            #expect(o.failure == nil)
            #expect(d == plain && d.samples == 2000)
            #expect(o.statistics.gzip && o.statistics.decodedBytes == text.count)
        }
    }

    @Test("concatenated gzip members are read one after the other")
    func multipleMembers() {
        let half = text.count / 2
        let cut = text[..<half].lastIndex(of: 0x0A)! + 1
        let gz = Gzip.compress(Array(text[..<cut])) + Gzip.compress(Array(text[cut...]))
        let d = Digest()
        let o = parse(gz, chunks: [777], into: d)
        #expect(o.failure == nil && d.samples == 2000)
    }

    @Test("a truncated gzip stream is a clear error, wherever it is cut")
    func truncated() throws {
        let gz = Gzip.compress(text)
        for cut in [2, 3, 10, gz.count / 2, gz.count - 1] {
            let o = parse(Array(gz[..<cut]), chunks: [3], options: .init(source: "t.gz"), into: Digest())
            let f = try #require(o.failure, "cut at \(cut)")
            #expect(f.kind == .compression)
            #expect(f.description.hasPrefix("t.gz: gzip stream is"))
        }
    }

    @Test("corrupt gzip data is a clear error")
    func corrupt() {
        var gz = Gzip.compress(text)
        for i in 20..<40 { gz[i] ^= 0x5A }
        let o = parse(gz, into: Digest())
        #expect(o.failure?.kind == .compression)
        #expect(o.failure?.message.hasPrefix("corrupt gzip stream") == true)
    }

    @Test("large compressed chunks (inflated on a helper thread) give the same result and errors")
    func pipelined() throws {
        let big = Array((0..<200_000).map { "m{i=\"\($0)\",k=\"\($0 % 7)\"} \($0)\n" }.joined().utf8)
        let gz = Gzip.compress(big)
        #expect(gz.count > 64 << 10)
        let plain = Digest()
        parse(big, chunks: [1 << 20], into: plain)
        for chunks in [[Int.max], [100_000], [20_000, 3]] {
            let d = Digest()
            let o = parse(gz, chunks: chunks, into: d)
            #expect(o.failure == nil)
            #expect(d == plain && d.samples == 200_000)
        }
        // A parse error deep inside: reported with its line, no hang, whatever the split.
        var broken = big
        let at = broken.count / 2
        let lineStart = broken[..<at].lastIndex(of: 0x0A)! + 1
        broken[lineStart + 1] = UInt8(ascii: "-")
        let expectedLine = broken[..<lineStart].filter { $0 == 0x0A }.count + 1
        for chunks in [[Int.max], [50_000]] {
            let o = parse(Gzip.compress(broken), chunks: chunks, into: Digest())
            #expect(o.failure?.line == expectedLine)
            #expect(o.failure?.message == "unexpected character '-' in metric name")
        }
        // Corruption in a large chunk: zlib's error, or the garbage text it let through, stops the parse.
        var corrupt = gz
        for i in (corrupt.count / 2)..<(corrupt.count / 2 + 64) { corrupt[i] ^= 0xA5 }
        let o = parse(corrupt, into: Digest())
        #expect(o.failure?.kind == .compression || o.failure?.kind == .syntax)
    }

    @Test("a gzip bomb (1 GiB of zeros) stops at the decoded-size cap with bounded memory")
    func bomb() throws {
        let bomb = Self.compressedZeros(1 << 30)
        #expect(bomb.count < 2 << 20)
        // Strict: the first (NUL-filled) line is over the line cap long before the size cap.
        let strict = parse(bomb, chunks: [64 << 10], options: .init(source: "bomb.gz"), into: Digest())
        #expect(strict.failure?.kind == .limit)
        #expect(strict.failure?.message == "line longer than the limit of 1048576 bytes")
        // Lenient: the overlong line is dropped as it streams; the size cap ends the parse.
        var limits = ParseLimits()
        limits.maxDecodedBytes = 64 << 20
        let parser = TextParser(options: .init(mode: .lenient, limits: limits, source: "bomb.gz"), consumer: Digest())
        var failure: ParseError? = nil
        do {
            try bomb.withUnsafeBytes { all in
                var offset = 0
                while offset < all.count {
                    let end = min(offset + (64 << 10), all.count)
                    try parser.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
                    offset = end
                }
            }
            try parser.finish()
        } catch let e as ParseError {
            failure = e
        } catch {
            Issue.record("not a ParseError: \(error)")
        }
        let f = try #require(failure)
        #expect(f.kind == .limit)
        #expect(f.message.contains("decoded size limit of 67108864 bytes"))
        #expect(parser.statistics.decodedBytes <= (64 << 20) + (256 << 10))
        // Memory: 64 MiB went through a parser that kept at most one line's cap (1 MiB) and its
        // working buffers: the overlong line was dropped as it streamed, not carried whole.
        #expect(parser.bufferedBytes < limits.maxLineLength + (512 << 10), "\(parser.bufferedBytes) bytes buffered")
        #expect(parser.bufferedBytes > 0)
    }

    @Test("Gzip.decompress refuses output past its limit")
    func decompressLimit() {
        let gz = Gzip.compress([UInt8](repeating: 0x41, count: 100_000))
        #expect(throws: ParseError.self) { try Gzip.decompress(gz, limit: 50_000) }
        #expect((try? Gzip.decompress(gz))?.count == 100_000)
    }

    /// gzip of `count` zero bytes, deflated in pieces so the input never sits in memory.
    static func compressedZeros(_ count: Int) -> [UInt8] {
        var stream = z_stream()
        _ = CZlib_deflateInit2(&stream, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY)
        defer { deflateEnd(&stream) }
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var remaining = count
        while true {
            let n = min(remaining, zeros.count)
            remaining -= n
            let flush = remaining == 0 ? Z_FINISH : Z_NO_FLUSH
            zeros.withUnsafeBufferPointer { z in
                stream.next_in = UnsafeMutablePointer(mutating: z.baseAddress)
                stream.avail_in = uInt(n)
                repeat {
                    buffer.withUnsafeMutableBufferPointer { b in
                        stream.next_out = b.baseAddress
                        stream.avail_out = uInt(b.count)
                        _ = deflate(&stream, flush)
                        out.append(contentsOf: b[0..<(b.count - Int(stream.avail_out))])
                    }
                } while stream.avail_out == 0
            }
            if remaining == 0 { break }
        }
        return out
    }
}
