import PromQL

/// A recording or alerting rule, parsed and checked.
package struct Rule: Sendable {
    package enum Kind: Sendable {
        case recording
        case alerting
    }

    package var kind: Kind
    /// The recorded metric name or the alert name.
    package var name: String
    package var exprText: String
    package var expr: Expr
    /// `for:` in milliseconds.
    package var hold: Int64
    /// `keep_firing_for:` in milliseconds.
    package var keepFiringFor: Int64
    package var labels: [(String, Template)]
    package var annotations: [(String, Template)]
    package var line: Int
}
