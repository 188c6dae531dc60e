import PromModel
import SeriesStorage
import FoundationEssentials
import Glibc

// Binary operators: scalar/scalar, vector/scalar, vector/vector with matching, set operators.

extension Evaluator {
    func binary(
        _ op: BinaryOperator, _ lhs: Value, _ rhs: Value, matching: VectorMatching?, returnBool: Bool, _ t: Int64
    ) throws(QueryError) -> Value {
        switch (lhs, rhs) {
        case (.scalar(let a, _), .scalar(let b, _)):
            let (v, keep) = Self.apply(op, a, b)
            return .scalar(returnBool ? (keep ? 1 : 0) : v, t)
        case (.vector(let v), .scalar(let s, _)):
            return .vector(try vectorScalar(op, v, s, scalarOnLeft: false, returnBool: returnBool, t))
        case (.scalar(let s, _), .vector(let v)):
            return .vector(try vectorScalar(op, v, s, scalarOnLeft: true, returnBool: returnBool, t))
        case (.vector(let l), .vector(let r)):
            let m = matching ?? VectorMatching()
            switch op {
            case .and: return .vector(try unique(setAnd(l, r, m)))
            case .or: return .vector(try unique(setOr(l, r, m)))
            case .unless: return .vector(try unique(setUnless(l, r, m)))
            default: return .vector(try unique(try vectorVector(op, l, r, m, returnBool: returnBool, t)))
            }
        default:
            throw .evaluation("binary operator \"\(op.rawValue)\" needs scalar or instant vector operands")
        }
    }

    /// The result of `a op b` and, for comparisons, whether it holds (arithmetic always "holds").
    static func apply(_ op: BinaryOperator, _ a: Double, _ b: Double) -> (Double, Bool) {
        switch op {
        case .add: (a + b, true)
        case .sub: (a - b, true)
        case .mul: (a * b, true)
        case .div: (a / b, true)
        case .mod: (fmod(a, b), true)
        case .pow: (goPow(a, b), true)
        case .atan2: (Glibc.atan2(a, b), true)
        case .equal: (a, a == b)
        case .notEqual: (a, a != b)
        case .greater: (a, a > b)
        case .less: (a, a < b)
        case .greaterOrEqual: (a, a >= b)
        case .lessOrEqual: (a, a <= b)
        case .and, .or, .unless: (a, false)
        }
    }

    /// `+ - * / % ^` drop the metric name, as does `bool`; comparisons without it, and `atan2`, keep it.
    private static func dropsName(_ op: BinaryOperator, returnBool: Bool) -> Bool {
        switch op {
        case .add, .sub, .mul, .div, .mod, .pow: true
        default: returnBool
        }
    }

    private func vectorScalar(
        _ op: BinaryOperator, _ v: [Sample], _ s: Double, scalarOnLeft: Bool, returnBool: Bool, _ t: Int64
    ) throws(QueryError) -> [Sample] {
        var out: [Sample] = []
        let drop = Self.dropsName(op, returnBool: returnBool)
        for sample in v {
            let (a, b) = scalarOnLeft ? (s, sample.value) : (sample.value, s)
            var (value, keep) = Self.apply(op, a, b)
            // A comparison keeps the vector's value even when the scalar is on the left.
            if op.isComparison && scalarOnLeft { value = sample.value }
            if returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            out.append(Sample(labels: drop ? sample.labels.withoutName : sample.labels, value: value, timestamp: t))
        }
        return drop ? try unique(out, sameNames: v) : out
    }

