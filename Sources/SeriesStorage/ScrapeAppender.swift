import PromModel
import PromText

/// The one way scraped samples enter a ``SeriesStore`` (`check`, `query`, and the
/// sidecar's scrapes): a ``SampleConsumer`` that turns each sample into a series
/// reference and a point, and commits them all at once.
///
/// A series seen in an earlier scrape through the same appender is found in its scrape
/// cache by its bytes as written (Prometheus's scrape cache): one hash and one compare, no
/// label set built. A new series gets its label set built once. ``commit()`` writes the scrape under
/// the store's write lock, counts the samples the store refuses (a second sample of a
/// series in one scrape, an out-of-order one), and writes a staleness marker for every
/// series of the previous scrape that this one no longer has.
///
/// Everything it changes per sample lives in one value (``Intake``), reached by one
/// exclusive access per sample: no dynamic exclusivity check per field, and no
/// `@exclusivity(unchecked)`. Used by one thread at a time.
package final class ScrapeAppender: SampleConsumer {
    /// The store ``commit()`` writes to, under its write lock.
    package let store: SeriesStore
    /// When samples without a timestamp were taken (milliseconds).
    package var scrapeTime: Int64
    /// Labels every sample gets (`instance`, `job`), as Prometheus's target labels.
    package let targetLabels: [(String, String)]
    /// Prometheus's `honor_labels`: with false (its default), a scraped label that a target
    /// label also sets is kept as `exported_<name>`; with true, the scraped one wins.
    package let honorLabels: Bool
    private var intake: Intake

    /// What the last ``commit()`` did.
    package struct Outcome: Sendable {
        /// Samples written.
        package var appended = 0
        /// Series created by this scrape.
        package var newSeries = 0
        /// Samples refused: a series already had a sample at that time (a series twice in
        /// one scrape, say); the first one stays.
        package var duplicates = 0
        /// Samples refused: older than the series' last sample.
        package var outOfOrder = 0
        /// Series of the previous scrape missing from this one: marked stale.
        package var staleMarked = 0
    }

    /// The series reference of every sample of the last commit, in the order consumed.
    package var committedRefs: [Int32] { intake.committedRefs }
    /// The values of those samples, refused ones included, in the order of ``committedRefs``.
    package var committedValues: [Double] { intake.committedValues }
    /// Samples consumed since the appender was made.
    package var samples: Int { intake.samples }
    /// The newest timestamp consumed, in milliseconds (``scrapeTime`` for a sample without one);
    /// nil before the first sample.
    package var latestTimestamp: Int64? { intake.latestTimestamp }

    /// `cachesSeries`: remember series from scrape to scrape (a scraper's appender); off for
    /// one scrape read once, which then keeps no copy of the series' bytes.
    package init(
        store: SeriesStore, scrapeTime: Int64, targetLabels: [(String, String)] = [], honorLabels: Bool = false,
        cachesSeries: Bool = true
    ) {
        self.store = store
        self.scrapeTime = scrapeTime
        self.targetLabels = targetLabels
        self.honorLabels = honorLabels
        intake = Intake(
            cachesSeries: cachesSeries, honorLabels: honorLabels,
            targets: targetLabels.map { (Array($0.0.utf8), Array($0.1.utf8), Array(("exported_" + $0.0).utf8)) },
            cacheEpoch: store.epoch)
    }

    package func consume(_ s: SampleView) {
        let stamped = s.timestampMilliseconds
        intake.consume(s, time: stamped ?? scrapeTime, explicit: stamped != nil)
    }

    /// The families' `# TYPE`, `# HELP` and `# UNIT`, as of the last successful commit.
    package private(set) var metadata = ScrapeMetadata()

    /// Kept in ``metadata`` (for the API's `/api/v1/metadata`).
    package func consumeMetadata(_ m: MetadataView) { metadata.record(m) }

    /// Writes the samples consumed since the last commit, and stale markers for the series
    /// of the previous scrape that this one no longer has.
    @discardableResult
    package func commit() -> Outcome {
        metadata.endScrape()
        return intake.commit(into: store, scrapeTime: scrapeTime)
    }

    /// A failed scrape: every series of the previous one is marked stale at `time`.
    @discardableResult
    package func markAllStale(at time: Int64) -> Int {
        metadata.abandonScrape()
        return intake.markAllStale(in: store, at: time)
    }

    /// An aborted scrape (its owner is stopping): what it consumed is forgotten, nothing is
    /// written, the previous scrape's series stay as they are.
    package func discard() {
        metadata.abandonScrape()
        intake.discard()
    }
}

/// Everything a ``ScrapeAppender`` changes: the scrape in progress and the scrape cache.
private struct Intake {
    /// A sample waiting for the commit: the reference of an existing series, or (negative)
    /// `-1 - k` for the `k`-th new label set of the scrape, in `newLabels`; `entry`, the
    /// scrape-cache entry the reference came from (-1 for a new label set), by which the
    /// series is found again should retention renumber the store before the commit.
    struct Pending {
        var ref: Int32
        var entry: Int32
        var t: Int64
        var v: Double
        /// The sample carried its own timestamp: as in Prometheus, such a series is not tracked
        /// for staleness (no marker when a scrape fails or no longer has it).
        var explicit: Bool
    }

