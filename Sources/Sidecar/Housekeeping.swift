import FoundationEssentials
import Logging
import PromModel
import SeriesStorage
import Workers

/// Retention and the history on disk: every minute, each metric's samples older than the
/// longest range the rules read it with (plus a margin) are dropped; every five minutes
/// (monotonic), and at shutdown, the store is written under `--storage.path` so that a
/// restart keeps what the rules need (the 4 h a growth rule reads, say). After each run, the
/// allocator's free pages go back to the system (``Allocator``).
final class Housekeeping: Sendable {
    private let store: SeriesStore
    private let files: StateFiles?
    /// How long each metric is kept, and the rest (milliseconds): replaced by a reload.
    private let keep: Locked<(retention: [String: Int64], otherwise: Int64)>
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    private let worker = WorkerThread(name: "housekeeping")

    /// `retention`: how long the samples of a metric are kept (milliseconds), by name (the
    /// rules' reach of it plus a margin); `otherwise`, for the names no rule reads. `clock`:
    /// the time samples are measured against (Unix milliseconds).
    init(
        store: SeriesStore, files: StateFiles?, retention: [String: Int64], otherwise: Int64, clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) {
        self.store = store
        self.files = files
        keep = Locked((retention, otherwise))
        self.clock = clock
        self.logger = logger
    }

    /// Starts the thread: retention every minute, the series file every five.
    func start() {
        worker.start { [self] in
            var lastWrite = ContinuousClock.now
            while worker.pause(60) {
                let now = clock()
                let (retention, otherwise) = keep.withLock { $0 }
                let removed = store.dropBefore { labels in now - (retention[labels.name] ?? otherwise) }
                if removed > 0 { logger.debug("retention removed series", metadata: ["series": "\(removed)"]) }
                if files != nil, lastWrite.secondsElapsed >= 300 {
                    lastWrite = .now
                    write()
                }
                Allocator.returnFreeMemory()
            }
        }
    }

    /// The retention of a reloaded config's rules, from the next run on.
    func update(retention: [String: Int64], otherwise: Int64) { keep.withLock { $0 = (retention, otherwise) } }

    /// Stops the thread, then writes the series file a last time.
    func stop() {
        worker.stop()
        write()
    }

    private func write() {
        guard let files else { return }
        do {
            try files.writeSeries(store)
        } catch {
            logger.error("could not write the series file", metadata: ["error": "\(error)"])
        }
    }
}
