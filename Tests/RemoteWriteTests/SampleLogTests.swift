import CtlmonTestSupport
import Foundation
import PromModel
import SeriesStorage
import Testing

@testable import RemoteWrite

@Suite("remote write: the buffer on disk")
struct SampleLogTests {
    static func labels(_ name: String, _ k: Int) -> Labels { Labels([("__name__", name), ("instance", "i\(k)")]) }

    static func open(_ folder: String, maxBytes: Int = 1 << 30, segmentBytes: Int = 8 << 20, drop: String? = nil) throws -> SampleLog {
        try SampleLog(folder: folder, maxBytes: maxBytes, segmentBytes: segmentBytes) { l in
            if let drop, l.name == drop { return nil }
            return l.labels.map { (name: $0.name, value: $0.value) } + [(name: "zone", value: "a")]
        }
    }

    /// Reads everything the reader has: (labels text, t, v) in order.
    static func drain(_ reader: inout SampleLogReader, max: Int = 1000) -> [(String, Int64, Double)] {
        var out: [(String, Int64, Double)] = []
        while true {
            let got = reader.read(max: max)
            if got.isEmpty { return out }
            out += got.map { (text($0.labels), $0.t, $0.v) }
        }
    }

    /// Encoded labels back as `name=value,…` (for comparisons).
    static func text(_ encoded: [UInt8]) -> String {
        var r = Varint.Reader(encoded[...])
        var parts: [String] = []
        while r.next() != nil, let label = r.bytes() {
            var l = Varint.Reader(label)
            _ = l.next()
            let name = l.bytes().map { String(decoding: $0, as: UTF8.self) } ?? ""
            _ = l.next()
            let value = l.bytes().map { String(decoding: $0, as: UTF8.self) } ?? ""
            parts.append("\(name)=\(value)")
        }
        return parts.joined(separator: ",")
    }

    @Test("what the store accepts comes back in order, with the resolved labels; refused duplicates and relabel-dropped series do not, and are counted")
    func storeTapToReader() throws {
        let folder = try Components.temporaryFolder("rw-log")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = try Self.open(folder, drop: "dropped_metric")
        let store = SeriesStore()
        store.setTap(log)
        for t in 0..<50 {
            for k in 0..<20 { store.append(Self.labels("m", k), timestamp: Int64(t) * 1000, value: Double(t * 100 + k)) }
            store.append(Self.labels("dropped_metric", 0), timestamp: Int64(t) * 1000, value: 1)
        }
        store.append(Self.labels("m", 0), timestamp: 49_000, value: 7)  // a duplicate: refused, not sent
        store.append(Self.labels("m", 0), timestamp: 50_000, value: SeriesStore.staleNaN)
        var reader = SampleLogReader(log: log)
        let read = Self.drain(&reader, max: 333)
        #expect(read.count == 50 * 20 + 1)
        #expect(read.first!.0 == "__name__=m,instance=i0,zone=a" && read.first!.1 == 0 && read.first!.2 == 0)
        let series0 = read.filter { $0.0 == "__name__=m,instance=i0,zone=a" }
        #expect(series0.map(\.1) == (0...50).map { Int64($0) * 1000 })
        #expect(SeriesStore.isStale(series0.last!.2))
        let counts = log.counts
        #expect(counts.droppedByRelabel == 50 && counts.pending == 1001 && counts.droppedByBound == 0)
        try log.acknowledge(reader.position)
        #expect(log.counts.pending == 0)
    }

    @Test("a new run (after kill -9: nothing closed) starts at the cursor: the acknowledged samples are not read again, the others are, then the new run's")
    func restartResumesAtCursor() throws {
        let folder = try Components.temporaryFolder("rw-restart")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let log = try Self.open(folder, segmentBytes: 4096)
            let store = SeriesStore()
            store.setTap(log)
            for t in 0..<100 { for k in 0..<5 { store.append(Self.labels("m", k), timestamp: Int64(t), value: Double(t)) } }
            var reader = SampleLogReader(log: log)
            #expect(reader.read(max: 237).count == 237)  // through several segments, mid-record
            try log.acknowledge(reader.position)
            #expect(reader.read(max: 100).count == 100)  // read, never acknowledged: lost with the process
            #expect(log.counts.pending == 500 - 237)
            // No close(): the process dies here.
        }
        let log = try Self.open(folder, segmentBytes: 4096)
        #expect(log.counts.pending == 500 - 237)
        let store = SeriesStore()
        store.setTap(log)
        for k in 0..<5 { store.append(Self.labels("m", k), timestamp: 1000, value: -1) }
        var reader = SampleLogReader(log: log)
        let read = Self.drain(&reader, max: 50)
        #expect(read.count == 500 - 237 + 5)
        // Every sample after the 237th of the first run, in the order written, then the new ones.
        var expected: [(String, Int64)] = []
        for t in 0..<100 { for k in 0..<5 { expected.append(("__name__=m,instance=i\(k),zone=a", Int64(t))) } }
        expected = Array(expected.dropFirst(237)) + (0..<5).map { ("__name__=m,instance=i\($0),zone=a", 1000) }
        #expect(read.map(\.0) == expected.map(\.0) && read.map(\.1) == expected.map(\.1))
    }

    @Test("a torn last record (a crash mid-write) ends its segment: the samples before it are read, the next run's after it")
    func tornTailIsSkipped() throws {
        let folder = try Components.temporaryFolder("rw-torn")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let log = try Self.open(folder)
            let store = SeriesStore()
            store.setTap(log)
            for t in 0..<10 { store.append(Self.labels("m", 0), timestamp: Int64(t), value: 1) }
        }
        // Half a record at the end of the segment, and a record whose CRC is wrong.
        let segment = folder + "/00000001"
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([2, 100, 0, 0, 0, 1, 2, 3, 4, 5]))
        try handle.close()
        let log = try Self.open(folder)
        #expect(log.counts.pending == 10)
        let store = SeriesStore()
        store.setTap(log)
        store.append(Self.labels("m", 0), timestamp: 10, value: 2)
        var reader = SampleLogReader(log: log)
        #expect(Self.drain(&reader).map(\.1) == Array(0...10))
    }

    @Test("past its bound the buffer drops its oldest segments, counts their unsent samples as dropped, and the reader goes on with the oldest kept")
    func boundDropsOldestCounted() throws {
        let folder = try Components.temporaryFolder("rw-bound")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = try Self.open(folder, maxBytes: 16 << 10, segmentBytes: 4 << 10)
        let store = SeriesStore()
        store.setTap(log)
        var reader = SampleLogReader(log: log)
        for t in 0..<2000 { store.append(Self.labels("m", t % 7), timestamp: Int64(t), value: Double(t)) }
        let counts = log.counts
        #expect(counts.bytes <= 16 << 10 + 4 << 10)
        #expect(counts.droppedByBound > 0)
        let read = Self.drain(&reader)
        // Nothing lost without a count: what was read plus what was dropped is everything.
        #expect(read.count + counts.droppedByBound == 2000, "\(read.count) read, \(counts.droppedByBound) dropped")
        #expect(read.map(\.1) == read.map(\.1).sorted())
        #expect(read.last?.1 == 1999)
    }
}
