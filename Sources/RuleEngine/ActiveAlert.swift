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
    var keepFiringSince: Int64?
}
