import Foundation
import Logging
import PromQL
import Scraper
import Synchronization

/// The alerts waiting for one Alertmanager, and the thread that delivers them: a dead
/// Alertmanager holds up only its own queue. Bounded (the oldest alerts go first when it is
/// full, counted as dropped); a newer state of an alert replaces the one waiting; a failed
/// POST keeps its alerts and is retried with backoff (1 s, doubling, at most 30 s).
package final class AlertmanagerQueue: Sendable {
    package let url: String
    private let config: SidecarConfig.AlertmanagerConfig
    private let capacity: Int
    private let logger: Logger
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    /// Prometheus's batch size.
    static let maxBatch = 64

    /// Counts for `/metrics`, as Prometheus's notifier names them.
    package struct Counts: Sendable {
        package var sent = 0
        package var errors = 0
        package var dropped = 0
        package var queueLength = 0
        package var lastError = ""
    }

    private struct State {
        var order: [String] = []
        var items: [String: AlertPayload] = [:]
        var counts = Counts()
        var stopping = false
        var deadline: ContinuousClock.Instant? = nil
        var finished = false
        var started = false
    }

    init(url: String, config: SidecarConfig.AlertmanagerConfig, capacity: Int, logger: Logger) {
        self.url = url
        self.config = config
        self.capacity = capacity
        self.logger = logger
    }

    package var counts: Counts {
        state.withLock { s in
            var c = s.counts
            c.queueLength = s.items.count
            return c
        }
    }

    /// Adds alerts; an alert already waiting is replaced by its newer state.
    func enqueue(_ alerts: [AlertPayload]) {
        state.withLock { s in
            for a in alerts {
                if s.items[a.identity] == nil { s.order.append(a.identity) }
                s.items[a.identity] = a
            }
            while s.items.count > capacity, let oldest = s.order.first {
                s.order.removeFirst()
                if s.items.removeValue(forKey: oldest) != nil { s.counts.dropped += 1 }
            }
        }
        wake.signal()
    }

    func start() {
        state.withLock { $0.started = true }
        let thread = Thread { [self] in run() }
        thread.name = "notify \(url)"
        thread.start()
    }

    /// Asks the thread to deliver what it holds until `deadline` (monotonic: a wall-clock
    /// step during shutdown neither cuts it short nor stretches it), then end; waits for it.
    func stop(deadline: ContinuousClock.Instant) {
        guard state.withLock({ $0.started }) else { return }
        state.withLock {
            $0.stopping = true
            $0.deadline = deadline
        }
        wake.signal()
        while !state.withLock({ $0.finished }) && ContinuousClock.now < deadline + .seconds(2) { Thread.sleep(forTimeInterval: 0.02) }
    }

    private func run() {
        defer { state.withLock { $0.finished = true } }
        let transfer = HTTPTransfer()
        var backoff = 1.0
        while true {
            let (batch, stopping, deadline) = state.withLock { s -> ([AlertPayload], Bool, ContinuousClock.Instant?) in
                let ids = s.order.prefix(Self.maxBatch)
                return (ids.compactMap { s.items[$0] }, s.stopping, s.deadline)
            }
            if batch.isEmpty {
                if stopping { return }
                _ = wake.wait(timeout: .now() + 1)
                continue
            }
            if stopping, let deadline, ContinuousClock.now >= deadline {
                let left = state.withLock { $0.items.count }
                logger.warning("notifier stopped with alerts undelivered", metadata: ["alertmanager": "\(url)", "count": "\(left)"])
                return
            }
            do {
                try post(batch, transfer)
                state.withLock { s in
                    for a in batch where s.items[a.identity]?.endsAt == a.endsAt && s.items[a.identity]?.startsAt == a.startsAt {
                        // Delivered, unless a newer state replaced it meanwhile.
                        s.items[a.identity] = nil
                    }
                    s.order.removeAll { s.items[$0] == nil }
                    s.counts.sent += batch.count
                }
                backoff = 1
            } catch {
                state.withLock { s in
                    s.counts.errors += 1
                    s.counts.lastError = "\(error)"
                }
                logger.warning("could not send alerts", metadata: ["alertmanager": "\(url)", "error": "\(error)", "retry_in_s": "\(backoff)"])
                let wait = stopping ? min(backoff, max(0, deadline.map { Self.seconds(ContinuousClock.now.duration(to: $0)) } ?? 0)) : backoff
                _ = wake.wait(timeout: .now() + wait)
                backoff = min(backoff * 2, 30)
            }
        }
    }

    /// A monotonic duration in seconds (negative when the deadline has passed).
    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    private func post(_ alerts: [AlertPayload], _ transfer: HTTPTransfer) throws {
        var w = JSONWriter()
        w.beginArray()
        for a in alerts {
            w.beginObject()
            w.beginObject("annotations")
            for (k, v) in a.annotations.sorted(by: { $0.key < $1.key }) { w.value(k, v) }
            w.endObject()
            w.value("endsAt", RFC3339.format(milliseconds: a.endsAt))
            w.value("startsAt", RFC3339.format(milliseconds: a.startsAt))
            w.value("generatorURL", a.generatorURL)
            w.beginObject("labels")
            for (k, v) in a.labels.sorted(by: { $0.key < $1.key }) { w.value(k, v) }
            w.endObject()
            w.endObject()
        }
        w.endArray()
        var request = HTTPTransfer.Request(url: url)
        request.method = .post(body: Array(w.output.utf8), contentType: "application/json")
        request.headers = ["Content-Type: application/json", "User-Agent: ctlmon/0.1"]
        request.timeout = config.timeout
        request.tls = config.tls
        if let file = config.bearerTokenFile, let data = FileManager.default.contents(atPath: file) {
            request.headers.append("Authorization: Bearer \(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        } else if let token = config.bearerToken {
            request.headers.append("Authorization: Bearer \(token)")
        }
        let response = try transfer.perform(request) { _ in }
        guard (200..<300).contains(response.status) else {
            throw ScrapeFailure(reason: response.status >= 500 ? .http5xx : .http4xx, message: "HTTP status \(response.status)")
        }
    }
}
