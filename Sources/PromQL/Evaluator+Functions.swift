import Foundation

// PromQL functions.

extension Evaluator {
    func call(_ f: Function, _ args: [Expr], _ t: Int64) throws(QueryError) -> Value {
        switch f.name {
        case "time":
            return .scalar(Double(t) / 1000, t)
        case "vector":
            return .vector([Sample(labels: Labels(), value: try scalarArg(args[0], t), timestamp: t)])
        case "scalar":
            let v = try vectorArg(args[0], t)
            return .scalar(v.count == 1 ? v[0].value : .nan, t)
        case "timestamp":
            let v = try vectorArg(args[0], t)
            return .vector(try unique(v.map {
                Sample(labels: $0.labels.withoutName, value: Double($0.timestamp) / 1000, timestamp: t)
            }, from: v.map(\.labels.name)))
        case "absent":
            return .vector(try vectorArg(args[0], t).isEmpty ? [Sample(labels: absentLabels(args[0]), value: 1, timestamp: t)] : [])
        case "absent_over_time":
            return .vector(try matrixArg(args[0], t).isEmpty ? [Sample(labels: absentLabels(args[0]), value: 1, timestamp: t)] : [])
        case "histogram_quantile":
            return .vector(try histogramQuantile(try scalarArg(args[0], t), try vectorArg(args[1], t), t))
        case "label_replace":
            return .vector(try labelReplace(args, t))
        case "label_join":
            return .vector(try labelJoin(args, t))
        case "sort", "sort_desc":
            let descending = f.name == "sort_desc"
            return .vector(try vectorArg(args[0], t).sorted { a, b in
                if a.value.isNaN { return false }
                if b.value.isNaN { return true }
                return descending ? a.value > b.value : a.value < b.value
            })
        case "clamp":
            let (lo, hi) = (try scalarArg(args[1], t), try scalarArg(args[2], t))
            if hi < lo { return .vector([]) }
            return .vector(try mapValues(args[0], t) { Swift.max(lo, Swift.min(hi, $0)) })
        case "clamp_min":
            let lo = try scalarArg(args[1], t)
            return .vector(try mapValues(args[0], t) { Swift.max(lo, $0) })
        case "clamp_max":
            let hi = try scalarArg(args[1], t)
            return .vector(try mapValues(args[0], t) { Swift.min(hi, $0) })
        case "round":
            let toNearest = args.count > 1 ? try scalarArg(args[1], t) : 1
            let inverse = 1 / toNearest
            return .vector(try mapValues(args[0], t) { (($0 * inverse) + 0.5).rounded(.down) / inverse })
        case "abs": return .vector(try mapValues(args[0], t) { Swift.abs($0) })
        case "ceil": return .vector(try mapValues(args[0], t) { $0.rounded(.up) })
        case "floor": return .vector(try mapValues(args[0], t) { $0.rounded(.down) })
        case "sqrt": return .vector(try mapValues(args[0], t) { $0.squareRoot() })
        case "exp": return .vector(try mapValues(args[0], t) { Foundation.exp($0) })
        case "ln": return .vector(try mapValues(args[0], t) { Foundation.log($0) })
        case "log2": return .vector(try mapValues(args[0], t) { Foundation.log2($0) })
        case "log10": return .vector(try mapValues(args[0], t) { Foundation.log10($0) })
        case "sgn": return .vector(try mapValues(args[0], t) { $0 > 0 ? 1 : $0 < 0 ? -1 : $0 })
        case "quantile_over_time":
            let q = try scalarArg(args[0], t)
            return .vector(try overTime(args[1], t) { Self.quantile(q, $0.map(\.v)) })
        case "predict_linear":
            let seconds = try scalarArg(args[1], t)
            return .vector(try overTime(args[0], t, minimum: 2) { points in
                let (slope, intercept) = Self.linearRegression(points, interceptTime: t)
                return slope * seconds + intercept
            })
        default:
            return .vector(try rangeFunction(f.name, args[0], t))
        }
    }

    // MARK: argument helpers

