import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// SIGHUP, as Prometheus reads it: reload the config. The signal's default action (ending
/// the process) is replaced from ``start()`` on; each SIGHUP runs `action` on a queue of its
/// own, one after the other.
final class Hangups: @unchecked Sendable {
    // Sendable: the source is set up in init and only resumed and cancelled after, which
    // Dispatch allows from any thread.
    private let source: any DispatchSourceSignal
    private let queue = DispatchQueue(label: "ctlmon.sighup")

    init(_ action: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        source.setEventHandler(handler: action)
    }

    /// Takes SIGHUP over from its default action.
    func start() {
        signal(SIGHUP, SIG_IGN)
        source.resume()
    }

    /// Stops listening; a SIGHUP is ignored from now on.
    func stop() { source.cancel() }
}
