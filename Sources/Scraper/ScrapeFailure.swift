import HTTPClient
import PromText

/// Why a scrape failed, as the `reason` label of `ctlmon_scrape_failures_total` and the
/// `lastError` of `/api/v1/targets`: "too big" or "not a scrape" is never just "down".
/// The transport's reasons are the HTTP client's (``HTTPFailure``); a scrape adds its own.
package struct ScrapeFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `reason` label value: the transport's reasons, and the scrape's own (`body_size_limit`,
    /// `gzip`, `parse error`).
    /// Why: the transfer's reason (``HTTPFailure/Reason``), or one only a scrape has.
    package enum Reason: Sendable, Hashable {
        /// The exchange failed: timeout, connection refused, DNS, TLS, an HTTP status, credentials…
        case transfer(HTTPFailure.Reason)
        /// The body grew past `body_size_limit` once decompressed.
        case bodySizeLimit
        /// The gzip stream is broken.
        case gzip
        /// The body is not a valid scrape (line and column in the message).
        case parse

        /// The reason as the `reason` label spells it (`timeout`, `HTTP 5xx`, `body_size_limit`).
        package var label: String {
            switch self {
            case .transfer(let r): r.rawValue
            case .bodySizeLimit: "body_size_limit"
            case .gzip: "gzip"
            case .parse: "parse error"
            }
        }
    }

    /// Why, as the `reason` label spells it (``Reason/label``).
    package var reason: Reason
    /// What happened, for people (`parse error at 12:7: …`, `server returned HTTP status 500`).
    /// Never holds a token or a header value.
    package var message: String
    /// The HTTP status when the target answered with one other than 200.
    package var status: Int?

    package var description: String { message }

    /// A failure of `reason`; `status` only when the target answered with one other than 200.
    package init(reason: Reason, message: String, status: Int? = nil) {
        self.reason = reason
        self.message = message
        self.status = status
    }

    /// The failure behind an error of the transfer, the parser or the scrape itself.
    init(_ error: any Error, bodySizeLimit: Int) {
        switch error {
        case let f as ScrapeFailure:
            self = f
        case let e as ParseError:
            switch e.kind {
            case .limit where e.message.contains("decoded size limit"):
                self.init(reason: .bodySizeLimit, message: "body size limit of \(bodySizeLimit) bytes exceeded")
            case .compression:
                self.init(reason: .gzip, message: "gzip: \(e.message)")
            case .io:
                self.init(reason: .transfer(.other), message: e.message)
            default:
                self.init(reason: .parse, message: "parse error at \(e.line):\(e.column): \(e.message)")
            }
        case let f as HTTPFailure:
            self.init(f)
        default:
            self.init(reason: .transfer(.other), message: "\(error)")
        }
    }

    /// The scrape failure of a transport failure: the same reason, message and status.
    init(_ f: HTTPFailure) { self.init(reason: .transfer(f.reason), message: f.message, status: f.status) }
}
