import PromModel
import PromText
import SeriesStorage
import Testing

/// What a scrape's `# TYPE`, `# HELP` and `# UNIT` lines leave for `/api/v1/metadata`.
@Suite("scrape metadata")
struct ScrapeMetadataTests {
    static func scrape(_ appender: ScrapeAppender, _ text: String, format: ExpositionFormat = .prometheusText, commit: Bool = true) throws {
        let parser = TextParser(options: .init(format: format), consumer: appender)
        try parser.feed(Array(text.utf8))
        try parser.finish()
        if commit { appender.commit() } else { appender.markAllStale(at: 0) }
    }

    @Test("types, help with escapes resolved, units; untyped is unknown; family names, not sample names")
    func recorded() throws {
        let appender = ScrapeAppender(store: SeriesStore(), scrapeTime: 1000)
        try Self.scrape(appender, """
            # HELP apiserver_request_total Counter of apiserver requests \\\\ by verb.\\nSecond line.
            # TYPE apiserver_request_total counter
            apiserver_request_total{verb="GET"} 1
            # TYPE d histogram
            d_bucket{le="+Inf"} 1
            d_sum 1
            d_count 1
            # TYPE x untyped
            x 1

            """)
        let m = appender.metadata.snapshot()
        #expect(m["apiserver_request_total"] == MetricMetadata(type: "counter", help: "Counter of apiserver requests \\ by verb.\nSecond line.", unit: ""))
        #expect(m["d"]?.type == "histogram" && m["d_bucket"] == nil)
        #expect(m["x"]?.type == "unknown")
        let om = ScrapeAppender(store: SeriesStore(), scrapeTime: 1000)
        try Self.scrape(om, "# TYPE t_seconds gauge\n# UNIT t_seconds seconds\n# HELP t_seconds Time.\nt_seconds 1\n# EOF\n", format: .openMetrics)
        #expect(om.metadata.snapshot()["t_seconds"] == MetricMetadata(type: "gauge", help: "Time.", unit: "seconds"))
    }

    @Test("the same scrape again changes nothing (no version step); a changed help does; a family gone from a good scrape is dropped, not from a failed one")
    func changes() throws {
        let appender = ScrapeAppender(store: SeriesStore(), scrapeTime: 1000)
        let text = "# HELP a A.\n# TYPE a gauge\na 1\n# TYPE b counter\nb 1\n"
        try Self.scrape(appender, text)
        let v = appender.metadata.version
        appender.scrapeTime = 2000
        try Self.scrape(appender, text)
        #expect(appender.metadata.version == v)
        appender.scrapeTime = 3000
        try Self.scrape(appender, "# HELP a A, reworded.\n# TYPE a gauge\na 1\n", commit: false)
        #expect(appender.metadata.snapshot()["b"] != nil)
        appender.scrapeTime = 4000
        try Self.scrape(appender, "# HELP a A, reworded.\n# TYPE a gauge\na 1\n")
        let after = appender.metadata.snapshot()
        #expect(after["a"]?.help == "A, reworded." && after["b"] == nil && appender.metadata.version != v)
    }
}
