import LabelMatchers
import PromModel
import SeriesStorage
extension Expr: CustomStringConvertible {
    /// PromQL text for the expression, with every binary operation in parentheses
    /// so the structure shows (`-(a ^ 2)`, `((a - b) - c)`).
    package var description: String {
        switch self {
        case .number(let v):
            if v.isNaN { return "NaN" }
            if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
            return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .string(let s):
            return quoted(s)
        case .vectorSelector(let s):
            return s.description
        case .matrixSelector(var s, let range):
            let (offset, at) = (s.offset, s.at)
            s.offset = 0
            s.at = nil
            return "\(s)[\(PromDuration.format(range))]" + Self.modifiers(offset, at)
        case .subquery(let e, let range, let step, let offset, let at):
            return "\(e)[\(PromDuration.format(range)):\(step == 0 ? "" : PromDuration.format(step))]" + Self.modifiers(offset, at)
        case .unary(_, let e):
            return "-\(e)"
        case .binary(let op, let l, let r, let matching, let returnBool):
            var s = "(\(l) \(op.rawValue)"
            if returnBool { s += " bool" }
            if let m = matching, m.on || !m.labels.isEmpty {
                s += " \(m.on ? "on" : "ignoring")(\(m.labels.joined(separator: ", ")))"
                if m.cardinality == .manyToOne { s += " group_left(\(m.include.joined(separator: ", ")))" }
                if m.cardinality == .oneToMany { s += " group_right(\(m.include.joined(separator: ", ")))" }
            }
            return s + " \(r))"
        case .aggregate(let op, let e, let parameter, let grouping, let without):
            var s = op.rawValue
            if !grouping.isEmpty || without { s += " \(without ? "without" : "by") (\(grouping.joined(separator: ", ")))" }
            return s + "(" + (parameter.map { "\($0), " } ?? "") + "\(e))"
        case .call(let f, let args):
            return "\(f.name)(\(args.map(\.description).joined(separator: ", ")))"
        case .parens(let e):
            return "(\(e))"
        }
    }
}

extension Expr {
    static func modifiers(_ offset: Int64, _ at: AtModifier?) -> String {
        var s = offset != 0 ? " offset \(PromDuration.format(offset))" : ""
        switch at {
        case .time(let ms): s += " @ \(GoFloat.formatFixed(Double(ms) / 1000))"
        case .start: s += " @ start()"
        case .end: s += " @ end()"
        case nil: break
        }
        return s
    }
}

extension VectorSelector: CustomStringConvertible {
    package var description: String {
        let others = matchers.filter { !($0.name == "__name__" && $0.op == .equal && $0.value == name) }
        var s = name ?? ""
        if !others.isEmpty || name == nil { s += "{" + others.map(\.description).joined(separator: ", ") + "}" }
        return s + Expr.modifiers(offset, at)
    }
}
