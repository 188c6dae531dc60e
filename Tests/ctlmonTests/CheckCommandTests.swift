import CtlmonTestSupport
import Foundation
import Testing

/// `ctlmon check`, the one-shot report: sections, JSON contract, exit codes, every fixture.
@Suite("ctlmon check")
struct CheckCommandTests {
    static let apiserverFixtures = ((try? FileManager.default.contentsOfDirectory(atPath: Command.fixture("apiserver"))) ?? [])
        .filter { $0.hasPrefix("nri-kubernetes") }.sorted()

    @Test("the shipped 1.35 scrape: all four sections, the lifetime window, exit 0")
    func healthyScrape() throws {
        let r = try Command.check([Command.fixture("apiserver/nri-kubernetes-v1.35.txt.gz"), "--color", "never", "--time", "2026-07-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        for section in ["API server", "Admission webhooks", "etcd", "Alerts"] { #expect(r.stdout.contains("\n\(section)\n")) }
        // process_start_time_seconds is 2026-06-26T10:12:10Z.
        #expect(r.stdout.contains("Window: process lifetime 4d 13h;") && r.stdout.contains("rates and latencies are lifetime averages"))
        #expect(r.stdout.contains("of 8 GiB (2.0 MiB, apiserver_storage_size_bytes)"))
        #expect(r.stdout.contains("none firing"))
        #expect(r.stdout.contains("One scrape shows one API server"))
        #expect(!r.stdout.contains("\u{1B}["))
        let colored = try Command.check([Command.fixture("apiserver/nri-kubernetes-v1.35.txt.gz"), "--color", "always"])
        #expect(colored.stdout.contains("\u{1B}[1mAPI server\u{1B}[0m"))
        // Not a terminal and no --color: plain text.
        #expect(!(try Command.check([Command.fixture("apiserver/nri-kubernetes-v1.35.txt.gz")]).stdout.contains("\u{1B}[")))
    }

    @Test("synthetic webhooks: slow, failing and fail-open webhooks would fire; JSON has the contract's keys")
    func webhooks() throws {
        let fixture = Command.fixture("synthetic/apiserver-1.35-with-webhooks.txt.gz")
        let r = try Command.check([fixture, "--format", "json"])
        #expect(r.status == 1)
        let json = try Command.json(r.stdout)
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        let found = Set(alerts.map { "\($0["name"]!) \($0["severity"]!) \(($0["labels"] as? [String: String])?["name"] ?? "")" })
        #expect(found == [
            "KubeAdmissionWebhookSlow critical namespace.sidecar-injector.istio.io", "KubeAdmissionWebhookSlow warning namespace.sidecar-injector.istio.io",
            "KubeAdmissionWebhookSlow warning validate.kyverno.svc-fail", "KubeAdmissionWebhookFailing critical namespace.sidecar-injector.istio.io",
            "KubeAdmissionWebhookFailOpen warning validation.gatekeeper.sh",
        ])
        for a in alerts {
            #expect(a["name"] is String && a["severity"] is String && a["value"] is Double)
            #expect((a["labels"] as? [String: String])?["alertname"] == a["name"] as? String)
            #expect((a["annotations"] as? [String: String])?["runbook_url"]?.hasPrefix("Rules/RUNBOOK.md#") == true)
            #expect(a["state"] as? String == "would fire")
        }
        let source = try #require(json["source"] as? [String: Any])
        let samples = try #require(source["samples"] as? Int)
        let series = try #require(source["series"] as? Int)
        #expect(samples > 0 && series > 0 && series <= samples)
        #expect(source["bytes"] as? Int == (try FileManager.default.attributesOfItem(atPath: fixture)[.size] as? Int))
        #expect(source["lifetime_seconds"] is Double)
        let etcd = try #require(json["etcd"] as? [String: Any])
        #expect(etcd["db_bytes"] as? Double == 2_093_056)
        #expect(etcd["quota_bytes"] as? Double == 8_589_934_592)
        #expect(abs((etcd["ratio"] as? Double ?? 0) - 2_093_056 / 8_589_934_592) < 1e-12)
        let hooks = try #require(json["webhooks"] as? [[String: Any]])
        #expect(hooks.first?["name"] as? String == "namespace.sidecar-injector.istio.io")
        #expect(hooks.first?["failures"] as? Double == 42)
    }

