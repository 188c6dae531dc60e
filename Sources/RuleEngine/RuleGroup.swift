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

    /// How far back the rules of `groups` read (milliseconds): the longest range, plus its
    /// offset, plus the ranges of enclosing subqueries, plus Prometheus's 5-minute lookback.
    package static func longestRange(_ groups: [RuleGroup]) -> Int64 {
        var longest: Int64 = 0
        func walk(_ e: Expr, _ extra: Int64) {
            switch e {
            case .matrixSelector(let s, let range): longest = max(longest, extra + range + max(0, s.offset))
            case .vectorSelector(let s): longest = max(longest, extra + max(0, s.offset))
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
        return longest + 5 * 60_000
    }
}
