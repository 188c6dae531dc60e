import CtlmonTestSupport
import Foundation
import PromModel
import Testing

/// The sidecar's HTTP API as a hostile or careless client meets it: every request of the
/// catalogue gets its answer, in Prometheus's shapes, and the process keeps serving; health
/// answers while heavy queries run.
@Suite("the sidecar's HTTP API", .serialized)
struct SidecarAPITests {
    /// One request and what it must get: status, and a fragment of the body.
    struct Case: CustomStringConvertible {
        var method = "GET"
        let path: String
        var body: String? = nil
        var headers: [String] = []
        let status: Int
        let contains: String
        var description: String { "\(method) \(path)" }
    }

    static let catalogue: [Case] = [
        // Times and durations that used to trap in a conversion (issue 17): refused, 400 bad_data.
        Case(path: "/api/v1/query?query=1&time=1e19", status: 400, contains: #""errorType":"bad_data""#),
        Case(path: "/api/v1/query?query=1&time=-1e19", status: 400, contains: #"invalid parameter \"time\": cannot parse \"-1e19\" to a valid timestamp"#),
        Case(path: "/api/v1/query?query=1&time=9.3e15", status: 400, contains: #""errorType":"bad_data""#),
        Case(path: "/api/v1/query?query=1&time=NaN", status: 400, contains: #""errorType":"bad_data""#),
        Case(path: "/api/v1/query?query=1&time=Inf", status: 400, contains: #""errorType":"bad_data""#),
        Case(path: "/api/v1/query?query=1&time=yesterday", status: 400, contains: #""errorType":"bad_data""#),
        Case(path: "/api/v1/query?query=1&timeout=1e300", status: 400, contains: "It overflows int64"),
        Case(path: "/api/v1/query_range?query=1&start=0&end=10&step=1e300", status: 400, contains: "It overflows int64"),
        Case(path: "/api/v1/query_range?query=1&start=0&end=1e19&step=1", status: 400, contains: #"invalid parameter \"end\""#),
        Case(path: "/api/v1/query_range?query=1&start=-1e19&end=0&step=1", status: 400, contains: #"invalid parameter \"start\""#),
        Case(path: "/api/v1/query_range?query=1&start=-9223309901257974&end=9223309901257974&step=1", status: 400, contains: "exceeded maximum resolution of 11,000 points"),
        Case(path: "/api/v1/query_range?query=1&start=0&end=10&step=0", status: 400, contains: "zero or negative query resolution step"),
        Case(path: "/api/v1/query_range?query=1&start=0&end=10&step=NaN", status: 400, contains: #"invalid parameter \"step\""#),
        Case(path: "/api/v1/query_range?query=1&start=10&end=0&step=1", status: 400, contains: "end timestamp must not be before start time"),
        Case(path: "/api/v1/query_range?query=1&start=0&end=10", status: 400, contains: #"invalid parameter \"step\": missing"#),
        Case(path: "/api/v1/query", status: 400, contains: #"invalid parameter \"query\": missing"#),
        Case(path: "/api/v1/query?query=sum(", status: 400, contains: #""errorType":"bad_data""#),
        Case(path: "/api/v1/query?query=%ZZ", status: 400, contains: #""errorType":"bad_data""#),
        // Limits: too many samples is 422 execution; a query past its timeout is 503 timeout.
        Case(path: "/api/v1/query?query=count_over_time(vector(1)%5B1000d:1s%5D)", status: 422, contains: #""errorType":"execution""#),
        Case(path: "/api/v1/query?query=count_over_time(vector(1)%5B100d:1s%5D)&timeout=0.05", status: 503, contains: #""errorType":"timeout""#),
        // Constants at any time, by GET or by form POST (Grafana's default), the body's values first.
        Case(path: "/api/v1/query?query=1%2B1&time=4", status: 200, contains: #""result":[4,"2"]"#),
        Case(method: "POST", path: "/api/v1/query?query=3", body: "query=1%2B1&time=4", headers: ["Content-Type: application/x-www-form-urlencoded"],
             status: 200, contains: #""result":[4,"2"]"#),
        Case(method: "POST", path: "/api/v1/query_range", body: "query=time()&start=0&end=2&step=1", headers: ["Content-Type: application/x-www-form-urlencoded"],
             status: 200, contains: #"[[0,"0"],[1,"1"],[2,"2"]]"#),
        // Bodies and headers beyond the limits.
        Case(method: "POST", path: "/api/v1/query", body: String(repeating: "a", count: 2 << 20), headers: ["Content-Type: application/x-www-form-urlencoded"],
             status: 413, contains: ""),
        Case(method: "POST", path: "/-/healthy", body: String(repeating: "a", count: 20 << 20), status: 413, contains: ""),
        Case(method: "POST", path: "/api/v1/query", body: String(repeating: "a", count: 2 << 20),
             headers: ["Content-Type: application/x-www-form-urlencoded", "Transfer-Encoding: chunked"], status: 413, contains: ""),
        // A header line past 16 KiB: the HTTP parser refuses the request.
        Case(path: "/-/healthy", headers: ["X-Big: " + String(repeating: "b", count: 20 << 10)], status: 400, contains: ""),
        Case(path: "/api/v1/nothing", status: 404, contains: ""),
        // Without --web.enable-lifecycle, as Prometheus.
        Case(method: "POST", path: "/-/reload", status: 403, contains: "Lifecycle API is not enabled."),
        Case(method: "DELETE", path: "/api/v1/query", status: 404, contains: ""),
    ]

    /// Sends one case with curl; (status, body).
    static func send(_ c: Case, base: String, folder: String) throws -> (Int, String) {
        var args = ["-s", "-m", "60", "-o", "-", "-w", "\n%{http_code}", "-X", c.method]
        for h in c.headers { args += ["-H", h] }
        if let body = c.body {
            let file = folder + "/body"
            try body.write(toFile: file, atomically: true, encoding: .utf8)
            args += ["--data-binary", "@" + file]
        }
        let out = try Components.run("curl", args + [base + c.path])
        let newline = try #require(out.lastIndex(of: "\n"))
        return (Int(out[out.index(after: newline)...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, String(out[..<newline]))
    }

    static func sidecar(folder: String, arguments: [String]) throws -> (ManagedProcess, ManagedProcess, String) {
        let (target, address) = try Components.fakeTarget(SidecarTests.apiserverFixture)
        let config = try SidecarTests.config(folder: folder, target: address, rules: """
            groups:
              - name: api
                interval: 1s
                rules:
                  - record: job:up:sum
                    expr: sum by (job) (up)
            """, alertmanagers: [])
        let (sidecar, base) = try Components.sidecar(ctlmon: SidecarTests.ctlmon, config: config, storage: folder + "/data", arguments: arguments)
        return (target, sidecar, base)
    }

    @Test("every request of the catalogue gets its answer in Prometheus's shape, and the sidecar keeps serving")
    func catalogue() throws {
        let folder = try Components.temporaryFolder("api-catalogue")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (target, sidecar, base) = try Self.sidecar(folder: folder, arguments: ["--query.max-samples", "10000000"])
        defer {
            sidecar.stop()
            target.stop()
        }
        for c in Self.catalogue {
            let (status, body) = try Self.send(c, base: base, folder: folder)
            #expect(status == c.status, "\(c): \(status) \(body.prefix(300))")
            #expect(c.contains.isEmpty || body.contains(c.contains), "\(c): \(body.prefix(300))")
            if status >= 400, body.hasPrefix("{") {
                let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                #expect(json?["status"] as? String == "error" && json?["error"] is String, "\(c): \(body.prefix(300))")
            }
            #expect(sidecar.isRunning, "the sidecar died at \(c)")
        }
        #expect(try HTTP.get(base + "/-/healthy").0 == 200)
    }

    @Test("health, readiness, /metrics and the rules answer while 16 heavy queries run; the heavy ones end with 503 timeout")
    func healthUnderQueryLoad() throws {
        let folder = try Components.temporaryFolder("api-load")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A query of 8.6 billion steps cannot end before its 60 s timeout on any machine; 60 s
        // leaves a slow, loaded machine (the AddressSanitizer run in CI) time to start all 16
        // and the 50 probes while the first is still evaluating.
        let (target, sidecar, base) = try Self.sidecar(folder: folder, arguments: [
            "--query.timeout", "60s", "--query.max-samples", "100000000000", "--query.max-concurrency", "16",
        ])
        defer {
            sidecar.stop()
            target.stop()
        }
        let heavy = "/api/v1/query?query=count_over_time(up%5B100d:1ms%5D)"
        let results = HeavyResults()
        for _ in 0..<16 { results.get(base + heavy) }
        // Wait for the 16 to be evaluating (the sidecar's own gauge), then probe.
        try SidecarTests.eventually(60, "16 queries evaluating") {
            try HTTP.get(base + "/metrics").1.contains("ctlmon_queries_running 16")
        }
        // Rounds of probes, each confirmed by the gauge still reading 16 after it: a probe of a
        // confirmed round was answered while all 16 were evaluating. A loaded machine that
        // took long to start the 16 may see the first time out before ten rounds are done;
        // the rounds stop there, and at least two must be confirmed.
        var slowest = 0.0
        var confirmed = 0
        for _ in 0..<10 {
            for path in ["/-/healthy", "/-/ready", "/metrics", "/api/v1/rules", "/api/v1/alerts"] {
                // curl's own measure: from connecting to the last byte, without its start-up.
                let out = try Components.run("curl", ["-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", base + path])
                let fields = out.split(separator: " ")
                #expect(fields.first == "200", "\(path): \(out)")
                slowest = max(slowest, fields.last.flatMap { Double($0) } ?? .infinity)
            }
            guard try HTTP.get(base + "/metrics").1.contains("ctlmon_queries_running 16") else { break }
            confirmed += 1
        }
        #expect(confirmed >= 2, "only \(confirmed) rounds of probes answered while all 16 were evaluating")
        print("slowest health/metrics/rules answer under 16 heavy queries: \(String(format: "%.0f", slowest * 1000)) ms (curl time_total)")
        results.group.wait()
        let answers = results.all
        #expect(answers.count == 16)
        #expect(sidecar.isRunning)
        for (status, body) in answers {
            #expect(status == 503 && body.contains(#""errorType":"timeout""#), "\(status) \(body.prefix(200))")
        }
    }
}

extension SidecarAPITests {
    @Test("SIGTERM with a query of billions of steps in flight: the query is answered canceled, the states and series are written, exit 0 within 15 s")
    func sigtermUnderQuery() throws {
        let folder = try Components.temporaryFolder("api-sigterm")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (target, sidecar, base) = try Self.sidecar(folder: folder, arguments: ["--query.max-samples", "100000000000"])
        defer {
            sidecar.stop()
            target.stop()
        }
        for file in ["state.json", "series.bin"] { try? FileManager.default.removeItem(atPath: folder + "/data/" + file) }
        let results = HeavyResults()
        results.get(base + "/api/v1/query?query=count_over_time(up%5B100d:1ms%5D)")
        try SidecarTests.eventually(60, "the query evaluating") {
            try HTTP.get(base + "/metrics").1.contains("ctlmon_queries_running 1")
        }
        sidecar.terminate()
        let status = sidecar.waitForExit(timeout: 15)
        #expect(status == 0, "exit status \(status.map(String.init) ?? "none within 15 s"); it printed:\n\(sidecar.printed.suffix(2000))")
        results.group.wait()
        let answer = results.all.first
        #expect(answer?.0 == 503 && answer?.1.contains(#""errorType":"canceled""#) == true, "\(answer.map { "\($0.0) \($0.1.prefix(200))" } ?? "none")")
        for file in ["state.json", "series.bin"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/data/" + file), "\(file) not written at SIGTERM")
        }
    }
}

extension SidecarAPITests {
    static func post(_ url: String) throws -> (Int, String) {
        let out = try Components.run("curl", ["-s", "-m", "60", "-X", "POST", "-o", "-", "-w", "\n%{http_code}", url])
        let newline = try #require(out.lastIndex(of: "\n"))
        return (Int(out[out.index(after: newline)...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, String(out[..<newline]))
    }

    static func groups(_ base: String) throws -> [String] {
        let j = try HTTP.json(base + "/api/v1/rules") as? [String: Any]
        return (((j?["data"] as? [String: Any])?["groups"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }

    @Test("reload (POST /-/reload, SIGHUP): a bad rule file keeps the running config and says file:line; a good one applies, firing alerts keep their state and start")
    func reload() throws {
        let folder = try Components.temporaryFolder("api-reload")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (target, address) = try Components.fakeTarget(SidecarTests.apiserverFixture)
        defer { target.stop() }
        let rules = """
            groups:
              - name: first
                interval: 1s
                rules:
                  - alert: TargetUp
                    expr: up == 1
            """
        let config = try SidecarTests.config(folder: folder, target: address, rules: rules, alertmanagers: [])
        let (sidecar, base) = try Components.sidecar(ctlmon: SidecarTests.ctlmon, config: config, storage: folder + "/data", arguments: ["--web.enable-lifecycle"])
        defer { sidecar.stop() }
        try SidecarTests.eventually(30, "TargetUp firing") {
            try SidecarTests.sidecarAlerts(base).contains { $0["state"] as? String == "firing" }
        }
        let since = try #require(try SidecarTests.sidecarAlerts(base).first?["activeAt"] as? String)

        // A rule file that does not parse: 500 naming the file and line; nothing changes.
        try SidecarTests.write(rules + "\n      - alert: Broken\n        expr: sum(\n", folder + "/rules.yml")
        let (status, body) = try Self.post(base + "/-/reload")
        #expect(status == 500 && body.contains("failed to reload config") && body.contains("rules.yml:"), "\(status) \(body)")
        #expect(try Self.groups(base) == ["first"])
        #expect(try HTTP.get(base + "/metrics").1.contains("ctlmon_config_last_reload_successful 0"))

        // A good one: the new group runs, the firing alert keeps its state and start.
        try SidecarTests.write(rules + "\n  - name: second\n    interval: 1s\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n",
                               folder + "/rules.yml")
        let (ok, okBody) = try Self.post(base + "/-/reload")
        #expect(ok == 200, "\(okBody)")
        #expect(try Self.groups(base) == ["first", "second"])
        #expect(try HTTP.get(base + "/metrics").1.contains("ctlmon_config_last_reload_successful 1"))
        let alert = try #require(try SidecarTests.sidecarAlerts(base).first)
        #expect(alert["state"] as? String == "firing" && alert["activeAt"] as? String == since, "\(alert)")
        try SidecarTests.eventually(30, "the new group evaluated") {
            try HTTP.get(base + "/api/v1/query?query=job:up:sum").1.contains("\"apiserver\"")
        }

        // SIGHUP reloads too.
        try SidecarTests.write(rules + "\n  - name: third\n    interval: 1s\n    rules:\n      - record: third:up\n        expr: up\n",
                               folder + "/rules.yml")
        kill(sidecar.pid, SIGHUP)
        try SidecarTests.eventually(30, "the third group after SIGHUP") { try Self.groups(base) == ["first", "third"] }
        #expect(sidecar.isRunning)
    }
}

extension SidecarAPITests {
    @Test("--web.config.file: every path but the probes needs the user's password (401 with WWW-Authenticate); the password is in no log line")
    func basicAuthentication() throws {
        let folder = try Components.temporaryFolder("api-auth")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "basic_auth_users:\n  alice: '\(Passwords.bcrypt("s3cret-pw"))'\n".write(toFile: folder + "/web.yml", atomically: true, encoding: .utf8)
        let (target, address) = try Components.fakeTarget(SidecarTests.apiserverFixture)
        defer { target.stop() }
        let config = try SidecarTests.config(folder: folder, target: address, rules: "groups: []\n", alertmanagers: [])
        let (sidecar, base) = try Components.sidecar(
            ctlmon: SidecarTests.ctlmon, config: config, storage: folder + "/data", arguments: ["--web.config.file", folder + "/web.yml"])
        defer { sidecar.stop() }
        func status(_ path: String, _ credentials: [String]) throws -> String {
            try Components.run("curl", ["-s", "-m", "30", "-o", "/dev/null", "-D", "-", "-w", "%{http_code}"] + credentials + [base + path])
        }
        #expect(try status("/-/healthy", []).hasSuffix("200"))
        #expect(try status("/-/ready", []).hasSuffix("200"))
        for path in ["/metrics", "/api/v1/rules", "/api/v1/query?query=up", "/"] {
            let denied = try status(path, [])
            #expect(denied.hasSuffix("401") && denied.lowercased().contains("www-authenticate: basic"), "\(path): \(denied)")
            #expect(try status(path, ["-u", "alice:wrong"]).hasSuffix("401"), "\(path)")
            #expect(try status(path, ["-u", "mallory:s3cret-pw"]).hasSuffix("401"), "\(path)")
            #expect(try status(path, ["-u", "alice:s3cret-pw"]).hasSuffix("200"), "\(path)")
        }
        sidecar.stop()
        #expect(!sidecar.printed.contains("s3cret-pw") && !sidecar.printed.contains("YWxpY2U6"), "a credential in the log")
    }
}

extension SidecarAPITests {
    @Test("tls_server_config: HTTPS only, client certificates verified against client_ca_file, TLS 1.3 when asked, a silent client closed at the read timeout, Prometheus scrapes it and promtool accepts the file, a rotated certificate is served from the next connection; no key or password in the log")
    func tls() throws {
        let folder = try Components.temporaryFolder("api-tls")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let a = try Certificates.make(in: folder, name: "a")
        let b = try Certificates.make(in: folder, name: "b")
        // The files served, replaced later as a secret volume's are (a new file renamed over).
        func serve(_ set: Certificates) throws {
            for (from, to) in [(set.serverCert, "live.crt"), (set.serverKey, "live.key")] {
                try Data(contentsOf: URL(fileURLWithPath: from)).write(to: URL(fileURLWithPath: folder + "/" + to), options: .atomic)
            }
        }
        try serve(a)
        try """
            basic_auth_users:
              alice: '\(Passwords.bcrypt("s3cret-pw"))'
            tls_server_config:
              cert_file: live.crt
              key_file: live.key
              client_ca_file: a-ca.crt
              client_auth_type: RequireAndVerifyClientCert
              min_version: TLS13
            """.write(toFile: folder + "/web.yml", atomically: true, encoding: .utf8)
        let (target, address) = try Components.fakeTarget(SidecarTests.apiserverFixture)
        defer { target.stop() }
        let config = try SidecarTests.config(folder: folder, target: address, rules: "groups: []\n", alertmanagers: [])
        let trusted = ["--cacert", a.caFile, "--cert", a.clientCert, "--key", a.clientKey]
        let (sidecar, base) = try Components.sidecar(
            ctlmon: SidecarTests.ctlmon, config: config, storage: folder + "/data",
            arguments: ["--web.config.file", folder + "/web.yml", "--web.read-timeout", "3s"], scheme: "https", curl: trusted)
        defer { sidecar.stop() }
        /// The status, or nil when no HTTP answer came (the handshake refused, the connection closed).
        func status(_ url: String, _ arguments: [String]) -> String? {
            try? Components.run("curl", ["-s", "-m", "30", "-o", "/dev/null", "-w", "%{http_code}"] + arguments + [url])
        }
        let query = base + "/api/v1/query?query=up"
        #expect(status(query, trusted + ["-u", "alice:s3cret-pw"]) == "200")
        #expect(status(query, trusted) == "401")
        #expect(status(base + "/-/healthy", trusted) == "200")
        // The client certificate is required, and must come from client_ca_file's CA.
        #expect(status(query, ["--cacert", a.caFile, "-u", "alice:s3cret-pw"]) == nil)
        #expect(status(query, ["--cacert", a.caFile, "--cert", b.clientCert, "--key", b.clientKey, "-u", "alice:s3cret-pw"]) == nil)
        // Nothing in plain HTTP, nothing below min_version.
        #expect(status(query.replacingOccurrences(of: "https:", with: "http:"), ["-u", "alice:s3cret-pw"]) ?? "000" == "000")
        #expect(status(query, trusted + ["--tls-max", "1.2", "-u", "alice:s3cret-pw"]) == nil)
        // A client that connects and never starts its handshake is closed at the read timeout.
        let port = base.split(separator: ":").last!
        let silent = try Components.run("python3", ["-c", """
            import socket
            s = socket.create_connection(("127.0.0.1", \(port)))
            s.settimeout(60)
            print("closed" if s.recv(1) == b"" else "answered")
            """])
        #expect(silent.contains("closed"))

        // Go's side: promtool accepts the same web config, and Prometheus 2.42 scrapes the
        // sidecar over this TLS with a client certificate and basic auth.
        #expect(try Components.run("promtool", ["check", "web-config", folder + "/web.yml"]).contains("SUCCESS"))
        let promPort = freePort()
        try """
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: ctlmon
                scheme: https
                basic_auth: {username: alice, password: s3cret-pw}
                tls_config: {ca_file: \(a.caFile), cert_file: \(a.clientCert), key_file: \(a.clientKey)}
                static_configs: [{targets: ['\(base.dropFirst("https://".count))']}]
            """.write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prometheus = try ManagedProcess("prometheus", [
            "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/prom-data", "--web.listen-address=127.0.0.1:\(promPort)",
        ])
        defer { prometheus.stop() }
        try SidecarTests.eventually(60, "Prometheus scraping the sidecar over TLS") {
            try HTTP.get("http://127.0.0.1:\(promPort)/api/v1/query?query=up%7Bjob%3D%22ctlmon%22%7D").1.contains("\"1\"]")
        }
        prometheus.stop()

        // A rotated certificate (another CA's): served from a later connection, no restart.
        try serve(b)
        try SidecarTests.eventually(30, "the rotated certificate served") {
            status(query, ["--cacert", b.caFile, "--cert", a.clientCert, "--key", a.clientKey, "-u", "alice:s3cret-pw"]) == "200"
        }
        #expect(status(query, trusted + ["-u", "alice:s3cret-pw"]) == nil)
        sidecar.stop()
        let log = sidecar.printed
        #expect(log.contains("TLS certificate files changed"))
        #expect(!log.contains("PRIVATE KEY") && !log.contains("s3cret-pw") && !log.contains("YWxpY2U6"), "a secret in the log")
    }
}

/// The answers of the heavy queries, collected from their threads.
final class HeavyResults: @unchecked Sendable {
    // Sendable: `answers` only touched with `lock` held.
    let group = DispatchGroup()
    private let lock = NSLock()
    private var answers: [(Int, String)] = []

    /// GETs `url` on a thread of its own (a blocking curl must not hold one of the few
    /// executor threads); the answer, or the failure as status 0, joins ``all``.
    func get(_ url: String) {
        group.enter()
        Thread { [self] in
            let answer: (Int, String)
            do {
                answer = try HTTP.get(url, timeout: 120)
            } catch {
                answer = (0, "\(error)")
            }
            lock.lock()
            answers.append(answer)
            lock.unlock()
            group.leave()
        }.start()
    }

    var all: [(Int, String)] {
        lock.lock()
        defer { lock.unlock() }
        return answers
    }
}

extension SidecarAPITests {
    @Test("GET / is the status page: HTML with the verdict, every section, charts with titles linking to query_range, its style named by hash in the CSP header, label values escaped; text with ?format=text or Accept: text/plain")
    func statusPage() throws {
        let folder = try Components.temporaryFolder("status-page")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A webhook whose name is markup: it must show as text.
        let evil = "<script>alert(1)</script>"
        let scrape = String(decoding: try Fixture.text("synthetic/apiserver-1.35-with-webhooks.txt.gz"), as: UTF8.self)
            .replacingOccurrences(of: "namespace.sidecar-injector.istio.io", with: evil)
        try scrape.write(toFile: folder + "/scrape.txt", atomically: true, encoding: .utf8)
        let (target, address) = try Components.fakeTarget(folder + "/scrape.txt")
        defer { target.stop() }
        let config = try SidecarTests.config(folder: folder, target: address, rules: """
            groups:
              - name: page
                interval: 1s
                rules:
                  - alert: WebhookSlow
                    expr: histogram_quantile(0.99, sum by (le, name) (rate(apiserver_admission_webhook_admission_duration_seconds_bucket[5m]))) > 1
                    labels: {severity: critical}
                    annotations: {summary: 'slow: {{ $labels.name }}', runbook_url: 'javascript:alert(2)'}
            """, alertmanagers: [])
        let (sidecar, base) = try Components.sidecar(ctlmon: SidecarTests.ctlmon, config: config, storage: folder + "/data")
        defer { sidecar.stop() }
        try SidecarTests.eventually(60, "the alert firing on the page") { try HTTP.get(base + "/").1.contains("alerts firing") }
        let headers = try Components.run("curl", ["-s", "-D", "-", "-o", folder + "/page.html", base + "/"])
        let page = try String(contentsOfFile: folder + "/page.html", encoding: .utf8)
        #expect(headers.lowercased().contains("content-type: text/html; charset=utf-8"))
        let style = try #require(page.range(of: "<style>").flatMap { s in page.range(of: "</style>").map { String(page[s.upperBound..<$0.lowerBound]) } })
        #expect(headers.contains("Content-Security-Policy: default-src 'self'; style-src 'sha256-\(SHA256.hash(Array(style.utf8)).base64)'"))
        #expect(page.contains("id=\"verdict\">✖ critical: 2 alerts firing"))
        for section in ["API server", "Admission webhooks", "etcd", "Targets", "Alerts"] { #expect(page.contains(">\(section)</h2>"), "\(section)") }
        // Markup from a scrape or a rule shows as text; a runbook that is not a web link is no link.
        #expect(!page.contains("<script") && page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("href=\"javascript:") && page.contains("Runbook: javascript:alert(2)"))
        // Every chart has an accessible name and a title, and links to its query, which answers.
        let charts = page.components(separatedBy: "<svg class=\"chart\" role=\"img\" aria-label=\"").count - 1
        #expect(charts >= 7)
        let links = page.components(separatedBy: "<a href=\"api/v1/query_range?query=").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(links.count == charts)
        for link in links.prefix(3) {
            let answer = try HTTP.json(base + "/api/v1/query_range?query=" + link.replacingOccurrences(of: "&amp;", with: "&")) as? [String: Any]
            #expect(answer?["status"] as? String == "success", "\(link)")
        }
        #expect(page.utf8.count <= 100_000, "page weight \(page.utf8.count)")
        #expect(try HTTP.get(base + "/?range=6h").1.contains("<strong>6h</strong>"))
        // Text stays available.
        #expect(try HTTP.get(base + "/?format=text").1.hasPrefix("ctlmon serve\n"))
        #expect(try HTTP.get(base + "/", curl: ["-H", "Accept: text/plain"]).1.hasPrefix("ctlmon serve\n"))
    }
}
