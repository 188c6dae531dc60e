import CtlmonTestSupport
import Foundation
import HTTPClient
import PromModel
import PromQL
import SeriesStorage
import PromText
import Scraper
import Testing

/// Scrapes of a real HTTP server (scripts/fake-target.py) serving a recorded kube-apiserver
/// scrape, with the faults a target really has.
@Suite("scraping a target")
struct TargetScraperTests {
    static let fixture = Fixture.path("apiserver/nri-kubernetes-v1.35.txt.gz")

    /// Starts the fake target; returns it and its base URL.
    static func startTarget(_ extra: [String] = []) throws -> (ManagedProcess, String) {
        let p = try ManagedProcess("python3", [packageRoot.appendingPathComponent("scripts/fake-target.py").path, "--file", fixture] + extra)
        let port = try p.waitForLine(startingWith: "PORT ").trimmingCharacters(in: .whitespaces)
        return (p, "127.0.0.1:\(port)")
    }

    static func target(_ address: String, scheme: String = "http", timeout: Double = 5, limit: Int = 512 << 20) -> ScrapeTarget {
        ScrapeTarget(job: "apiserver", url: "\(scheme)://\(address)/metrics", address: address, timeout: timeout, bodySizeLimit: limit)
    }

    @Test("a scrape stores every sample of the families the filter keeps, with job and instance, gzip negotiated")
    func scrapeStoresSamples() throws {
        let (server, address) = try Self.startTarget()
        defer { server.stop() }
        let store = SeriesStore()
        let filter = FamilyFilter(names: ["apiserver_request_total"])
        let scraper = TargetScraper(target: Self.target(address), store: store, filter: filter)
        let r = scraper.scrape(at: 1_000_000)
        #expect(r.failure == nil, "\(r.failure?.message ?? "")")
        // The fixture, parsed on its own: how many apiserver_request_total samples it has.
        let text = try Fixture.text("apiserver/nri-kubernetes-v1.35.txt.gz")
        let expected = String(decoding: text, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("apiserver_request_total{") }.count
        #expect(r.samplesStored == expected && expected > 0)
        #expect(r.seriesAdded == expected)
        let v = try Evaluator(store: store).evaluate(PromQLParser.parse("count(apiserver_request_total{job=\"apiserver\", instance=\"\(address)\"})"), at: 1_000_000)
        guard case .vector(let samples) = v else {
            Issue.record("not a vector")
            return
        }
        #expect(samples.first?.value == Double(expected))
        // A second scrape finds every series cached: nothing new, nothing stale.
        let r2 = scraper.scrape(at: 1_015_000)
        #expect(r2.failure == nil && r2.seriesAdded == 0 && r2.staleMarked == 0 && r2.samplesStored == expected)
    }

    @Test("faults: each gives up 0 with its own reason, and the series of the target go stale", arguments: [
        ("500", ScrapeFailureReason.transfer(.http5xx)), ("truncated-gzip", .gzip), ("garbage", .parse),
        ("reset", .transfer(.connectionReset)), ("hang", .transfer(.timeout)), ("huge", .bodySizeLimit),
    ])
    func faults(_ mode: String, _ reason: ScrapeFailureReason) throws {
        let (server, address) = try Self.startTarget()
        defer { server.stop() }
        let store = SeriesStore()
        // Each fault's reason must be the only way the scrape can fail: the hanging target
        // (it sleeps 30 s) meets a 2 s timeout; every other fault gets a timeout no slow or
        // sanitized machine reaches, so a body limit (8 MiB, the 64 MiB body's eighth) or a
        // reset is what ends the scrape, never the clock.
        let timeout: Double = mode == "hang" ? 2 : 300
        let scraper = TargetScraper(
            target: Self.target(address, timeout: timeout, limit: 8 << 20), store: store,
            filter: FamilyFilter(names: ["apiserver_request_total"]))
        let ok = scraper.scrape(at: 1_000_000)
        #expect(ok.failure == nil)
        _ = try HTTPTransferProbe.get("http://\(address)/-/fault?mode=\(mode)")
        let failed = scraper.scrape(at: 1_015_000)
        #expect(failed.failure?.reason == reason, "\(mode): \(failed.failure?.message ?? "no failure")")
        #expect(failed.staleMarked == ok.samplesStored)
        let v = try Evaluator(store: store).evaluate(PromQLParser.parse("count(apiserver_request_total)"), at: 1_016_000)
        if case .vector(let s) = v { #expect(s.isEmpty, "\(mode): series still there after a failed scrape") }
    }

    @Test("a closed port is connection refused")
    func refused() {
        let port = freePort()
        let scraper = TargetScraper(target: Self.target("127.0.0.1:\(port)"), store: SeriesStore(), filter: nil)
        #expect(scraper.scrape(at: 0).failure?.reason == .transfer(.connectionRefused))
    }
}

/// A plain GET for test control endpoints.
enum HTTPTransferProbe {
    static func get(_ url: String) throws -> String {
        var out: [UInt8] = []
        let r = try HTTPTransfer().perform(HTTPRequest(url: url)) { piece in for i in piece.indices { out.append(piece[i]) } }
        guard r.status == 200 else { throw ProcessError("GET \(url): \(r.status)") }
        return String(decoding: out, as: UTF8.self)
    }
}
