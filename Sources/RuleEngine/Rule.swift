import PromQL

/// A recording or alerting rule, parsed and checked.
public struct Rule: Sendable {
    public enum Kind: Sendable {
        case recording
        case alerting
    }

    public var kind: Kind
    /// The recorded metric name or the alert name.
    public var name: String
    public var exprText: String
    public var expr: Expr
    /// `for:` in milliseconds.
    public var hold: Int64
    /// `keep_firing_for:` in milliseconds.
    public var keepFiringFor: Int64
    public var labels: [(String, Template)]
    public var annotations: [(String, Template)]
    public var line: Int
}
