import CtlmonTestSupport
import Foundation
import PromText
import Testing

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

extension FamilyFilter {
    /// A filter of the kind `check` uses: some families by name, some by prefix.
    static let controlPlane = FamilyFilter(
        names: ["etcd_db_total_size_in_bytes", "process_start_time_seconds"],
        prefixes: ["apiserver_request_duration_seconds", "apiserver_admission_webhook_", "apiserver_storage_"]
    )
}
