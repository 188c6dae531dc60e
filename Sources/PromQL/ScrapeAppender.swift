import PromText

/// The one way scraped samples enter a ``SeriesStore`` (`check`, `query`, and the
/// sidecar's scrapes): a ``SampleConsumer`` that turns each sample into a series
/// reference and a point, and commits them all at once.
///
/// A series seen in an earlier scrape through the same appender is found in its scrape
/// cache by the hash of its labels and checked byte for byte: no label set is built for
/// it. A new series gets its label set built once. ``commit()`` writes the scrape under
/// the store's write lock, counts the samples the store refuses (a second sample of a
/// series in one scrape, an out-of-order one), and writes a staleness marker for every
/// series of the previous scrape that this one no longer has.
public final class ScrapeAppender: SampleConsumer {
    public let store: SeriesStore
    /// When samples without a timestamp were taken (milliseconds).
    public var scrapeTime: Int64
    /// Labels every sample gets (`instance`, `job`), as Prometheus's target labels.
    public let targetLabels: [(String, String)]
    /// Prometheus's `honor_labels`: with false (its default), a scraped label that a target
    /// label also sets is kept as `exported_<name>`; with true, the scraped one wins.
    public let honorLabels: Bool

    /// What the last ``commit()`` did.
    public struct Outcome: Sendable {
        /// Samples written.
        public var appended = 0
        /// Series created by this scrape.
        public var newSeries = 0
        /// Samples refused: a series already had a sample at that time (a series twice in
        /// one scrape, say); the first one stays.
        public var duplicates = 0
        /// Samples refused: older than the series' last sample.
        public var outOfOrder = 0
        /// Series of the previous scrape missing from this one: marked stale.
        public var staleMarked = 0
    }

    /// A sample waiting for the commit: an existing series, or the labels of a new one.
    private struct Pending {
        var ref: Int32
        var labels: Labels?
        var t: Int64
        var v: Double
    }

    private var pending: [Pending] = []
    private var builder = LabelsBuilder()
    private let arena = LabelArena()
    private var scratch: [UInt8] = []
    /// Hash of a series' labels → its reference and labels, from earlier scrapes.
    private var cache: [UInt64: (ref: Int32, labels: Labels)] = [:]
    private var cacheEpoch: UInt64
    /// Series of the previous committed scrape, ascending.
    private var previous: [Int32] = []
    private let targets: [(name: [UInt8], value: [UInt8], exported: [UInt8])]

    /// The series reference and value of every sample of the last commit, in the order consumed.
    public private(set) var committedRefs: [Int32] = []
    public private(set) var committedValues: [Double] = []

    /// Samples consumed since the appender was made, and the newest timestamp among them.
    public private(set) var samples = 0
    public private(set) var latestTimestamp: Int64? = nil

    /// Called once per sample after its series is known, with the series' reference and the
    /// sample's view (still valid): for consumers that keep more per series (the one-shot check).
    public var observer: ((Int32?, SampleView) -> Void)?

    public init(store: SeriesStore, scrapeTime: Int64, targetLabels: [(String, String)] = [], honorLabels: Bool = false) {
        self.store = store
        self.scrapeTime = scrapeTime
        self.targetLabels = targetLabels
        self.honorLabels = honorLabels
        targets = targetLabels.map { (Array($0.0.utf8), Array($0.1.utf8), Array(("exported_" + $0.0).utf8)) }
        cacheEpoch = store.epoch
    }

    public func consume(_ s: SampleView) {
        builder.reset()
        builder.addMetricName(s.name.buffer)
        for i in 0..<s.labelCount {
            let name = s.labelName(i).buffer
            var exported: [UInt8]? = nil
            if !honorLabels, let t = targets.first(where: { $0.name.withUnsafeBufferPointer { bytesEqual($0, name) } }) {
                exported = t.exported
            }
            if s.labelValueIsEscaped(i) {
                scratch.removeAll(keepingCapacity: true)
                s.appendLabelValue(i, to: &scratch)
                scratch.withUnsafeBufferPointer { v in add(exported, name, v) }
            } else {
                add(exported, name, s.rawLabelValue(i).buffer)
            }
        }
        for t in targets {
            if honorLabels && builder.has(t.name) { continue }
            t.name.withUnsafeBufferPointer { n in
                builder.remove(n)
                t.value.withUnsafeBufferPointer { v in builder.add(n, v) }
            }
        }
        let hash = builder.fingerprint()
        let t = s.timestampMilliseconds ?? scrapeTime
        samples += 1
        latestTimestamp = max(latestTimestamp ?? t, t)
        if let hit = cache[hash], builder.matches(hit.labels) {
            pending.append(Pending(ref: hit.ref, labels: nil, t: t, v: s.value))
            observer?(hit.ref, s)
        } else {
            pending.append(Pending(ref: -1, labels: builder.build(in: arena), t: t, v: s.value))
            observer?(nil, s)
        }
    }

    private func add(_ exported: [UInt8]?, _ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) {
        if let exported {
            exported.withUnsafeBufferPointer { builder.add($0, value) }
        } else {
            builder.add(name, value)
        }
    }

    /// Writes the samples consumed since the last commit, and stale markers for the series
    /// of the previous scrape that this one no longer has.
    @discardableResult
    public func commit() -> Outcome {
        var outcome = Outcome()
        let epochChanged = store.epoch != cacheEpoch
        if epochChanged {
            // Retention removed or renumbered series: what the cache knows is gone.
            cache.removeAll(keepingCapacity: true)
            previous = []
        }
        var seen: [Int32] = []
        seen.reserveCapacity(pending.count)
        committedValues = pending.map(\.v)
        store.lock.withWriteLock {
            for p in pending {
                var ref = p.ref
                if let labels = p.labels {
                    let before = store.records.count
                    ref = store.ref(for: labels, create: true)!
                    if store.records.count > before { outcome.newSeries += 1 }
                    cache[labels.fingerprint] = (ref, labels)
                }
                seen.append(ref)
                switch store.appendUnlocked(ref, p.t, p.v) {
                case .appended: outcome.appended += 1
                case .duplicate: outcome.duplicates += 1
                case .outOfOrder: outcome.outOfOrder += 1
                }
            }
            committedRefs = seen
            seen.sort()
            for ref in Self.missing(previous, from: seen) where !store.records[Int(ref)].removed {
                if store.appendUnlocked(ref, scrapeTime, SeriesStore.staleNaN) == .appended { outcome.staleMarked += 1 }
            }
        }
        cacheEpoch = store.epoch
        previous = seen
        pending.removeAll(keepingCapacity: true)
        return outcome
    }

    /// A failed scrape: every series of the previous one is marked stale at `time`.
    @discardableResult
    public func markAllStale(at time: Int64) -> Int {
        pending.removeAll(keepingCapacity: true)
        var marked = 0
        if store.epoch == cacheEpoch {
            store.lock.withWriteLock {
                for ref in previous where !store.records[Int(ref)].removed {
                    if store.appendUnlocked(ref, time, SeriesStore.staleNaN) == .appended { marked += 1 }
                }
            }
        }
        previous = []
        return marked
    }

    /// The elements of sorted `a` not in sorted `b`.
    private static func missing(_ a: [Int32], from b: [Int32]) -> [Int32] {
        var out: [Int32] = []
        var j = 0
        for x in a {
            while j < b.count && b[j] < x { j += 1 }
            if j < b.count && b[j] == x { continue }
            out.append(x)
        }
        return out
    }
}
