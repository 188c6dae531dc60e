import PromModel
import FoundationEssentials
import HTTPClient
import KubernetesClient
import Logging
import Scraper
import Workers

/// Keeps the scrape manager's targets current: the static targets of the config, and the
/// endpoint addresses of `kubernetes_endpoints` services listed again every minute (a new
/// API server instance is scraped, a gone one stops). A target whose job is optional (EKS's
/// scheduler and controller-manager endpoints) and that answers 403 or 404 is dropped with
/// one log line instead of being reported down forever.
///
/// Everything it applies runs on its own thread: an optional target found not offered wakes
/// that thread, so no update can reach the scrape manager after ``stop()``.
final class Discovery: Sendable {
    private struct State {
        var discovered: [String: [String]] = [:]
        var dropped: Set<String> = []
        /// Set by ``replace(_:)``: list the endpoints at the next turn, not at the minute.
        var refreshNow = false
    }

    private let state = Locked(State())
    /// The scrape configs; replaced by a reload.
    private let configSlot: Locked<SidecarConfig>
    private var config: SidecarConfig { configSlot.withLock { $0 } }
    private let logger: Logger
    private let api: KubernetesAPI?
    /// Aborts a Kubernetes request in flight when the worker stops.
    private let cancellation = TransferCancellation()
    private let worker = WorkerThread(name: "discovery")
    static let refresh: Double = 60

    init(config: SidecarConfig, logger: Logger, api: KubernetesAPI? = KubernetesAPI.inCluster()) {
        configSlot = Locked(config)
        self.logger = logger
        var api = api
        api?.cancellation = cancellation
        self.api = api
    }

    /// The keys of the optional targets found not offered (``observe(_:_:)``).
    var notOffered: Set<String> { state.withLock { $0.dropped } }

    /// Starts the thread; `apply` gets the targets (the scrape manager's ``ScrapeManager/apply(_:)``).
    func start(apply: @escaping @Sendable ([ScrapeTarget]) -> Void) {
        let cancellation = self.cancellation
        worker.onStop { cancellation.cancel() }
        worker.start { [self] in
            var lastRefresh: ContinuousClock.Instant? = nil
            repeat {
                // Endpoints every minute; the targets again whenever woken (a target dropped).
                let now = state.withLock { s -> Bool in
                    defer { s.refreshNow = false }
                    return s.refreshNow
                }
                if now || lastRefresh.map({ $0.secondsElapsed >= Self.refresh }) ?? true {
                    lastRefresh = .now
                    refreshEndpoints()
                }
                apply(targets())
            } while worker.pause(Self.refresh - (lastRefresh?.secondsElapsed ?? 0))
        }
    }

    func stop() { worker.stop() }

    /// A reloaded config: its endpoints are listed and its targets applied at once.
    func replace(_ config: SidecarConfig) {
        configSlot.withLock { $0 = config }
        state.withLock { $0.refreshNow = true }
        worker.wake()
    }

    private func refreshEndpoints() {
        for c in config.scrapeConfigs {
            guard let e = c.kubernetesEndpoints else { continue }
            guard let api else {
                logger.error("kubernetes_endpoints needs to run inside a pod (no service account)", metadata: ["job": "\(c.job)"])
                continue
            }
            do throws(HTTPFailure) {
                let addresses = try api.endpointAddresses(namespace: e.namespace, service: e.service, port: e.port)
                let changed = state.withLock { s -> Bool in
                    defer { s.discovered[c.job] = addresses }
                    return s.discovered[c.job] != addresses
                }
                if changed { logger.info("endpoints discovered", metadata: ["job": "\(c.job)", "addresses": "\(addresses.joined(separator: ","))"]) }
            } catch {
                // Keep the last list: an API hiccup must not stop the scrapes.
                logger.warning("could not list endpoints", metadata: ["job": "\(c.job)", "error": "\(error)"])
            }
        }
    }

    /// The targets of the config and the discovered addresses, less the ones not offered.
    func targets() -> [ScrapeTarget] {
        let (discovered, dropped) = state.withLock { ($0.discovered, $0.dropped) }
        return config.scrapeTargets(discovered: discovered).filter { !dropped.contains($0.key) }
    }

    /// After every scrape: an optional target that answers 403/404 is not offered here.
    func observe(_ target: ScrapeTarget, _ result: TargetScraper.Result) {
        guard let failure = result.failure, failure.status == 403 || failure.status == 404,
            config.scrapeConfigs.first(where: { $0.job == target.job })?.optional == true
        else { return }
        let first = state.withLock { $0.dropped.insert(target.key).inserted }
        guard first else { return }
        logger.info("optional target not offered by this cluster; not scraping it", metadata: [
            "job": "\(target.job)", "url": "\(target.url)", "answer": "\(failure.message)",
        ])
        worker.wake()
    }
}