    private func vectorVector(
        _ op: BinaryOperator, _ lhsIn: [Sample], _ rhsIn: [Sample], _ m: VectorMatching, returnBool: Bool, _ t: Int64
    ) throws(QueryError) -> [Sample] {
        // Nothing can match: Prometheus returns before looking for duplicates.
        if lhsIn.isEmpty || rhsIn.isEmpty { return [] }
        // For one-to-many, swap the sides and remember to swap the values back.
        let swapped = m.cardinality == .oneToMany
        let (lhs, rhs) = swapped ? (rhsIn, lhsIn) : (lhsIn, rhsIn)
        let names = LabelNameSet(m.labels)
        // The matching signature of each sample, once: the hash of its `on` labels, or of all
        // but its `ignoring` labels and metric name.
        var right = HashIndex(capacity: rhs.count)
        for (i, r) in rhs.enumerated() {
            if let j = right.insert(r.labels.groupingHash(names, on: m.on), i) {
                let side = swapped ? "left" : "right"
                let group = m.on ? r.labels.keeping(m.labels) : r.labels.removing(m.labels + [Labels.metricName])
                throw .evaluation(
                    "found duplicate series for the match group \(group) on the \(side) hand-side of the operation: "
                        + "[\(r.labels), \(rhs[j].labels)];many-to-many matching not allowed: matching labels must be unique on one side")
            }
        }
        let drop = Self.dropsName(op, returnBool: returnBool)
        var matched = HashIndex(capacity: lhs.count)
        var outputs = Set<UInt64>()
        var out: [Sample] = []
        out.reserveCapacity(lhs.count)
        for l in lhs {
            let sig = l.labels.groupingHash(names, on: m.on)
            guard let ri = right.find(sig) else { continue }
            let r = rhs[ri]
            let (vl, vr) = swapped ? (r.value, l.value) : (l.value, r.value)
            var (value, keep) = Self.apply(op, vl, vr)
            if returnBool {
                value = keep ? 1 : 0
            } else if !keep {
                continue
            }
            var labels = drop ? l.labels.withoutName : l.labels
            if m.cardinality == .oneToOne {
                labels =
                    m.on
                    ? labels.keeping(names, in: arena, using: &builder)
                    : labels.removing(names, in: arena, using: &builder)
            }
            for name in m.include { labels = labels.setting(name, r.labels[name], in: arena, using: &builder) }
            if m.cardinality == .oneToOne {
                if matched.insert(sig, 0) != nil {
                    throw .evaluation("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
            } else if !outputs.insert(sig &+ labels.fingerprint &* 0x9E37_79B9_7F4A_7C15).inserted {
                throw .evaluation("multiple matches for labels: grouping labels must ensure unique matches")
            }
            out.append(Sample(labels: labels, value: value, timestamp: t))
        }
        return out
    }

    /// The matching signatures of a vector's samples.
    private func signatures(_ v: [Sample], _ m: VectorMatching) -> Set<UInt64> {
        let names = LabelNameSet(m.labels)
        var set = Set<UInt64>(minimumCapacity: v.count)
        for s in v { set.insert(s.labels.groupingHash(names, on: m.on)) }
        return set
    }

    private func setAnd(_ l: [Sample], _ r: [Sample], _ m: VectorMatching) -> [Sample] {
        if l.isEmpty || r.isEmpty { return [] }
        let right = signatures(r, m)
        let names = LabelNameSet(m.labels)
        return l.filter { right.contains($0.labels.groupingHash(names, on: m.on)) }
    }

    private func setOr(_ l: [Sample], _ r: [Sample], _ m: VectorMatching) -> [Sample] {
        if l.isEmpty || r.isEmpty { return l + r }
        let left = signatures(l, m)
        let names = LabelNameSet(m.labels)
        return l + r.filter { !left.contains($0.labels.groupingHash(names, on: m.on)) }
    }

    private func setUnless(_ l: [Sample], _ r: [Sample], _ m: VectorMatching) -> [Sample] {
        if l.isEmpty || r.isEmpty { return l }
        let right = signatures(r, m)
        let names = LabelNameSet(m.labels)
        return l.filter { !right.contains($0.labels.groupingHash(names, on: m.on)) }
    }
}

/// Go's `math.Pow`: its special cases, in its order (they differ from C's `pow`:
/// `Pow(1, NaN)` is 1, `Pow(x, 0.5)` is `Sqrt(x)` so `Pow(-0, 0.5)` is -0); other values
/// from the C library, which agrees with Go's algorithm to within a few units in the last place.
func goPow(_ x: Double, _ y: Double) -> Double {
    if y == 0 || x == 1 { return 1 }
    if y == 1 { return x }
    if x.isNaN || y.isNaN { return .nan }
    if x == 0 {
        let oddInteger = y.magnitude < 9_007_199_254_740_992 && y == y.rounded(.towardZero)
            && Int64(y) % 2 != 0
        if y < 0 { return oddInteger ? Double(signOf: x, magnitudeOf: .infinity) : .infinity }
        return oddInteger ? x : 0
    }
    if y.isInfinite {
        if x == -1 { return 1 }
        return (x.magnitude < 1) == (y > 0) ? 0 : .infinity
    }
    if x.isInfinite {
        if x < 0 { return goPow(1 / x, -y) }
        return y < 0 ? 0 : .infinity
    }
    if y == 0.5 { return x.squareRoot() }
    if y == -0.5 { return 1 / x.squareRoot() }
    return Glibc.pow(x, y)
}
