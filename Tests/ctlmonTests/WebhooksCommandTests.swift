import CtlmonTestSupport
import Foundation
import Testing

/// `ctlmon webhooks` and `ctlmon check --webhook-config` end to end, on real configurations
/// and the synthetic webhook scrape whose webhook names match them.
@Suite("ctlmon webhooks")
struct WebhooksCommandTests {
    static let configs = Command.fixture("webhooks/eks-cluster.json")
    static let scrape = Command.fixture("synthetic/apiserver-1.35-with-webhooks.txt.gz")

    static func findings(_ json: [String: Any]) throws -> [String: String] {
        let list = try #require(json["findings"] as? [[String: Any]])
        var out: [String: String] = [:]
        for f in list {
            for key in ["id", "severity", "webhook", "configuration", "message", "fix"] { #expect(f[key] is String, "\(key) in \(f)") }
            out["\(f["id"]!) \(f["webhook"]!) \(f["kind"] as? String ?? "")"] = f["severity"] as? String
        }
        return out
    }

    @Test("the join grades the synthetic scrape's failing webhooks by their policy; JSON has the contract's keys")
    func joined() throws {
        let r = try Command.run("ctlmon", ["webhooks", Self.configs, "--metrics", Self.scrape, "--time", Command.checkTime, "--format", "json"])
        #expect(r.status == 1, "\(r.stderr)")
        let json = try Command.json(r.stdout)
        let found = try Self.findings(json)
        #expect(found["failing-blocks-writes namespace.sidecar-injector.istio.io mutating"] == "critical")
        #expect(found["slow-vs-timeout namespace.sidecar-injector.istio.io mutating"] == "critical")
        #expect(found["fail-open-used validation.gatekeeper.sh validating"] == "warning")
        #expect(found["metrics-without-config validate.nginx.ingress.kubernetes.io "] == "info")
        #expect(found["never-called webhook.cert-manager.io validating"] == "info")
        // Kyverno's p99 (2.5 s) is under half of its 10 s timeout: no latency finding.
        #expect(found["slow-vs-timeout validate.kyverno.svc-fail validating"] == nil)
        let hooks = try #require(json["webhooks"] as? [[String: Any]])
        #expect(hooks.count == 18)
        let istio = try #require(hooks.first { $0["name"] as? String == "namespace.sidecar-injector.istio.io" })
        #expect(istio["configuration"] as? String == "istio-sidecar-injector" && istio["kind"] as? String == "mutating")
        #expect(istio["failure_policy"] as? String == "Fail" && istio["timeout_seconds"] as? Int == 10 && istio["side_effects"] as? String == "None")
        #expect(istio["managed_by"] is NSNull && istio["calls"] as? Double == 1000 && istio["failures"] as? Double == 42)
        #expect(abs((istio["p99_seconds"] as? Double ?? 0) - 9.875) < 0.01)
        let vpc = try #require(hooks.first { $0["name"] as? String == "mpod.vpc.k8s.aws" })
        #expect(vpc["managed_by"] as? String == "eks")
    }

    @Test("--metrics takes one value per flag: the configurations may follow it, and the flag repeats")
    func metricsFlagTakesOneValue() throws {
        // Before, `--metrics SCRAPE CONFIGS` took CONFIGS for a second scrape and read stdin.
        let after = try Command.run("ctlmon", ["webhooks", "--metrics", Self.scrape, Self.configs, "--time", Command.checkTime, "--format", "json"])
        #expect(after.status == 1, "\(after.stderr)")
        let found = try Self.findings(try Command.json(after.stdout))
        #expect(found["failing-blocks-writes namespace.sidecar-injector.istio.io mutating"] == "critical")
        // Two API servers' scrapes, one flag each: both read (the same scrape twice doubles the calls).
        let twice = try Command.run(
            "ctlmon", ["webhooks", Self.configs, "--metrics", Self.scrape, "--metrics", Self.scrape, "--time", Command.checkTime, "--format", "json"])
        #expect(twice.status == 1, "\(twice.stderr)")
        let hooks = try #require(try Command.json(twice.stdout)["webhooks"] as? [[String: Any]])
        let istio = try #require(hooks.first { $0["name"] as? String == "namespace.sidecar-injector.istio.io" })
        #expect(istio["calls"] as? Double == 2000)
    }

    @Test("without metrics: configuration findings only, metric fields null; --fail-on critical passes warnings")
    func configurationOnly() throws {
        let r = try Command.run("ctlmon", ["webhooks", Self.configs, "--format", "json"])
        #expect(r.status == 1)
        let json = try Command.json(r.stdout)
        let found = try Self.findings(json)
        #expect(!found.keys.contains { $0.hasPrefix("never-called") || $0.hasPrefix("slow-vs-timeout") })
        #expect(found["fail-closed-broad validate.kyverno.svc-fail validating"] == "warning")
        let hooks = try #require(json["webhooks"] as? [[String: Any]])
        #expect(hooks.allSatisfy { $0["p99_seconds"] is NSNull && $0["calls"] is NSNull })
        #expect(try Command.run("ctlmon", ["webhooks", Self.configs, "--fail-on", "critical"]).status == 0)
    }

    @Test("YAML on standard input; a well-configured webhook: no finding, exit 0")
    func yamlStdin() throws {
        let yaml = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: good}
            webhooks:
            - name: good.example.com
              clientConfig: {service: {namespace: good-system, name: good}}
              rules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
              namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, good-system]}]}
              failurePolicy: Fail
              timeoutSeconds: 5
              sideEffects: None
            """
        let r = try Command.run("ctlmon", ["webhooks", "--color", "never"], stdin: Data(yaml.utf8))
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("good.example.com") && r.stdout.contains("Findings\n  none"))
        // cert-manager's validating and mutating configurations share a name: still two configurations.
        let all = try Command.run("ctlmon", ["webhooks", Self.configs, "--color", "never"])
        #expect(all.stdout.contains("18 webhook(s) in 11 configuration(s)"), "\(all.stdout.prefix(200))")
    }

    @Test("bad input: exit 2 with source, line and column")
    func badInput() throws {
        let r = try Command.run("ctlmon", ["webhooks", "-"], stdin: Data("apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\nmetadata: {name: x}\nwebhooks:\n- name: a\n  sideEffects: None\n  timeoutSeconds: 99\n".utf8))
        #expect(r.status == 2)
        #expect(r.stderr.contains("<stdin>:7:19: timeoutSeconds must be a whole number of seconds from 1 to 30"), "\(r.stderr)")
        #expect(try Command.run("ctlmon", ["webhooks", "/nonexistent.json"]).status == 2)
    }

    @Test("check --webhook-config: policy and timeout beside each p99, findings in the report and under webhooks_audit")
    func check() throws {
        let text = try Command.check([Self.scrape, "--webhook-config", Self.configs, "--color", "never"])
        #expect(text.status == 1)
        let line = try #require(text.stdout.split(separator: "\n").first { $0.contains("namespace.sidecar-injector.istio.io") && $0.contains("p99") })
        #expect(line.contains("Fail") && line.contains("timeout 10s") && line.contains("p99 9.8"))
        #expect(text.stdout.contains("not configured") && text.stdout.contains("critical failing-blocks-writes"))
        let r = try Command.check([Self.scrape, "--webhook-config", Self.configs, "--format", "json"])
        let json = try Command.json(r.stdout)
        let audit = try #require(json["webhooks_audit"] as? [String: Any])
        let viaCheck = try Self.findings(audit)
        let direct = try Self.findings(Command.json(
            try Command.run("ctlmon", ["webhooks", Self.configs, "--metrics", Self.scrape, "--time", Command.checkTime, "--format", "json"]).stdout))
        #expect(viaCheck == direct)
        // The shipped rules grade the failing webhook by its policy: Fail (as configured) is critical...
        let alerts = try #require(json["alerts"] as? [[String: Any]])
        let failing = alerts.filter { $0["name"] as? String == "KubeAdmissionWebhookFailing" }
        #expect(failing.map { $0["severity"] as? String } == ["critical"])
        // ...and the same failures of a webhook configured Ignore are a warning.
        var list = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.configs))) as? [String: Any])
        var items = try #require(list["items"] as? [[String: Any]])
        for i in items.indices {
            guard var hooks = items[i]["webhooks"] as? [[String: Any]] else { continue }
            for j in hooks.indices where hooks[j]["name"] as? String == "namespace.sidecar-injector.istio.io" { hooks[j]["failurePolicy"] = "Ignore" }
            items[i]["webhooks"] = hooks
        }
        list["items"] = items
        let lenient = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-lenient-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: list).write(to: lenient)
        defer { try? FileManager.default.removeItem(at: lenient) }
        let graded = try Command.json(try Command.check([Self.scrape, "--webhook-config", lenient.path, "--format", "json"]).stdout)
        let gradedAlerts = try #require(graded["alerts"] as? [[String: Any]])
        #expect(gradedAlerts.filter { $0["name"] as? String == "KubeAdmissionWebhookFailing" }.map { $0["severity"] as? String } == ["warning"])
        // Without the option the report has no audit.
        #expect(try Command.json(try Command.check([Self.scrape, "--format", "json"]).stdout)["webhooks_audit"] == nil)
    }
}
