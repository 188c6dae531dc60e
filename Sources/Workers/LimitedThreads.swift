import Dispatch
import PromModel

/// Runs blocking work — a PromQL evaluation for the HTTP API — on threads of its own, at most
/// `limit` at once, the rest waiting their turn in arrival order (Prometheus's
/// `--query.max-concurrency`).
///
/// Async callers await the result without holding an executor thread: the HTTP server's
/// threads stay free for health checks and `/metrics` however long the work takes. A job
/// still waiting when its deadline passes is not run: the caller gets nil (Prometheus's
/// "query timed out in query queue"). Each job gets a new thread (a few tens of microseconds,
/// nothing next to an evaluation) with an 8 MiB stack, as deep as the main thread's.
package final class LimitedThreads: Sendable {
    /// The most jobs running at once.
    package let limit: Int
    private let state = Locked(State())

    private struct State {
        var running = 0
        var waiting: [Job] = []
        var nextID: UInt64 = 0
    }

    /// A job waiting for a thread: what to run, and when it no longer may start.
    private struct Job {
        var id: UInt64 = 0
        let deadline: ContinuousClock.Instant
        let body: @Sendable (_ late: Bool) -> Void
    }

    /// A pool that runs at most `limit` jobs at once (at least one).
    package init(limit: Int) { self.limit = max(1, limit) }

    /// Jobs running now, and jobs waiting for a thread.
    package var counts: (running: Int, waiting: Int) { state.withLock { ($0.running, $0.waiting.count) } }

    /// Runs `work` on a thread of its own once fewer than ``limit`` jobs run; nil when
    /// `deadline` passed before it could start.
    package func run<T: Sendable>(deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            enqueue(Job(deadline: deadline) { late in
                continuation.resume(returning: late ? nil : work())
            })
        }
    }

    private func enqueue(_ job: Job) {
        var job = job
        let start = state.withLock { s -> Bool in
            if s.running < limit {
                s.running += 1
                return true
            }
            s.nextID += 1
            job.id = s.nextID
            s.waiting.append(job)
            return false
        }
        if start {
            launch(job)
            return
        }
        // Answered at its deadline if no thread freed up by then.
        let id = job.id
        let left = ContinuousClock.now.duration(to: job.deadline).components
        let wait = max(0, Double(left.seconds) + Double(left.attoseconds) * 1e-18)
        DispatchQueue.global().asyncAfter(deadline: .now() + wait) { [self] in
            let expired = state.withLock { s -> Job? in
                guard let i = s.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiting.remove(at: i)
            }
            expired?.body(true)
        }
    }

    /// Runs `job` on a new thread; as it ends, the next waiting job takes its place (those
    /// whose deadline passed meanwhile are answered at once, without a thread).
    private func launch(_ job: Job) {
        DetachedThread.start(name: "query", stackSize: 8 << 20) { [self] in
            job.body(ContinuousClock.now >= job.deadline)
            var next = finish()
            while let late = next, ContinuousClock.now >= late.deadline {
                late.body(true)
                next = finish()
            }
            if let next { launch(next) }
        }
    }

    /// The job that takes the slot just freed, or nil (the slot is given back).
    private func finish() -> Job? {
        state.withLock { s -> Job? in
            if s.waiting.isEmpty {
                s.running -= 1
                return nil
            }
            return s.waiting.removeFirst()
        }
    }
}