    /// The README's fenced blocks that follow a line containing `marker`.
    static func readmeBlock(after marker: String) throws -> [String] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let after = try #require(readme.range(of: marker)).upperBound
        let open = try #require(readme.range(of: "```\n", range: after..<readme.endIndex)).upperBound
        let close = try #require(readme.range(of: "\n```", range: open..<readme.endIndex)).lowerBound
        return readme[open..<close].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test("the README's printed examples are what the commands print (the first byte for byte; the webhook one line by line, \u{2026} for what it leaves out)")
    func readmeExamples() throws {
        let first = try Command.run("ctlmon", ["check", Command.fixture("apiserver/nri-kubernetes-v1.35.txt.gz"), "--time", "2026-07-01T00:00:00Z"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try Self.readmeBlock(after: "The README's first command prints").joined(separator: "\n") + "\n" == first.stdout)
        let webhooks = try Command.run("ctlmon", ["check", Command.fixture("synthetic/apiserver-1.35-with-webhooks.txt.gz"), "--time", "2026-07-01T00:00:00Z"])
        #expect(webhooks.status == 1, "\(webhooks.stderr)")
        let printed = webhooks.stdout.split(separator: "\n").map(String.init)
        for line in try Self.readmeBlock(after: "On the synthetic scrape with admission webhooks") where line != "\u{2026}" && line != "  \u{2026}" {
            #expect(printed.contains(line), "README line not printed: \(line)")
        }
    }

    @Test("a report that cannot be written (standard output on a full disk) is exit 2 with the reason, whatever the verdict")
    func unwritableOutputIsExit2() throws {
        let scrape = Command.fixture("apiserver/nri-kubernetes-v1.35.txt.gz")
        let written = try Command.run("ctlmon", ["check", scrape, "--time", Command.checkTime], stdoutPath: "/dev/null")
        #expect(written.status == 0, "\(written.stderr)")
        for format in ["text", "json", "html"] {
            let r = try Command.run("ctlmon", ["check", scrape, "--time", Command.checkTime, "--format", format], stdoutPath: "/dev/full")
            #expect(r.status == 2 && r.stderr.contains("cannot write the output to standard output"), "\(format): \(r.status) \(r.stderr)")
        }
        // The other commands print through the same check.
        let parse = try Command.run("ctlmon", ["parse", scrape], stdoutPath: "/dev/full")
        #expect(parse.status == 2 && parse.stderr.contains("cannot write the output"), "\(parse.stderr)")
    }

    @Test("--fail-on critical ignores warnings; a failing webhook is critical")
    func failOn() throws {
        let synthetic = Command.fixture("synthetic/apiserver-1.35-with-webhooks.txt.gz")
        #expect(try Command.check([synthetic, "--fail-on", "critical"]).status == 1)
        let rules = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-warn-\(UUID().uuidString).yaml")
        try """
            groups:
            - name: t
              rules:
              - alert: AlwaysWarn
                expr: vector(1)
                labels: {severity: warning}
            """.write(to: rules, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: rules) }
        #expect(try Command.check([synthetic, "--rules", rules.path]).status == 1)
        let r = try Command.check([synthetic, "--rules", rules.path, "--fail-on", "critical"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("AlwaysWarn — firing"))
    }

    @Test("every kube-apiserver fixture 1.16-1.35 gives a report; missing metrics are said to be missing", arguments: apiserverFixtures)
    func everyVersion(_ name: String) throws {
        let r = try Command.check([Command.fixture("apiserver/" + name), "--format", "json"])
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        let json = try Command.json(r.stdout)
        let etcd = try #require(json["etcd"] as? [String: Any])
        let old = ["v1.16", "v1.17", "v1.18", "metrics_slis"].contains { name.contains($0) }
        if old {
            #expect(etcd["db_bytes"] is NSNull)
            let text = try Command.check([Command.fixture("apiserver/" + name)])
            #expect(text.stdout.contains("database size: missing"))
        } else {
            #expect((etcd["db_bytes"] as? Double ?? 0) > 1e6)
        }
        let apiserver = try #require(json["apiserver"] as? [String: Any])
        // Before 1.20 a single-object GET is scoped "namespace" or "cluster": there is no "resource" scope.
        #expect((apiserver["read_p99_seconds"] as? [String: Double])?.isEmpty == false)
    }

    @Test("every etcd fixture gives a report from etcd's own size and quota metrics",
          arguments: ((try? FileManager.default.contentsOfDirectory(atPath: Command.fixture("etcd"))) ?? []).sorted())
    func etcdFixtures(_ name: String) throws {
        let r = try Command.check([Command.fixture("etcd/" + name), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let etcd = try #require(try Command.json(r.stdout)["etcd"] as? [String: Any])
        #expect(etcd["metric"] as? String == "etcd_mvcc_db_total_size_in_bytes")
        #expect(etcd["quota_bytes"] as? Double == 2_147_483_648)
    }

    @Test("an etcd scrape at 96 % of its own quota is critical")
    func etcdNearQuota() throws {
        let r = try Command.check([Command.fixture("etcd-live/etcd-3.4-fill-96.txt.gz"), "--format", "json"])
        #expect(r.status == 1)
        let json = try Command.json(r.stdout)
        let etcd = try #require(json["etcd"] as? [String: Any])
        #expect(etcd["quota_bytes"] as? Double == 16_777_216)
        #expect(etcd["metric"] as? String == "etcd_mvcc_db_total_size_in_bytes")
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        #expect(Set(alerts.map { $0["severity"] as? String }) == ["warning", "critical"])
        let healthy = try Command.check([Command.fixture("etcd/nri-kubernetes-k8s-v1.35-etcd-3.6.6.txt.gz")])
        #expect(healthy.status == 0)
    }

    @Test("two scrapes of one server: both instances, one server; the rules aggregate across them")
    func twoInstances() throws {
        let f = Command.fixture("apiserver/nri-kubernetes-v1.35.txt.gz")
        let r = try Command.check([f, f, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try Command.json(r.stdout)
        let instances = try #require((json["source"] as? [String: Any])?["instances"] as? [[String: Any]])
        #expect(instances.count == 2)
        #expect(Set(instances.map { $0["instance"] as? String }).count == 2)
        let text = try Command.check([f, f])
        #expect(text.stdout.contains("2 scrapes come from 1 API server(s)"))
    }

    @Test("--baseline: the window is the time between the scrapes")
    func baseline() throws {
        let f = Command.fixture("apiserver/nri-kubernetes-v1.35.txt.gz")
        // The current scrape a day after the process start; the baseline an hour before it.
        let r = try Command.check([f, "--baseline", f, "--time", "1782555130", "--baseline-time", "1782551530"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Window: 1h 0m between the baseline and this scrape") || r.stdout.contains("Window: 59m"))
        #expect(r.stdout.contains("requests    0.00/s"))  // the same scrape twice: no requests in between
    }

    @Test("bad input exits 2 naming source:line:column, whatever family the broken line belongs to; stdin is the default source")
    func badInput() throws {
        // A broken line of a family no rule reads is an error too: every line is validated.
        let bad = try Command.check([], stdin: Data("up{job=\"x\" 1\napiserver_request_total{code=\"200\"} 1\n".utf8))
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("<stdin>:1:12: expected ',' or '}' after a label value"), "\(bad.stderr)")
        let wanted = try Command.check([], stdin: Data("up 1\napiserver_request_total{code=\"200\" 1\n".utf8))
        #expect(wanted.status == 2)
        #expect(wanted.stderr.contains("<stdin>:2:36: expected ',' or '}' after a label value"), "\(wanted.stderr)")
        let gz = try Data(contentsOf: URL(fileURLWithPath: Command.fixture("apiserver/nri-kubernetes-v1.28.txt.gz")))
        let ok = try Command.check(["-"], stdin: gz)
        #expect(ok.status == 0 || ok.status == 1)
        #expect(ok.stdout.contains("stdin (v1.28.3)"))
    }

    static let notControlPlane = "does not look like a kube-apiserver or etcd /metrics scrape (no apiserver_* or etcd_* samples)"

    @Test("empty input, garbage and another program's scrape are bad input (exit 2), never a green report",
          arguments: [
            ("", notControlPlane),
            ("garbage{ 1\n", "<stdin>:1:10: expected a label name"),
            ("# HELP node_cpu_seconds_total Seconds.\n# TYPE node_cpu_seconds_total counter\nnode_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1234.5\nprocess_start_time_seconds 1.7e9\n", notControlPlane),
            ("\n\n# just comments\n", notControlPlane),
          ])
    func notAScrapeOfTheControlPlane(_ input: String, _ message: String) throws {
        let r = try Command.check(["-"], stdin: Data(input.utf8))
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty, "no report: \(r.stdout)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test("a scheduler's scrape is read for the scheduler rules (its pending pod would fire); API server and etcd reported missing")
    func schedulerScrapeReadsTheSchedulerRules() throws {
        let r = try Command.check([Command.fixture("scheduler/nri-kubernetes-v1.35.txt.gz"), "--color", "never"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("warning KubeSchedulerPodsUnschedulable — would fire (for: 15m"))
        #expect(r.stdout.contains("apiserver_request_total: missing from the scrape") && r.stdout.contains("database size: missing"))
    }

    @Test("a scrape with only apiserver_* library metrics and none the rules read: exit 2, saying so")
    func libraryMetricsAloneAreNotAControlPlaneScrape() throws {
        let text = "# TYPE apiserver_audit_event_total counter\napiserver_audit_event_total 3\n"
        let r = try Command.check(["-"], stdin: Data(text.utf8))
        #expect(r.status == 2)
        #expect(r.stderr.contains("does not look like a kube-apiserver or etcd /metrics scrape (none of the families the shipped rules and the report read"))
    }

    @Test("--time pins the scrape time: the same command prints the same bytes whatever the file's date")
    func pinnedClock() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-time-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("apiserver.txt.gz")
        try FileManager.default.copyItem(atPath: Command.fixture("apiserver/nri-kubernetes-v1.35.txt.gz"), toPath: copy.path)
        var outputs: [String] = []
        for mtime in [1_790_000_000.0, 1_900_000_000.0] {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: mtime)], ofItemAtPath: copy.path)
            let r = try Command.check([copy.path, "--time", "2026-07-01T00:00:00Z", "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(r.stdout)
        }
        #expect(outputs[0] == outputs[1])
        // Without --time a file's scrape time is its modification time: one day after the process start here.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_782_468_730.27 + 86_400)], ofItemAtPath: copy.path)
        let r = try Command.run("ctlmon", ["check", copy.path])
        #expect(r.stdout.contains("Window: process lifetime 1d 0h;"), "\(r.stdout)")
        // A scrape time before the process start cannot be right.
        let early = try Command.check([copy.path, "--time", "2026-06-01T00:00:00Z"])
        #expect(early.status == 2)
        #expect(early.stderr.contains("after the scrape time"))
        for bad in ["nan", "inf", "-1e300", "1e19", "9.3e15", "9e15", "yesterday"] {
            let r = try Command.check([copy.path, "--time", bad])
            #expect(r.status == 2 && r.stderr.contains("--time: cannot parse \"\(bad)\" to a valid timestamp"), "\(bad): \(r.stderr)")
        }
    }
}

/// `ctlmon check URL`: the sidecar's scraper fetches the source.
@Suite("ctlmon check over HTTP")
struct CheckURLTests {
    @Test("an http source is fetched and checked like a file; an unreachable one is bad input")
    func httpSource() throws {
        let (target, address) = try Components.fakeTarget(Fixture.path("apiserver/nri-kubernetes-v1.35.txt.gz"))
        defer { target.stop() }
        let r = try Command.check(["http://\(address)/metrics", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try Command.json(r.stdout)
        let source = try #require(json["source"] as? [String: Any])
        let instances = try #require(source["instances"] as? [[String: Any]])
        #expect(instances.first?["instance"] as? String == address)
        let port = freePort()
        let down = try Command.check(["http://127.0.0.1:\(port)/metrics"])
        #expect(down.status == 2 && down.stderr.contains("http://127.0.0.1:\(port)/metrics:"), "\(down.stderr)")
    }
}
