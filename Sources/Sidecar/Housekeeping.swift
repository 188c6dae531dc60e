import Foundation
import Logging
import PromQL
import Synchronization

/// Retention and the history on disk: every minute, each metric's samples older than the
/// longest range the rules read it with (plus a margin) are dropped; every five minutes, and at shutdown, the
/// store is written under `--storage.path` so that a restart keeps what the rules need
/// (the 4 h a growth rule reads, say).
enum Housekeeping {
    private static let state = Mutex<(stopping: Bool, finished: Bool)>((false, true))
    private static let wake = DispatchSemaphore(value: 0)

    /// `retention`: how long the samples of a metric are kept, by name (the rules' reach of
    /// it plus a margin); `otherwise`, for the names no rule reads.
    static func start(
        store: SeriesStore, files: StateFiles?, retention: [String: Int64], otherwise: Int64, clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) {
        state.withLock { $0 = (false, false) }
        let thread = Thread {
            defer { state.withLock { $0.finished = true } }
            var lastWrite = clock()
            while !state.withLock({ $0.stopping }) {
                _ = wake.wait(timeout: .now() + 60)
                if state.withLock({ $0.stopping }) { return }
                let now = clock()
                let removed = store.dropBefore { labels in now - (retention[labels.name] ?? otherwise) }
                if removed > 0 { logger.debug("retention removed series", metadata: ["series": "\(removed)"]) }
                if let files, now - lastWrite >= 5 * 60_000 {
                    lastWrite = now
                    write(store, files, logger)
                }
            }
        }
        thread.name = "housekeeping"
        thread.start()
    }

    static func stop(store: SeriesStore, files: StateFiles?, logger: Logger) {
        state.withLock { $0.stopping = true }
        wake.signal()
        while !state.withLock({ $0.finished }) { Thread.sleep(forTimeInterval: 0.01) }
        if let files { write(store, files, logger) }
    }

    private static func write(_ store: SeriesStore, _ files: StateFiles, _ logger: Logger) {
        do {
            try files.writeSeries(store)
        } catch {
            logger.error("could not write the series file", metadata: ["error": "\(error)"])
        }
    }
}
