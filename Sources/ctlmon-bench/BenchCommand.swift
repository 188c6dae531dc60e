import ArgumentParser
import PromText

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ctlmon-bench`: throughput and heap allocations of the PromText parser.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctlmon-bench",
        abstract: "Measure the PromText parser: MB/s, ns/sample, allocations/sample, peak RSS.",
        discussion: """
            Each file is read into memory once (gzip files are inflated first unless --gzip), then parsed
            repeatedly from memory in 256 KiB chunks. Two paths are measured: full decode (name, every label
            as a view, value, timestamp) and the family-filtered path the control-plane rules use.
            Allocations are counted by the malloc interposer (the bench re-executes itself with LD_PRELOAD).
            Build in release mode: swift build -c release --product ctlmon-bench.
            """
    )

    @Argument(help: "Scrape files (plain or .gz). Default: the fixtures shipped in Tests/Fixtures.")
    var files: [String] = []

    @Option(help: "Parse each file this many times per path (default: enough for about a second).")
    var iterations: Int?

    @Flag(help: "Print one JSON object per file.")
    var json = false

    @Flag(help: "Measure gzip in to samples out (files are gzip-compressed in memory first if they are not).")
    var gzip = false

    @Option(help: "Fail (exit 1) when steady-state allocations per sample exceed this, on either path.")
    var maxAllocsPerSample: Double?

    @Flag(help: "Benchmark loading and PromQL evaluation instead: 10 scrapes of FILE 30 s apart into a store, --query evaluated repeatedly.")
    var promql = false

    @Option(help: "The query for --promql.")
    var query: String = EvaluationBench.defaultQuery

    mutating func run() throws {
        AllocationCounter.ensurePreloaded()
        if promql {
            let paths = files.isEmpty ? Fixtures.defaultFiles().filter { $0.contains("apiserver/nri-kubernetes-v1.35") } : files
            for path in paths { print(try EvaluationBench.run(file: path, query: query, iterations: iterations, json: json)) }
            return
        }
        let paths = files.isEmpty ? Fixtures.defaultFiles() : files
        guard !paths.isEmpty else { throw ValidationError("no files given and no fixtures found under Tests/Fixtures") }
        var results: [BenchResult] = []
        for path in paths {
            let input = try BenchInput.load(path, gzip: gzip)
            let result = try Bench.run(input, iterations: iterations)
            results.append(result)
            print(json ? result.json : result.text)
        }
        if !json { print(BenchResult.footer) }
        if let limit = maxAllocsPerSample {
            let over = results.filter { ($0.allocsPerSample ?? 0) > limit || ($0.filteredAllocsPerSample ?? 0) > limit }
            if !over.isEmpty {
                print("allocations per sample above \(limit): \(over.map(\.file).joined(separator: ", "))")
                throw ExitCode(1)
            }
            if results.contains(where: { $0.allocsPerSample == nil }) {
                print("allocation counting is unavailable (malloc interposer not loaded)")
                throw ExitCode(1)
            }
        }
    }
}
