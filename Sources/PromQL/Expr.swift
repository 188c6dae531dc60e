import LabelMatchers
import PromModel
import SeriesStorage
/// The types a PromQL expression can have.
package enum ValueType: String, Sendable {
    case scalar
    case string
    case vector = "instant vector"
    case matrix = "range vector"
}

/// Binary operators, by precedence from low to high: `or`; `and unless`; comparisons; `+ -`; `* / % atan2`; `^`.
package enum BinaryOperator: String, Sendable, CaseIterable {
    case or, and, unless
    case equal = "==", notEqual = "!=", greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<="
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", atan2, pow = "^"

    var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .equal, .notEqual, .greater, .less, .greaterOrEqual, .lessOrEqual: 3
        case .add, .sub: 4
        case .mul, .div, .mod, .atan2: 5
        case .pow: 6
        }
    }

    var isRightAssociative: Bool { self == .pow }
    var isComparison: Bool { precedence == 3 }
    var isSetOperator: Bool { self == .and || self == .or || self == .unless }
}

/// How the two sides of a vector/vector operation are matched.
package struct VectorMatching: Sendable, Hashable {
    /// Which side may have several samples per match: `group_left` makes it many-to-one,
    /// `group_right` one-to-many; the set operators (`and`, `or`, `unless`) are many-to-many.
    package enum Cardinality: Sendable, Hashable { case oneToOne, manyToOne, oneToMany, manyToMany }
    /// One-to-one unless `group_left`, `group_right` or a set operator says otherwise.
    package var cardinality: Cardinality = .oneToOne
    /// `on(...)` when true, `ignoring(...)` when false.
    package var on = false
    /// The labels listed in `on(...)` or `ignoring(...)` (which of the two, ``on`` says).
    package var labels: [String] = []
    /// Labels copied from the "one" side by `group_left(...)`/`group_right(...)`.
    package var include: [String] = []
}

/// Aggregation operators (`sum by (job) (x)`); the raw value is the PromQL keyword.
package enum AggregationOperator: String, Sendable, CaseIterable {
    case sum, avg, count, min, max, group, stddev, stdvar, topk, bottomk, quantile
    case countValues = "count_values"

    /// Whether the aggregation takes a parameter before the vector.
    var takesParameter: Bool { self == .topk || self == .bottomk || self == .quantile || self == .countValues }
}

/// A parsed PromQL expression.
package indirect enum Expr: Sendable {
    case number(Double)
    case string(String)
    /// `name{matchers} offset d`.
    case vectorSelector(VectorSelector)
    /// `selector[range]`.
    case matrixSelector(VectorSelector, range: Int64)
    /// `expr[range:step] offset d @ t` (step 0: the evaluation interval).
    case subquery(Expr, range: Int64, step: Int64, offset: Int64, at: AtModifier?)
    case unary(negate: Bool, Expr)
    case binary(BinaryOperator, Expr, Expr, matching: VectorMatching?, returnBool: Bool)
    case aggregate(AggregationOperator, Expr, parameter: Expr?, grouping: [String], without: Bool)
    case call(Function, [Expr])
    case parens(Expr)

    /// The type the expression evaluates to.
    package var type: ValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .vectorSelector: .vector
        case .matrixSelector, .subquery: .matrix
        case .unary(_, let e), .parens(let e): e.type
        case .binary(_, let l, let r, _, _): l.type == .scalar && r.type == .scalar ? .scalar : .vector
        case .aggregate: .vector
        case .call(let f, _): f.returnType
        }
    }
}

extension Expr {
    /// Calls `body` with this expression and every expression inside it, depth first.
    package func visit(_ body: (Expr) -> Void) {
        body(self)
        switch self {
        case .subquery(let e, _, _, _, _), .unary(_, let e), .parens(let e): e.visit(body)
        case .binary(_, let l, let r, _, _):
            l.visit(body)
            r.visit(body)
        case .aggregate(_, let e, let p, _, _):
            e.visit(body)
            p?.visit(body)
        case .call(_, let args): args.forEach { $0.visit(body) }
        case .number, .string, .vectorSelector, .matrixSelector: break
        }
    }
}

/// A vector selector: a metric name and/or label matchers, an offset and an `@` modifier.
package struct VectorSelector: Sendable, Hashable {
    /// The metric name when the selector has one (`x{…}` or `{__name__="x"}`); its matcher is
    /// in ``matchers`` as well.
    package var name: String?
    /// Every matcher, the metric name's `__name__="…"` included: a series must match them all.
    package var matchers: [LabelMatcher]
    /// The `offset` modifier in milliseconds: positive reads the past, negative the future;
    /// 0 without one.
    package var offset: Int64
    /// The `@` modifier; nil without one.
    package var at: AtModifier? = nil
}

/// The `@` modifier: evaluate a selector or subquery at a fixed time instead of the step's.
package enum AtModifier: Sendable, Hashable {
    /// `@ 1700000000` (stored in milliseconds).
    case time(Int64)
    /// `@ start()`: the start of the query's range (the evaluation time of an instant query).
    case start
    /// `@ end()`: the end of the query's range.
    case end
}

extension Expr {
    /// The longest path from this node to a leaf, counting nodes.
    package var height: Int {
        switch self {
        case .number, .string, .vectorSelector, .matrixSelector: 1
        case .subquery(let e, _, _, _, _), .unary(_, let e), .parens(let e): e.height + 1
        case .binary(_, let l, let r, _, _): Swift.max(l.height, r.height) + 1
        case .aggregate(_, let e, let p, _, _): Swift.max(e.height, p?.height ?? 0) + 1
        case .call(_, let args): (args.map(\.height).max() ?? 0) + 1
        }
    }

    /// The expression inside any number of parentheses.
    package var unwrapped: Expr {
        if case .parens(let e) = self { return e.unwrapped }
        return self
    }
}

extension Expr {
    /// The metric names `exprs` select; nil when some selector has no metric name (then
    /// every family may be read, and nothing can be filtered while parsing).
    package static func selectedNames(_ exprs: [Expr]) -> Set<String>? {
        var names: Set<String> = []
        var unnamed = false
        for e in exprs {
            e.visit { node in
                switch node {
                case .vectorSelector(let s), .matrixSelector(let s, _):
                    if let n = s.name { names.insert(n) } else { unnamed = true }
                default: break
                }
            }
        }
        return unnamed ? nil : names
    }

    /// How far back `exprs` read each metric (milliseconds): per metric name, the longest range
    /// that reads it, plus its offset and the ranges of enclosing subqueries; at least
    /// Prometheus's 5-minute lookback. `unnamed`: the same for selectors without a metric name
    /// (they read every series), nil when there are none.
    package static func reach(_ exprs: [Expr]) -> (byName: [String: Int64], unnamed: Int64?) {
        let lookback: Int64 = 5 * 60_000
        var byName: [String: Int64] = [:]
        var unnamed: Int64? = nil
        for e in exprs {
            for reach in e.selectorReaches {
                // An instant selector reads back its lookback too; nothing reads less than one.
                let need = max(reach.back &+ (reach.range == nil ? lookback : 0), lookback)
                if let n = reach.selector.name { byName[n] = max(byName[n] ?? 0, need) } else { unnamed = max(unnamed ?? 0, need) }
            }
        }
        return (byName, unnamed)
    }
}
