import LabelMatchers
import PromModel
import SeriesStorage
import FoundationEssentials
import Glibc

// PromQL functions, as Prometheus 2.42 evaluates them: every argument first, in order.

extension Evaluator {
    /// A function call: every argument evaluated first, in order, then the function, as
    /// Prometheus 2.42 evaluates it.
    func call(_ f: Function, _ args: [Expr], _ t: Int64) throws(QueryError) -> Value {
        // timestamp() of a selector reads the samples' own times; of anything else, the evaluation time.
        if f.name == "timestamp", case .vectorSelector(let s) = args[0].unwrapped {
            let v = try instantSelect(s, t, sampleTimes: true)
            return .vector(try unique(v.map {
                Sample(labels: $0.labels.withoutName, value: Double($0.timestamp) / 1000, timestamp: t)
            }, sameNames: v))
        }
        var values: [Value] = []
        values.reserveCapacity(args.count)
        for a in args { values.append(try eval(a, t)) }
        let a = Arguments(values: values)
        if let v = try generalFunction(f.name, a, args, t) { return v }
        if let v = try sampleFunction(f.name, a, t) { return v }
        return try rangeVectorFunction(f.name, a, args, t)
    }

    /// The functions of the time, of a vector as a whole, and of labels.
    private func generalFunction(_ name: String, _ a: Arguments, _ args: [Expr], _ t: Int64) throws(QueryError) -> Value? {
        switch name {
        case "time":
            return .scalar(Double(t) / 1000, t)
        case "pi":
            return .scalar(.pi, t)
        case "vector":
            return .vector([Sample(labels: Labels(), value: try a.scalar(0), timestamp: t)])
        case "scalar":
            let v = try a.vector(0)
            return .scalar(v.count == 1 ? v[0].value : .nan, t)
        case "timestamp":
            return .vector(try mapValues(try a.vector(0), t) { _ in Double(t) / 1000 })
        case "absent":
            return .vector(try a.vector(0).isEmpty ? [Sample(labels: absentLabels(args[0]), value: 1, timestamp: t)] : [])
        case "absent_over_time":
            return .vector(try a.matrix(0).isEmpty ? [Sample(labels: absentLabels(args[0]), value: 1, timestamp: t)] : [])
        case "histogram_quantile":
            return .vector(try unique(histogramQuantile(try a.scalar(0), try a.vector(1), t)))
        case "histogram_count", "histogram_sum", "histogram_fraction":
            // These read native histograms only; float samples give no result, as in Prometheus.
            return .vector([])
        case "label_replace":
            return .vector(try unique(try labelReplace(a, t)))
        case "label_join":
            return .vector(try unique(try labelJoin(a, t)))
        case "sort", "sort_desc":
            let descending = name == "sort_desc"
            return .vector(try a.vector(0).sorted { x, y in
                if x.value.isNaN { return false }
                if y.value.isNaN { return true }
                return descending ? x.value > y.value : x.value < y.value
            }.map { Sample(labels: $0.labels, value: $0.value, timestamp: t) })
        default:
            return nil
        }
    }

    /// The functions applied to each sample's value: clamps, rounding, math, dates.
    private func sampleFunction(_ name: String, _ a: Arguments, _ t: Int64) throws(QueryError) -> Value? {
        switch name {
        case "clamp":
            let (v, lo, hi) = (try a.vector(0), try a.scalar(1), try a.scalar(2))
            if hi < lo { return .vector([]) }
            return .vector(try mapValues(v, t) { GoFloat.max(lo, GoFloat.min(hi, $0)) })
        case "clamp_min":
            let (v, lo) = (try a.vector(0), try a.scalar(1))
            return .vector(try mapValues(v, t) { GoFloat.max(lo, $0) })
        case "clamp_max":
            let (v, hi) = (try a.vector(0), try a.scalar(1))
            return .vector(try mapValues(v, t) { GoFloat.min(hi, $0) })
        case "round":
            let v = try a.vector(0)
            let toNearest = a.values.count > 1 ? try a.scalar(1) : 1
            let inverse = 1 / toNearest
            return .vector(try mapValues(v, t) { (($0 * inverse) + 0.5).rounded(.down) / inverse })
        default:
            if let math = Self.mathFunctions[name] {
                return .vector(try mapValues(try a.vector(0), t, math))
            }
            if let field = Self.dateFunctions[name] {
                if a.values.isEmpty {
                    return .vector([Sample(labels: Labels(), value: field(GoCalendar(unixSeconds: t / 1000)), timestamp: t)])
                }
                return .vector(try mapValues(try a.vector(0), t) { field(GoCalendar(unixSeconds: GoFloat.int64($0))) })
            }
            return nil
        }
    }

