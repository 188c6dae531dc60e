#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sample values and timestamps, parsed straight from bytes.
///
/// Grammar (both formats): `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`,
/// or `[+-]? (inf | infinity)` / `nan` in any case. Hexadecimal floats, which Go's
/// ParseFloat would take, are rejected. Common values take an exact fast path
/// (Clinger's: mantissa ≤ 2^53, |exponent| ≤ 22); the rest go to `strtod`,
/// which rounds correctly.
enum NumberParsing {
    /// 10^e for 0 ≤ e ≤ 22, all exact in a Double (a switch: no lazily initialised global on the hot path).
    @inline(__always)
    static func powerOf10(_ e: Int) -> Double {
        switch e {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// The digits of a decimal number as they are read: up to 19 significant digits in a
    /// mantissa, the rest counted in the exponent (integer part) or dropped (fraction).
    struct Digits {
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        /// Digits read, leading zeros included.
        var count = 0
        /// Whether every significant digit fit in the mantissa.
        var exact = true

        /// Reads the digits at `p[i]` onwards (of the integer part, or with `fraction` of the
        /// part after the point), leaving `i` at the first byte that is not a digit. Inlined
        /// into both of its call sites: one definition, the speed of two hand-written loops.
        @inline(__always)
        mutating func scan(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, fraction: Bool) {
            while i < end {
                let d = unsafe p[i] &- 0x30
                if d > 9 { return }
                count += 1
                if mantissa != 0 || d != 0 {
                    if significant < 19 {
                        mantissa = mantissa &* 10 &+ UInt64(d)
                        significant += 1
                        if fraction { exponent -= 1 }
                    } else {
                        exact = false
                        if !fraction { exponent += 1 }
                    }
                } else if fraction {
                    exponent -= 1
                }
                i += 1
            }
        }
    }

    /// Parses `p[from..<end]` as a float; nil when it is not one: the exact fast path for up
    /// to 19 significant digits and exponents within ±22, else the exact slow parse.
    static func parseDouble(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Double? {
        if from >= end { return nil }
        var i = from
        var negative = false
        let s = unsafe p[i]
        if s == UInt8(ascii: "-") || s == UInt8(ascii: "+") {
            negative = s == UInt8(ascii: "-")
            i += 1
            if i >= end { return nil }
        }
        let afterSign = i
        var read = Digits()
        unsafe read.scan(p, &i, end, fraction: false)
        if unsafe i < end && p[i] == UInt8(ascii: ".") {
            i += 1
            unsafe read.scan(p, &i, end, fraction: true)
        }
        let digits = read.count
        let mantissa = read.mantissa
        let exact = read.exact
        var exponent = read.exponent
        if digits == 0 {
            return unsafe parseSpecial(p, afterSign, end, negative: negative, signed: afterSign > from)
        }
        if unsafe i < end && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if unsafe i < end && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
                expNegative = unsafe p[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < end {
                let d = unsafe p[i] &- 0x30
                if d > 9 { break }
                if e < 100_000 { e = e * 10 + Int(d) }
                expDigits += 1
                i += 1
            }
            if expDigits == 0 { return nil }
            exponent += expNegative ? -e : e
        }
        if i != end { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if exact && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var d = Double(mantissa)
            if exponent < 0 { d /= powerOf10(-exponent) } else if exponent > 0 { d *= powerOf10(exponent) }
            return negative ? -d : d
        }
        return unsafe slowParse(p, from, end)
    }

    /// `inf`, `infinity`, `nan` in any case (after an optional sign for the infinities).
    private static func parseSpecial(
        _ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, negative: Bool, signed: Bool
    ) -> Double? {
        let n = end - i
        @inline(__always) func lower(_ k: Int) -> UInt8 { unsafe p[i + k] | 0x20 }
        if !signed && n == 3 && lower(0) == UInt8(ascii: "n") && lower(1) == UInt8(ascii: "a") && lower(2) == UInt8(ascii: "n") {
            return .nan
        }
        if n == 3 || n == 8, lower(0) == UInt8(ascii: "i"), lower(1) == UInt8(ascii: "n"), lower(2) == UInt8(ascii: "f") {
            if n == 8 {
                let rest: [UInt8] = Array("inity".utf8)
                for k in 0..<5 where lower(3 + k) != rest[k] { return nil }
            }
            return negative ? -.infinity : .infinity
        }
        return nil
    }

    /// Correctly rounded conversion through the C library, for long or extreme values.
    private static func slowParse(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Double? {
        let n = end - from
        return unsafe withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
            for k in 0..<n { unsafe buf[k] = unsafe CChar(bitPattern: p[from + k]) }
            unsafe buf[n] = 0
            var endPtr: UnsafeMutablePointer<CChar>? = nil
            let d = unsafe strtod(buf.baseAddress!, &endPtr)
            guard let e = unsafe endPtr, unsafe e - buf.baseAddress! == n else { return nil }
            return d
        }
    }

    /// Parses a decimal integer (0.0.4 millisecond timestamps); nil on syntax error or overflow.
    static func parseInt64(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Int64? {
        var i = from
        var negative = false
        if unsafe i < end && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
            negative = unsafe p[i] == UInt8(ascii: "-")
            i += 1
        }
        if i >= end { return nil }
        var v: Int64 = 0
        while i < end {
            let d = unsafe p[i] &- 0x30
            if d > 9 { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return v
    }

    /// Parses an OpenMetrics timestamp (seconds, integer or float, finite).
    static func parseSeconds(_ p: UnsafePointer<UInt8>, _ from: Int, _ end: Int) -> Double? {
        guard let d = unsafe parseDouble(p, from, end), d.isFinite else { return nil }
        return d
    }

    /// Seconds to milliseconds, saturating at the Int64 range.
    static func milliseconds(fromSeconds s: Double) -> Int64 {
        let ms = (s * 1000).rounded()
        if ms >= 9.2e18 { return .max }
        if ms <= -9.2e18 { return .min }
        return Int64(ms)
    }
}

extension ByteView {
    /// The bytes as a float (``NumberParsing/parseDouble(_:_:_:)``), nil when they are not one.
    var parsedDouble: Double? {
        guard count > 0 else { return nil }
        return unsafe NumberParsing.parseDouble(start.unsafelyUnwrapped, 0, count)
    }
}
