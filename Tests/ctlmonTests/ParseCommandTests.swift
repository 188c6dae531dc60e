import CtlmonTestSupport
import Foundation
import Testing

/// `ctlmon parse` as users and scripts call it: exit codes, summary, JSON keys, stdin, gzip.
@Suite("ctlmon parse")
struct ParseCommandTests {
    @Test("a real apiserver scrape (gzip file) is valid: exit 0, JSON with the contract's keys")
    func validJSON() throws {
        let r = try Command.run("ctlmon", ["parse", Command.fixture("apiserver/nri-kubernetes-v1.35.txt.gz"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try Command.json(r.stdout)
        for key in ["bytes", "lines", "families", "series", "samples", "skipped", "errors"] {
            #expect(json[key] != nil, "missing key \(key)")
        }
        #expect(json["samples"] as? Int == 22_853)
        #expect(json["series"] as? Int == 22_853)
        #expect(json["lines"] as? Int == 23_411)
        #expect(json["skipped"] as? Int == 0)
        #expect((json["errors"] as? [Any])?.isEmpty == true)
        #expect(json["gzip"] as? Bool == true)
        #expect(json["decoded_bytes"] as? Int == 3_119_202)
        let families = try #require(json["families"] as? [String: Int])
        #expect(families["histogram"] == 47 && families["total"] == 279)
    }

    @Test("the summary names bytes, lines, families by type, series, samples and skipped lines")
    func summary() throws {
        let r = try Command.run("ctlmon", ["parse", Command.fixture("etcd/nri-kubernetes-k8s-v1.35-etcd-3.6.6.txt.gz")])
        #expect(r.status == 0)
        for word in ["bytes:", "lines:", "families:", "series:", "samples:", "skipped:", "histogram", "1,461"] {
            #expect(r.stdout.contains(word), "summary lacks \(word)")
        }
    }

    @Test("stdin is the default source, and gzip on stdin is detected")
    func stdinGzip() throws {
        let gz = try Data(contentsOf: URL(fileURLWithPath: Command.fixture("etcd/nri-kubernetes-k8s-v1.16-etcd-3.3.15.txt.gz")))
        let r = try Command.run("ctlmon", ["parse", "--format", "json"], stdin: gz)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try Command.json(r.stdout)
        #expect(json["samples"] as? Int == 1_105)
        #expect(json["source"] as? String == "<stdin>")
    }

    @Test("invalid input: exit 2 and source:line:column: message on stderr")
    func invalid() throws {
        let r = try Command.run("ctlmon", ["parse", "-"], stdin: Data("a 1\nb{x=\"1\" 2\n".utf8))
        #expect(r.status == 2)
        #expect(r.stderr.contains("<stdin>:2:9: expected ',' or '}' after a label value, found '2'"))
        #expect(r.stdout.isEmpty)
    }

    @Test("lenient: every bad line reported with line and column, the rest summarised, exit 2")
    func lenient() throws {
        let r = try Command.run("ctlmon", ["parse", "--lenient", "--format", "json"], stdin: Data("a 1\nb{ 2\nc 3\nd x\n".utf8))
        #expect(r.status == 2)
        let json = try Command.json(r.stdout)
        #expect(json["samples"] as? Int == 2)
        #expect(json["skipped"] as? Int == 2)
        let errors = try #require(json["errors"] as? [[String: Any]])
        #expect(errors.map { $0["line"] as? Int } == [2, 4])
        #expect(errors.map { $0["column"] as? Int } == [4, 3])
        #expect(errors.allSatisfy { ($0["message"] as? String)?.isEmpty == false })
    }

    @Test("--openmetrics parses OpenMetrics and enforces # EOF")
    func openMetrics() throws {
        let good = try Command.run("ctlmon", ["parse", "--openmetrics", Command.fixture("conformance/openmetrics/roundtrip/metrics")])
        #expect(good.status == 0, "\(good.stderr)")
        let bad = try Command.run("ctlmon", ["parse", "--openmetrics", "-"], stdin: Data("a 1\n".utf8))
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("missing \"# EOF\""))
    }

    @Test("a missing file is a usage error, exit 2, with the path named")
    func missingFile() throws {
        let r = try Command.run("ctlmon", ["parse", "/nonexistent/metrics.txt"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/nonexistent/metrics.txt: cannot open"))
    }
}

/// `ctlmon-bench` prints the figures docs/performance.md quotes.
@Suite("ctlmon-bench")
struct BenchCommandTests {
    /// Whether this test process runs with AddressSanitizer's runtime.
    static let underAddressSanitizer = dlsym(nil, "__asan_init") != nil

    @Test("--json prints one object per file with the documented keys")
    func jsonKeys() throws {
        let r = try Command.run("ctlmon-bench", ["--json", "--iterations", "1", Command.fixture("etcd/nri-kubernetes-k8s-v1.35-etcd-3.6.6.txt.gz")])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try Command.json(r.stdout.split(separator: "\n").first.map(String.init) ?? "")
        for key in ["file", "bytes", "samples", "mb_per_s", "ns_per_sample", "allocs_per_sample",
                    "filtered_mb_per_s", "filtered_allocs_per_sample", "peak_rss_bytes"] {
            #expect(json[key] != nil, "missing key \(key)")
        }
        #expect(json["samples"] as? Int == 1_461)
        #expect(json["bytes"] as? Int == 171_098)
        // Under AddressSanitizer (scripts/test's second run) ASan owns malloc and the interposer
        // cannot count; the release run of scripts/test checks the allocation budget itself.
        if !Self.underAddressSanitizer {
            #expect((json["allocs_per_sample"] as? Double) != nil, "allocation counting did not load")
        }
    }

    @Test("--gzip also reports zlib's own inflate speed")
    func gzipMode() throws {
        let r = try Command.run("ctlmon-bench", ["--json", "--gzip", "--iterations", "1", Command.fixture("etcd/nri-kubernetes-k8s-v1.35-etcd-3.6.6.txt.gz")])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try Command.json(r.stdout.split(separator: "\n").first.map(String.init) ?? "")
        // The fixture is gzip already: its own bytes are what is inflated.
        #expect(json["compressed_bytes"] as? Int == 12_129)
        #expect(json["bytes"] as? Int == 171_098)
        // A speed cannot be pinned; a positive, finite figure can.
        let zlib = try #require(json["zlib_inflate_mb_per_s"] as? Double)
        #expect(zlib > 0 && zlib.isFinite)
    }
}

/// `ctlmon query`: PromQL over scrape files, text and Prometheus-API JSON.
@Suite("ctlmon query")
struct QueryCommandTests {
    @Test("a vector query over a fixture prints the Prometheus API data object")
    func vectorJSON() throws {
        let r = try Command.run("ctlmon", ["query", "max(apiserver_storage_size_bytes)",
                                           Command.fixture("apiserver/nri-kubernetes-v1.35.txt.gz"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try Command.json(r.stdout)
        #expect(json["resultType"] as? String == "vector")
        let result = try #require(json["result"] as? [[String: Any]])
        #expect(result.count == 1)
        let value = try #require(result[0]["value"] as? [Any])
        #expect(value.count == 2 && value[1] as? String == "2093056")
        #expect((result[0]["metric"] as? [String: String])?.isEmpty == true)
    }

    @Test("two scrapes --interval apart give rates; --time picks the evaluation time")
    func twoScrapes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-query-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "# TYPE reqs_total counter\nreqs_total{verb=\"GET\"} 100\n".write(to: dir.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try "# TYPE reqs_total counter\nreqs_total{verb=\"GET\"} 130\n".write(to: dir.appendingPathComponent("b.txt"), atomically: true, encoding: .utf8)
        let r = try Command.run("ctlmon", ["query", "increase(reqs_total[30s])", dir.appendingPathComponent("a.txt").path,
                                           dir.appendingPathComponent("b.txt").path, "--interval", "30s"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "{verb=\"GET\"} 30")
        let t = try Command.run("ctlmon", ["query", "time()", dir.appendingPathComponent("a.txt").path, "--time", "1700000000"])
        #expect(t.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1700000000")
    }

    @Test("a bad expression is exit 2 with line:column")
    func badExpression() throws {
        let r = try Command.run("ctlmon", ["query", "sum(rate(x[5m])", Command.fixture("etcd/nri-kubernetes-k8s-v1.35-etcd-3.6.6.txt.gz")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("1:16: unexpected end of input, expected \")\""))
    }
}

/// `ctlmon rules test` as promtool's: exit codes and output.
@Suite("ctlmon rules test")
struct RulesTestCommandTests {
    @Test("passing files print SUCCESS and exit 0; a failing one exits 1 with exp and got")
    func exitCodes() throws {
        let ok = try Command.run("ctlmon", ["rules", "test", Command.fixture("../PromQLTests/promtool/rate.yml")])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("SUCCESS"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-fail-\(UUID().uuidString).yml")
        try "tests:\n- interval: 1m\n  input_series:\n  - series: up\n    values: '1'\n  promql_expr_test:\n  - expr: up\n    exp_samples:\n    - labels: up\n      value: 2\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let bad = try Command.run("ctlmon", ["rules", "test", file.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("exp: {__name__=\"up\"} 2E+00"))
        #expect(bad.stderr.contains("got: {__name__=\"up\"} 1E+00"))
    }

    @Test("rule_files as promtool expands them: a bare `*.yaml` beside the test file, run from its folder, loads the rules (no false SUCCESS); a pattern that matches nothing is a warning")
    func ruleFileGlobs() throws {
        let folder = NSTemporaryDirectory() + "ctlmon-globs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "groups:\n- name: g\n  rules:\n  - alert: Always\n    expr: vector(1)\n".write(toFile: folder + "/always.yaml", atomically: true, encoding: .utf8)
        // Expects no alert: it must fail once the rule file is loaded, as it does in promtool.
        try "rule_files: ['*.yaml']\ntests:\n- interval: 1m\n  alert_rule_test:\n  - eval_time: 1m\n    alertname: Always\n    exp_alerts: []\n"
            .write(toFile: folder + "/t.yml", atomically: true, encoding: .utf8)
        let ours = try Command.run("ctlmon", ["rules", "test", "t.yml"], directory: folder)
        #expect(ours.status == 1, "\(ours.stdout)\(ours.stderr)")
        #expect(ours.stderr.contains("alertname: Always"), "\(ours.stderr)")
        if let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: promtool)
            p.arguments = ["test", "rules", "t.yml"]
            p.currentDirectoryURL = URL(fileURLWithPath: folder)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 1, "promtool agrees the test fails")
        }
        try "rule_files: ['none*.yaml']\ntests:\n- interval: 1m\n  promql_expr_test:\n  - expr: vector(1)\n    exp_samples:\n    - labels: '{}'\n      value: 1\n"
            .write(toFile: folder + "/w.yml", atomically: true, encoding: .utf8)
        let warned = try Command.run("ctlmon", ["rules", "test", "w.yml"], directory: folder)
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect((warned.stdout + warned.stderr).contains("WARNING: no file match pattern none*.yaml"))
    }
}