    /// The functions of a range vector: `*_over_time`, `rate` and its kin, `predict_linear`,
    /// `holt_winters`.
    private func rangeVectorFunction(_ name: String, _ a: Arguments, _ args: [Expr], _ t: Int64) throws(QueryError) -> Value {
        switch name {
        case "quantile_over_time":
            let q = try a.scalar(0)
            return .vector(try overTime(try a.matrix(1), t) { Self.quantile(q, $0.map(\.v)) })
        case "predict_linear":
            let (m, seconds) = (try a.matrix(0), try a.scalar(1))
            return .vector(try overTime(m, t, minimum: 2) { points in
                let (slope, intercept) = Self.linearRegression(points, interceptTime: t)
                return slope * seconds + intercept
            })
        case "holt_winters":
            let (m, sf, tf) = (try a.matrix(0), try a.scalar(1), try a.scalar(2))
            // Prometheus checks the factors when it smooths a series: nothing to smooth, no error.
            if m.isEmpty { return .vector([]) }
            guard sf > 0 && sf < 1 else { throw .evaluation("invalid smoothing factor. Expected: 0 < sf < 1, got: \(Self.goFixed6(sf))") }
            guard tf > 0 && tf < 1 else { throw .evaluation("invalid trend factor. Expected: 0 < tf < 1, got: \(Self.goFixed6(tf))") }
            return .vector(try overTime(m, t, minimum: 2) { Self.holtWinters($0, sf, tf) })
        default:
            return .vector(try rangeFunction(name, try a.matrix(0), window(args[0], t), t))
        }
    }

    /// Functions of one value, applied to every sample (the metric name is dropped).
    package static let mathFunctions: [String: @Sendable (Double) -> Double] = [
        "abs": { Swift.abs($0) },
        "ceil": { $0.rounded(.up) },
        "floor": { $0.rounded(.down) },
        "sqrt": { $0.squareRoot() },
        "exp": { Glibc.exp($0) },
        "ln": { GoFloat.log($0) },
        "log2": { GoFloat.log2($0) },
        "log10": { GoFloat.log10($0) },
        "sgn": { $0 > 0 ? 1 : $0 < 0 ? -1 : $0 },
        "acos": { Glibc.acos($0) },
        "acosh": { Glibc.acosh($0) },
        "asin": { Glibc.asin($0) },
        "asinh": { Glibc.asinh($0) },
        "atan": { Glibc.atan($0) },
        "atanh": { Glibc.atanh($0) },
        "cos": { Glibc.cos($0) },
        "cosh": { Glibc.cosh($0) },
        "sin": { Glibc.sin($0) },
        "sinh": { Glibc.sinh($0) },
        "tan": { Glibc.tan($0) },
        "tanh": { Glibc.tanh($0) },
        "deg": { $0 * 180 / .pi },
        "rad": { $0 * .pi / 180 },
    ]

    /// Date functions: a calendar field of a Unix time in UTC.
    package static let dateFunctions: [String: @Sendable (GoCalendar) -> Double] = [
        "day_of_month": { Double($0.day) },
        "day_of_week": { Double($0.weekday) },
        "day_of_year": { Double($0.yearDay + 1) },
        "days_in_month": { Double($0.daysInMonth) },
        "hour": { Double($0.hour) },
        "minute": { Double($0.minute) },
        "month": { Double($0.month) },
        "year": { Double($0.year) },
    ]

    /// Go's `%f` (six decimals), for the messages Prometheus words with it.
    static func goFixed6(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return CFormat.double("%.6f", v)
    }

    // MARK: arguments

    /// The evaluated arguments of a call, read by position and type.
    struct Arguments {
        let values: [Value]

        func scalar(_ i: Int) throws(QueryError) -> Double {
            guard case .scalar(let v, _) = values[i] else { throw .evaluation("expected a scalar argument") }
            return v
        }

        func vector(_ i: Int) throws(QueryError) -> [Sample] {
            guard case .vector(let v) = values[i] else { throw .evaluation("expected an instant vector argument") }
            return v
        }

        func matrix(_ i: Int) throws(QueryError) -> [SeriesPoints] {
            guard case .matrix(let m) = values[i] else { throw .evaluation("expected a range vector argument") }
            return m
        }

        func string(_ i: Int) throws(QueryError) -> String {
            guard case .string(let s, _) = values[i] else { throw .evaluation("expected a string argument") }
            return s
        }
    }

