/// A borrowed, read-only view of bytes inside the parser's buffers.
///
/// Valid only during the callback that received it: the bytes belong to the
/// parser and are overwritten by the next line. Copy what you keep
/// (``string``, ``bytes``).
public struct ByteView: CustomStringConvertible {
    @usableFromInline let start: UnsafePointer<UInt8>?
    /// Number of bytes in the view.
    public let count: Int

    @inlinable
    init(start: UnsafePointer<UInt8>?, count: Int) {
        self.start = start
        self.count = count
    }

    /// The bytes as a buffer pointer, valid as long as the view is.
    @inlinable
    public var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    /// A copy of the bytes as a `String` (invalid UTF-8 is repaired).
    public var string: String { String(decoding: buffer, as: UTF8.self) }

    /// A copy of the bytes.
    public var bytes: [UInt8] { Array(buffer) }

    public var description: String { string }

    @inlinable
    public subscript(i: Int) -> UInt8 {
        precondition(i >= 0 && i < count, "ByteView index out of range")
        return start.unsafelyUnwrapped[i]
    }

    /// Byte-wise equality with a literal, without building a String.
    @inlinable
    public static func == (lhs: ByteView, rhs: StaticString) -> Bool {
        guard lhs.count == rhs.utf8CodeUnitCount else { return false }
        if lhs.count == 0 { return true }
        return memoryEquals(lhs.start.unsafelyUnwrapped, rhs.utf8Start, lhs.count)
    }

    @inlinable
    public static func == (lhs: ByteView, rhs: ByteView) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.count == 0 { return true }
        return memoryEquals(lhs.start.unsafelyUnwrapped, rhs.start.unsafelyUnwrapped, lhs.count)
    }

    /// Byte-wise equality with a byte array.
    public static func == (lhs: ByteView, rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return rhs.withUnsafeBufferPointer { b in
            lhs.count == 0 || memoryEquals(lhs.start.unsafelyUnwrapped, b.baseAddress!, lhs.count)
        }
    }

    /// Whether the view starts with the given bytes.
    public func hasPrefix(_ prefix: [UInt8]) -> Bool {
        guard prefix.count <= count else { return false }
        if prefix.isEmpty { return true }
        return prefix.withUnsafeBufferPointer { memoryEquals(start.unsafelyUnwrapped, $0.baseAddress!, prefix.count) }
    }

    /// Whether the view ends with the given bytes.
    public func hasSuffix(_ suffix: [UInt8]) -> Bool {
        guard suffix.count <= count else { return false }
        if suffix.isEmpty { return true }
        return suffix.withUnsafeBufferPointer {
            memoryEquals(start.unsafelyUnwrapped + (count - suffix.count), $0.baseAddress!, suffix.count)
        }
    }
}

/// Byte equality of two ranges of `n` bytes; word loads, overlapping at the tail.
@inlinable @inline(__always)
func memoryEquals(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    if n >= 8 {
        var i = 0
        while i &+ 8 < n {
            if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                return false
            }
            i &+= 8
        }
        return ra.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self) == rb.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
    }
    if n >= 4 {
        return ra.loadUnaligned(as: UInt32.self) == rb.loadUnaligned(as: UInt32.self)
            && ra.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self) == rb.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
    }
    var i = 0
    while i < n {
        if a[i] != b[i] { return false }
        i &+= 1
    }
    return true
}
