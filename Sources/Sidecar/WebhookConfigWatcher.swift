import AdmissionWebhooks
import FoundationEssentials
import HTTPClient
import KubernetesClient
import Logging
import PromModel
import SeriesStorage
import Workers

/// Lists the cluster's admission webhook configurations every five minutes (when the
/// service account may `list` them) and writes one `ctlmon_webhook_config_info` series per
/// webhook into the store every 30 s, value 1, labelled with what the metrics lack:
/// `name`, `configuration`, `kind`, `failure_policy`, `timeout_seconds`, `side_effects`,
/// `catch_all`, `managed_by`. Rules join it to grade a webhook's alerts by its policy:
/// `… * on(name) group_left(failure_policy) ctlmon_webhook_config_info`.
final class WebhookConfigWatcher: Sendable {
    static let relist: Double = 300
    static let write: Double = 30
    static let metric = AdmissionWebhook.infoMetric

    private struct State {
        /// The last list read (kept when a later list fails).
        var webhooks: [AdmissionWebhook]? = nil
        /// Whether the last list was refused (403): said once, not at every relist.
        var refused = false
    }

    private let state = Locked(State())
    private let api: KubernetesAPI
    /// Aborts a Kubernetes request in flight when the worker stops.
    private let cancellation = TransferCancellation()
    private let store: SeriesStore
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    private let worker = WorkerThread(name: "webhook-configs")

    init(api: KubernetesAPI, store: SeriesStore, logger: Logger, clock: @escaping @Sendable () -> Int64) {
        var api = api
        api.cancellation = cancellation
        self.api = api
        self.store = store
        self.logger = logger
        self.clock = clock
    }

    func start() {
        let cancellation = self.cancellation
        worker.onStop { cancellation.cancel() }
        worker.start { [self] in
            var listed: ContinuousClock.Instant? = nil
            repeat {
                if listed.map({ $0.secondsElapsed >= Self.relist }) ?? true {
                    listed = .now
                    refresh()
                }
                append(at: clock())
            } while worker.pause(Self.write)
        }
    }

    func stop() { worker.stop() }

    /// Lists both kinds; on failure the last list is kept (an API hiccup must not drop the series).
    func refresh() {
        do {
            let all = try WebhookConfigurationReader.read(lists: api.webhookConfigurationLists()).webhooks
            let changed = state.withLock { s -> Bool in
                defer {
                    s.webhooks = all
                    s.refused = false
                }
                return s.webhooks != all
            }
            if changed { logger.info("webhook configurations listed", metadata: ["webhooks": "\(all.count)"]) }
        } catch let failure as HTTPFailure where failure.status == 403 {
            let first = state.withLock { s -> Bool in
                defer { s.refused = true }
                return !s.refused
            }
            if first {
                logger.warning(
                    "may not list admission webhook configurations: ctlmon_webhook_config_info is not written (grant list on validatingwebhookconfigurations and mutatingwebhookconfigurations, as deploy/rbac.yaml does)")
            }
        } catch {
            logger.warning("could not list admission webhook configurations", metadata: ["error": "\(error)"])
        }
    }

    /// The webhooks of the last list read; nil before the first (or when listing is refused).
    var current: [AdmissionWebhook]? { state.withLock { $0.webhooks } }

    /// One sample per webhook at `time`.
    func append(at time: Int64) {
        guard let current = state.withLock({ $0.webhooks }) else { return }
        for w in current { _ = store.append(w.infoLabels, timestamp: time, value: 1) }
    }
}
