import AdmissionWebhooks
import LabelMatchers
import KubernetesClient
import CtlmonTestSupport
import Foundation
import Logging
import PromModel
import PromQL
import SeriesStorage
import Scraper
@testable import Sidecar
import Testing

/// The sidecar's join of webhook configurations with the metrics: `ctlmon_webhook_config_info`
/// from a Kubernetes API serving the real configurations (scripts/fake-kube-api.py).
@Suite("webhook configurations in the sidecar")
struct WebhookConfigWatcherTests {
    static let scripts = Fixture.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts")

    /// The fake API server, a watcher of it, and the folder of their token (the caller removes it).
    static func watcher(_ extra: [String], store: SeriesStore) throws -> (ManagedProcess, WebhookConfigWatcher, String) {
        let folder = try Components.temporaryFolder("watcher")
        try "token\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        let p = try ManagedProcess("python3", [scripts.appendingPathComponent("fake-kube-api.py").path,
                                               "--file", Fixture.path("webhooks/eks-cluster.json"), "--token-file", folder + "/token"] + extra)
        let port = try p.waitForLine(startingWith: "PORT ").trimmingCharacters(in: .whitespaces)
        let api = KubernetesAPI(server: "http://127.0.0.1:\(port)", tokenFile: folder + "/token", caFile: "/nonexistent")
        return (p, WebhookConfigWatcher(api: api, store: store, logger: Logger(label: "test"), clock: { 1_800_000_000_000 }), folder)
    }

    @Test("one info series per webhook, with the policy, timeout and side effects the metrics lack; a rule can join on name")
    func infoSeries() throws {
        let store = SeriesStore()
        let (process, watcher, folder) = try Self.watcher([], store: store)
        defer {
            process.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
        watcher.refresh()
        watcher.append(at: 1_800_000_000_000)
        let series = store.select([.equal("__name__", WebhookConfigWatcher.metric)])
        #expect(series.count == 18)
        let istio = try #require(series.first { $0["name"] == "namespace.sidecar-injector.istio.io" })
        #expect(istio["failure_policy"] == "Fail" && istio["timeout_seconds"] == "10" && istio["side_effects"] == "None")
        #expect(istio["kind"] == "mutating" && istio["configuration"] == "istio-sidecar-injector" && istio["catch_all"] == "false")
        #expect(series.first { $0["name"] == "mpod.vpc.k8s.aws" }?["managed_by"] == "eks")
        // The join the issue asks rules to make: failing calls graded by policy.
        _ = store.append(Labels([("__name__", "apiserver_admission_webhook_rejection_count"), ("name", "namespace.sidecar-injector.istio.io"),
                                 ("error_type", "calling_webhook_error")]), timestamp: 1_800_000_000_000, value: 42)
        let expr = try PromQLParser.parse(
            "apiserver_admission_webhook_rejection_count * on(name) group_left(failure_policy, timeout_seconds) ctlmon_webhook_config_info{kind=\"mutating\"}")
        guard case .vector(let joined) = try Evaluator(store: store).evaluate(expr, at: 1_800_000_000_000) else {
            Issue.record("not a vector")
            return
        }
        #expect(joined.count == 1 && joined.first?.labels["failure_policy"] == "Fail" && joined.first?.value == 42)
    }

    @Test("a role that may not list them: no series, no crash, the sidecar runs on")
    func forbidden() throws {
        let store = SeriesStore()
        let (process, watcher, folder) = try Self.watcher(["--deny"], store: store)
        defer {
            process.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
        watcher.refresh()
        watcher.append(at: 1_800_000_000_000)
        #expect(store.select([.equal("__name__", WebhookConfigWatcher.metric)]).isEmpty)
    }
}

@Suite("status page: webhook audit")
struct StatusPageAuditTests {
    @Test("with the configurations listed, the status page shows their audit's findings, escaped; without, it says they are not listed")
    func auditOnThePage() throws {
        let configurations = try WebhookConfigurationReader.load(path: Fixture.path("webhooks/eks-cluster.json")).webhooks
        let expected = WebhookAudit(webhooks: configurations).findings.filter { $0.id != .neverCalled }
        #expect(!expected.isEmpty)
        let store = SeriesStore()
        let page = StatusPage(store: store, alerts: [], targets: [], now: 1_800_000_000_000, range: nil, webhookConfigurations: configurations).html()
        for f in expected { #expect(page.contains(htmlEscaped(f.id.rawValue) + " <code>" + htmlEscaped(f.webhook) + "</code>"), "\(f.id) \(f.webhook)") }
        #expect(page.contains("webhook(s) in"))
        let without = StatusPage(store: store, alerts: [], targets: [], now: 1_800_000_000_000, range: nil).html()
        #expect(without.contains("Webhook configurations: not listed"))
        #expect(without.contains("id=\"verdict\">● info: no target yet") || without.contains("no target yet"))
    }
}
