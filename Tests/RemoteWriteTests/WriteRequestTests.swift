import CtlmonTestSupport
import Foundation
import Testing

@testable import RemoteWrite

/// Decodes remote-write bodies with Python's protobuf runtime and python-snappy
/// (scripts/remote-write-decode.py): an implementation that shares nothing with ours.
enum IndependentDecoder {
    struct Series: Equatable {
        var labels: [[String]]
        var samples: [[String]]  // [timestamp, value bits as hex]
    }

    /// The series of each body (snappy-compressed unless `raw`).
    static func decode(_ bodies: [[UInt8]], raw: Bool = false) throws -> [[Series]] {
        let folder = try Components.temporaryFolder("rw-decode")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var paths: [String] = []
        for (k, b) in bodies.enumerated() {
            let path = folder + "/\(k).bin"
            try Data(b).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let script = packageRoot.appendingPathComponent("scripts/remote-write-decode.py").path
        let out = try Components.run("/usr/bin/python3", [script] + (raw ? ["--raw"] : []) + paths)
        return try out.split(separator: "\n").map { line in
            let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return (json["series"] as! [[String: Any]]).map { s in
                Series(
                    labels: s["labels"] as! [[String]],
                    samples: (s["samples"] as! [[Any]]).map { ["\($0[0])", $0[1] as! String] })
            }
        }
    }

    /// A value's bits as the decoder prints them.
    static func bits(_ v: Double) -> String {
        let h = String(v.bitPattern, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h
    }
}

@Suite("remote write: the protocol")
struct WriteRequestTests {
    @Test("a WriteRequest decodes with Python's protobuf to the same series, labels in order, and samples bit for bit (stale NaN, -0.0, 0, negative times)")
    func encodingMatchesIndependentDecoder() throws {
        let values: [(Int64, Double)] = [
            (1_700_000_000_000, 1.5), (1_700_000_015_000, 0), (1_700_000_030_000, -0.0),
            (0, 42), (-5_000, .infinity), (1_700_000_045_000, Double(bitPattern: 0x7FF0_0000_0000_0002)), (Int64.max, -.greatestFiniteMagnitude),
        ]
        let labels = [
            [("__name__", "apiserver_request_total"), ("cluster", "prod-eu"), ("code", "200"), ("verb", "GET")],
            [("__name__", "up"), ("instance", "ünïcode:443"), ("job", String(repeating: "x", count: 300))],
        ]
        var request = WriteRequest()
        for l in labels { request.addSeries(labels: WriteRequest.encodeLabels(l.map { (name: $0.0, value: $0.1) }), samples: values.map { (t: $0.0, v: $0.1) }) }
        #expect(request.seriesCount == 2 && request.sampleCount == 14)
        let decoded = try IndependentDecoder.decode([Snappy.compress(request.bytes)])
        let expected = labels.map { l in
            IndependentDecoder.Series(labels: l.map { [$0.0, $0.1] }, samples: values.map { ["\($0.0)", IndependentDecoder.bits($0.1)] })
        }
        #expect(decoded[0] == expected)
        // -0.0 keeps its sign: its bits are not zero, so the field is written.
        #expect(decoded[0][0].samples[2][1] == "8000000000000000")
        let raw = try IndependentDecoder.decode([request.bytes], raw: true)
        #expect(raw[0] == expected)
    }

    @Test("snappy: what we compress, python-snappy decompresses; what we decompress round-trips; garbage and over-limit blocks are refused")
    func snappyRoundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        let inputs: [[UInt8]] = [
            [], Array("hello hello hello hello".utf8), (0..<100_000).map { _ in UInt8.random(in: 0...3, using: &generator) },
            (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) },
        ]
        for input in inputs {
            let compressed = Snappy.compress(input)
            #expect(Snappy.uncompress(compressed, limit: input.count) == input)
            #expect(Snappy.uncompress(compressed, limit: input.count - 1) == nil || input.isEmpty)
        }
        #expect(Snappy.uncompress([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2], limit: 1 << 20) == nil)
        // The independent decoder reads a request we compressed (the test above); here a
        // request that compresses well, as scrapes do.
        var request = WriteRequest()
        let names = (0..<500).map { [("__name__", "apiserver_request_duration_seconds_bucket"), ("le", "\($0)")] }
        for n in names { request.addSeries(labels: WriteRequest.encodeLabels(n.map { (name: $0.0, value: $0.1) }), samples: [(t: 1, v: 1)]) }
        let compressed = Snappy.compress(request.bytes)
        #expect(compressed.count * 4 < request.bytes.count)
        let decoded = try IndependentDecoder.decode([compressed])
        #expect(decoded[0].count == 500 && decoded[0][499].labels[1] == ["le", "499"])
    }
}
