import PromModel
import PromText
import SeriesStorage
import Testing

/// Which series a scrape marks stale, as Prometheus's scrape loop does.
@Suite("staleness markers")
struct StalenessTests {
    static func scrape(_ appender: ScrapeAppender, at time: Int64, _ text: String) throws {
        appender.scrapeTime = time
        let parser = TextParser(options: .init(format: .prometheusText), consumer: appender)
        try parser.feed(Array(text.utf8))
        try parser.finish()
        appender.commit()
    }

    static func last(_ store: SeriesStore, _ name: String) -> Double? {
        var value: Double?
        store.forEachSeries { labels, points in
            if labels.name == name, let p = points.last { value = p.v }
        }
        return value
    }

    @Test("a series gone from the next scrape, or from a failed one, gets a marker; one with its own timestamps does not, as in Prometheus")
    func explicitTimestampsAreNotTracked() throws {
        let store = SeriesStore()
        let appender = ScrapeAppender(store: store, scrapeTime: 1000)
        try Self.scrape(appender, at: 1000, "plain 1\nstamped 1 900\n")
        try Self.scrape(appender, at: 2000, "other 1\n")
        #expect(Self.last(store, "plain").map(SeriesStore.isStale) == true)
        #expect(Self.last(store, "stamped") == 1)
        try Self.scrape(appender, at: 3000, "other 2\nstamped 2 2900\n")
        #expect(appender.markAllStale(at: 4000) == 1)  // "other" only
        #expect(Self.last(store, "other").map(SeriesStore.isStale) == true)
        #expect(Self.last(store, "stamped") == 2)
    }
}
