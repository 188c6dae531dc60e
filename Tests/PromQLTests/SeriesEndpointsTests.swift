import Foundation
import PromModel
import PromQL
import SeriesStorage
import Testing

/// `/api/v1/series`, `/labels`, `/label/…/values` and `/query_exemplars` over a store, as
/// Prometheus answers them: parameters, order, the range, `limit`, and the wording of errors.
@Suite("series, labels and label values endpoints")
struct SeriesEndpointsTests {
    static let endpoints: QueryEndpoints = {
        let store = SeriesStore()
        store.append(Labels([("__name__", "up"), ("job", "apiserver"), ("instance", "b:443")]), timestamps: [10_000, 20_000], values: [1, 1])
        store.append(Labels([("__name__", "up"), ("job", "apiserver"), ("instance", "a:443")]), timestamps: [10_000], values: [1])
        store.append(Labels([("__name__", "up"), ("job", "etcd"), ("instance", "e:2379")]), timestamps: [50_000], values: [0])
        store.append(Labels([("__name__", "etcd_db"), ("job", "etcd"), ("zone", "é")]), timestamps: [50_000], values: [7])
        return QueryEndpoints(store: store, limits: QueryLimits(), clock: { 60_000 })
    }()

    static func json(_ answer: (Int, String)) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(answer.1.utf8)) as? [String: Any])
    }

    static func params(_ pairs: [(String, String)]) -> APIParameters {
        APIParameters(query: pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&"))
    }

    @Test("series: every match[] united, each series once, in label order; start and end bound it; no match[] is an error")
    func series() throws {
        let all = try Self.json(Self.endpoints.series(Self.params([("match[]", "up"), ("match[]", "{job=\"etcd\"}")])))
        let data = try #require(all["data"] as? [[String: String]])
        #expect(data.map { $0["__name__"]! + "/" + ($0["instance"] ?? "-") } == ["etcd_db/-", "up/a:443", "up/b:443", "up/e:2379"])
        let later = try Self.json(Self.endpoints.series(Self.params([("match[]", "up"), ("start", "15"), ("end", "30")])))
        #expect((later["data"] as? [[String: String]])?.map { $0["instance"]! } == ["b:443"])
        let none = Self.endpoints.series(APIParameters())
        #expect(none.0 == 400 && none.1.contains("\"error\":\"no match[] parameter provided\"") && none.1.contains("bad_data"))
        let empty = Self.endpoints.series(Self.params([("match[]", "{job=~\".*\"}")]))
        #expect(empty.0 == 400 && empty.1.contains("invalid parameter \\\"match[]\\\""), "\(empty.1)")
        let offset = Self.endpoints.series(Self.params([("match[]", "up offset 5m")]))
        #expect(offset.0 == 400)
        let badStart = Self.endpoints.series(Self.params([("match[]", "up"), ("start", "yesterday")]))
        #expect(badStart.0 == 400 && badStart.1.contains("invalid parameter \\\"start\\\""))
        // An end before the start is no error: nothing is in that range.
        let backwards = try Self.json(Self.endpoints.series(Self.params([("match[]", "up"), ("start", "30"), ("end", "10")])))
        #expect((backwards["data"] as? [Any])?.isEmpty == true)
    }

    @Test("labels and label values: sorted by bytes, filtered by match[], __name__ gives the metric names, a bad name is an error")
    func labelsAndValues() throws {
        let names = try Self.json(Self.endpoints.labelNames(APIParameters()))
        #expect(names["data"] as? [String] == ["__name__", "instance", "job", "zone"])
        let etcdNames = try Self.json(Self.endpoints.labelNames(Self.params([("match[]", "etcd_db")])))
        #expect(etcdNames["data"] as? [String] == ["__name__", "job", "zone"])
        let metrics = try Self.json(Self.endpoints.labelValues("__name__", APIParameters()))
        #expect(metrics["data"] as? [String] == ["etcd_db", "up"])
        let instances = try Self.json(Self.endpoints.labelValues("instance", Self.params([("match[]", "up{job=\"apiserver\"}")])))
        #expect(instances["data"] as? [String] == ["a:443", "b:443"])
        let bad = Self.endpoints.labelValues("foo-bar", APIParameters())
        #expect(bad.0 == 400 && bad.1.contains("invalid label name: \\\"foo-bar\\\""))
        let badMatch = Self.endpoints.labelNames(Self.params([("match[]", "up{")]))
        #expect(badMatch.0 == 400 && !badMatch.1.contains("invalid parameter"))
    }

    @Test("limit (Prometheus 2.51): the first n answers and a warning when cut; 0 is none; a negative or non-number one is an error")
    func limit() throws {
        let cut = try Self.json(Self.endpoints.labelValues("instance", Self.params([("limit", "2")])))
        #expect(cut["data"] as? [String] == ["a:443", "b:443"] && cut["warnings"] as? [String] == ["results truncated due to limit"])
        let whole = try Self.json(Self.endpoints.labelValues("instance", Self.params([("limit", "3")])))
        #expect((whole["data"] as? [String])?.count == 3 && whole["warnings"] == nil)
        #expect((try Self.json(Self.endpoints.series(Self.params([("match[]", "up"), ("limit", "0")])))["data"] as? [Any])?.count == 3)
        #expect(Self.endpoints.labelNames(Self.params([("limit", "-1")])).1.contains("limit must be non-negative"))
        #expect(Self.endpoints.labelNames(Self.params([("limit", "x")])).1.contains("strconv.Atoi: parsing \\\"x\\\": invalid syntax"))
    }

    @Test("query_exemplars: an empty list for a query with selectors, 204 without any, and Prometheus's errors")
    func exemplars() {
        #expect(Self.endpoints.exemplars(Self.params([("query", "rate(up[5m])")])) == (200, "{\"status\":\"success\",\"data\":[]}"))
        #expect(Self.endpoints.exemplars(Self.params([("query", "1+1")])).0 == 204)
        #expect(Self.endpoints.exemplars(Self.params([("query", "up"), ("start", "20"), ("end", "10")])).1.contains("end timestamp must not be before start timestamp"))
        #expect(Self.endpoints.exemplars(Self.params([("query", "up{")])).0 == 400)
    }

    @Test("a constant expression answers at any time, as Grafana's data source check asks (1+1 at t=4)")
    func constantAtAnyTime() {
        let answer = Self.endpoints.query(Self.params([("query", "1+1"), ("time", "4")]), deadline: .now + .seconds(10))
        #expect(answer.0 == 200 && answer.1 == "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}", "\(answer.1)")
    }
}
