import HTTPClient
import PromText

/// Why a scrape failed, as the `reason` label of `ctlmon_scrape_failures_total` and the
/// `lastError` of `/api/v1/targets`: "too big" or "not a scrape" is never just "down". The
/// HTTP client's failure type, with a scrape's own reasons beside the transfer's.
package typealias ScrapeFailure = ReasonedFailure<ScrapeFailureReason>

/// Why a scrape failed: the transfer's reason (``HTTPFailureReason``), or one only a scrape has.
package enum ScrapeFailureReason: Sendable, Hashable {
    /// The exchange failed: timeout, connection refused, DNS, TLS, an HTTP status, credentials…
    case transfer(HTTPFailureReason)
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

extension ReasonedFailure where Reason == ScrapeFailureReason {
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
