import Workers
import CtlmonTestSupport
import Foundation
import Logging
import PromModel
import PromQL
import SeriesStorage
import RuleEngine
import Scraper
import Sidecar
import Testing

/// The sidecar's threads in one process — scrape loops, the rule loop, a notifier queue —
/// while the HTTP API's readers ask for alerts, rules, targets, queries and /metrics: run
/// under ThreadSanitizer by scripts/test (`--filter SidecarConcurrencyTests`).
@Suite("sidecar threads")
struct SidecarConcurrencyTests {
    @Test("scrapes, evaluations, notifications and API reads run together without a data race")
    func threadsTogether() throws {
        let (target, address) = try Components.fakeTarget(Fixture.path("apiserver/nri-kubernetes-v1.35.txt.gz"))
        defer { target.stop() }
        let (am, amAddress) = try Components.fakeAlertmanager()
        defer { am.stop() }
        let folder = try Components.temporaryFolder("threads")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A pinned start (2027-01-15T08:00:00Z) advancing with the monotonic clock: no wall clock read.
        let started = ContinuousClock.now
        let clock: @Sendable () -> Int64 = { 1_800_000_000_000 + Int64(seconds(since: started) * 1000) }
        let logger = Logger(label: "test")
        let store = SeriesStore()
        let groups = try RuleFile.parse("""
            groups:
              - name: g
                interval: 1s
                rules:
                  - record: job:up:sum
                    expr: sum by (job) (up)
                  - alert: Up
                    expr: up == 1
            """, path: "rules.yml").groups
        var am1 = SidecarConfig.AlertmanagerConfig()
        am1.targets = [amAddress]
        let notifier = Notifier(alertmanagers: [am1], externalLabels: ["cluster": "t"], externalURL: "http://test", logger: logger)
        let rules = RuleManager(
            groups: groups, store: store, externalLabels: ["cluster": "t"], evaluationInterval: 1000, notifier: notifier,
            files: StateFiles(folder: folder), logger: logger, clock: clock)
        let scrapes = ScrapeManager(store: store, filter: nil, clock: clock)
        let api = SidecarAPI(store: store, rules: rules, scrapes: scrapes, notifier: notifier, externalLabels: ["cluster": "t"],
                             startTime: 1_800_000_000, clock: clock)
        notifier.start()
        rules.start()
        scrapes.apply([ScrapeTarget(job: "a", url: "http://\(address)/metrics", address: address, interval: 1, timeout: 120)])
        // The readers keep reading until the writers' outcomes are all there — a recorded
        // series, a firing alert, a notification delivered — so readers and writers are proven
        // to make progress together; the deadline only bounds a failure, it never decides one.
        let done = Locked(false)
        func outcomes() -> (recorded: Bool, alert: Bool, sent: Bool) {
            let (_, body) = api.queries.query(APIParameters(["query": "job:up:sum"]), deadline: .now + .seconds(120))
            return (body.contains("\"job\":\"a\""), api.alerts().contains("\"alertname\":\"Up\""), notifier.queues[0].counts.sent > 0)
        }
        let group = DispatchGroup()
        for k in 0..<2 {
            DispatchQueue.global().async(group: group) {
                while !done.withLock({ $0 }) {
                    _ = api.alerts()
                    _ = api.rulesJSON()
                    _ = api.targets()
                    _ = api.metricsText()
                    _ = api.queries.query(APIParameters(["query": k == 0 ? "job:up:sum" : "count(apiserver_request_total)"]), deadline: .now + .seconds(120))
                }
            }
        }
        let reached = Deadline.wait(upTo: 300) {
            let o = outcomes()
            return o.recorded && o.alert && o.sent
        }
        done.withLock { $0 = true }
        group.wait()
        scrapes.stopAll()
        rules.stop()
        notifier.stop(deadline: .now + .seconds(2))
        let final = outcomes()
        #expect(reached, "readers and writers did not all make progress: \(final)")
        #expect(final.recorded, "no job:up:sum recorded")
        #expect(final.alert, "no Up alert")
        #expect(final.sent, "no notification sent")
    }
}
