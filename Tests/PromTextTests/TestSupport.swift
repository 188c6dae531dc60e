import Foundation
import PromText
import Testing

/// Where the fixtures are, wherever the tests run from.
enum Fixture {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// The text of a fixture, inflated when stored gzipped.
    static func text(_ relative: String) throws -> [UInt8] {
        let raw = try bytes(relative)
        return Gzip.isGzip(raw) ? try Gzip.decompress(raw) : raw
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relative)))
    }

    static func files(in folder: String, suffix: String = ".txt.gz") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url(folder).path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder + "/" + $0 }
    }

    static let scrapes: [String] =
        files(in: "apiserver") + files(in: "etcd") + files(in: "scheduler") + files(in: "controller-manager")
}

/// A deterministic generator for the split tests (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Records everything a parse yields, as owned values, for comparisons.
final class Recorder: SampleConsumer {
    struct Sample: Equatable {
        var name: String
        var family: String
        var type: MetricType
        var labels: [String: String]
        var value: Double
        var timestamp: Int64?
        var exemplarValue: Double?

        static func == (a: Sample, b: Sample) -> Bool {
            a.name == b.name && a.family == b.family && a.type == b.type && a.labels == b.labels
                && (a.value == b.value || (a.value.isNaN && b.value.isNaN)) && a.timestamp == b.timestamp
                && a.exemplarValue == b.exemplarValue
        }
    }
    var samples: [Sample] = []
    var metadata: [(MetadataView.Kind, String, String)] = []

    func consume(_ s: SampleView) {
        var labels: [String: String] = [:]
        for i in 0..<s.labelCount { labels[s.labelName(i).string] = s.labelValue(i) }
        samples.append(Sample(
            name: s.name.string, family: s.family.string, type: s.type, labels: labels, value: s.value,
            timestamp: s.timestampMilliseconds, exemplarValue: s.exemplar?.value))
    }

    func consumeMetadata(_ m: MetadataView) {
        metadata.append((m.kind, m.name.string, m.kind == .help ? m.unescapedText : m.text.string))
    }
}

/// A compact digest of a parse, cheap enough for multi-megabyte inputs fed byte by byte.
final class Digest: SampleConsumer, Equatable {
    var samples = 0
    var hash: UInt64 = 0
    var metadataLines = 0

    func consume(_ s: SampleView) {
        samples += 1
        var h = s.seriesFingerprint ^ s.value.bitPattern
        h = h &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(s.type.rawValue) ^ UInt64(truncatingIfNeeded: s.timestampMilliseconds ?? -1)
        h ^= UInt64(s.family.count) &* 31
        hash = (hash &* 1_000_003) ^ h
    }

    func consumeMetadata(_ m: MetadataView) {
        metadataLines += 1
        hash = (hash &* 1_000_003) ^ UInt64(m.name.count &* 7 &+ m.text.count)
    }

    static func == (a: Digest, b: Digest) -> Bool {
        a.samples == b.samples && a.hash == b.hash && a.metadataLines == b.metadataLines
    }
}

/// The outcome of one parse: what came out, the statistics, and the error if it failed.
struct Outcome {
    var statistics: ParseStatistics
    var errors: [ParseError]
    var failure: ParseError?
}

/// Parses `input` fed in the given chunk sizes (cycled), into `consumer`.
@discardableResult
func parse(
    _ input: [UInt8], chunks: [Int] = [Int.max], options: TextParser.Options = .init(), into consumer: any SampleConsumer
) -> Outcome {
    let parser = TextParser(options: options, consumer: consumer)
    do {
        try input.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
            var offset = 0
            var k = 0
            while offset < buf.count {
                let size = max(1, min(chunks[k % chunks.count], buf.count - offset))
                try parser.feed(UnsafeRawBufferPointer(rebasing: buf[offset..<(offset + size)]))
                offset += size
                k += 1
            }
        }
        try parser.finish()
        return Outcome(statistics: parser.statistics, errors: parser.errors, failure: nil)
    } catch let error as ParseError {
        return Outcome(statistics: parser.statistics, errors: parser.errors, failure: error)
    } catch {
        Issue.record("unexpected error type: \(error)")
        return Outcome(statistics: parser.statistics, errors: parser.errors, failure: nil)
    }
}

/// Parses a string with default options (plus `format`/`mode`), recording samples.
func parse(
    _ text: String, format: ExpositionFormat = .prometheusText, mode: TextParser.Mode = .strict,
    limits: ParseLimits = ParseLimits(), filter: FamilyFilter? = nil
) -> (Recorder, Outcome) {
    let recorder = Recorder()
    let outcome = parse(
        Array(text.utf8), options: .init(format: format, mode: mode, limits: limits, source: "test", filter: filter),
        into: recorder)
    return (recorder, outcome)
}

/// Random chunk sizes between 1 and `max`.
func randomChunks(count: Int, max: Int, seed: UInt64) -> [Int] {
    var g = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Int.random(in: 1...max, using: &g) }
}
