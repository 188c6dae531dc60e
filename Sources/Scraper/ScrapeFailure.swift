import PromText

/// Why a scrape failed, as the `reason` label of `ctlmon_scrape_failures_total` and the
/// `lastError` of `/api/v1/targets`: "too big" or "not a scrape" is never just "down".
package struct ScrapeFailure: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Reason: String, Sendable, CaseIterable {
        case timeout
        case connectionRefused = "connection refused"
        case dns = "DNS"
        case tls = "TLS"
        case connectionReset = "connection reset"
        case http4xx = "HTTP 4xx"
        case http5xx = "HTTP 5xx"
        case bodySizeLimit = "body_size_limit"
        case gzip
        case parse = "parse error"
        case credentials
        case other = "error"
    }

    package var reason: Reason
    /// What happened, for people (`parse error at 12:7: …`, `server returned HTTP status 500`).
    /// Never holds a token or a header value.
    package var message: String
    /// The HTTP status when the target answered with one other than 200.
    package var status: Int?

    package var description: String { message }

    package init(reason: Reason, message: String, status: Int? = nil) {
        self.reason = reason
        self.message = message
        self.status = status
    }

    /// A non-200 status, worded as Prometheus words it.
    static func http(_ status: Int) -> ScrapeFailure {
        ScrapeFailure(
            reason: status >= 500 ? .http5xx : status == 0 ? .other : .http4xx,
            message: status == 0 ? "no response" : "server returned HTTP status \(status)", status: status == 0 ? nil : status)
    }

    /// The failure behind an error of a transfer, the parser or the scrape itself.
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
                self.init(reason: .other, message: e.message)
            default:
                self.init(reason: .parse, message: "parse error at \(e.line):\(e.column): \(e.message)")
            }
        case let f as HTTPTransfer.Failure:
            let reason: Reason
            switch f.reason {
            case .timeout: reason = .timeout
            case .connectionRefused: reason = .connectionRefused
            case .dns: reason = .dns
            case .tls: reason = .tls
            case .connectionReset: reason = .connectionReset
            case .http, .body, .other: reason = .other
            }
            self.init(reason: reason, message: f.message)
        default:
            self.init(reason: .other, message: "\(error)")
        }
    }
}
