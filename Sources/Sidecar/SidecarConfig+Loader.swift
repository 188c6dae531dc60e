import ConfigYAML
import Foundation
import HTTPClient
import PromModel
import Scraper
import Yams

extension SidecarConfig {
    /// The keys the loader accepts, by part of the file (`global`, `a scrape config`, …).
    package static var acceptedKeys: [String: [String]] { ConfigLoader.accepted }

    /// Reads and checks a config file: unknown keys, and keys of `prometheus.yml` that
    /// ctlmon does not implement, are errors with their line, never silently ignored.
    package static func load(path: String) throws(ConfigFileError) -> SidecarConfig {
        let text = try StrictYAML.read(path: path)
        let root = try StrictYAML.compose(text, path: path)
        var loader = ConfigLoader(yaml: StrictYAML(path: path))
        var config = root.map { loader.config($0) } ?? SidecarConfig()
        if !loader.yaml.problems.isEmpty { throw ConfigFileError(path, loader.yaml.problems) }
        config.path = path
        return config
    }
}

/// Walks a config file's YAML, building the config and collecting problems with their lines.
private struct ConfigLoader {
    var yaml: StrictYAML

    /// Keys of `prometheus.yml` ctlmon knows of but does not implement: said so.
    static let unsupported: Set<String> = [
        "remote_write", "remote_read", "storage", "tracing", "relabel_configs", "metric_relabel_configs",
        "kubernetes_sd_configs", "file_sd_configs", "consul_sd_configs", "dns_sd_configs", "ec2_sd_configs",
        "basic_auth", "oauth2", "proxy_url", "params", "sample_limit", "label_limit", "target_limit",
        "alert_relabel_configs", "follow_redirects", "enable_http2",
    ]

    /// The keys each part of the file may hold, by the part's name in messages: every one of
    /// them has an effect or an error (a test walks them all).
    static let accepted: [String: [String]] = [
        "the config": ["global", "rule_files", "scrape_configs", "alerting"],
        "global": ["scrape_interval", "scrape_timeout", "evaluation_interval", "external_labels"],
        "a scrape config": [
            "job_name", "scheme", "metrics_path", "scrape_interval", "scrape_timeout", "honor_labels", "authorization",
            "bearer_token", "bearer_token_file", "tls_config", "body_size_limit", "static_configs", "kubernetes_endpoints",
        ],
        "a static config": ["targets", "labels"],
        "kubernetes_endpoints": ["namespace", "service", "port"],
        "alerting": ["alertmanagers"],
        "an alertmanager config": ["static_configs", "scheme", "path_prefix", "timeout", "api_version", "authorization", "tls_config"],
        "an alertmanager's static config": ["targets"],
        "authorization": ["type", "credentials", "credentials_file"],
        "tls_config": ["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"],
    ]

    mutating func keys(_ node: Node, in what: String) -> [String: Node]? {
        yaml.mapping(node, allowed: Self.accepted[what] ?? [], unsupported: Self.unsupported, in: what)
    }

    mutating func config(_ root: Node) -> SidecarConfig {
        var config = SidecarConfig()
        guard let m = keys(root, in: "the config") else { return config }
        if let g = m["global"], let gm = keys(g, in: "global") {
            if let v = seconds(gm["scrape_interval"], "scrape_interval") { config.scrapeInterval = v }
            if let v = seconds(gm["scrape_timeout"], "scrape_timeout") { config.scrapeTimeout = v }
            if let v = seconds(gm["evaluation_interval"], "evaluation_interval") { config.evaluationInterval = v }
            for (k, v, node) in yaml.stringMap(gm["external_labels"], "external_labels") {
                if NameValidation.isLabelName(k) { config.externalLabels[k] = v } else { yaml.problem(node, "invalid label name \"\(k)\" in external_labels") }
            }
            if config.scrapeTimeout > config.scrapeInterval {
                yaml.problem(gm["scrape_timeout"], "scrape_timeout (\(config.scrapeTimeout)s) is longer than scrape_interval (\(config.scrapeInterval)s)")
            }
        }
        config.ruleFiles = yaml.strings(m["rule_files"], "rule_files")
        var jobs = Set<String>()
        for item in yaml.sequence(m["scrape_configs"], "scrape_configs") {
            guard let c = scrapeConfig(item) else { continue }
            if !jobs.insert(c.job).inserted { yaml.problem(item, "job_name \"\(c.job)\" is repeated") }
            config.scrapeConfigs.append(c)
        }
        if let a = m["alerting"], let am = keys(a, in: "alerting") {
            for item in yaml.sequence(am["alertmanagers"], "alertmanagers") {
                if let c = alertmanager(item) { config.alertmanagers.append(c) }
            }
        }
        return config
    }

