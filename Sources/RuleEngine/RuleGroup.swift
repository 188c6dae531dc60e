import PromModel
import PromQL
import SeriesStorage

/// A group of rules evaluated together, in order, at one interval.
package struct RuleGroup: Sendable {
    /// `name:`, unique within its file.
    package var name: String
    /// The file the group came from (as given), for `/api/v1/rules`.
    package var file: String
    /// Evaluation interval (milliseconds), nil for the global one.
    package var interval: Int64?
    /// Most series a rule may return (0: no limit).
    package var limit: Int
    /// The rules, in evaluation order.
    package var rules: [Rule]
    /// The group's line in its file, for messages.
    package var line: Int

    /// The metric names the rules of `groups` select; nil when some selector has no metric
    /// name (then every family may be read and nothing can be filtered while parsing).
    package static func selectedNames(_ groups: [RuleGroup]) -> Set<String>? {
        Expr.selectedNames(groups.flatMap { $0.rules.map(\.expr) })
    }

    /// How far back the rules of `groups` read each metric (milliseconds): ``Expr/reach(_:)``
    /// of their expressions.
    package static func reach(_ groups: [RuleGroup]) -> (byName: [String: Int64], unnamed: Int64?) {
        Expr.reach(groups.flatMap { $0.rules.map(\.expr) })
    }

    /// The longest reach of all (``reach(_:)``), in milliseconds.
    package static func longestRange(_ groups: [RuleGroup]) -> Int64 {
        let r = reach(groups)
        return max(r.byName.values.max() ?? 0, r.unnamed ?? 0, 5 * 60_000)
    }
}
