import PromQL
import PromText

/// One scrape read for `ctlmon check`: its series in the store (one sample each), whether
/// each is cumulative (a counter, or a histogram's or summary's buckets, sum and count),
/// and what the report says about the scrape.
public struct Snapshot: Sendable {
    public struct Series: Sendable {
        public var ref: Int32
        public var value: Double
        public var cumulative: Bool
        /// Which of the ``OneShot/Reach``'s needs its history meets (-1: one point, now).
        public var need: Int16
    }

    /// The `instance` label its series get (the source's file name).
    public var instance: String
    public var series: [Series] = []
    /// `process_start_time_seconds`, in milliseconds, if the scrape has a plausible one.
    public var processStart: Int64?
    /// A `process_start_time_seconds` that is not a plausible Unix time (0, negative, NaN,
    /// past the year 9999), kept to say so in the report.
    public var implausibleProcessStart: Double?
    /// Samples of a series already seen in this scrape: dropped (the first one is kept), as
    /// Prometheus drops duplicate samples for a timestamp, and counted.
    public var duplicateSamples = 0
    /// Samples beyond ``SnapshotCollector``'s limit: not kept; a non-zero count makes the source bad input.
    public var samplesOverLimit = 0
    /// The newest sample timestamp, if the scrape carries timestamps.
    public var latestTimestamp: Int64?
    /// The Kubernetes version from `kubernetes_build_info`, if present.
    public var version: String?
    /// Whether some sample is of a family the caller's `identifies` test accepted.
    public var identified = false
    /// Whether some sample's name starts with `apiserver_` or `etcd_`.
    public var controlPlaneNamed = false
    public var seriesCount: Int { series.count }

    public init(instance: String) { self.instance = instance }
}

/// Reads one scrape into a store through the one ingest path (``ScrapeAppender``), with
/// `instance` as its target label, keeping at most `sampleLimit` samples (memory stays
/// bounded whatever the scrape; what is over the limit is counted).
public final class SnapshotCollector: SampleConsumer {
    public private(set) var snapshot: Snapshot
    private let appender: ScrapeAppender
    private let sampleLimit: Int
    private let identifies: (ByteView) -> Bool
    private let reach: OneShot.Reach
    private var cumulative: [Bool] = []
    private var needs: [Int16] = []
    /// The last metric name seen and its need: samples of one family come together.
    private var lastName: [UInt8] = []
    private var lastNeed: Int16 = -1

    /// The latest Unix time in milliseconds ctlmon accepts from a scrape (the end of year 9999).
    public static let latestTime: Int64 = 253_402_300_799_000
    /// The earliest (the start of year 1).
    public static let earliestTime: Int64 = -62_135_596_800_000

    public init(
        store: SeriesStore, instance: String, sampleLimit: Int = .max, reach: OneShot.Reach = OneShot.Reach(),
        identifies: @escaping (ByteView) -> Bool = { _ in true }
    ) {
        snapshot = Snapshot(instance: instance)
        self.reach = reach
        appender = ScrapeAppender(store: store, scrapeTime: 0, targetLabels: [("instance", instance)], cachesSeries: false)
        self.sampleLimit = sampleLimit
        self.identifies = identifies
    }

    public func consume(_ s: SampleView) {
        guard cumulative.count < sampleLimit else {
            snapshot.samplesOverLimit += 1
            return
        }
        let name = s.name
        switch s.type {
        case .counter, .histogram: cumulative.append(true)
        case .summary: cumulative.append(name.hasSuffix(Array("_sum".utf8)) || name.hasSuffix(Array("_count".utf8)))
        case .gaugehistogram, .gauge, .info, .stateset: cumulative.append(false)
        case .untyped:
            cumulative.append(name.hasSuffix(Array("_total".utf8)) || name.hasSuffix(Array("_bucket".utf8))
                || name.hasSuffix(Array("_count".utf8)))
        }
        if !(name == lastName) {
            lastName = name.bytes
            lastNeed = reach.need(for: name.buffer)
        }
        needs.append(lastNeed)
        if !snapshot.identified && identifies(name) { snapshot.identified = true }
        if !snapshot.controlPlaneNamed && (name.hasPrefix(Array("apiserver_".utf8)) || name.hasPrefix(Array("etcd_".utf8))) {
            snapshot.controlPlaneNamed = true
        }
        if name == "process_start_time_seconds" {
            if s.value > 0 && s.value * 1000 <= Double(Self.latestTime) {
                snapshot.processStart = Int64(s.value * 1000)
            } else {
                snapshot.implausibleProcessStart = s.value
            }
        }
        if name == "kubernetes_build_info", let i = s.labelIndex("git_version") { snapshot.version = s.labelValue(i) }
        if let ts = s.timestampMilliseconds { snapshot.latestTimestamp = max(snapshot.latestTimestamp ?? ts, ts) }
        appender.consume(s)
    }

