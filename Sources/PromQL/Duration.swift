/// PromQL durations: `ms s m h d w y`, combined largest first (`1h30m`).
public enum Duration {
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

    static func isUnitStart(_ s: [UInt8], _ i: Int) -> Bool { unitLength(s, i) != nil }

    /// Length of the unit at `s[i]`, if one starts there.
    static func unitLength(_ s: [UInt8], _ i: Int) -> Int? {
        guard i < s.count else { return nil }
        switch s[i] {
        case UInt8(ascii: "m"): return i + 1 < s.count && s[i + 1] == UInt8(ascii: "s") ? 2 : 1
        case UInt8(ascii: "s"), UInt8(ascii: "h"), UInt8(ascii: "d"), UInt8(ascii: "w"), UInt8(ascii: "y"): return 1
        default: return nil
        }
    }

    /// Parses `1h30m`, `5m`, `90s`, `1.5h` is not allowed; nil when malformed or out of order.
    public static func parse(_ text: Substring) -> Int64? {
        var total: Int64 = 0
        var i = text.startIndex
        var lastUnit: Int64 = .max
        guard !text.isEmpty else { return nil }
        while i < text.endIndex {
            var digits: Int64 = 0
            var sawDigit = false
            while i < text.endIndex, let d = text[i].wholeNumberValue, text[i].isASCII {
                let (m, o1) = digits.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(d))
                if o1 || o2 { return nil }
                digits = a
                sawDigit = true
                i = text.index(after: i)
            }
            guard sawDigit, i < text.endIndex else { return nil }
            var unitEnd = text.index(after: i)
            if text[i] == "m", unitEnd < text.endIndex, text[unitEnd] == "s" { unitEnd = text.index(after: unitEnd) }
            guard let unit = milliseconds(unit: text[i..<unitEnd]), unit < lastUnit else { return nil }
            lastUnit = unit
            let (m, o) = digits.multipliedReportingOverflow(by: unit)
            if o { return nil }
            total += m
            i = unitEnd
        }
        return total
    }

    /// Formats milliseconds the way Prometheus prints durations (`1h30m`, `5m`, `0s`).
    public static func format(_ ms: Int64) -> String {
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
}
