/// The audit of admission webhook configurations against the EKS best-practices advice
/// (no catch-all webhooks; fail open, or spare what the cluster needs to repair itself;
/// short timeouts), joined, when metrics are given, with what the API server measured.
package struct WebhookAudit: Sendable {
    /// The audited webhooks, as read.
    package let webhooks: [AdmissionWebhook]
    /// Per webhook name; nil when no metrics were given (nothing is joined).
    package let metrics: [String: WebhookMetrics]?
    /// Everything found, most severe first, then by webhook name and finding ID.
    package private(set) var findings: [WebhookFinding] = []

    /// Configurations EKS creates and runs itself (the VPC resource controller, the Pod
    /// Identity webhook): reported as EKS's, not the user's to fix.
    package static let eksConfigurations: Set<String> = ["vpc-resource-mutating-webhook", "vpc-resource-validating-webhook", "pod-identity-webhook"]
    /// Webhook names EKS owns, whatever configuration holds them.
    package static let eksWebhooks: Set<String> = ["mpod.vpc.k8s.aws", "vpod.vpc.k8s.aws", "vnode.vpc.k8s.aws", "iam-for-pods.amazonaws.com"]

    /// A timeout at or above this is "near the 30 s maximum".
    package static let highTimeout = 25

    /// Audits every webhook's configuration and, given `metrics`, joins what the API server
    /// measured; metrics of a webhook no configuration declares are a finding too.
    package init(webhooks: [AdmissionWebhook], metrics: [String: WebhookMetrics]? = nil) {
        self.webhooks = webhooks
        self.metrics = metrics
        for w in webhooks {
            let found = Self.configurationFindings(w)
            if Self.managedByEKS(w) {
                let would = found.map(\.id.rawValue)
                findings.append(WebhookFinding(
                    id: .managedByEKS, severity: .info, webhook: w.name, configuration: w.configuration, kind: w.kind,
                    message: "EKS creates and runs this webhook (\(w.configuration)); its configuration is not yours to change"
                        + (would.isEmpty ? "." : " (ctlmon would otherwise report: \(would.joined(separator: ", ")))."),
                    fix: "Nothing to change. If it is slow or failing, open an AWS support case; do not edit or delete it (EKS restores it)."))
            } else {
                findings += found
            }
            if let metrics { findings += Self.metricFindings(w, metrics[w.name]) }
        }
        if let metrics {
            let configured = Set(webhooks.map(\.name))
            for name in metrics.keys.sorted() where !configured.contains(name) {
                findings.append(WebhookFinding(
                    id: .metricsWithoutConfig, severity: .info, webhook: name, configuration: "", kind: nil,
                    message: "the API server has metrics for a webhook no configuration declares: it was removed or renamed since the API server started, "
                        + "or the configuration list given is incomplete.",
                    fix: "Nothing, if it was removed on purpose (the series go when the API server restarts); otherwise list both "
                        + "validatingwebhookconfigurations and mutatingwebhookconfigurations."))
            }
        }
        findings.sort { ($0.severity.rank, $1.webhook, $1.id.rawValue) > ($1.severity.rank, $0.webhook, $0.id.rawValue) }
    }

    /// How many configurations hold the webhooks (a validating and a mutating configuration
    /// may share a name, as cert-manager's do: they count as two).
    package var configurationCount: Int { Set(webhooks.map { "\($0.kind.rawValue)/\($0.configuration)" }).count }

    /// Whether EKS owns `w` (by configuration or webhook name); its findings are then reported as
    /// one `managed-by-eks` info finding.
    package static func managedByEKS(_ w: AdmissionWebhook) -> Bool {
        eksConfigurations.contains(w.configuration) || eksWebhooks.contains(w.name)
    }

    /// Whether the worst finding reaches `threshold`.
    package func reaches(_ threshold: WebhookFinding.Severity) -> Bool { findings.contains { $0.severity >= threshold } }
}
