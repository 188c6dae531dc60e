import ConfigYAML
import Foundation
import Sidecar
import Testing

/// Every key the config loader accepts has an effect or an error: no key is silently
/// ignored. The table below must name every accepted key (a key added to the loader without
/// a case here fails the first test).
@Suite("every config key honoured or refused")
struct ConfigKeysTests {
    enum Outcome {
        /// The loaded config differs from the baseline's.
        case effect
        /// Loading fails with a message containing this.
        case error(String)
    }

    struct Case: CustomStringConvertible {
        let part: String
        let key: String
        let yaml: String
        let outcome: Outcome
        /// What `yaml` is compared with; nil: ``config(top:global:scrape:staticConfig:am:amStatic:)``'s defaults.
        var baseline: String? = nil
        var description: String { "\(part): \(key)" }
    }

    /// The baseline with one remote_write entry holding `entry` besides its url.
    static func rw(_ entry: String = "") -> String {
        config(top: "remote_write: [{url: 'http://r:9/api/v1/write'\(entry.isEmpty ? "" : ", " + entry)}]")
    }

    /// A remote_write case: compared with the entry that has only a url (`base` to compare with another).
    static func rwCase(_ part: String, _ key: String, _ entry: String, _ outcome: Outcome = .effect, base: String = "") -> Case {
        Case(part: part, key: key, yaml: rw(entry), outcome: outcome, baseline: rw(base))
    }

    /// The baseline: one job with one target, one Alertmanager.
    static func config(top: String = "", global: String = "", scrape: String = "", staticConfig: String = "", am: String = "", amStatic: String = "") -> String {
        """
        global:
          scrape_interval: 1m
        \(global.isEmpty ? "" : "  " + global)
        \(top)
        scrape_configs:
          - job_name: a
            \(scrape)
            static_configs:
              - targets: ['h:1']
                \(staticConfig)
        alerting:
          alertmanagers:
            - static_configs:
                - targets: ['am:9093']
                  \(amStatic)
              \(am)
        """
    }

