import Foundation
import Synchronization

/// A sidecar component's own thread: started, told to stop, and waited for. The one home of
/// the start/stop/wake handshake that the rule loop, discovery, housekeeping and the
/// webhook-configuration watcher share: `stop()` wakes the thread from its ``pause(_:)`` at
/// once and returns only after the body has returned, so a component never outlives its stop.
final class WorkerThread: Sendable {
    private let name: String
    private let state = Mutex<(stopping: Bool, finished: Bool)>((false, true))
    private let wake = DispatchSemaphore(value: 0)

    init(name: String) { self.name = name }

    /// Runs `body` on a new thread named for the component. The body returns when
    /// ``pause(_:)`` says so (or it sees ``isStopping``).
    func start(_ body: @escaping @Sendable () -> Void) {
        state.withLock { $0 = (false, false) }
        let thread = Thread { [self] in
            defer { state.withLock { $0.finished = true } }
            body()
        }
        thread.name = name
        thread.start()
    }

    /// Whether ``stop()`` was called.
    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Waits `seconds` (or less: ``stop()`` wakes it); false when the thread must return.
    @discardableResult
    func pause(_ seconds: Double) -> Bool {
        if seconds > 0 { _ = wake.wait(timeout: .now() + seconds) }
        return !isStopping
    }

    /// Asks the thread to stop, wakes it, and returns once its body has returned (at once
    /// when it was never started).
    func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
        while !state.withLock({ $0.finished }) { Thread.sleep(forTimeInterval: 0.01) }
    }
}
