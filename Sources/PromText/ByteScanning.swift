#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PromModel

// The raw-byte scanning primitives of the parser: character classes, word-at-a-time
// searches, UTF-8 validation. Everything here works on pointers the caller keeps
// valid; bounds are explicit `end` offsets, never read past.

/// Character classes of the text formats, as ``NameValidation`` (the model's one
/// definition of names) defines them: a metric name is `[a-zA-Z_:][a-zA-Z0-9_:]*`, a label
/// name `[a-zA-Z_][a-zA-Z0-9_]*`. Computed, no table; inlined into the scanning loops.
enum ByteClass {
    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { NameValidation.isDigit(c) }

    @inline(__always)
    static func isMetricStart(_ c: UInt8) -> Bool { NameValidation.isMetricNameStart(c) }

    @inline(__always)
    static func isMetricChar(_ c: UInt8) -> Bool { NameValidation.isMetricNameChar(c) }

    @inline(__always)
    static func isLabelStart(_ c: UInt8) -> Bool { NameValidation.isLabelNameStart(c) }

    @inline(__always)
    static func isLabelChar(_ c: UInt8) -> Bool { NameValidation.isLabelNameChar(c) }
}

enum ByteScanning {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The last `\n` in `p[0..<count]`, if any.
    static func lastNewline(_ p: UnsafePointer<UInt8>, _ count: Int) -> UnsafePointer<UInt8>? {
        // Backwards, a word at a time: the last newline is usually within a line's length of the end.
        var i = count
        while i >= 8 {
            let w = unsafe UnsafeRawPointer(p + i - 8).loadUnaligned(as: UInt64.self) ^ 0x0A0A_0A0A_0A0A_0A0A
            let m = (w &- ones) & ~w & highs
            if m != 0 {
                var k = i - 1
                while unsafe p[k] != 0x0A { k -= 1 }
                return unsafe p + k
            }
            i -= 8
        }
        while i > 0 {
            i -= 1
            if unsafe p[i] == 0x0A { return unsafe p + i }
        }
        return nil
    }

    /// Index of the `\n` at or after `from` (one must exist before `end`).
    @inline(__always)
    static func newline(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        let found = unsafe memchr(p + from, 0x0A, end &- from)!
        return unsafe UnsafeRawPointer(found) - UnsafeRawPointer(p)
    }

    /// Index of the first byte at or after `i` that is `"`, `\`, a newline, NUL or non-ASCII; `end` if none.
    @inline(__always)
    static func findLabelValueSpecial(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        var i = from
        while i &+ 8 <= end {
            let w = unsafe UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            let q = w ^ 0x2222_2222_2222_2222
            let b = w ^ 0x5C5C_5C5C_5C5C_5C5C
            let l = w ^ 0x0A0A_0A0A_0A0A_0A0A
            let m = (((q &- ones) & ~q) | ((b &- ones) & ~b) | ((l &- ones) & ~l) | ((w &- ones) & ~w) | w) & highs
            if m != 0 { return i &+ (m.trailingZeroBitCount &>> 3) }
            i &+= 8
        }
        while i < end {
            let c = unsafe p[i]
            if c == 0x22 || c == 0x5C || c == 0x0A || c == 0 || c >= 0x80 { return i }
            i &+= 1
        }
        return end
    }

    /// Index of the first byte at or after `from` that ends a metric name; `end` if none.
    @inline(__always)
    static func skipMetricNameChars(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        var i = from
        while i < end && ByteClass.isMetricChar(unsafe p[i]) { i &+= 1 }
        return i
    }

    @inline(__always)
    static func skipLabelNameChars(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        var i = from
        while i < end && ByteClass.isLabelChar(unsafe p[i]) { i &+= 1 }
        return i
    }

    /// Number of leading bytes `a[0..<n]` and `b[0..<m]` have in common.
    @inline(__always)
    static func commonPrefixLength(_ a: UnsafePointer<UInt8>, _ n: Int, _ b: UnsafePointer<UInt8>, _ m: Int) -> Int {
        let limit = min(n, m)
        var i = 0
        let ra = unsafe UnsafeRawPointer(a)
        let rb = unsafe UnsafeRawPointer(b)
        // 32 bytes a round while they agree (one branch), then word by word to the difference.
        while i &+ 32 <= limit {
            let x0 = unsafe ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ rb.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let x1 = unsafe ra.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self) ^ rb.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)
            let x2 = unsafe ra.loadUnaligned(fromByteOffset: i &+ 16, as: UInt64.self) ^ rb.loadUnaligned(fromByteOffset: i &+ 16, as: UInt64.self)
            let x3 = unsafe ra.loadUnaligned(fromByteOffset: i &+ 24, as: UInt64.self) ^ rb.loadUnaligned(fromByteOffset: i &+ 24, as: UInt64.self)
            if (x0 | x1 | x2 | x3) != 0 { break }
            i &+= 32
        }
        while i &+ 8 <= limit {
            let x = unsafe UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) ^ UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
            if x != 0 { return i &+ (x.trailingZeroBitCount &>> 3) }
            i &+= 8
        }
        while unsafe i < limit && a[i] == b[i] { i &+= 1 }
        return i
    }

    /// Length of the valid UTF-8 sequence starting at `p[i]` (a byte >= 0x80), or 0 if invalid.
    static func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        let c0 = unsafe p[i]
        @inline(__always) func cont(_ k: Int) -> Bool { unsafe i + k < end && p[i + k] & 0xC0 == 0x80 }
        switch c0 {
        case 0xC2...0xDF:
            return cont(1) ? 2 : 0
        case 0xE0:
            return unsafe i + 1 < end && (0xA0...0xBF).contains(p[i + 1]) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return cont(1) && cont(2) ? 3 : 0
        case 0xED:
            return unsafe i + 1 < end && (0x80...0x9F).contains(p[i + 1]) && cont(2) ? 3 : 0
        case 0xF0:
            return unsafe i + 1 < end && (0x90...0xBF).contains(p[i + 1]) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3:
            return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4:
            return unsafe i + 1 < end && (0x80...0x8F).contains(p[i + 1]) && cont(2) && cont(3) ? 4 : 0
        default:
            return 0
        }
    }

    /// Index of the first invalid UTF-8 byte in `p[from..<end]`, or nil when all valid.
    static func firstInvalidUTF8(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int? {
        var i = from
        while i < end {
            if unsafe p[i] < 0x80 { i += 1; continue }
            let n = unsafe utf8SequenceLength(p, i, end)
            if n == 0 { return i }
            i += n
        }
        return nil
    }

    /// Number of Unicode scalars in valid UTF-8 bytes.
    static func scalarCount(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int {
        var n = 0
        for i in from..<end where unsafe p[i] & 0xC0 != 0x80 { n += 1 }
        return n
    }
}
