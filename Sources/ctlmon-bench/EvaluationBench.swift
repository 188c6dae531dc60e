import PromModel
import PromQL
import SeriesStorage
import PromText

/// The PromQL evaluation benchmark: scrapes of one file 30 s apart into a store, one query
/// evaluated repeatedly.
enum EvaluationBench {
    static let defaultQuery = "histogram_quantile(0.99, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket[5m])))"

    /// Scrapes per load: the first creates every series, the others find them in the
    /// appender's cache (a scraper's steady state).
    static let scrapes = 10

    /// `scrapes` scrapes of `input` through one appender, 30 s apart: the time of the first,
    /// and the median time of the others.
    static func load(_ input: BenchInput, _ file: String) throws -> (store: SeriesStore, first: Double, second: Double) {
        let store = SeriesStore()
        let appender = ScrapeAppender(store: store, scrapeTime: 0)
        var seconds: [Double] = []
        for k in 0..<scrapes {
            let start = Bench.now()
            appender.scrapeTime = Int64(k) * 30_000
            let parser = TextParser(options: .init(source: file), consumer: appender)
            try parser.feed(input.text)
            try parser.finish()
            appender.commit()
            seconds.append(Bench.now() - start)
        }
        return (store, seconds[0], seconds.count > 1 ? Bench.median(Array(seconds.dropFirst())) : 0)
    }

    static func run(file: String, query: String, iterations: Int?, json: Bool) throws -> String {
        let input = try BenchInput.load(file, gzip: false)
        // Loading against parsing alone, medians of several runs.
        var parses: [Double] = []
        var firsts: [Double] = []
        var seconds: [Double] = []
        var loaded: SeriesStore? = nil
        for _ in 0..<7 {
            parses.append(try Bench.parseOnce(input, filter: nil).seconds)
            let (s, first, second) = try load(input, file)
            firsts.append(first)
            seconds.append(second)
            loaded = s
        }
        let store = loaded!
        let parseSeconds = Bench.median(parses)
        let loadSeconds = Bench.median(firsts)
        let reloadSeconds = Bench.median(seconds)
        let usage = store.usage
        let expr = try PromQLParser.parse(query)
        var resultSize = 0
        func once() throws {
            // A new evaluator each time: selector resolution is part of the cost.
            if case .vector(let v) = try Evaluator(store: store).evaluate(expr, at: Int64(scrapes - 1) * 30_000) {
                resultSize = v.count
            }
        }
        try once()
        let first = Bench.now()
        try once()
        let n = iterations ?? max(5, min(2000, Int(1.0 / max(Bench.now() - first, 1e-6))))
        let times = try (0..<n).map { _ in
            let start = Bench.now()
            try once()
            return Bench.now() - start
        }
        let allocations = try AllocationCounter.count { try once() }
        let micros = Bench.median(times) * 1e6
        let bytesPerSeries = Double(usage.labelBytes + usage.indexBytes) / Double(max(usage.series, 1))
        let bytesPerSample = Double(usage.sampleBytes) / Double(max(usage.samples, 1))
        if json {
            return "{\"file\":\(JSONWriter.quote(file)),\"series\":\(usage.series),\"samples\":\(usage.samples),"
                + "\"query\":\(JSONWriter.quote(query)),\"result_series\":\(resultSize),"
                + "\"us_per_evaluation\":\(fmt(micros, 1)),\"allocations_per_evaluation\":\(allocations.map(String.init) ?? "null"),"
                + "\"parse_ms\":\(fmt(parseSeconds * 1000, 2)),\"load_ms\":\(fmt(loadSeconds * 1000, 2)),"
                + "\"reload_ms\":\(fmt(reloadSeconds * 1000, 2)),\"bytes_per_series\":\(fmt(bytesPerSeries, 1)),"
                + "\"bytes_per_sample\":\(fmt(bytesPerSample, 1)),\"store_bytes\":\(usage.totalBytes)}"
        }
        return """
            \(file): \(grouped(usage.series)) series, \(scrapes) scrapes 30 s apart
              parse \(fmt(parseSeconds * 1000, 2)) ms; first scrape (new series) \(fmt(loadSeconds * 1000, 2)) ms = \(fmt(loadSeconds / parseSeconds, 2))× parse; \
            next scrapes (cached series) \(fmt(reloadSeconds * 1000, 2)) ms = \(fmt(reloadSeconds / parseSeconds, 2))× parse (medians of 7 runs)
              store: \(fmt(bytesPerSeries, 1)) B per series (labels \(grouped(usage.labelBytes)), index and postings \(grouped(usage.indexBytes))), \
            \(fmt(bytesPerSample, 1)) B per sample, \(grouped(usage.totalBytes)) B in all
              \(query)
              \(fmt(micros, 1)) µs per evaluation (median of \(n)), \(allocations.map(grouped) ?? "n/a") allocations, \(resultSize) result series
            """
    }
}