    /// Writes the scrape to the store: one series each, the first of any repeated series kept.
    public func finish() {
        let outcome = appender.commit()
        snapshot.duplicateSamples = outcome.duplicates
        var seen: [Bool] = []
        snapshot.series.reserveCapacity(cumulative.count)
        for (k, ref) in appender.committedRefs.enumerated() {
            let r = Int(ref)
            if r >= seen.count { seen += repeatElement(false, count: max(r + 1 - seen.count, seen.count)) }
            if seen[r] { continue }
            seen[r] = true
            snapshot.series.append(Snapshot.Series(ref: ref, value: appender.committedValues[k], cumulative: cumulative[k], need: needs[k]))
        }
    }
}

/// The one-shot semantics of `ctlmon check`: a straight-line history for every series, so
/// that unchanged rules answer over the process lifetime (or the baseline window).
///
/// A cumulative series goes from 0 at the process start (or from its baseline value at
/// the baseline's time) to its scraped value now; a gauge is held flat. Samples lie every
/// `step` over the last `window` (the longest range the rules read), so any `rate(x[w])`
/// is the average over the lifetime and `histogram_quantile` sees the lifetime distribution.
public enum OneShot {
    public struct Window: Sendable {
        /// Where each instance's line starts (milliseconds) and what it starts from.
        public var start: Int64
        public var now: Int64
    }

    /// How far back, and how densely, the history of each metric must reach for a set of
    /// expressions (the rules and the report's queries): per metric name, the longest range
    /// (plus offsets, plus the ranges of enclosing subqueries) and a spacing of half the
    /// shortest range, so every window of every range holds at least two points and a
    /// straight line gives its exact rate. A metric read by no range needs one point, now.
    public struct Reach: Sendable {
        public struct Need: Sendable, Equatable {
            public var window: Int64
            public var step: Int64
        }

        /// The distinct needs; series refer to them by index.
        public private(set) var needs: [Need] = []
        private var byName: [[UInt8]: Int16] = [:]
        /// For selectors without a metric name: every series.
        private var everySeries: Int16 = -1

        public init() {}

        /// `recorded`: names written by recording rules, which need no synthetic history.
        public init(_ exprs: [Expr], recorded: Set<String> = []) {
            var windows: [String: (window: Int64, step: Int64)] = [:]
            var unnamed: (window: Int64, step: Int64)? = nil
            func note(_ s: VectorSelector, window: Int64, step: Int64) {
                if let n = s.name, recorded.contains(n) { return }
                let w = max(0, window)
                if let n = s.name {
                    let old = windows[n] ?? (0, Int64.max)
                    windows[n] = (max(old.window, w), min(old.step, step))
                } else {
                    let old = unnamed ?? (0, Int64.max)
                    unnamed = (max(old.window, w), min(old.step, step))
                }
            }
            func walk(_ e: Expr, _ extra: Int64, _ inSubquery: Bool) {
                switch e {
                case .matrixSelector(let s, let range):
                    note(s, window: extra + range + s.offset, step: range / 2)
                case .vectorSelector(let s):
                    // An instant selector inside a subquery is read at every subquery step: a point
                    // within the lookback of each is enough.
                    note(s, window: extra + s.offset, step: inSubquery ? 150_000 : Int64.max)
                case .subquery(let inner, let range, _, let offset, _):
                    walk(inner, extra + range + offset, true)
                case .unary(_, let x), .parens(let x): walk(x, extra, inSubquery)
                case .binary(_, let l, let r, _, _):
                    walk(l, extra, inSubquery)
                    walk(r, extra, inSubquery)
                case .aggregate(_, let x, let p, _, _):
                    walk(x, extra, inSubquery)
                    if let p { walk(p, extra, inSubquery) }
                case .call(_, let args): args.forEach { walk($0, extra, inSubquery) }
                case .number, .string: break
                }
            }
            exprs.forEach { walk($0, 0, false) }
            func index(_ w: (window: Int64, step: Int64)) -> Int16 {
                guard w.window > 0 else { return -1 }
                let need = Need(window: w.window, step: max(15_000, min(w.step == .max ? 60_000 : w.step, 3_600_000) / 1000 * 1000))
                if let i = needs.firstIndex(of: need) { return Int16(i) }
                needs.append(need)
                return Int16(needs.count - 1)
            }
            for (name, w) in windows { byName[Array(name.utf8)] = index(w) }
            if let unnamed { everySeries = index(unnamed) }
        }

