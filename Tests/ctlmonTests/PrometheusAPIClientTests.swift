import CtlmonTestSupport
import Foundation
import Testing

/// Go's Prometheus client (promtool 2.42) and Grafana's calls against `ctlmon serve` and
/// against Prometheus 2.42 scraping the same target with the same config: the same answers.
@Suite("the Prometheus API, as its clients call it", .serialized)
struct PrometheusAPIClientTests {
    @Test("promtool query instant, range, series and labels print the same on ctlmon and on Prometheus; metadata, series and labels by form POST agree too")
    func sameAsPrometheus() throws {
        let folder = try Components.temporaryFolder("api-clients")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (target, address) = try Components.fakeTarget(SidecarTests.apiserverFixture)
        defer { target.stop() }
        // The rules decide which families ctlmon keeps: these read the ones compared.
        let config = try SidecarTests.config(folder: folder, target: address, rules: """
            groups:
              - name: keep
                interval: 1s
                rules:
                  - record: cluster:apiserver_storage_objects:sum
                    expr: sum(apiserver_storage_objects)
                  - record: cluster:apiserver_current_inflight_requests:sum
                    expr: sum by (request_kind) (apiserver_current_inflight_requests)
            """, alertmanagers: [])
        let promPort = freePort()
        let prometheus = try ManagedProcess("prometheus", [
            "--config.file=\(config)", "--storage.tsdb.path=\(folder)/prom-data", "--web.listen-address=127.0.0.1:\(promPort)",
        ])
        defer { prometheus.stop() }
        try Components.waitForHTTP("http://127.0.0.1:\(promPort)/-/ready", process: prometheus, timeout: 60)
        let (sidecar, base) = try Components.sidecar(ctlmon: SidecarTests.ctlmon, config: config, storage: folder + "/data")
        defer { sidecar.stop() }
        let prom = "http://127.0.0.1:\(promPort)"

        // Ten scrapes in both (a gauge's values do not depend on when each scraped).
        func scrapes(_ server: String) throws -> Double {
            let j = try HTTP.json("\(server)/api/v1/query?query=count_over_time(up%5B1m%5D)") as? [String: Any]
            let r = ((j?["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first
            return Double(((r?["value"] as? [Any])?.last as? String) ?? "") ?? 0
        }
        try SidecarTests.eventually(60, "ten scrapes in both") { try scrapes(base) >= 10 && scrapes(prom) >= 10 }
        // A time both have scraped up to: two seconds before Prometheus's own now (its
        // clock, not the test's: the comparison holds on any date).
        let promNow = try #require(((((try HTTP.json("\(prom)/api/v1/query?query=time()") as? [String: Any])?["data"] as? [String: Any])?["result"]
            as? [Any])?.last as? String).flatMap(Double.init))
        let now = Int(promNow) - 2

        func promtool(_ arguments: [String], _ server: String) throws -> [String] {
            let out = try Components.run("promtool", ["query"] + arguments.prefix(1) + [server] + arguments.dropFirst())
            return out.split(separator: "\n").map(String.init).sorted()
        }
        let cases: [[String]] = [
            ["instant", "--time=\(now)", "max by (resource) (apiserver_storage_objects)"],
            ["instant", "--time=\(now)", "1+1"],
            ["range", "--start=\(now - 5)", "--end=\(now)", "--step=1s", "sum(apiserver_storage_objects)"],
            ["range", "--start=\(now - 5)", "--end=\(now)", "--step=2s", "apiserver_current_inflight_requests"],
            ["series", "--match=apiserver_current_inflight_requests", "--start=\(now - 5)", "--end=\(now)"],
            ["series", "--match=up", "--match={__name__=~\"apiserver_current_inflight.*\"}", "--start=\(now - 5)", "--end=\(now)"],
            ["labels", "request_kind"],
            ["labels", "job"],
        ]
        for c in cases {
            let mine = try promtool(c, base)
            let theirs = try promtool(c, prom)
            #expect(!mine.isEmpty && mine == theirs, "promtool query \(c.joined(separator: " ")):\nctlmon: \(mine.prefix(5))\nprometheus: \(theirs.prefix(5))")
        }

        // As Grafana sends them: forms by POST, and the metadata of a family.
        func post(_ server: String, _ path: String, _ form: String) throws -> String {
            try Components.run("curl", ["-s", "-m", "30", "-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded", "--data", form, server + path])
        }
        for (path, form) in [
            ("/api/v1/series", "match%5B%5D=apiserver_current_inflight_requests&start=\(now - 5)&end=\(now)"),
            ("/api/v1/labels", "match%5B%5D=apiserver_current_inflight_requests&start=\(now - 5)&end=\(now)"),
        ] {
            let mine = try JSONSerialization.jsonObject(with: Data(try post(base, path, form).utf8)) as? NSDictionary
            let theirs = try JSONSerialization.jsonObject(with: Data(try post(prom, path, form).utf8)) as? NSDictionary
            #expect(mine != nil && mine == theirs, "\(path)")
        }
        for name in ["apiserver_storage_objects", "apiserver_request_duration_seconds", "apiserver_request_total"] {
            let mine = try JSONSerialization.jsonObject(with: Data(try HTTP.get("\(base)/api/v1/metadata?metric=\(name)").1.utf8)) as? NSDictionary
            let theirs = try JSONSerialization.jsonObject(with: Data(try HTTP.get("\(prom)/api/v1/metadata?metric=\(name)").1.utf8)) as? NSDictionary
            #expect(mine != nil && mine == theirs, "metadata of \(name): \(String(describing: mine))")
        }
        let build = try HTTP.json("\(base)/api/v1/status/buildinfo") as? [String: Any]
        #expect((build?["data"] as? [String: Any])?["version"] as? String == "2.42.0")
    }
}
