import AdmissionWebhooks
import Foundation
import PromModel

/// `ctlmon check --format html`: the verdict as one self-contained page to attach to an
/// incident — inline CSS (named by its hash in the page's Content-Security-Policy, so nothing
/// else may load or run), inline SVG, no script, no external resource. It shows the figures
/// ``CheckReport`` graded (``CheckReport+Grades``), as the text does; every value from a scrape,
/// a rule or a configuration is HTML-escaped; a grade is always written in words and a symbol
/// beside its colour.
extension CheckReport {
    /// The page's style: light and dark (`prefers-color-scheme`), readable from 390 px wide.
    static let pageStyle = """
        :root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--ok:#1a7f37;--info:#0969da;--warning:#9a6700;--critical:#cf222e;--bar:#e8ecf0}
        @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--ok:#3fb950;--info:#4493f8;--warning:#d29922;--critical:#f85149;--bar:#262c36}}
        *{box-sizing:border-box}body{margin:0 auto;max-width:1100px;padding:16px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
        h1{font-size:1.4em;margin:0 0 4px}h2{font-size:1.15em;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
        p,li{margin:4px 0}.muted{color:var(--muted)}.verdict{font-size:1.2em;font-weight:600;padding:10px 12px;border:2px solid;border-radius:6px}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.wrap{overflow-x:auto}code{font-size:.92em;word-break:break-all}
        .g-1{color:var(--ok)}.g0{color:var(--info)}.g1{color:var(--warning)}.g2{color:var(--critical)}
        .verdict.g-1{border-color:var(--ok)}.verdict.g0{border-color:var(--info)}.verdict.g1{border-color:var(--warning)}.verdict.g2{border-color:var(--critical)}
        svg .track{fill:var(--bar)}svg .fill-1{fill:var(--ok)}svg .fill0{fill:var(--info)}svg .fill1{fill:var(--warning)}svg .fill2{fill:var(--critical)}svg .mark{stroke:var(--fg);stroke-width:2}
        ul.alerts{list-style:none;padding:0}ul.alerts li{border-left:4px solid var(--line);padding:4px 10px;margin:8px 0}
        ul.alerts li.g2{border-color:var(--critical)}ul.alerts li.g1{border-color:var(--warning)}ul.alerts li.g0{border-color:var(--info)}
        @media (max-width:600px){body{padding:10px;font-size:14px}th,td{padding:4px 5px}.hide-narrow{display:none}}
        """

    /// A grade in words with its symbol (never colour alone).
    static func gradeWords(_ rank: Int) -> String {
        switch rank {
        case ...(-1): "✔ ok"
        case 0: "● info"
        case 1: "▲ warning"
        default: "✖ critical"
        }
    }

    /// `text` in a grade's colour, with the grade's words for those who cannot see it.
    static func graded(_ text: String, _ rank: Int) -> String {
        "<span class=\"g\(rank)\">\(htmlEscaped(text)) <small>\(gradeWords(rank))</small></span>"
    }

    /// A horizontal bar: `ratio` of the track filled, an optional mark at `markAt` (e.g. the SLO),
    /// with an accessible title.
    static func bar(ratio: Double, rank: Int, markAt: Double? = nil, title: String) -> String {
        let w = 160.0
        let filled = ratio.isFinite ? max(0, min(1, ratio)) * w : 0
        var svg = "<svg role=\"img\" aria-label=\"\(htmlEscaped(title))\" width=\"\(Int(w))\" height=\"14\" viewBox=\"0 0 \(Int(w)) 14\">"
        svg += "<title>\(htmlEscaped(title))</title><rect class=\"track\" width=\"\(Int(w))\" height=\"14\" rx=\"3\"/>"
        svg += "<rect class=\"fill\(rank)\" width=\"\(String(format: "%.1f", filled))\" height=\"14\" rx=\"3\"/>"
        if let m = markAt, m.isFinite { svg += "<line class=\"mark\" x1=\"\(String(format: "%.1f", max(0, min(1, m)) * w))\" y1=\"0\" x2=\"\(String(format: "%.1f", max(0, min(1, m)) * w))\" y2=\"14\"/>" }
        return svg + "</svg>"
    }

    /// The worst grade on the page and what it comes from, for the verdict line.
    var verdict: (rank: Int, words: String) {
        var worst = -1
        var reasons: [String] = []
        let firing = alerts.filter { $0.state == "firing" }
        if let top = alerts.map({ Self.rank($0.severity) }).max() { worst = max(worst, top) }
        if !firing.isEmpty { reasons.append("\(firing.count) alert\(firing.count == 1 ? "" : "s") firing") }
        let wouldFire = alerts.count - firing.count
        if wouldFire > 0 { reasons.append("\(wouldFire) would fire") }
        let findings = findingsShown.listed.filter { $0.severity >= .warning }
        if let top = findings.map(\.severity.rank).max() {
            worst = max(worst, top)
            reasons.append("\(findings.count) webhook configuration finding\(findings.count == 1 ? "" : "s")")
        }
        if reasons.isEmpty { reasons.append("no alert firing") }
        return (worst, reasons.joined(separator: ", "))
    }

