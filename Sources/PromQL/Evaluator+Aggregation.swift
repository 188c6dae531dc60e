import PromModel
import SeriesStorage
import FoundationEssentials

// Aggregation operators with `by`/`without`, as Prometheus 2.42's engine computes them.

extension Evaluator {
    /// One output group of an aggregation: its labels and what is accumulated for it.
    private struct Group {
        var labels: Labels
        var value: Double
        var mean: Double
        var count: Int
        /// topk/bottomk: a binary heap kept exactly as Go's container/heap keeps it, so that
        /// ties keep the same series as Prometheus; quantile: the values.
        var heap: [Sample]

        /// A group started by its first sample.
        init(_ op: AggregationOperator, labels: Labels, first s: Sample) {
            self.labels = labels
            value = op == .stddev || op == .stdvar ? 0 : op == .group ? 1 : s.value
            mean = s.value
            count = 1
            heap = op == .topk || op == .bottomk || op == .quantile ? [s] : []
        }

        /// Accumulates one more sample, as Prometheus 2.42's `aggregation` loop does
        /// (incremental mean with its infinity rules, Welford's variance, Go's heap for k).
        mutating func add(_ s: Sample, _ op: AggregationOperator, k: Int) {
            switch op {
            case .sum: value += s.value
            case .avg:
                count += 1
                if mean.isInfinite {
                    if s.value.isInfinite && (mean > 0) == (s.value > 0) { break }
                    if !s.value.isInfinite && !s.value.isNaN { break }
                }
                mean += s.value / Double(count) - mean / Double(count)
            case .count, .countValues: count += 1
            case .group: break
            case .max: if value < s.value || value.isNaN { value = s.value }
            case .min: if value > s.value || value.isNaN { value = s.value }
            case .stddev, .stdvar:
                count += 1
                let delta = s.value - mean
                mean += delta / Double(count)
                value += delta * (s.value - mean)
            case .topk, .bottomk:
                let less = op == .topk ? Evaluator.topkLess : Evaluator.bottomkLess
                let top = heap[0].value
                guard heap.count < k || (op == .topk ? top < s.value : top > s.value) || top.isNaN else { break }
                if heap.count == k {
                    if k == 1 {
                        heap[0] = s
                        break
                    }
                    GoHeap.pop(&heap, less)
                }
                GoHeap.push(&heap, s, less)
            case .quantile: heap.append(s)
            }
        }
    }

    /// What an aggregation's parameter says: `k` of topk/bottomk (nil: nothing is kept), the
    /// quantile's φ, count_values' label.
    private struct Parameter {
        var k = 0
        var q = 0.0
        var valueLabel = ""
    }

    /// The parameter of `op`, checked as Prometheus checks it; nil when the result is empty.
    private func parameter(_ op: AggregationOperator, _ parameter: Value?, inputCount: Int) throws(QueryError) -> Parameter? {
        var out = Parameter()
        switch (op, parameter) {
        case (.topk, .scalar(let p, _)), (.bottomk, .scalar(let p, _)):
            // Prometheus converts k to an int64 and refuses what does not fit (its bound is the
            // largest float64 below 2^63).
            guard p >= -9_223_372_036_854_775_808.0, p <= 9_223_372_036_854_774_784.0 else {
                throw .evaluation("Scalar value \(p) overflows int64")
            }
            let k64 = GoFloat.int64(p)
            if k64 < 1 { return nil }
            // More than the input never matters: every series is kept.
            out.k = Int(Swift.min(k64, Int64(inputCount)))
            if out.k == 0 { return nil }
        case (.quantile, .scalar(let p, _)):
            out.q = p
        case (.countValues, .string(let s, _)):
            out.valueLabel = s
            guard NameValidation.isLabelName(s) else { throw .evaluation("invalid label name \(quoted(s))") }
        default:
            break
        }
        return out
    }

    /// An aggregation (`sum`, `avg`, `topk`, `quantile`, `count_values`, …) of `v` by or
    /// without `grouping`, as Prometheus 2.42's engine computes it.
    func aggregate(
        _ op: AggregationOperator, _ v: [Sample], parameter: Value?, grouping: [String], without: Bool, _ t: Int64
    ) throws(QueryError) -> [Sample] {
        guard let p = try self.parameter(op, parameter, inputCount: v.count) else { return [] }
        // Groups by the hash of their labels, as Prometheus groups (its map is keyed by the
        // 64-bit hash of the grouping labels); each group's label set is built once.
        var groups: [Group] = []
        var index = HashIndex(capacity: min(v.count, 1024))
        let names = LabelNameSet(grouping)
        let byNames = op == .countValues && !without ? LabelNameSet(grouping + [p.valueLabel]) : names
        for s in v {
            var metric = s.labels
            // count_values groups by the value too: the series with the value label set, as
            // Prometheus does, so that series whose labels become equal are counted together.
            if op == .countValues { metric = metric.setting(p.valueLabel, GoFloat.formatFixed(s.value), in: arena, using: &builder) }
            let key = without ? metric.groupingHash(names, on: false) : metric.groupingHash(byNames, on: true)
            if let gi = index.find(key) {
                groups[gi].add(s, op, k: p.k)
                continue
            }
            index.insert(key, groups.count)
            let labels =
                without
                ? metric.removing(names, name: false, in: arena, using: &builder)
                : metric.keeping(byNames, in: arena, using: &builder)
            groups.append(Group(op, labels: labels, first: s))
        }
        return results(op, groups, q: p.q, t)
    }

