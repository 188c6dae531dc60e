import PromModel
import PromQL
import SeriesStorage
import PromText

/// Reads one scrape into a store through the one ingest path (``ScrapeAppender``), with
/// `instance` as its target label, keeping at most `sampleLimit` samples (memory stays
/// bounded whatever the scrape; what is over the limit is counted).
package final class SnapshotCollector: SampleConsumer {
    /// What was read; ``Snapshot/series`` is filled only by ``finish()``.
    package private(set) var snapshot: Snapshot
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
    package static let latestTime: Int64 = 253_402_300_799_000
    /// The earliest (the start of year 1).
    package static let earliestTime: Int64 = -62_135_596_800_000

    /// `sampleLimit`: most samples kept; `reach`: tags each series with its history's need;
    /// `identifies`: the family names that make the scrape ``Snapshot/identified``.
    package init(
        store: SeriesStore, instance: String, sampleLimit: Int = .max, reach: OneShot.Reach = OneShot.Reach(),
        identifies: @escaping (ByteView) -> Bool = { _ in true }
    ) {
        snapshot = Snapshot(instance: instance)
        self.reach = reach
        appender = ScrapeAppender(store: store, scrapeTime: 0, targetLabels: [("instance", instance)], cachesSeries: false)
        self.sampleLimit = sampleLimit
        self.identifies = identifies
    }

    package func consume(_ s: SampleView) {
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
            lastNeed = reach.need(for: lastName)
        }
        needs.append(lastNeed)
        if !snapshot.identified && identifies(name) { snapshot.identified = true }
        noteFamily(name)
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

    /// `# HELP` and `# TYPE` lines come for every family, kept or not: a scrape whose
    /// `apiserver_*` families are all filtered out is still recognised as one.
    package func consumeMetadata(_ metadata: MetadataView) { noteFamily(metadata.name) }

    private func noteFamily(_ name: ByteView) {
        if !snapshot.controlPlaneNamed && (name.hasPrefix(Self.apiserverPrefix) || name.hasPrefix(Self.etcdPrefix)) {
            snapshot.controlPlaneNamed = true
        }
    }

    private static let apiserverPrefix = Array("apiserver_".utf8)
    private static let etcdPrefix = Array("etcd_".utf8)

    /// Writes the scrape to the store: one series each, the first of any repeated series kept.
    package func finish() {
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