    /// Applies `f` to every value, dropping the metric name.
    private func mapValues(_ v: [Sample], _ t: Int64, _ f: (Double) -> Double) throws(QueryError) -> [Sample] {
        try unique(v.map { Sample(labels: $0.labels.withoutName, value: f($0.value), timestamp: t) }, sameNames: v)
    }

    /// Applies `f` to every series of a range vector (with at least `minimum` points), dropping the metric name.
    private func overTime(
        _ m: [SeriesPoints], _ t: Int64, minimum: Int = 1, keepName: Bool = false, _ f: (PointsView) -> Double?
    ) throws(QueryError) -> [Sample] {
        var out: [Sample] = []
        var sameName = true
        for s in m where s.points.count >= minimum {
            guard let v = f(s.points) else { continue }
            if sameName, let first = out.first, first.labels.name != s.labels.name { sameName = false }
            out.append(Sample(labels: keepName ? s.labels : s.labels.withoutName, value: v, timestamp: t))
        }
        if keepName || (sameName && Set(m.map(\.labels.name)).count <= 1) { return out }
        return try unique(out)
    }

    /// The window of a range-vector argument (`[rangeStart, rangeEnd]`), for extrapolation to its edges.
    private func window(_ e: Expr, _ t: Int64) -> (start: Int64, end: Int64, range: Int64) {
        switch e.unwrapped {
        case .matrixSelector(let s, let range):
            let end = pinned(s.at, t) &- s.offset
            return (end &- range, end, range)
        case .subquery(_, let range, _, let offset, let at):
            let end = pinned(at, t) &- offset
            return (end &- range, end, range)
        default:
            return (t, t, 0)
        }
    }

    // MARK: range functions

    private func rangeFunction(
        _ name: String, _ m: [SeriesPoints], _ w: (start: Int64, end: Int64, range: Int64), _ t: Int64
    ) throws(QueryError) -> [Sample] {
        switch name {
        case "rate", "increase", "delta":
            return try overTime(m, t, minimum: 2) { points in
                Self.extrapolatedRate(points, rangeStart: w.start, rangeEnd: w.end,
                    isCounter: name != "delta", isRate: name == "rate", range: w.range)
            }
        case "irate", "idelta":
            return try overTime(m, t, minimum: 2) { points in
                let last = points[points.count - 1]
                let previous = points[points.count - 2]
                var v = name == "irate" && last.v < previous.v ? last.v : last.v - previous.v
                let interval = last.t - previous.t
                if interval == 0 { return nil }
                if name == "irate" { v /= Double(interval) / 1000 }
                return v
            }
        case "deriv":
            return try overTime(m, t, minimum: 2) { Self.linearRegression($0, interceptTime: $0[0].t).slope }
        case "changes":
            return try overTime(m, t) { points in
                var changes = 0.0
                for i in points.indices.dropFirst() {
                    let (a, b) = (points[i - 1].v, points[i].v)
                    if a != b && !(a.isNaN && b.isNaN) { changes += 1 }
                }
                return changes
            }
        case "resets":
            return try overTime(m, t) { points in
                var resets = 0.0
                for i in points.indices.dropFirst() where points[i].v < points[i - 1].v { resets += 1 }
                return resets
            }
        case "avg_over_time": return try overTime(m, t, Self.compensatedMean)
        case "sum_over_time": return try overTime(m, t, Self.compensatedSum)
        case "count_over_time": return try overTime(m, t) { Double($0.count) }
        case "present_over_time": return try overTime(m, t) { _ in 1 }
        case "last_over_time": return try overTime(m, t, keepName: true) { $0[$0.count - 1].v }
        case "max_over_time":
            return try overTime(m, t) { points in
                var m = points[0].v
                for p in points.dropFirst() where p.v > m || m.isNaN { m = p.v }
                return m
            }
        case "min_over_time":
            return try overTime(m, t) { points in
                var m = points[0].v
                for p in points.dropFirst() where p.v < m || m.isNaN { m = p.v }
                return m
            }
        case "stddev_over_time": return try overTime(m, t) { Self.compensatedVariance($0).squareRoot() }
        case "stdvar_over_time": return try overTime(m, t, Self.compensatedVariance)
        default:
            throw .evaluation("function \"\(name)\" is not implemented")
        }
    }

