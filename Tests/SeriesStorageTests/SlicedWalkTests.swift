import PromModel
@testable import SeriesStorage
import Testing

/// The walk of the whole store in slices (the series file): the lock is released between
/// slices, and a live series is never missed, whatever happens in between.
@Suite("walking the store in slices")
struct SlicedWalkTests {
    private func store(_ n: Int) -> SeriesStore {
        let store = SeriesStore()
        for k in 0..<n { store.append(Labels([("__name__", "m"), ("k", "\(k)")]), timestamp: 1, value: Double(k)) }
        return store
    }

    @Test("every series is visited once, the slices end where the visitor says, `between` runs after each")
    func slices() {
        let s = store(10)
        var seen: [String] = []
        var slices: [Int] = []
        s.forEachSeries(inSlices: { labels, _ in
            seen.append(labels["k"])
            return seen.count % 3 != 0
        }, between: { slices.append(seen.count) })
        #expect(seen == (0..<10).map(String.init))
        #expect(slices == [3, 6, 9, 10])
    }

    @Test("the lock is free between slices: a writer appends there, and the series it creates are visited")
    func writerBetweenSlices() {
        let s = store(4)
        var seen: Set<String> = []
        var added = 0
        s.forEachSeries(inSlices: { labels, _ in
            seen.insert(labels["k"])
            return false
        }, between: {
            // Would deadlock if the walk still held the read lock.
            if added < 2 {
                s.append(Labels([("__name__", "m"), ("k", "new\(added)")]), timestamp: 1, value: 0)
                added += 1
            }
        })
        #expect(seen == ["0", "1", "2", "3", "new0", "new1"])
    }

    @Test("series removed between slices (retention) restart the walk: no live series is missed, some are seen twice")
    func removalRestarts() {
        let s = store(2000)
        // Half the series get a newer point, so that retention keeps them; the rest only have t=1.
        for k in stride(from: 0, to: 2000, by: 2) { s.append(Labels([("__name__", "m"), ("k", "\(k)")]), timestamp: 10, value: 0) }
        var visits: [String: Int] = [:]
        var removed = false
        s.forEachSeries(inSlices: { labels, _ in
            visits[labels["k"], default: 0] += 1
            return visits.count % 700 != 0
        }, between: {
            // After the first slice: drop every series without a point at or after 5 (and compact).
            if !removed {
                removed = true
                #expect(s.dropBefore(5) == 1000)
            }
        })
        let live = Set(stride(from: 0, to: 2000, by: 2).map(String.init))
        #expect(live.isSubset(of: Set(visits.keys)))
        #expect(visits.values.contains(2))
    }
}
