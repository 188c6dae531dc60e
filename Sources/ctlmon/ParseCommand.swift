import ArgumentParser
import Check
import PromModel
import PromQL
import SeriesStorage
import PromText

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `ctlmon parse`: validates and summarises one scrape.
struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Validate and summarise a scrape: families, series, samples by type.",
        discussion: """
            Exit 0 when the input is valid, 2 when it is not (errors on stderr as source:line:column: message).
            gzip input is recognised by its magic bytes.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case summary, json }

    @Argument(help: "A file, or - for stdin.")
    var source: String = "-"

    @Flag(help: "Parse as OpenMetrics 1.0 text (default: Prometheus text 0.0.4).")
    var openmetrics = false

    @Flag(help: "--strict stops at the first error (default); --lenient skips bad lines, counts and reports them.")
    var mode: Strictness = .strict

    @Option(help: "Output: summary or json.")
    var format: OutputFormat = .summary

    enum Strictness: String, EnumerableFlag { case strict, lenient }

    func run() throws {
        let input = InputSource(source)
        let summary = ScrapeSummary()
        let parser = TextParser(
            options: .init(
                format: openmetrics ? .openMetrics : .prometheusText,
                mode: mode == .strict ? .strict : .lenient,
                source: input.name),
            consumer: summary)
        var failure: InputError? = nil
        do {
            try input.parse(with: parser)
        } catch {
            failure = error
        }
        if let failure, failure.parseError == nil {
            throw CommandFailure.badInput(failure.message)
        }
        let stats = parser.statistics
        let errors = parser.errors + (failure?.parseError.map { [$0] } ?? [])
        switch format {
        case .summary:
            // A strict parse that failed has no summary worth showing: the error says it all.
            if failure == nil { print(renderSummary(stats, summary, input: input)) }
        case .json:
            print(renderJSON(stats, summary, errors: errors, input: input, valid: failure == nil && stats.invalidLines == 0))
        }
        for error in errors { printError(error.description) }
        if stats.invalidLines > errors.count {
            printError("\(input.name): \(stats.invalidLines - errors.count) more invalid lines not shown")
        }
        if failure != nil || stats.invalidLines > 0 { throw CommandFailure.reported }
    }

    private func renderSummary(_ s: ParseStatistics, _ summary: ScrapeSummary, input: InputSource) -> String {
        let format = openmetrics ? "OpenMetrics 1.0" : "Prometheus text 0.0.4"
        var lines: [String] = []
        lines.append("source:    \(input.name) (\(format)\(s.gzip ? ", gzip" : ""))")
        lines.append("bytes:     \(grouped(s.inputBytes))" + (s.gzip ? " (\(grouped(s.decodedBytes)) inflated)" : ""))
        lines.append("lines:     \(grouped(s.lines))")
        let byType = summary.familiesByType()
        lines.append("families:  \(grouped(summary.familyCount))" + typeBreakdown(byType))
        lines.append("series:    \(grouped(summary.seriesCount))")
        lines.append("samples:   \(grouped(s.samples))" + typeBreakdown(summary.samplesByType))
        lines.append("skipped:   \(grouped(s.invalidLines)) invalid lines")
        return lines.joined(separator: "\n")
    }

    private func typeBreakdown(_ counts: [MetricType: Int]) -> String {
        let parts = MetricType.allCases.compactMap { t in counts[t].map { "\(t.name(in: openmetrics ? .openMetrics : .prometheusText)) \(grouped($0))" } }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }

    private func renderJSON(
        _ s: ParseStatistics, _ summary: ScrapeSummary, errors: [ParseError], input: InputSource, valid: Bool
    ) -> String {
        let fmt: ExpositionFormat = openmetrics ? .openMetrics : .prometheusText
        var w = JSONWriter()
        w.beginObject()
        w.value("source", input.name)
        w.value("format", fmt.description)
        w.value("valid", valid)
        w.value("gzip", s.gzip)
        w.value("bytes", s.inputBytes)
        w.value("decoded_bytes", s.decodedBytes)
        w.value("lines", s.lines)
        w.beginObject("families")
        w.value("total", summary.familyCount)
        let byType = summary.familiesByType()
        for t in MetricType.allCases { if let c = byType[t] { w.value(t.name(in: fmt), c) } }
        w.endObject()
        w.value("series", summary.seriesCount)
        w.value("samples", s.samples)
        w.beginObject("samples_by_type")
        for t in MetricType.allCases { if let c = summary.samplesByType[t] { w.value(t.name(in: fmt), c) } }
        w.endObject()
        w.value("skipped", s.invalidLines)
        w.beginArray("errors")
        for e in errors {
            w.beginObject()
            w.value("line", e.line)
            w.value("column", e.column)
            w.value("message", e.message)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.output
    }
}
