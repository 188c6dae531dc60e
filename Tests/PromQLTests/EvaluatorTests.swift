import LabelMatchers
import CtlmonTestSupport
import Foundation
import PromModel
import PromQL
import SeriesStorage
import PromText
import Testing

/// Evaluation behaviour that promtool 2.42 cannot check in a test file (NaN results, errors).
@Suite("PromQL evaluator")
struct EvaluatorTests {
    /// A store from `(series, [value per minute])`.
    func store(_ series: [(String, [Double?])]) throws -> SeriesStore {
        let store = SeriesStore()
        for (text, values) in series {
            guard case .vectorSelector(let s) = try PromQLParser.parse(text) else { throw QueryError(kind: .evaluation, message: "not a selector") }
            let labels = Labels(s.matchers.map { ($0.name, $0.value) })
            for (i, v) in values.enumerated() {
                if let v { store.append(labels, timestamp: Int64(i) * 60_000, value: v) }
            }
        }
        return store
    }

    func vector(_ store: SeriesStore, _ expr: String, at minutes: Int64) throws -> [String: Double] {
        guard case .vector(let v) = try Evaluator(store: store).evaluate(try PromQLParser.parse(expr), at: minutes * 60_000) else {
            Issue.record("not a vector")
            return [:]
        }
        return Dictionary(uniqueKeysWithValues: v.map { ($0.labels.description, $0.value) })
    }

    @Test("histogram_quantile edge cases: no +Inf bucket, no observations, quantile outside [0, 1] or NaN")
    func histogramEdges() throws {
        let s = try store([
            ("b{case=\"noinf\",le=\"1\"}", [5]), ("b{case=\"noinf\",le=\"2\"}", [10]),
            ("b{case=\"empty\",le=\"1\"}", [0]), ("b{case=\"empty\",le=\"+Inf\"}", [0]),
            ("b{case=\"ok\",le=\"1\"}", [2]), ("b{case=\"ok\",le=\"+Inf\"}", [4]),
        ])
        let half = try vector(s, "histogram_quantile(0.5, b)", at: 0)
        #expect(half["{case=\"noinf\"}"]!.isNaN)
        #expect(half["{case=\"empty\"}"]!.isNaN)
        #expect(half["{case=\"ok\"}"] == 1)
        #expect(try vector(s, "histogram_quantile(-1, b)", at: 0)["{case=\"ok\"}"] == -.infinity)
        #expect(try vector(s, "histogram_quantile(2, b)", at: 0)["{case=\"ok\"}"] == .infinity)
        #expect(try vector(s, "histogram_quantile(NaN, b)", at: 0)["{case=\"ok\"}"]!.isNaN)
        #expect(try vector(s, "histogram_quantile(0.75, b)", at: 0)["{case=\"ok\"}"] == 1)
    }

    @Test("vector matching errors, as Prometheus words them")
    func matchingErrors() throws {
        let s = try store([
            ("a{job=\"x\",i=\"1\"}", [1]), ("a{job=\"x\",i=\"2\"}", [2]),
            ("b{job=\"x\",i=\"1\"}", [3]), ("b{job=\"x\",i=\"2\"}", [4]),
        ])
        func message(_ expr: String) -> String {
            do {
                _ = try Evaluator(store: s).evaluate(try PromQLParser.parse(expr), at: 0)
                return ""
            } catch {
                return error.description
            }
        }
        #expect(message("a / on(job) b").contains("many-to-many matching not allowed: matching labels must be unique on one side"))
        #expect(message("a / on(job) b").hasPrefix("found duplicate series for the match group {job=\"x\"} on the right hand-side"))
        #expect(message("sum by (job) (a) / on(job) group_right b") == "")
        #expect(message("a / on(job) group_left sum by (job) (b)") == "")
        #expect(message("a * on(job) group_left(i) sum by (job) (b)") == "multiple matches for labels: grouping labels must ensure unique matches")
        #expect(message("a + ignoring(i) b").contains("many-to-many matching not allowed"))
        #expect(message("abs({__name__=~\"a|b\"})") == "vector cannot contain metrics with the same labelset")
        #expect(message("a / b") == "")
    }

    @Test("scalar() of anything but one sample is NaN; NaN and infinities in arithmetic")
    func scalarsAndNaN() throws {
        let s = try store([("a{i=\"1\"}", [1]), ("a{i=\"2\"}", [2])])
        guard case .scalar(let v, _) = try Evaluator(store: s).evaluate(try PromQLParser.parse("scalar(a)"), at: 0) else {
            Issue.record("not a scalar")
            return
        }
        #expect(v.isNaN)
        let r = try vector(s, "a / 0", at: 0)
        #expect(r["{i=\"1\"}"] == .infinity)
        #expect(try vector(s, "(a - a) / 0", at: 0)["{i=\"1\"}"]!.isNaN)
        #expect(try vector(s, "a > NaN", at: 0).isEmpty)
    }

    @Test("a staleness marker ends a series at once; without one it lasts 5 minutes")
    func staleness() throws {
        let s = try store([("x{k=\"stale\"}", [1, SeriesStore.staleNaN]), ("x{k=\"gap\"}", [1])])
        #expect(try vector(s, "x", at: 1).keys.sorted() == ["x{k=\"gap\"}"])
        #expect(try vector(s, "x", at: 5).keys.sorted() == ["x{k=\"gap\"}"])
        #expect(try vector(s, "x", at: 6).isEmpty)
    }

    @Test("two real apiserver scrapes: rates and p99 latency by verb from the histogram")
    func realScrapes() throws {
        let bytes = try Fixture.bytes("apiserver/nri-kubernetes-v1.35.txt.gz")
        let store = SeriesStore()
        // The same scrape twice, 30 s apart: every counter unchanged, so every rate is 0.
        let appender = ScrapeAppender(store: store, scrapeTime: 0)
        for t in [Int64(0), 30_000] {
            appender.scrapeTime = t
            let parser = TextParser(
                options: .init(filter: FamilyFilter(names: ["apiserver_request_duration_seconds_bucket", "apiserver_storage_size_bytes"])),
                consumer: appender)
            try parser.feed(bytes)
            try parser.finish()
            appender.commit()
        }
        let evaluator = Evaluator(store: store)
        let expr = try PromQLParser.parse(
            "histogram_quantile(0.99, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket[5m])))")
        guard case .vector(let p99) = try evaluator.evaluate(expr, at: 30_000) else {
            Issue.record("not a vector")
            return
        }
        #expect(Set(p99.map { $0.labels["verb"] }).isSuperset(of: ["GET", "LIST", "PATCH", "POST", "PUT"]))
        #expect(p99.allSatisfy { $0.value.isNaN })  // no requests in the window: no quantile
        guard case .vector(let size) = try evaluator.evaluate(try PromQLParser.parse("max(apiserver_storage_size_bytes)"), at: 30_000)
        else {
            Issue.record("not a vector")
            return
        }
        #expect(size.count == 1 && size[0].value > 1e6, "\(size.map(\.value))")
    }
}
