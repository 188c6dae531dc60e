import Logging
import RemoteWrite
import SeriesStorage
import Workers

/// The remote-write destinations in service, replaceable by a config reload: the store's
/// ``SampleTap`` hands each write to the destinations current at that moment. A reload that
/// changes `remote_write` stops the old senders (a request in flight is aborted: the buffer
/// keeps it), seals their buffers, and opens the new ones — a destination kept under the same
/// name goes on from its buffer's cursor, so nothing is lost or sent twice by a reload. Writes
/// wait while the destinations are swapped.
package final class RemoteWriteService: SampleTap, Sendable {
    private let current = Locked<(writing: RemoteWriting?, configs: [RemoteWriteConfig], external: [String: String])>((nil, [], [:]))
    private let started = Locked(false)
    private let make: @Sendable ([RemoteWriteConfig], [String: String]) throws -> RemoteWriting?
    private let store: SeriesStore

    /// `make` opens the destinations of a config's `remote_write` and external labels (nil:
    /// none); `store` is tapped while there are destinations (and only then: without them, its
    /// writes collect nothing).
    init(store: SeriesStore, make: @escaping @Sendable ([RemoteWriteConfig], [String: String]) throws -> RemoteWriting?) {
        self.store = store
        self.make = make
    }

    /// The destinations in service (nil: none).
    package var writing: RemoteWriting? { current.withLock { $0.writing } }

    /// What identifies a config's destinations: their settings as printed.
    static func signature(_ configs: [RemoteWriteConfig], _ external: [String: String]) -> String {
        String(reflecting: configs) + String(reflecting: external.sorted { $0.key < $1.key })
    }

    /// Opens the destinations of a config (before the start; a reload calls ``replace``).
    func open(_ configs: [RemoteWriteConfig], externalLabels: [String: String]) throws {
        let w = try make(configs, externalLabels)
        current.withLock { $0 = (w, configs, externalLabels) }
        store.setTap(w == nil ? nil : self)
    }

    /// Replaces the destinations when `configs` or the external labels differ from those in
    /// service; false (the old ones kept) when the new ones cannot be opened.
    @discardableResult
    func replace(_ configs: [RemoteWriteConfig], externalLabels: [String: String], logger: Logger) -> Bool {
        let signature = Self.signature(configs, externalLabels)
        return current.withLock { c -> Bool in
            guard Self.signature(c.configs, c.external) != signature else { return true }
            let running = started.withLock { $0 }
            // The old senders stop and their buffers are sealed before the new ones open the
            // same folders.
            c.writing?.stop()
            do {
                let fresh = try make(configs, externalLabels)
                if running { fresh?.start() }
                c = (fresh, configs, externalLabels)
                store.setTap(fresh == nil ? nil : self)
                logger.info("remote_write reloaded", metadata: ["destinations": "\(configs.map(\.name).joined(separator: ","))"])
                return true
            } catch {
                logger.error("remote_write reload failed; the previous destinations are reopened", metadata: ["error": "\(error)"])
                do {
                    let again = try make(c.configs, c.external)
                    if running { again?.start() }
                    c.writing = again
                } catch {
                    logger.error("remote_write: the previous destinations cannot be reopened either; nothing is sent", metadata: ["error": "\(error)"])
                    c.writing = nil
                }
                store.setTap(c.writing == nil ? nil : self)
                return false
            }
        }
    }

    package func received(_ samples: [TappedSample]) {
        current.withLock { $0.writing?.received(samples) }
    }

    func start() {
        started.withLock { $0 = true }
        current.withLock { $0.writing?.start() }
    }

    func stop() {
        current.withLock { $0.writing?.stop() }
    }
}
