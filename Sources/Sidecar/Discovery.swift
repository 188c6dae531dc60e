import Foundation
import Logging
import Scraper

/// Keeps the scrape manager's targets current: the static targets of the config, and the
/// endpoint addresses of `kubernetes_endpoints` services listed again every minute (a new
/// API server instance is scraped, a gone one stops). A target whose job is optional (EKS's
/// scheduler and controller-manager endpoints) and that answers 403 or 404 is dropped with
/// one log line instead of being reported down forever.
final class Discovery: @unchecked Sendable {
    // Sendable: the mutable state is only touched with `lock` held.
    private let lock = NSLock()
    private let config: SidecarConfig
    private let logger: Logger
    private let api: KubernetesAPI?
    weak var manager: ScrapeManager?
    private var discovered: [String: [String]] = [:]
    private var dropped: Set<String> = []
    /// The keys of the optional targets found not offered (``observe(_:_:)``).
    var notOffered: Set<String> { lock.withLock { dropped } }
    private let worker = WorkerThread(name: "discovery")
    static let refresh: Double = 60

    init(config: SidecarConfig, logger: Logger, api: KubernetesAPI? = KubernetesAPI.inCluster()) {
        self.config = config
        self.logger = logger
        self.api = api
    }

    func start() {
        worker.start { [self] in
            repeat {
                refreshEndpoints()
                apply()
            } while worker.pause(Self.refresh)
        }
    }

    func stop() { worker.stop() }

    private func refreshEndpoints() {
        for c in config.scrapeConfigs {
            guard let e = c.kubernetesEndpoints else { continue }
            guard let api else {
                logger.error("kubernetes_endpoints needs to run inside a pod (no service account)", metadata: ["job": "\(c.job)"])
                continue
            }
            do {
                let addresses = try api.endpointAddresses(namespace: e.namespace, service: e.service, port: e.port)
                let changed = lock.withLock { () -> Bool in
                    defer { discovered[c.job] = addresses }
                    return discovered[c.job] != addresses
                }
                if changed { logger.info("endpoints discovered", metadata: ["job": "\(c.job)", "addresses": "\(addresses.joined(separator: ","))"]) }
            } catch {
                // Keep the last list: an API hiccup must not stop the scrapes.
                logger.warning("could not list endpoints", metadata: ["job": "\(c.job)", "error": "\(error)"])
            }
        }
    }

    private func apply() {
        let (targets, dropped) = lock.withLock { (config.scrapeTargets(discovered: discovered), self.dropped) }
        manager?.apply(targets.filter { !dropped.contains($0.key) })
    }

    /// After every scrape: an optional target that answers 403/404 is not offered here.
    func observe(_ target: ScrapeTarget, _ result: TargetScraper.Result) {
        guard let failure = result.failure, failure.status == 403 || failure.status == 404,
            config.scrapeConfigs.first(where: { $0.job == target.job })?.optional == true
        else { return }
        let first = lock.withLock { dropped.insert(target.key).inserted }
        guard first else { return }
        logger.info("optional target not offered by this cluster; not scraping it", metadata: [
            "job": "\(target.job)", "url": "\(target.url)", "answer": "\(failure.message)",
        ])
        DispatchQueue.global().async { self.apply() }
    }
}
