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
package final class ScrapeAppender: SampleConsumer {
    package let store: SeriesStore
    /// When samples without a timestamp were taken (milliseconds).
    package var scrapeTime: Int64
    /// Labels every sample gets (`instance`, `job`), as Prometheus's target labels.
    package let targetLabels: [(String, String)]
    /// Prometheus's `honor_labels`: with false (its default), a scraped label that a target
    /// label also sets is kept as `exported_<name>`; with true, the scraped one wins.
    package let honorLabels: Bool

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

    /// A sample waiting for the commit: the reference of an existing series, or (negative)
    /// `-1 - k` for the `k`-th new label set of the scrape, in `newLabels`.
    private struct Pending {
        var ref: Int32
        var t: Int64
        var v: Double
    }

    // Properties touched per sample: no dynamic exclusivity checks (the appender is used
    // by one thread at a time, and no access to them overlaps another).
    @exclusivity(unchecked) private var pending: [Pending] = []
    @exclusivity(unchecked) private var newLabels: [Labels] = []
    @exclusivity(unchecked) private var builder = LabelsBuilder()
    private let arena = LabelArena()
    @exclusivity(unchecked) private var scratch: [UInt8] = []
    /// Whether series are remembered from scrape to scrape (off for a single scrape).
    private let cachesSeries: Bool
    /// Hash of a series' bytes as written → its entry in `cacheEntries`.
    @exclusivity(unchecked) private var cache = HashIndex(capacity: 1024)
    /// Reference and raw bytes (in `cacheBytes`) of each cached series.
    @exclusivity(unchecked) private var cacheEntries: [(ref: Int32, start: Int32, count: Int32)] = []
    @exclusivity(unchecked) private var cacheBytes: [UInt8] = []
    /// Where the raw bytes of the new series of the scrape in progress are (appended to
    /// `cacheBytes` as they arrive, entered in the cache at commit).
    @exclusivity(unchecked) private var pendingRaw: [(hash: UInt64, start: Int32, count: Int32)] = []
    /// The length of `cacheBytes` at the last commit (a failed scrape's bytes are cut back to it).
    private var cachedBytes = 0
    /// Per series reference, the number of the last scrape that had it.
    private var lastScrape: [UInt32] = []
    private var scrapeNumber: UInt32 = 0
    private var cacheEpoch: UInt64
    /// Series of the previous committed scrape, in the order consumed.
    private var previous: [Int32] = []
    private let targets: [(name: [UInt8], value: [UInt8], exported: [UInt8])]

    /// The series reference and value of every sample of the last commit, in the order consumed.
    package private(set) var committedRefs: [Int32] = []
    package private(set) var committedValues: [Double] = []

    /// Samples consumed since the appender was made, and the newest timestamp among them.
    @exclusivity(unchecked) package private(set) var samples = 0
    @exclusivity(unchecked) package private(set) var latestTimestamp: Int64? = nil

    /// Called once per sample after its series is known, with the series' reference and the
    /// sample's view (still valid): for consumers that keep more per series (the one-shot check).
    package var observer: ((Int32?, SampleView) -> Void)?

    /// `cachesSeries`: remember series from scrape to scrape (a scraper's appender); off for
    /// one scrape read once, which then keeps no copy of the series' bytes.
    package init(
        store: SeriesStore, scrapeTime: Int64, targetLabels: [(String, String)] = [], honorLabels: Bool = false,
        cachesSeries: Bool = true
    ) {
        self.store = store
        self.cachesSeries = cachesSeries
        self.scrapeTime = scrapeTime
        self.targetLabels = targetLabels
        self.honorLabels = honorLabels
        targets = targetLabels.map { (Array($0.0.utf8), Array($0.1.utf8), Array(("exported_" + $0.0).utf8)) }
        cacheEpoch = store.epoch
    }

    package func consume(_ s: SampleView) {
        let t = s.timestampMilliseconds ?? scrapeTime
        samples += 1
        latestTimestamp = max(latestTimestamp ?? t, t)
        var rawHash: UInt64 = 0
        if cachesSeries {
            let raw = s.seriesBytes.unsafeBuffer
            rawHash = LabelHasher.hashBytes(raw, seed: 0x6A09_E667_F3BC_C908)
            if let k = cache.find(rawHash) {
                let e = cacheEntries[k]
                let same = cacheBytes.withUnsafeBufferPointer {
                    bytesEqual(UnsafeBufferPointer(rebasing: $0[Int(e.start)..<Int(e.start + e.count)]), raw)
                }
                if same {
                    pending.append(Pending(ref: e.ref, t: t, v: s.value))
                    observer?(e.ref, s)
                    return
                }
            }
        }
        builder.reset()
        builder.addMetricName(s.name.unsafeBuffer)
        for i in 0..<s.labelCount {
            let name = s.labelName(i).unsafeBuffer
            var exported: [UInt8]? = nil
            if !honorLabels, let t = targets.first(where: { $0.name.withUnsafeBufferPointer { bytesEqual($0, name) } }) {
                exported = t.exported
            }
            if s.labelValueIsEscaped(i) {
                scratch.removeAll(keepingCapacity: true)
                s.appendLabelValue(i, to: &scratch)
                scratch.withUnsafeBufferPointer { v in add(exported, name, v) }
            } else {
                add(exported, name, s.rawLabelValue(i).unsafeBuffer)
            }
        }
        for t in targets {
            if honorLabels && builder.has(t.name) { continue }
            t.name.withUnsafeBufferPointer { n in
                builder.remove(n)
                t.value.withUnsafeBufferPointer { v in builder.add(n, v) }
            }
        }
        if cachesSeries {
            let start = Int32(cacheBytes.count)
            cacheBytes.append(contentsOf: s.seriesBytes.unsafeBuffer)
            pendingRaw.append((rawHash, start, Int32(cacheBytes.count) - start))
        }
        newLabels.append(builder.build(in: arena))
        pending.append(Pending(ref: -Int32(newLabels.count), t: t, v: s.value))
        observer?(nil, s)
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
    package func commit() -> Outcome {
        var outcome = Outcome()
        if store.epoch != cacheEpoch {
            // Retention removed or renumbered series: what the cache knows is gone (but for
            // the bytes of this scrape's new series).
            for k in pendingRaw.indices { pendingRaw[k].start -= Int32(cachedBytes) }
            clearCache()
            previous = []
        }
        var seen: [Int32] = []
        seen.reserveCapacity(pending.count)
        committedValues = pending.map(\.v)
        scrapeNumber &+= 1
        if scrapeNumber == 0 {
            // Wrapped around (after four billion scrapes): old marks could pass for new ones.
            for i in lastScrape.indices { lastScrape[i] = 0 }
            scrapeNumber = 1
        }
        store.lock.withWriteLock {
            store.reserveUnlocked(newSeries: newLabels.count)
            for (i, p) in pending.enumerated() {
                // Sample buffers are scattered: have the one needed 16 samples on start loading now.
                if i + 16 < pending.count { store.prefetchUnlocked(pending[i + 16].ref) }
                var ref = p.ref
                if ref < 0 {
                    let k = Int(-1 - ref)
                    let before = store.records.count
                    ref = store.ref(for: newLabels[k], create: true)!
                    if store.records.count > before { outcome.newSeries += 1 }
                    if cachesSeries {
                        let raw = pendingRaw[k]
                        if cache.find(raw.hash) == nil {
                            cache.insert(raw.hash, cacheEntries.count)
                            cacheEntries.append((ref, raw.start, raw.count))
                        }
                    }
                }
                seen.append(ref)
                let r = Int(ref)
                if r >= lastScrape.count { lastScrape.append(contentsOf: repeatElement(0, count: r + 1 - lastScrape.count)) }
                lastScrape[r] = scrapeNumber
                switch store.appendUnlocked(ref, p.t, p.v) {
                case .appended: outcome.appended += 1
                case .duplicate: outcome.duplicates += 1
                case .outOfOrder: outcome.outOfOrder += 1
                }
            }
            // A scrape that more than doubled the store (the first one, say): trim the index's spare room.
            if outcome.newSeries * 2 > store.records.count { store.shrinkUnlocked() }
            // The series of the previous scrape this one did not mark.
            for ref in previous where lastScrape[Int(ref)] != scrapeNumber && !store.records[Int(ref)].removed {
                if store.appendUnlocked(ref, scrapeTime, SeriesStore.staleNaN) == .appended { outcome.staleMarked += 1 }
            }
        }
        committedRefs = seen
        cacheEpoch = store.epoch
        previous = seen
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
    private func clearCache() {
        cache = HashIndex(capacity: 1024)
        cacheEntries.removeAll()
        cacheBytes.removeSubrange(0..<cachedBytes)
        cachedBytes = 0
        lastScrape.removeAll()
    }

    /// A failed scrape: every series of the previous one is marked stale at `time`.
    @discardableResult
    package func markAllStale(at time: Int64) -> Int {
        pending.removeAll(keepingCapacity: true)
        newLabels.removeAll(keepingCapacity: true)
        pendingRaw.removeAll(keepingCapacity: true)
        cacheBytes.removeSubrange(cachedBytes...)
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
}
