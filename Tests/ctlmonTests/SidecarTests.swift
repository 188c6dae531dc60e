import CtlmonTestSupport
import Foundation
import Testing

/// `ctlmon serve` against real components (etcd, Alertmanager, Prometheus from Debian;
/// scripts/fake-target.py and scripts/fake-alertmanager.py where a fault or a count is
/// needed), each on 127.0.0.1 with ports of its own, stopped by PID when the test ends.
@Suite("the sidecar", .serialized)
struct SidecarTests {
    static var ctlmon: String { Command.productsDirectory.appendingPathComponent("ctlmon").path }

    /// Polls `condition` every 0.2 s until it holds or `timeout` passes.
    static func eventually(_ timeout: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw ProcessError("not within \(timeout) s: \(what)")
    }

    /// The alerts Alertmanager (real) holds, by alertname.
    static func alertmanagerAlerts(_ address: String) throws -> [[String: Any]] {
        (try HTTP.json("http://\(address)/api/v2/alerts?active=true&silenced=false&inhibited=false") as? [[String: Any]]) ?? []
    }

    /// The sidecar's own view: `/api/v1/alerts`.
    static func sidecarAlerts(_ base: String) throws -> [[String: Any]] {
        let j = try HTTP.json(base + "/api/v1/alerts") as? [String: Any]
        return ((j?["data"] as? [String: Any])?["alerts"] as? [[String: Any]]) ?? []
    }

    static func write(_ text: String, _ path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }

    @Test("etcd past 90 % of its quota: the alert is at a real Alertmanager within two evaluations; freed, it resolves there")
    func etcdAlertReachesAlertmanager() throws {
        let folder = try Components.temporaryFolder("etcd")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (etcd, etcdURL) = try Components.etcd(folder: folder)
        defer { etcd.stop() }
        let amPort = freePort()
        let am = try Components.alertmanager(port: amPort, folder: folder)
        defer { am.stop() }
        try Self.write("""
            groups:
              - name: etcd
                interval: 1s
                rules:
                  - alert: EtcdDatabaseNearQuota
                    expr: max(etcd_mvcc_db_total_size_in_bytes) / max(etcd_server_quota_backend_bytes) > 0.9
                    labels: {severity: critical}
                    annotations: {summary: 'etcd database at {{ $value | humanizePercentage }} of its quota'}
            """, folder + "/rules.yml")
        try Self.write("""
            global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s, external_labels: {cluster: test}}
            rule_files: [rules.yml]
            scrape_configs:
              - job_name: etcd
                static_configs: [{targets: ['\(etcdURL.replacingOccurrences(of: "http://", with: ""))']}]
            alerting:
              alertmanagers: [{static_configs: [{targets: ['127.0.0.1:\(amPort)']}]}]
            """, folder + "/config.yml")
        let (sidecar, base) = try Components.sidecar(ctlmon: Self.ctlmon, config: folder + "/config.yml", storage: folder + "/data")
        defer { sidecar.stop() }

        // Fill etcd past 90 % of 16 MiB with values of 1 MB (etcd refuses writes past the quota).
        let value = folder + "/value"
        try Components.run("sh", ["-c", "head -c 750000 /dev/urandom | base64 -w0 > \(value)"])
        for k in 0..<16 {
            _ = try? Components.run("sh", ["-c", "ETCDCTL_API=3 etcdctl --endpoints \(etcdURL) put key\(k) < \(value)"])
        }
        let filled = Date()
        try Self.eventually(20, "the alert at Alertmanager") {
            try Self.alertmanagerAlerts("127.0.0.1:\(amPort)").contains { ($0["labels"] as? [String: String])?["alertname"] == "EtcdDatabaseNearQuota" }
        }
        let am1 = try Self.alertmanagerAlerts("127.0.0.1:\(amPort)").first { ($0["labels"] as? [String: String])?["alertname"] == "EtcdDatabaseNearQuota" }
        let labels = try #require(am1?["labels"] as? [String: String])
        #expect(labels["cluster"] == "test" && labels["severity"] == "critical")
        #expect((am1?["generatorURL"] as? String)?.contains("/graph?g0.expr=max%28etcd_mvcc_db_total_size_in_bytes") == true, "\(am1?["generatorURL"] ?? "")")
        // Scrape every second, evaluate every second: two intervals plus Alertmanager's own processing.
        #expect(Date().timeIntervalSince(filled) < 10)

        // Free the space: delete, compact, defrag, disarm the NOSPACE alarm.
        try Components.run("sh", ["-c", """
            export ETCDCTL_API=3; e="etcdctl --endpoints \(etcdURL)"
            $e del --prefix key >/dev/null
            rev=$($e endpoint status --write-out=json | sed -n 's/.*"revision":\\([0-9]*\\).*/\\1/p')
            $e compact "$rev" >/dev/null; $e defrag >/dev/null; $e alarm disarm >/dev/null
            """])
        try Self.eventually(30, "the alert resolved at Alertmanager") {
            try !Self.alertmanagerAlerts("127.0.0.1:\(amPort)").contains { ($0["labels"] as? [String: String])?["alertname"] == "EtcdDatabaseNearQuota" }
        }
        #expect(try Self.sidecarAlerts(base).isEmpty)
    }
}
