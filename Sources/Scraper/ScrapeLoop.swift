import Foundation
import PromQL
import PromText
import Synchronization

/// One target scraped at its interval on a thread of its own (a scrape blocks on the
/// network; it must never hold up the HTTP server or the rule loop), with Prometheus's
/// report series written after each scrape: `up`, `scrape_duration_seconds`,
/// `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling`, `scrape_series_added`.
///
/// Targets do not scrape in lockstep: each starts at an offset within its interval derived
/// from its key (as Prometheus's jitter), then keeps that phase.
package final class ScrapeLoop: Sendable {
    package let target: ScrapeTarget
    private let store: SeriesStore
    private let filter: FamilyFilter?
    private let clock: @Sendable () -> Int64
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let onScrape: @Sendable (ScrapeTarget, TargetScraper.Result) -> Void

    /// What `/api/v1/targets` and `/metrics` say about the target.
    package struct Status: Sendable {
        package var health: Health = .unknown
        package var lastScrape: Int64? = nil
        package var lastDuration: Double = 0
        package var lastError: String = ""
        package var lastSamples = 0
        package var scrapes = 0
        /// Failures so far, by reason.
        package var failures: [ScrapeFailure.Reason: Int] = [:]
    }

    package enum Health: String, Sendable { case up, down, unknown }

    private struct State {
        var status = Status()
        var stopping = false
        var started = false
        var finished = false
    }

    package init(
        target: ScrapeTarget, store: SeriesStore, filter: FamilyFilter?,
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
        onScrape: @escaping @Sendable (ScrapeTarget, TargetScraper.Result) -> Void = { _, _ in }
    ) {
        self.target = target
        self.store = store
        self.filter = filter
        self.clock = clock
        self.onScrape = onScrape
    }

    package var status: Status { state.withLock { $0.status } }

    /// The offset of this target's scrapes within its interval, from its key.
    package var offset: Double {
        var h: UInt64 = 1_469_598_103_934_665_603
        for b in target.key.utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        return Double(h % 1_000_000) / 1_000_000 * target.interval
    }

    /// Starts scraping on a new thread.
    package func start() {
        let thread = Thread { [self] in run() }
        thread.name = "scrape \(target.address)"
        state.withLock { $0.started = true }
        thread.start()
    }

    /// Stops after the scrape in progress (if any), and waits for the thread to end.
    package func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
        while state.withLock({ $0.started && !$0.finished }) { Thread.sleep(forTimeInterval: 0.01) }
    }

    private func run() {
        defer { state.withLock { $0.finished = true } }
        let scraper = TargetScraper(target: target, store: store, filter: filter)
        let interval = target.interval
        // First scrape at the target's phase, then every interval on that phase.
        let now = Double(clock()) / 1000
        var next = (now / interval).rounded(.down) * interval + offset
        if next < now { next += interval }
        while true {
            let wait = next - Double(clock()) / 1000
            if wait > 0 { _ = wake.wait(timeout: .now() + wait) }
            if state.withLock({ $0.stopping }) { return }
            let time = clock()
            let result = scraper.scrape(at: time)
            report(result)
            state.withLock { s in
                s.status.scrapes += 1
                s.status.lastScrape = time
                s.status.lastDuration = result.duration
                s.status.lastSamples = result.samplesScraped
                if let f = result.failure {
                    s.status.health = .down
                    s.status.lastError = f.message
                    s.status.failures[f.reason, default: 0] += 1
                } else {
                    s.status.health = .up
                    s.status.lastError = ""
                }
            }
            onScrape(target, result)
            next += interval
            // After a long stall (a suspended process), skip the missed scrapes.
            let current = Double(clock()) / 1000
            if next < current { next += ((current - next) / interval).rounded(.up) * interval }
        }
    }

    /// Prometheus's report series for one scrape, with the target's labels.
    private func report(_ r: TargetScraper.Result) {
        let up = r.failure == nil
        let values: [(String, Double)] = [
            ("up", up ? 1 : 0),
            ("scrape_duration_seconds", r.duration),
            ("scrape_samples_scraped", Double(r.samplesScraped)),
            ("scrape_samples_post_metric_relabeling", Double(r.samplesScraped)),
            ("scrape_series_added", Double(r.seriesAdded)),
        ]
        for (name, value) in values {
            store.append(Labels([("__name__", name)] + target.targetLabels), timestamp: r.time, value: value)
        }
    }
}
