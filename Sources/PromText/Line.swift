/// The bytes of one line being parsed, read without bounds checks, with the invariant
/// that makes that sound built in: a `\n` lies at or after the line's end, before
/// ``limit``.
///
/// The parser never looks for a line's end before parsing it: every scanner stops at a
/// `\n`, so the first `\n` ends the line, and no read goes past it. Lines come only from
/// ``Lines`` (whose initializer checks that the final byte is a `\n`); everything the
/// sample, label and metadata parsers read goes through this type's subscript, its views
/// and the scanning primitives it lends, unchecked in release builds (the parsers stop at
/// the `\n`; debug builds check every read against ``limit``). Valid only as long as the
/// buffer it was made from: the chunk being parsed or the carried-over line.
@safe
@usableFromInline
struct Line {
    @usableFromInline let start: UnsafePointer<UInt8>
    /// One past a `\n` at or after the line's end: no read reaches it.
    @usableFromInline let limit: Int

    @inline(__always)
    fileprivate init(_ start: UnsafePointer<UInt8>, _ limit: Int) {
        unsafe self.start = start
        self.limit = limit
    }

    /// The byte at `i`. Reading at or before the `\n` that ends the line is always in
    /// bounds, and the parsers never read past that `\n` (debug builds check `i < limit`).
    @inlinable @inline(__always)
    subscript(i: Int) -> UInt8 {
        assert(i >= 0 && i < limit, "read past the line's newline")
        return unsafe start[i]
    }

    /// The line from `k` on (`k` at or before the ending `\n`): the invariant still holds.
    @inline(__always)
    func dropFirst(_ k: Int) -> Line {
        assert(k >= 0 && k < limit)
        return unsafe Line(start + k, limit &- k)
    }

    /// A view of `count` bytes from `from`, within the line.
    @inlinable @inline(__always)
    func view(_ from: Int, _ count: Int) -> ByteView {
        assert(from >= 0 && count >= 0 && from &+ count <= limit)
        return unsafe ByteView(start: start + from, count: count)
    }

    /// Whether this is the same line (the same bytes in memory) as `other`.
    @inline(__always)
    func isSameMemory(as other: Line) -> Bool { unsafe start == other.start }

    /// A short printable copy of bytes `from..<to` (at most 64), for messages.
    func text(_ from: Int, _ to: Int) -> String {
        view(from, max(0, min(to, from &+ 64) &- from)).string
    }

    // MARK: scanning primitives, bounded by the line's `\n` or an explicit end

    /// Index of the first `\n` at or after `from`.
    @inline(__always)
    func newline(from: Int) -> Int { unsafe ByteScanning.newline(start, from, limit) }

    /// Index of the first byte at or after `from` that is `"`, `\`, `\n`, NUL or non-ASCII.
    @inline(__always)
    func labelValueSpecial(from: Int) -> Int { unsafe ByteScanning.findLabelValueSpecial(start, from, limit) }

    /// Index of the first byte at or after `from` that cannot continue a metric name.
    @inline(__always)
    func metricNameEnd(from: Int) -> Int { unsafe ByteScanning.skipMetricNameChars(start, from, limit) }

    /// Index of the first byte at or after `from` that cannot continue a label name.
    @inline(__always)
    func labelNameEnd(from: Int) -> Int { unsafe ByteScanning.skipLabelNameChars(start, from, limit) }

    /// Length of the valid UTF-8 sequence at `i` (a byte >= 0x80), 0 when invalid.
    @inline(__always)
    func utf8SequenceLength(at i: Int) -> Int { unsafe ByteScanning.utf8SequenceLength(start, i, limit) }

    /// Number of Unicode scalars in bytes `from..<to` (valid UTF-8).
    func scalarCount(_ from: Int, _ to: Int) -> Int { unsafe ByteScanning.scalarCount(start, from, to) }

    /// How many leading bytes this line and `other` share, up to `count` and `otherCount`.
    @inline(__always)
    func commonPrefixLength(_ count: Int, with other: Line, _ otherCount: Int) -> Int {
        unsafe ByteScanning.commonPrefixLength(start, min(count, limit), other.start, min(otherCount, other.limit))
    }

    /// Whether bytes `a..<a+count` equal bytes `b..<b+count`.
    @inline(__always)
    func bytesEqual(_ a: Int, _ b: Int, _ count: Int) -> Bool {
        assert(a &+ count <= limit && b &+ count <= limit)
        return unsafe memoryEquals(start + a, start + b, count)
    }

    /// Bytes `from..<to` as a float, nil when they are not one.
    @inline(__always)
    func double(_ from: Int, _ to: Int) -> Double? { unsafe NumberParsing.parseDouble(start, from, to) }

    /// Bytes `from..<to` as a decimal Int64, nil when not one or out of range.
    @inline(__always)
    func int64(_ from: Int, _ to: Int) -> Int64? { unsafe NumberParsing.parseInt64(start, from, to) }

    /// Bytes `from..<to` as finite seconds (OpenMetrics timestamps).
    @inline(__always)
    func seconds(_ from: Int, _ to: Int) -> Double? { unsafe NumberParsing.parseSeconds(start, from, to) }
}

/// Complete lines in memory: `count` bytes that end with a `\n`. Made once per decoded
/// chunk (from its start to its last newline) or per carried line; each ``Line`` it hands
/// out inherits the final `\n` as its bound, so one check covers every line in it.
@safe
struct Lines {
    private let start: UnsafePointer<UInt8>
    let count: Int

    /// `start[0..<count]` must stay readable while the lines are parsed; the last byte
    /// must be `\n` (checked).
    @unsafe @inline(__always)
    init(unsafeStart start: UnsafePointer<UInt8>, count: Int) {
        precondition(unsafe count > 0 && start[count &- 1] == 0x0A, "lines must end with a newline")
        unsafe self.start = start
        self.count = count
    }

    /// The line starting at `offset` (the start of a line, before the final `\n`).
    @inline(__always)
    func line(from offset: Int) -> Line {
        precondition(UInt(bitPattern: offset) < UInt(count), "line offset out of range")
        return unsafe Line(start + offset, count &- offset)
    }
}