    static let cases: [Case] = [
        Case(part: "the config", key: "global", yaml: config(global: "evaluation_interval: 2m"), outcome: .effect),
        Case(part: "the config", key: "rule_files", yaml: config(top: "rule_files: [r.yml]"), outcome: .effect),
        Case(part: "the config", key: "scrape_configs", yaml: config(scrape: "scrape_interval: 2m"), outcome: .effect),
        Case(part: "the config", key: "alerting", yaml: config(am: "timeout: 3s"), outcome: .effect),
        Case(part: "global", key: "scrape_interval", yaml: config().replacingOccurrences(of: "scrape_interval: 1m", with: "scrape_interval: 2m"), outcome: .effect),
        Case(part: "global", key: "scrape_timeout", yaml: config(global: "scrape_timeout: 5s"), outcome: .effect),
        Case(part: "global", key: "evaluation_interval", yaml: config(global: "evaluation_interval: 2m"), outcome: .effect),
        Case(part: "global", key: "external_labels", yaml: config(global: "external_labels: {cluster: c}"), outcome: .effect),
        Case(part: "a scrape config", key: "job_name", yaml: config().replacingOccurrences(of: "job_name: a", with: "job_name: b"), outcome: .effect),
        Case(part: "a scrape config", key: "scheme", yaml: config(scrape: "scheme: https"), outcome: .effect),
        Case(part: "a scrape config", key: "metrics_path", yaml: config(scrape: "metrics_path: /m"), outcome: .effect),
        Case(part: "a scrape config", key: "scrape_interval", yaml: config(scrape: "scrape_interval: 2m"), outcome: .effect),
        Case(part: "a scrape config", key: "scrape_timeout", yaml: config(scrape: "scrape_timeout: 5s"), outcome: .effect),
        Case(part: "a scrape config", key: "honor_labels", yaml: config(scrape: "honor_labels: true"), outcome: .effect),
        Case(part: "a scrape config", key: "authorization", yaml: config(scrape: "authorization: {credentials: t}"), outcome: .effect),
        Case(part: "a scrape config", key: "bearer_token", yaml: config(scrape: "bearer_token: t"), outcome: .effect),
        Case(part: "a scrape config", key: "bearer_token_file", yaml: config(scrape: "bearer_token_file: /t"), outcome: .effect),
        Case(part: "a scrape config", key: "tls_config", yaml: config(scrape: "tls_config: {ca_file: /ca}"), outcome: .effect),
        Case(part: "a scrape config", key: "body_size_limit", yaml: config(scrape: "body_size_limit: 1MiB"), outcome: .effect),
        Case(part: "a scrape config", key: "static_configs", yaml: config().replacingOccurrences(of: "'h:1'", with: "'h:2'"), outcome: .effect),
        Case(part: "a scrape config", key: "kubernetes_endpoints", yaml: config(scrape: "kubernetes_endpoints: {service: s}"), outcome: .effect),
        Case(part: "a static config", key: "targets", yaml: config().replacingOccurrences(of: "'h:1'", with: "'h:1', 'h:2'"), outcome: .effect),
        Case(part: "a static config", key: "labels", yaml: config(staticConfig: "labels: {zone: a}"), outcome: .effect),
        Case(part: "kubernetes_endpoints", key: "namespace", yaml: config(scrape: "kubernetes_endpoints: {service: s, namespace: n}"), outcome: .effect),
        Case(part: "kubernetes_endpoints", key: "service", yaml: config(scrape: "kubernetes_endpoints: {namespace: n}"), outcome: .error("needs a service")),
        Case(part: "kubernetes_endpoints", key: "port", yaml: config(scrape: "kubernetes_endpoints: {service: s, port: https}"), outcome: .effect),
        Case(part: "alerting", key: "alertmanagers", yaml: config().replacingOccurrences(of: "'am:9093'", with: "'am:9094'"), outcome: .effect),
        Case(part: "an alertmanager config", key: "static_configs", yaml: config().replacingOccurrences(of: "'am:9093'", with: "'am:9093', 'am2:9093'"), outcome: .effect),
        Case(part: "an alertmanager config", key: "scheme", yaml: config(am: "scheme: https"), outcome: .effect),
        Case(part: "an alertmanager config", key: "path_prefix", yaml: config(am: "path_prefix: /am"), outcome: .effect),
        Case(part: "an alertmanager config", key: "timeout", yaml: config(am: "timeout: 3s"), outcome: .effect),
        Case(part: "an alertmanager config", key: "api_version", yaml: config(am: "api_version: v1"), outcome: .error("api_version must be v2")),
        Case(part: "an alertmanager config", key: "authorization", yaml: config(am: "authorization: {credentials_file: /t}"), outcome: .effect),
        Case(part: "an alertmanager config", key: "tls_config", yaml: config(am: "tls_config: {insecure_skip_verify: true}"), outcome: .effect),
        Case(part: "an alertmanager's static config", key: "targets", yaml: config().replacingOccurrences(of: "'am:9093'", with: "'am:9095'"), outcome: .effect),
        Case(part: "authorization", key: "type", yaml: config(am: "authorization: {type: Basic, credentials: t}"), outcome: .error("only Bearer is supported")),
        Case(part: "authorization", key: "credentials", yaml: config(am: "authorization: {credentials: t}"), outcome: .effect),
        Case(part: "authorization", key: "credentials_file", yaml: config(am: "authorization: {credentials_file: /t}"), outcome: .effect),
        Case(part: "tls_config", key: "ca_file", yaml: config(am: "tls_config: {ca_file: /ca}"), outcome: .effect),
        Case(part: "tls_config", key: "cert_file", yaml: config(am: "tls_config: {cert_file: /c, key_file: /k}"), outcome: .effect),
        Case(part: "tls_config", key: "key_file", yaml: config(am: "tls_config: {cert_file: /c, key_file: /k}"), outcome: .effect),
        Case(part: "tls_config", key: "server_name", yaml: config(am: "tls_config: {server_name: am.example}"), outcome: .effect),
        Case(part: "tls_config", key: "insecure_skip_verify", yaml: config(scrape: "tls_config: {insecure_skip_verify: true}"), outcome: .effect),
        Case(part: "the config", key: "remote_write", yaml: rw(), outcome: .effect),
        Case(part: "a remote_write config", key: "url", yaml: config(top: "remote_write: [{url: 'ftp://r'}]"), outcome: .error("url must be an http:// or https:// URL")),
        rwCase("a remote_write config", "name", "name: amp"),
        rwCase("a remote_write config", "remote_timeout", "remote_timeout: 5s"),
        rwCase("a remote_write config", "headers", "headers: {X-Scope-OrgID: team-a}"),
        rwCase("a remote_write config", "authorization", "authorization: {credentials: t}"),
        rwCase("a remote_write config", "bearer_token", "bearer_token: t"),
        rwCase("a remote_write config", "bearer_token_file", "bearer_token_file: /t"),
        rwCase("a remote_write config", "basic_auth", "basic_auth: {username: u, password: p}"),
        rwCase("a remote_write config", "tls_config", "tls_config: {ca_file: /ca}"),
        rwCase("a remote_write config", "sigv4", "sigv4: {region: eu-west-1}"),
        rwCase("a remote_write config", "queue_config", "queue_config: {capacity: 10}"),
        rwCase("a remote_write config", "write_relabel_configs", "write_relabel_configs: [{action: drop, source_labels: [__name__], regex: go_.*}]"),
        rwCase("basic_auth", "username", "basic_auth: {username: v, password: p}", base: "basic_auth: {username: u, password: p}"),
        rwCase("basic_auth", "password", "basic_auth: {username: u, password: q}", base: "basic_auth: {username: u, password: p}"),
        rwCase("basic_auth", "password_file", "basic_auth: {username: u, password_file: /p}", base: "basic_auth: {username: u, password: p}"),
        rwCase("sigv4", "region", "sigv4: {region: us-east-1}", base: "sigv4: {}"),
        rwCase("sigv4", "access_key", "sigv4: {access_key: a}", .error("sigv4 needs both access_key and secret_key")),
        rwCase("sigv4", "secret_key", "sigv4: {access_key: a, secret_key: s}", base: "sigv4: {}"),
        rwCase("sigv4", "profile", "sigv4: {profile: p}", base: "sigv4: {}"),
        rwCase("sigv4", "role_arn", "sigv4: {role_arn: 'arn:aws:iam::1:role/r'}", base: "sigv4: {}"),
        rwCase("queue_config", "capacity", "queue_config: {capacity: 10}"),
        rwCase("queue_config", "min_shards", "queue_config: {min_shards: 2}"),
        rwCase("queue_config", "max_shards", "queue_config: {max_shards: 2}"),
        rwCase("queue_config", "max_samples_per_send", "queue_config: {max_samples_per_send: 2}"),
        rwCase("queue_config", "batch_send_deadline", "queue_config: {batch_send_deadline: 1s}"),
        rwCase("queue_config", "min_backoff", "queue_config: {min_backoff: 1ms}"),
        rwCase("queue_config", "max_backoff", "queue_config: {max_backoff: 1m}"),
        rwCase("queue_config", "retry_on_http_429", "queue_config: {retry_on_http_429: true}"),
        rwCase("a write_relabel_config", "source_labels", "write_relabel_configs: [{action: drop, source_labels: [job]}]",
               base: "write_relabel_configs: [{action: drop, source_labels: [__name__]}]"),
        rwCase("a write_relabel_config", "separator", "write_relabel_configs: [{action: drop, source_labels: [__name__], separator: ','}]",
               base: "write_relabel_configs: [{action: drop, source_labels: [__name__]}]"),
        rwCase("a write_relabel_config", "regex", "write_relabel_configs: [{action: drop, source_labels: [__name__], regex: a}]",
               base: "write_relabel_configs: [{action: drop, source_labels: [__name__]}]"),
        rwCase("a write_relabel_config", "action", "write_relabel_configs: [{action: keep, source_labels: [__name__]}]",
               base: "write_relabel_configs: [{action: drop, source_labels: [__name__]}]"),
    ]

