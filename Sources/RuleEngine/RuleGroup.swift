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

    /// How far back the rules of `groups` read each metric (milliseconds): per metric name,
    /// the longest range that reads it, plus its offset and the ranges of enclosing
    /// subqueries; at least Prometheus's 5-minute lookback. `unnamed`: the same for
    /// selectors without a metric name (they read every series), nil when there are none.
    package static func reach(_ groups: [RuleGroup]) -> (byName: [String: Int64], unnamed: Int64?) {
        let lookback: Int64 = 5 * 60_000
        var byName: [String: Int64] = [:]
        var unnamed: Int64? = nil
        for g in groups {
            for r in g.rules {
                for reach in r.expr.selectorReaches {
                    // An instant selector reads back its lookback too; nothing reads less than one.
                    let need = max(reach.back &+ (reach.range == nil ? lookback : 0), lookback)
                    if let n = reach.selector.name { byName[n] = max(byName[n] ?? 0, need) } else { unnamed = max(unnamed ?? 0, need) }
                }
            }
        }
        return (byName, unnamed)
    }

    /// The longest reach of all (``reach(_:)``), in milliseconds.
    package static func longestRange(_ groups: [RuleGroup]) -> Int64 {
        let r = reach(groups)
        return max(r.byName.values.max() ?? 0, r.unnamed ?? 0, 5 * 60_000)
    }
}
