#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Byte-string comparisons for the label encoding and the store's indexes: names and
// values are compared as bytes (as Go compares strings), without building Strings.

/// Whether two byte strings are equal.
@inlinable @inline(__always)
public func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    if a.count == 0 { return true }
    return unsafe memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
}

/// Go's `bytes.Compare`: -1, 0 or 1.
@inlinable
public func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
        let c = unsafe memcmp(a.baseAddress!, b.baseAddress!, n)
        if c != 0 { return c < 0 ? -1 : 1 }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

/// `__name__` as a little-endian 64-bit word: the metric name is found by one compare.
@usableFromInline let metricNameWord: UInt64 = 0x5F5F_656D_616E_5F5F

/// Whether a label name is `__name__`.
@inlinable @inline(__always)
public func isMetricName(_ n: UnsafeBufferPointer<UInt8>) -> Bool {
    unsafe n.count == 8 && UnsafeRawPointer(n.baseAddress!).loadUnaligned(as: UInt64.self) == metricNameWord
}

extension Sequence<String> {
    /// The strings in Go's `sort.Strings` order: by their UTF-8 bytes (Swift's own `<` orders
    /// by Unicode scalars after normalization, which differs for some non-ASCII text). The
    /// API's lists of names and values are sorted so.
    package func sortedByBytes() -> [String] { sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
}
