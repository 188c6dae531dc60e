import KubernetesClient
import HTTPClient
import Logging
import PromModel
import PromQL
import SeriesStorage
@testable import Scraper
@testable import Sidecar
import Testing

/// Which targets the sidecar keeps scraping.
@Suite("discovery")
struct DiscoveryTests {
    @Test("an optional target answering 403 or 404 is no longer scraped; a 500, or a required target, stays and is reported down", arguments: [
        (403, true, true), (404, true, true), (500, true, false), (401, true, false), (404, false, false),
    ])
    func optionalTargetNotOffered(_ status: Int, _ optional: Bool, _ dropped: Bool) throws {
        let api = KubernetesAPI(server: "https://10.100.0.1:443", tokenFile: "/t", caFile: "/c")
        var config = SidecarConfig.inCluster(api: api)
        config.scrapeConfigs[1].optional = optional
        let target = try #require(config.scrapeTargets(discovered: [:]).first { $0.job == "kube-scheduler" })
        let discovery = Discovery(config: config, logger: Logger(label: "test"), api: nil)
        var result = TargetScraper.Result(time: 0, duration: 0.01)
        result.failure = ScrapeFailure(HTTPFailure.status(status))
        #expect(discovery.targets().contains { $0.key == target.key })
        discovery.observe(target, result)
        #expect(discovery.notOffered.contains(target.key) == dropped)
        #expect(discovery.targets().contains { $0.key == target.key } == !dropped)
    }
}