    /// `avg_over_time`: an incremental mean, compensated (Kahan-Neumaier) as Prometheus 2.42
    /// computes it, with its rules for infinities.
    static func compensatedMean(_ points: PointsView) -> Double? {
        var mean = 0.0
        var c = 0.0
        var count = 0.0
        for p in points {
            count += 1
            if mean.isInfinite {
                if p.v.isInfinite && (mean > 0) == (p.v > 0) { continue }
                if !p.v.isInfinite && !p.v.isNaN { continue }
            }
            (mean, c) = kahanSum(p.v / count - mean / count, mean, c)
        }
        return mean.isInfinite ? mean : mean + c
    }

    /// `sum_over_time`: a compensated (Kahan-Neumaier) sum, as Prometheus 2.42 computes it.
    static func compensatedSum(_ points: PointsView) -> Double? {
        var sum = 0.0
        var c = 0.0
        for p in points { (sum, c) = kahanSum(p.v, sum, c) }
        return sum.isInfinite ? sum : sum + c
    }

    /// `stdvar_over_time` (its square root is `stddev_over_time`): Welford's algorithm with
    /// compensated sums, as Prometheus 2.42 computes it.
    static func compensatedVariance(_ points: PointsView) -> Double {
        var count = 0.0
        var (mean, cMean) = (0.0, 0.0)
        var (aux, cAux) = (0.0, 0.0)
        for p in points {
            count += 1
            let delta = p.v - (mean + cMean)
            (mean, cMean) = kahanSum(delta / count, mean, cMean)
            (aux, cAux) = kahanSum(delta * (p.v - (mean + cMean)), aux, cAux)
        }
        return (aux + cAux) / count
    }

