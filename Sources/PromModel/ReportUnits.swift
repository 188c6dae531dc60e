/// Units for people (seconds, rates, percentages, bytes, spans), for every report and
/// finding: the check's, the webhook audit's. Every value a hostile scrape can make NaN,
/// infinite or absurd prints as a number, never traps.
package enum ReportUnits {
    /// A whole number, or the value as Go prints it when it is not finite or does not fit an Int.
    package static func whole(_ v: Double) -> String {
        guard v.isFinite, v.magnitude < 9e18 else { return GoFloat.formatExponent(v) }
        return String(Int(v.rounded()))
    }

    /// A duration given in seconds: below a second in whole milliseconds (`250ms`), otherwise
    /// with two decimals (`1.50s`); `n/a` for NaN.
    package static func seconds(_ s: Double) -> String {
        if s.isNaN { return "n/a" }
        if s < 1 { return whole(s * 1000) + "ms" }
        return s.isFinite ? CFormat.double("%.2fs", s) : GoFloat.formatExponent(s) + "s"
    }

    /// A quantity or a rate: from 100 up rounded, digits grouped (`12,345`); below, two decimals
    /// (`3.14`), or two significant digits when that would show nothing (`0.0012`).
    package static func number(_ v: Double) -> String {
        guard v.isFinite else { return GoFloat.formatExponent(v) }
        if v >= 100 { return v < 9e18 ? grouped(Int(v.rounded())) : GoFloat.formatExponent(v) }
        return v >= 0.01 || v == 0 ? CFormat.double("%.2f", v) : CFormat.double("%.2g", v)
    }

    /// A ratio as a percentage (`r` 0.5 is `50%`): whole from 10 % up, two decimals below (`2.50%`).
    package static func percent(_ r: Double) -> String {
        let p = r * 100
        guard p.isFinite else { return GoFloat.formatExponent(p) + "%" }
        return p >= 10 || p == 0 ? whole(p) + "%" : CFormat.double("%.2f%%", p)
    }

    /// A size in binary units, 1024 apart: whole when it is (`512 B`, `2 GiB`), else one
    /// decimal (`1.5 MiB`).
    package static func bytes(_ b: Double) -> String {
        guard b.isFinite else { return GoFloat.formatExponent(b) + " B" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = b
        var i = 0
        while v.magnitude >= 1024 && i < units.count - 1 {
            v /= 1024
            i += 1
        }
        return v == v.rounded() ? "\(whole(v)) \(units[i])" : CFormat.double("%.1f", v) + " " + units[i]
    }

    /// A span given in seconds, in its two largest units (`2d 3h`, `1h 5m`, `4m 10s`),
    /// truncated rather than rounded.
    package static func span(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds.magnitude < 9e15 else { return GoFloat.formatExponent(seconds) + "s" }
        let s = Int(seconds)
        let (d, h, m) = (s / 86400, (s % 86400) / 3600, (s % 3600) / 60)
        if d > 0 { return "\(d)d \(h)h" }
        if h > 0 { return "\(h)h \(m)m" }
        return "\(m)m \(s % 60)s"
    }
}

/// The rank of an alert's or a finding's `severity` (critical 2 — `page` too —, warning 1,
/// anything else 0): one scale for the check's alerts, the webhook audit's findings and
/// `--fail-on`.
package func severityRank(_ severity: String) -> Int {
    switch severity {
    case "critical", "page": 2
    case "warning": 1
    default: 0
    }
}
