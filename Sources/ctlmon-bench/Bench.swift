import PromText
import Check
import PromModel
import PromQL
import SeriesStorage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Touches everything a full decode yields, so the optimiser cannot skip any of it.
final class FullDecodeConsumer: SampleConsumer {
    var samples = 0
    var checksum = 0
    var valueSum = 0.0

    func consume(_ sample: SampleView) {
        samples &+= 1
        checksum &+= sample.name.count
        for i in 0..<sample.labelCount {
            checksum &+= sample.labelName(i).count &+ sample.rawLabelValue(i).count
        }
        valueSum += sample.value
        if let ts = sample.timestampMilliseconds { checksum &+= Int(truncatingIfNeeded: ts) }
    }
}

/// One file's measurements.
struct BenchResult {
    var file: String
    var bytes: Int
    var compressedBytes: Int?
    var samples: Int
    var seconds: Double
    var iterations: Int
    var allocsPerSample: Double?
    var filteredSamples: Int
    var filteredSeconds: Double
    var filteredIterations: Int
    var filteredAllocsPerSample: Double?
    /// Every family skipped (and validated): what a skipped family's lines cost.
    var validatedSeconds: Double
    var validatedIterations: Int
    var inflateOnlySeconds: Double?
    var peakRSS: Int

    /// Input bytes per second: compressed bytes in --gzip mode, text bytes otherwise.
    var inputBytes: Int { compressedBytes ?? bytes }
    var mbPerSecond: Double { Double(bytes) * Double(iterations) / seconds / 1e6 }
    var nsPerSample: Double { seconds / Double(iterations) / Double(max(samples, 1)) * 1e9 }
    var filteredMBPerSecond: Double { Double(bytes) * Double(filteredIterations) / filteredSeconds / 1e6 }
    var validatedMBPerSecond: Double { Double(bytes) * Double(validatedIterations) / validatedSeconds / 1e6 }

    var text: String {
        var s = ""
        if file == "" { return s }
        s += "\(file)\n"
        s += "  full decode:     \(fmt(mbPerSecond, 0)) MB/s  \(fmt(nsPerSample, 1)) ns/sample  "
        s += "\(allocsPerSample.map { fmt($0, 4) } ?? "n/a") allocs/sample  (\(grouped(bytes)) bytes, \(grouped(samples)) samples, ×\(iterations))\n"
        s += "  family-filtered: \(fmt(filteredMBPerSecond, 0)) MB/s  "
        s += "\(filteredAllocsPerSample.map { fmt($0, 4) } ?? "n/a") allocs/sample  (\(grouped(filteredSamples)) samples kept, ×\(filteredIterations))\n"
        s += "  all skipped:     \(fmt(validatedMBPerSecond, 0)) MB/s  (every line validated, none decoded; \(fmt(validatedMBPerSecond / mbPerSecond, 2))× the full decode)\n"
        if let c = compressedBytes, let inflate = inflateOnlySeconds {
            let zlibMB = Double(bytes) * Double(iterations) / inflate / 1e6
            s += "  gzip:            \(grouped(c)) compressed bytes; zlib inflate alone \(fmt(zlibMB, 0)) MB/s of text, "
            s += "inflate+parse \(fmt(mbPerSecond, 0)) MB/s (\(fmt(seconds / inflate, 2))× inflate time)\n"
        }
        s += "  peak RSS:        \(fmt(Double(peakRSS) / 1048576, 1)) MiB"
        return s
    }

    static let footer = "(MB/s: decoded text bytes over the median parse time; allocations: steady state, after a warm-up parse)"

    var json: String {
        var parts: [String] = []
        parts.append("\"file\":" + JSONWriter.quote(file))
        parts.append("\"bytes\":\(bytes)")
        if let c = compressedBytes { parts.append("\"compressed_bytes\":\(c)") }
        parts.append("\"samples\":\(samples)")
        parts.append("\"mb_per_s\":\(fmt(mbPerSecond, 1))")
        parts.append("\"ns_per_sample\":\(fmt(nsPerSample, 2))")
        parts.append("\"allocs_per_sample\":\(allocsPerSample.map { fmt($0, 6) } ?? "null")")
        parts.append("\"filtered_samples\":\(filteredSamples)")
        parts.append("\"filtered_mb_per_s\":\(fmt(filteredMBPerSecond, 1))")
        parts.append("\"filtered_allocs_per_sample\":\(filteredAllocsPerSample.map { fmt($0, 6) } ?? "null")")
        parts.append("\"validated_mb_per_s\":\(fmt(validatedMBPerSecond, 1))")
        if let inflate = inflateOnlySeconds {
            parts.append("\"zlib_inflate_mb_per_s\":\(fmt(Double(bytes) * Double(iterations) / inflate / 1e6, 1))")
        }
        parts.append("\"peak_rss_bytes\":\(peakRSS)")
        return "{" + parts.joined(separator: ",") + "}"
    }
}

