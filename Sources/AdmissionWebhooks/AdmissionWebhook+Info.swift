import PromModel

/// `ctlmon_webhook_config_info`: a webhook's configuration as a series (value 1), so that rules
/// can join the metrics, which carry only the webhook's name, with what they lack — e.g.
/// `… unless on(cluster, name) ctlmon_webhook_config_info{failure_policy="Ignore"}`. Written by the
/// sidecar from the configurations it lists and by `check --webhook-config` before its rules run.
extension AdmissionWebhook {
    /// The info series' metric name.
    package static let infoMetric = "ctlmon_webhook_config_info"

    /// The series' labels: `name`, `configuration`, `kind`, `failure_policy`, `timeout_seconds`,
    /// `side_effects`, `catch_all` (`true`/`false`), `managed_by` (`eks` or empty).
    package var infoLabels: Labels {
        Labels([
            ("__name__", Self.infoMetric), ("name", name), ("configuration", configuration), ("kind", kind.rawValue),
            ("failure_policy", failurePolicy.rawValue), ("timeout_seconds", String(timeoutSeconds)), ("side_effects", sideEffects),
            ("catch_all", rules.contains(where: \.isCatchAll) ? "true" : "false"),
            ("managed_by", WebhookAudit.managedByEKS(self) ? "eks" : ""),
        ])
    }
}
