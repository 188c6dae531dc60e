import PromModel

/// The findings that join a webhook's configuration with what the API server measured.
extension WebhookAudit {
    /// p99 latency against a webhook's own timeout: critical from 90 % of it, a warning from half.
    package static func latencySeverity(p99: Double, timeoutSeconds: Int) -> WebhookFinding.Severity? {
        let timeout = Double(timeoutSeconds)
        guard p99.isFinite else { return nil }
        return p99 >= timeout * 0.9 ? .critical : p99 >= timeout / 2 ? .warning : nil
    }

    static func metricFindings(_ w: AdmissionWebhook, _ m: WebhookMetrics?) -> [WebhookFinding] {
        var out: [WebhookFinding] = []
        func add(_ id: WebhookFinding.ID, _ severity: WebhookFinding.Severity, _ message: String, _ fix: String) {
            out.append(WebhookFinding(id: id, severity: severity, webhook: w.name, configuration: w.configuration, kind: w.kind, message: message, fix: fix))
        }
        let eks = managedByEKS(w)
        let escalate = eks ? "EKS runs this webhook: open an AWS support case." : nil
        guard let m, (m.calls ?? 0) > 0 || (m.failures ?? 0) > 0 || (m.failOpen ?? 0) > 0 || m.p99.isFinite else {
            add(.neverCalled, .info,
                "configured, but the API server has no calls of it since it started: its rules or selectors match nothing that was written, "
                    + "or the scrape is from another API server than the one it was called on.",
                "Nothing, if that is expected; otherwise check its rules and namespaceSelector, or remove it.")
            return out
        }
        if let severity = latencySeverity(p99: m.p99, timeoutSeconds: w.timeoutSeconds) {
            let near = severity == .critical
            add(.slowVsTimeout, severity,
                "p99 latency \(ReportUnits.seconds(m.p99)) is \(near ? "at" : "over half of") its \(w.timeoutSeconds) s timeout: "
                    + (w.failurePolicy == .fail ? "calls that time out are rejected (failurePolicy Fail), blocking writes." : "calls that time out are skipped (failurePolicy Ignore): the policy is not applied to them."),
                escalate ?? "Find what slows the webhook (its pods' CPU, its own API calls); scale it out; narrow its rules so it sees fewer requests.")
        }
        if let f = m.failures, f > 0 {
            if w.failurePolicy == .fail {
                add(.failingBlocksWrites, .critical,
                    "\(groupedCount(f)) calls failed (the webhook could not be called or the API server failed calling it) and, with failurePolicy Fail, "
                        + "each rejected the write it guarded.",
                    escalate ?? "Check the webhook's service, endpoints, pods and TLS certificate; if it cannot be fixed fast, set failurePolicy: Ignore or delete the configuration.")
            } else {
                add(.failingPolicySkipped, .warning,
                    "\(groupedCount(f)) calls failed and, with failurePolicy Ignore, the writes went through without the webhook: its policy was silently skipped.",
                    escalate ?? "Fix the webhook (service, endpoints, pods, certificate), then review what was admitted meanwhile.")
            }
        }
        if let f = m.failOpen, f > 0 {
            add(.failOpenUsed, .warning,
                "\(groupedCount(f)) calls failed open: the API server admitted the requests without the webhook's verdict.",
                escalate ?? "Fix the webhook, then review what was admitted meanwhile (the audit log has the requests).")
        }
        return out
    }
}
