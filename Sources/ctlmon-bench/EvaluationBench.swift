import PromQL
import PromText

/// The PromQL evaluation benchmark: two scrapes of one file 30 s apart, one query evaluated repeatedly.
enum EvaluationBench {
    static let defaultQuery = "histogram_quantile(0.99, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket[5m])))"

    static func run(file: String, query: String, iterations: Int?, json: Bool) throws -> String {
        let input = try BenchInput.load(file, gzip: false)
        let store = SeriesStore()
        let loadStart = Bench.now()
        // One appender, as a scraper keeps one per target: the second scrape finds its series in its cache.
        let appender = ScrapeAppender(store: store, scrapeTime: 0)
        for t in [Int64(0), 30_000] {
            appender.scrapeTime = t
            let parser = TextParser(options: .init(source: file), consumer: appender)
            try parser.feed(input.text)
            try parser.finish()
            appender.commit()
        }
        let loadSeconds = Bench.now() - loadStart
        let expr = try PromQLParser.parse(query)
        var resultSize = 0
        func once() throws {
            // A new evaluator each time: selector resolution is part of the cost.
            if case .vector(let v) = try Evaluator(store: store).evaluate(expr, at: 30_000) { resultSize = v.count }
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
        if json {
            return "{\"file\":\"\(file.replacingBackslashesAndQuotes())\",\"series\":\(store.series.count),"
                + "\"query\":\"\(query.replacingBackslashesAndQuotes())\",\"result_series\":\(resultSize),"
                + "\"us_per_evaluation\":\(fmt(micros, 1)),\"allocations_per_evaluation\":\(allocations.map(String.init) ?? "null"),"
                + "\"load_ms\":\(fmt(loadSeconds * 1000, 1))}"
        }
        return """
            \(file): \(grouped(store.series.count)) series, two scrapes 30 s apart (loaded in \(fmt(loadSeconds * 1000, 1)) ms)
              \(query)
              \(fmt(micros, 1)) µs per evaluation (median of \(n)), \(allocations.map(grouped) ?? "n/a") allocations, \(resultSize) result series
            """
    }
}
