import FoundationEssentials
import HTTPClient
import KubernetesClient
import RemoteWrite
import Scraper

/// The sidecar's configuration: a subset of `prometheus.yml` with the same keys and
/// meanings (docs/sidecar.md). Durations are seconds here.
package struct SidecarConfig: Sendable {
    /// `global.scrape_interval` (seconds), for scrape configs without their own.
    package var scrapeInterval: Double = 15
    /// `global.scrape_timeout` (seconds); a target's timeout never exceeds its interval.
    package var scrapeTimeout: Double = 10
    /// `global.evaluation_interval` (seconds), for rule groups without their own `interval`.
    package var evaluationInterval: Double = 15
    /// `global.external_labels`: added to alerts and to every `/metrics` sample that lacks them.
    package var externalLabels: [String: String] = [:]
    /// Globs, relative to the config file's folder; empty: the shipped rules.
    package var ruleFiles: [String] = []
    /// `scrape_configs`, in file order.
    package var scrapeConfigs: [ScrapeConfig] = []
    /// `alerting.alertmanagers`; empty: no notifier, alerts are only served by the API.
    package var alertmanagers: [AlertmanagerConfig] = []
    /// `remote_write`: where every kept sample is also sent (docs/remote-write.md).
    package var remoteWrite: [RemoteWriteConfig] = []
    /// Where the file was read from (nil for the in-cluster defaults).
    package var path: String? = nil

    /// No scrape configs, rule files or Alertmanagers; scrapes every 15 s with a 10 s timeout,
    /// rules every 15 s.
    package init() {}

    /// One `scrape_configs` entry.
    package struct ScrapeConfig: Sendable {
        /// `job_name`: the `job` label of its targets; unique in the file.
        package var job: String
        /// `scheme`: `http` or `https`.
        package var scheme = "http"
        /// `metrics_path`: the path scraped on each target.
        package var metricsPath = "/metrics"
        /// `scrape_interval` (seconds); nil: the global one.
        package var interval: Double? = nil
        /// `scrape_timeout` (seconds); nil: the global one. Never longer than the interval.
        package var timeout: Double? = nil
        /// `honor_labels`: on a clash, the scraped label wins over the target's (false: it is kept
        /// as `exported_<name>`).
        package var honorLabels = false
        /// `authorization` (or `bearer_token[_file]`): a file is read again at every scrape.
        package var bearerToken: BearerToken? = nil
        /// `tls_config`, without its `server_name` (that is ``serverName``).
        package var tls = TLSOptions()
        /// `tls_config.server_name`: the host of the scrape URL, for SNI and the certificate check,
        /// while the connection still goes to the target's address.
        package var serverName: String? = nil
        /// `body_size_limit` in bytes, after decompression; `0` in the file is no limit (`Int.max`).
        package var bodySizeLimit = 512 << 20
        /// `static_configs`: each entry's `host:port` targets and the labels they get.
        package var staticConfigs: [(targets: [String], labels: [String: String])] = []
        /// ctlmon's discovery of a service's endpoint addresses through the Kubernetes API.
        package var kubernetesEndpoints: (namespace: String, service: String, port: String?)? = nil
        /// Targets whose 403 or 404 means "not offered here" (EKS's scheduler and
        /// controller-manager endpoints): dropped with one log line instead of reported down.
        package var optional = false

        /// An entry with the defaults for everything but `job_name`.
        package init(job: String) { self.job = job }
    }

    /// One `alerting.alertmanagers` entry.
    package struct AlertmanagerConfig: Sendable {
        /// `scheme`: `http` or `https`.
        package var scheme = "http"
        /// `path_prefix`: what comes before `/api/v2/alerts` on each target.
        package var pathPrefix = ""
        /// `timeout` of one POST (seconds).
        package var timeout: Double = 10
        /// `static_configs` `targets`: each Alertmanager's `host:port`; each gets a queue of its own.
        package var targets: [String] = []
        /// `authorization`: a file is read again at every delivery.
        package var bearerToken: BearerToken? = nil
        /// `tls_config`, without its `server_name` (that is ``serverName``).
        package var tls = TLSOptions()
        /// `tls_config.server_name`: the name the certificate is checked against (and sent as
        /// SNI and `Host`), the connection still going to each target's address.
        package var serverName: String? = nil

        /// An entry with Prometheus's defaults: `http`, no prefix, 10 s timeout, and no targets yet.
        package init() {}

        /// Where a POST for the Alertmanager at `url` (one of ``urls``) goes: the URL with the
        /// host replaced by ``serverName``, connecting to the target's own address; or `url` as is.
        package func endpoint(_ url: String) -> (url: String, connectTo: String?) {
            guard let serverName, var parts = URLComponents(string: url), let host = parts.host else { return (url, nil) }
            let port = parts.port ?? (scheme == "https" ? 443 : 80)
            parts.host = serverName
            return (parts.string ?? url, "\(host):\(port)")
        }

        /// `scheme://target/prefix/api/v2/alerts` for each target.
        package var urls: [String] {
            let prefix = pathPrefix.hasSuffix("/") ? String(pathPrefix.dropLast()) : pathPrefix
            return targets.map { "\(scheme)://\($0)\(prefix)/api/v2/alerts" }
        }
    }

    /// The targets of the static configs (discovered ones come from ``Discovery``).
    package func scrapeTargets(discovered: [String: [String]] = [:]) -> [ScrapeTarget] {
        var out: [ScrapeTarget] = []
        for c in scrapeConfigs {
            var groups = c.staticConfigs
            if c.kubernetesEndpoints != nil { groups.append((discovered[c.job] ?? [], [:])) }
            for (targets, labels) in groups {
                for address in targets {
                    let host = c.serverName.map { name in
                        let port = address.split(separator: ":").last.map(String.init) ?? (c.scheme == "https" ? "443" : "80")
                        return "\(name):\(port)"
                    } ?? address
                    let path = c.metricsPath.hasPrefix("/") ? c.metricsPath : "/" + c.metricsPath
                    out.append(ScrapeTarget(
                        job: c.job, url: "\(c.scheme)://\(host)\(path)", address: address,
                        connectTo: c.serverName == nil ? nil : address, labels: labels,
                        interval: c.interval ?? scrapeInterval, timeout: min(c.timeout ?? scrapeTimeout, c.interval ?? scrapeInterval),
                        bearerToken: c.bearerToken, tls: c.tls,
                        bodySizeLimit: c.bodySizeLimit, honorLabels: c.honorLabels))
                }
            }
        }
        return out
    }

    /// Inside a pod without a config file: every API server behind `default/kubernetes`,
    /// scraped directly with the service account, and on EKS 1.28+ the scheduler and the
    /// controller-manager through the API server's `metrics.eks.amazonaws.com` endpoints.
    package static func inCluster(api: KubernetesAPI) -> SidecarConfig {
        var config = SidecarConfig()
        var apiserver = ScrapeConfig(job: "apiserver")
        apiserver.scheme = "https"
        apiserver.bearerToken = api.bearerToken
        apiserver.tls = api.tls
        apiserver.serverName = "kubernetes.default.svc"
        apiserver.kubernetesEndpoints = ("default", "kubernetes", "https")
        config.scrapeConfigs.append(apiserver)
        let serverHost = api.server.replacing("https://", with: "")
        for (job, component) in [("kube-scheduler", "ksh"), ("kube-controller-manager", "kcm")] {
            var c = ScrapeConfig(job: job)
            c.scheme = "https"
            c.metricsPath = "/apis/metrics.eks.amazonaws.com/v1/\(component)/container/metrics"
            c.bearerToken = api.bearerToken
            c.tls = api.tls
            c.serverName = "kubernetes.default.svc"
            c.staticConfigs = [([serverHost], [:])]
            c.optional = true
            config.scrapeConfigs.append(c)
        }
        return config
    }
}
