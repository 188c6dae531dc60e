import HTTPClient

/// One thing to scrape, as a `scrape_configs` entry and its discovered or static address
/// make it: where, how often, with which credentials, and the labels its series get.
package struct ScrapeTarget: Sendable, Hashable {
    /// `job_name`.
    package var job: String
    /// `scheme://host:port/metrics_path` with the TLS server name as host when one is set.
    package var url: String
    /// The address scraped (`host:port`): the `instance` label.
    package var address: String
    /// Where to connect when the URL's host is the TLS server name and not the address.
    package var connectTo: String?
    /// Target labels besides `job` and `instance` (`static_configs` `labels`).
    package var labels: [String: String]
    /// Seconds between scrapes, and for one scrape.
    package var interval: Double
    /// `scrape_timeout` (seconds): the bound of one scrape, also sent to the target as
    /// `X-Prometheus-Scrape-Timeout-Seconds`.
    package var timeout: Double
    /// `authorization: {credentials}` or `{credentials_file}` (a file is read again at every
    /// scrape: bound tokens rotate).
    package var bearerToken: BearerToken?
    /// `tls_config`: the CA, client certificate and verification of an `https` target.
    package var tls: TLSOptions
    /// `body_size_limit`, after decompression (bytes).
    package var bodySizeLimit: Int
    /// `honor_labels`.
    package var honorLabels: Bool

    /// A target with ctlmon's defaults for what is not given: every 15 s, 10 s timeout, no
    /// credentials, a 512 MiB body limit, `honor_labels: false`.
    package init(
        job: String, url: String, address: String, connectTo: String? = nil, labels: [String: String] = [:],
        interval: Double = 15, timeout: Double = 10, bearerToken: BearerToken? = nil,
        tls: TLSOptions = .init(), bodySizeLimit: Int = 512 << 20, honorLabels: Bool = false
    ) {
        self.job = job
        self.url = url
        self.address = address
        self.connectTo = connectTo
        self.labels = labels
        self.interval = interval
        self.timeout = timeout
        self.bearerToken = bearerToken
        self.tls = tls
        self.bodySizeLimit = bodySizeLimit
        self.honorLabels = honorLabels
    }

    /// The labels every series of the target gets: `job`, `instance` and the static ones.
    package var targetLabels: [(String, String)] {
        [("job", job), ("instance", address)] + labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A stable key for the target (job and URL and address), for state and jitter.
    package var key: String { "\(job)|\(url)|\(address)" }
}
