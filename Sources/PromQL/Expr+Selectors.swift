import PromModel

extension Expr {
    /// A selector of an expression and how far back from the evaluation time it reads.
    package struct SelectorReach: Sendable {
        /// The selector as written: its matchers, offset and `@` modifier.
        package var selector: VectorSelector
        /// The range of a range selector (`x[5m]`: 300,000 ms); nil for an instant selector.
        package var range: Int64?
        /// Milliseconds before the evaluation time of the oldest sample it can read: its range
        /// and offset, plus the ranges and offsets of the subqueries around it; never below 0
        /// (a negative offset reads after the evaluation time). An instant selector's lookback
        /// (5 minutes) is not included: it is the evaluator's, not the expression's.
        package var back: Int64
        /// Whether a subquery encloses it (it is then read at every subquery step).
        package var inSubquery: Bool
    }

    /// Every selector of the expression with its reach: the one walker behind the sidecar's
    /// retention (how long each metric is kept) and the one-shot check's synthetic history
    /// (how far back, and how densely, it is drawn).
    package var selectorReaches: [SelectorReach] {
        var out: [SelectorReach] = []
        // Durations add up without wrapping: a reach past Int64 is the longest there is.
        func add(_ a: Int64, _ b: Int64) -> Int64 {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? (b > 0 ? .max : .min) : sum
        }
        func walk(_ e: Expr, _ extra: Int64, _ inSubquery: Bool) {
            switch e {
            case .matrixSelector(let s, let range):
                out.append(SelectorReach(selector: s, range: range, back: max(0, add(add(extra, range), s.offset)), inSubquery: inSubquery))
            case .vectorSelector(let s):
                out.append(SelectorReach(selector: s, range: nil, back: max(0, add(extra, s.offset)), inSubquery: inSubquery))
            case .subquery(let inner, let range, _, let offset, _):
                walk(inner, add(add(extra, range), offset), true)
            case .unary(_, let x), .parens(let x):
                walk(x, extra, inSubquery)
            case .binary(_, let l, let r, _, _):
                walk(l, extra, inSubquery)
                walk(r, extra, inSubquery)
            case .aggregate(_, let x, let p, _, _):
                walk(x, extra, inSubquery)
                if let p { walk(p, extra, inSubquery) }
            case .call(_, let args):
                for a in args { walk(a, extra, inSubquery) }
            case .number, .string:
                break
            }
        }
        walk(self, 0, false)
        return out
    }

    /// Whether an `@` modifier pins a selector or subquery to a time of its own: its selectors
    /// may then read any time, not only back from the evaluation time.
    package var pinsTime: Bool {
        switch self {
        case .vectorSelector(let s), .matrixSelector(let s, _): return s.at != nil
        case .subquery(let inner, _, _, _, let at): return at != nil || inner.pinsTime
        case .unary(_, let x), .parens(let x): return x.pinsTime
        case .binary(_, let l, let r, _, _): return l.pinsTime || r.pinsTime
        case .aggregate(_, let x, let p, _, _): return x.pinsTime || (p?.pinsTime ?? false)
        case .call(_, let args): return args.contains { $0.pinsTime }
        case .number, .string: return false
        }
    }
}
