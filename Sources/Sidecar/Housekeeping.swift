import Foundation
import Logging
import Workers
import PromModel
import PromQL
import SeriesStorage

/// Retention and the history on disk: every minute, each metric's samples older than the
/// longest range the rules read it with (plus a margin) are dropped; every five minutes, and at shutdown, the
/// store is written under `--storage.path` so that a restart keeps what the rules need
/// (the 4 h a growth rule reads, say).
enum Housekeeping {
    private static let worker = WorkerThread(name: "housekeeping")

    /// `retention`: how long the samples of a metric are kept, by name (the rules' reach of
    /// it plus a margin); `otherwise`, for the names no rule reads.
    static func start(
        store: SeriesStore, files: StateFiles?, retention: [String: Int64], otherwise: Int64, clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) {
        worker.start {
            var lastWrite = clock()
            while worker.pause(60) {
                let now = clock()
                let removed = store.dropBefore { labels in now - (retention[labels.name] ?? otherwise) }
                if removed > 0 { logger.debug("retention removed series", metadata: ["series": "\(removed)"]) }
                if let files, now - lastWrite >= 5 * 60_000 {
                    lastWrite = now
                    write(store, files, logger)
                }
            }
        }
    }

    static func stop(store: SeriesStore, files: StateFiles?, logger: Logger) {
        worker.stop()
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
