import PromQL

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
    /// Whether some family (a sample, or a `# HELP`/`# TYPE` line) is named `apiserver_*` or `etcd_*`.
    public var controlPlaneNamed = false
    public var seriesCount: Int { series.count }

    public init(instance: String) { self.instance = instance }
}
