import LabelMatchers
import PromModel
import SeriesStorage
/// Evaluates PromQL over a ``SeriesStore`` with Prometheus 2.x semantics: a
/// 5-minute lookback (inclusive), staleness markers, range windows that include
/// their left edge, subqueries aligned to their step, the `@` modifier.
///
/// Evaluation follows Prometheus's engine where its results depend on it: every
/// argument is evaluated before the operation that uses it; selectors return their
/// series in the order they were created (as Prometheus's head does); every computed vector is
/// checked for duplicate label sets; the samples of an instant vector carry the
/// evaluation time, except for `timestamp()` of a selector.
///
/// A selector's series are resolved once per evaluator, whatever the number of
/// steps evaluated; make a new evaluator when the store gains series.
package final class Evaluator {
    /// The store evaluated over. An evaluation holds its read lock only while it copies the
    /// samples its selectors can read (``takeSnapshot(_:start:end:)``), never while it
    /// computes: every selector sees the store as of one moment, and a scrape's commit waits
    /// for that copy at most, not for the query.
    package let store: SeriesStore
    /// How far back an instant selector looks for a sample (Prometheus: 5m).
    package var lookbackDelta: Int64 = 5 * 60_000
    /// The step of subqueries written without one (`x[1h:]`): the evaluation interval.
    package var defaultSubqueryStep: Int64 = 60_000
    /// Series matched by each selector's matchers, in creation order: resolved once per
    /// evaluator and store generation (a new series, or a removed one, resolves them again).
    private var selected: [SelectorKey: [Int32]] = [:]
    private var selectedGeneration: UInt64 = .max
    /// The samples of the evaluation in progress, per selector's matchers: copied from the
    /// store at its start, in the selector's series order.
    private var snapshot: [SelectorKey: [SnapshotSeries]] = [:]
    /// The query's range, for `@ start()` and `@ end()`.
    private var queryStart: Int64 = 0
    private var queryEnd: Int64 = 0
    /// The most samples (selected points and subquery steps) one evaluation may touch, like
    /// Prometheus's `--query.max-samples` (50,000,000): it bounds a query's time and memory.
    package var maxSamples = 50_000_000
    /// Samples touched by the evaluation in progress.
    private var samplesTouched = 0
    /// When the evaluation must give up (`--query.timeout`), checked at every selector and
    /// step; nil: never. Past it, evaluation throws a ``QueryError/Kind/timeout`` error.
    package var deadline: ContinuousClock.Instant? = nil
    /// Asked with the ``deadline``: true calls the evaluation off (a ``QueryError/Kind/canceled``
    /// error), as when the server shuts down under a long query. Nil: never.
    package var isCanceled: (@Sendable () -> Bool)? = nil
    /// Where the label sets this evaluator computes are encoded (results keep their chunks alive).
    let arena = LabelArena()
    /// The builder of those label sets: reused, so building them allocates nothing once warm.
    var builder = LabelsBuilder()

    /// An evaluator over `store`, with Prometheus's defaults (5-minute lookback, at most
    /// 50,000,000 samples).
    package init(store: SeriesStore) {
        self.store = store
    }

    /// Evaluates `expr` at `time` (milliseconds).
    package func evaluate(_ expr: Expr, at time: Int64) throws(QueryError) -> Value {
        queryStart = time
        queryEnd = time
        samplesTouched = 0
        try checkSubquerySteps(expr)
        try takeSnapshot(expr, start: time, end: time)
        defer { snapshot.removeAll(keepingCapacity: true) }
        return try eval(expr, time)
    }

    /// Refuses, before evaluating anything, an expression whose nested subqueries alone
    /// would take more steps than ``maxSamples`` (`max_over_time(x[1d:1s])[1d:1s]`).
    func checkSubquerySteps(_ expr: Expr) throws(QueryError) {
        func steps(_ e: Expr) -> Double {
            switch e {
            case .subquery(let inner, let range, let step, _, _):
                let count = Double(range) / Double(step > 0 ? step : defaultSubqueryStep) + 1
                return count * steps(inner)
            case .unary(_, let x), .parens(let x): return steps(x)
            case .binary(_, let l, let r, _, _): return steps(l) + steps(r)
            case .aggregate(_, let x, let p, _, _): return steps(x) + (p.map(steps) ?? 0)
            case .call(_, let args): return args.map(steps).reduce(0, +)
            case .number, .string, .vectorSelector, .matrixSelector: return 1
            }
        }
        if steps(expr) > Double(maxSamples) {
            throw .evaluation("query processing would load too many samples into memory in query execution "
                + "(its subqueries alone take more than \(maxSamples) steps)")
        }
    }

    /// Evaluates `expr` at every step from `start` to `end` (inclusive), as a range query.
    package func evaluateRange(_ expr: Expr, start: Int64, end: Int64, step: Int64) throws(QueryError) -> [SeriesPoints] {
        queryStart = start
        queryEnd = end
        try takeSnapshot(expr, start: start, end: end)
        defer { snapshot.removeAll(keepingCapacity: true) }
        return try steps(expr, start: start, end: end, step: step, budgetPerStep: true)
    }

    /// The expression at every step, as series (a subquery's or a range query's matrix).
    /// Each step counts against the sample budget; a range query's steps each get a fresh one.
    func steps(_ expr: Expr, start: Int64, end: Int64, step: Int64, budgetPerStep: Bool = false) throws(QueryError) -> [SeriesPoints] {
        let step = max(step, 1)
        if end >= start {
            // Refuse before the first step a subquery that could never fit.
            let count = (end - start) / step + 1
            if !budgetPerStep { try touch(Int(clamping: count)) }
        }
        var byLabels: [Labels: Int] = [:]
        var series: [(labels: Labels, points: [Point])] = []
        var t = start
        while t <= end {
            if budgetPerStep { samplesTouched = 0 }
            try checkDeadline()
            let samples: [Sample]
            switch try eval(expr, t) {
            case .scalar(let v, _): samples = [Sample(labels: Labels(), value: v, timestamp: t)]
            case .vector(let v): samples = v
            default: throw .evaluation("range evaluation needs a scalar or instant vector expression")
            }
            for s in samples {
                if let i = byLabels[s.labels] {
                    series[i].points.append(Point(t: t, v: s.value))
                } else {
                    byLabels[s.labels] = series.count
                    series.append((s.labels, [Point(t: t, v: s.value)]))
                }
            }
            let (next, overflow) = t.addingReportingOverflow(step)
            if overflow { break }
            t = next
        }
        return series.map { SeriesPoints(labels: $0.labels, points: $0.points) }
    }

    /// Throws a timeout once ``deadline`` has passed, and a cancellation once ``isCanceled`` says so.
    @inline(__always)
    func checkDeadline() throws(QueryError) {
        if let deadline, ContinuousClock.now >= deadline { throw QueryError(kind: .timeout, message: "query timed out in expression evaluation") }
        if let isCanceled, isCanceled() { throw QueryError(kind: .canceled, message: "query canceled: the server is shutting down") }
    }

    /// Counts `n` samples against ``maxSamples``, and checks the ``deadline``.
    func touch(_ n: Int) throws(QueryError) {
        try checkDeadline()
        samplesTouched += n
        if samplesTouched > maxSamples { throw tooManySamples }
    }

    /// Prometheus's `ErrTooManySamples`, with the limit.
    var tooManySamples: QueryError {
        .evaluation("query processing would load too many samples into memory in query execution (more than \(maxSamples) samples)")
    }

    // MARK: dispatch

    func eval(_ expr: Expr, _ t: Int64) throws(QueryError) -> Value {
        switch expr {
        case .number(let v):
            return .scalar(v, t)
        case .string(let s):
            return .string(s, t)
        case .parens(let e):
            return try eval(e, t)
        case .vectorSelector(let s):
            return .vector(try instantSelect(s, t, sampleTimes: false))
        case .matrixSelector(let s, let range):
            return .matrix(try rangeSelect(s, range: range, t))
        case .subquery(let e, let range, let step, let offset, let at):
            return .matrix(try subquery(e, range: range, step: step, offset: offset, at: at, t))
        case .unary(_, let e):
            switch try eval(e, t) {
            case .scalar(let v, let ts): return .scalar(-v, ts)
            case .vector(let v):
                return .vector(try unique(v.map { Sample(labels: $0.labels.withoutName, value: -$0.value, timestamp: t) },
                                          sameNames: v))
            default: throw .evaluation("unary minus needs a scalar or instant vector")
            }
        case .binary(let op, let l, let r, let matching, let returnBool):
            let lhs = try eval(l, t)
            let rhs = try eval(r, t)
            return try binary(op, lhs, rhs, matching: matching, returnBool: returnBool, t)
        case .aggregate(let op, let e, let parameter, let grouping, let without):
            var param: Value? = nil
            if let parameter { param = try eval(parameter, t) }
            guard case .vector(let v) = try eval(e, t) else { throw .evaluation("aggregation needs an instant vector") }
            return .vector(try aggregate(op, v, parameter: param, grouping: grouping, without: without, t))
        case .call(let f, let args):
            return try call(f, args, t)
        }
    }

    /// The time an `@` modifier pins a selector or subquery to (the step's time without one).
    func pinned(_ at: AtModifier?, _ t: Int64) -> Int64 {
        switch at {
        case .time(let ms): ms
        case .start: queryStart
        case .end: queryEnd
        case nil: t
        }
    }

    // MARK: selectors

    /// The series a selector matches. The caller holds the store's read lock.
    private func series(for s: VectorSelector) -> [Int32] {
        if selectedGeneration != store.generationUnlocked {
            selected.removeAll(keepingCapacity: true)
            selectedGeneration = store.generationUnlocked
        }
        let key = SelectorKey(s.matchers)
        if let cached = selected[key] { return cached }
        // In the order the series were created: Prometheus's engine reads its head unsorted,
        // in that order, and sums and topk's ties follow it.
        let found = store.selectUnlocked(s.matchers)
        selected[key] = found
        return found
    }

    /// Copies, under one read lock, every sample the expression's selectors can read when
    /// evaluated from `start` to `end`: for each selector from `start` minus its reach and the
    /// lookback on (everything, when an `@` modifier pins a time), up to the newest sample.
    /// The copy counts against ``maxSamples``, which bounds its memory.
    func takeSnapshot(_ expr: Expr, start: Int64, end: Int64) throws(QueryError) {
        snapshot.removeAll(keepingCapacity: true)
        let reaches = expr.selectorReaches
        guard !reaches.isEmpty else { return }
        let pinned = expr.pinsTime
        var from: [SelectorKey: (VectorSelector, Int64)] = [:]
        for r in reaches {
            let key = SelectorKey(r.selector.matchers)
            let back = r.back > Int64.max - lookbackDelta ? Int64.max : r.back + lookbackDelta
            let (lower, overflow) = start.subtractingReportingOverflow(back)
            let bound = pinned || overflow ? Int64.min : lower
            from[key] = (r.selector, min(from[key]?.1 ?? .max, bound))
        }
        try checkDeadline()
        var copied = 0
        try store.read { () throws(QueryError) in
            for (key, (selector, lower)) in from {
                let refs = series(for: selector)
                var out: [SnapshotSeries] = []
                out.reserveCapacity(refs.count)
                for ref in refs {
                    let record = store.recordUnlocked(ref)
                    let first = lower == .min ? 0 : lowerBound(record.points, lower)
                    guard first < record.points.count else { continue }
                    copied += record.points.count - first
                    if copied > maxSamples { throw tooManySamples }
                    out.append(SnapshotSeries(labels: record.labels, points: Array(record.points[first...]), hasStaleMarkers: record.hasStaleMarkers))
                }
                snapshot[key] = out
            }
        }
    }

    /// The latest sample of each series within the lookback window before the selector's
    /// time (`t`, or its `@` time) minus its offset. The samples carry the evaluation time
    /// `t`, or with `sampleTimes` their own timestamps (for `timestamp()`).
    func instantSelect(_ s: VectorSelector, _ t: Int64, sampleTimes: Bool) throws(QueryError) -> [Sample] {
        let at = pinned(s.at, t) &- s.offset
        let selected = snapshot[SelectorKey(s.matchers)] ?? []
        var out: [Sample] = []
        out.reserveCapacity(selected.count)
        for series in selected {
            let k = upperBound(series.points, at) - 1
            guard k >= 0 else { continue }
            let p = series.points[k]
            if p.t < at &- lookbackDelta || SeriesStore.isStale(p.v) { continue }
            out.append(Sample(labels: series.labels, value: p.v, timestamp: sampleTimes ? p.t : t))
        }
        try touch(out.count)
        return out
    }

    /// Every sample in `[end - range, end]`, `end` being the selector's time minus its offset
    /// (Prometheus 2.x: the left edge is included): views onto the evaluation's snapshot, not copied,
    /// unless stale markers have to be left out.
    func rangeSelect(_ s: VectorSelector, range: Int64, _ t: Int64) throws(QueryError) -> [SeriesPoints] {
        let end = pinned(s.at, t) &- s.offset
        let start = end &- range
        let selected = snapshot[SelectorKey(s.matchers)] ?? []
        var out: [SeriesPoints] = []
        out.reserveCapacity(selected.count)
        for series in selected {
            let from = lowerBound(series.points, start)
            let to = upperBound(series.points, end)
            guard from < to else { continue }
            try touch(to - from)
            let slice = series.points[from..<to]
            if series.hasStaleMarkers {
                let kept = slice.filter { !SeriesStore.isStale($0.v) }
                if !kept.isEmpty { out.append(SeriesPoints(labels: series.labels, points: kept)) }
            } else {
                out.append(SeriesPoints(labels: series.labels, slice: slice))
            }
        }
        return out
    }

    /// `expr[range:step] offset d`: the inner expression at every multiple of the step in the window.
    private func subquery(
        _ e: Expr, range: Int64, step: Int64, offset: Int64, at: AtModifier?, _ t: Int64
    ) throws(QueryError) -> [SeriesPoints] {
        let interval = step > 0 ? step : defaultSubqueryStep
        let end = pinned(at, t) &- offset
        let windowStart = end &- range
        var start = interval * (windowStart / interval)
        if start < windowStart { start += interval }
        return try steps(e, start: start, end: end, step: interval)
    }

    /// Prometheus refuses a vector in which two samples have the same labels (after a
    /// metric name was dropped, or labels were rewritten): "vector cannot contain metrics
    /// with the same labelset".
    func unique(_ v: [Sample]) throws(QueryError) -> [Sample] {
        if v.count < 2 { return v }
        var seen = HashIndex(capacity: v.count)
        for (i, s) in v.enumerated() {
            if let j = seen.insert(s.labels.fingerprint, i), v[j].labels == s.labels {
                throw .evaluation("vector cannot contain metrics with the same labelset")
            }
        }
        return v
    }

    /// ``unique(_:)`` for a vector made from `inputs` by dropping the metric name only:
    /// inputs of one metric name cannot collide, and skip the check.
    func unique(_ v: [Sample], sameNames inputs: [Sample]) throws(QueryError) -> [Sample] {
        if let first = inputs.first?.labels.name, inputs.allSatisfy({ $0.labels.name == first }) { return v }
        return try unique(v)
    }
}

/// A selector's matchers as a cache key, hashed once.
/// One series as an evaluation reads it: its samples from the window the expression can
/// reach, copied out of the store.
struct SnapshotSeries {
    let labels: Labels
    let points: [Point]
    let hasStaleMarkers: Bool
}

struct SelectorKey: Hashable {
    let matchers: [LabelMatcher]
    private let hash: Int

    init(_ matchers: [LabelMatcher]) {
        self.matchers = matchers
        var h = Hasher()
        h.combine(matchers)
        hash = h.finalize()
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    static func == (a: SelectorKey, b: SelectorKey) -> Bool { a.hash == b.hash && a.matchers == b.matchers }
}
