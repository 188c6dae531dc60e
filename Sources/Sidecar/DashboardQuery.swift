import PromQL

/// The shipped dashboards' queries (``ShippedDashboards``) as PromQL: Grafana's variables
/// expanded, parsed. `ctlmon serve` keeps every metric they read, so that Grafana pointed at it
/// fills every panel; the tests lint and run the same expansions.
package enum DashboardQuery {
    /// `expr` with Grafana's variables replaced: `$__rate_interval`, `$__interval` and
    /// `$__range` by the durations given, `$cluster` and `$instance` by regular expressions
    /// (Grafana's "All" is `.*`, which also matches series without the label).
    package static func expand(
        _ expr: String, rateInterval: String = "1m", interval: String = "15s", range: String = "1h",
        cluster: String = ".*", instance: String = ".*"
    ) -> String {
        // Longest names first: `$__rate_interval` before `$__interval`.
        expr.replacingAll("$__rate_interval", with: rateInterval)
            .replacingAll("$__interval", with: interval)
            .replacingAll("$__range", with: range)
            .replacingAll("$cluster", with: cluster)
            .replacingAll("$instance", with: instance)
    }

    /// Every shipped query, expanded and parsed; a query that does not parse is a bug the
    /// tests catch (`DashboardTests`), and is left out here rather than stopping the sidecar.
    package static let expressions: [Expr] = ShippedDashboards.queries.compactMap { try? PromQLParser.parse(expand($0.expr)) }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement` (Foundation-free).
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}
