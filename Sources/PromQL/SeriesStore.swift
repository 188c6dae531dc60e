import CMemory
/// In-memory time series: label sets found by hash, series by integer reference,
/// postings for every label, samples per series in time order.
///
/// The layering follows Prometheus's head: a series is found by the 64-bit hash of its
/// labels (the parser's fingerprint; a hash shared by two label sets is handled), has an
/// integer reference, and is listed in the postings of each of its labels. Samples are
/// appended in time order; a sample at or before a series' last one is refused and
/// counted (a duplicate or out-of-order sample, as Prometheus refuses it). Stale markers
/// (Prometheus's special NaN) end a series until its next sample.
///
/// For a long-running process: ``dropBefore(_:)`` frees samples older than the retention
/// and removes series left without any, with their postings; ``usage`` reports what the
/// store holds in bytes. Safe to share between threads: appends take a write lock,
/// queries a read lock for their whole evaluation.
package final class SeriesStore: @unchecked Sendable {
    // Sendable: every access to the mutable state below happens while `lock` is held,
    // shared for reads (queries, accounting), exclusive for writes.
    let lock = ReadWriteLock()

    /// Prometheus's staleness marker: a NaN with a distinct bit pattern.
    package static let staleNaN = Double(bitPattern: 0x7FF0_0000_0000_0002)

    package static func isStale(_ v: Double) -> Bool { v.bitPattern == 0x7FF0_0000_0000_0002 }

    /// One series: its labels and samples (ascending times). `points` is empty and
    /// `removed` set for a series retention dropped, until the slots are compacted.
    struct Record {
        var labels: Labels
        // The flags sit in the tail padding of `labels`: a record is 32 bytes.
        /// Whether some point is a stale marker (range selections then filter them out).
        var hasStaleMarkers = false
        var removed = false
        private(set) var points: [Point]
        /// The time of the last point (`Int64.min` without one), kept beside the labels: an
        /// append checks it without loading the points' buffer, which lies elsewhere in memory.
        private(set) var lastTime: Int64

        init(labels: Labels, points: [Point], removed: Bool = false) {
            self.labels = labels
            self.points = points
            self.removed = removed
            lastTime = points.last?.t ?? .min
        }

        /// Appends a point after the last one (the caller checked the order).
        @inline(__always)
        mutating func append(_ p: Point) {
            points.append(p)
            lastTime = p.t
        }

        mutating func setPoints(_ new: [Point]) {
            points = new
            lastTime = new.last?.t ?? .min
            hasStaleMarkers = new.contains { SeriesStore.isStale($0.v) }
        }

        /// Drops the first `n` points, in place (the last one stays).
        mutating func dropFirst(_ n: Int) {
            points.removeSubrange(0..<n)
            // A buffer left mostly empty (a series that slowed down) is replaced by an exact copy.
            if points.capacity > 4 * points.count + 16 { points = points.exactCopy() }
        }
    }

    // Accessed per sample, always under `lock`: no dynamic exclusivity checks on top.
    @exclusivity(unchecked) private(set) var records: [Record] = []
    @exclusivity(unchecked) private var byHash = HashIndex(capacity: 1024)
    /// Label sets that share a hash with an earlier one: found by a scan of these.
    private var collided: [UInt64: [Int32]] = [:]
    @exclusivity(unchecked) private(set) var postings = Postings()
    private var removedCount = 0
    /// Changes whenever series are added or removed: cached selections are then stale.
    private(set) var generation: UInt64 = 0
    /// Changes whenever series are removed or renumbered: cached references are then stale.
    private var epochStorage: UInt64 = 0
    var epoch: UInt64 { read { epochStorage } }

    package init() {}

    /// What appending one sample did.
    package enum AppendResult: Sendable {
        case appended
        /// A sample at a time the series already has: refused (the first value stays).
        case duplicate
        /// A sample older than the series' last one: refused.
        case outOfOrder
    }

    // MARK: writing

    /// Appends a sample, creating the series when new.
    @discardableResult
    package func append(_ labels: Labels, timestamp: Int64, value: Double) -> AppendResult {
        lock.withWriteLock { appendUnlocked(ref(for: labels, create: true)!, timestamp, value) }
    }

    /// Appends samples of one series in time order (those not after its last sample are refused).
    package func append(_ labels: Labels, timestamps: [Int64], values: [Double]) {
        precondition(timestamps.count == values.count, "one value per timestamp")
        lock.withWriteLock {
            let r = ref(for: labels, create: true)!
            for (t, v) in zip(timestamps, values) { appendUnlocked(r, t, v) }
        }
    }

    /// Replaces every sample of a series (creating it when new): the one-shot history.
    package func replace(_ labels: Labels, points: [Point]) {
        lock.withWriteLock {
            let r = Int(ref(for: labels, create: true)!)
            records[r].setPoints(points)
        }
    }

    /// Replaces the samples of many series at once: `points(k)` gives those of `refs[k]`.
    package func replacePoints(_ refs: [Int32], _ points: (Int) -> [Point]) {
        lock.withWriteLock {
            for (k, ref) in refs.enumerated() {
                let r = Int(ref)
                records[r].setPoints(points(k))
            }
        }
    }

    /// The labels of the series `refs`.
    package func labels(of refs: [Int32]) -> [Labels] { read { refs.map { records[Int($0)].labels } } }

    /// Starts loading the end of a series' samples into the cache (``ScrapeAppender`` calls it
    /// for the series it will append to a few samples later). The caller holds the write lock.
    @inline(__always)
    func prefetchUnlocked(_ ref: Int32) {
        let r = Int(ref)
        guard r >= 0 && r < records.count else { return }
        // An array is one reference to its storage object, whose header (count, capacity)
        // the append reads first: prefetch that line without loading anything from it.
        let storage = unsafeBitCast(records[r].points, to: UnsafeRawPointer.self)
        ctlmon_prefetch_write(storage)
    }

    @discardableResult
    func appendUnlocked(_ ref: Int32, _ t: Int64, _ v: Double) -> AppendResult {
        let r = Int(ref)
        let last = records[r].lastTime
        if t == last { return .duplicate }
        if t < last { return .outOfOrder }
        records[r].append(Point(t: t, v: v))
        if Self.isStale(v) { records[r].hasStaleMarkers = true }
        return .appended
    }

    /// The reference of the series with these labels; created when new and `create` is set.
    /// The caller holds the write lock (or the read lock, without `create`).
    func ref(for labels: Labels, create: Bool) -> Int32? {
        let hash = labels.fingerprint
        if let r = byHash.find(hash) {
            if records[r].labels == labels { return Int32(r) }
            if let c = collided[hash]?.first(where: { records[Int($0)].labels == labels }) { return c }
            guard create else { return nil }
            let new = insert(labels)
            collided[hash, default: []].append(new)
            return new
        }
        guard create else { return nil }
        let new = insert(labels)
        byHash.insert(hash, Int(new))
        return new
    }

    /// The reference of a series by hash, checked with `matches` (for appenders that have
    /// the labels as parser bytes, not as a label set). The caller holds the lock.
    func ref(hash: UInt64, matches: (Labels) -> Bool) -> Int32? {
        if let r = byHash.find(hash), !records[r].removed, matches(records[r].labels) { return Int32(r) }
        return collided[hash]?.first { !records[Int($0)].removed && matches(records[Int($0)].labels) }
    }

    private func insert(_ labels: Labels) -> Int32 {
        let r = Int32(records.count)
        records.append(Record(labels: labels, points: []))
        postings.add(r, labels)
        generation &+= 1
        return r
    }

    /// Before a bulk load of up to `count` new series (the caller holds the write lock): room
    /// for their records at once, instead of doubling past them.
    func reserveUnlocked(newSeries count: Int) {
        if count > records.count / 2 { records.reserveCapacity(records.count + count) }
    }

    /// After a bulk load (the caller holds the write lock): the postings give back the
    /// capacity that growing one series at a time left unused.
    func shrinkUnlocked() { postings.shrink() }

    // MARK: retention

    /// Frees every sample older than `time`, and removes the series left without any
    /// (their postings too). Returns the number of series removed.
    @discardableResult
    package func dropBefore(_ time: Int64) -> Int { dropBefore { _ in time } }

    /// ``dropBefore(_:)`` with a time per series: `cutoff` gets each series' labels and
    /// says before when its samples go (a series the rules read over 4 hours keeps 4 hours;
    /// the others, minutes).
    @discardableResult
    package func dropBefore(cutoff: (Labels) -> Int64) -> Int {
        lock.withWriteLock {
            var gone = Set<Int32>()
            for r in records.indices where !records[r].removed {
                let time = cutoff(records[r].labels)
                let points = records[r].points
                guard let first = points.first, first.t < time else {
                    if points.isEmpty { gone.insert(Int32(r)) }
                    continue
                }
                let keep = lowerBound(points, time)
                if keep == points.count {
                    gone.insert(Int32(r))
                } else {
                    // In place: the buffer's capacity is what the next samples will fill.
                    records[r].dropFirst(keep)
                }
            }
            for r in gone {
                let i = Int(r)
                let hash = records[i].labels.fingerprint
                if byHash.find(hash) == i { byHash.remove(hash) }
                collided[hash]?.removeAll { $0 == r }
                records[i] = Record(labels: Labels(), points: [], removed: true)
            }
            postings.remove(gone)
            removedCount += gone.count
            if !gone.isEmpty {
                generation &+= 1
                epochStorage &+= 1
            }
            // Slots of removed series are reclaimed once they are half the store.
            if removedCount > 1024 && removedCount * 2 > records.count { compact() }
            return gone.count
        }
    }

    /// Renumbers the live series densely, in their order (which stays creation order).
    private func compact() {
        var map = [Int32](repeating: -1, count: records.count)
        var live: [Record] = []
        live.reserveCapacity(records.count - removedCount)
        for (r, record) in records.enumerated() where !record.removed {
            map[r] = Int32(live.count)
            live.append(record)
        }
        records = live
        byHash = HashIndex(capacity: records.count)
        collided = [:]
        for (r, record) in records.enumerated() {
            let hash = record.labels.fingerprint
            if byHash.insert(hash, r) != nil { collided[hash, default: []].append(Int32(r)) }
        }
        postings.renumber(map)
        removedCount = 0
        generation &+= 1
    }

    // MARK: reading

    /// Calls `body` holding the read lock: for evaluations that read many series.
    func read<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T { try lock.withReadLock(body) }

    /// References of the series matching all matchers, in creation order. The caller holds the lock.
    func selectUnlocked(_ matchers: [LabelMatcher]) -> [Int32] { postings.select(matchers) }

    /// Labels of the series matching all matchers.
    package func select(_ matchers: [LabelMatcher]) -> [Labels] {
        read { selectUnlocked(matchers).map { records[Int($0)].labels } }
    }

    /// Calls `body` with every live series and its samples, holding the read lock (the
    /// sidecar's history file).
    package func forEachSeries(_ body: (Labels, PointsView) -> Void) {
        read {
            for r in records where !r.removed { body(r.labels, PointsView(r.points[...])) }
        }
    }

    /// What the store holds, in counts and bytes.
    package struct Usage: Sendable {
        package var series = 0
        package var samples = 0
        /// Encoded label sets.
        package var labelBytes = 0
        /// Sample arrays (16 bytes a sample, plus spare capacity and array headers).
        package var sampleBytes = 0
        /// Series records, the hash index and the postings.
        package var indexBytes = 0
        package var totalBytes: Int { labelBytes + sampleBytes + indexBytes }
    }

    package var usage: Usage {
        read {
            var u = Usage()
            for r in records where !r.removed {
                u.series += 1
                u.samples += r.points.count
                u.sampleBytes += r.points.capacity * MemoryLayout<Point>.stride + (r.points.capacity > 0 ? 32 : 0)
                u.labelBytes += r.labels.encodedSize
            }
            u.indexBytes = records.capacity * MemoryLayout<Record>.stride + byHash.bytes + postings.bytes
            return u
        }
    }
}

/// First index with `points[i].t >= t`.
func lowerBound(_ points: [Point], _ t: Int64) -> Int { partitionPoint(points) { $0.t < t } }

/// First index with `points[i].t > t`.
func upperBound(_ points: [Point], _ t: Int64) -> Int { partitionPoint(points) { $0.t <= t } }

/// The first index where `before` stops holding (it holds for a prefix of `points`).
@inline(__always)
private func partitionPoint(_ points: [Point], _ before: (Point) -> Bool) -> Int {
    var lo = 0
    var hi = points.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if before(points[mid]) { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

extension Array {
    /// A copy in a buffer of exactly its size (`Array(self[...])` would share this buffer).
    func exactCopy() -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(count)
        out.append(contentsOf: self)
        return out
    }
}
