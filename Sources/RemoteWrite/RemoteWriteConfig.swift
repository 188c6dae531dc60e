import HTTPClient
import PromModel

/// One `remote_write` entry of the config file, with Prometheus's keys, meanings and
/// defaults (those of Prometheus 2.42; docs/remote-write.md lists them). Durations in seconds.
package struct RemoteWriteConfig: Sendable {
    /// `url`: where the `WriteRequest`s are POSTed.
    package var url: String
    /// `name`: the queue's `remote_name` label, and the folder of its buffer; unique in the file.
    /// Without one, the first 6 hex digits of the SHA-256 of the URL.
    package var name: String
    /// `remote_timeout`: the longest one POST may take.
    package var remoteTimeout: Double = 30
    /// `headers`: sent with every request (never the protocol's own, nor `Authorization`).
    package var headers: [(String, String)] = []
    /// `authorization` or `bearer_token[_file]`: a file is read again at every request.
    package var bearerToken: BearerToken? = nil
    /// `basic_auth`: the user and the password (inline, or a file read again at every request).
    package var basicAuth: BasicAuth? = nil
    /// `tls_config`, without its `server_name` (``serverName``).
    package var tls = TLSOptions()
    /// `tls_config.server_name`: the name the certificate is checked against and sent as SNI.
    package var serverName: String? = nil
    /// `sigv4`: requests signed for AWS (Amazon Managed Service for Prometheus).
    package var sigv4: SigV4Config? = nil
    /// `queue_config`.
    package var queue = QueueConfig()
    /// `write_relabel_configs`: `keep`, `drop` and `labeldrop`, in order.
    package var writeRelabel: [WriteRelabel] = []

    /// An entry for `url` with every default, named after the URL's hash.
    package init(url: String) {
        self.url = url
        name = String(SHA256.hash(Array(url.utf8)).hex.prefix(6))
    }

    /// Where requests go: the URL with its host replaced by ``serverName``, connecting to the
    /// URL's own address; or the URL as is.
    package var endpoint: (url: String, connectTo: String?) {
        guard let serverName, let (host, port) = HTTPTransfer.hostAndPort(url), let colon = url.firstIndex(of: ":") else { return (url, nil) }
        let rest = url[colon...].dropFirst(3)  // after "://"
        let path = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? ""
        return (String(url[..<colon]) + "://" + serverName + ":" + String(port) + path, "\(host):\(port)")
    }

    /// `queue_config`: how much is read ahead, how many requests run at once, their size and
    /// deadline, and the retries' backoff.
    package struct QueueConfig: Sendable {
        /// `capacity`: samples read ahead from the buffer per shard.
        package var capacity = 2500
        /// `min_shards`: requests in flight at least (one per shard).
        package var minShards = 1
        /// `max_shards`: requests in flight at most, when the queue is behind.
        package var maxShards = 200
        /// `max_samples_per_send`: samples per request at most.
        package var maxSamplesPerSend = 500
        /// `batch_send_deadline`: the longest a sample waits for its request to fill.
        package var batchSendDeadline: Double = 5
        /// `min_backoff`: the first retry's wait, doubled at each retry…
        package var minBackoff: Double = 0.03
        /// `max_backoff`: … up to this.
        package var maxBackoff: Double = 5
        /// `retry_on_http_429`: a 429 answer is retried (true) or its samples dropped (false,
        /// Prometheus 2.42's default).
        package var retryOnHTTP429 = false

        /// Prometheus 2.42's defaults.
        package init() {}
    }

    /// `basic_auth`.
    package struct BasicAuth: Sendable {
        /// `username`.
        package var username: String
        /// `password` or `password_file`.
        package var password: BearerToken

        /// A user and the password's source.
        package init(username: String, password: BearerToken) {
            self.username = username
            self.password = password
        }
    }
}
