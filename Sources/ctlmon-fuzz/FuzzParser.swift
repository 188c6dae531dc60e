import Foundation
import PromText

/// The text parser: every input parsed whole and in chunks split where the input's own
/// bytes say; both parses must agree on every sample and on the error.
enum FuzzParser {
    /// What one parse produced, comparable across splits.
    final class Record: SampleConsumer {
        var samples: [String] = []
        func consume(_ s: SampleView) {
            var line = s.name.string + "{"
            for i in 0..<s.labelCount { line += s.labelName(i).string + "=" + s.labelValue(i) + "," }
            line += "} \(s.value.bitPattern) \(s.timestampMilliseconds.map(String.init) ?? "-") \(s.type)"
            if let e = s.exemplar { line += " # \(e.labelCount) \(e.value.bitPattern)" }
            samples.append(line)
        }
    }

    static func parse(_ data: [UInt8], format: ExpositionFormat, mode: TextParser.Mode, chunks: [Int]) -> (Record, String) {
        let record = Record()
        var limits = ParseLimits()
        limits.maxLineLength = 4096
        limits.maxDecodedBytes = 1 << 20
        let parser = TextParser(options: .init(format: format, mode: mode, limits: limits, source: "fuzz"), consumer: record)
        var outcome = "ok"
        do {
            try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws in
                var offset = 0
                var k = 0
                while offset < buffer.count {
                    let size = max(1, min(chunks[k % chunks.count], buffer.count - offset))
                    try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + size)]))
                    offset += size
                    k += 1
                }
            }
            try parser.finish()
        } catch {
            outcome = "\(error)"
        }
        return (record, outcome + " \(parser.statistics.samples) \(parser.statistics.invalidLines) \(parser.errors.map(\.description))")
    }

    static func splits(_ data: [UInt8], format: ExpositionFormat) {
        let chunks = data.prefix(8).map { Int($0 % 17) + 1 }
        for mode in [TextParser.Mode.strict, .lenient] {
            let (whole, wholeOutcome) = parse(data, format: format, mode: mode, chunks: [Int.max])
            let (split, splitOutcome) = parse(data, format: format, mode: mode, chunks: chunks.isEmpty ? [1] : chunks)
            if whole.samples != split.samples || wholeOutcome != splitOutcome {
                fatalError("chunk splits \(chunks) change the result: \(wholeOutcome) vs \(splitOutcome)")
            }
        }
    }

    /// The gzip path: the bytes as a gzip stream (mostly corrupt), and the bytes compressed
    /// by zlib (valid), each parsed whole and split.
    static func gzip(_ data: [UInt8]) {
        for bytes in [data, Gzip.compress(data)] {
            let record = Record()
            var limits = ParseLimits()
            limits.maxDecodedBytes = 1 << 20
            let parser = TextParser(options: .init(limits: limits, source: "fuzz", decompression: .gzip), consumer: record)
            do {
                try bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) throws in
                    var offset = 0
                    while offset < buffer.count {
                        let size = min(1 + Int(buffer[offset] % 61), buffer.count - offset)
                        try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + size)]))
                        offset += size
                    }
                }
                try parser.finish()
            } catch {}
        }
    }
}
