import CtlmonTestSupport
import Foundation
import Testing

/// `ctlmon serve` against real components (etcd, Alertmanager, Prometheus from Debian;
/// scripts/fake-target.py and scripts/fake-alertmanager.py where a fault or a count is
/// needed), each on 127.0.0.1 with ports of its own, stopped by PID when the test ends.
@Suite("the sidecar", .serialized)
struct SidecarTests {
    static var ctlmon: String { Command.productsDirectory.appendingPathComponent("ctlmon").path }

    /// Waits until `condition` holds (an error counts as not yet), at most `timeout` seconds.
    static func eventually(_ timeout: Double, _ what: String, _ condition: () throws -> Bool) throws {
        guard Deadline.wait(upTo: timeout, { (try? condition()) == true }) else {
            throw ProcessError("not within \(timeout) s: \(what)")
        }
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

    /// When a rule group was last evaluated (`/api/v1/rules`), as Unix seconds.
    static func lastEvaluation(_ base: String, group: String) throws -> Double? {
        let j = try HTTP.json(base + "/api/v1/rules") as? [String: Any]
        let groups = ((j?["data"] as? [String: Any])?["groups"] as? [[String: Any]]) ?? []
        return (groups.first { $0["name"] as? String == group }?["lastEvaluation"] as? String).flatMap(parseTime)
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
        let filled = ContinuousClock.now
        try Self.eventually(120, "the alert at Alertmanager") {
            try Self.alertmanagerAlerts("127.0.0.1:\(amPort)").contains { ($0["labels"] as? [String: String])?["alertname"] == "EtcdDatabaseNearQuota" }
        }
        let am1 = try Self.alertmanagerAlerts("127.0.0.1:\(amPort)").first { ($0["labels"] as? [String: String])?["alertname"] == "EtcdDatabaseNearQuota" }
        let labels = try #require(am1?["labels"] as? [String: String])
        #expect(labels["cluster"] == "test" && labels["severity"] == "critical")
        #expect((am1?["generatorURL"] as? String)?.contains("/graph?g0.expr=max%28etcd_mvcc_db_total_size_in_bytes") == true, "\(am1?["generatorURL"] ?? "")")
        // Scrape every second, evaluate every second: two intervals plus Alertmanager's own
        // processing. Printed for docs/performance.md, not asserted: a figure, not a test.
        let latency = seconds(since: filled)
        print("etcd quota alert at Alertmanager \(String(format: "%.1f", latency)) s after the last write")

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

    /// Posts the fake Alertmanager recorded: (time, alerts).
    static func posts(_ address: String) throws -> [(Double, [[String: Any]])] {
        let list = (try HTTP.json("http://\(address)/-/posts") as? [[String: Any]]) ?? []
        return list.map { (($0["time"] as? Double) ?? 0, ($0["alerts"] as? [[String: Any]]) ?? []) }
    }

    static func alertname(_ a: [String: Any]) -> String? { (a["labels"] as? [String: String])?["alertname"] }

    /// A config scraping `target` every second with `rules`, sending to `alertmanagers`.
    static func config(folder: String, target: String, rules: String, alertmanagers: [String], extra: String = "") throws -> String {
        try write(rules, folder + "/rules.yml")
        let ams = alertmanagers.map { "'\($0)'" }.joined(separator: ", ")
        try write("""
            global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
            rule_files: [rules.yml]
            scrape_configs:
              - job_name: apiserver
                static_configs: [{targets: ['\(target)']}]
            \(extra)
            alerting:
              alertmanagers: [{static_configs: [{targets: [\(ams)]}], timeout: 2s}]
            """, folder + "/config.yml")
        return folder + "/config.yml"
    }

    static let apiserverFixture = Fixture.path("apiserver/nri-kubernetes-v1.35.txt.gz")

    /// A group evaluated every second: a recorded series (`job:up:sum`) and an alert firing
    /// while a target is up (`TargetUp`).
    static let recordedAndAlerting = """
        groups:
          - name: recorded
            interval: 1s
            rules:
              - record: job:up:sum
                expr: sum by (job) (up)
              - alert: TargetUp
                expr: up == 1
        """

    @Test("an Alertmanager down for 60 s while an alert starts gets it when it returns, and its resolution; a second, dead one holds up nothing")
    func alertmanagerOutage() throws {
        let folder = try Components.temporaryFolder("outage")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (target, address) = try Components.fakeTarget(Self.apiserverFixture)
        defer { target.stop() }
        let port = freePort()
        let (live, liveAddress) = try Components.fakeAlertmanager()
        defer { live.stop() }
        let dead = "127.0.0.1:\(freePort())"  // nothing listens there, ever
        let config = try Self.config(folder: folder, target: address, rules: """
            groups:
              - name: outage
                interval: 1s
                rules:
                  - alert: TargetUp
                    expr: up{job="apiserver"} == 1
                    labels: {severity: warning}
            """, alertmanagers: ["127.0.0.1:\(port)", liveAddress, dead])
        // The first Alertmanager is down when the alert starts.
        let (sidecar, base) = try Components.sidecar(ctlmon: Self.ctlmon, config: config, storage: folder + "/data")
        defer { sidecar.stop() }
        try Self.eventually(10, "the alert at the live Alertmanager") { try Self.posts(liveAddress).contains { $0.1.contains { Self.alertname($0) == "TargetUp" } } }
        Thread.sleep(forTimeInterval: 60)
        // It comes back on the same port: the alert arrives (retried, not dropped).
        let (returning, _) = try Components.fakeAlertmanager(port: port)
        defer { returning.stop() }
        try Self.eventually(40, "the alert at the returning Alertmanager") {
            try Self.posts("127.0.0.1:\(port)").contains { $0.1.contains { Self.alertname($0) == "TargetUp" } }
        }
        // The target goes away: the alert resolves, and both live Alertmanagers hear it.
        target.stop()
        for am in [liveAddress, "127.0.0.1:\(port)"] {
            try Self.eventually(30, "the resolution at \(am)") {
                // Resolved: endsAt no later than when the Alertmanager received it (its own clock).
                try Self.posts(am).contains { received, alerts in
                    alerts.contains { a in
                        Self.alertname(a) == "TargetUp" && ((a["endsAt"] as? String).flatMap(Self.parseTime) ?? .infinity) <= received
                    }
                }
            }
        }
        // The notifier's counts: errors for the dead one, nothing dropped.
        let (_, metrics) = try HTTP.get(base + "/metrics")
        let lines = metrics.split(separator: "\n")
        let deadErrors = lines.first { $0.hasPrefix("ctlmon_notifications_errors_total{alertmanager=\"http://\(dead)/api/v2/alerts\"") }
        let line = try #require(deadErrors, "no errors series for the dead Alertmanager")
        let errors: Double = line.split(separator: " ").last.flatMap { Double(String($0)) } ?? 0
        #expect(errors > 0, "\(line)")
        let dropped = lines.filter { $0.hasPrefix("ctlmon_notifications_dropped_total") }
        #expect(!dropped.isEmpty && dropped.allSatisfy { $0.hasSuffix(" 0") }, "\(dropped)")
    }

    /// An RFC 3339 time as Unix seconds.
    static func parseTime(_ s: String) -> Double? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d.timeIntervalSince1970 }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)?.timeIntervalSince1970
    }

    @Test("kill -9 while one alert is firing and one pending: after the restart the firing one is still firing, not sent again at once, and the pending one fires at its original time")
    func restartKeepsAlertStates() throws {
        let folder = try Components.temporaryFolder("restart")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (target, address) = try Components.fakeTarget(Self.apiserverFixture)
        defer { target.stop() }
        let (am, amAddress) = try Components.fakeAlertmanager()
        defer { am.stop() }
        let config = try Self.config(folder: folder, target: address, rules: """
            groups:
              - name: restart
                interval: 1s
                rules:
                  - alert: Firing
                    expr: vector(1)
                  - alert: SlowToFire
                    expr: vector(1)
                    for: 12s
            """, alertmanagers: [amAddress])
        // The rules' truth does not depend on a scrape: a first scrape that times out on a
        // loaded machine after the restart (up = 0) must not resolve them behind the test's back.
        var (sidecar, base) = try Components.sidecar(ctlmon: Self.ctlmon, config: config, storage: folder + "/data")
        defer { sidecar.stop() }
        try Self.eventually(10, "Firing firing, SlowToFire pending") {
            let alerts = try Self.sidecarAlerts(base)
            return alerts.contains { Self.alertname($0) == "Firing" && $0["state"] as? String == "firing" }
                && alerts.contains { Self.alertname($0) == "SlowToFire" && $0["state"] as? String == "pending" }
        }
        let before = try Self.sidecarAlerts(base)
        let pendingSince = try #require(before.first { Self.alertname($0) == "SlowToFire" }?["activeAt"] as? String)
        let firingSince = try #require(before.first { Self.alertname($0) == "Firing" }?["activeAt"] as? String)
        let sentBefore = try Self.posts(amAddress).filter { $0.1.contains { Self.alertname($0) == "Firing" } }.count
        // Wait for the states on disk: both alerts, and when the firing one was sent.
        try Self.eventually(20, "the alert states written") {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/data/state.json"))
            let state = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            let alerts = (state?["alerts"] as? [Any])?.count ?? 0
            let sent = (state?["lastSent"] as? [String: Any])?.keys.contains { $0.contains("Firing{") && !$0.contains("SlowToFire") } ?? false
            return alerts == 2 && sent
        }
        sidecar.killHard()
        let restarted = Date().timeIntervalSince1970
        (sidecar, base) = try Components.sidecar(ctlmon: Self.ctlmon, config: config, storage: folder + "/data", waitReady: false)
        try Self.eventually(10, "the states back") { try Self.sidecarAlerts(base).count == 2 }
        let after = try Self.sidecarAlerts(base)
        let firing = try #require(after.first { Self.alertname($0) == "Firing" })
        #expect(firing["state"] as? String == "firing" && firing["activeAt"] as? String == firingSince)
        let pending = try #require(after.first { Self.alertname($0) == "SlowToFire" })
        #expect(pending["activeAt"] as? String == pendingSince)
        // No re-notification storm: the firing alert is not re-sent before its minute is up.
        // Proven over three seconds of evaluations after the restart (the group's own
        // lastEvaluation, not a sleep), each of which could have sent it.
        let firstEvaluation = try #require(try Self.lastEvaluation(base, group: "restart"))
        try Self.eventually(30, "three more seconds of evaluations") {
            (try Self.lastEvaluation(base, group: "restart") ?? 0) >= firstEvaluation + 3
        }
        let sentAfter = try Self.posts(amAddress).filter { $0.1.contains { Self.alertname($0) == "Firing" } }.count
        #expect(sentAfter == sentBefore, "\(sentBefore) posts before the restart, \(sentAfter) after")
        // The pending one fires 12 s after it started, not 12 s after the restart.
        let start = try #require(Self.parseTime(pendingSince))
        try Self.eventually(20, "SlowToFire firing") {
            try Self.sidecarAlerts(base).contains { Self.alertname($0) == "SlowToFire" && $0["state"] as? String == "firing" }
        }
        // When it fired, as the sidecar told Alertmanager (startsAt is the firing time): 12 s after it
        // became pending, not 12 s after the restart.
        try Self.eventually(10, "SlowToFire at the Alertmanager") {
            try Self.posts(amAddress).contains { $0.1.contains { Self.alertname($0) == "SlowToFire" } }
        }
        let sent = try #require(try Self.posts(amAddress).flatMap(\.1).first { Self.alertname($0) == "SlowToFire" })
        let fired = try #require((sent["startsAt"] as? String).flatMap(Self.parseTime))
        // On a slow machine the restart itself may take longer than the 12 s: then it fires at
        // the first evaluations after the restart, still not 12 s after it.
        let due = max(start + 12, restarted)
        #expect(fired >= start + 12 && fired < due + 4,
                "fired \(fired - start) s after it started, \(fired - restarted) s after the restart")
    }

    @Test("faulty targets are down with their reason, the healthy one is not affected; TLS needs its CA; a rotated token is used at the next scrape")
    func faultsTLSAndTokens() throws {
        let folder = try Components.temporaryFolder("faults")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A self-signed CA and a certificate for 127.0.0.1.
        try Components.run("sh", ["-c", """
            cd \(folder) && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca >/dev/null 2>&1 &&
            openssl req -newkey rsa:2048 -nodes -keyout tls.key -out tls.csr -subj /CN=127.0.0.1 >/dev/null 2>&1 &&
            printf 'subjectAltName=IP:127.0.0.1' > ext && openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out tls.crt -days 2 -extfile ext >/dev/null 2>&1
            """])
        try "first-token\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        let (healthy, healthyAddress) = try Components.fakeTarget(Self.apiserverFixture)
        defer { healthy.stop() }
        let (broken, brokenAddress) = try Components.fakeTarget(Self.apiserverFixture)
        defer { broken.stop() }
        _ = try HTTP.get("http://\(brokenAddress)/-/fault?mode=500")
        let (secure, secureAddress) = try Components.fakeTarget(
            Self.apiserverFixture, ["--tls", folder + "/tls.crt", folder + "/tls.key", "--token-file", folder + "/token"])
        defer { secure.stop() }
        let refused = "127.0.0.1:\(freePort())"
        try Self.write("groups: []", folder + "/rules.yml")
        try Self.write("""
            global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
            rule_files: [rules.yml]
            scrape_configs:
              - job_name: healthy
                static_configs: [{targets: ['\(healthyAddress)']}]
              - job_name: broken
                static_configs: [{targets: ['\(brokenAddress)', '\(refused)']}]
              - job_name: secure
                scheme: https
                authorization: {credentials_file: \(folder)/token}
                tls_config: {ca_file: \(folder)/ca.crt}
                static_configs: [{targets: ['\(secureAddress)']}]
              - job_name: untrusted
                scheme: https
                static_configs: [{targets: ['\(secureAddress)']}]
            """, folder + "/config.yml")
        let (sidecar, base) = try Components.sidecar(ctlmon: Self.ctlmon, config: folder + "/config.yml", storage: folder + "/data")
        defer { sidecar.stop() }
        func targets() throws -> [String: [String: Any]] {
            let j = try HTTP.json(base + "/api/v1/targets") as? [String: Any]
            let active = ((j?["data"] as? [String: Any])?["activeTargets"] as? [[String: Any]]) ?? []
            return Dictionary(active.map { ("\($0["scrapePool"]!) \(($0["labels"] as? [String: String])?["instance"] ?? "")", $0) }, uniquingKeysWith: { a, _ in a })
        }
        try Self.eventually(15, "every target scraped") { try targets().values.allSatisfy { $0["health"] as? String != "unknown" } }
        let t = try targets()
        #expect(t["healthy \(healthyAddress)"]?["health"] as? String == "up")
        #expect(t["broken \(brokenAddress)"]?["health"] as? String == "down")
        #expect((t["broken \(brokenAddress)"]?["lastError"] as? String)?.contains("500") == true)
        #expect(t["broken \(refused)"]?["health"] as? String == "down")
        #expect(t["secure \(secureAddress)"]?["health"] as? String == "up", "\(t["secure \(secureAddress)"]?["lastError"] ?? "")")
        #expect(t["untrusted \(secureAddress)"]?["health"] as? String == "down")
        let (_, metrics) = try HTTP.get(base + "/metrics")
        #expect(metrics.contains("ctlmon_scrape_failures_total{job=\"broken\",instance=\"\(brokenAddress)\",reason=\"HTTP 5xx\"}"))
        #expect(metrics.contains("ctlmon_scrape_failures_total{job=\"broken\",instance=\"\(refused)\",reason=\"connection refused\"}"))
        #expect(metrics.contains("ctlmon_scrape_failures_total{job=\"untrusted\",instance=\"\(secureAddress)\",reason=\"TLS\"}"))
        #expect(!metrics.contains("first-token"))
        // Rotate the token: the target now wants the new one, and gets it at the next scrape.
        try "second-token\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        let secondToken = try Components.run("sh", ["-c", "printf 'Bearer second-token' | sha256sum | cut -c1-12"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.eventually(30, "a scrape with the rotated token") {
            try Components.run("curl", ["-s", "--cacert", folder + "/ca.crt", "https://\(secureAddress)/-/requests"])
                .split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) == secondToken
        }
        let scrapesBefore = try targets()["secure \(secureAddress)"]?["lastScrape"] as? String
        try Self.eventually(30, "a later scrape of the secure target, up") {
            let t = try targets()["secure \(secureAddress)"]
            return t?["lastScrape"] as? String != scrapesBefore && t?["health"] as? String == "up"
        }
        // Nothing secret in the targets API either.
        let (_, targetsBody) = try HTTP.get(base + "/api/v1/targets")
        #expect(!targetsBody.contains("token") || !targetsBody.contains("second-token"))
    }

    @Test("the sidecar's /metrics is valid text: ctlmon parse --strict and promtool check metrics accept it")
    func metricsAreValid() throws {
        let folder = try Components.temporaryFolder("metrics")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (target, address) = try Components.fakeTarget(Self.apiserverFixture)
        defer { target.stop() }
        let config = try Self.config(folder: folder, target: address, rules: Self.recordedAndAlerting, alertmanagers: [])
        let (sidecar, base) = try Components.sidecar(ctlmon: Self.ctlmon, config: config, storage: folder + "/data")
        defer { sidecar.stop() }
        try Self.eventually(10, "ALERTS and the recorded series in /metrics") {
            let (_, m) = try HTTP.get(base + "/metrics")
            return m.contains("\nALERTS{") && m.contains("\njob:up:sum{")
        }
        let (_, metrics) = try HTTP.get(base + "/metrics")
        try metrics.write(toFile: folder + "/metrics.txt", atomically: true, encoding: .utf8)
        let parse = try Command.run("ctlmon", ["parse", "--strict", folder + "/metrics.txt"])
        #expect(parse.status == 0, "\(parse.stderr)")
        let promtool = try Components.run("sh", ["-c", "promtool check metrics < \(folder)/metrics.txt; echo exit=$?"])
        // promtool exits 3 for lint findings (naming advice), 1 for invalid text: only 0 or 3 pass.
        #expect(promtool.contains("exit=0") || promtool.contains("exit=3"), "\(promtool)")
        #expect(!promtool.contains("error while linting"), "\(promtool)")
    }

    @Test("side by side with Prometheus 2.42, same targets and rules: the same alerts and the same recorded values")
    func sideBySideWithPrometheus() throws {
        let folder = try Components.temporaryFolder("prometheus")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (target, address) = try Components.fakeTarget(Self.apiserverFixture)
        defer { target.stop() }
        let config = try Self.config(folder: folder, target: address, rules: """
            groups:
              - name: compare
                interval: 1s
                rules:
                  - record: resource:apiserver_storage_objects:max
                    expr: max by (resource) (apiserver_storage_objects)
                  - record: cluster:apiserver_storage_objects:sum
                    expr: sum(apiserver_storage_objects)
                  - alert: ManyObjects
                    expr: resource:apiserver_storage_objects:max > 40
                    for: 2s
                    labels: {severity: info}
                    annotations: {summary: '{{ $labels.resource }}: {{ $value }} objects'}
            """, alertmanagers: [])
        let promPort = freePort()
        let prometheus = try ManagedProcess("prometheus", [
            "--config.file=\(config)", "--storage.tsdb.path=\(folder)/prom-data", "--web.listen-address=127.0.0.1:\(promPort)",
        ])
        defer { prometheus.stop() }
        try Components.waitForHTTP("http://127.0.0.1:\(promPort)/-/ready", process: prometheus, timeout: 60)
        let (sidecar, base) = try Components.sidecar(ctlmon: Self.ctlmon, config: config, storage: folder + "/data")
        defer { sidecar.stop() }
        let prom = "http://127.0.0.1:\(promPort)"

        /// Alerts as comparable strings: state and sorted labels.
        func alerts(_ base: String) throws -> Set<String> {
            Set(try Self.sidecarAlerts(base).map { a in
                let labels = (a["labels"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                return "\(a["state"] ?? "") " + labels.joined(separator: ",") + " " + ((a["annotations"] as? [String: String])?["summary"] ?? "")
            })
        }
        try Self.eventually(40, "the same firing alerts in both") {
            let mine = try alerts(base)
            let theirs = try alerts(prom)
            return !mine.isEmpty && mine == theirs && mine.allSatisfy { $0.hasPrefix("firing ") }
        }
        #expect(try alerts(base) == alerts(prom))
        // The recorded series at one instant both have evaluated: equal within 1e-9.
        // An instant both have evaluated: two seconds before Prometheus's own now.
        let promNow = try #require(((((try HTTP.json("\(prom)/api/v1/query?query=time()") as? [String: Any])?["data"] as? [String: Any])?["result"]
            as? [Any])?.last as? String).flatMap(Double.init))
        let at = promNow - 2
        for query in ["cluster:apiserver_storage_objects:sum", "resource:apiserver_storage_objects:max"] {
            func values(_ base: String) throws -> [String: Double] {
                let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
                let j = try HTTP.json("\(base)/api/v1/query?query=\(q)&time=\(at)") as? [String: Any]
                let result = ((j?["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
                return Dictionary(result.map { r in
                    let m = (r["metric"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                    return (m, Double(((r["value"] as? [Any])?.last as? String) ?? "") ?? .nan)
                }, uniquingKeysWith: { a, _ in a })
            }
            let mine = try values(base)
            let theirs = try values(prom)
            #expect(!mine.isEmpty && Set(mine.keys) == Set(theirs.keys), "\(query): \(mine.keys.sorted()) vs \(theirs.keys.sorted())")
            for (k, v) in mine { #expect(abs(v - (theirs[k] ?? .nan)) <= 1e-9 * max(1, abs(v)), "\(query) \(k): \(v) vs \(theirs[k] ?? .nan)") }
        }
    }
}
