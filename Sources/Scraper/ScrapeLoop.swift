import HTTPClient
import PromModel
import PromText
import SeriesStorage
import Workers

/// One target scraped at its interval on a thread of its own (a scrape blocks on the
/// network; it must never hold up the HTTP server or the rule loop), with Prometheus's
/// report series written after each scrape: `up`, `scrape_duration_seconds`,
/// `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling`, `scrape_series_added`.
///
/// Targets do not scrape in lockstep: each starts at an offset within its interval derived
/// from its key (``Jitter``, as Prometheus's), then keeps that phase. Stopping aborts the
/// scrape in flight (its transfer is canceled) rather than waiting it out.
package final class ScrapeLoop: Sendable {
    /// The target scraped, fixed for the loop's life: a changed target gets a new loop.
    package let target: ScrapeTarget
    private let store: SeriesStore
    private let filter: FamilyFilter?
    private let clock: @Sendable () -> Int64
    private let state = Locked(Status())
    /// Whether the loop's series go stale when it ends (its target was removed).
    private let staleOnExit = Locked(false)
    private let worker: WorkerThread
    /// Aborts the loop's scrape in flight when it is told to stop.
    private let cancellation = TransferCancellation()
    private let onScrape: @Sendable (ScrapeTarget, TargetScraper.Result) -> Void
    private let published = Locked<[String: MetricMetadata]>([:])

    /// The target's families' `# TYPE`, `# HELP` and `# UNIT`, as of its last successful
    /// scrape (`/api/v1/metadata`).
    package var metadata: [String: MetricMetadata] { published.withLock { $0 } }

    /// What `/api/v1/targets` and `/metrics` say about the target.
    package struct Status: Sendable {
        /// `up` after a successful scrape, `down` after a failed one, `unknown` before the first.
        package var health: Health = .unknown
        /// When the last scrape started (Unix milliseconds); nil before the first.
        package var lastScrape: Int64? = nil
        /// Seconds the last scrape took, on the monotonic clock (`lastScrapeDuration`).
        package var lastDuration: Double = 0
        /// The last scrape's failure message; empty after a success.
        package var lastError: String = ""
        /// Samples the last scrape read, kept by the family filter or not (`scrape_samples_scraped`).
        package var lastSamples = 0
        /// Scrapes completed, failed or not (`ctlmon_scrapes_total`); one cut short by a stop does not count.
        package var scrapes = 0
        /// Failures so far, by reason.
        package var failures: [ScrapeFailureReason: Int] = [:]
    }

    /// A target's health, as `/api/v1/targets` spells it.
    package enum Health: String, Sendable { case up, down, unknown }

    /// `clock`: the time of scrapes and of the samples without a timestamp (milliseconds);
    /// `onScrape`: called after each scrape, on the loop's thread.
    package init(
        target: ScrapeTarget, store: SeriesStore, filter: FamilyFilter?, clock: @escaping @Sendable () -> Int64,
        onScrape: @escaping @Sendable (ScrapeTarget, TargetScraper.Result) -> Void = { _, _ in }
    ) {
        self.target = target
        self.store = store
        self.filter = filter
        self.clock = clock
        self.onScrape = onScrape
        worker = WorkerThread(name: "scrape \(target.address)")
    }

    /// The target's status after its last scrape.
    package var status: Status { state.withLock { $0 } }

    /// The offset of this target's scrapes within its interval (seconds), from its key.
    package var offset: Double { Double(Jitter.offset(of: target.key, within: Int64(target.interval * 1000))) / 1000 }

    /// Starts scraping on a new thread.
    package func start() {
        let cancellation = self.cancellation
        worker.onStop { cancellation.cancel() }
        worker.start { [self] in run() }
    }

    /// Asks the loop to stop and aborts the scrape in flight; does not wait (see ``join()``).
    /// `markingStale`: the target is gone (removed from discovery or the config), so every
    /// series it wrote, its `up` and scrape series included, gets a staleness marker as the
    /// loop ends (as Prometheus does): queries stop seeing it at once, not five minutes later.
    package func requestStop(markingStale: Bool = false) {
        if markingStale { staleOnExit.withLock { $0 = true } }
        worker.requestStop()
    }

    /// Waits until the loop's thread has ended.
    package func join() { worker.join() }

    /// Stops after aborting the scrape in progress (if any), and waits for the thread to end.
    package func stop() { worker.stop() }

    private func run() {
        let scraper = TargetScraper(target: target, store: store, filter: filter, transfer: HTTPTransfer(cancellation: cancellation))
        var scraped = false
        var metadataVersion: UInt64 = 0
        defer {
            // A target gone from discovery: its series and report series end now. A loop
            // that never scraped has nothing to end.
            if staleOnExit.withLock({ $0 }) && scraped {
                let time = clock()
                scraper.markStale(at: time)
                for name in Self.reportNames {
                    store.append(Labels([("__name__", name)] + target.targetLabels), timestamp: time, value: SeriesStore.staleNaN)
                }
            }
        }
        let interval = target.interval
        // First scrape at the target's phase, then every interval on that phase.
        let now = Double(clock()) / 1000
        var next = (now / interval).rounded(.down) * interval + offset
        if next < now { next += interval }
        while true {
            // A wake-up ends a pause early: wait again until the scrape's time.
            while next > Double(clock()) / 1000 {
                if !worker.pause(next - Double(clock()) / 1000) { return }
            }
            if worker.isStopping { return }
            let time = clock()
            let result = scraper.scrape(at: time)
            // A scrape aborted by the stop is not a target failure: nothing is reported.
            if worker.isStopping && result.failure?.reason == .transfer(.canceled) { return }
            scraped = true
            report(result)
            state.withLock { s in
                s.scrapes += 1
                s.lastScrape = time
                s.lastDuration = result.duration
                s.lastSamples = result.samplesScraped
                if let f = result.failure {
                    s.health = .down
                    s.lastError = f.message
                    s.failures[f.reason, default: 0] += 1
                } else {
                    s.health = .up
                    s.lastError = ""
                }
            }
            if scraper.metadataVersion != metadataVersion {
                metadataVersion = scraper.metadataVersion
                let metadata = scraper.metadata
                published.withLock { $0 = metadata }
            }
            onScrape(target, result)
            next += interval
            // After a long stall (a suspended process), skip the missed scrapes.
            let current = Double(clock()) / 1000
            if next < current { next += ((current - next) / interval).rounded(.up) * interval }
        }
    }

    /// The names of Prometheus's report series, in the order ``report(_:)`` writes them.
    static let reportNames = [
        "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added",
    ]

    /// Prometheus's report series for one scrape, with the target's labels.
    private func report(_ r: TargetScraper.Result) {
        let values = [
            r.failure == nil ? 1 : 0, r.duration, Double(r.samplesScraped), Double(r.samplesScraped), Double(r.seriesAdded),
        ]
        for (name, value) in zip(Self.reportNames, values) {
            store.append(Labels([("__name__", name)] + target.targetLabels), timestamp: r.time, value: value)
        }
    }
}