enum Bench {
    static let chunkSize = 256 << 10
    /// A filter no family passes: every sample line is validated and none decoded.
    static let nothingKept = FamilyFilter(names: ["ctlmon_bench_no_such_family"])

    static func run(_ input: BenchInput, iterations: Int?) throws -> BenchResult {
        // Warm up (and learn the sample counts) once per path.
        let full = try parseOnce(input, filter: nil)
        let filtered = try parseOnce(input, filter: CheckFamilies.shipped)
        let n = iterations ?? max(3, min(2000, Int(1.0 / max(full.seconds, 1e-6))))
        let fn = iterations ?? max(3, min(5000, Int(1.0 / max(filtered.seconds, 1e-6))))

        // Medians of the per-iteration times (as the VictoriaMetrics harness reports): noise-robust.
        let times = try (0..<n).map { _ in try parseOnce(input, filter: nil).seconds }
        let filteredTimes = try (0..<fn).map { _ in try parseOnce(input, filter: CheckFamilies.shipped).seconds }
        let seconds = median(times) * Double(n)
        let filteredSeconds = median(filteredTimes) * Double(fn)
        let validatedTimes = try (0..<fn).map { _ in try parseOnce(input, filter: nothingKept).seconds }
        let validatedSeconds = median(validatedTimes) * Double(fn)

        // Steady state: the parser and consumer exist already; count what parsing the whole input allocates.
        let allocs = try countedParse(input, filter: nil)
        let filteredAllocs = try countedParse(input, filter: CheckFamilies.shipped)

        var inflateSeconds: Double? = nil
        if input.compressed != nil {
            inflateSeconds = median(try (0..<n).map { _ in try inflateOnly(input) }) * Double(n)
        }
        return BenchResult(
            file: input.name, bytes: input.text.count, compressedBytes: input.compressed?.count,
            samples: full.samples, seconds: seconds, iterations: n,
            allocsPerSample: allocs.map { Double($0) / Double(max(full.samples, 1)) },
            filteredSamples: filtered.samples, filteredSeconds: filteredSeconds, filteredIterations: fn,
            filteredAllocsPerSample: filteredAllocs.map { Double($0) / Double(max(full.samples, 1)) },
            validatedSeconds: validatedSeconds, validatedIterations: fn,
            inflateOnlySeconds: inflateSeconds, peakRSS: peakResidentBytes())
    }

    private static func parser(_ input: BenchInput, _ filter: FamilyFilter?, _ consumer: FullDecodeConsumer) -> TextParser {
        TextParser(options: .init(source: input.name, filter: filter), consumer: consumer)
    }

    private static func feedAll(_ input: BenchInput, _ parser: TextParser) throws {
        let bytes = input.compressed ?? input.text
        unsafe try bytes.withUnsafeBytes { buf in
            var offset = 0
            while offset < buf.count {
                let end = min(offset + chunkSize, buf.count)
                unsafe try parser.feed(UnsafeRawBufferPointer(rebasing: buf[offset..<end]))
                offset = end
            }
        }
        try parser.finish()
    }

    static func parseOnce(_ input: BenchInput, filter: FamilyFilter?) throws -> (seconds: Double, samples: Int) {
        let consumer = FullDecodeConsumer()
        let p = parser(input, filter, consumer)
        let start = now()
        try feedAll(input, p)
        let elapsed = now() - start
        if consumer.checksum == 42 { print("") }  // keep the work observable
        return (elapsed, consumer.samples)
    }

    /// Allocations while feeding the whole input to a parser built (and warmed on the same input) beforehand.
    static func countedParse(_ input: BenchInput, filter: FamilyFilter?) throws -> Int? {
        let consumer = FullDecodeConsumer()
        let warm = parser(input, filter, consumer)
        try feedAll(input, warm)
        let p = parser(input, filter, consumer)
        return try AllocationCounter.count {
            try feedAll(input, p)
        }
    }

    static func inflateOnly(_ input: BenchInput) throws -> Double {
        let start = now()
        _ = try GzipProbe.inflateAll(input.compressed!)
        return now() - start
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func now() -> Double {
        var ts = timespec()
        unsafe clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func peakResidentBytes() -> Int {
        var usage = rusage()
        unsafe getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}

func fmt(_ v: Double, _ decimals: Int) -> String {
    var buf = [CChar](repeating: 0, count: 64)
    _ = unsafe withVaList([v]) { unsafe vsnprintf(&buf, buf.count, "%.\(decimals)f", unsafe $0) }
    return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
