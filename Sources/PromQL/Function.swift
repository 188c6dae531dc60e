import PromModel
import SeriesStorage
/// A PromQL function's signature.
package struct Function: Sendable, Hashable {
    /// The name as called in PromQL (`rate`, `histogram_quantile`).
    package let name: String
    /// The type of each argument, in order (``optional`` says which may be left out).
    package let argumentTypes: [ValueType]
    /// How many trailing arguments may be left out (`-1`: the last one repeats, as `label_join`).
    package let optional: Int
    /// The type of a call's result.
    package let returnType: ValueType

    init(_ name: String, _ args: [ValueType], _ ret: ValueType, optional: Int = 0) {
        self.name = name
        self.argumentTypes = args
        self.optional = optional
        self.returnType = ret
    }

    /// The functions ctlmon evaluates.
    package static let all: [String: Function] = {
        var table: [String: Function] = [:]
        let v = ValueType.vector
        let m = ValueType.matrix
        let s = ValueType.scalar
        let str = ValueType.string
        var list: [Function] = [
            Function("time", [], s),
            Function("vector", [s], v),
            Function("scalar", [v], s),
            Function("timestamp", [v], v),
            Function("absent", [v], v),
            Function("absent_over_time", [m], v),
            Function("histogram_quantile", [s, v], v),
            Function("predict_linear", [m, s], v),
            Function("label_replace", [v, str, str, str, str], v),
            Function("label_join", [v, str, str, str], v, optional: -1),
            Function("clamp", [v, s, s], v),
            Function("clamp_min", [v, s], v),
            Function("clamp_max", [v, s], v),
            Function("round", [v, s], v, optional: 1),
            Function("sort", [v], v),
            Function("sort_desc", [v], v),
            Function("quantile_over_time", [s, m], v),
            Function("holt_winters", [m, s, s], v),
            Function("pi", [], s),
            Function("histogram_count", [v], v),
            Function("histogram_sum", [v], v),
            Function("histogram_fraction", [s, s, v], v),
        ]
        for name in ["rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets",
                     "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
                     "last_over_time", "stddev_over_time", "stdvar_over_time", "present_over_time"] {
            list.append(Function(name, [m], v))
        }
        for name in ["abs", "ceil", "floor", "sqrt", "exp", "ln", "log2", "log10", "sgn", "acos", "acosh", "asin",
                     "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad"] {
            list.append(Function(name, [v], v))
        }
        // Date functions: of the given timestamps, or of the evaluation time without an argument.
        for name in ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"] {
            list.append(Function(name, [v], v, optional: 1))
        }
        for f in list { table[f.name] = f }
        return table
    }()
}
