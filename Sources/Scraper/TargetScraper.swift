import Foundation
import PromQL
import PromText

/// Scrapes one target into a store, as Prometheus does: `Accept` negotiation (OpenMetrics,
/// then text 0.0.4), gzip through the parser's own inflater and its decompressed-size cap
/// (`body_size_limit`), the body streamed into the parser as it arrives, the rules' family
/// filter while parsing, one commit per scrape through the scrape cache, staleness markers
/// for series that vanish, and for every series of a failed scrape. Only GET, ever.
///
/// Used by one thread at a time (the target's scrape loop; `ctlmon check URL` once).
package final class TargetScraper {
    package let target: ScrapeTarget
    private let store: SeriesStore
    private let filter: FamilyFilter?
    private let transfer = HTTPTransfer()
    private let appender: ScrapeAppender

    /// What one scrape did.
    package struct Result: Sendable {
        /// When the scrape started (milliseconds), the time of its samples without a timestamp.
        package var time: Int64
        package var duration: Double
        /// Samples read (kept by the family filter or not).
        package var samplesScraped = 0
        /// Samples stored.
        package var samplesStored = 0
        package var seriesAdded = 0
        package var failure: ScrapeFailure?
        /// Series of the previous scrape marked stale (vanished, or all of them when it failed).
        package var staleMarked = 0
    }

    /// Prometheus 2.42's `Accept` header: OpenMetrics preferred, then text 0.0.4.
    static let accept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    package init(target: ScrapeTarget, store: SeriesStore, filter: FamilyFilter?) {
        self.target = target
        self.store = store
        self.filter = filter
        appender = ScrapeAppender(
            store: store, scrapeTime: 0, targetLabels: target.targetLabels, honorLabels: target.honorLabels)
    }

    /// Scrapes now (the clock is passed in: `time` in milliseconds).
    package func scrape(at time: Int64) -> Result {
        let started = Date()
        var result = Result(time: time, duration: 0)
        appender.scrapeTime = time
        var parser: TextParser? = nil
        do {
            var request = HTTPTransfer.Request(url: target.url)
            request.timeout = target.timeout
            request.tls = target.tls
            request.connectTo = target.connectTo
            request.headers = [
                "Accept: \(Self.accept)", "Accept-Encoding: gzip", "User-Agent: ctlmon/0.1",
                "X-Prometheus-Scrape-Timeout-Seconds: \(GoFloat.formatFixed(target.timeout))",
            ]
            if let token = try bearerToken() { request.headers.append("Authorization: Bearer \(token)") }
            let limit = target.bodySizeLimit
            let source = target.url
            let filter = self.filter
            let appender = self.appender
            try transfer.perform(request, onHeaders: { response in
                guard response.status == 200 else { throw ScrapeFailure.http(response.status) }
                var limits = ParseLimits()
                limits.maxDecodedBytes = limit
                let format = ExpositionFormat(contentType: response.headers["content-type"] ?? "")
                let gzip = response.headers["content-encoding"]?.lowercased().contains("gzip") ?? false
                parser = TextParser(
                    options: .init(
                        format: format, limits: limits, source: source, filter: filter,
                        decompression: gzip ? .gzip : .none),
                    consumer: appender)
            }, onBody: { piece in
                try parser?.feed(piece)
            })
            guard let parser else { throw ScrapeFailure.http(0) }
            try parser.finish()
            result.samplesScraped = parser.statistics.samples + parser.statistics.filteredSamples
            let outcome = appender.commit()
            result.samplesStored = outcome.appended
            result.seriesAdded = outcome.newSeries
            result.staleMarked = outcome.staleMarked
        } catch {
            result.failure = ScrapeFailure(error, bodySizeLimit: target.bodySizeLimit)
            result.samplesScraped = parser.map { $0.statistics.samples + $0.statistics.filteredSamples } ?? 0
            result.staleMarked = appender.markAllStale(at: time)
        }
        result.duration = Date().timeIntervalSince(started)
        return result
    }

    /// The bearer token: the file's content, read again at every scrape, or the inline one.
    private func bearerToken() throws -> String? {
        if let file = target.bearerTokenFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ScrapeFailure(reason: .credentials, message: "cannot read the bearer token file \(file)")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return target.bearerToken
    }
}
