import Dispatch
import PromModel
import PromQL
import SeriesStorage
import PromText
import Testing

/// The store shared by a scrape loop and a rule loop: run under ThreadSanitizer by
/// scripts/test (`swift test --sanitize=thread --filter ConcurrencyTests`).
@Suite("concurrent scrapes and queries")
struct ConcurrencyTests {
    /// Scrape `k` of the writer: 200 series valued `k`; odd scrapes lack the second half
    /// (which the appender then marks stale).
    static func scrape(_ k: Int) -> [UInt8] {
        var text = "# TYPE test_metric gauge\n"
        for i in 0..<(k % 2 == 1 ? 100 : 200) { text += "test_metric{i=\"\(i)\",job=\"j\"} \(k)\n" }
        text += "# TYPE test_total counter\ntest_total \(k * 10)\n"
        return Array(text.utf8)
    }

    @Test("a reader never sees half a scrape while the writer appends, marks stale and drops old samples")
    func appendAndQueryConcurrently() throws {
        let store = SeriesStore()
        let scrapes = 300
        let interval: Int64 = 1_000
        let group = DispatchGroup()
        let failures = FailureLog()

        DispatchQueue.global().async(group: group) {
            let appender = ScrapeAppender(store: store, scrapeTime: 0)
            for k in 1...scrapes {
                appender.scrapeTime = Int64(k) * interval
                let parser = TextParser(consumer: appender)
                do {
                    try parser.feed(Self.scrape(k))
                    try parser.finish()
                } catch {
                    failures.add("scrape \(k): \(error)")
                }
                appender.commit()
                // Retention: keep the last minute (renumbers series once enough are gone).
                if k % 25 == 0 { store.dropBefore(Int64(k) * interval - 60_000) }
            }
        }
        for reader in 0..<2 {
            DispatchQueue.global().async(group: group) {
                // One evaluator for the whole run: its selector cache must follow the store's changes.
                let evaluator = Evaluator(store: store)
                let same = try! PromQLParser.parse("max(test_metric) - min(test_metric)")
                let count = try! PromQLParser.parse("count(test_metric)")
                // irate: the last two samples, whichever scrape is the newest (10 more each second).
                let rate = try! PromQLParser.parse("irate(test_total[5m])")
                for n in 0..<400 {
                    // Late enough that every scrape is within the 5-minute lookback.
                    let at = Int64(scrapes + 1) * interval
                    do {
                        if case .vector(let v) = try evaluator.evaluate(same, at: at), let d = v.first, d.value != 0 {
                            failures.add("reader \(reader), query \(n): series of one scrape differ by \(d.value)")
                        }
                        if case .vector(let v) = try evaluator.evaluate(count, at: at), let c = v.first,
                            c.value != 100 && c.value != 200
                        {
                            failures.add("reader \(reader), query \(n): \(c.value) series, not 100 or 200")
                        }
                        if case .vector(let v) = try evaluator.evaluate(rate, at: at), let r = v.first,
                            !r.value.isNaN, abs(r.value - 10) > 1e-9
                        {
                            failures.add("reader \(reader), query \(n): rate \(r.value), not 10/s")
                        }
                    } catch {
                        failures.add("reader \(reader), query \(n): \(error)")
                    }
                }
            }
        }
        group.wait()
        #expect(failures.messages.isEmpty, "\(failures.messages.prefix(5))")
        // After the run: the last scrape (even: all 200 series) is what a query sees.
        let final = try Evaluator(store: store).evaluate(PromQLParser.parse("sum(test_metric)"), at: Int64(scrapes) * interval)
        guard case .vector(let v) = final else {
            Issue.record("not a vector")
            return
        }
        #expect(v.first?.value == Double(200 * scrapes))
        // Retention kept the store bounded: a minute of samples per series.
        #expect(store.usage.samples <= 201 * 62 + 1)
    }
}

/// Failures collected from several threads.
final class FailureLog: @unchecked Sendable {
    // Sendable: `messages` is only touched with `lock` held.
    private let lock = DispatchSemaphore(value: 1)
    private var list: [String] = []

    func add(_ m: String) {
        lock.wait()
        list.append(m)
        lock.signal()
    }

    var messages: [String] {
        lock.wait()
        defer { lock.signal() }
        return list
    }
}
