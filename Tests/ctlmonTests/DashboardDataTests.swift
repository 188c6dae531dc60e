import CtlmonTestSupport
import Foundation
import Sidecar
import Testing

/// The shipped dashboards on data: a real Prometheus 2.42 that loads `Rules/` and `ctlmon serve`
/// scrape the same fixtures (an API server with webhooks twice, etcd, the scheduler and the
/// controller manager, all in one `cluster`), and every panel's queries run on both.
@Suite("dashboards on Prometheus and ctlmon")
struct DashboardDataTests {
    /// A query_range answer as series (sorted `name=value` pairs) → points (time, value).
    typealias Answer = [String: [(Double, Double)]]

    static func queryRange(_ base: String, _ expr: String, start: Double, end: Double, step: Double) throws -> Answer {
        let q = expr.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expr
        let json = try HTTP.json("\(base)/api/v1/query_range?query=\(q)&start=\(start)&end=\(end)&step=\(step)") as? [String: Any]
        guard json?["status"] as? String == "success", let data = json?["data"] as? [String: Any],
            let result = data["result"] as? [[String: Any]]
        else { throw ProcessError("\(base): \(expr): \(json ?? [:])") }
        var out: Answer = [:]
        for r in result {
            let labels = (r["metric"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            out[labels] = ((r["values"] as? [[Any]]) ?? []).map { pair in
                ((pair.first as? Double) ?? .nan, Double((pair.last as? String) ?? "") ?? .nan)
            }
        }
        return out
    }

    /// Prometheus's own clock (the test reads no clock of its own).
    static func now(_ base: String) throws -> Double {
        let json = try HTTP.json("\(base)/api/v1/query?query=time()") as? [String: Any]
        let value = ((json?["data"] as? [String: Any])?["result"] as? [Any])?.last as? String
        return try #require(value.flatMap(Double.init))
    }

    /// Per step, the values of every series, sorted (rounded to 1e-9 relative, NaN last).
    static func ranked(_ a: Answer) -> [Double: [String]] {
        var out: [Double: [Double]] = [:]
        for points in a.values { for (t, v) in points { out[t, default: []].append(v) } }
        return out.mapValues { values in
            values.sorted { $0.isNaN ? false : ($1.isNaN ? true : $0 < $1) }.map { $0.isNaN ? "NaN" : String(format: "%.9e", $0) }
        }
    }

    static func equal(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        return a == b || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    }

    @Test("every panel has data on Prometheus 2.42 with Rules/ and on ctlmon serve, scraping the same fixtures: the same series and values within 1e-9; the panels listed empty are empty on both")
    func panelsOnPrometheusAndCtlmon() throws {
        let folder = try Components.temporaryFolder("dashboards")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Explicit timestamps on 5 s steps: both scrape every 2 s (a 2 s timeout leaves a loaded
        // machine room) and store the same points.
        let stamped = ["--timestamps", "5"]
        var targets: [ManagedProcess] = []
        defer { for t in targets { t.stop() } }
        func start(_ fixture: String) throws -> String {
            let (process, address) = try Components.fakeTarget(Fixture.path(fixture), stamped)
            targets.append(process)
            return address
        }
        let apiservers = [try start("synthetic/apiserver-1.35-with-webhooks.txt.gz"), try start("synthetic/apiserver-1.35-with-webhooks.txt.gz")]
        let etcd = try start("etcd/nri-kubernetes-k8s-v1.35-etcd-3.6.6.txt.gz")
        let scheduler = try start("scheduler/nri-kubernetes-v1.35.txt.gz")
        let kcm = try start("controller-manager/nri-kubernetes-v1.35.txt.gz")
        let rules = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Rules").path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "'" + packageRoot.appendingPathComponent("Rules/" + $0).path + "'" }
        func job(_ name: String, _ addresses: [String]) -> String {
            "  - job_name: \(name)\n    static_configs: [{targets: [\(addresses.map { "'\($0)'" }.joined(separator: ", "))], labels: {cluster: test}}]\n"
        }
        let config = folder + "/config.yml"
        try ("""
            global: {scrape_interval: 2s, scrape_timeout: 2s, evaluation_interval: 1s}
            rule_files: [\(rules.joined(separator: ", "))]
            scrape_configs:

            """ + job("apiserver", apiservers) + job("etcd", [etcd]) + job("scheduler", [scheduler]) + job("kcm", [kcm]))
            .write(toFile: config, atomically: true, encoding: .utf8)

        let promPort = freePort()
        let prometheus = try ManagedProcess("prometheus", [
            "--config.file=\(config)", "--storage.tsdb.path=\(folder)/prom-data", "--web.listen-address=127.0.0.1:\(promPort)",
        ])
        defer { prometheus.stop() }
        let prom = "http://127.0.0.1:\(promPort)"
        try Components.waitForHTTP(prom + "/-/ready", process: prometheus, timeout: 60)
        let (sidecar, base) = try Components.sidecar(ctlmon: SidecarTests.ctlmon, config: config, storage: folder + "/data")
        defer { sidecar.stop() }

        // Both have scraped every target and evaluated the etcd rules.
        let ready = "count(up == 1) == 5 and on() count(cluster:etcd_db_size_bytes:max) == 1"
        try SidecarTests.eventually(90, "both scraping all five targets and recording") {
            try !Self.queryRange(prom, ready, start: Self.now(prom), end: Self.now(prom), step: 1).isEmpty
                && !Self.queryRange(base, ready, start: Self.now(prom), end: Self.now(prom), step: 1).isEmpty
        }
        let readyAt = try Self.now(prom)
        // 75 s more of data: the compared range starts once a whole 30 s rate window lies after
        // the moment both were ready, and ends 10 s before now (both have scraped its last step).
        try SidecarTests.eventually(150, "75 s of data in both") { try Self.now(prom) >= readyAt + 75 }
        let step = 5.0
        let start = ((readyAt + 35) / step).rounded(.up) * step
        let end = ((try Self.now(prom) - 10) / step).rounded(.down) * step
        #expect(end >= start + 4 * step)

        var withData = 0
        for q in ShippedDashboards.queries {
            let expr = DashboardQuery.expand(q.expr, rateInterval: "30s")
            let theirs = try Self.queryRange(prom, expr, start: start, end: end, step: step)
            let mine = try Self.queryRange(base, expr, start: start, end: end, step: step)
            let panel = "\(q.file) \"\(q.panel)\": \(expr)"
            if let reason = q.empty {
                // Listed empty: it must be, on both (else the listing is stale).
                #expect(theirs.isEmpty && mine.isEmpty, "\(panel) is listed empty (\(reason)) but has data")
                continue
            }
            #expect(!theirs.isEmpty, "\(panel): no data from Prometheus")
            if !theirs.isEmpty { withData += 1 }
            if q.compare == "ranked" {
                // topk: the same values at every step, whichever of equal series each kept.
                #expect(Self.ranked(mine) == Self.ranked(theirs), "\(panel): the values at some step differ")
                continue
            }
            #expect(Set(mine.keys) == Set(theirs.keys), "\(panel): series differ\nctlmon: \(mine.keys.sorted())\nPrometheus: \(theirs.keys.sorted())")
            guard q.compare == "values" else { continue }
            for (series, points) in theirs {
                guard let others = mine[series] else { continue }
                let same = points.count == others.count && zip(points, others).allSatisfy { $0.0 == $1.0 && Self.equal($0.1, $1.1) }
                #expect(same, "\(panel) \(series):\nctlmon     \(others.prefix(4))…\nPrometheus \(points.prefix(4))…")
            }
        }
        let listedEmpty = ShippedDashboards.queries.filter { $0.empty != nil }.count
        #expect(withData == ShippedDashboards.queries.count - listedEmpty)
        print("dashboards: \(withData) queries with data on both, \(listedEmpty) listed empty, over \(Int((end - start) / step) + 1) steps")
    }
}