        /// The reach of rule groups' expressions and some more (a report's queries).
        public init(groups: [RuleGroup], extra: [Expr] = []) {
            let recorded = Set(groups.flatMap { $0.rules.filter { $0.kind == .recording }.map(\.name) })
            self.init(groups.flatMap { $0.rules.map(\.expr) } + extra, recorded: recorded)
        }

        /// The need of a series with this metric name (-1: one point, now).
        public func need(for name: UnsafeBufferPointer<UInt8>) -> Int16 {
            let own = byName[Array(name)] ?? -1
            guard everySeries >= 0 else { return own }
            guard own >= 0 else { return everySeries }
            // Both apply: the wider window, the denser points.
            let a = needs[Int(own)]
            let b = needs[Int(everySeries)]
            return a.window >= b.window && a.step <= b.step ? own : everySeries
        }
    }

    /// Replaces each series of `current` in `store` with its straight-line history, points
    /// `step` apart over its need's window (one point, now, for a series no range reads).
    /// `baseline` (a snapshot in its own store) values are matched to `current` by labels.
    public static func history(
        current: Snapshot, now: Int64, baseline: (snapshot: Snapshot, store: SeriesStore)?, baselineTime: Int64?,
        reach: Reach, into store: SeriesStore
    ) -> Window {
        let start: Int64
        var base: [Labels: Double] = [:]
        if let baseline, let baselineTime {
            start = baselineTime
            let labels = baseline.store.labels(of: baseline.snapshot.series.map(\.ref))
            for (s, l) in zip(baseline.snapshot.series, labels) where s.cumulative { base[l] = s.value }
        } else {
            // Without a start time the lifetime is unknown: one hour, said in the report.
            start = current.processStart ?? (now - 3_600_000)
        }
        let span = Double(max(now - start, 1))
        // The times of each need: now, now - step, … back over the window; where the line
        // starts inside the window, its start too. At most about 1,000 points.
        func times(_ need: Reach.Need?) -> [Int64] {
            guard let need else { return [now] }
            let step = max(need.step, (need.window / 1000 + 999) / 1000 * 1000)
            var out: [Int64] = []
            var t = now
            while t >= now - need.window && t > start {
                out.append(t)
                t -= step
            }
            if t <= start || out.isEmpty { out.append(start) }
            return out.reversed()
        }
        let allTimes = [times(nil)] + reach.needs.map { times($0) }
        let labels = base.isEmpty ? [] : store.labels(of: current.series.map(\.ref))
        store.replacePoints(current.series.map(\.ref)) { k in
            let s = current.series[k]
            let ts = allTimes[Int(s.need) + 1]
            guard s.cumulative else { return ts.map { Point(t: $0, v: s.value) } }
            var from = base.isEmpty ? 0 : base[labels[k]] ?? 0
            if from > s.value { from = 0 }  // a counter reset since the baseline: count from zero
            return ts.map { Point(t: $0, v: from + (s.value - from) * (Double($0 - start) / span)) }
        }
        return Window(start: start, now: now)
    }

    /// The metric names the rules select by name, for the parser's family filter;
    /// nil when a selector has no metric name (then nothing can be filtered).
    public static func selectedNames(_ groups: [RuleGroup]) -> Set<String>? {
        var names: Set<String> = []
        var unnamed = false
        for g in groups {
            for r in g.rules {
                r.expr.visit { e in
                    if case .vectorSelector(let s) = e { if let n = s.name { names.insert(n) } else { unnamed = true } }
                    if case .matrixSelector(let s, _) = e { if let n = s.name { names.insert(n) } else { unnamed = true } }
                }
            }
        }
        return unnamed ? nil : names
    }
}
