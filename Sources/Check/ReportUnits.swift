import Foundation
import PromQL

/// Human units for the report (seconds, rates, percentages, bytes, spans). Every value a
/// hostile scrape can make NaN, infinite or absurd prints as a number, never traps.
enum ReportUnits {
    /// A whole number, or the value as Go prints it when it is not finite or does not fit an Int.
    static func whole(_ v: Double) -> String {
        guard v.isFinite, v.magnitude < 9e18 else { return GoFloat.formatExponent(v) }
        return String(Int(v.rounded()))
    }

    static func seconds(_ s: Double) -> String {
        if s.isNaN { return "n/a" }
        if s < 1 { return whole(s * 1000) + "ms" }
        return s.isFinite ? String(format: "%.2fs", s) : GoFloat.formatExponent(s) + "s"
    }

    static func number(_ v: Double) -> String {
        guard v.isFinite else { return GoFloat.formatExponent(v) }
        if v >= 100 { return v < 9e18 ? grouped(Int(v.rounded())) : GoFloat.formatExponent(v) }
        return v >= 0.01 || v == 0 ? String(format: "%.2f", v) : String(format: "%.2g", v)
    }

    static func percent(_ r: Double) -> String {
        let p = r * 100
        guard p.isFinite else { return GoFloat.formatExponent(p) + "%" }
        return p >= 10 || p == 0 ? whole(p) + "%" : String(format: "%.2f%%", p)
    }

    static func bytes(_ b: Double) -> String {
        guard b.isFinite else { return GoFloat.formatExponent(b) + " B" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = b
        var i = 0
        while v.magnitude >= 1024 && i < units.count - 1 {
            v /= 1024
            i += 1
        }
        return v == v.rounded() ? "\(whole(v)) \(units[i])" : String(format: "%.1f %@", v, units[i])
    }

    static func span(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds.magnitude < 9e15 else { return GoFloat.formatExponent(seconds) + "s" }
        let s = Int(seconds)
        let (d, h, m) = (s / 86400, (s % 86400) / 3600, (s % 3600) / 60)
        if d > 0 { return "\(d)d \(h)h" }
        if h > 0 { return "\(h)h \(m)m" }
        return "\(m)m \(s % 60)s"
    }
}
