import Glibc

/// C's printf conversions of one floating-point number (`%.2f`, `%.4g`, `%.6e`), through the
/// C library as Foundation's `String(format:)` does on Linux, without Foundation.
///
/// `format` must hold exactly one conversion, of a `double` (`f`, `e`, `E`, `g`, `G`), and
/// may hold literal text around it (`%.2fs`, `%.2f%%`). Callers pass literals or formats
/// they build from a validated precision, never outside input.
package enum CFormat {
    /// `value` formatted by `format`.
    package static func double(_ format: String, _ value: Double) -> String {
        var capacity = 64
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let written = unsafe withVaList([value]) { args in
                unsafe buffer.withUnsafeMutableBufferPointer { unsafe vsnprintf($0.baseAddress, $0.count, format, args) }
            }
            if written < 0 { return "" }
            if Int(written) < capacity {
                return String(decoding: buffer[..<Int(written)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            // %f of 1e308 is 309 digits: retry with room for all of it.
            capacity = Int(written) + 1
        }
    }
}
