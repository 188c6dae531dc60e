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
    private var cumulative: [Bool] = []

    /// The latest Unix time in milliseconds ctlmon accepts from a scrape (the end of year 9999).
    public static let latestTime: Int64 = 253_402_300_799_000
    /// The earliest (the start of year 1).
    public static let earliestTime: Int64 = -62_135_596_800_000

    public init(store: SeriesStore, instance: String, sampleLimit: Int = .max, identifies: @escaping (ByteView) -> Bool = { _ in true }) {
        snapshot = Snapshot(instance: instance)
        appender = ScrapeAppender(store: store, scrapeTime: 0, targetLabels: [("instance", instance)])
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
        var seen = Set<Int32>(minimumCapacity: cumulative.count)
        snapshot.series.reserveCapacity(cumulative.count)
        for (k, ref) in appender.committedRefs.enumerated() where seen.insert(ref).inserted {
            snapshot.series.append(Snapshot.Series(ref: ref, value: appender.committedValues[k], cumulative: cumulative[k]))
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

    /// Replaces each series of `current` in `store` with its straight-line history.
    /// `baseline` (a snapshot in `baselineStore`) values are matched to `current` by labels.
    public static func history(
        current: Snapshot, now: Int64, baseline: (snapshot: Snapshot, store: SeriesStore)?, baselineTime: Int64?,
        window: Int64, step: Int64, into store: SeriesStore
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
        let span = max(now - start, 1)
        // At most about 1,000 points per series, whatever the longest range the rules read: on a
        // straight line, rate() and increase() give the same answer at any spacing of points.
        let step = max(step, (window / 1000 + 59_999) / 60_000 * 60_000)
        var times: [Int64] = []
        var t = now
        while t > now - window - step && t > start {
            times.append(t)
            t -= step
        }
        times.append(max(start, now - window - step))
        times.reverse()
        let fractions = times.map { Double($0 - start) / Double(span) }
        let labels = base.isEmpty ? [] : store.labels(of: current.series.map(\.ref))
        store.replacePoints(current.series.map(\.ref)) { k in
            let s = current.series[k]
            var points = [Point](repeating: Point(t: 0, v: s.value), count: times.count)
            if s.cumulative {
                var from = base.isEmpty ? 0 : base[labels[k]] ?? 0
                if from > s.value { from = 0 }  // a counter reset since the baseline: count from zero
                for i in times.indices { points[i] = Point(t: times[i], v: from + (s.value - from) * fractions[i]) }
            } else {
                for i in times.indices { points[i].t = times[i] }
            }
            return points
        }
        return Window(start: start, now: now)
    }

    /// The longest range any rule reads from scraped series (range selectors and subqueries),
    /// at least 5 minutes. Ranges over recorded series need no synthetic history.
    public static func longestRange(_ groups: [RuleGroup]) -> Int64 {
        var longest: Int64 = 5 * 60_000
        let recorded = Set(groups.flatMap { $0.rules.filter { $0.kind == .recording }.map(\.name) })
        for g in groups {
            for r in g.rules {
                r.expr.visit { e in
                    switch e {
                    case .matrixSelector(let s, let range):
                        if let n = s.name, recorded.contains(n) { break }
                        longest = max(longest, range + s.offset)
                    case .subquery(_, let range, _, let offset, _): longest = max(longest, range + offset)
                    case .vectorSelector(let s): longest = max(longest, s.offset)
                    default: break
                    }
                }
            }
        }
        return longest
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
