import CtlmonTestSupport
import Foundation
import HTTPClient
import Logging
import RuleEngine
@testable import Sidecar
import Testing
import Workers

/// The notifier with an injected transport and the evaluation times as its clock: which
/// alerts go out when, what a full queue drops, what replaces what, what a rejection does,
/// and what a stop delivers. Every wait is for an outcome.
@Suite("notifier")
struct NotifierTests {
    /// A fake Alertmanager: answers each POST with the next status of `statuses` (the last
    /// one repeats), records the alerts of the accepted ones.
    final class FakeAlertmanager: Sendable {
        private let state: Locked<(statuses: [Int], posts: [[[String: Any]]], attempts: Int, endpoints: [String])>
        /// Held until released: a POST in flight (nil: answer at once).
        let gate: DispatchSemaphore?

        init(_ statuses: [Int] = [200], gate: DispatchSemaphore? = nil) {
            state = Locked((statuses, [], 0, []))
            self.gate = gate
        }

        var transport: AlertmanagerQueue.Transport {
            { [self] request throws(HTTPFailure) -> HTTPResponse in
                gate?.wait()
                guard case .post(let body, _) = request.method else { return HTTPResponse(status: 405) }
                let alerts = (try? JSONSerialization.jsonObject(with: Data(body))) as? [[String: Any]] ?? []
                return state.withLock { s in
                    s.attempts += 1
                    s.endpoints.append(request.url + " via " + (request.connectTo ?? "-"))
                    let status = s.statuses.count > 1 ? s.statuses.removeFirst() : s.statuses[0]
                    if (200..<300).contains(status) { s.posts.append(alerts) }
                    return HTTPResponse(status: status)
                }
            }
        }

        /// The alertnames of each accepted POST.
        var posts: [[String]] {
            state.withLock { $0.posts.map { $0.compactMap { ($0["labels"] as? [String: String])?["alertname"] } } }
        }

        var attempts: Int { state.withLock { $0.attempts } }

        /// Each request's URL and the address it connected to.
        var endpoints: [String] { state.withLock { $0.endpoints } }
    }

    static func record(_ name: String, state: String = "firing", activeAt: Int64 = 0, resolvedAt: Int64? = nil) -> AlertRecord {
        AlertRecord(
            group: "g", rule: name, ruleIndex: 0, labels: ["alertname": name], annotations: [:], state: state, value: 1,
            activeAt: activeAt, firedAt: state == "pending" ? nil : activeAt, resolvedAt: resolvedAt, keepFiringSince: nil)
    }

    static func notifier(_ fake: FakeAlertmanager, capacity: Int = 100, serverName: String? = nil) -> Notifier {
        var am = SidecarConfig.AlertmanagerConfig()
        am.targets = ["am.test:9093"]
        am.scheme = serverName == nil ? "http" : "https"
        am.serverName = serverName
        return Notifier(alertmanagers: [am], externalLabels: ["cluster": "c"], externalURL: "http://ctlmon", queueCapacity: capacity,
                        logger: Logger(label: "test"), transport: fake.transport)
    }

    @Test("firing: sent at once, then not before the resend delay (1 minute), then again; resolved: sent at once; pending: never")
    func resendCadence() {
        let fake = FakeAlertmanager()
        let n = Self.notifier(fake)
        let q = n.queues[0]  // not started: what is queued stays visible
        let interval: Int64 = 15_000
        n.process([Self.record("A"), Self.record("P", state: "pending")], expressions: [:], interval: interval, now: 0)
        #expect(q.counts.queueLength == 1)
        for t in stride(from: Int64(15_000), through: 60_000, by: 15_000) {
            n.process([Self.record("A")], expressions: [:], interval: interval, now: t)
        }
        // Within the minute nothing new: the waiting payload is still the first one.
        #expect(n.lastSentTimes.values.sorted() == [0])
        n.process([Self.record("A")], expressions: [:], interval: interval, now: 75_000)
        #expect(n.lastSentTimes.values.sorted() == [75_000])
        n.process([Self.record("A", resolvedAt: 80_000)], expressions: [:], interval: interval, now: 80_000)
        #expect(n.lastSentTimes.values.sorted() == [80_000])
        #expect(!n.lastSentTimes.keys.contains { $0.contains("P") })
    }

