import Foundation

// Aggregation operators with `by`/`without`.

extension Evaluator {
    private struct Group {
        var labels: Labels
        var value: Double
        var mean: Double
        var count: Int
        var samples: [Sample]
    }

    func aggregate(
        _ op: AggregationOperator, _ v: [Sample], parameter: Value?, grouping: [String], without: Bool, _ t: Int64
    ) throws(QueryError) -> [Sample] {
        var k = 0
        var q = 0.0
        var valueLabel = ""
        switch (op, parameter) {
        case (.topk, .scalar(let p, _)), (.bottomk, .scalar(let p, _)):
            guard p.isFinite || p.isNaN, !p.isNaN else { throw .evaluation("Parameter value is NaN") }
            k = p >= Double(Int.max) ? Int.max : Int(p)
            if k < 1 { return [] }
        case (.quantile, .scalar(let p, _)):
            q = p
        case (.countValues, .string(let s, _)):
            valueLabel = s
            guard Lexer.isValidLabelName(s) else { throw .evaluation("invalid label name \(quoted(s))") }
        default:
            break
        }

        var order: [[String]] = []
        var groups: [[String]: Group] = [:]
        let excluded = grouping + [Labels.metricName]
        for s in v {
            // The group key: the `by` labels' values, or every label but the `without` ones.
            var key: [String]
            if without {
                key = []
                for l in s.labels.labels where !excluded.contains(l.name) {
                    key.append(l.name)
                    key.append(l.value)
                }
            } else {
                key = grouping.map { s.labels[$0] }
            }
            let countValue = op == .countValues ? Self.formatValue(s.value) : ""
            if op == .countValues { key.append(countValue) }
            if var g = groups[key] {
                switch op {
                case .sum: g.value += s.value
                case .avg:
                    g.count += 1
                    if g.mean.isInfinite {
                        if s.value.isInfinite && (g.mean > 0) == (s.value > 0) { break }
                        if !s.value.isInfinite && !s.value.isNaN { break }
                    }
                    g.mean += s.value / Double(g.count) - g.mean / Double(g.count)
                case .count, .countValues: g.count += 1
                case .group: break
                case .max: if g.value < s.value || g.value.isNaN { g.value = s.value }
                case .min: if g.value > s.value || g.value.isNaN { g.value = s.value }
                case .stddev, .stdvar:
                    g.count += 1
                    let delta = s.value - g.mean
                    g.mean += delta / Double(g.count)
                    g.value += delta * (s.value - g.mean)
                case .topk, .bottomk, .quantile: g.samples.append(s)
                }
                groups[key] = g
            } else {
                var labels = without ? s.labels.removing(excluded) : s.labels.keeping(grouping)
                if op == .countValues { labels.set(valueLabel, countValue) }
                order.append(key)
                groups[key] = Group(
                    labels: labels, value: op == .stddev || op == .stdvar ? 0 : s.value, mean: s.value, count: 1,
                    samples: [s])
            }
        }

        var out: [Sample] = []
        for key in order {
            let g = groups[key]!
            switch op {
            case .sum, .max, .min: out.append(Sample(labels: g.labels, value: g.value, timestamp: t))
            case .avg: out.append(Sample(labels: g.labels, value: g.mean, timestamp: t))
            case .count, .countValues: out.append(Sample(labels: g.labels, value: Double(g.count), timestamp: t))
            case .group: out.append(Sample(labels: g.labels, value: 1, timestamp: t))
            case .stdvar: out.append(Sample(labels: g.labels, value: g.value / Double(g.count), timestamp: t))
            case .stddev: out.append(Sample(labels: g.labels, value: (g.value / Double(g.count)).squareRoot(), timestamp: t))
            case .quantile:
                out.append(Sample(labels: g.labels, value: Self.quantile(q, g.samples.map(\.value)), timestamp: t))
            case .topk, .bottomk:
                // NaN counts as the smallest value for topk and the largest for bottomk.
                let sorted = g.samples.sorted { a, b in
                    if op == .topk { return a.value > b.value || (b.value.isNaN && !a.value.isNaN) }
                    return a.value < b.value || (b.value.isNaN && !a.value.isNaN)
                }
                for s in sorted.prefix(k) { out.append(Sample(labels: s.labels, value: s.value, timestamp: t)) }
            }
        }
        return out
    }

    /// The φ-quantile of values, interpolating linearly between the closest ranks.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = values.sorted { a, b in a < b || (a.isNaN && !b.isNaN) }
        let n = Double(sorted.count)
        let rank = q * (n - 1)
        let lower = max(0, rank.rounded(.down))
        let upper = min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return sorted[Int(lower)] * (1 - weight) + sorted[Int(upper)] * weight
    }

    /// A value as Go's strconv.FormatFloat(v, 'f', -1, 64) writes it (count_values labels).
    static func formatValue(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded() && abs(v) < 1e21 { return String(format: "%.0f", v) }
        var s = "\(v)"
        if s.contains("e") { s = String(format: "%.17f", v).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression) }
        return s
    }
}

extension Lexer {
    static func isValidLabelName(_ s: String) -> Bool {
        guard let first = s.utf8.first, (isIdentifierStart(first) && first != UInt8(ascii: ":")) else { return false }
        return s.utf8.allSatisfy { isIdentifierChar($0) && $0 != UInt8(ascii: ":") }
    }
}
