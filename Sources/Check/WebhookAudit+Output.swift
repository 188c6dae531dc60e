import AdmissionWebhooks
import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage

/// The audit's two renderings: JSON (the contract's keys) and text for people.
extension WebhookAudit {
    /// `{"webhooks":[…],"findings":[…]}` written into `w` (as an object under `key`, or at the top).
    package func write(into w: inout JSONWriter, key: String? = nil, skipped: [String: Int] = [:]) {
        w.beginObject(key)
        w.beginArray("webhooks")
        for h in webhooks {
            w.beginObject()
            w.value("name", h.name)
            w.value("configuration", h.configuration)
            w.value("kind", h.kind.rawValue)
            w.value("failure_policy", h.failurePolicy.rawValue)
            w.value("timeout_seconds", h.timeoutSeconds)
            w.value("side_effects", h.sideEffects)
            if Self.managedByEKS(h) { w.value("managed_by", "eks") } else { w.null("managed_by") }
            let m = metrics?[h.name]
            if let p = m?.p99, p.isFinite { w.value("p99_seconds", p) } else { w.null("p99_seconds") }
            if let metrics {
                let m = metrics[h.name]
                w.value("calls", m?.calls ?? 0)
                w.value("failures", m?.failures ?? 0)
                w.value("fail_open", m?.failOpen ?? 0)
            } else {
                w.null("calls")
                w.null("failures")
                w.null("fail_open")
            }
            w.endObject()
        }
        w.endArray()
        w.beginArray("findings")
        for f in findings {
            w.beginObject()
            w.value("id", f.id.rawValue)
            w.value("severity", f.severity.rawValue)
            w.value("webhook", f.webhook)
            w.value("configuration", f.configuration)
            if let k = f.kind { w.value("kind", k.rawValue) } else { w.null("kind") }
            w.value("message", f.message)
            w.value("fix", f.fix)
            w.endObject()
        }
        w.endArray()
        if !skipped.isEmpty {
            w.beginObject("skipped_objects")
            for (kind, n) in skipped.sorted(by: { $0.key < $1.key }) { w.value(kind, n) }
            w.endObject()
        }
        w.endObject()
    }

    /// The findings as text, worst first: `● critical catch-all  webhook (configuration)`, then why and the fix.
    /// Webhooks never called are listed on one line (there are often many).
    func findingLines(_ style: TerminalStyle) -> [String] {
        var out: [String] = []
        for f in findings where f.id != .neverCalled {
            let level = f.severity == .critical ? 2 : f.severity == .warning ? 1 : 0
            let kind = f.kind.map { ", \($0.rawValue)" } ?? ""
            let owner = f.configuration.isEmpty ? "" : style.dim(" (\(escaped(f.configuration))\(kind))")
            out.append("  " + style.level("● \(f.severity.rawValue)", level) + " \(f.id.rawValue)  \(escaped(f.webhook))" + owner)
            out.append("      " + escaped(f.message))
            out.append(style.dim("      fix: " + escaped(f.fix)))
        }
        let idle = findings.filter { $0.id == .neverCalled }.map { escaped($0.webhook) }
        if !idle.isEmpty {
            out.append("  " + style.level("● info", 0) + " never-called  \(idle.count) webhook(s) without a call since the API server started: "
                + idle.joined(separator: ", "))
        }
        return out
    }

    /// `ctlmon webhooks`' text report.
    package func text(color: Bool, source: String, skipped: [String: Int]) -> String {
        let style = TerminalStyle(enabled: color)
        var out: [String] = []
        let configurations = configurationCount
        out.append(style.bold("ctlmon webhooks") + " — \(escaped(source)): \(webhooks.count) webhook(s) in \(configurations) configuration(s)"
            + (metrics == nil ? "" : ", joined with the API server's metrics"))
        if !skipped.isEmpty {
            out.append(style.dim("  skipped (not webhook configurations): "
                + skipped.sorted { $0.key < $1.key }.map { "\($0.value) \(escaped($0.key))" }.joined(separator: ", ")))
        }
        out.append("")
        out.append(style.bold("Webhooks"))
        if webhooks.isEmpty { out.append("  none") }
        let width = min(48, webhooks.map { escaped($0.name).count }.max() ?? 0)
        for h in webhooks {
            let name = escaped(h.name)
            var line = "  " + name.padded(to: width)
            line += "  \(h.kind == .mutating ? "mutating  " : "validating")  \(h.failurePolicy.rawValue.padded(to: 6))"
            line += " timeout \(h.timeoutSeconds)s"
            if let m = metrics?[h.name] {
                line += "  p99 " + (m.p99.isFinite ? ReportUnits.seconds(m.p99) : "n/a")
                if let c = m.calls { line += "  \(groupedCount(c)) calls" }
            } else if metrics != nil {
                line += "  never called"
            }
            if Self.managedByEKS(h) { line += style.dim("  (EKS)") }
            out.append(line)
        }
        out.append("")
        out.append(style.bold("Findings"))
        if findings.isEmpty { out.append("  " + style.level("none", -1)) }
        out += findingLines(style)
        return out.joined(separator: "\n")
    }
}