    func scalarArg(_ e: Expr, _ t: Int64) throws(QueryError) -> Double {
        guard case .scalar(let v, _) = try eval(e, t) else { throw .evaluation("expected a scalar argument") }
        return v
    }

    func vectorArg(_ e: Expr, _ t: Int64) throws(QueryError) -> [Sample] {
        guard case .vector(let v) = try eval(e, t) else { throw .evaluation("expected an instant vector argument") }
        return v
    }

    func matrixArg(_ e: Expr, _ t: Int64) throws(QueryError) -> [SeriesPoints] {
        guard case .matrix(let m) = try eval(e, t) else { throw .evaluation("expected a range vector argument") }
        return m
    }

    private func stringArg(_ e: Expr, _ t: Int64) throws(QueryError) -> String {
        guard case .string(let s, _) = try eval(e, t) else { throw .evaluation("expected a string argument") }
        return s
    }

    /// Applies `f` to every value, dropping the metric name.
    private func mapValues(_ e: Expr, _ t: Int64, _ f: (Double) -> Double) throws(QueryError) -> [Sample] {
        let v = try vectorArg(e, t)
        return try unique(v.map { Sample(labels: $0.labels.withoutName, value: f($0.value), timestamp: t) }, from: v.map(\.labels.name))
    }

    /// Applies `f` to every series of a range vector (with at least `minimum` points), dropping the metric name.
    private func overTime(
        _ e: Expr, _ t: Int64, minimum: Int = 1, keepName: Bool = false, _ f: ([Point]) -> Double?
    ) throws(QueryError) -> [Sample] {
        var out: [Sample] = []
        let m = try matrixArg(e, t)
        for s in m where s.points.count >= minimum {
            guard let v = f(s.points) else { continue }
            out.append(Sample(labels: keepName ? s.labels : s.labels.withoutName, value: v, timestamp: t))
        }
        return keepName ? out : try unique(out, from: m.map(\.labels.name))
    }

    /// The range and offset of a range-vector argument, for extrapolation to the window's edges.
    private func window(_ e: Expr) -> (range: Int64, offset: Int64) {
        switch e {
        case .matrixSelector(let s, let range): (range, s.offset)
        case .subquery(_, let range, _, let offset): (range, offset)
        case .parens(let inner): window(inner)
        default: (0, 0)
        }
    }

    // MARK: range functions

    private func rangeFunction(_ name: String, _ arg: Expr, _ t: Int64) throws(QueryError) -> [Sample] {
        switch name {
        case "rate", "increase", "delta":
            let (range, offset) = window(arg)
            return try overTime(arg, t, minimum: 2) { points in
                Self.extrapolatedRate(points, rangeStart: t - range - offset, rangeEnd: t - offset,
                    isCounter: name != "delta", isRate: name == "rate", range: range)
            }
        case "irate", "idelta":
            return try overTime(arg, t, minimum: 2) { points in
                let last = points[points.count - 1]
                let previous = points[points.count - 2]
                var v = name == "irate" && last.v < previous.v ? last.v : last.v - previous.v
                let interval = last.t - previous.t
                if interval == 0 { return nil }
                if name == "irate" { v /= Double(interval) / 1000 }
                return v
            }
        case "deriv":
            return try overTime(arg, t, minimum: 2) { Self.linearRegression($0, interceptTime: $0[0].t).slope }
        case "changes":
            return try overTime(arg, t) { points in
                var changes = 0.0
                for i in points.indices.dropFirst() {
                    let (a, b) = (points[i - 1].v, points[i].v)
                    if a != b && !(a.isNaN && b.isNaN) { changes += 1 }
                }
                return changes
            }
        case "resets":
            return try overTime(arg, t) { points in
                var resets = 0.0
                for i in points.indices.dropFirst() where points[i].v < points[i - 1].v { resets += 1 }
                return resets
            }
        case "avg_over_time":
            return try overTime(arg, t) { points in
                var mean = 0.0
                var count = 0.0
                for p in points {
                    count += 1
                    if mean.isInfinite {
                        if p.v.isInfinite && (mean > 0) == (p.v > 0) { continue }
                        if !p.v.isInfinite && !p.v.isNaN { continue }
                    }
                    mean += p.v / count - mean / count
                }
                return mean
            }
        case "sum_over_time": return try overTime(arg, t) { $0.reduce(0) { $0 + $1.v } }
        case "count_over_time": return try overTime(arg, t) { Double($0.count) }
        case "present_over_time": return try overTime(arg, t) { _ in 1 }
        case "last_over_time": return try overTime(arg, t, keepName: true) { $0[$0.count - 1].v }
        case "max_over_time":
            return try overTime(arg, t) { points in
                var m = points[0].v
                for p in points.dropFirst() where p.v > m || m.isNaN { m = p.v }
                return m
            }
        case "min_over_time":
            return try overTime(arg, t) { points in
                var m = points[0].v
                for p in points.dropFirst() where p.v < m || m.isNaN { m = p.v }
                return m
            }
        case "stddev_over_time", "stdvar_over_time":
            return try overTime(arg, t) { points in
                var count = 0.0
                var mean = 0.0
                var aux = 0.0
                for p in points {
                    count += 1
                    let delta = p.v - mean
                    mean += delta / count
                    aux += delta * (p.v - mean)
                }
                return name == "stddev_over_time" ? (aux / count).squareRoot() : aux / count
            }
        default:
            throw .evaluation("function \"\(name)\" is not implemented")
        }
    }

