import ConfigYAML
import FoundationEssentials
import HTTPClient
import LabelMatchers
import PromModel
import RemoteWrite
import Scraper

extension SidecarConfig {
    /// The keys the loader accepts, by part of the file (`global`, `a scrape config`, …).
    package static var acceptedKeys: [String: [String]] { ConfigLoader.accepted }

    /// A size as Prometheus writes one (`512MiB`, `1GB`: powers of 1024; `0`); nil when not one.
    package static func bytes(_ s: String) -> Int? { ConfigLoader.bytes(s) }

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
        "remote_read", "storage", "tracing", "relabel_configs", "metric_relabel_configs",
        "kubernetes_sd_configs", "file_sd_configs", "consul_sd_configs", "dns_sd_configs", "ec2_sd_configs",
        "basic_auth", "oauth2", "proxy_url", "params", "sample_limit", "label_limit", "target_limit",
        "alert_relabel_configs", "follow_redirects", "enable_http2", "metadata_config", "send_exemplars",
        "send_native_histograms", "azuread", "no_proxy", "proxy_from_environment", "proxy_connect_header",
        "sample_age_limit", "target_label", "replacement", "modulus",
    ]

    /// The keys each part of the file may hold, by the part's name in messages: every one of
    /// them has an effect or an error (a test walks them all).
    static let accepted: [String: [String]] = [
        "the config": ["global", "rule_files", "scrape_configs", "alerting", "remote_write"],
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
        "a remote_write config": [
            "url", "name", "remote_timeout", "headers", "authorization", "bearer_token", "bearer_token_file", "basic_auth",
            "tls_config", "sigv4", "queue_config", "write_relabel_configs",
        ],
        "basic_auth": ["username", "password", "password_file"],
        "sigv4": ["region", "access_key", "secret_key", "profile", "role_arn"],
        "queue_config": [
            "capacity", "min_shards", "max_shards", "max_samples_per_send", "batch_send_deadline", "min_backoff", "max_backoff",
            "retry_on_http_429",
        ],
        "a write_relabel_config": ["source_labels", "separator", "regex", "action"],
    ]

    mutating func keys(_ node: YAMLNode, in what: String) -> [String: YAMLNode]? {
        yaml.mapping(node, allowed: Self.accepted[what] ?? [], unsupported: Self.unsupported, in: what)
    }

    mutating func config(_ root: YAMLNode) -> SidecarConfig {
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
        var names = Set<String>()
        for item in yaml.sequence(m["remote_write"], "remote_write") {
            guard let c = remoteWrite(item) else { continue }
            if !names.insert(c.name).inserted { yaml.problem(item, "remote_write name \"\(c.name)\" is repeated (two entries with the same url need names of their own)") }
            config.remoteWrite.append(c)
        }
        return config
    }

    /// Headers remote write sets itself, or that would break the exchange: refused in
    /// `headers`, as Prometheus refuses them.
    static let reservedHeaders: Set<String> = [
        "authorization", "host", "content-encoding", "content-length", "content-type", "user-agent", "connection", "keep-alive",
        "proxy-authenticate", "proxy-authorization", "www-authenticate", "transfer-encoding", "x-prometheus-remote-write-version",
    ]

    mutating func remoteWrite(_ node: YAMLNode) -> RemoteWriteConfig? {
        guard let m = keys(node, in: "a remote_write config") else { return nil }
        guard let url = yaml.string(m["url"], "url") else {
            yaml.problem(node, "a remote_write config needs a url")
            return nil
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), HTTPTransfer.hostAndPort(url) != nil else {
            yaml.problem(m["url"], "url must be an http:// or https:// URL with a host, not \"\(url)\"")
            return nil
        }
        var c = RemoteWriteConfig(url: url)
        if let n = yaml.string(m["name"], "name") {
            if n.isEmpty || n.contains("/") || n.hasPrefix(".") { yaml.problem(m["name"], "name \"\(n)\" cannot name a folder (no \"/\", no leading \".\")") } else { c.name = n }
        }
        if let t = seconds(m["remote_timeout"], "remote_timeout") { c.remoteTimeout = t }
        for (k, v, n) in yaml.stringMap(m["headers"], "headers") {
            if Self.reservedHeaders.contains(k.lowercased()) {
                yaml.problem(n, "header \"\(k)\" is set by remote write itself and cannot be given in headers")
            } else if k.isEmpty || k.contains(where: { $0 == ":" || $0 == " " || $0 == "\n" || $0 == "\r" }) || v.contains(where: { $0 == "\n" || $0 == "\r" }) {
                yaml.problem(n, "header \"\(k)\" is not a valid header name and value")
            } else {
                c.headers.append((k, v))
            }
        }
        var authentications: [String] = []
        c.bearerToken = credentials(m, in: "a remote_write config", legacy: true)
        if c.bearerToken != nil { authentications.append("authorization") }
        if let b = m["basic_auth"], let bm = keys(b, in: "basic_auth") {
            authentications.append("basic_auth")
            let user = yaml.string(bm["username"], "username") ?? ""
            let password = yaml.string(bm["password"], "password")
            let file = yaml.string(bm["password_file"], "password_file")
            if user.isEmpty { yaml.problem(b, "basic_auth needs a username") }
            if password != nil && file != nil { yaml.problem(bm["password_file"], "at most one of basic_auth.password and basic_auth.password_file may be set") }
            if let source = file.map(BearerToken.file) ?? password.map(BearerToken.inline) {
                c.basicAuth = .init(username: user, password: source)
            } else {
                yaml.problem(b, "basic_auth needs a password or a password_file")
            }
        }
        if let sv = m["sigv4"] {
            authentications.append("sigv4")
            var v = SigV4Config()
            if let sm = keys(sv, in: "sigv4") {
                v.region = yaml.string(sm["region"], "region")
                v.accessKey = yaml.string(sm["access_key"], "access_key")
                v.secretKey = yaml.string(sm["secret_key"], "secret_key")
                v.profile = yaml.string(sm["profile"], "profile")
                v.roleARN = yaml.string(sm["role_arn"], "role_arn")
                if (v.accessKey == nil) != (v.secretKey == nil) { yaml.problem(sv, "sigv4 needs both access_key and secret_key, or neither") }
            }
            c.sigv4 = v
        }
        if authentications.count > 1 {
            yaml.problem(node, "at most one of \(authentications.joined(separator: ", ")) may be set in a remote_write config")
        }
        if let t = m["tls_config"] { (c.tls, c.serverName) = tls(t) }
        if let q = m["queue_config"], let qm = keys(q, in: "queue_config") {
            func count(_ key: String, _ minimum: Int) -> Int? {
                guard let s = yaml.string(qm[key], key) else { return nil }
                guard let n = Int(s), n >= minimum, n <= 1_000_000 else {
                    yaml.problem(qm[key], "\(key) must be a whole number from \(minimum) to 1000000, not \"\(s)\"")
                    return nil
                }
                return n
            }
            if let n = count("capacity", 1) { c.queue.capacity = n }
            if let n = count("min_shards", 1) { c.queue.minShards = n }
            if let n = count("max_shards", 1) { c.queue.maxShards = min(n, 1000) }
            if let n = count("max_samples_per_send", 1) { c.queue.maxSamplesPerSend = n }
            if let t = seconds(qm["batch_send_deadline"], "batch_send_deadline") { c.queue.batchSendDeadline = t }
            if let t = seconds(qm["min_backoff"], "min_backoff") { c.queue.minBackoff = t }
            if let t = seconds(qm["max_backoff"], "max_backoff") { c.queue.maxBackoff = t }
            if let s = yaml.string(qm["retry_on_http_429"], "retry_on_http_429") { c.queue.retryOnHTTP429 = bool(s, qm["retry_on_http_429"], "retry_on_http_429") }
            if c.queue.minShards > c.queue.maxShards { yaml.problem(q, "min_shards (\(c.queue.minShards)) is larger than max_shards (\(c.queue.maxShards))") }
            if c.queue.minBackoff > c.queue.maxBackoff { yaml.problem(q, "min_backoff is longer than max_backoff") }
        }
        for item in yaml.sequence(m["write_relabel_configs"], "write_relabel_configs") {
            guard let rm = keys(item, in: "a write_relabel_config") else { continue }
            let actionText = yaml.string(rm["action"], "action") ?? "replace"
            guard let action = WriteRelabel.Action(rawValue: actionText.lowercased()) else {
                yaml.problem(rm["action"] ?? item, "write_relabel_configs action \"\(actionText)\" is not supported: keep, drop and labeldrop are")
                continue
            }
            let sources = yaml.strings(rm["source_labels"], "source_labels")
            for (k, s) in sources.enumerated() where !NameValidation.isLabelName(s) {
                yaml.problem(rm["source_labels"], "source_labels[\(k)] \"\(s)\" is not a valid label name")
            }
            if action == .labeldrop, rm["source_labels"] != nil || rm["separator"] != nil {
                yaml.problem(item, "labeldrop takes only a regex (no source_labels or separator)")
            }
            if action != .labeldrop, sources.isEmpty {
                yaml.problem(item, "\(action.rawValue) needs source_labels")
            }
            let pattern = yaml.string(rm["regex"], "regex") ?? "(.*)"
            do {
                let regex = try RE2Pattern(pattern)
                c.writeRelabel.append(WriteRelabel(action: action, sourceLabels: sources, separator: yaml.string(rm["separator"], "separator") ?? ";", regex: regex))
            } catch {
                yaml.problem(rm["regex"], "regex \"\(pattern)\": \(error)")
            }
        }
        return c
    }

    mutating func scrapeConfig(_ node: YAMLNode) -> SidecarConfig.ScrapeConfig? {
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

    mutating func alertmanager(_ node: YAMLNode) -> SidecarConfig.AlertmanagerConfig? {
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
    mutating func credentials(_ m: [String: YAMLNode], in what: String, legacy: Bool) -> BearerToken? {
        var found: [(key: String, node: YAMLNode?, token: BearerToken)] = []
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
            case .inline(let t) where t.trimmingWhitespace().isEmpty,
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

    mutating func tls(_ node: YAMLNode) -> (TLSOptions, String?) {
        var t = TLSOptions()
        guard let m = keys(node, in: "tls_config") else { return (t, nil) }
        t.caFile = yaml.string(m["ca_file"], "ca_file")
        t.certFile = yaml.string(m["cert_file"], "cert_file")
        t.keyFile = yaml.string(m["key_file"], "key_file")
        if let s = yaml.string(m["insecure_skip_verify"], "insecure_skip_verify") { t.insecureSkipVerify = bool(s, m["insecure_skip_verify"], "insecure_skip_verify") }
        return (t, yaml.string(m["server_name"], "server_name"))
    }

    mutating func seconds(_ node: YAMLNode?, _ what: String) -> Double? {
        guard let ms = yaml.duration(node, what) else { return nil }
        if ms <= 0 {
            yaml.problem(node, "\(what) must be positive")
            return nil
        }
        return Double(ms) / 1000
    }

    mutating func bool(_ s: String, _ node: YAMLNode?, _ what: String) -> Bool {
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
