import CtlmonTestSupport
import Foundation
import HTTPClient
import PromModel
import SeriesStorage
import Testing
import Workers

@testable import RemoteWrite

@Suite("remote write: the sender")
struct RemoteWriteQueueTests {
    /// A receiver in the test process: answers each request with the status `answer` gives for
    /// its number, and keeps the bodies it took (2xx).
    final class StandIn: @unchecked Sendable {
        let taken = Locked<[[UInt8]]>([])
        let requests = Locked<[HTTPRequest]>([])
        let answer: @Sendable (Int, [UInt8]) -> Int

        init(answer: @escaping @Sendable (Int, [UInt8]) -> Int) { self.answer = answer }

        func send(_ request: HTTPRequest, _: HTTPTransfer) throws -> (HTTPResponse, String) {
            guard case .post(let body, _) = request.method else { throw HTTPFailure(reason: .other, message: "not a POST") }
            let n = requests.withLock { r -> Int in
                r.append(request)
                return r.count
            }
            let status = answer(n, body)
            if status == 0 { throw HTTPFailure(reason: .connectionRefused, message: "connection refused") }
            if (200..<300).contains(status) { taken.withLock { $0.append(body) } }
            return (HTTPResponse(status: status), status == 400 ? "out of bounds" : "")
        }
    }

    static func config(minShards: Int = 1, maxShards: Int = 8, perSend: Int = 100) -> RemoteWriteConfig {
        var c = RemoteWriteConfig(url: "http://127.0.0.1:1/api/v1/write")
        c.name = "test"
        c.queue.minShards = minShards
        c.queue.maxShards = maxShards
        c.queue.maxSamplesPerSend = perSend
        c.queue.batchSendDeadline = 0.05
        c.queue.minBackoff = 0.01
        c.queue.maxBackoff = 0.05
        c.headers = [("X-Scope-OrgID", "team-a")]
        return c
    }

    @Test("every sample arrives once, each series in time order across 4 shards, with the protocol's headers; the cursor ends at the end")
    func deliversInOrderAcrossShards() throws {
        let folder = try Components.temporaryFolder("rw-queue")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = try SampleLogTests.open(folder)
        let store = SeriesStore()
        store.setTap(log)
        let receiver = StandIn { _, _ in 204 }
        let queue = RemoteWriteQueue(config: Self.config(minShards: 4), log: log, send: receiver.send)
        queue.start()
        defer { queue.stop() }
        for t in 0..<60 { for k in 0..<40 { store.append(SampleLogTests.labels("m", k), timestamp: Int64(t) * 15_000, value: Double(t)) } }
        #expect(Deadline.wait(upTo: 30) { log.counts.pending == 0 && queue.counters.samplesTotal == 2400 })
        let decoded = try IndependentDecoder.decode(receiver.taken.withLock { $0 }).flatMap { $0 }
        var bySeries: [String: [Int64]] = [:]
        for s in decoded { bySeries["\(s.labels)", default: []] += s.samples.map { Int64($0[0])! } }
        #expect(bySeries.count == 40)
        #expect(bySeries.values.allSatisfy { $0 == (0..<60).map { Int64($0) * 15_000 } })
        let request = try #require(receiver.requests.withLock { $0.first })
        for h in ["Content-Encoding: snappy", "X-Prometheus-Remote-Write-Version: 0.1.0", "X-Scope-OrgID: team-a"] {
            #expect(request.headers.contains(h), "\(request.headers)")
        }
        guard case .post(_, let contentType) = request.method else { return }
        #expect(contentType == "application/x-protobuf")
        #expect(queue.counters.samplesFailed == 0 && queue.counters.newestSent == 59 * 15_000)
    }

    @Test("5xx and transport failures are retried with backoff until taken (counted as retried); a 400 costs that request's samples (counted as failed) and nothing else")
    func retriesAndRefusals() throws {
        let folder = try Components.temporaryFolder("rw-retry")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = try SampleLogTests.open(folder)
        let store = SeriesStore()
        store.setTap(log)
        // Requests 1 and 3 answer 503, the second finds no one listening; then the one holding
        // the series "poison" is answered 400 for good.
        let receiver = StandIn { n, body in
            if n <= 3 { return n == 2 ? 0 : 503 }
            let text = String(decoding: Snappy.uncompress(body, limit: 1 << 24) ?? [], as: UTF8.self)
            return text.contains("poison") ? 400 : 200
        }
        let queue = RemoteWriteQueue(config: Self.config(perSend: 10), log: log, send: receiver.send)
        for t in 0..<20 {
            for k in 0..<3 { store.append(SampleLogTests.labels("m", k), timestamp: Int64(t), value: 1) }
        }
        store.append(SampleLogTests.labels("poison", 0), timestamp: 100, value: 1)
        for k in 0..<3 { store.append(SampleLogTests.labels("m", k), timestamp: 200, value: 2) }
        queue.start()
        defer { queue.stop() }
        #expect(Deadline.wait(upTo: 30) { log.counts.pending == 0 && queue.counters.samplesTotal == 64 })
        let c = queue.counters
        #expect(c.samplesRetried == 30 && c.requests["5xx"] == 2 && c.requests["error"] == 1)
        #expect(c.samplesFailed >= 1 && c.samplesFailed <= 10 && c.lastError?.contains("400: out of bounds") == true)
        let decoded = try IndependentDecoder.decode(receiver.taken.withLock { $0 }).flatMap { $0 }
        let delivered = decoded.reduce(0) { $0 + $1.samples.count }
        #expect(delivered + c.samplesFailed == 64)
        #expect(!decoded.contains { $0.labels.contains(["__name__", "poison"]) })
    }

    @Test("stopped while the receiver is down, nothing is acknowledged: a new queue on the same buffer sends it all")
    func stopKeepsUnsentOnDisk() throws {
        let folder = try Components.temporaryFolder("rw-stop")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let log = try SampleLogTests.open(folder)
            let store = SeriesStore()
            store.setTap(log)
            let down = StandIn { _, _ in 503 }
            let queue = RemoteWriteQueue(config: Self.config(), log: log, send: down.send)
            queue.start()
            for t in 0..<30 { store.append(SampleLogTests.labels("m", 0), timestamp: Int64(t), value: 1) }
            #expect(Deadline.wait(upTo: 30) { down.requests.withLock { $0.count } >= 2 })
            queue.stop()
            log.close()
        }
        let log = try SampleLogTests.open(folder)
        #expect(log.counts.pending == 30)
        let up = StandIn { _, _ in 200 }
        let queue = RemoteWriteQueue(config: Self.config(), log: log, send: up.send)
        queue.start()
        defer { queue.stop() }
        #expect(Deadline.wait(upTo: 30) { log.counts.pending == 0 })
        let decoded = try IndependentDecoder.decode(up.taken.withLock { $0 }).flatMap { $0 }
        #expect(decoded.flatMap(\.samples).map { Int64($0[0])! } == (0..<30).map { Int64($0) })
    }
}
