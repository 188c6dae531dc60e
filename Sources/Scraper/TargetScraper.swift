import HTTPClient
import PromModel
import PromText
import SeriesStorage
import Workers

/// Scrapes one target into a store, as Prometheus does: `Accept` negotiation (OpenMetrics,
/// then text 0.0.4), gzip through the parser's own inflater and its decompressed-size cap
/// (`body_size_limit`), the body streamed into the parser as it arrives, the rules' family
/// filter while parsing, one commit per scrape through the scrape cache, staleness markers
/// for series that vanish, and for every series of a failed scrape. Only GET, ever.
///
/// Used by one thread at a time (the target's scrape loop). Its transfer may be shared with
/// the loop's stop: ``HTTPTransfer/cancel()`` from any thread aborts the scrape in flight,
/// so a stopping loop does not wait out a slow target.
package final class TargetScraper {
    /// The target scraped; its labels and `honor_labels` are fixed at init (a changed target
    /// gets a new scraper).
    package let target: ScrapeTarget
    private let store: SeriesStore
    private let filter: FamilyFilter?
    private let transfer: HTTPTransfer
    private let appender: ScrapeAppender

    /// What one scrape did.
    package struct Result: Sendable {
        /// When the scrape started (milliseconds), the time of its samples without a timestamp.
        package var time: Int64
        /// Seconds the scrape took, on the monotonic clock (never negative when the wall clock steps).
        package var duration: Double
        /// Samples read (kept by the family filter or not).
        package var samplesScraped = 0
        /// Samples stored.
        package var samplesStored = 0
        /// Series this scrape created in the store (`scrape_series_added`).
        package var seriesAdded = 0
        /// Why the scrape failed; nil when it succeeded.
        package var failure: ScrapeFailure?
        /// Series of the previous scrape marked stale (vanished, or all of them when it failed).
        package var staleMarked = 0
    }

    /// Prometheus 2.42's `Accept` header: OpenMetrics preferred, then text 0.0.4.
    static let accept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    /// `transfer`: the HTTP handle to scrape with (the loop keeps it to cancel a scrape in flight).
    package init(target: ScrapeTarget, store: SeriesStore, filter: FamilyFilter?, transfer: HTTPTransfer = HTTPTransfer()) {
        self.target = target
        self.transfer = transfer
        self.store = store
        self.filter = filter
        appender = ScrapeAppender(
            store: store, scrapeTime: 0, targetLabels: target.targetLabels, honorLabels: target.honorLabels)
    }

    /// Aborts the scrape in flight and every later one (they fail as `.transfer(.canceled)`).
    package func cancel() { transfer.cancel() }

    /// Changes when the families' metadata changes (see ``metadata``).
    package var metadataVersion: UInt64 { appender.metadata.version }

    /// The `# TYPE`, `# HELP` and `# UNIT` of the families of the last successful scrape.
    package var metadata: [String: MetricMetadata] { appender.metadata.snapshot() }

    /// Marks every series of the last scrape stale at `time` (the target is gone).
    package func markStale(at time: Int64) { appender.markAllStale(at: time) }

    /// Scrapes now (the clock is passed in: `time` in milliseconds).
    package func scrape(at time: Int64) -> Result {
        let started = ContinuousClock.now
        var result = Result(time: time, duration: 0)
        appender.scrapeTime = time
        var parser: TextParser? = nil
        do {
            var request = HTTPRequest(url: target.url)
            request.timeout = target.timeout
            request.tls = target.tls
            request.connectTo = target.connectTo
            request.bearerToken = target.bearerToken
            request.headers = [
                "Accept: \(Self.accept)", "Accept-Encoding: gzip", "User-Agent: \(BuildVersion.userAgent)",
                "X-Prometheus-Scrape-Timeout-Seconds: \(GoFloat.formatFixed(target.timeout))",
            ]
            let limit = target.bodySizeLimit
            let source = target.url
            let filter = self.filter
            let appender = self.appender
            try transfer.perform(request, onHeaders: { response in
                guard response.status == 200 else { throw HTTPFailure.status(response.status) }
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
            guard let parser else { throw HTTPFailure.status(0) }
            try parser.finish()
            result.samplesScraped = parser.statistics.samples + parser.statistics.filteredSamples
            let outcome = appender.commit()
            result.samplesStored = outcome.appended
            result.seriesAdded = outcome.newSeries
            result.staleMarked = outcome.staleMarked
        } catch {
            let failure = ScrapeFailure(error, bodySizeLimit: target.bodySizeLimit)
            result.failure = failure
            result.samplesScraped = parser.map { $0.statistics.samples + $0.statistics.filteredSamples } ?? 0
            if failure.reason == .transfer(.canceled) {
                // Aborted because the loop is stopping (shutdown): the target did not fail,
                // and its series are left as they are (a removed target is marked stale by
                // its loop on the way out).
                appender.discard()
            } else {
                result.staleMarked = appender.markAllStale(at: time)
            }
        }
        result.duration = started.secondsElapsed
        return result
    }
}