    /// Whether series are remembered from scrape to scrape (off for a single scrape).
    let cachesSeries: Bool
    let honorLabels: Bool
    let targets: [(name: [UInt8], value: [UInt8], exported: [UInt8])]
    var pending: [Pending] = []
    var newLabels: [Labels] = []
    var builder = LabelsBuilder()
    let arena = LabelArena()
    var scratch: [UInt8] = []
    /// Hash of a series' bytes as written → its entry in `cacheEntries`.
    var cache = HashIndex(capacity: 1024)
    /// Reference, label set and raw bytes (in `cacheBytes`) of each cached series.
    var cacheEntries: [(ref: Int32, labels: Labels, start: Int32, count: Int32)] = []
    var cacheBytes: [UInt8] = []
    /// Where the raw bytes of the new series of the scrape in progress are (appended to
    /// `cacheBytes` as they arrive, entered in the cache at commit).
    var pendingRaw: [(hash: UInt64, start: Int32, count: Int32)] = []
    /// The length of `cacheBytes` at the last commit (a failed scrape's bytes are cut back to it).
    var cachedBytes = 0
    /// Per series reference, the number of the last scrape that had it.
    var lastScrape: [UInt32] = []
    var scrapeNumber: UInt32 = 0
    var cacheEpoch: UInt64
    /// Series of the previous committed scrape, in the order consumed.
    var previous: [Int32] = []
    var committedRefs: [Int32] = []
    var committedValues: [Double] = []
    var samples = 0
    var latestTimestamp: Int64? = nil

    init(cachesSeries: Bool, honorLabels: Bool, targets: [(name: [UInt8], value: [UInt8], exported: [UInt8])], cacheEpoch: UInt64) {
        self.cachesSeries = cachesSeries
        self.honorLabels = honorLabels
        self.targets = targets
        self.cacheEpoch = cacheEpoch
    }

    /// One sample: its cached series, or a new label set built once.
    mutating func consume(_ s: SampleView, time t: Int64, explicit: Bool) {
        samples += 1
        latestTimestamp = max(latestTimestamp ?? t, t)
        var rawHash: UInt64 = 0
        if cachesSeries {
            let raw = unsafe s.seriesBytes.unsafeBuffer
            rawHash = unsafe LabelHasher.hashBytes(raw, seed: 0x6A09_E667_F3BC_C908)
            if let k = cache.find(rawHash) {
                let e = cacheEntries[k]
                let same = unsafe cacheBytes.withUnsafeBufferPointer {
                    unsafe bytesEqual(UnsafeBufferPointer(rebasing: $0[Int(e.start)..<Int(e.start + e.count)]), raw)
                }
                if same {
                    pending.append(Pending(ref: e.ref, entry: Int32(k), t: t, v: s.value, explicit: explicit))
                    return
                }
            }
        }
        buildLabels(s)
        if cachesSeries {
            let start = Int32(cacheBytes.count)
            unsafe cacheBytes.append(contentsOf: s.seriesBytes.unsafeBuffer)
            pendingRaw.append((rawHash, start, Int32(cacheBytes.count) - start))
        }
        newLabels.append(builder.build(in: arena))
        pending.append(Pending(ref: -Int32(newLabels.count), entry: -1, t: t, v: s.value, explicit: explicit))
    }

    /// The sample's labels into `builder`: the metric name, its labels (those a target label
    /// also sets renamed `exported_…` unless `honor_labels`), then the target labels.
    private mutating func buildLabels(_ s: SampleView) {
        builder.reset()
        unsafe builder.addMetricName(s.name.unsafeBuffer)
        for i in 0..<s.labelCount {
            let name = unsafe s.labelName(i).unsafeBuffer
            var exported: [UInt8]? = nil
            if !honorLabels, let t = targets.first(where: { unsafe $0.name.withUnsafeBufferPointer { unsafe bytesEqual($0, name) } }) {
                exported = t.exported
            }
            if s.labelValueIsEscaped(i) {
                scratch.removeAll(keepingCapacity: true)
                s.appendLabelValue(i, to: &scratch)
                let value = scratch
                unsafe value.withUnsafeBufferPointer { v in unsafe add(exported, name, v) }
            } else {
                unsafe add(exported, name, s.rawLabelValue(i).unsafeBuffer)
            }
        }
        for t in targets {
            if honorLabels && builder.has(t.name) { continue }
            unsafe t.name.withUnsafeBufferPointer { n in
                unsafe builder.remove(n)
                unsafe t.value.withUnsafeBufferPointer { v in unsafe builder.add(n, v) }
            }
        }
    }

    private mutating func add(_ exported: [UInt8]?, _ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) {
        if let exported {
            unsafe exported.withUnsafeBufferPointer { unsafe builder.add($0, value) }
        } else {
            unsafe builder.add(name, value)
        }
    }