    /// Each group's result: one sample, or for topk/bottomk its kept series in order.
    private func results(_ op: AggregationOperator, _ groups: [Group], q: Double, _ t: Int64) -> [Sample] {
        var out: [Sample] = []
        out.reserveCapacity(groups.count)
        for g in groups {
            let value: Double
            switch op {
            case .sum, .max, .min, .group: value = g.value
            case .avg: value = g.mean
            case .count, .countValues: value = Double(g.count)
            case .stdvar: value = g.value / Double(g.count)
            case .stddev: value = (g.value / Double(g.count)).squareRoot()
            case .quantile: value = Self.quantile(q, g.heap.map(\.value))
            case .topk, .bottomk:
                // Largest first for topk, smallest first for bottomk, as Go's sort.Reverse of the heap orders them.
                let less = op == .topk ? Self.topkLess : Self.bottomkLess
                for s in GoHeap.sortedDescending(g.heap, less) {
                    out.append(Sample(labels: s.labels, value: s.value, timestamp: t))
                }
                continue
            }
            out.append(Sample(labels: g.labels, value: value, timestamp: t))
        }
        return out
    }

    /// Prometheus's `vectorByValueHeap`: NaN counts as the smallest value.
    static func topkLess(_ a: Sample, _ b: Sample) -> Bool { a.value.isNaN || a.value < b.value }
    /// Prometheus's `vectorByReverseValueHeap`: NaN counts as the largest value.
    static func bottomkLess(_ a: Sample, _ b: Sample) -> Bool { a.value.isNaN || a.value > b.value }

    /// The φ-quantile of values, interpolating linearly between the closest ranks.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = values.sorted { a, b in a < b || (a.isNaN && !b.isNaN) }
        let n = Double(sorted.count)
        let rank = q * (n - 1)
        let lower = Swift.max(0, rank.rounded(.down))
        let upper = Swift.min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return sorted[Int(lower)] * (1 - weight) + sorted[Int(upper)] * weight
    }
}

/// Go's `container/heap` and `sort.Sort` over a slice, step for step: which of several
/// equal values topk/bottomk keep depends on them.
enum GoHeap {
    static func push<T>(_ h: inout [T], _ x: T, _ less: (T, T) -> Bool) {
        h.append(x)
        up(&h, h.count - 1, less)
    }

    static func pop<T>(_ h: inout [T], _ less: (T, T) -> Bool) {
        let n = h.count - 1
        h.swapAt(0, n)
        down(&h, 0, n, less)
        h.removeLast()
    }

    private static func up<T>(_ h: inout [T], _ j0: Int, _ less: (T, T) -> Bool) {
        var j = j0
        while true {
            let i = (j - 1) / 2
            if i == j || !less(h[j], h[i]) { break }
            h.swapAt(i, j)
            j = i
        }
    }

    private static func down<T>(_ h: inout [T], _ i0: Int, _ n: Int, _ less: (T, T) -> Bool) {
        var i = i0
        while true {
            let j1 = 2 * i + 1
            if j1 >= n || j1 < 0 { break }
            var j = j1
            if j1 + 1 < n && less(h[j1 + 1], h[j1]) { j = j1 + 1 }
            if !less(h[j], h[i]) { break }
            h.swapAt(i, j)
            i = j
        }
    }

    /// `sort.Sort(sort.Reverse(h))`: Go's insertion sort for up to 12 elements (the sizes
    /// topk and bottomk usually have), a stable sort beyond.
    static func sortedDescending<T>(_ h: [T], _ less: (T, T) -> Bool) -> [T] {
        var a = h
        func reversedLess(_ x: T, _ y: T) -> Bool { less(y, x) }
        if a.count <= 12 {
            for i in 1..<Swift.max(a.count, 1) {
                var j = i
                while j > 0 && reversedLess(a[j], a[j - 1]) {
                    a.swapAt(j, j - 1)
                    j -= 1
                }
            }
            return a
        }
        return a.enumerated().sorted { x, y in
            reversedLess(x.element, y.element) || (!reversedLess(y.element, x.element) && x.offset < y.offset)
        }.map(\.element)
    }
}
