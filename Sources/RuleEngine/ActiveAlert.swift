import PromModel
import PromQL
import SeriesStorage

/// An alert of an alerting rule, in Prometheus's states.
package struct ActiveAlert: Sendable {
    /// Prometheus's alert states: `pending` while the condition holds and `for:` has not elapsed,
    /// then `firing`; `inactive` once resolved (kept 15 minutes, then dropped).
    package enum State: String, Sendable {
        case inactive, pending, firing
    }

    /// The sample's labels without the metric name, plus the rule's expanded `labels:` and `alertname`.
    package var labels: Labels
    /// The rule's `annotations:`, expanded with the latest sample's labels and value.
    package var annotations: [String: String]
    /// Where the alert stands; a pending alert whose condition clears is dropped, not made inactive.
    package var state: State
    /// The expression's value at the latest evaluation that returned the alert (`$value`).
    package var value: Double
    /// When the alert became pending (milliseconds).
    package var activeAt: Int64
    /// When the alert went firing (milliseconds).
    package var firedAt: Int64?
    /// When the alert went inactive (milliseconds); it is dropped 15 minutes later.
    package var resolvedAt: Int64?
    /// When the condition stopped holding while the alert fired (milliseconds): the start of its
    /// `keep_firing_for:`. nil while the condition holds.
    package var keepFiringSince: Int64?
}

/// An alert as it is kept across a restart (`state.json`): its rule, labels, annotations,
/// state and times (milliseconds).
package struct AlertRecord: Codable, Sendable, Equatable {
    /// The rule's group, by name.
    package var group: String
    /// The alerting rule's name.
    package var rule: String
    /// The rule's position in its group (two rules may share a name).
    package var ruleIndex: Int
    /// The alert's labels (``ActiveAlert/labels``).
    package var labels: [String: String]
    /// The alert's expanded annotations.
    package var annotations: [String: String]
    /// An ``ActiveAlert/State`` raw value; ``RuleEvaluator/restore(_:)`` skips a record with any other.
    package var state: String
    /// The expression's value at the alert's latest evaluation.
    package var value: Double
    /// When the alert became pending (milliseconds).
    package var activeAt: Int64
    /// When it went firing (milliseconds), if it did.
    package var firedAt: Int64?
    /// When it was resolved (milliseconds), if it was.
    package var resolvedAt: Int64?
    /// When `keep_firing_for:` started holding it firing (milliseconds), if it did.
    package var keepFiringSince: Int64?

    /// A record of every field; ``RuleEvaluator/alertRecords(group:)`` builds them from live alerts.
    package init(
        group: String, rule: String, ruleIndex: Int, labels: [String: String], annotations: [String: String], state: String,
        value: Double, activeAt: Int64, firedAt: Int64?, resolvedAt: Int64?, keepFiringSince: Int64?
    ) {
        self.group = group
        self.rule = rule
        self.ruleIndex = ruleIndex
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.value = value
        self.activeAt = activeAt
        self.firedAt = firedAt
        self.resolvedAt = resolvedAt
        self.keepFiringSince = keepFiringSince
    }
}
