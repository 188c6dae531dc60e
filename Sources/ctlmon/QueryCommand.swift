import ArgumentParser
import FoundationEssentials
import Check
import PromModel
import PromQL
import SeriesStorage
import PromText

/// `ctlmon query EXPR [SOURCE…]`: evaluates PromQL over scrapes.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Evaluate a PromQL expression over one or more scrapes.",
        discussion: """
            Each scrape's samples get their own timestamps, or else the scrape's time: scrapes are \
            --interval apart in the order given, the last one at --time (default: now). The expression \
            is evaluated at --time (default: the last scrape's time). JSON output is the Prometheus HTTP API `data` object.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "The PromQL expression.")
    var expression: String

    @Argument(help: "Scrape files (plain or gzip), or - for stdin (the default).")
    var sources: [String] = []

    @Option(parsing: .unconditional, help: "Evaluation time and the last scrape's time: Unix seconds or RFC 3339 (default: now, or the samples' timestamps).")
    var time: String?

    @Option(help: "Time between consecutive scrapes without timestamps.")
    var interval: String = "15s"

    @Option(help: "Output: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let expr: PromQL.Expr
        do {
            expr = try PromQLParser.parse(expression)
        } catch {
            throw CommandFailure.badInput("query: \(error)")
        }
        let step: Int64
        do {
            step = try PromQLParser.parseDuration(interval)
        } catch {
            throw CommandFailure.badInput("--interval: \(error.message)")
        }
        guard step > 0 else {
            throw CommandFailure.badInput("--interval: the time between scrapes must be positive")
        }
        let inputs = (sources.isEmpty ? ["-"] : sources).map { InputSource($0) }
        let store = SeriesStore()
        var givenTime: Int64? = nil
        if let time {
            givenTime = try CommandFailure.time("--time", time)
        }
        // The last scrape is taken at --time (default: now), the others --interval apart before it.
        let now = givenTime ?? Int64(Date().timeIntervalSince1970 * 1000)
        var lastTime = now
        // One appender for all the scrapes: a series the previous one had and this one lacks is stale.
        let appender = ScrapeAppender(store: store, scrapeTime: now)
        for (k, input) in inputs.enumerated() {
            let scrapeTime = now - Int64(inputs.count - 1 - k) * step
            appender.scrapeTime = scrapeTime
            let parser = TextParser(options: .init(source: input.name), consumer: appender)
            do {
                try input.parse(with: parser)
            } catch {
                throw CommandFailure.badInput(error.message)
            }
            appender.commit()
            lastTime = appender.latestTimestamp ?? scrapeTime
        }
        let evalTime = givenTime ?? lastTime
        let value: Value
        do {
            value = try Evaluator(store: store).evaluate(expr, at: evalTime)
        } catch {
            throw CommandFailure.badInput("query: \(error)")
        }
        print(format == .json ? value.apiJSON : Self.text(value))
    }

    static func text(_ value: Value) -> String {
        switch value {
        case .scalar(let v, _): return APIFormat.value(v)
        case .string(let s, _): return s
        case .vector(let samples):
            return samples.sorted { $0.labels < $1.labels }.map { "\($0.labels) \(APIFormat.value($0.value))" }.joined(separator: "\n")
        case .matrix(let series):
            return series.sorted { $0.labels < $1.labels }.map { s in
                "\(s.labels)\n" + s.points.map { "  \(APIFormat.value($0.v)) @\(APIFormat.time($0.t))" }.joined(separator: "\n")
            }.joined(separator: "\n")
        }
    }
}
