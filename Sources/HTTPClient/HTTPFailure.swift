/// A failure with a reason that is a label value Prometheus users know (`connection
/// refused`, `HTTP 5xx`, `body_size_limit`), words a person reads, and the HTTP status when
/// a server answered with one: the one failure type of everything that speaks HTTP, its
/// reasons those of the client (``HTTPFailure``) or of a client of it (a scrape's).
package struct ReasonedFailure<Reason: Sendable & Hashable>: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    package var reason: Reason
    /// What happened, for people (`server returned HTTP status 500`). Never holds a token
    /// or a header value.
    package var message: String
    /// The HTTP status, when the server answered with one other than the one expected.
    package var status: Int?

    package var description: String { message }

    /// A failure of `reason`; `status` only when the server answered with one.
    package init(reason: Reason, message: String, status: Int? = nil) {
        self.reason = reason
        self.message = message
        self.status = status
    }

    /// The same failure with `context` before its message (`listing endpoints default/kubernetes: …`).
    package func prefixed(_ context: String) -> ReasonedFailure {
        ReasonedFailure(reason: reason, message: "\(context): \(message)", status: status)
    }
}

/// Why an exchange failed, for every client of the HTTP client (scrapes, Alertmanager, the
/// Kubernetes API).
package typealias HTTPFailure = ReasonedFailure<HTTPFailureReason>

/// The kind of an exchange's failure; its raw value is how users see it (`connection
/// refused`, `HTTP 5xx`), as the `reason` label of a failed scrape.
package enum HTTPFailureReason: String, Sendable, CaseIterable {
    case timeout
    case connectionRefused = "connection refused"
    case dns = "DNS"
    case tls = "TLS"
    case connectionReset = "connection reset"
    case http4xx = "HTTP 4xx"
    case http5xx = "HTTP 5xx"
    /// A credentials file that cannot be read, or holds no token.
    case credentials
    /// The transfer was aborted: its owner is stopping.
    case canceled
    /// The body is not what was asked for (not JSON, too large).
    case invalidResponse = "invalid response"
    case other = "error"
}

extension ReasonedFailure where Reason == HTTPFailureReason {
    /// The one mapping of an unexpected status to a failure, worded as Prometheus words it
    /// (`server returned HTTP status 403`): 4xx and 5xx by class, anything else (a redirect,
    /// which is never followed) as ``HTTPFailureReason/other`` with its status; 0 is no response at all.
    package static func status(_ status: Int) -> HTTPFailure {
        guard status > 0 else { return HTTPFailure(reason: .other, message: "no response") }
        let reason: Reason = status >= 500 ? .http5xx : status >= 400 ? .http4xx : .other
        return HTTPFailure(reason: reason, message: "server returned HTTP status \(status)", status: status)
    }

    /// Whether the server refused this very request and would refuse it again: a 4xx other
    /// than 429 (too many requests). What a queue drops (counted) instead of retrying.
    package var isRejection: Bool { reason == .http4xx && status != 429 }
}
