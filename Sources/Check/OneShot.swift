import PromModel
import PromQL
import SeriesStorage
import RuleEngine

/// The one-shot semantics of `ctlmon check`: a straight-line history for every series, so
/// that unchanged rules answer over the process lifetime (or the baseline window).
///
/// A cumulative series goes from 0 at the process start (or from its baseline value at
/// the baseline's time) to its scraped value now; a gauge is held flat. Samples lie every
/// `step` over the last `window` (the longest range the rules read), so any `rate(x[w])`
/// is the average over the lifetime and `histogram_quantile` sees the lifetime distribution.
package enum OneShot {
    /// The span of one instance's straight-line history: the lifetime the report states.
    package struct Window: Sendable {
        /// Where each instance's line starts (milliseconds) and what it starts from.
        package var start: Int64
        /// Where it ends: the evaluation time (milliseconds).
        package var now: Int64
    }

    /// Replaces each series of `current` in `store` with its straight-line history, points
    /// `step` apart over its need's window (one point, now, for a series no range reads).
    /// `baseline` (a snapshot in its own store) values are matched to `current` by labels.
    package static func history(
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
}
