import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage

/// Prometheus's template helpers for numbers: SI prefixes, binary prefixes, percentages, durations.
enum Humanize {
    /// Go's `%.4g`, with Go's spelling of NaN and the infinities.
    static func g4(_ v: Double) -> String { GoPrintf.format("%.4g", [.float(v)]) }

    static let large = ["k", "M", "G", "T", "P", "E", "Z", "Y"]
    static let small = ["m", "u", "n", "p", "f", "a", "z", "y"]

    /// Scales `v` by `base` until it is within [1, base) (down with `up == false`), with the prefix reached.
    static func scaled(_ value: Double, _ prefixes: [String], base: Double, up: Bool) -> (Double, String) {
        var v = value
        var prefix = ""
        for p in prefixes {
            if up ? abs(v) < base : abs(v) >= 1 { break }
            prefix = p
            v = up ? v / base : v * base
        }
        return (v, prefix)
    }

    static func metric(_ v: Double) -> String {
        if v == 0 || v.isNaN || v.isInfinite { return g4(v) }
        let (s, prefix) = abs(v) >= 1 ? scaled(v, large, base: 1000, up: true) : scaled(v, small, base: 1000, up: false)
        return g4(s) + prefix
    }

    static func binary(_ v: Double) -> String {
        if abs(v) <= 1 || v.isNaN || v.isInfinite { return g4(v) }
        let (s, prefix) = scaled(v, ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"], base: 1024, up: true)
        return g4(s) + prefix
    }

    static func percentage(_ v: Double) -> String { g4(v * 100) + "%" }

    static func duration(_ value: Double) -> String {
        var v = value
        if v.isNaN || v.isInfinite { return g4(v) }
        if v == 0 { return g4(v) + "s" }
        if abs(v) >= 1 {
            var sign = ""
            if v < 0 {
                sign = "-"
                v = -v
            }
            // Go's int64(v): values beyond its range wrap as Go's conversion does, never trap.
            let d = GoFloat.int64(v)
            let (seconds, minutes, hours, days) = (d % 60, (d / 60) % 60, (d / 3600) % 24, d / 86400)
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + g4(v) + "s"
        }
        let (s, prefix) = scaled(v, small, base: 1000, up: false)
        return g4(s) + prefix + "s"
    }
}