    /// Writes the scrape under the store's write lock (one access to its table for the whole
    /// scrape), then the stale markers of the series it no longer has.
    mutating func commit(into store: SeriesStore, scrapeTime: Int64) -> ScrapeAppender.Outcome {
        var outcome = ScrapeAppender.Outcome()
        var seen: [Int32] = []
        seen.reserveCapacity(pending.count)
        // The series this scrape tracks for staleness: those without a timestamp of their own.
        var tracked: [Int32] = []
        tracked.reserveCapacity(pending.count)
        committedValues = pending.map(\.v)
        scrapeNumber &+= 1
        if scrapeNumber == 0 {
            // Wrapped around (after four billion scrapes): old marks could pass for new ones.
            for i in lastScrape.indices { lastScrape[i] = 0 }
            scrapeNumber = 1
        }
        store.write { table in
            if table.epoch != cacheEpoch {
                // Retention removed or renumbered series since the cache was filled (checked
                // under the lock, so it cannot happen again before the samples land): the
                // cached references may name other series now. Each is found again by its
                // labels; then the cache starts over (but for this scrape's new series' bytes).
                for k in pending.indices where pending[k].entry >= 0 {
                    pending[k].ref = table.ref(for: cacheEntries[Int(pending[k].entry)].labels, create: true)!
                }
                for k in pendingRaw.indices { pendingRaw[k].start -= Int32(cachedBytes) }
                clearCache()
                previous = []
            }
            table.reserve(newSeries: newLabels.count)
            for (i, p) in pending.enumerated() {
                // Sample buffers are scattered: have the one needed 16 samples on start loading now.
                if i + 16 < pending.count { table.prefetch(pending[i + 16].ref) }
                var ref = p.ref
                if ref < 0 {
                    let k = Int(-1 - ref)
                    let before = table.records.count
                    let labels = newLabels[k]
                    ref = table.ref(for: labels, create: true)!
                    if table.records.count > before { outcome.newSeries += 1 }
                    if cachesSeries {
                        let raw = pendingRaw[k]
                        if cache.find(raw.hash) == nil {
                            cache.insert(raw.hash, cacheEntries.count)
                            cacheEntries.append((ref, labels, raw.start, raw.count))
                        }
                    }
                }
                seen.append(ref)
                if !p.explicit { tracked.append(ref) }
                let r = Int(ref)
                if r >= lastScrape.count { lastScrape.append(contentsOf: repeatElement(0, count: r + 1 - lastScrape.count)) }
                lastScrape[r] = scrapeNumber
                switch table.append(ref, p.t, p.v) {
                case .appended: outcome.appended += 1
                case .duplicate: outcome.duplicates += 1
                case .outOfOrder: outcome.outOfOrder += 1
                }
            }
            // A scrape that more than doubled the store (the first one, say): trim the index's spare room.
            if outcome.newSeries * 2 > table.records.count { table.shrink() }
            // The series of the previous scrape this one did not mark.
            for ref in previous where lastScrape[Int(ref)] != scrapeNumber && !table.records[Int(ref)].removed {
                if table.append(ref, scrapeTime, SeriesStore.staleNaN) == .appended { outcome.staleMarked += 1 }
            }
            cacheEpoch = table.epoch
        }
        committedRefs = seen
        previous = tracked
        // A scraper's appender keeps its buffers for the next scrape; a one-time read frees them.
        pending.removeAll(keepingCapacity: cachesSeries)
        newLabels.removeAll(keepingCapacity: cachesSeries)
        pendingRaw.removeAll(keepingCapacity: true)
        // Bytes of new series that turned out to be cached already stay unused until the cache is rebuilt.
        cachedBytes = cacheBytes.count
        // Series that come and go leave entries behind: start over when they outnumber the live ones.
        if cacheEntries.count > 2 * seen.count + 1024 { clearCache() }
        return outcome
    }

    /// Forgets every cached series (the bytes of a scrape in progress stay).
    private mutating func clearCache() {
        cache = HashIndex(capacity: 1024)
        cacheEntries.removeAll()
        cacheBytes.removeSubrange(0..<cachedBytes)
        cachedBytes = 0
        lastScrape.removeAll()
    }

    /// The samples consumed since the last commit are dropped (and the bytes of their new series).
    mutating func discard() {
        pending.removeAll(keepingCapacity: true)
        newLabels.removeAll(keepingCapacity: true)
        pendingRaw.removeAll(keepingCapacity: true)
        cacheBytes.removeSubrange(cachedBytes...)
    }

    /// A failed scrape: the samples consumed are dropped, and every series of the previous
    /// scrape is marked stale at `time`.
    mutating func markAllStale(in store: SeriesStore, at time: Int64) -> Int {
        discard()
        var marked = 0
        let refs = previous
        let cacheEpoch = self.cacheEpoch
        store.write { table in
            // Renumbered since: the previous scrape's references name other series now.
            guard table.epoch == cacheEpoch else { return }
            for ref in refs where !table.records[Int(ref)].removed {
                if table.append(ref, time, SeriesStore.staleNaN) == .appended { marked += 1 }
            }
        }
        previous = []
        return marked
    }
}
