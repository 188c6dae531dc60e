import Glibc

/// Float conversions as Go's `strconv` and `math` packages do them, the one home for them
/// in ctlmon: label values written by `count_values` and the HTTP API's values
/// (`FormatFloat 'f'`), promtool's printed values (`FormatFloat 'E'`), templates' `%v`
/// (`FormatFloat 'g'`), `le` bounds read by `histogram_quantile` (`ParseFloat`), and
/// `math.Max`/`math.Min`, whose NaN and infinity rules differ from Swift's `max`/`min`.
package enum GoFloat {
    /// `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest digits that read back as `v`,
    /// in positional notation (`1000000000000000000000`, `0.00000000000000000001`).
    package static func formatFixed(_ v: Double) -> String {
        if let special = special(v) { return special }
        let (digits, point) = shortestDigits(v)
        var out = v.sign == .minus ? "-" : ""
        if point <= 0 {
            out += "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out += digits + String(repeating: "0", count: point - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: point)
            out += digits[..<split] + "." + digits[split...]
        }
        return out
    }

    /// `strconv.FormatFloat(v, 'E', -1, 64)`: the shortest digits as `d.dddE±dd`
    /// (`1E+00`, `-1.5E-07`, `0E+00`), as promtool prints sample values.
    package static func formatExponent(_ v: Double) -> String {
        if let special = special(v) { return special }
        let sign = v.sign == .minus ? "-" : ""
        if v == 0 { return sign + "0E+00" }
        let (digits, point) = shortestDigits(v)
        let exponent = point - 1
        var mantissa = String(digits.prefix(1))
        if digits.count > 1 { mantissa += "." + digits.dropFirst() }
        let e = abs(exponent)
        return sign + mantissa + "E" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + String(e)
    }

    /// Go's `%v` of a float64 (`strconv.FormatFloat(v, 'g', -1, 64)`): the shortest digits,
    /// in exponent form below 1e-4 and from 1e6 (`100000`, `1e+06`, `2.093056e+06`, `1e-05`).
    package static func formatShortest(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        let sign = v.sign == .minus ? "-" : ""
        if v == 0 { return sign + "0" }
        let (digits, point) = shortestDigits(v)
        let exponent = point - 1
        if exponent < -4 || exponent >= 6 {
            var mantissa = String(digits.prefix(1))
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let e = abs(exponent)
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + String(e)
        }
        return sign + formatFixed(v.magnitude)
    }

    private static func special(_ v: Double) -> String? {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return nil
    }

    /// The shortest decimal digits that round-trip to `v` (no leading or trailing zeros; "0"
    /// for zero) and where the decimal point goes: `v = 0.digits × 10^point`.
    package static func shortestDigits(_ v: Double) -> (digits: String, point: Int) {
        // Swift's description is the shortest round-trip representation, like Go's.
        let text = "\(v.magnitude)"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var digits = ""
        var point = 0
        var seenPoint = false
        for c in mantissa {
            if c == "." {
                seenPoint = true
                continue
            }
            digits.append(c)
            if !seenPoint { point += 1 }
        }
        // Leading zeros move the point left; trailing zeros carry no information.
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        if digits == "0" { return ("0", 1) }
        return (digits, point + exponent)
    }

    /// `strconv.ParseFloat(s, 64)`: decimal or hexadecimal floats, `inf`/`infinity`/`nan` in
    /// any case with an optional sign; nil where Go returns an error, including values out
    /// of range (`1e400`).
    package static func parse(_ s: String) -> Double? {
        var body = Substring(s)
        var negative = false
        if let first = body.first, first == "+" || first == "-" {
            negative = first == "-"
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "inf", "infinity": return negative ? -.infinity : .infinity
        // Go takes a sign before Inf, never before NaN.
        case "nan": return body.count == s.count ? .nan : nil
        default: break
        }
        guard let first = body.first, first.isASCII, first.isNumber || first == "." else { return nil }
        // Swift accepts what Go accepts here, except that it saturates out-of-range values
        // to infinity where Go reports an error.
        guard let v = Double(String(body)), v.isFinite else { return nil }
        return negative ? -v : v
    }

    /// `math.Max`: +Inf wins, then NaN; +0 is larger than -0.
    package static func max(_ a: Double, _ b: Double) -> Double {
        if a == .infinity || b == .infinity { return .infinity }
        if a.isNaN || b.isNaN { return .nan }
        if a == 0 && b == 0 { return a.sign == .minus ? b : a }
        return a > b ? a : b
    }

    /// `math.Min`: -Inf wins, then NaN; -0 is smaller than +0.
    package static func min(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity || b == -.infinity { return -.infinity }
        if a.isNaN || b.isNaN { return .nan }
        if a == 0 && b == 0 { return a.sign == .minus ? a : b }
        return a < b ? a : b
    }

    /// Go's `int64(f)` on amd64: truncation toward zero; NaN and values outside the Int64
    /// range become Int64.min (the CPU's "integer indefinite").
    package static func int64(_ f: Double) -> Int64 {
        guard f.isFinite, f >= -9_223_372_036_854_775_808.0, f < 9_223_372_036_854_775_808.0 else { return .min }
        return Int64(f)
    }

    /// Go's `math.Log` on amd64 (its assembly version, the FreeBSD algorithm), step for step:
    /// it reads the exponent straight from the bits, so subnormal inputs give Go's answer
    /// (`ln(2e-308)` is -708.448…, not -708.503…).
    package static func log(_ x: Double) -> Double {
        let bits = x.bitPattern
        if bits & ~(1 << 63) == 0 { return -.infinity }
        if Int64(bitPattern: bits) < 0 { return .nan }
        if bits >= 0x7FF0_0000_0000_0000 { return x }  // +Inf or NaN
        var f1 = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FE0_0000_0000_0000)
        var k = Double(Int32(truncatingIfNeeded: Int64((bits >> 52) & 0x7FF) - 0x3FE))
        if f1 < 7.07106781186547524401e-01 {
            k -= 1
            f1 *= 2
        }
        let f = f1 - 1
        let s = f / (2 + f)
        let s2 = s * s
        let s4 = s2 * s2
        let t1 = s2 * (6.666666666666735130e-01 + s4 * (2.857142874366239149e-01 + s4 * (1.818357216161805012e-01 + s4 * 1.479819860511658591e-01)))
        let t2 = s4 * (3.999999999940941908e-01 + s4 * (2.222219843214978396e-01 + s4 * 1.531383769920937332e-01))
        let r = t1 + t2
        let hfsq = 0.5 * f * f
        return k * 6.93147180369123816490e-01 - ((hfsq - (s * (hfsq + r) + k * 1.90821492927058770002e-10)) - f)
    }

    /// Go's `math.Log2`: exact for powers of two, else `Log(frac)/Ln2 + exp`.
    package static func log2(_ x: Double) -> Double {
        guard x.isFinite, x != 0 else { return log(x) * invLn2 }
        var exponent: Int32 = 0
        let frac = unsafe frexp(x, &exponent)
        if frac == 0.5 { return Double(exponent - 1) }
        return log(frac) * invLn2 + Double(exponent)
    }

    /// Go's `math.Log10`: `Log(x) × (1/Ln10)`.
    package static func log10(_ x: Double) -> Double { log(x) * invLn10 }

    /// 1/ln 2 and 1/ln 10, rounded once from their exact values as Go's constants are.
    private static let invLn2 = Double(bitPattern: 0x3FF7_1547_652B_82FE)
    private static let invLn10 = Double(bitPattern: 0x3FDB_CB7B_1526_E50E)
}
