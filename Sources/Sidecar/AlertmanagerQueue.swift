import FoundationEssentials
import HTTPClient
import Logging
import PromModel
import Workers

/// The alerts waiting for one Alertmanager, and the thread that delivers them: a dead
/// Alertmanager holds up only its own queue. Bounded (the oldest alerts go first when it is
/// full, counted as dropped); a newer state of an alert replaces the one waiting. A POST that
/// fails in a way that can succeed later (a transport error, a 5xx, a 429) keeps its alerts
/// and is retried with backoff (1 s, doubling, at most 30 s), as is one whose credentials
/// could not be read (nothing was sent); a 4xx other than 429 (the Alertmanager rejects the
/// batch and would reject it again) drops the batch, counted and logged once, so one bad
/// batch never blocks the queue.
package final class AlertmanagerQueue: Sendable {
    /// `scheme://host:port/prefix/api/v2/alerts`.
    package let url: String
    private let config: SidecarConfig.AlertmanagerConfig
    private let capacity: Int
    private let logger: Logger
    private let state = Locked(State())
    private let worker: WorkerThread
    /// Aborts a POST still in flight when the shutdown deadline passes.
    private let cancellation = TransferCancellation()
    /// What sends a POST; nil: libcurl (``HTTPTransfer``). Tests inject a fake Alertmanager here.
    private let transport: Transport?

    /// Sends one request and returns the answer: the seam between the queue and the network.
    package typealias Transport = @Sendable (HTTPRequest) throws(HTTPFailure) -> HTTPResponse
    /// Prometheus's batch size.
    static let maxBatch = 64

    /// Counts for `/metrics`, as Prometheus's notifier names them.
    package struct Counts: Sendable {
        /// Alerts delivered (`ctlmon_notifications_sent_total`).
        package var sent = 0
        /// POSTs that failed, retried or not (`ctlmon_notifications_errors_total`).
        package var errors = 0
        /// Alerts pushed out of a full queue, oldest first
        /// (`ctlmon_notifications_dropped_total{reason="queue_full"}`).
        package var droppedFull = 0
        /// Alerts in batches the Alertmanager rejected with a 4xx other than 429
        /// (`ctlmon_notifications_dropped_total{reason="rejected"}`).
        package var droppedRejected = 0
        /// Alerts given up, for either reason.
        package var dropped: Int { droppedFull + droppedRejected }
        /// Alerts waiting (`ctlmon_notifications_queue_length`).
        package var queueLength = 0
        /// The last failure, for people.
        package var lastError = ""
    }

    private struct State {
        var order: [String] = []
        var items: [String: AlertPayload] = [:]
        var counts = Counts()
        /// Set by ``stop(deadline:)``: deliver what is held until then.
        var deadline: ContinuousClock.Instant? = nil
    }

    init(url: String, config: SidecarConfig.AlertmanagerConfig, capacity: Int, logger: Logger, transport: Transport? = nil) {
        self.transport = transport
        self.url = url
        self.config = config
        self.capacity = capacity
        self.logger = logger
        worker = WorkerThread(name: "notify \(url)")
    }

    /// The queue's counts now, its length included.
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
                if s.items.removeValue(forKey: oldest) != nil { s.counts.droppedFull += 1 }
            }
        }
        worker.wake()
    }

    func start() { worker.start { [self] in run() } }

    /// Asks the thread to deliver what it holds until `deadline` (monotonic: a wall-clock
    /// step during shutdown neither cuts it short nor stretches it), then end; does not wait
    /// (``finishStop(deadline:)`` does). Every queue is told before any is waited for.
    func beginStop(deadline: ContinuousClock.Instant) {
        state.withLock { $0.deadline = deadline }
        worker.wake()
    }

    /// Waits for the thread until `deadline`; a POST still in flight then is aborted.
    func finishStop(deadline: ContinuousClock.Instant) {
        if !worker.join(until: deadline) {
            cancellation.cancel()
            worker.requestStop()
            worker.join()
        }
    }

    /// Removes the delivered (or dropped) alerts of `batch`, unless a newer state of one
    /// replaced it meanwhile.
    private func remove(_ batch: [AlertPayload], _ s: inout State) {
        for a in batch where s.items[a.identity]?.endsAt == a.endsAt && s.items[a.identity]?.startsAt == a.startsAt {
            s.items[a.identity] = nil
        }
        s.order.removeAll { s.items[$0] == nil }
    }

    private func run() {
        let transfer = HTTPTransfer(cancellation: cancellation)
        func viaLibcurl(_ request: HTTPRequest) throws(HTTPFailure) -> HTTPResponse {
            do {
                return try transfer.perform(request) { _ in }
            } catch let failure as HTTPFailure {
                throw failure
            } catch {
                throw HTTPFailure(reason: .other, message: "\(error)")
            }
        }
        let send: (HTTPRequest) throws(HTTPFailure) -> HTTPResponse
        if let transport { send = transport } else { send = viaLibcurl }
        var backoff = 1.0
        var rejectedBefore = false
        while !worker.isStopping {
            let (batch, deadline) = state.withLock { s -> ([AlertPayload], ContinuousClock.Instant?) in
                (s.order.prefix(Self.maxBatch).compactMap { s.items[$0] }, s.deadline)
            }
            if batch.isEmpty {
                if deadline != nil { return }
                worker.pause(3600)
                continue
            }
            if let deadline, ContinuousClock.now >= deadline {
                let left = state.withLock { $0.items.count }
                logger.warning("notifier stopped with alerts undelivered", metadata: ["alertmanager": "\(url)", "count": "\(left)"])
                return
            }
            do throws(HTTPFailure) {
                try post(batch, send)
                state.withLock { s in
                    remove(batch, &s)
                    s.counts.sent += batch.count
                }
                backoff = 1
            } catch let error where error.isRejection {
                // The Alertmanager refuses this batch and would refuse it again: drop it, count it.
                state.withLock { s in
                    remove(batch, &s)
                    s.counts.errors += 1
                    s.counts.droppedRejected += batch.count
                    s.counts.lastError = error.message
                }
                if !rejectedBefore {
                    logger.error("alerts rejected by the Alertmanager; dropped (counted in ctlmon_notifications_dropped_total, logged once)",
                                 metadata: ["alertmanager": "\(url)", "error": "\(error)", "alerts": "\(batch.count)"])
                    rejectedBefore = true
                }
            } catch let error where error.reason == .canceled {
                // The shutdown deadline passed with this POST in flight: what is held stays undelivered.
                return
            } catch {
                state.withLock { s in
                    s.counts.errors += 1
                    s.counts.lastError = error.message
                }
                logger.warning("could not send alerts", metadata: ["alertmanager": "\(url)", "error": "\(error)", "retry_in_s": "\(backoff)"])
                let wait = deadline.map { min(backoff, max(0, ContinuousClock.now.duration(to: $0).inSeconds)) } ?? backoff
                // Woken early by new alerts: retried at once with them (a newer state may fix it).
                worker.pause(wait)
                backoff = min(backoff * 2, 30)
            }
        }
    }

    private func post(_ alerts: [AlertPayload], _ send: (HTTPRequest) throws(HTTPFailure) -> HTTPResponse) throws(HTTPFailure) {
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
        let (target, connectTo) = config.endpoint(url)
        var request = HTTPRequest(url: target)
        request.connectTo = connectTo
        request.method = .post(body: Array(w.output.utf8), contentType: "application/json")
        request.headers = ["User-Agent: \(BuildVersion.userAgent)"]
        request.timeout = config.timeout
        request.tls = config.tls
        request.bearerToken = config.bearerToken
        let response = try send(request)
        guard (200..<300).contains(response.status) else { throw HTTPFailure.status(response.status) }
    }
}
