import FoundationEssentials
import Logging
import PromModel
import PromText
import RuleEngine
import Scraper
import SeriesStorage
import Workers

/// Reloading the config and its rule files, as Prometheus does on SIGHUP or
/// `POST /-/reload`: everything is read and checked first, and a config with a problem
/// changes nothing (the problem is logged with its `file:line`, and
/// `ctlmon_config_last_reload_successful` drops to 0). A good one is applied whole: the scrape
/// targets (a removed one's series marked stale), the families the scrapes keep, the retention,
/// the remote-write destinations when `remote_write` or the external labels changed
/// (``RemoteWriteService``), and a new rule manager and notifier, which carry over the alert states (an alert whose
/// group, rule and position are unchanged keeps its state and start) and the last-sent times
/// of the ones they replace. The history is kept. One reload at a time.
package final class Reload: Sendable {
    /// What a reload builds a pipeline from, and the parts it updates in place.
    struct Parts: Sendable {
        let options: Sidecar.Options
        let store: SeriesStore
        let files: StateFiles?
        let externalURL: String
        let logger: Logger
        let clock: @Sendable () -> Int64
        let discovery: Discovery
        let scrapes: ScrapeManager
        let housekeeping: Housekeeping
        let remoteWrite: RemoteWriteService
    }

    private let parts: Parts
    private let pipeline: AlertPipeline.Current
    /// Held for a whole reload: one at a time, and none once shutdown began.
    private let state = Locked((running: false, stopped: false, successful: true, lastSuccess: Date().timeIntervalSince1970))

    /// Reloads into `pipeline` (the one in service), with `parts`.
    init(_ parts: Parts, pipeline: AlertPipeline.Current) {
        self.parts = parts
        self.pipeline = pipeline
    }

    /// Whether the last reload succeeded (1 before any), and when one last did (Unix seconds;
    /// the start before any), for `/metrics`.
    package var status: (successful: Bool, lastSuccess: Double) { state.withLock { ($0.successful, $0.lastSuccess) } }

    /// Reloads may run from now on (the pipeline in service has started).
    func begin() { state.withLock { $0.running = true } }

    /// No reload after this (shutdown): the pipeline in service is the one stopped.
    func stop() { state.withLock { $0.stopped = true } }

    /// Reloads; nil when done, else why not (the old config stays in service).
    package func reload() -> String? {
        state.withLock { s -> String? in
            guard !s.stopped else { return "shutting down" }
            guard s.running else { return "not started yet" }
            let logger = parts.logger
            let loaded: Sidecar.Loaded
            do {
                loaded = try Sidecar.load(parts.options)
            } catch {
                s.successful = false
                logger.error("config reload failed; the running config is kept", metadata: ["error": "\(error)"])
                return "\(error)"
            }
            apply(loaded)
            s.successful = true
            s.lastSuccess = Date().timeIntervalSince1970
            logger.info("config reloaded", metadata: [
                "scrape_configs": "\(loaded.config.scrapeConfigs.count)", "rule_groups": "\(loaded.groups.count)",
                "alertmanagers": "\(loaded.config.alertmanagers.flatMap(\.targets).count)",
            ])
            return nil
        }
    }

    private func apply(_ loaded: Sidecar.Loaded) {
        let p = parts
        let fresh = Sidecar.pipeline(loaded, parts: p, gate: { true })
        let old = pipeline.value
        // The evaluation in flight finishes and the states are written before they move over.
        old.rules.stop()
        fresh.rules.carryOver(from: old.rules)
        fresh.notifier?.restoreLastSent(old.notifier?.lastSentTimes ?? [:])
        pipeline.replace(with: fresh)
        fresh.notifier?.start()
        fresh.rules.start()
        // What the old queues still hold gets five seconds to go out.
        old.notifier?.stop(deadline: .now + .seconds(5))

        let derived = Sidecar.Derived(loaded.groups, dashboardRetention: p.options.dashboardRetention.inMilliseconds)
        p.housekeeping.update(retention: derived.retention, otherwise: derived.otherwise)
        p.discovery.replace(loaded.config)
        p.scrapes.apply(p.discovery.targets(), filter: derived.filter)
        p.remoteWrite.replace(loaded.config.remoteWrite, externalLabels: loaded.config.externalLabels, logger: p.logger)
    }
}
