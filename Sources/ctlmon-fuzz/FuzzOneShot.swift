import PromQL
import PromText
import RuleEngine
import Check

/// `ctlmon check`'s pipeline below the report: a scrape through the family filter into a
/// snapshot, the one-shot history, and the shipped rules evaluated over it, alerts and
/// templates included.
enum FuzzOneShot {
    static let groups = ShippedRules.groups
    static let filter = CheckFamilies.filter(for: groups)
    static let reach = OneShot.Reach(groups: groups)

    static func run(_ data: [UInt8]) {
        let store = SeriesStore()
        let collector = SnapshotCollector(store: store, instance: "fuzz", sampleLimit: 10_000, reach: reach)
        var limits = ParseLimits()
        limits.maxSamples = 10_000
        limits.maxDecodedBytes = 1 << 20
        let parser = TextParser(options: .init(limits: limits, source: "fuzz", filter: filter), consumer: collector)
        do {
            try data.withUnsafeBytes { try parser.feed($0) }
            try parser.finish()
        } catch {
            return
        }
        collector.finish()
        let snapshot = collector.snapshot
        let now = snapshot.latestTimestamp ?? 1_800_000_000_000
        guard now >= SnapshotCollector.earliestTime, now <= SnapshotCollector.latestTime,
            (snapshot.processStart ?? 0) <= now
        else { return }
        _ = OneShot.history(
            current: snapshot, now: now, baseline: nil, baselineTime: nil, reach: reach, into: store)
        let evaluator = RuleEvaluator(groups: groups, store: store)
        evaluator.evaluate(at: now)
        for (_, alert) in evaluator.activeAlerts() { _ = alert.annotations }
    }
}
