/// Prometheus durations (`model.Duration`): `ms s m h d w y`, combined largest first (`1h30m`).
/// Named so as not to shadow `Swift.Duration` for importers.
package enum PromDuration {
    /// Milliseconds per unit.
    static func milliseconds(unit: Substring) -> Int64? {
        switch unit {
        case "ms": 1
        case "s": 1000
        case "m": 60_000
        case "h": 3_600_000
        case "d": 86_400_000
        case "w": 604_800_000
        case "y": 31_536_000_000
        default: nil
        }
    }

    /// Whether a unit (`ms s m h d w y`) starts at `s[i]`: how PromQL's lexer tells a duration
    /// (`5m`) from a number.
    package static func isUnitStart(_ s: [UInt8], _ i: Int) -> Bool { unitLength(s, i) != nil }

    /// Length of the unit at `s[i]`, if one starts there.
    package static func unitLength(_ s: [UInt8], _ i: Int) -> Int? {
        guard i < s.count else { return nil }
        switch s[i] {
        case UInt8(ascii: "m"): return i + 1 < s.count && s[i + 1] == UInt8(ascii: "s") ? 2 : 1
        case UInt8(ascii: "s"), UInt8(ascii: "h"), UInt8(ascii: "d"), UInt8(ascii: "w"), UInt8(ascii: "y"): return 1
        default: return nil
        }
    }

    /// Why a duration was refused.
    package enum ParseError: Error, Sendable {
        /// Not `1h30m`-style: digits and units, largest first, each unit once.
        case invalid
        /// Longer than Prometheus's durations can be (Go's `time.Duration`, about 292 years).
        case outOfRange
    }

    /// The longest duration Prometheus accepts: Go's `time.Duration` counts nanoseconds in an Int64.
    package static let maxMilliseconds: Int64 = Int64.max / 1_000_000

    /// Parses `1h30m`, `5m`, `90s` (`1.5h` is not allowed) into milliseconds; `0` alone is zero.
    package static func milliseconds(_ text: Substring) throws(ParseError) -> Int64 {
        if text == "0" { return 0 }
        var total: Int64 = 0
        var i = text.startIndex
        var lastUnit: Int64 = .max
        guard !text.isEmpty else { throw .invalid }
        while i < text.endIndex {
            var digits: Int64 = 0
            var sawDigit = false
            var overflow = false
            while i < text.endIndex, let d = text[i].wholeNumberValue, text[i].isASCII {
                let (m, o1) = digits.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(d))
                overflow = overflow || o1 || o2
                digits = a
                sawDigit = true
                i = text.index(after: i)
            }
            guard sawDigit, i < text.endIndex else { throw .invalid }
            var unitEnd = text.index(after: i)
            if text[i] == "m", unitEnd < text.endIndex, text[unitEnd] == "s" { unitEnd = text.index(after: unitEnd) }
            guard let unit = milliseconds(unit: text[i..<unitEnd]), unit < lastUnit else { throw .invalid }
            lastUnit = unit
            let (m, o) = digits.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(m)
            if overflow || o || o2 || sum > maxMilliseconds { throw .outOfRange }
            total = sum
            i = unitEnd
        }
        return total
    }

    /// ``milliseconds(_:)``, nil when the text is not a duration or is out of range.
    package static func parse(_ text: Substring) -> Int64? { try? milliseconds(text) }

    /// Formats milliseconds the way Prometheus prints durations (`1h30m`, `5m`, `0s`).
    package static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var rest = ms
        var out = rest < 0 ? "-" : ""
        rest = abs(rest)
        for (unit, size) in [("y", Int64(31_536_000_000)), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000),
                             ("m", 60_000), ("s", 1000), ("ms", 1)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }

    /// Formats milliseconds as Go's `time.Duration.String` does (`0s`, `500ms`, `1m0s`,
    /// `1h2m3.5s`): promtool words the times of rule evaluation errors so.
    package static func goFormat(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        let sign = ms < 0 ? "-" : ""
        let u = ms.magnitude
        if u < 1000 { return "\(sign)\(u)ms" }
        let (seconds, millis) = (u / 1000, u % 1000)
        let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60)
        var out = sign
        if h > 0 { out += "\(h)h" }
        if h > 0 || m > 0 { out += "\(m)m" }
        out += "\(s)"
        if millis > 0 {
            var fraction = String(millis)
            fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            out += "." + fraction
        }
        return out + "s"
    }
}
