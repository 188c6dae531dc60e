import Dispatch
import PromModel

/// A loop on a thread of its own — a scrape loop, the rule loop, a notifier queue,
/// discovery, housekeeping — started, woken, told to stop, and waited for: the one home of
/// that handshake.
///
/// Nothing polls. The body waits in ``pause(_:)``, which returns when its time is up, when
/// ``wake()`` is called (new work: alerts queued, a target scraped) or when ``requestStop()``
/// is; ``join()`` blocks on a semaphore the thread signals as its body returns. Stopping
/// many loops together is ``requestStop()`` on each, then ``join()`` on each: they wind
/// down at once instead of one after another.
///
/// ```swift
/// let worker = WorkerThread(name: "discovery")
/// worker.start {
///     repeat { refresh() } while worker.pause(60)
/// }
/// …
/// worker.stop()   // wakes the pause at once, returns after the body has returned
/// ```
package final class WorkerThread: Sendable {
    private let name: String
    private let state = Locked(State())
    /// Signalled by ``wake()`` and ``requestStop()``: ends a ``pause(_:)`` early.
    private let woken = DispatchSemaphore(value: 0)
    /// Signalled once when the body returns; ``join()`` waits on it and passes it on.
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var started = false
        var stopping = false
        /// A wake-up is signalled and not yet consumed (wake-ups do not pile up).
        var wakePending = false
        /// Hooks run at ``requestStop()`` (to abort a transfer in flight, say).
        var onStop: [@Sendable () -> Void] = []
    }

    /// A worker whose thread is named `name` (in debuggers, and in the started-twice trap);
    /// nothing runs before ``start(_:)``.
    package init(name: String) { self.name = name }

    /// Runs `body` on a new thread named for the component. At most once per worker.
    package func start(_ body: @escaping @Sendable () -> Void) {
        let first = state.withLock { s -> Bool in
            defer { s.started = true }
            return !s.started
        }
        precondition(first, "WorkerThread \(name) started twice")
        DetachedThread.start(name: name) { [self] in
            body()
            finished.signal()
        }
    }

    /// Whether ``requestStop()`` was called.
    package var isStopping: Bool { state.withLock { $0.stopping } }

    /// Waits `seconds` at most: less when woken or stopped. Returns false when the body must
    /// return (a stop was requested). A body that needs its full wait checks its clock and
    /// pauses again: a wake-up ends a pause early by design.
    @discardableResult
    package func pause(_ seconds: Double) -> Bool {
        if state.withLock({ $0.stopping }) { return false }
        if seconds > 0 {
            let nanoseconds = seconds >= 1e9 ? Int.max : Int(seconds * 1e9)
            if woken.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success {
                state.withLock { $0.wakePending = false }
            }
        }
        return !isStopping
    }

    /// Ends the pause in progress (or the next one) early.
    package func wake() {
        let signal = state.withLock { s -> Bool in
            defer { s.wakePending = true }
            return !s.wakePending
        }
        if signal { woken.signal() }
    }

    /// Registers `hook` to run when a stop is requested (at once if one already was): how a
    /// loop blocked in something other than ``pause(_:)`` — a network transfer — is aborted.
    package func onStop(_ hook: @escaping @Sendable () -> Void) {
        let already = state.withLock { s -> Bool in
            if !s.stopping { s.onStop.append(hook) }
            return s.stopping
        }
        if already { hook() }
    }

    /// Asks the body to return: wakes its pause and runs the ``onStop(_:)`` hooks. Does not wait.
    package func requestStop() {
        let hooks = state.withLock { s -> [@Sendable () -> Void]? in
            guard !s.stopping else { return nil }
            s.stopping = true
            s.wakePending = true
            defer { s.onStop = [] }
            return s.onStop
        }
        guard let hooks else { return }
        woken.signal()
        for hook in hooks { hook() }
    }

    /// Waits until the body has returned (at once when the thread was never started).
    package func join() {
        guard state.withLock({ $0.started }) else { return }
        finished.wait()
        finished.signal()
    }

    /// Waits until the body has returned or `deadline` passes; whether it returned.
    package func join(until deadline: ContinuousClock.Instant) -> Bool {
        guard state.withLock({ $0.started }) else { return true }
        let left = ContinuousClock.now.duration(to: deadline).components
        let nanoseconds = max(0, min(left.seconds, 1_000_000_000)) * 1_000_000_000 + (left.seconds >= 0 ? left.attoseconds / 1_000_000_000 : 0)
        guard finished.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success else { return false }
        finished.signal()
        return true
    }

    /// ``requestStop()`` then ``join()``: returns once the body has returned.
    package func stop() {
        requestStop()
        join()
    }
}
