import KubernetesClient
import HTTPClient
import ConfigYAML
import CtlmonTestSupport
import Foundation
import RuleEngine
import Scraper
import Sidecar
import Testing

/// The config file: prometheus.yml's keys and meanings, and every problem with its line.
@Suite("sidecar config")
struct SidecarConfigTests {
    static func load(_ text: String) throws(ConfigFileError) -> SidecarConfig {
        let path = NSTemporaryDirectory() + "ctlmon-config-\(UUID().uuidString).yml"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try SidecarConfig.load(path: path)
    }

    @Test("a full config: globals, a job with TLS, token and body size limit, Alertmanagers; targets built from it")
    func fullConfig() throws {
        let c = try Self.load("""
            global: {scrape_interval: 30s, scrape_timeout: 5s, evaluation_interval: 20s, external_labels: {cluster: prod}}
            rule_files: [rules/*.yaml]
            scrape_configs:
              - job_name: apiserver
                scheme: https
                authorization: {type: Bearer, credentials_file: /tok}
                tls_config: {ca_file: /ca.crt, server_name: kubernetes.default.svc}
                body_size_limit: 64MiB
                static_configs: [{targets: ['10.0.1.17:443'], labels: {zone: a}}]
            alerting:
              alertmanagers: [{static_configs: [{targets: ['am:9093']}], path_prefix: /am}]
            """)
        #expect(c.scrapeInterval == 30 && c.scrapeTimeout == 5 && c.evaluationInterval == 20)
        #expect(c.externalLabels == ["cluster": "prod"] && c.ruleFiles == ["rules/*.yaml"])
        #expect(c.alertmanagers.first?.urls == ["http://am:9093/am/api/v2/alerts"])
        let t = try #require(c.scrapeTargets().first)
        #expect(t.url == "https://kubernetes.default.svc:443/metrics" && t.connectTo == "10.0.1.17:443" && t.address == "10.0.1.17:443")
        #expect(t.bearerToken == .file("/tok") && t.tls.caFile == "/ca.crt" && t.bodySizeLimit == 64 << 20)
        #expect(t.labels == ["zone": "a"] && t.interval == 30 && t.timeout == 5)
        #expect(t.targetLabels.map { "\($0.0)=\($0.1)" } == ["job=apiserver", "instance=10.0.1.17:443", "zone=a"])
    }

    @Test("unknown keys, unimplemented Prometheus keys and bad values are errors with their line", arguments: [
        ("global: {scrape_intervall: 15s}", "1: unknown key \"scrape_intervall\" in global"),
        ("remote_read: []", "1: \"remote_read\" in the config is a Prometheus setting ctlmon does not implement"),
        ("remote_write:\n  - url: http://r/w\n    write_relabel_configs:\n      - action: replace\n        source_labels: [a]",
         "4: write_relabel_configs action \"replace\" is not supported: keep, drop and labeldrop are"),
        ("remote_write:\n  - url: http://r/w\n    write_relabel_configs:\n      - action: drop\n        target_label: a",
         "5: \"target_label\" in a write_relabel_config is a Prometheus setting ctlmon does not implement"),
        ("remote_write:\n  - url: http://r/w\n    write_relabel_configs:\n      - {action: keep, source_labels: [a], regex: '(' }",
         "4: regex \"(\""),
        ("remote_write:\n  - url: http://r/w\n    metadata_config: {send: false}", "3: \"metadata_config\" in a remote_write config is a Prometheus setting ctlmon does not implement"),
        ("remote_write:\n  - url: http://r/w\n    headers: {Authorization: x}", "3: header \"Authorization\" is set by remote write itself"),
        ("remote_write:\n  - url: http://r/w\n    bearer_token: t\n    basic_auth: {username: u, password: p}",
         "2: at most one of authorization, basic_auth may be set in a remote_write config"),
        ("remote_write:\n  - url: http://r/w\n  - url: http://r/w", "3: remote_write name"),
        ("remote_write:\n  - url: http://r/w\n    queue_config: {min_shards: 5, max_shards: 2}", "3: min_shards (5) is larger than max_shards (2)"),
        ("remote_write:\n  - name: x", "2: a remote_write config needs a url"),
        ("scrape_configs:\n  - job_name: a\n    relabel_configs: []", "3: \"relabel_configs\" in a scrape config is a Prometheus setting ctlmon does not implement"),
        ("scrape_configs:\n  - job_name: a\n    scheme: ftp", "3: scheme must be http or https, not \"ftp\""),
        ("scrape_configs:\n  - job_name: a\n    body_size_limit: lots", "3: body_size_limit: expected a size such as 512MiB, not \"lots\""),
        ("global: {scrape_interval: 0s}", "1: scrape_interval must be positive"),
        ("global: {scrape_interval: 10s, scrape_timeout: 20s}", "scrape_timeout (20.0s) is longer than scrape_interval (10.0s)"),
        ("scrape_configs:\n  - job_name: a\n  - job_name: a", "3: job_name \"a\" is repeated"),
        ("scrape_configs:\n  - static_configs: []", "2: a scrape config needs a job_name"),
        ("global: {external_labels: {0bad: x}}", "1: invalid label name \"0bad\" in external_labels"),
        ("scrape_configs:\n  - job_name: a\n    bearer_token_file: /t\n    authorization: {credentials: x}",
         "at most one of authorization.credentials and bearer_token_file may be set in a scrape config"),
        ("scrape_configs:\n  - job_name: a\n    authorization: {credentials_file: ''}", "3: authorization.credentials_file in a scrape config is empty"),
        ("alerting:\n  alertmanagers:\n    - scheme: ftp", "3: scheme must be http or https, not \"ftp\""),
    ])
    func problems(_ text: String, _ expected: String) {
        do {
            _ = try Self.load(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test("in a pod without a config: every API server behind default/kubernetes, and EKS's scheduler and controller-manager as optional")
    func inClusterDefaults() {
        let api = KubernetesAPI(server: "https://10.100.0.1:443", tokenFile: "/t", caFile: "/c")
        let c = SidecarConfig.inCluster(api: api)
        #expect(c.scrapeConfigs.map(\.job) == ["apiserver", "kube-scheduler", "kube-controller-manager"])
        #expect(c.scrapeConfigs[0].kubernetesEndpoints?.service == "kubernetes" && !c.scrapeConfigs[0].optional)
        #expect(c.scrapeConfigs[1].optional && c.scrapeConfigs[1].metricsPath == "/apis/metrics.eks.amazonaws.com/v1/ksh/container/metrics")
        let targets = c.scrapeTargets(discovered: ["apiserver": ["10.0.1.17:443", "10.0.2.23:443"]])
        #expect(targets.filter { $0.job == "apiserver" }.map(\.connectTo) == ["10.0.1.17:443", "10.0.2.23:443"])
        #expect(targets.allSatisfy { $0.url.hasPrefix("https://kubernetes.default.svc:443/") })
    }
}
