import PromQL

/// An alert of an alerting rule, in Prometheus's states.
public struct ActiveAlert: Sendable {
    public enum State: String, Sendable {
        case inactive, pending, firing
    }

    public var labels: Labels
    public var annotations: [String: String]
    public var state: State
    public var value: Double
    /// When the alert became pending (milliseconds).
    public var activeAt: Int64
    public var firedAt: Int64?
    public var resolvedAt: Int64?
    var keepFiringSince: Int64?
}
