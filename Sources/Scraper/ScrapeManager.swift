import Foundation
import PromQL
import PromText
import Synchronization

/// The scrape loops of the current targets: a new target gets a loop, a target no longer
/// listed has its loop stopped and its series marked stale (as Prometheus does when a
/// target disappears), the others keep theirs.
package final class ScrapeManager: Sendable {
    private let store: SeriesStore
    private let filter: FamilyFilter?
    private let clock: @Sendable () -> Int64
    private let onScrape: @Sendable (ScrapeTarget, TargetScraper.Result) -> Void
    private let loops = Mutex<[String: ScrapeLoop]>([:])

    package init(
        store: SeriesStore, filter: FamilyFilter?, clock: @escaping @Sendable () -> Int64,
        onScrape: @escaping @Sendable (ScrapeTarget, TargetScraper.Result) -> Void = { _, _ in }
    ) {
        self.store = store
        self.filter = filter
        self.clock = clock
        self.onScrape = onScrape
    }

    /// The loops, in a stable order (job, then address).
    package var current: [ScrapeLoop] {
        loops.withLock { Array($0.values) }.sorted { ($0.target.job, $0.target.address) < ($1.target.job, $1.target.address) }
    }

    /// Makes the scraped targets exactly `targets`.
    package func apply(_ targets: [ScrapeTarget]) {
        let wanted = Dictionary(targets.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var started: [ScrapeLoop] = []
        var stopped: [ScrapeLoop] = []
        loops.withLock { loops in
            for (key, loop) in loops where wanted[key] != loop.target {
                stopped.append(loop)
                loops[key] = nil
            }
            for (key, target) in wanted where loops[key] == nil {
                let loop = ScrapeLoop(target: target, store: store, filter: filter, clock: clock, onScrape: onScrape)
                loops[key] = loop
                started.append(loop)
            }
        }
        for loop in stopped { loop.stop() }
        for loop in started { loop.start() }
    }

    /// Stops every loop (shutdown).
    package func stopAll() {
        let all = loops.withLock { l -> [ScrapeLoop] in
            let v = Array(l.values)
            l = [:]
            return v
        }
        for loop in all { loop.stop() }
    }
}
