import PromQL

/// An alert of an alerting rule, in Prometheus's states.
package struct ActiveAlert: Sendable {
    package enum State: String, Sendable {
        case inactive, pending, firing
    }

    package var labels: Labels
    package var annotations: [String: String]
    package var state: State
    package var value: Double
    /// When the alert became pending (milliseconds).
    package var activeAt: Int64
    package var firedAt: Int64?
    package var resolvedAt: Int64?
    package var keepFiringSince: Int64?
}

/// An alert as it is kept across a restart (`state.json`): its rule, labels, annotations,
/// state and times (milliseconds).
package struct AlertRecord: Codable, Sendable, Equatable {
    package var group: String
    package var rule: String
    /// The rule's position in its group (two rules may share a name).
    package var ruleIndex: Int
    package var labels: [String: String]
    package var annotations: [String: String]
    package var state: String
    package var value: Double
    package var activeAt: Int64
    package var firedAt: Int64?
    package var resolvedAt: Int64?
    package var keepFiringSince: Int64?

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