    @Test("a full queue drops its oldest alerts, counted as queue_full; a newer state of a waiting alert replaces it")
    func overflowAndReplacement() throws {
        let fake = FakeAlertmanager()
        let n = Self.notifier(fake, capacity: 3)
        let q = n.queues[0]
        n.process(["A", "B", "C", "D", "E"].map { Self.record($0) }, expressions: [:], interval: 15_000, now: 0)
        #expect(q.counts.queueLength == 3 && q.counts.droppedFull == 2 && q.counts.droppedRejected == 0)
        // C resolves: its waiting firing state is replaced, not queued beside it.
        n.process([Self.record("C", resolvedAt: 10_000)], expressions: [:], interval: 15_000, now: 10_000)
        #expect(q.counts.queueLength == 3)
        n.start()
        defer { n.stop(deadline: .now + .seconds(60)) }
        #expect(Deadline.wait(upTo: 60) { q.counts.sent == 3 }, "\(q.counts)")
        #expect(fake.posts.flatMap { $0 }.sorted() == ["C", "D", "E"])
    }

    @Test("a 400 drops its batch at once (counted as rejected, not retried) and the next batch goes out")
    func rejectionDoesNotBlock() {
        let fake = FakeAlertmanager([400, 200])
        let n = Self.notifier(fake)
        let q = n.queues[0]
        n.start()
        defer { n.stop(deadline: .now + .seconds(60)) }
        n.process([Self.record("Bad")], expressions: [:], interval: 15_000, now: 0)
        #expect(Deadline.wait(upTo: 60) { q.counts.droppedRejected == 1 }, "\(q.counts)")
        n.process([Self.record("Good")], expressions: [:], interval: 15_000, now: 1_000)
        #expect(Deadline.wait(upTo: 60) { q.counts.sent == 1 }, "\(q.counts)")
        #expect(fake.posts == [["Good"]] && fake.attempts == 2)
    }

    @Test("stop delivers what is queued before it returns; with the Alertmanager failing it returns at its deadline, the alerts counted as waiting")
    func drainOnStop() {
        let fake = FakeAlertmanager()
        let n = Self.notifier(fake)
        n.process(["A", "B"].map { Self.record($0) }, expressions: [:], interval: 15_000, now: 0)
        n.start()
        n.stop(deadline: .now + .seconds(120))
        #expect(fake.posts.flatMap { $0 }.sorted() == ["A", "B"])

        let failing = FakeAlertmanager([503])
        let m = Self.notifier(failing)
        m.process(["A"].map { Self.record($0) }, expressions: [:], interval: 15_000, now: 0)
        m.start()
        #expect(Deadline.wait(upTo: 60) { failing.attempts >= 1 })
        m.stop(deadline: .now + .milliseconds(200))
        #expect(m.queues[0].counts.queueLength == 1 && m.queues[0].counts.sent == 0)
    }

    @Test("tls_config.server_name: the certificate's name in the URL (SNI, Host), the connection to the target's address")
    func serverName() {
        let fake = FakeAlertmanager()
        let n = Self.notifier(fake, serverName: "alertmanager.monitoring.svc")
        n.process([Self.record("A")], expressions: [:], interval: 15_000, now: 0)
        n.start()
        n.stop(deadline: .now + .seconds(120))
        #expect(fake.endpoints == ["https://alertmanager.monitoring.svc:9093/api/v2/alerts via am.test:9093"])
        #expect(n.queues[0].url == "https://am.test:9093/api/v2/alerts")
    }
}