    /// The report as one HTML page (`check --format html`).
    package func html() -> String {
        let style = Self.pageStyle
        var out = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy(style: style))\">\n"
        out += "<title>ctlmon check: \(htmlEscaped(Self.gradeWords(verdict.rank))) — \(htmlEscaped(verdict.words))</title>\n"
        out += "<style>\(style)</style>\n</head>\n<body>\n"
        out += headerHTML() + apiServerHTML() + webhooksHTML() + etcdHTML() + alertsHTML()
        out += "<p class=\"muted\">ctlmon \(htmlEscaped(BuildVersion.version)) — evaluated at \(htmlEscaped(RFC3339.format(milliseconds: now)))</p>\n"
        return out + "</body>\n</html>\n"
    }

    private func headerHTML() -> String {
        let v = verdict
        var out = "<header>\n<h1>ctlmon check</h1>\n"
        out += "<p class=\"verdict g\(v.rank)\" id=\"verdict\">\(Self.gradeWords(v.rank)): \(htmlEscaped(v.words))</p>\n"
        let totalSeries = snapshots.reduce(0) { $0 + $1.0.seriesCount }
        let sources = snapshots.map { s in htmlEscaped(s.0.instance + (s.0.version.map { " (\($0))" } ?? "")) }
        out += "<p>\(snapshots.count == 1 ? "1 scrape" : "\(snapshots.count) scrapes"): \(sources.joined(separator: ", ")), \(grouped(totalSeries)) series kept.</p>\n"
        out += "<p class=\"muted\">Window: \(htmlEscaped(windowDescription))</p>\n"
        if duplicateSamples > 0 {
            out += "<p>\(Self.graded("\(grouped(duplicateSamples)) duplicate sample(s)", 1)) of a series already in the scrape dropped (the first of each kept).</p>\n"
        }
        if let note = sourcesNote { out += "<p class=\"muted\">\(htmlEscaped(note))</p>\n" }
        return out + "</header>\n"
    }

    private func apiServerHTML() -> String {
        var out = "<section aria-labelledby=\"h-api\">\n<h2 id=\"h-api\">API server</h2>\n"
        if !hasLatency {
            out += "<p>apiserver_request_duration_seconds: missing from the scrape.</p>\n"
        } else {
            out += "<div class=\"wrap\"><table>\n<tr><th>p99 latency</th><th class=\"num\">value</th><th class=\"num\">SLO</th><th class=\"hide-narrow\">against the SLO</th></tr>\n"
            for l in latencies {
                let name = l.scope == "write" ? "writes" : "reads, \(l.scope) scope"
                let slo = l.slo.map { ReportUnits.seconds($0) } ?? "—"
                let chart = l.slo.map { Self.bar(ratio: l.seconds / ($0 * 2), rank: l.rank, markAt: 0.5, title: "\(name): p99 \(ReportUnits.seconds(l.seconds)) against the \(ReportUnits.seconds($0)) SLO (the mark)") } ?? ""
                out += "<tr><td>\(htmlEscaped(name))</td><td class=\"num\">\(Self.graded(ReportUnits.seconds(l.seconds), l.rank))</td><td class=\"num\">\(slo)</td><td class=\"hide-narrow\">\(chart)</td></tr>\n"
            }
            out += "</table></div>\n"
        }
        if let rate = requestRate {
            var line = "Requests: \(htmlEscaped(ReportUnits.number(rate)))/s"
            if let e = errorRatio, let rank = errorRank { line += ", 5xx: " + Self.graded(ReportUnits.percent(e), rank) }
            out += "<p>\(line)</p>\n"
        } else {
            out += "<p>apiserver_request_total: missing from the scrape.</p>\n"
        }
        return out + "</section>\n"
    }

    private func webhooksHTML() -> String {
        var out = "<section aria-labelledby=\"h-webhooks\">\n<h2 id=\"h-webhooks\">Admission webhooks</h2>\n"
        if !webhookMetricsPresent {
            out += "<p>No apiserver_admission_webhook_* series: no webhook was called since the API server started.</p>\n"
        } else {
            let (rows, more) = webhookRows
            // The policy column only when the configurations were given (--webhook-config).
            let policyHead = audit == nil ? "" : "<th>policy, timeout</th>"
            out += "<div class=\"wrap\"><table>\n<tr><th>webhook</th>\(policyHead)<th class=\"num\">p99</th><th class=\"num hide-narrow\">calls</th><th class=\"num\">failed</th><th class=\"num\">failed open</th></tr>\n"
            for w in rows {
                let config = w.policy.map { p in "\(htmlEscaped(p)), \(w.timeoutSeconds.map { "\($0) s" } ?? "")" } ?? (w.configured ? "—" : "not configured")
                let p99 = w.p99.isNaN ? "n/a" : Self.graded(ReportUnits.seconds(w.p99), w.rank)
                let failed = w.failures.map { $0 > 0 ? Self.graded(groupedCount($0), 2) : "0" } ?? "—"
                let open = w.failOpen.map { $0 > 0 ? Self.graded(groupedCount($0), 1) : "0" } ?? "—"
                out += "<tr><td><code>\(htmlEscaped(w.name))</code></td>\(audit == nil ? "" : "<td>\(config)</td>")<td class=\"num\">\(p99)</td>"
                out += "<td class=\"num hide-narrow\">\(w.calls.map(groupedCount) ?? "—")</td><td class=\"num\">\(failed)</td><td class=\"num\">\(open)</td></tr>\n"
            }
            out += "</table></div>\n"
            if more > 0 { out += "<p class=\"muted\">… and \(more) more.</p>\n" }
        }
        if let audit {
            out += "<p class=\"muted\">Configurations: \(audit.webhooks.count) webhook(s) in \(audit.configurationCount) configuration(s).</p>\n"
            let (listed, idle) = findingsShown
            if !listed.isEmpty {
                out += "<ul class=\"alerts\">\n"
                for f in listed {
                    let owner = f.configuration.isEmpty ? "" : " <span class=\"muted\">(\(htmlEscaped(f.configuration))\(f.kind.map { ", \(htmlEscaped($0.rawValue))" } ?? ""))</span>"
                    out += "<li class=\"g\(f.severity.rank)\"><strong>\(Self.graded(f.severity.rawValue, f.severity.rank))</strong> \(htmlEscaped(f.id.rawValue)) <code>\(htmlEscaped(f.webhook))</code>\(owner)"
                    out += "<br>\(htmlEscaped(f.message))<br><span class=\"muted\">Fix: \(htmlEscaped(f.fix))</span></li>\n"
                }
                out += "</ul>\n"
            }
            if !idle.isEmpty {
                out += "<p>\(Self.graded("never called", 0)): \(idle.count) webhook(s) without a call since the API server started: \(idle.map(htmlEscaped).joined(separator: ", ")).</p>\n"
            }
        }
        return out + "</section>\n"
    }

    private func etcdHTML() -> String {
        var out = "<section aria-labelledby=\"h-etcd\">\n<h2 id=\"h-etcd\">etcd</h2>\n"
        if let bytes = etcdBytes, let ratio = etcdRatio {
            let title = "etcd database \(ReportUnits.bytes(bytes)), \(ReportUnits.percent(ratio)) of its \(ReportUnits.bytes(etcdQuota)) quota"
            out += "<p>\(Self.bar(ratio: ratio, rank: etcdRank, markAt: 0.8, title: title)) \(Self.graded(ReportUnits.percent(ratio), etcdRank)) of \(htmlEscaped(ReportUnits.bytes(etcdQuota))) "
            out += "(\(htmlEscaped(ReportUnits.bytes(bytes))), <code>\(htmlEscaped(etcdMetric ?? ""))</code>); the mark is the 80 % warning.</p>\n"
        } else {
            out += "<p>Database size: missing (no apiserver_storage_size_bytes, apiserver_storage_db_total_size_in_bytes, etcd_db_total_size_in_bytes or etcd_mvcc_db_total_size_in_bytes: Kubernetes before 1.19 does not expose it).</p>\n"
        }
        if !largestShown.isEmpty {
            out += "<p>Largest: " + largestShown.map { "\(htmlEscaped($0.resource)) \(groupedCount($0.objects))" }.joined(separator: " · ") + "</p>\n"
        }
        return out + "</section>\n"
    }

    private func alertsHTML() -> String {
        var out = "<section aria-labelledby=\"h-alerts\">\n<h2 id=\"h-alerts\">Alerts</h2>\n"
        if alerts.isEmpty {
            return out + "<p>\(Self.graded("none firing", -1))</p>\n</section>\n"
        }
        out += "<ul class=\"alerts\">\n"
        for a in alerts {
            let rank = Self.rank(a.severity)
            let labels = shownLabels(a).map { "\(htmlEscaped($0.name))=\(htmlEscaped($0.value))" }.joined(separator: ", ")
            out += "<li class=\"g\(rank)\"><strong>\(Self.graded(a.severity, rank)) \(htmlEscaped(a.name))</strong>"
            if !labels.isEmpty { out += " <code>{\(labels)}</code>" }
            out += " — \(htmlEscaped(stateDescription(a)))"
            if let s = a.annotations["summary"] { out += "<br>\(htmlEscaped(s))" }
            if let r = a.annotations["runbook_url"] { out += "<br><span class=\"muted\">Runbook: \(htmlEscaped(r))</span>" }
            out += "</li>\n"
        }
        return out + "</ul>\n</section>\n"
    }
}