    mutating func scrapeConfig(_ node: Node) -> SidecarConfig.ScrapeConfig? {
        guard let m = keys(node, in: "a scrape config") else { return nil }
        guard let job = yaml.string(m["job_name"], "job_name"), !job.isEmpty else {
            yaml.problem(node, "a scrape config needs a job_name")
            return nil
        }
        var c = SidecarConfig.ScrapeConfig(job: job)
        if let s = yaml.string(m["scheme"], "scheme") {
            if s == "http" || s == "https" { c.scheme = s } else { yaml.problem(m["scheme"], "scheme must be http or https, not \"\(s)\"") }
        }
        if let p = yaml.string(m["metrics_path"], "metrics_path") { c.metricsPath = p }
        c.interval = seconds(m["scrape_interval"], "scrape_interval")
        c.timeout = seconds(m["scrape_timeout"], "scrape_timeout")
        if let h = yaml.string(m["honor_labels"], "honor_labels") { c.honorLabels = bool(h, m["honor_labels"], "honor_labels") }
        c.bearerToken = credentials(m, in: "a scrape config", legacy: true)
        if let t = m["tls_config"] { (c.tls, c.serverName) = tls(t) }
        if let b = m["body_size_limit"], let s = yaml.string(b, "body_size_limit") {
            if let n = Self.bytes(s) { c.bodySizeLimit = n == 0 ? Int.max : n } else { yaml.problem(b, "body_size_limit: expected a size such as 512MiB, not \"\(s)\"") }
        }
        for item in yaml.sequence(m["static_configs"], "static_configs") {
            guard let sm = keys(item, in: "a static config") else { continue }
            let targets = yaml.strings(sm["targets"], "targets")
            var labels: [String: String] = [:]
            for (k, v, n) in yaml.stringMap(sm["labels"], "labels") {
                if NameValidation.isLabelName(k) { labels[k] = v } else { yaml.problem(n, "invalid label name \"\(k)\"") }
            }
            c.staticConfigs.append((targets, labels))
        }
        if let e = m["kubernetes_endpoints"], let em = keys(e, in: "kubernetes_endpoints") {
            guard let service = yaml.string(em["service"], "service") else {
                yaml.problem(e, "kubernetes_endpoints needs a service")
                return c
            }
            c.kubernetesEndpoints = (yaml.string(em["namespace"], "namespace") ?? "default", service, yaml.string(em["port"], "port"))
        }
        return c
    }

    mutating func alertmanager(_ node: Node) -> SidecarConfig.AlertmanagerConfig? {
        guard let m = keys(node, in: "an alertmanager config") else { return nil }
        var c = SidecarConfig.AlertmanagerConfig()
        if let s = yaml.string(m["scheme"], "scheme") {
            if s == "http" || s == "https" { c.scheme = s } else { yaml.problem(m["scheme"], "scheme must be http or https, not \"\(s)\"") }
        }
        if let p = yaml.string(m["path_prefix"], "path_prefix") { c.pathPrefix = p }
        if let t = seconds(m["timeout"], "timeout") { c.timeout = t }
        if let v = yaml.string(m["api_version"], "api_version"), v != "v2" { yaml.problem(m["api_version"], "api_version must be v2") }
        c.bearerToken = credentials(m, in: "an alertmanager config", legacy: false)
        if let t = m["tls_config"] { (c.tls, c.serverName) = tls(t) }
        for item in yaml.sequence(m["static_configs"], "static_configs") {
            guard let sm = keys(item, in: "an alertmanager's static config") else { continue }
            c.targets += yaml.strings(sm["targets"], "targets")
        }
        return c
    }

