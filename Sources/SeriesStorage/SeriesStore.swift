import LabelMatchers
import PromModel
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
    // Sendable: `table` is reached only while `lock` is held, shared for reads (queries,
    // accounting), exclusive for writes.
    private let lock = ReadWriteLock()
    private var table = SeriesTable()
    /// Who hears of every accepted sample (remote write); set under the write lock.
    private var tap: (any SampleTap)?

    /// Prometheus's staleness marker: a NaN with a distinct bit pattern.
    package static let staleNaN = Double(bitPattern: 0x7FF0_0000_0000_0002)

    /// Whether `v` is the staleness marker: compared by bit pattern, since NaN equals nothing and
    /// an ordinary NaN sample is not a marker.
    package static func isStale(_ v: Double) -> Bool { v.bitPattern == 0x7FF0_0000_0000_0002 }

    /// One series: its labels and samples.
    package typealias Record = SeriesTable.Record

    /// An empty store: series are created as their first samples are appended.
    package init() {}

    /// What appending one sample did.
    package enum AppendResult: Sendable {
        case appended
        /// A sample at a time the series already has: refused (the first value stays).
        case duplicate
        /// A sample older than the series' last one: refused.
        case outOfOrder
    }

    /// Runs `body` on the table holding the write lock: one exclusive access for a whole
    /// operation (the ``ScrapeAppender``'s commit).
    /// The samples it appended go to the ``SampleTap``, if any, once the lock is released.
    func write<T, E: Error>(_ body: (inout SeriesTable) throws(E) -> T) throws(E) -> T {
        var taken: [TappedSample] = []
        var listener: (any SampleTap)?
        defer { if let listener, !taken.isEmpty { listener.received(taken) } }
        return try lock.withWriteLock { () throws(E) -> T in
            defer {
                if let tap, !table.tapped.isEmpty {
                    swap(&taken, &table.tapped)
                    listener = tap
                }
            }
            return try body(&table)
        }
    }

    /// Sends every sample accepted from now on to `tap` (nil: to no one). Samples already held
    /// are not replayed.
    package func setTap(_ tap: (any SampleTap)?) {
        lock.withWriteLock {
            self.tap = tap
            table.tapping = tap != nil
            table.tapped = []
        }
    }

    /// Changes whenever series are removed or renumbered: references cached before are stale.
    var epoch: UInt64 { lock.withReadLock { table.epoch } }

    // MARK: writing

    /// Appends a sample, creating the series when new.
    @discardableResult
    package func append(_ labels: Labels, timestamp: Int64, value: Double) -> AppendResult {
        write { $0.append($0.ref(for: labels, create: true)!, timestamp, value) }
    }

    /// Appends a rule's output sample as Prometheus's storage takes it: false when the series
    /// already has another value at that time (Prometheus: `duplicate sample for timestamp`,
    /// two rules writing one series); the same value again is no conflict.
    package func appendRuleOutput(_ labels: Labels, timestamp: Int64, value: Double) -> Bool {
        write { table in
            let r = table.ref(for: labels, create: true)!
            guard table.append(r, timestamp, value) == .duplicate else { return true }
            return table.records[Int(r)].points.last.map { $0.v.bitPattern == value.bitPattern } ?? true
        }
    }

    /// Appends samples of one series in time order (those not after its last sample are refused).
    package func append(_ labels: Labels, timestamps: [Int64], values: [Double]) {
        precondition(timestamps.count == values.count, "one value per timestamp")
        write { table in
            let r = table.ref(for: labels, create: true)!
            for (t, v) in zip(timestamps, values) { table.append(r, t, v) }
        }
    }

    /// Replaces every sample of a series (creating it when new): the one-shot history.
    package func replace(_ labels: Labels, points: [Point]) {
        write { $0.setPoints($0.ref(for: labels, create: true)!, points) }
    }

    /// Replaces the samples of many series at once: `points(k)` gives those of `refs[k]`.
    package func replacePoints(_ refs: [Int32], _ points: (Int) -> [Point]) {
        write { table in
            for (k, ref) in refs.enumerated() { table.setPoints(ref, points(k)) }
        }
    }

    /// The labels of the series `refs`.
    package func labels(of refs: [Int32]) -> [Labels] { lock.withReadLock { refs.map { table.records[Int($0)].labels } } }

    // MARK: retention

    /// Frees every sample older than `time`, and removes the series left without any
    /// (their postings too). Returns the number of series removed.
    @discardableResult
    package func dropBefore(_ time: Int64) -> Int { dropBefore { _ in time } }

    /// ``dropBefore(_:)`` with a time per series: `cutoff` gets each series' labels and
    /// says before when its samples go (a series the rules read over 4 hours keeps 4 hours;
    /// the others, minutes).
    @discardableResult
    package func dropBefore(cutoff: (Labels) -> Int64) -> Int { write { $0.dropBefore(cutoff: cutoff) } }

    // MARK: reading

    /// Calls `body` holding the read lock: an evaluation that reads many series through
    /// ``generationUnlocked``, ``selectUnlocked(_:)`` and ``recordUnlocked(_:)``. Not
    /// reentrant (see ``ReadWriteLock``): `body` must not take the lock again.
    package func read<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T { try lock.withReadLock(body) }

    /// Changes whenever series are added or removed: cached selections are then stale. The
    /// caller holds the lock (``read(_:)``).
    package var generationUnlocked: UInt64 { table.generation }

    /// References of the series matching all matchers, in creation order. The caller holds the lock.
    package func selectUnlocked(_ matchers: [LabelMatcher]) -> [Int32] { table.select(matchers) }

    /// Series `ref`'s record (labels and points, shared, not copied). The caller holds the lock.
    package func recordUnlocked(_ ref: Int32) -> Record { table.records[Int(ref)] }

    /// Labels of the series matching all matchers.
    package func select(_ matchers: [LabelMatcher]) -> [Labels] {
        lock.withReadLock { table.select(matchers).map { table.records[Int($0)].labels } }
    }

    /// The series that match any of `selectors` (each a list of matchers a series must all
    /// match; no selector: every series) and have a point, stale markers included, between
    /// `start` and `end` (milliseconds, inclusive), each once, in label order: Prometheus's
    /// `/api/v1/series`, and the set `/api/v1/labels` and `/api/v1/label/…/values` read.
    package func series(matching selectors: [[LabelMatcher]], start: Int64, end: Int64) -> [Labels] {
        // References are valid only under the lock (retention may renumber them): labels are
        // taken in the same critical section.
        let found: [Labels] = lock.withReadLock {
            var refs: [Int32]
            if selectors.isEmpty {
                refs = table.records.indices.compactMap { table.records[$0].removed ? nil : Int32($0) }
            } else {
                var union = Set<Int32>()
                for matchers in selectors { union.formUnion(table.select(matchers)) }
                refs = Array(union)
            }
            refs.removeAll { ref in
                let points = table.records[Int(ref)].points
                let i = lowerBound(points, start)
                return i == points.count || points[i].t > end
            }
            return refs.map { table.records[Int($0)].labels }
        }
        return found.sorted()
    }

    /// Calls `body` with every live series and its samples, holding the read lock (the
    /// sidecar's history file).
    package func forEachSeries(_ body: (Labels, PointsView) -> Void) {
        lock.withReadLock {
            for r in table.records where !r.removed { body(r.labels, PointsView(r.points[...])) }
        }
    }

    /// Visits the live series as ``forEachSeries(_:)`` does, but in slices: the read lock is
    /// held until `body` returns false (or the store ends), then released while `between`
    /// runs, and the walk resumes at the next series. A long walk (the series file, several
    /// hundred megabytes on a big store) then holds off a scrape commit for one slice, not for
    /// the whole store. Series created during the walk are seen; when series are removed
    /// between two slices (retention), the walk starts over, so a series may be visited twice
    /// (a reader of the file keeps the last) but a live one is never missed. `between` also
    /// runs after the last slice.
    package func forEachSeries(inSlices body: (Labels, PointsView) -> Bool, between: () throws -> Void) rethrows {
        var next = 0
        var epoch: UInt64?
        var more = true
        while more {
            lock.withReadLock {
                if epoch != table.epoch {
                    if epoch != nil { next = 0 }
                    epoch = table.epoch
                }
                let records = table.records
                while next < records.count {
                    let r = records[next]
                    next += 1
                    if !r.removed, !body(r.labels, PointsView(r.points[...])) { break }
                }
                more = next < records.count
            }
            try between()
        }
    }

    /// What the store holds, in counts and bytes.
    package struct Usage: Sendable {
        /// Live series (removed ones not counted).
        package var series = 0
        /// Points held, stale markers included.
        package var samples = 0
        /// Encoded label sets.
        package var labelBytes = 0
        /// Sample arrays (16 bytes a sample, plus spare capacity and array headers).
        package var sampleBytes = 0
        /// Series records, the hash index and the postings.
        package var indexBytes = 0
        /// The three byte counts together: an estimate of the store's memory (allocator overhead
        /// not included).
        package var totalBytes: Int { labelBytes + sampleBytes + indexBytes }
    }

    /// Counts and bytes of the live series, taken under the read lock. It walks every series:
    /// for periodic reporting (the sidecar's metrics, the benchmark), not per query.
    package var usage: Usage { lock.withReadLock { table.usage() } }
}
