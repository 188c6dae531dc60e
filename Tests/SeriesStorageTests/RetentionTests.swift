import LabelMatchers
import PromModel
import SeriesStorage
import PromText
import Testing

/// Retention: what the sidecar's housekeeping drops, series by series.
@Suite("retention")
struct RetentionTests {
    @Test("each series keeps the samples its own cutoff allows; a series left empty is gone from the index")
    func cutoffPerSeries() throws {
        let store = SeriesStore()
        let long = Labels([("__name__", "etcd_mvcc_db_total_size_in_bytes"), ("job", "etcd")])
        let short = Labels([("__name__", "up"), ("job", "etcd")])
        for t in stride(from: Int64(0), through: 600_000, by: 60_000) {
            store.append(long, timestamp: t, value: Double(t))
            store.append(short, timestamp: t, value: 1)
        }
        let gone = store.dropBefore { $0.name == "up" ? 700_000 : 300_000 }
        #expect(gone == 1)
        var kept: [String: [Int64]] = [:]
        store.forEachSeries { labels, points in kept[labels.name] = points.map(\.t) }
        #expect(kept == ["etcd_mvcc_db_total_size_in_bytes": [300_000, 360_000, 420_000, 480_000, 540_000, 600_000]])
        #expect(store.select([.equal("__name__", "up")]).isEmpty)
        // A series appended again after its removal starts afresh.
        store.append(short, timestamp: 660_000, value: 0)
        #expect(store.select([.equal("job", "etcd")]).count == 2)
    }

    @Test("retention drops points in place: the series keeps its buffer, and the room for the next samples")
    func dropsInPlace() {
        let store = SeriesStore()
        let labels = Labels([("__name__", "up"), ("job", "x")])
        for t in 1...1000 { store.append(labels, timestamp: Int64(t), value: 1) }
        func capacity() -> Int { store.read { store.recordUnlocked(0).points.capacity } }
        let before = capacity()
        #expect(store.dropBefore(101) == 0)
        #expect(store.read { store.recordUnlocked(0).points.count } == 900)
        // A copy (copy-on-write of a buffer referenced twice) would have a capacity of its own.
        #expect(capacity() == before)
    }
}