    /// The bearer token of a scrape or Alertmanager config: `authorization` (type Bearer, the
    /// default; `credentials` or `credentials_file`), or for scrape configs the older
    /// `bearer_token`/`bearer_token_file`. At most one of them, as Prometheus requires.
    mutating func credentials(_ m: [String: Node], in what: String, legacy: Bool) -> BearerToken? {
        var found: [(key: String, node: Node?, token: BearerToken)] = []
        if let a = m["authorization"], let am = keys(a, in: "authorization") {
            if let t = yaml.string(am["type"], "type"), t != "Bearer" {
                yaml.problem(am["type"], "authorization type \"\(t)\": only Bearer is supported")
            }
            if let t = yaml.string(am["credentials"], "credentials") { found.append(("authorization.credentials", am["credentials"], .inline(t))) }
            if let f = yaml.string(am["credentials_file"], "credentials_file") { found.append(("authorization.credentials_file", am["credentials_file"], .file(f))) }
        }
        if legacy {
            if let t = yaml.string(m["bearer_token"], "bearer_token") { found.append(("bearer_token", m["bearer_token"], .inline(t))) }
            if let f = yaml.string(m["bearer_token_file"], "bearer_token_file") { found.append(("bearer_token_file", m["bearer_token_file"], .file(f))) }
        }
        for f in found {
            switch f.token {
            case .inline(let t) where t.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                .file(let t) where t.isEmpty:
                yaml.problem(f.node, "\(f.key) in \(what) is empty")
            default: break
            }
        }
        if found.count > 1 {
            yaml.problem(found[1].node, "at most one of \(found.map(\.key).joined(separator: " and ")) may be set in \(what)")
        }
        return found.first?.token
    }

    mutating func tls(_ node: Node) -> (TLSOptions, String?) {
        var t = TLSOptions()
        guard let m = keys(node, in: "tls_config") else { return (t, nil) }
        t.caFile = yaml.string(m["ca_file"], "ca_file")
        t.certFile = yaml.string(m["cert_file"], "cert_file")
        t.keyFile = yaml.string(m["key_file"], "key_file")
        if let s = yaml.string(m["insecure_skip_verify"], "insecure_skip_verify") { t.insecureSkipVerify = bool(s, m["insecure_skip_verify"], "insecure_skip_verify") }
        return (t, yaml.string(m["server_name"], "server_name"))
    }

    mutating func seconds(_ node: Node?, _ what: String) -> Double? {
        guard let ms = yaml.duration(node, what) else { return nil }
        if ms <= 0 {
            yaml.problem(node, "\(what) must be positive")
            return nil
        }
        return Double(ms) / 1000
    }

    mutating func bool(_ s: String, _ node: Node?, _ what: String) -> Bool {
        switch s {
        case "true": return true
        case "false": return false
        default:
            yaml.problem(node, "\(what) must be true or false, not \"\(s)\"")
            return false
        }
    }

    /// Prometheus's `Base2Bytes`: `512MiB`, `1GB` (KB, MB… are powers of 1024 too), `0` for no limit.
    static func bytes(_ s: String) -> Int? {
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40), ("KB", 1 << 10), ("MB", 1 << 20),
            ("GB", 1 << 30), ("TB", 1 << 40), ("B", 1),
        ]
        if s == "0" { return 0 }
        for (u, f) in units where s.hasSuffix(u) {
            guard let n = Int(s.dropLast(u.count)), n >= 0, n <= Int.max / f else { return nil }
            return n * f
        }
        return nil
    }
}
