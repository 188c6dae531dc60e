import ArgumentParser
import Foundation
import PromQL
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
            printError("query: \(error)")
            throw ExitCode(2)
        }
        let step: Int64
        do {
            step = try PromQLParser.parseDuration(interval)
        } catch {
            printError("--interval: \(error.message)")
            throw ExitCode(2)
        }
        guard step > 0 else {
            printError("--interval: the time between scrapes must be positive")
            throw ExitCode(2)
        }
        let inputs = (sources.isEmpty ? ["-"] : sources).map(InputSource.init)
        let store = SeriesStore()
        var givenTime: Int64? = nil
        if let time {
            guard let t = Self.parseTime(time) else {
                printError("--time: expected Unix seconds or RFC 3339, got \"\(time)\"")
                throw ExitCode(2)
            }
            givenTime = t
        }
        // The last scrape is taken at --time (default: now), the others --interval apart before it.
        let now = givenTime ?? CheckCommand.wallClock()
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
                printError(error.message)
                throw ExitCode(2)
            }
            appender.commit()
            lastTime = appender.latestTimestamp ?? scrapeTime
        }
        let evalTime = givenTime ?? lastTime
        let value: Value
        do {
            value = try Evaluator(store: store).evaluate(expr, at: evalTime)
        } catch {
            printError("query: \(error)")
            throw ExitCode(2)
        }
        print(format == .json ? Self.json(value) : Self.text(value))
    }

    /// A time given on the command line: Unix seconds (fractions allowed) or RFC 3339, between
    /// the years 1 and 9999 (nil otherwise: NaN, infinities and absurd values are usage errors).
    static func parseTime(_ s: String) -> Int64? {
        if let seconds = Double(s) {
            guard seconds.isFinite, seconds >= -62_135_596_800, seconds <= 253_402_300_799 else { return nil }
            return Int64((seconds * 1000).rounded())
        }
        guard let t = RFC3339.milliseconds(s), t >= -62_135_596_800_000, t <= 253_402_300_799_999 else { return nil }
        return t
    }

    /// A value as Prometheus's API writes it: a string, `NaN`, `+Inf`, `-Inf`.
    static func apiValue(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    static func apiTime(_ t: Int64) -> String {
        t % 1000 == 0 ? String(t / 1000) : String(format: "%.3f", Double(t) / 1000)
    }

    static func json(_ value: Value) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.value("resultType", value.type == .vector ? "vector" : value.type == .matrix ? "matrix" : value.type.rawValue)
        func metric(_ l: Labels) {
            w.beginObject("metric")
            for label in l.labels { w.value(label.name, label.value) }
            w.endObject()
        }
        func pair(_ key: String?, _ t: Int64, _ v: String) {
            w.beginArray(key)
            w.raw(apiTime(t))
            w.value(nil, v)
            w.endArray()
        }
        switch value {
        case .scalar(let v, let t):
            pair("result", t, apiValue(v))
        case .string(let s, let t):
            pair("result", t, s)
        case .vector(let samples):
            w.beginArray("result")
            for s in samples.sorted(by: { $0.labels < $1.labels }) {
                w.beginObject()
                metric(s.labels)
                pair("value", s.timestamp, apiValue(s.value))
                w.endObject()
            }
            w.endArray()
        case .matrix(let series):
            w.beginArray("result")
            for s in series.sorted(by: { $0.labels < $1.labels }) {
                w.beginObject()
                metric(s.labels)
                w.beginArray("values")
                for p in s.points { pair(nil, p.t, apiValue(p.v)) }
                w.endArray()
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
        return w.output
    }

    static func text(_ value: Value) -> String {
        switch value {
        case .scalar(let v, _): return apiValue(v)
        case .string(let s, _): return s
        case .vector(let samples):
            return samples.sorted { $0.labels < $1.labels }.map { "\($0.labels) \(apiValue($0.value))" }.joined(separator: "\n")
        case .matrix(let series):
            return series.sorted { $0.labels < $1.labels }.map { s in
                "\(s.labels)\n" + s.points.map { "  \(apiValue($0.v)) @\(apiTime($0.t))" }.joined(separator: "\n")
            }.joined(separator: "\n")
        }
    }
}