    static func load(_ text: String) throws(ConfigFileError) -> SidecarConfig {
        let path = NSTemporaryDirectory() + "ctlmon-keys-\(UUID().uuidString).yml"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var c = try SidecarConfig.load(path: path)
        c.path = nil
        return c
    }

    @Test("the table names every key the loader accepts, and no other")
    func tableCoversTheLoader() {
        let accepted = Set(SidecarConfig.acceptedKeys.flatMap { part, keys in keys.map { "\(part): \($0)" } })
        let covered = Set(Self.cases.map(\.description))
        #expect(accepted.subtracting(covered).sorted() == [], "keys without a case")
        #expect(covered.subtracting(accepted).sorted() == [], "cases for keys the loader does not accept")
    }

    @Test("each accepted key changes the loaded config, or is refused with its reason", arguments: cases)
    func keyHasAnEffectOrAnError(_ c: Case) throws {
        let baseline = String(reflecting: try Self.load(c.baseline ?? Self.config()))
        switch c.outcome {
        case .effect:
            let loaded = try Self.load(c.yaml)
            #expect(String(reflecting: loaded) != baseline, "\(c) changed nothing")
        case .error(let message):
            #expect(performing: { _ = try Self.load(c.yaml) }, throws: { "\($0)".contains(message) })
        }
    }
}
