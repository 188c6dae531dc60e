import CtlmonTestSupport
import Foundation
import PromModel
import PromQL
import PromText
import Scraper
import SeriesStorage
import Synchronization
import Testing

/// The scrape loops of a set of targets: a removed target's series end at once, and a stop
/// aborts the scrapes in flight instead of waiting them out.
@Suite("scrape manager")
struct ScrapeManagerTests {
    static let fixture = Fixture.path("apiserver/nri-kubernetes-v1.35.txt.gz")

    /// A clock that starts at a pinned time and advances with the monotonic clock.
    static func clock() -> @Sendable () -> Int64 {
        let started = ContinuousClock.now
        return { 1_800_000_000_000 + Int64(seconds(since: started) * 1000) }
    }

    static func count(_ expr: String, _ store: SeriesStore, at t: Int64) throws -> Int {
        guard case .vector(let v) = try Evaluator(store: store).evaluate(PromQLParser.parse(expr), at: t) else { return -1 }
        return v.count
    }

    @Test("a target no longer listed: its series and its up and scrape series go stale at once, not five minutes later")
    func removedTargetGoesStale() throws {
        let (server, address) = try Components.fakeTarget(Self.fixture)
        defer { server.stop() }
        let store = SeriesStore()
        let clock = Self.clock()
        let manager = ScrapeManager(store: store, filter: FamilyFilter(names: ["apiserver_request_total"]), clock: clock)
        manager.apply([ScrapeTarget(job: "a", url: "http://\(address)/metrics", address: address, interval: 1, timeout: 120)])
        #expect(Deadline.wait(upTo: 120) { manager.current.first?.status.scrapes ?? 0 > 0 })
        #expect(try Self.count("up", store, at: clock()) == 1)
        #expect(try Self.count("apiserver_request_total", store, at: clock()) > 0)
        manager.apply([])
        #expect(manager.current.isEmpty)
        let after = clock() + 1
        #expect(try Self.count("up", store, at: after) == 0)
        #expect(try Self.count("scrape_duration_seconds", store, at: after) == 0)
        #expect(try Self.count("apiserver_request_total", store, at: after) == 0)
    }

    @Test("stopping every loop aborts the scrapes in flight: a target that hangs for an hour holds nothing up, and its series stay")
    func stopAbortsScrapes() throws {
        let (hanging, hangingAddress) = try Components.fakeTarget(Self.fixture)
        defer { hanging.stop() }
        let store = SeriesStore()
        let manager = ScrapeManager(store: store, filter: nil, clock: Self.clock())
        _ = try HTTP.get("http://\(hangingAddress)/-/fault?mode=hang")
        let targets = (0..<3).map { k in
            ScrapeTarget(job: "j\(k)", url: "http://\(hangingAddress)/metrics", address: hangingAddress, interval: 1, timeout: 3600)
        }
        manager.apply(targets)
        // Every loop is in its scrape: the target has all three requests.
        #expect(Deadline.wait(upTo: 120) { (try? HTTP.get("http://\(hangingAddress)/-/requests").1.hasPrefix("3 ")) == true })
        let done = DispatchSemaphore(value: 0)
        Thread {
            manager.stopAll()
            done.signal()
        }.start()
        #expect(done.wait(timeout: .now() + 60) == .success, "stopAll waited out the hanging scrapes")
        // An aborted scrape is not a failure of the target: nothing was reported for it.
        #expect(try Self.count("up", store, at: Self.clock()()) == 0)
    }
}
