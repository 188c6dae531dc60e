import CtlmonTestSupport
import Foundation
import HTTPClient
import Logging
@testable import Sidecar
import Testing

/// One Alertmanager's queue against scripts/fake-alertmanager.py: what is retried, what is
/// dropped and counted, and that nothing goes out without its credentials. Every wait is for
/// an outcome (a count, a post), never for a time.
@Suite("Alertmanager queue")
struct AlertmanagerQueueTests {
    static func payload(_ name: String) -> AlertPayload {
        AlertPayload(
            labels: ["alertname": name], annotations: [:], startsAt: 1_800_000_000_000, endsAt: 1_800_000_240_000,
            generatorURL: "http://test/graph", identity: "g/\(name){}")
    }

    /// A queue for the fake Alertmanager at `address`, started.
    static func queue(_ address: String, token: BearerToken? = nil) -> AlertmanagerQueue {
        var config = SidecarConfig.AlertmanagerConfig()
        config.targets = [address]
        config.timeout = 60
        config.bearerToken = token
        let q = AlertmanagerQueue(url: config.urls[0], config: config, capacity: 100, logger: Logger(label: "test"))
        q.start()
        return q
    }

    static func attempts(_ address: String) throws -> Int { Int(try HTTP.get("http://\(address)/-/attempts").1) ?? -1 }

    @Test("a batch the Alertmanager rejects (400) is dropped and counted at once, never retried; the queue goes on")
    func rejectedIsDropped() throws {
        let (am, address) = try Components.fakeAlertmanager()
        defer { am.stop() }
        _ = try HTTP.get("http://\(address)/-/fail?on=1&status=400")
        let q = Self.queue(address)
        defer { q.beginStop(deadline: .now + .seconds(5)); q.finishStop(deadline: .now + .seconds(5)) }
        q.enqueue([Self.payload("Rejected")])
        #expect(Deadline.wait(upTo: 60) { q.counts.dropped == 1 && q.counts.queueLength == 0 }, "\(q.counts)")
        #expect(try Self.attempts(address) == 1)
        // The next alert is delivered; the rejected one was not tried again.
        _ = try HTTP.get("http://\(address)/-/fail?on=0")
        q.enqueue([Self.payload("Next")])
        #expect(Deadline.wait(upTo: 60) { q.counts.sent == 1 }, "\(q.counts)")
        #expect(try Self.attempts(address) == 2)
        #expect(q.counts.errors == 1 && q.counts.dropped == 1)
    }

    @Test("429 and 5xx are retried until they succeed: nothing dropped", arguments: [429, 503])
    func retried(_ status: Int) throws {
        let (am, address) = try Components.fakeAlertmanager()
        defer { am.stop() }
        _ = try HTTP.get("http://\(address)/-/fail?on=1&status=\(status)")
        let q = Self.queue(address)
        defer { q.beginStop(deadline: .now + .seconds(5)); q.finishStop(deadline: .now + .seconds(5)) }
        q.enqueue([Self.payload("Retried")])
        #expect(Deadline.wait(upTo: 60) { ((try? Self.attempts(address)) ?? 0) >= 2 }, "not retried")
        _ = try HTTP.get("http://\(address)/-/fail?on=0")
        #expect(Deadline.wait(upTo: 120) { q.counts.sent == 1 }, "\(q.counts)")
        #expect(q.counts.dropped == 0 && q.counts.errors >= 2)
        let posts = try HTTP.json("http://\(address)/-/posts") as? [[String: Any]] ?? []
        #expect(posts.count == 1)
    }

    @Test("a token file that cannot be read: nothing is sent, nothing dropped; delivered once the file is there")
    func credentialsRetried() throws {
        let (am, address) = try Components.fakeAlertmanager()
        defer { am.stop() }
        let folder = try Components.temporaryFolder("am-token")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let q = Self.queue(address, token: .file(folder + "/token"))
        defer { q.beginStop(deadline: .now + .seconds(5)); q.finishStop(deadline: .now + .seconds(5)) }
        q.enqueue([Self.payload("Authorized")])
        #expect(Deadline.wait(upTo: 60) { q.counts.errors >= 1 }, "\(q.counts)")
        #expect(q.counts.dropped == 0 && q.counts.lastError.contains("bearer token file"))
        #expect(try Self.attempts(address) == 0)
        try "am-token\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        #expect(Deadline.wait(upTo: 120) { q.counts.sent == 1 }, "\(q.counts)")
    }
}
