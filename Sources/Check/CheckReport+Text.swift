import AdmissionWebhooks
import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage
import PromText
import RuleEngine

extension CheckReport {
    /// The report for a terminal: the sources and their window, then the API server, the
    /// admission webhooks, etcd and the alerts, each a section of its own. Everything that
    /// comes from a scrape or a rule file is escaped: no control character reaches the
    /// terminal. `color`: ANSI colours for the levels.
    package func text(color: Bool) -> String {
        let style = TerminalStyle(enabled: color)
        let sections = [headerLines(style), apiServerLines(style), webhookLines(style), etcdLines(style), alertLines(style)]
        return sections.map { $0.joined(separator: "\n") }.joined(separator: "\n\n")
    }

    /// What was read, over which window, and what one scrape cannot show.
    private func headerLines(_ style: TerminalStyle) -> [String] {
        var out: [String] = []
        let totalSeries = snapshots.reduce(0) { $0 + $1.0.seriesCount }
        // Everything that comes from a scrape or a rule file is escaped: no control character reaches the terminal.
        let described = snapshots.map { s in escaped(s.0.instance + (s.0.version.map { " (\($0))" } ?? "")) }
        out.append(style.bold("ctlmon check") + " — \(snapshots.count == 1 ? "1 scrape" : "\(snapshots.count) scrapes"): "
            + described.joined(separator: ", ") + ", \(grouped(totalSeries)) series kept")
        out.append("  Window: " + windowDescription)
        if duplicateSamples > 0 {
            out.append(style.level("  \(grouped(duplicateSamples)) duplicate sample(s) of a series already in the scrape dropped (the first of each kept).", 1))
        }
        if let note = sourcesNote { out.append(style.dim("  " + note)) }
        return out
    }

    /// Read and write p99 against the SLOs, the request rate and the 5xx ratio.
    private func apiServerLines(_ style: TerminalStyle) -> [String] {
        var out = [style.bold("API server")]
        if !hasLatency {
            out.append("  apiserver_request_duration_seconds: missing from the scrape")
        } else {
            let reads = latencies.filter { $0.scope != "write" }.map { "\($0.scope) " + style.level(ReportUnits.seconds($0.seconds), $0.rank) }
            out.append("  read p99    " + (reads.isEmpty ? "no reads" : reads.joined(separator: "   ")) + style.dim("   (SLO 1s / 5s / 30s)"))
            let write = latencies.first { $0.scope == "write" }
            out.append("  write p99   " + (write.map { style.level(ReportUnits.seconds($0.seconds), $0.rank) } ?? "no writes") + style.dim("   (SLO 1s)"))
        }
        if let rate = requestRate {
            var line = "  requests    \(ReportUnits.number(rate))/s"
            if let e = errorRatio, let rank = errorRank { line += ", 5xx " + style.level(ReportUnits.percent(e), rank) }
            out.append(line)
        } else {
            out.append("  apiserver_request_total: missing from the scrape")
        }
        return out
    }

    /// Each webhook's p99 (against its own timeout when the configurations are known), calls
    /// and failures, then the audit's findings.
    private func webhookLines(_ style: TerminalStyle) -> [String] {
        var out = [style.bold("Admission webhooks")]
        if !webhookMetricsPresent {
            out.append("  no apiserver_admission_webhook_* series: no webhook was called since the API server started")
        } else {
            let (rows, more) = webhookRows
            for w in rows {
                let name = escaped(w.name)
                var line = "  " + name.padded(to: 36)
                // With the configurations: the policy and timeout beside the p99, graded against that timeout.
                if let policy = w.policy, let timeout = w.timeoutSeconds {
                    line += " \(policy.padded(to: 6)) timeout \(timeout)s"
                } else if !w.configured {
                    line += " " + "not configured".padded(to: 17)
                }
                line += " p99 " + style.level(w.p99.isNaN ? "n/a" : ReportUnits.seconds(w.p99), w.rank)
                if let c = w.calls { line += "  \(groupedCount(c)) calls" }
                if let f = w.failures, f > 0 { line += "  " + style.level("\(groupedCount(f)) failed", 2) }
                if let f = w.failOpen, f > 0 { line += "  " + style.level("\(groupedCount(f)) failed open", 1) }
                out.append(line)
            }
            if more > 0 { out.append(style.dim("  … and \(more) more")) }
        }
        if let audit {
            let configurations = audit.configurationCount
            out.append(style.dim("  Configurations: \(audit.webhooks.count) webhook(s) in \(configurations) configuration(s)"))
            out += audit.findingLines(style)
        }
        return out
    }

    /// The database size against its quota, as a bar, and the largest object counts.
    private func etcdLines(_ style: TerminalStyle) -> [String] {
        var out = [style.bold("etcd")]
        if let bytes = etcdBytes, let ratio = etcdRatio {
            let filled = ratio.isFinite ? max(0, min(10, Int((min(max(ratio, 0), 1) * 10).rounded()))) : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 10 - filled)
            out.append("  " + style.level(bar, etcdRank)
                + " \(ReportUnits.percent(ratio)) of \(ReportUnits.bytes(etcdQuota)) (\(ReportUnits.bytes(bytes)), \(etcdMetric ?? ""))")
        } else {
            out.append("  database size: missing (no apiserver_storage_size_bytes, apiserver_storage_db_total_size_in_bytes, "
                + "etcd_db_total_size_in_bytes or etcd_mvcc_db_total_size_in_bytes: Kubernetes before 1.19 does not expose it)")
        }
        if !largestShown.isEmpty {
            out.append("  largest     " + largestShown.map { "\(escaped($0.resource)) \(groupedCount($0.objects))" }.joined(separator: " · "))
        }
        return out
    }

    /// The alerts, most severe first, with their summaries and runbooks.
    private func alertLines(_ style: TerminalStyle) -> [String] {
        var out = [style.bold("Alerts")]
        if alerts.isEmpty {
            out.append("  " + style.level("none firing", -1))
        }
        for a in alerts {
            let labels = shownLabels(a).map { "\($0.name)=\(escaped($0.value))" }.joined(separator: ", ")
            var line = "  " + style.level("● \(escaped(a.severity))", Self.rank(a.severity)) + " \(escaped(a.name))"
            if !labels.isEmpty { line += " {\(labels)}" }
            line += " — " + stateDescription(a)
            out.append(line)
            if let s = a.annotations["summary"] { out.append(style.dim("      \(escaped(s))")) }
            if let r = a.annotations["runbook_url"] { out.append(style.dim("      runbook: \(escaped(r))")) }
        }
        return out
    }
}
