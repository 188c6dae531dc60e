/// In-memory time series: samples in time order per series, series found by name and matchers.
///
/// Stale markers (Prometheus's special NaN) end a series until its next sample.
public final class SeriesStore: @unchecked Sendable {
    /// Prometheus's staleness marker: a NaN with a distinct bit pattern.
    public static let staleNaN = Double(bitPattern: 0x7FF0_0000_0000_0002)

    public static func isStale(_ v: Double) -> Bool { v.bitPattern == 0x7FF0_0000_0000_0002 }

    public struct Series: Sendable {
        public let labels: Labels
        public internal(set) var timestamps: [Int64] = []
        public internal(set) var values: [Double] = []
    }

    public private(set) var series: [Series] = []
    /// The series' label sets, apart from their samples: selection reads only these.
    private var labelSets: [Labels] = []
    private var index: [Labels: Int] = [:]
    private var byName: [String: [Int]] = [:]

    public init() {}

    /// Appends a sample; out-of-order samples are inserted in place, a repeated timestamp replaces the value.
    public func append(_ labels: Labels, timestamp: Int64, value: Double) {
        let i = seriesIndex(labels)
        let ts = series[i].timestamps
        if let last = ts.last, timestamp <= last {
            let at = lowerBound(ts, timestamp)
            if at < ts.count && ts[at] == timestamp {
                series[i].values[at] = value
            } else {
                series[i].timestamps.insert(timestamp, at: at)
                series[i].values.insert(value, at: at)
            }
        } else {
            series[i].timestamps.append(timestamp)
            series[i].values.append(value)
        }
    }

    /// Appends many samples of one series at once (times ascending, all after the series' last sample).
    public func append(_ labels: Labels, timestamps: [Int64], values: [Double]) {
        precondition(timestamps.count == values.count, "one value per timestamp")
        guard let first = timestamps.first else { return }
        if let i = index[labels], let last = series[i].timestamps.last, first <= last {
            for (t, v) in zip(timestamps, values) { append(labels, timestamp: t, value: v) }
            return
        }
        let i = seriesIndex(labels)
        series[i].timestamps.append(contentsOf: timestamps)
        series[i].values.append(contentsOf: values)
    }

    /// The series with these labels, created empty if new.
    private func seriesIndex(_ labels: Labels) -> Int {
        if let existing = index[labels] { return existing }
        let i = series.count
        series.append(Series(labels: labels))
        labelSets.append(labels)
        index[labels] = i
        byName[labels.name, default: []].append(i)
        return i
    }

    /// Indices of the series matching all matchers.
    public func select(_ matchers: [LabelMatcher]) -> [Int] {
        let candidates: [Int]
        if let m = matchers.first(where: { $0.name == Labels.metricName && $0.op == .equal }) {
            candidates = byName[m.value] ?? []
        } else {
            candidates = Array(series.indices)
        }
        let rest = matchers.filter { !($0.name == Labels.metricName && $0.op == .equal) }
        if rest.isEmpty { return candidates }
        return labelSets.withUnsafeBufferPointer { sets in
            candidates.filter { i in rest.allSatisfy { $0.matches(sets[i][$0.name]) } }
        }
    }

    /// The latest timestamp in the store, if any.
    public var maxTimestamp: Int64? { series.compactMap { $0.timestamps.last }.max() }
}

/// First index with `a[i] >= t`.
func lowerBound(_ a: [Int64], _ t: Int64) -> Int {
    var lo = 0
    var hi = a.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if a[mid] < t { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

/// First index with `a[i] > t`.
func upperBound(_ a: [Int64], _ t: Int64) -> Int {
    var lo = 0
    var hi = a.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if a[mid] <= t { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
