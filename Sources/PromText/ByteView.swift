/// A borrowed, read-only view of bytes inside the parser's buffers.
///
/// Valid only during the callback that received it: the bytes belong to the parser and
/// are overwritten by the next line. Copy what you keep (``string``, ``bytes``). Reads
/// through the view are bounds-checked; ``unsafeBuffer`` lends the raw bytes for hot
/// paths that hash or compare them.
@safe
public struct ByteView: RandomAccessCollection, CustomStringConvertible {
    @usableFromInline let start: UnsafePointer<UInt8>?
    /// Number of bytes in the view.
    public let count: Int

    @unsafe @inlinable
    init(start: UnsafePointer<UInt8>?, count: Int) {
        unsafe self.start = start
        self.count = count
    }

    /// The bytes as a buffer pointer, valid as long as the view is (during the callback).
    @unsafe @inlinable
    public var unsafeBuffer: UnsafeBufferPointer<UInt8> { unsafe UnsafeBufferPointer(start: start, count: count) }

    /// A copy of the bytes as a `String` (invalid UTF-8 is repaired).
    public var string: String { unsafe String(decoding: unsafeBuffer, as: UTF8.self) }

    /// A copy of the bytes.
    public var bytes: [UInt8] { unsafe Array(unsafeBuffer) }

    /// The bytes as text (``string``).
    public var description: String { string }

    /// 0: views are indexed from their first byte.
    public var startIndex: Int { 0 }
    /// ``count``.
    public var endIndex: Int { count }

    /// The byte at `i` (checked: `0 <= i < count`).
    @inlinable
    public subscript(i: Int) -> UInt8 {
        precondition(i >= 0 && i < count, "ByteView index out of range")
        return unsafe start.unsafelyUnwrapped[i]
    }

    /// Lends `bytes` as a view for the duration of `body` (for code that takes views, given an array).
    static func withView<R>(of bytes: [UInt8], _ body: (ByteView) -> R) -> R {
        unsafe bytes.withUnsafeBufferPointer { unsafe body(ByteView(start: $0.baseAddress, count: $0.count)) }
    }

    /// The first `k` bytes.
    @inlinable
    public func head(_ k: Int) -> ByteView {
        precondition(k >= 0 && k <= count, "ByteView prefix out of range")
        return unsafe ByteView(start: start, count: k)
    }

    /// The bytes from `k` on.
    @inlinable
    public func tail(from k: Int) -> ByteView {
        precondition(k >= 0 && k <= count, "ByteView suffix out of range")
        return unsafe ByteView(start: k == 0 ? start : start.unsafelyUnwrapped + k, count: count - k)
    }

    /// Byte-wise equality with a literal, without building a String.
    @inlinable
    public static func == (lhs: ByteView, rhs: StaticString) -> Bool {
        guard lhs.count == rhs.utf8CodeUnitCount else { return false }
        if lhs.count == 0 { return true }
        return unsafe memoryEquals(lhs.start.unsafelyUnwrapped, rhs.utf8Start, lhs.count)
    }

    /// Byte-wise equality of two views.
    @inlinable
    public static func == (lhs: ByteView, rhs: ByteView) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.count == 0 { return true }
        return unsafe memoryEquals(lhs.start.unsafelyUnwrapped, rhs.start.unsafelyUnwrapped, lhs.count)
    }

    /// Byte-wise equality with a byte array.
    public static func == (lhs: ByteView, rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return unsafe rhs.withUnsafeBufferPointer { b in
            unsafe (lhs.count == 0 || memoryEquals(lhs.start.unsafelyUnwrapped, b.baseAddress!, lhs.count))
        }
    }

    /// Whether the view starts with the given bytes.
    public func hasPrefix(_ prefix: [UInt8]) -> Bool {
        guard prefix.count <= count else { return false }
        if prefix.isEmpty { return true }
        return unsafe prefix.withUnsafeBufferPointer { unsafe memoryEquals(start.unsafelyUnwrapped, $0.baseAddress!, prefix.count) }
    }

    /// Whether the view ends with the given bytes.
    public func hasSuffix(_ suffix: [UInt8]) -> Bool {
        guard suffix.count <= count else { return false }
        if suffix.isEmpty { return true }
        return unsafe suffix.withUnsafeBufferPointer {
            unsafe memoryEquals(start.unsafelyUnwrapped + (count - suffix.count), $0.baseAddress!, suffix.count)
        }
    }
}

/// Byte equality of two ranges of `n` bytes; word loads, overlapping at the tail.
@unsafe @inlinable @inline(__always)
func memoryEquals(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    let ra = unsafe UnsafeRawPointer(a)
    let rb = unsafe UnsafeRawPointer(b)
    if n >= 8 {
        var i = 0
        while i &+ 8 < n {
            if unsafe ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i &+= 8
        }
        return unsafe ra.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self) == rb.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
    }
    if n >= 4 {
        return unsafe ra.loadUnaligned(as: UInt32.self) == rb.loadUnaligned(as: UInt32.self)
            && ra.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self) == rb.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
    }
    var i = 0
    while i < n {
        if unsafe a[i] != b[i] { return false }
        i &+= 1
    }
    return true
}