    /// Prometheus's `extrapolatedRate`: the increase over the samples, corrected for counter
    /// resets, extrapolated towards the window's edges (not beyond a counter's zero point).
    static func extrapolatedRate(
        _ points: [Point], rangeStart: Int64, rangeEnd: Int64, isCounter: Bool, isRate: Bool, range: Int64
    ) -> Double {
        let first = points[0]
        let last = points[points.count - 1]
        var result = last.v - first.v
        if isCounter {
            var previous = 0.0
            for p in points {
                if p.v < previous { result += previous }
                previous = p.v
            }
        }
        var durationToStart = Double(first.t - rangeStart) / 1000
        let durationToEnd = Double(rangeEnd - last.t) / 1000
        let sampledInterval = Double(last.t - first.t) / 1000
        let averageInterval = sampledInterval / Double(points.count - 1)
        if isCounter && result > 0 && first.v >= 0 {
            let durationToZero = sampledInterval * (first.v / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = averageInterval * 1.1
        var extrapolateTo = sampledInterval
        extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2
        result *= extrapolateTo / sampledInterval
        if isRate { result /= Double(range) / 1000 }
        return result
    }

    /// Least-squares slope and intercept (at `interceptTime`), with Kahan summation.
    static func linearRegression(_ points: [Point], interceptTime: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var (sumX, cX, sumY, cY, sumXY, cXY, sumX2, cX2) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        let initY = points[0].v
        var constY = true
        for (i, p) in points.enumerated() {
            if constY && i > 0 && p.v != initY { constY = false }
            n += 1
            let x = Double(p.t - interceptTime) / 1000
            (sumX, cX) = kahanSum(x, sumX, cX)
            (sumY, cY) = kahanSum(p.v, sumY, cY)
            (sumXY, cXY) = kahanSum(x * p.v, sumXY, cXY)
            (sumX2, cX2) = kahanSum(x * x, sumX2, cX2)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        return (slope, sumY / n - slope * sumX / n)
    }

    private static func kahanSum(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        let t = sum + inc
        var c = c
        if abs(sum) >= abs(inc) { c += (sum - t) + inc } else { c += (inc - t) + sum }
        return (t, c)
    }

    // MARK: labels

    /// `absent`'s output labels: the selector's equality matchers (a label matched twice is left out).
    private func absentLabels(_ e: Expr) -> Labels {
        let matchers: [LabelMatcher]
        switch e {
        case .vectorSelector(let s), .matrixSelector(let s, _): matchers = s.matchers
        default: return Labels()
        }
        var pairs: [String: String] = [:]
        var repeated = Set<String>()
        for m in matchers where m.name != Labels.metricName {
            if pairs[m.name] != nil || repeated.contains(m.name) {
                repeated.insert(m.name)
                pairs[m.name] = nil
            } else if m.op == .equal {
                pairs[m.name] = m.value
            }
        }
        return Labels(pairs)
    }

    private func labelReplace(_ args: [Expr], _ t: Int64) throws(QueryError) -> [Sample] {
        let (dst, replacement, src, pattern) = (try stringArg(args[1], t), try stringArg(args[2], t),
                                                try stringArg(args[3], t), try stringArg(args[4], t))
        guard Lexer.isValidLabelName(dst) else { throw .evaluation("invalid destination label name in label_replace(): \(dst)") }
        let regex: AnchoredRegex
        do { regex = try AnchoredRegex(pattern) } catch { throw .evaluation("invalid regular expression in label_replace(): \(pattern)") }
        var out: [Sample] = []
        for s in try vectorArg(args[0], t) {
            var labels = s.labels
            if let groups = regex.captures(s.labels[src]) {
                labels.set(dst, Self.expand(replacement, groups))
            }
            out.append(Sample(labels: labels, value: s.value, timestamp: t))
        }
        return try unique(out)
    }

    /// Go's regexp Expand: `$1`, `${1}`; an unknown group expands to nothing.
    public static func expand(_ template: String, _ groups: [String]) -> String {
        var out = ""
        let chars = Array(template)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "$", i + 1 < chars.count else {
                out.append(c)
                i += 1
                continue
            }
            if chars[i + 1] == "$" {
                out.append("$")
                i += 2
                continue
            }
            var name = ""
            var j = i + 1
            if chars[j] == "{" {
                j += 1
                while j < chars.count && chars[j] != "}" {
                    name.append(chars[j])
                    j += 1
                }
                guard j < chars.count else {
                    out.append(c)
                    i += 1
                    continue
                }
                j += 1
            } else {
                while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_") {
                    name.append(chars[j])
                    j += 1
                }
            }
            if name.isEmpty {
                out.append(c)
                i += 1
                continue
            }
            if let n = Int(name), n < groups.count { out += groups[n] }
            i = j
        }
        return out
    }

    private func labelJoin(_ args: [Expr], _ t: Int64) throws(QueryError) -> [Sample] {
        let dst = try stringArg(args[1], t)
        let separator = try stringArg(args[2], t)
        var sources: [String] = []
        for a in args.dropFirst(3) { sources.append(try stringArg(a, t)) }
        guard Lexer.isValidLabelName(dst) else { throw .evaluation("invalid destination label name in label_join(): \(dst)") }
        var out: [Sample] = []
        for s in try vectorArg(args[0], t) {
            var labels = s.labels
            labels.set(dst, sources.map { s.labels[$0] }.joined(separator: separator))
            out.append(Sample(labels: labels, value: s.value, timestamp: t))
        }
        return try unique(out)
    }

    private func histogramQuantile(_ q: Double, _ v: [Sample], _ t: Int64) throws(QueryError) -> [Sample] {
        var order: [Labels] = []
        var groups: [Labels: (labels: Labels, buckets: [HistogramQuantile.Bucket])] = [:]
        for s in v {
            let le = s.labels["le"]
            guard let bound = Double(le) ?? Self.goFloat(le) else {
                continue  // no or malformed `le`: skipped, as Prometheus does
            }
            let key = s.labels.removing(["le"])
            if groups[key] == nil {
                order.append(key)
                groups[key] = (s.labels.removing(["le", Labels.metricName]), [])
            }
            groups[key]!.buckets.append(HistogramQuantile.Bucket(upperBound: bound, count: s.value))
        }
        return try unique(order.map { key in
            let g = groups[key]!
            return Sample(labels: g.labels, value: HistogramQuantile.quantile(q, g.buckets), timestamp: t)
        })
    }

    /// Go's ParseFloat spellings Swift's Double(String) does not take (`+Inf`, `Inf`, `NaN` in any case).
    static func goFloat(_ s: String) -> Double? {
        switch s.lowercased() {
        case "+inf", "inf", "+infinity", "infinity": .infinity
        case "-inf", "-infinity": -.infinity
        case "nan": .nan
        default: nil
        }
    }
}
