import Workers
import PromText
import SeriesStorage

/// The scrape loops of the current targets: a new target gets a loop, a target no longer
/// listed has its loop stopped and its series marked stale (as Prometheus does when a
/// target disappears), the others keep theirs.
package final class ScrapeManager: Sendable {
    private let store: SeriesStore
    private let filter: Locked<FamilyFilter?>
    private let clock: @Sendable () -> Int64
    private let onScrape: @Sendable (ScrapeTarget, TargetScraper.Result) -> Void
    private let loops = Locked<[String: ScrapeLoop]>([:])

    /// Each loop appends to `store`, parses through `filter` (the families the rules read; nil:
    /// every family) and takes its times from `clock` (Unix milliseconds); `onScrape` is called
    /// after each scrape, on that loop's thread.
    package init(
        store: SeriesStore, filter: FamilyFilter?, clock: @escaping @Sendable () -> Int64,
        onScrape: @escaping @Sendable (ScrapeTarget, TargetScraper.Result) -> Void = { _, _ in }
    ) {
        self.store = store
        self.filter = Locked(filter)
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
                let loop = ScrapeLoop(target: target, store: store, filter: filter.withLock { $0 }, clock: clock, onScrape: onScrape)
                loops[key] = loop
                started.append(loop)
            }
        }
        // The removed loops stop together: each is told first, then each is waited for.
        for loop in stopped { loop.requestStop(markingStale: true) }
        for loop in stopped { loop.join() }
        for loop in started { loop.start() }
    }

    /// Makes the scraped targets exactly `targets`, parsed through `filter` (a reload whose
    /// rules read other families): when the filter changes, every loop starts over with it
    /// (without marking its series stale: the targets are the same).
    package func apply(_ targets: [ScrapeTarget], filter newFilter: FamilyFilter?) {
        let changed = filter.withLock { f -> Bool in
            defer { f = newFilter }
            return f != newFilter
        }
        if changed {
            let all = loops.withLock { l -> [ScrapeLoop] in
                defer { l = [:] }
                return Array(l.values)
            }
            for loop in all { loop.requestStop() }
            for loop in all { loop.join() }
        }
        apply(targets)
    }

    /// Stops every loop (shutdown), all at once: every scrape in flight is aborted, then
    /// each thread is waited for.
    package func stopAll() {
        let all = loops.withLock { l -> [ScrapeLoop] in
            let v = Array(l.values)
            l = [:]
            return v
        }
        for loop in all { loop.requestStop() }
        for loop in all { loop.join() }
    }
}
