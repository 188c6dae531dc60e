import CMemory
import LabelMatchers
import PromModel

/// What a ``SeriesStore``'s lock guards: the series records, the hash index and the postings.
///
/// A value type, so that one exclusive access covers a whole operation (a scrape's commit, a
/// retention pass): its fields are then reached directly, with no dynamic exclusivity check
/// per sample, and without `@exclusivity(unchecked)`. Only the store holds one, and only
/// under its lock.
package struct SeriesTable {
    /// One series: its labels and samples (ascending times). `points` is empty and
    /// `removed` set for a series retention dropped, until the slots are compacted.
    package struct Record {
        /// The series' label set (empty once the series is removed).
        package var labels: Labels
        // The flags sit in the tail padding of `labels`: a record is 32 bytes.
        /// Whether some point is a stale marker (range selections then filter them out).
        package var hasStaleMarkers = false
        /// Whether retention removed the series: readers skip the record until compaction reclaims
        /// its slot.
        package var removed = false
        /// The samples, ascending by time; changed only through the store, which checks the order.
        package private(set) var points: [Point]
        /// The time of the last point (`Int64.min` without one), kept beside the labels: an
        /// append checks it without loading the points' buffer, which lies elsewhere in memory.
        package private(set) var lastTime: Int64

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

    /// Every series, at the index of its reference, in creation order; a removed series keeps its
    /// slot until compaction.
    package private(set) var records: [Record] = []
    private var byHash = HashIndex(capacity: 1024)
    /// Label sets that share a hash with an earlier one: found by a scan of these.
    private var collided: [UInt64: [Int32]] = [:]
    /// Every label name and value, with the series that carry it.
    private(set) var postings = Postings()
    private var removedCount = 0
    /// Changes whenever series are added or removed: cached selections are then stale.
    package private(set) var generation: UInt64 = 0
    /// Changes whenever series are removed or renumbered: cached references are then stale.
    private(set) var epoch: UInt64 = 0
    /// Whether appended samples are collected in ``tapped`` (a ``SampleTap`` is listening).
    var tapping = false
    /// The samples appended since the store last handed them to its tap.
    var tapped: [TappedSample] = []

    init() {}

    // MARK: writing

    /// Appends a point to series `ref`: refused when not after its last one.
    @discardableResult
    @inline(__always)
    mutating func append(_ ref: Int32, _ t: Int64, _ v: Double) -> SeriesStore.AppendResult {
        let r = Int(ref)
        let last = records[r].lastTime
        if t == last { return .duplicate }
        if t < last { return .outOfOrder }
        records[r].append(Point(t: t, v: v))
        if SeriesStore.isStale(v) { records[r].hasStaleMarkers = true }
        if tapping { tapped.append(TappedSample(labels: records[r].labels, t: t, v: v)) }
        return .appended
    }

    /// Replaces every point of series `ref`.
    mutating func setPoints(_ ref: Int32, _ points: [Point]) { records[Int(ref)].setPoints(points) }

    /// Starts loading the end of a series' samples into the cache (the appender calls it for
    /// the series it will append to a few samples later).
    @inline(__always)
    func prefetch(_ ref: Int32) {
        let r = Int(ref)
        guard r >= 0 && r < records.count else { return }
        // The append reads the buffer's header (count, capacity), just before its first
        // point, and writes after its last: prefetch both lines without loading anything.
        unsafe records[r].points.withUnsafeBufferPointer { points in
            guard let base = points.baseAddress else { return }
            unsafe ctlmon_prefetch_write(base)
            unsafe ctlmon_prefetch_write(base + points.count)
        }
    }

    /// The reference of the series with these labels; created when new and `create` is set.
    mutating func ref(for labels: Labels, create: Bool) -> Int32? {
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

    private mutating func insert(_ labels: Labels) -> Int32 {
        let r = Int32(records.count)
        records.append(Record(labels: labels, points: []))
        postings.add(r, labels)
        generation &+= 1
        return r
    }

    /// Before a bulk load of up to `count` new series: room for their records at once,
    /// instead of doubling past them.
    mutating func reserve(newSeries count: Int) {
        if count > records.count / 2 { records.reserveCapacity(records.count + count) }
    }

    /// After a bulk load: the postings give back the capacity that growing one series at a
    /// time left unused.
    mutating func shrink() { postings.shrink() }

    // MARK: retention

    /// Frees every sample older than `cutoff(labels)` of each series, and removes the series
    /// left without any (their postings too); compacts once removed slots are half the
    /// table. Returns the number of series removed.
    mutating func dropBefore(cutoff: (Labels) -> Int64) -> Int {
        var gone = Set<Int32>()
        for r in records.indices where !records[r].removed {
            let time = cutoff(records[r].labels)
            // The points are read in place, never bound to a local, so that the buffer has one
            // reference when it is dropped in place below (a second one would copy it).
            guard let first = records[r].points.first, first.t < time else {
                if records[r].points.isEmpty { gone.insert(Int32(r)) }
                continue
            }
            let keep = lowerBound(records[r].points, time)
            if keep == records[r].points.count {
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
            epoch &+= 1
        }
        // Slots of removed series are reclaimed once they are half the store.
        if removedCount > 1024 && removedCount * 2 > records.count { compact() }
        return gone.count
    }

    /// Renumbers the live series densely, in their order (which stays creation order).
    private mutating func compact() {
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

    /// References of the series matching all matchers, in creation order.
    package func select(_ matchers: [LabelMatcher]) -> [Int32] { postings.select(matchers) }

    /// Counts and bytes of the live series.
    func usage() -> SeriesStore.Usage {
        var u = SeriesStore.Usage()
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

/// First index with `points[i].t >= t`.
@inlinable
public func lowerBound(_ points: [Point], _ t: Int64) -> Int { partitionPoint(points) { $0.t < t } }

/// First index with `points[i].t > t`.
@inlinable
public func upperBound(_ points: [Point], _ t: Int64) -> Int { partitionPoint(points) { $0.t <= t } }

/// The first index where `before` stops holding (it holds for a prefix of `points`).
@inlinable @inline(__always)
func partitionPoint(_ points: [Point], _ before: (Point) -> Bool) -> Int {
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
    package func exactCopy() -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(count)
        out.append(contentsOf: self)
        return out
    }
}
