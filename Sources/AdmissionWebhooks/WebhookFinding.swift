import PromModel

/// One thing the audit found about one webhook: what, how bad, why it matters and how to fix it.
package struct WebhookFinding: Sendable, Equatable {
    /// Stable identifiers: scripts key on them, so they are never renamed.
    package enum ID: String, Sendable, CaseIterable {
        case catchAll = "catch-all"
        case failClosedBroad = "fail-closed-broad"
        case selfIntercept = "self-intercept"
        case timeoutHigh = "timeout-high"
        case interceptsSystemResources = "intercepts-system-resources"
        case sideEffects = "side-effects"
        case matchPolicyExact = "match-policy-exact"
        case managedByEKS = "managed-by-eks"
        case slowVsTimeout = "slow-vs-timeout"
        case failingBlocksWrites = "failing-blocks-writes"
        case failingPolicySkipped = "failing-policy-skipped"
        case failOpenUsed = "fail-open-used"
        case metricsWithoutConfig = "metrics-without-config"
        case neverCalled = "never-called"
    }

    /// How bad a finding is, on the scale of alert severities.
    package enum Severity: String, Sendable, Comparable {
        case info, warning, critical
        /// As the check ranks alert severities (one scale for alerts and findings).
        package var rank: Int { severityRank(rawValue) }
        /// Orders by ``rank``.
        package static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// What was found: the finding's stable ``ID``.
    package var id: ID
    /// How bad it is; ``WebhookAudit/reaches(_:)`` compares it with `check --fail-on`.
    package var severity: Severity
    /// The webhook's name, as configured and as the `name` label of its metrics.
    package var webhook: String
    /// Empty for metrics of a webhook no configuration has.
    package var configuration: String
    /// nil for metrics of a webhook no configuration has.
    package var kind: AdmissionWebhook.Kind?
    /// What was found and why it matters.
    package var message: String
    /// How to fix it, concretely.
    package var fix: String
}
