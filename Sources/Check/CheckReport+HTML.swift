import AdmissionWebhooks
import FoundationEssentials
import PromModel

/// `ctlmon check --format html`: the verdict as one self-contained page to attach to an
/// incident — inline CSS (named by its hash in the page's Content-Security-Policy, so nothing
/// else may load or run), inline SVG, no script, no external resource. It shows the figures
/// ``CheckReport`` graded (``CheckReport+Grades``), as the text does; every value from a scrape,
/// a rule or a configuration is HTML-escaped; a grade is always written in words and a symbol
/// beside its colour.
extension CheckReport {
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
        let style = PageStyle.css
        var out = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(contentSecurityPolicy(style: style))\">\n"
        out += "<title>ctlmon check: \(htmlEscaped(PageStyle.gradeWords(verdict.rank))) — \(htmlEscaped(verdict.words))</title>\n"
        out += "<style>\(style)</style>\n</head>\n<body>\n"
        out += headerHTML() + apiServerHTML() + webhooksHTML() + etcdHTML() + alertsHTML()
        out += "<p class=\"muted\">ctlmon \(htmlEscaped(BuildVersion.version)) — evaluated at \(htmlEscaped(RFC3339.format(milliseconds: now)))</p>\n"
        return out + "</body>\n</html>\n"
    }

    private func headerHTML() -> String {
        let v = verdict
        var out = "<header>\n<h1>ctlmon check</h1>\n"
        out += "<p class=\"verdict g\(v.rank)\" id=\"verdict\">\(PageStyle.gradeWords(v.rank)): \(htmlEscaped(v.words))</p>\n"
        let totalSeries = snapshots.reduce(0) { $0 + $1.0.seriesCount }
        let sources = snapshots.map { s in htmlEscaped(s.0.instance + (s.0.version.map { " (\($0))" } ?? "")) }
        out += "<p>\(snapshots.count == 1 ? "1 scrape" : "\(snapshots.count) scrapes"): \(sources.joined(separator: ", ")), \(grouped(totalSeries)) series kept.</p>\n"
        out += "<p class=\"muted\">Window: \(htmlEscaped(windowDescription))</p>\n"
        if duplicateSamples > 0 {
            out += "<p>\(PageStyle.graded("\(grouped(duplicateSamples)) duplicate sample(s)", 1)) of a series already in the scrape dropped (the first of each kept).</p>\n"
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
                let chart = l.slo.map { PageStyle.bar(ratio: l.seconds / ($0 * 2), rank: l.rank, markAt: 0.5, title: "\(name): p99 \(ReportUnits.seconds(l.seconds)) against the \(ReportUnits.seconds($0)) SLO (the mark)") } ?? ""
                out += "<tr><td>\(htmlEscaped(name))</td><td class=\"num\">\(PageStyle.graded(ReportUnits.seconds(l.seconds), l.rank))</td><td class=\"num\">\(slo)</td><td class=\"hide-narrow\">\(chart)</td></tr>\n"
            }
            out += "</table></div>\n"
        }
        if let rate = requestRate {
            var line = "Requests: \(htmlEscaped(ReportUnits.number(rate)))/s"
            if let e = errorRatio, let rank = errorRank { line += ", 5xx: " + PageStyle.graded(ReportUnits.percent(e), rank) }
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
                let p99 = w.p99.isNaN ? "n/a" : PageStyle.graded(ReportUnits.seconds(w.p99), w.rank)
                let failed = w.failures.map { $0 > 0 ? PageStyle.graded(groupedCount($0), 2) : "0" } ?? "—"
                let open = w.failOpen.map { $0 > 0 ? PageStyle.graded(groupedCount($0), 1) : "0" } ?? "—"
                out += "<tr><td><code>\(htmlEscaped(w.name))</code></td>\(audit == nil ? "" : "<td>\(config)</td>")<td class=\"num\">\(p99)</td>"
                out += "<td class=\"num hide-narrow\">\(w.calls.map(groupedCount) ?? "—")</td><td class=\"num\">\(failed)</td><td class=\"num\">\(open)</td></tr>\n"
            }
            out += "</table></div>\n"
            if more > 0 { out += "<p class=\"muted\">… and \(more) more.</p>\n" }
        }
        if let audit {
            out += "<p class=\"muted\">Configurations: \(audit.webhooks.count) webhook(s) in \(audit.configurationCount) configuration(s).</p>\n"
            let (listed, idle) = findingsShown
            out += PageStyle.findingsHTML(listed, neverCalled: idle)
        }
        return out + "</section>\n"
    }

    private func etcdHTML() -> String {
        var out = "<section aria-labelledby=\"h-etcd\">\n<h2 id=\"h-etcd\">etcd</h2>\n"
        if let bytes = etcdBytes, let ratio = etcdRatio {
            let title = "etcd database \(ReportUnits.bytes(bytes)), \(ReportUnits.percent(ratio)) of its \(ReportUnits.bytes(etcdQuota)) quota"
            out += "<p>\(PageStyle.bar(ratio: ratio, rank: etcdRank, markAt: 0.8, title: title)) \(PageStyle.graded(ReportUnits.percent(ratio), etcdRank)) of \(htmlEscaped(ReportUnits.bytes(etcdQuota))) "
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
            return out + "<p>\(PageStyle.graded("none firing", -1))</p>\n</section>\n"
        }
        out += "<ul class=\"alerts\">\n"
        for a in alerts {
            let rank = Self.rank(a.severity)
            let labels = shownLabels(a).map { "\(htmlEscaped($0.name))=\(htmlEscaped($0.value))" }.joined(separator: ", ")
            out += "<li class=\"g\(rank)\"><strong>\(PageStyle.graded(a.severity, rank)) \(htmlEscaped(a.name))</strong>"
            if !labels.isEmpty { out += " <code>{\(labels)}</code>" }
            out += " — \(htmlEscaped(stateDescription(a)))"
            if let s = a.annotations["summary"] { out += "<br>\(htmlEscaped(s))" }
            if let r = a.annotations["runbook_url"] { out += "<br><span class=\"muted\">Runbook: \(htmlEscaped(r))</span>" }
            out += "</li>\n"
        }
        return out + "</ul>\n</section>\n"
    }
}
