import Foundation
import Scraper

/// The sidecar's configuration: a subset of `prometheus.yml` with the same keys and
/// meanings (DESIGN.md, "The sidecar"). Durations are seconds here.
package struct SidecarConfig: Sendable {
    package var scrapeInterval: Double = 15
    package var scrapeTimeout: Double = 10
    package var evaluationInterval: Double = 15
    package var externalLabels: [String: String] = [:]
    /// Globs, relative to the config file's folder; empty: the shipped rules.
    package var ruleFiles: [String] = []
    package var scrapeConfigs: [ScrapeConfig] = []
    package var alertmanagers: [AlertmanagerConfig] = []
    /// Where the file was read from (nil for the in-cluster defaults).
    package var path: String? = nil

    package init() {}

    /// One `scrape_configs` entry.
    package struct ScrapeConfig: Sendable {
        package var job: String
        package var scheme = "http"
        package var metricsPath = "/metrics"
        package var interval: Double? = nil
        package var timeout: Double? = nil
        package var honorLabels = false
        package var bearerToken: String? = nil
        package var bearerTokenFile: String? = nil
        package var tls = HTTPTransfer.TLS()
        package var serverName: String? = nil
        package var bodySizeLimit = 512 << 20
        package var staticConfigs: [(targets: [String], labels: [String: String])] = []
        /// ctlmon's discovery of a service's endpoint addresses through the Kubernetes API.
        package var kubernetesEndpoints: (namespace: String, service: String, port: String?)? = nil
        /// Targets whose 403 or 404 means "not offered here" (EKS's scheduler and
        /// controller-manager endpoints): dropped with one log line instead of reported down.
        package var optional = false

        package init(job: String) { self.job = job }
    }

    /// One `alerting.alertmanagers` entry.
    package struct AlertmanagerConfig: Sendable {
        package var scheme = "http"
        package var pathPrefix = ""
        package var timeout: Double = 10
        package var targets: [String] = []
        package var bearerToken: String? = nil
        package var bearerTokenFile: String? = nil
        package var tls = HTTPTransfer.TLS()

        package init() {}

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
                        bearerTokenFile: c.bearerTokenFile, bearerToken: c.bearerToken, tls: c.tls,
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
        apiserver.bearerTokenFile = api.tokenFile
        apiserver.tls.caFile = api.caFile
        apiserver.serverName = "kubernetes.default.svc"
        apiserver.kubernetesEndpoints = ("default", "kubernetes", "https")
        config.scrapeConfigs.append(apiserver)
        let serverHost = api.server.replacingOccurrences(of: "https://", with: "")
        for (job, component) in [("kube-scheduler", "ksh"), ("kube-controller-manager", "kcm")] {
            var c = ScrapeConfig(job: job)
            c.scheme = "https"
            c.metricsPath = "/apis/metrics.eks.amazonaws.com/v1/\(component)/container/metrics"
            c.bearerTokenFile = api.tokenFile
            c.tls.caFile = api.caFile
            c.serverName = "kubernetes.default.svc"
            c.staticConfigs = [([serverHost], [:])]
            c.optional = true
            config.scrapeConfigs.append(c)
        }
        return config
    }
}