    /// Prometheus's `extrapolatedRate`: the increase over the samples, corrected for counter
    /// resets, extrapolated towards the window's edges (not beyond a counter's zero point).
    static func extrapolatedRate(
        _ points: PointsView, rangeStart: Int64, rangeEnd: Int64, isCounter: Bool, isRate: Bool, range: Int64
    ) -> Double {
        let first = points[0]
        let last = points[points.count - 1]
        var result = last.v - first.v
        if isCounter {
            var previous = first.v
            for p in points.dropFirst() {
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
        var factor = extrapolateTo / sampledInterval
        if isRate { factor /= Double(range) / 1000 }
        return result * factor
    }

    /// Holt-Winters double exponential smoothing, as Prometheus's `holt_winters`.
    static func holtWinters(_ points: PointsView, _ sf: Double, _ tf: Double) -> Double {
        var s0 = 0.0
        var s1 = points[0].v
        var b = points[1].v - points[0].v
        for i in 1..<points.count {
            let x = sf * points[i].v
            // The trend at this point; the first step keeps the initial trend.
            if i > 1 { b = tf * (s1 - s0) + (1 - tf) * b }
            let y = (1 - sf) * (s1 + b)
            (s0, s1) = (s1, x + y)
        }
        return s1
    }

    /// Least-squares slope and intercept (at `interceptTime`), with Kahan summation.
    static func linearRegression(_ points: PointsView, interceptTime: Int64) -> (slope: Double, intercept: Double) {
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

    /// One step of Kahan-Neumaier compensated summation: the new sum and compensation.
    static func kahanSum(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        let t = sum + inc
        var c = c
        if Swift.abs(sum) >= Swift.abs(inc) { c += (sum - t) + inc } else { c += (inc - t) + sum }
        return (t, c)
    }

    // MARK: labels

    /// `absent`'s output labels: the selector's equality matchers (a label matched twice is left out).
    private func absentLabels(_ e: Expr) -> Labels {
        let matchers: [LabelMatcher]
        switch e.unwrapped {
        case .vectorSelector(let s), .matrixSelector(let s, _): matchers = s.matchers
        default: return Labels()
        }
        var labels = Labels()
        var seen = Set<String>()
        for m in matchers where m.name != Labels.metricName {
            if m.op == .equal && !seen.contains(m.name) {
                labels.set(m.name, m.value)
                seen.insert(m.name)
            } else {
                labels.set(m.name, "")
            }
        }
        return labels
    }

    /// The longest label value `label_replace` and `label_join` may build (1 MiB, as long as
    /// the longest a scrape line may carry): a chain of them doubling a value would otherwise
    /// grow it to gigabytes, in the CLI and the sidecar alike. Prometheus has no such bound.
    package static let maxBuiltLabelValue = 1 << 20

    /// The largest label set (encoded, names and values) those functions may leave: a chain
    /// of them setting ever more labels would otherwise reach the 4 GiB a label set can hold.
    package static let maxBuiltLabelSet = 16 << 20

    /// `labels` with `dst` set to `value`, unless the set would pass ``maxBuiltLabelSet``.
    private func setting(_ labels: Labels, _ dst: String, _ value: String, in function: String) throws(QueryError) -> Labels {
        guard labels.encodedSize + dst.utf8.count + value.utf8.count + 16 <= Self.maxBuiltLabelSet else {
            throw .evaluation("\(function)(): the labels would be larger than \(Self.maxBuiltLabelSet) bytes")
        }
        return labels.setting(dst, value)
    }

    private func labelReplace(_ a: Arguments, _ t: Int64) throws(QueryError) -> [Sample] {
        let v = try a.vector(0)
        let (dst, replacement, src, pattern) = (try a.string(1), try a.string(2), try a.string(3), try a.string(4))
        let regex: RE2Pattern
        do { regex = try RE2Pattern(pattern) } catch { throw .evaluation("invalid regular expression in label_replace(): \(pattern)") }
        guard NameValidation.isLabelName(dst) else { throw .evaluation("invalid destination label name in label_replace(): \(dst)") }
        var out: [Sample] = []
        out.reserveCapacity(v.count)
        for s in v {
            var labels = s.labels
            if let groups = regex.captures(s.labels[src]) {
                guard let value = regex.expand(replacement, groups, limit: Self.maxBuiltLabelValue) else {
                    throw .evaluation("label_replace(): the value of \(dst) would be longer than \(Self.maxBuiltLabelValue) bytes")
                }
                labels = try setting(labels, dst, value, in: "label_replace")
            }
            out.append(Sample(labels: labels, value: s.value, timestamp: t))
        }
        return out
    }

    private func labelJoin(_ a: Arguments, _ t: Int64) throws(QueryError) -> [Sample] {
        let v = try a.vector(0)
        let (dst, separator) = (try a.string(1), try a.string(2))
        var sources: [String] = []
        for i in 3..<a.values.count {
            let source = try a.string(i)
            guard NameValidation.isLabelName(source) else { throw .evaluation("invalid source label name in label_join(): \(source)") }
            sources.append(source)
        }
        guard NameValidation.isLabelName(dst) else { throw .evaluation("invalid destination label name in label_join(): \(dst)") }
        var out: [Sample] = []
        out.reserveCapacity(v.count)
        for s in v {
            var labels = s.labels
            let values = sources.map { s.labels[$0] }
            // Measured before it is built: a long separator between many long values could be gigabytes.
            let size = values.reduce(0) { $0 + $1.utf8.count } + max(values.count - 1, 0) * separator.utf8.count
            guard size <= Self.maxBuiltLabelValue else {
                throw .evaluation("label_join(): the value of \(dst) would be longer than \(Self.maxBuiltLabelValue) bytes")
            }
            labels = try setting(labels, dst, values.joined(separator: separator), in: "label_join")
            out.append(Sample(labels: labels, value: s.value, timestamp: t))
        }
        return out
    }

    private func histogramQuantile(_ q: Double, _ v: [Sample], _ t: Int64) -> [Sample] {
        // Buckets are grouped by all their labels but `le` (the metric name included, as
        // Prometheus groups them), by hash with an exact check behind it; each group's
        // result labels (without `le` and the name) are built once.
        struct Group {
            var key: Labels
            var labels: Labels
            var buckets: [HistogramQuantile.Bucket]
        }
        let le = LabelNameSet(["le"])
        var groups: [Group] = []
        var index = HashIndex(capacity: min(v.count, 1024))
        var collided: [UInt64: [Int]] = [:]
        for s in v {
            // No `le`, or one Go's ParseFloat refuses (`1e400`, `x`): skipped, as Prometheus does.
            guard let bound = GoFloat.parse(s.labels["le"]) else { continue }
            let bucket = HistogramQuantile.Bucket(upperBound: bound, count: s.value)
            let hash = s.labels.groupingHash(le, on: false, keepsName: true)
            if let g = index.find(hash) {
                if groups[g].key.sameGroup(s.labels, le, on: false, keepsName: true) {
                    groups[g].buckets.append(bucket)
                    continue
                }
                if let c = collided[hash]?.first(where: { groups[$0].key.sameGroup(s.labels, le, on: false, keepsName: true) }) {
                    groups[c].buckets.append(bucket)
                    continue
                }
                collided[hash, default: []].append(groups.count)
            } else {
                index.insert(hash, groups.count)
            }
            let labels = s.labels.removing(le, name: false, in: arena, using: &builder)
            groups.append(Group(key: s.labels, labels: labels, buckets: [bucket]))
        }
        return groups.map { Sample(labels: $0.labels, value: HistogramQuantile.quantile(q, $0.buckets), timestamp: t) }
    }
}
