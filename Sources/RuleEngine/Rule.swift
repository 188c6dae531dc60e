import PromModel
import PromQL
import SeriesStorage

/// A recording or alerting rule, parsed and checked.
package struct Rule: Sendable {
    /// A recording rule (`record:`) writes its result as series; an alerting rule (`alert:`) raises alerts.
    package enum Kind: Sendable {
        case recording
        case alerting
    }

    /// Recording or alerting, by whether the rule has `record:` or `alert:`.
    package var kind: Kind
    /// The recorded metric name or the alert name.
    package var name: String
    /// `expr:` as written, for `/api/v1/rules` and the `generatorURL` of notifications.
    package var exprText: String
    /// `expr:` parsed; an instant vector or scalar (loading checks it).
    package var expr: Expr
    /// `for:` in milliseconds.
    package var hold: Int64
    /// `keep_firing_for:` in milliseconds.
    package var keepFiringFor: Int64
    /// `labels:` sorted by name: expanded per alert by alerting rules, set as written by recording
    /// rules (Prometheus does not template those).
    package var labels: [(String, Template)]
    /// `annotations:` sorted by name, expanded per alert (alerting rules only).
    package var annotations: [(String, Template)]
    /// The rule's line in its file, for messages.
    package var line: Int
}
