import PromQL
import PromText

/// One scrape held in memory for `ctlmon check`: its samples, whether each is cumulative
/// (a counter, or a histogram's or summary's buckets, sum and count), and the process start.
public struct Snapshot: Sendable {
    public struct Sample: Sendable {
        public var labels: Labels
        public var value: Double
        public var cumulative: Bool
    }

    /// The `instance` label its series get (the source's file name).
    public var instance: String
    public var samples: [Sample] = []
    /// `process_start_time_seconds`, in milliseconds, if the scrape has a plausible one.
    public var processStart: Int64?
    /// A `process_start_time_seconds` that is not a plausible Unix time (0, negative, NaN,
    /// past the year 9999), kept to say so in the report.
    public var implausibleProcessStart: Double?
    /// Samples of a series already seen in this scrape: dropped (the first one is kept), as
    /// Prometheus drops duplicate samples for a timestamp, and counted.
    public var duplicateSamples = 0
    /// Samples beyond ``SnapshotCollector/sampleLimit``: not kept; a non-zero count makes the source bad input.
    public var samplesOverLimit = 0
    /// The newest sample timestamp, if the scrape carries timestamps.
    public var latestTimestamp: Int64?
    /// The Kubernetes version from `kubernetes_build_info`, if present.
    public var version: String?
    public var series: Int { samples.count }

    public init(instance: String) { self.instance = instance }
}

/// Collects a ``Snapshot`` from the parser: at most `sampleLimit` samples (memory stays
/// bounded whatever the scrape; what is over the limit is counted), one per series.
public final class SnapshotCollector: SampleConsumer {
    public private(set) var snapshot: Snapshot
    private var strings = StringInterner()
    private let sampleLimit: Int
    private var seen = Set<Labels>()

    /// The latest Unix time in milliseconds ctlmon accepts from a scrape (the end of year 9999).
    public static let latestTime: Int64 = 253_402_300_799_000
    /// The earliest (the start of year 1).
    public static let earliestTime: Int64 = -62_135_596_800_000

    public init(instance: String, sampleLimit: Int = .max) {
        snapshot = Snapshot(instance: instance)
        self.sampleLimit = sampleLimit
    }

    private func intern(_ s: String) -> String { strings.intern(s) }

    public func consume(_ s: SampleView) {
        let name = intern(s.name.string)
        var pairs: [(String, String)] = [(Labels.metricName, name)]
        for i in 0..<s.labelCount {
            let label = intern(s.labelName(i).string)
            if label == "instance" { continue }
            pairs.append((label, intern(s.labelValue(i))))
        }
        pairs.append(("instance", snapshot.instance))
        let cumulative: Bool
        switch s.type {
        case .counter, .histogram: cumulative = true
        case .summary: cumulative = name.hasSuffix("_sum") || name.hasSuffix("_count")
        case .gaugehistogram, .gauge, .info, .stateset: cumulative = false
        case .untyped: cumulative = name.hasSuffix("_total") || name.hasSuffix("_bucket") || name.hasSuffix("_count")
        }
        let labels = Labels(pairs)
        guard seen.insert(labels).inserted else {
            snapshot.duplicateSamples += 1
            return
        }
        guard snapshot.samples.count < sampleLimit else {
            snapshot.samplesOverLimit += 1
            return
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
        snapshot.samples.append(Snapshot.Sample(labels: labels, value: s.value, cumulative: cumulative))
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

    /// Builds the store. `baseline` values are matched to `current` by labels.
    public static func history(
        current: Snapshot, now: Int64, baseline: Snapshot?, baselineTime: Int64?, window: Int64, step: Int64,
        into store: SeriesStore
    ) -> Window {
        let start: Int64
        var base: [Labels: Double] = [:]
        if let baseline, let baselineTime {
            start = baselineTime
            for s in baseline.samples where s.cumulative { base[s.labels] = s.value }
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
        var values = [Double](repeating: 0, count: times.count)
        for s in current.samples {
            if s.cumulative {
                var from = base[s.labels] ?? 0
                if from > s.value { from = 0 }  // a counter reset since the baseline: count from zero
                for k in fractions.indices { values[k] = from + (s.value - from) * fractions[k] }
            } else {
                for k in values.indices { values[k] = s.value }
            }
            store.append(s.labels, timestamps: times, values: values)
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
