/// What the API server's `apiserver_admission_webhook_*` series say about one webhook name.
package struct WebhookMetrics: Sendable, Equatable {
    /// p99 latency in seconds over the window (NaN when not computable).
    package var p99: Double
    /// Calls counted since the API server started (the admission duration histogram's `_count`);
    /// nil when absent.
    package var calls: Double?
    /// Calls that failed (`rejection_count` with `error_type` `calling_webhook_error` or `apiserver_internal_error`).
    package var failures: Double?
    /// Calls that failed and were admitted anyway (`fail_open_count`).
    package var failOpen: Double?

    /// The metrics of one webhook; nil counts are unknown (no series), not zero.
    package init(p99: Double, calls: Double? = nil, failures: Double? = nil, failOpen: Double? = nil) {
        self.p99 = p99
        self.calls = calls
        self.failures = failures
        self.failOpen = failOpen
    }
}
