import PromModel
import PromQL
import SeriesStorage

/// One scrape read for `ctlmon check`: its series in the store (one sample each), whether
/// each is cumulative (a counter, or a histogram's or summary's buckets, sum and count),
/// and what the report says about the scrape.
package struct Snapshot: Sendable {
    /// One series of the scrape and what its history needs.
    package struct Series: Sendable {
        /// The series' reference in the store.
        package var ref: Int32
        /// The scraped value.
        package var value: Double
        /// Whether the series only grows, so its history climbs from zero (or the baseline) instead
        /// of staying flat.
        package var cumulative: Bool
        /// Which of the ``OneShot/Reach``'s needs its history meets (-1: one point, now).
        package var need: Int16
    }

    /// The `instance` label its series get (the source's file name).
    package var instance: String
    /// Every series of the scrape once, in first-seen order; filled by ``SnapshotCollector/finish()``.
    package var series: [Series] = []
    /// `process_start_time_seconds`, in milliseconds, if the scrape has a plausible one.
    package var processStart: Int64?
    /// A `process_start_time_seconds` that is not a plausible Unix time (0, negative, NaN,
    /// past the year 9999), kept to say so in the report.
    package var implausibleProcessStart: Double?
    /// Samples of a series already seen in this scrape: dropped (the first one is kept), as
    /// Prometheus drops duplicate samples for a timestamp, and counted.
    package var duplicateSamples = 0
    /// Samples beyond ``SnapshotCollector``'s limit: not kept; a non-zero count makes the source bad input.
    package var samplesOverLimit = 0
    /// The newest sample timestamp, if the scrape carries timestamps.
    package var latestTimestamp: Int64?
    /// The Kubernetes version from `kubernetes_build_info`, if present.
    package var version: String?
    /// Whether some sample is of a family the caller's `identifies` test accepted.
    package var identified = false
    /// Whether some family (a sample, or a `# HELP`/`# TYPE` line) is named `apiserver_*` or `etcd_*`.
    package var controlPlaneNamed = false
    /// How many series the scrape has (the report's `series`).
    package var seriesCount: Int { series.count }

    /// An empty snapshot of `instance`, for ``SnapshotCollector`` to fill.
    package init(instance: String) { self.instance = instance }
}
