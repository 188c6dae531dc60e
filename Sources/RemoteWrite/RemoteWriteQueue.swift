import HTTPClient
import PromModel
import Workers

/// One `remote_write` destination: reads its ``SampleLog`` from the cursor and POSTs the
/// samples as remote write 1.0 requests (protobuf `WriteRequest`, snappy-compressed), moving
/// the cursor only once the receiver has taken them.
///
/// Rounds: a round reads up to `shards × max_samples_per_send` samples (sooner, when the
/// oldest has waited `batch_send_deadline`), splits them among the shards by series — a
/// series always goes to the same shard, so its samples arrive in time order — and sends each
/// shard's requests (at most `max_samples_per_send` samples each) on a thread of its own. The
/// next round begins when every shard is done: the cursor never passes a sample a receiver
/// has not answered. Shards double while more than ten rounds' worth waits (a backlog after an
/// outage) and halve when less than one does, between `min_shards` and `max_shards`.
///
/// Answers, as Prometheus treats them: 2xx sent; 5xx, a transport failure, and 429 with
/// `retry_on_http_429` retried with backoff (`min_backoff` doubling to `max_backoff`) for as
/// long as it takes — the samples wait on disk, not in memory; any other answer (a 4xx: the
/// receiver refuses these samples and always will) drops that request's samples, counted as
/// failed, and the queue goes on.
package final class RemoteWriteQueue: @unchecked Sendable {
    // Sendable: the reader and round state live on the worker thread; what other threads
    // read is in `stats` and `shardWorkers`, behind their locks.

    /// The destination's config.
    package let config: RemoteWriteConfig
    /// The buffer it sends from.
    package let log: SampleLog
    private let worker: WorkerThread
    private let cancellation = TransferCancellation()
    private let shardWorkers = Locked<[WorkerThread]>([])
    private let stats = Locked(Stats())
    private let send: @Sendable (HTTPRequest, HTTPTransfer) throws -> (HTTPResponse, String)
    private let signer: (@Sendable (inout HTTPRequest, [UInt8]) throws -> Void)?
    private let report: @Sendable (String) -> Void

    /// The queue's counters, as Prometheus's `prometheus_remote_storage_*` count them.
    package struct Stats: Sendable {
        /// Samples in requests that got an answer or failed for good (each request once).
        package var samplesTotal = 0
        /// Samples the receiver refused for good (a 4xx answer).
        package var samplesFailed = 0
        /// Samples sent again after a 5xx, a 429 (when retried) or a transport failure, per retry.
        package var samplesRetried = 0
        /// Compressed bytes the receiver took.
        package var bytesTotal = 0
        /// Requests by outcome: the status class (`2xx`, `4xx`, `5xx`) or `error`.
        package var requests: [String: Int] = [:]
        /// The newest sample time the receiver has taken (ms).
        package var newestSent: Int64 = 0
        /// Shards of the last round.
        package var shards = 0
        /// The last failure's message (status and the receiver's words), if any.
        package var lastError: String?
    }

    /// A queue for `config` over `log`, not started. `send` performs one request (tests give
    /// a stand-in); `signer` signs a request before each attempt (SigV4); `report` receives one
    /// line per kind of failure when it starts (the log).
    package init(
        config: RemoteWriteConfig, log: SampleLog,
        signer: (@Sendable (inout HTTPRequest, [UInt8]) throws -> Void)? = nil,
        report: @escaping @Sendable (String) -> Void = { _ in },
        send: (@Sendable (HTTPRequest, HTTPTransfer) throws -> (HTTPResponse, String))? = nil
    ) {
        self.config = config
        self.log = log
        self.signer = signer
        self.report = report
        self.send = send ?? Self.perform
        worker = WorkerThread(name: "remote-write-\(config.name)")
        shards = max(1, config.queue.minShards)
    }

    private var shards: Int

    /// The counters now.
    package var counters: Stats { stats.withLock { $0 } }

    /// Starts sending; the buffer's appends wake it.
    package func start() {
        log.onAppend { [worker] in worker.wake() }
        worker.onStop { [cancellation, shardWorkers] in
            cancellation.cancel()
            for w in shardWorkers.withLock({ $0 }) { w.requestStop() }
        }
        worker.start { [self] in run() }
    }

    /// Stops sending: a request in flight is aborted, and what the receiver has not confirmed
    /// stays in the buffer for the next run.
    package func stop() { worker.stop() }

    private func run() {
        var reader = SampleLogReader(log: log)
        var pending: [LogSample] = []
        var firstPending: ContinuousClock.Instant?
        let deadline = config.queue.batchSendDeadline
        let perSend = max(1, config.queue.maxSamplesPerSend)
        let transfer = HTTPTransfer(cancellation: cancellation)
        while !worker.isStopping {
            let want = shards * perSend
            if pending.count < want { pending += reader.read(max: want - pending.count) }
            if pending.isEmpty {
                if !worker.pause(deadline) { return }
                continue
            }
            let first = firstPending ?? .now
            firstPending = first
            let waited = first.secondsElapsed
            let full = pending.count >= want
            if !full && waited < deadline {
                if !worker.pause(deadline - waited) { return }
                continue
            }
            guard sendRound(pending, transfer: transfer) else { return }
            do {
                try log.acknowledge(reader.position)
            } catch {
                report("remote write \(config.name): cannot write the buffer's cursor: \(error)")
            }
            // More requests at once only when more than ten rounds wait (an outage's backlog,
            // not one scrape's burst: a round is milliseconds), fewer when less than one does.
            let backlog = log.counts.pending
            if full && backlog > 10 * want {
                shards = min(max(1, config.queue.maxShards), shards * 2)
            } else if backlog < want && pending.count < want / 2 {
                shards = max(max(1, config.queue.minShards), shards / 2)
            }
            pending = []
            firstPending = nil
        }
    }

    /// Sends one round: each shard's samples on a thread of its own (the caller's when one
    /// shard has them all). False when the queue is stopping before every shard is done.
    private func sendRound(_ samples: [LogSample], transfer: HTTPTransfer) -> Bool {
        var byShard = [[LogSample]](repeating: [], count: shards)
        for s in samples { byShard[Int(s.key % UInt64(shards))].append(s) }
        byShard.removeAll { $0.isEmpty }
        stats.withLock { $0.shards = shards }
        if byShard.count == 1 { return sendShard(byShard[0], transfer: transfer, worker: worker) }
        let workers = byShard.indices.map { WorkerThread(name: "remote-write-\(config.name)-\($0)") }
        shardWorkers.withLock { $0 = workers }
        if worker.isStopping { return false }
        let done = Locked(0)
        for (k, w) in workers.enumerated() {
            let part = byShard[k]
            w.start { [self] in
                if sendShard(part, transfer: HTTPTransfer(cancellation: cancellation), worker: w) { done.withLock { $0 += 1 } }
            }
        }
        for w in workers { w.join() }
        shardWorkers.withLock { $0 = [] }
        return done.withLock { $0 } == workers.count && !worker.isStopping
    }

    /// Sends one shard's samples in requests of `max_samples_per_send`, in order; false when
    /// stopped before the last was answered.
    private func sendShard(_ samples: [LogSample], transfer: HTTPTransfer, worker: WorkerThread) -> Bool {
        let perSend = max(1, config.queue.maxSamplesPerSend)
        var start = 0
        while start < samples.count {
            let part = samples[start..<min(start + perSend, samples.count)]
            guard sendRequest(part, transfer: transfer, worker: worker) else { return false }
            start += perSend
        }
        return true
    }

    /// The `WriteRequest` of `samples`: one `TimeSeries` per series, its samples in order.
    static func encode(_ samples: ArraySlice<LogSample>) -> (body: [UInt8], newest: Int64) {
        var groups: [(labels: [UInt8], points: [(t: Int64, v: Double)])] = []
        var first: [UInt64: Int] = [:]
        first.reserveCapacity(samples.count)
        var newest = Int64.min
        for s in samples {
            // The labels of one series share one buffer: comparing them is a pointer check.
            var k = first[s.key]
            if let found = k, groups[found].labels != s.labels { k = groups.firstIndex { $0.labels == s.labels } }
            if k == nil {
                k = groups.count
                groups.append((s.labels, []))
                if first[s.key] == nil { first[s.key] = k }
            }
            groups[k!].points.append((s.t, s.v))
            newest = max(newest, s.t)
        }
        var request = WriteRequest()
        for g in groups { request.addSeries(labels: g.labels, samples: g.points) }
        return (request.bytes, newest)
    }

    /// One request, retried until it is answered for good; false when stopped first.
    private func sendRequest(_ samples: ArraySlice<LogSample>, transfer: HTTPTransfer, worker: WorkerThread) -> Bool {
        let (body, newest) = Self.encode(samples)
        let compressed = Snappy.compress(body)
        var backoff = max(0.001, config.queue.minBackoff)
        var reported = false
        while true {
            if worker.isStopping { return false }
            let outcome: String
            var message: String?
            do {
                var request = try baseRequest(body: compressed)
                try signer?(&request, compressed)
                let (response, text) = try send(request, transfer)
                switch response.status {
                case 200..<300:
                    stats.withLock { s in
                        s.samplesTotal += samples.count
                        s.bytesTotal += compressed.count
                        s.requests["2xx", default: 0] += 1
                        s.newestSent = max(s.newestSent, newest)
                    }
                    return true
                case 500..<600:
                    outcome = "5xx"
                case 429 where config.queue.retryOnHTTP429:
                    outcome = "4xx"
                default:
                    let m = "\(response.status): \(text)"
                    stats.withLock { s in
                        s.samplesTotal += samples.count
                        s.samplesFailed += samples.count
                        s.requests[response.status < 500 && response.status >= 400 ? "4xx" : "error", default: 0] += 1
                        s.lastError = m
                    }
                    report("remote write \(config.name): \(samples.count) samples refused for good by \(config.url): \(m)")
                    return true
                }
                message = "\(response.status): \(text)"
            } catch {
                if worker.isStopping { return false }
                outcome = "error"
                message = "\(error)"
            }
            let m = message ?? outcome
            stats.withLock { s in
                s.samplesRetried += samples.count
                s.requests[outcome, default: 0] += 1
                s.lastError = m
            }
            if !reported {
                report("remote write \(config.name): \(config.url) failed (\(m)); retrying with backoff")
                reported = true
            }
            if !worker.pause(backoff) { return false }
            backoff = min(backoff * 2, max(config.queue.maxBackoff, config.queue.minBackoff))
        }
    }

    /// The request without its signature: URL (with `server_name`), headers, credentials, TLS.
    func baseRequest(body: [UInt8]) throws(HTTPFailure) -> HTTPRequest {
        let (url, connectTo) = config.endpoint
        var request = HTTPRequest(url: url)
        request.connectTo = connectTo
        request.method = .post(body: body, contentType: "application/x-protobuf")
        request.headers = [
            "Content-Encoding: snappy", "Content-Type: application/x-protobuf", "User-Agent: \(BuildVersion.userAgent)",
            "X-Prometheus-Remote-Write-Version: 0.1.0",
        ] + config.headers.map { "\($0.0): \($0.1)" }
        if let basic = config.basicAuth {
            let password = try basic.password.token()
            request.headers.append("Authorization: Basic " + Array((basic.username + ":" + password).utf8).base64)
        }
        request.timeout = config.remoteTimeout
        request.tls = config.tls
        request.bearerToken = config.bearerToken
        return request
    }

    /// Performs `request` on `transfer`; the answer's status, and its body's first 512 bytes
    /// (the receiver's reason for a refusal), on one line.
    static func perform(_ request: HTTPRequest, _ transfer: HTTPTransfer) throws -> (HTTPResponse, String) {
        var text: [UInt8] = []
        let response = try transfer.perform(request) { piece in
            var k = 0
            while k < piece.count && text.count < 512 {
                let b = piece[k]
                text.append(b == 10 || b == 13 ? 32 : b)
                k += 1
            }
        }
        while text.last == 32 { text.removeLast() }
        return (response, String(decoding: text, as: UTF8.self))
    }
}
