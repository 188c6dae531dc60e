import PromQL

/// A group of rules evaluated together, in order, at one interval.
package struct RuleGroup: Sendable {
    package var name: String
    /// The file the group came from (as given), for `/api/v1/rules`.
    package var file: String
    /// Evaluation interval (milliseconds), nil for the global one.
    package var interval: Int64?
    /// Most series a rule may return (0: no limit).
    package var limit: Int
    package var rules: [Rule]
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
        func note(_ s: VectorSelector, _ back: Int64) {
            let need = max(back, lookback)
            if let n = s.name { byName[n] = max(byName[n] ?? 0, need) } else { unnamed = max(unnamed ?? 0, need) }
        }
        func walk(_ e: Expr, _ extra: Int64) {
            switch e {
            case .matrixSelector(let s, let range): note(s, extra + range + max(0, s.offset))
            case .vectorSelector(let s): note(s, extra + lookback + max(0, s.offset))
            case .subquery(let inner, let range, _, let offset, _): walk(inner, extra + range + max(0, offset))
            case .unary(_, let x), .parens(let x): walk(x, extra)
            case .binary(_, let l, let r, _, _):
                walk(l, extra)
                walk(r, extra)
            case .aggregate(_, let x, let p, _, _):
                walk(x, extra)
                if let p { walk(p, extra) }
            case .call(_, let args): args.forEach { walk($0, extra) }
            case .number, .string: break
            }
        }
        for g in groups { for r in g.rules { walk(r.expr, 0) } }
        return (byName, unnamed)
    }

    /// The longest reach of all (``reach(_:)``), in milliseconds.
    package static func longestRange(_ groups: [RuleGroup]) -> Int64 {
        let r = reach(groups)
        return max(r.byName.values.max() ?? 0, r.unnamed ?? 0, 5 * 60_000)
    }
}
