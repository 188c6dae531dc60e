import CtlmonTestSupport
import Foundation
import PromModel
import PromQL
import SeriesStorage
import RuleEngine
@testable import Sidecar
import Testing

/// What survives a restart: written atomically, read back checked; a damaged file is a
/// reported problem, never a crash.
@Suite("state files")
struct StateFilesTests {
    @Test("the history round-trips: every series and sample, NaN and stale markers included")
    func seriesRoundTrip() throws {
        let folder = try Components.temporaryFolder("state")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = SeriesStore()
        store.append(Labels([("__name__", "a"), ("job", "x")]), timestamps: [1000, 2000, 3000], values: [1, .nan, SeriesStore.staleNaN])
        store.append(Labels([("__name__", "b"), ("le", "+Inf"), ("v", "ü\"\n")]), timestamps: [5], values: [-0.5])
        let files = StateFiles(folder: folder)
        try files.writeSeries(store)
        let back = SeriesStore()
        #expect(try files.readSeries(into: back) == 2)
        var seen: [String: [Point]] = [:]
        back.forEachSeries { l, p in seen[l.description] = Array(p) }
        let a = try #require(seen["a{job=\"x\"}"])
        #expect(a.map(\.t) == [1000, 2000, 3000] && a[0].v == 1 && a[1].v.isNaN && SeriesStore.isStale(a[2].v))
        #expect(seen["b{le=\"+Inf\", v=\"ü\\\"\\n\"}"]?.first?.v == -0.5)
    }

    @Test("a corrupt, truncated or foreign file is a problem the log reports, and the start goes on", arguments: [
        "truncated", "flipped", "foreign", "trailing",
    ])
    func damagedSeries(_ damage: String) throws {
        let folder = try Components.temporaryFolder("state")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = SeriesStore()
        for k in 0..<50 { store.append(Labels([("__name__", "m\(k)")]), timestamp: 1, value: Double(k)) }
        let files = StateFiles(folder: folder)
        try files.writeSeries(store)
        let path = folder + "/series.bin"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        switch damage {
        case "truncated": bytes = Array(bytes.prefix(bytes.count / 2))
        case "trailing":
            // A well-formed checksum over a file with bytes after its last series.
            bytes.removeLast(8)
            bytes += [0, 0, 0, 0, 50, 0, 0, 0]
            let crc = CRC32.checksum(bytes[...])
            bytes += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
        case "flipped": bytes[bytes.count / 2] ^= 0xFF
        default: bytes = Array("not ours at all, but long enough".utf8)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: StateFiles.Problem.self) { try files.readSeries(into: SeriesStore()) }
        try "{\"version\":1,\"lastEvaluation\":".write(toFile: folder + "/state.json", atomically: true, encoding: .utf8)
        #expect(throws: StateFiles.Problem.self) { try files.readAlerts() }
    }

    @Test("a series file of the first format (count after the magic), written by an earlier version, is still read")
    func firstFormatStillRead() throws {
        let folder = try Components.temporaryFolder("state")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = SeriesStore()
        source.append(Labels([("__name__", "a"), ("job", "x")]), timestamps: [1000, 2000], values: [1, 2])
        var body: [UInt8] = []
        source.forEachSeries { labels, points in StateFiles.encode(labels.labels, points, to: &body) }
        var bytes = Array("CTLMONS1".utf8) + [1, 0, 0, 0] + body
        let crc = CRC32.checksum(bytes[...])
        bytes += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/series.bin"))
        let back = SeriesStore()
        #expect(try StateFiles(folder: folder).readSeries(into: back) == 1)
        var seen: [String: [Int64]] = [:]
        back.forEachSeries { l, p in seen[l.description] = p.map(\.t) }
        #expect(seen == ["a{job=\"x\"}": [1000, 2000]])
    }

    @Test("a store larger than one slice is written while scrapes append: every series it had is in the file, whole")
    func streamedWhileAppending() async throws {
        let folder = try Components.temporaryFolder("state")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = SeriesStore()
        // 400 series of 600 points: about 3.8 MB, several slices of StateFiles.sliceBytes.
        let times = (1...600).map { Int64($0) * 1000 }
        for k in 0..<400 { store.append(Labels([("__name__", "m"), ("k", "\(k)")]), timestamps: times, values: times.map(Double.init)) }
        #expect(400 * 600 * 16 > 3 * StateFiles.sliceBytes)
        let files = StateFiles(folder: folder)
        let appender = Task.detached {
            var n = 0
            while !Task.isCancelled, n < 100_000 {
                store.append(Labels([("__name__", "m"), ("k", "\(n % 400)")]), timestamp: 601_000 + Int64(n / 400) * 1000, value: 1)
                n += 1
            }
        }
        try files.writeSeries(store)
        appender.cancel()
        _ = await appender.value
        let back = SeriesStore()
        #expect(try files.readSeries(into: back) == 400)
        var counts: [String: Int] = [:]
        back.forEachSeries { l, p in
            counts[l["k"]] = p.count
            // The points of a series are a prefix of what was appended: in order, none missing.
            #expect(p.enumerated().allSatisfy { $0.element.t == Int64($0.offset + 1) * 1000 })
        }
        #expect(counts.count == 400 && counts.values.allSatisfy { $0 >= 600 })
    }

    @Test("alert states round-trip, NaN values included")
    func alertsRoundTrip() throws {
        let folder = try Components.temporaryFolder("state")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = StateFiles(folder: folder)
        let record = AlertRecord(
            group: "g", rule: "r", ruleIndex: 0, labels: ["alertname": "r"], annotations: ["summary": "s"], state: "firing",
            value: .nan, activeAt: 1, firedAt: 2, resolvedAt: nil, keepFiringSince: nil)
        try files.writeAlerts(.init(lastEvaluation: 3, alerts: [record], lastSent: ["g/r{}": 2]))
        let back = try #require(try files.readAlerts())
        #expect(back.lastEvaluation == 3 && back.lastSent == ["g/r{}": 2])
        #expect(back.alerts.first?.value.isNaN == true && back.alerts.first?.firedAt == 2)
    }

    @Test("the series file's checksum is zlib's CRC-32: files written before stay readable")
    func crcIsZlibs() {
        // The standard check value of CRC-32/ISO-HDLC, and zlib.crc32(b"ctlmon") from Python.
        #expect(CRC32.checksum(Array("123456789".utf8)[...]) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("ctlmon".utf8)[...]) == 0x4A60_B1A7)
        #expect(CRC32.checksum([][...]) == 0)
    }
}
