import AdmissionWebhooks
import PromModel

/// The report's figures graded once, for every rendering: text, JSON and HTML show these and
/// compute nothing of their own. A grade is a rank on the alerts' scale (``severityRank(_:)``):
/// -1 good, 0 info, 1 warning, 2 critical.
extension CheckReport {
    /// The Kubernetes API-call SLOs for reads (GET/LIST) by scope, in seconds.
    package static let readSLO: [String: Double] = ["resource": 1, "namespace": 5, "cluster": 30]
    /// The SLO for writes (POST/PUT/PATCH/DELETE), in seconds.
    package static let writeSLO = 1.0

    /// A p99 against its SLO.
    package struct Latency {
        /// `resource`, `namespace`, `cluster`, or `write`.
        package var scope: String
        /// The p99, in seconds.
        package var seconds: Double
        /// The SLO it is graded against (nil: none known for that scope).
        package var slo: Double?
        /// -1 within the SLO, 1 above it.
        package var rank: Int
    }

    /// Read p99 by scope, then write p99, each against its SLO.
    package var latencies: [Latency] {
        var out = readP99.map { r in
            let slo = Self.readSLO[r.scope]
            return Latency(scope: r.scope, seconds: r.seconds, slo: slo, rank: r.seconds > (slo ?? .infinity) ? 1 : -1)
        }
        if let w = writeP99 { out.append(Latency(scope: "write", seconds: w, slo: Self.writeSLO, rank: w > Self.writeSLO ? 1 : -1)) }
        return out
    }

    /// Whether the scrapes have the request latency histogram at all.
    package var hasLatency: Bool { !readP99.isEmpty || writeP99 != nil }

    /// The 5xx ratio's grade: critical above 5 % (KubeAPIServerErrorsHigh), warning above 1 %.
    package var errorRank: Int? { errorRatio.map { $0 > 0.05 ? 2 : $0 > 0.01 ? 1 : -1 } }

    /// The etcd database's share of its quota, when its size is known.
    package var etcdRatio: Double? { etcdBytes.map { $0 / etcdQuota } }
    /// The etcd size's grade: critical above 90 %, warning above 80 % (EtcdDatabaseNearQuota).
    package var etcdRank: Int { etcdRatio.map { $0 > 0.9 ? 2 : $0 > 0.8 ? 1 : -1 } ?? 0 }

    /// The largest object counts the report shows.
    package var largestShown: [(resource: String, objects: Double)] { Array(largest.prefix(6)) }

    /// One webhook's figures, joined with its configuration when `--webhook-config` gave it.
    package struct WebhookRow {
        /// The webhook's name (as the metrics label it).
        package var name: String
        /// Its `failurePolicy` and `timeoutSeconds`, when its configuration is known.
        package var policy: String?, timeoutSeconds: Int?
        /// False when configurations were given and none has this webhook.
        package var configured: Bool
        /// The p99 latency (NaN: no calls to measure).
        package var p99: Double
        /// The p99's grade: against the webhook's own timeout when known, else 1 s and 5 s.
        package var rank: Int
        /// Calls, failed calls, calls that failed open (nil: no such series).
        package var calls: Double?, failures: Double?, failOpen: Double?
    }

    /// The webhooks the report shows (the eight slowest), and how many more there are.
    package var webhookRows: (shown: [WebhookRow], more: Int) {
        let rows = webhooks.prefix(8).map { name, w in
            var row = WebhookRow(
                name: name, policy: nil, timeoutSeconds: nil, configured: true, p99: w.p99,
                rank: w.p99 > 5 ? 2 : w.p99 > 1 ? 1 : -1, calls: w.calls, failures: w.failures, failOpen: w.failOpen)
            if let audit {
                if let config = audit.webhooks.first(where: { $0.name == name }) {
                    row.policy = config.failurePolicy.rawValue
                    row.timeoutSeconds = config.timeoutSeconds
                    row.rank = WebhookAudit.latencySeverity(p99: w.p99, timeoutSeconds: config.timeoutSeconds)?.rank ?? -1
                } else {
                    row.configured = false
                }
            }
            return row
        }
        return (Array(rows), max(0, webhooks.count - 8))
    }

    /// The audit's findings as the report lists them, worst first, with the webhooks never
    /// called gathered apart (there are often many).
    package var findingsShown: (listed: [WebhookFinding], neverCalled: [String]) {
        guard let audit else { return ([], []) }
        return (audit.findings.filter { $0.id != .neverCalled }, audit.findings.filter { $0.id == .neverCalled }.map(\.webhook))
    }

    /// What one scrape cannot show, or how the scrapes relate to servers; nil when nothing to say.
    package var sourcesNote: String? {
        let servers = Set(snapshots.compactMap { $0.0.processStart }).count
        if snapshots.count == 1 {
            return "One scrape shows one API server; EKS runs at least two behind its endpoint: scrape each, or run the sidecar."
        } else if servers > 0 && servers < snapshots.count {
            return "\(snapshots.count) scrapes come from \(servers) API server(s) (same process start time = same server)."
        }
        return nil
    }

    /// Duplicate samples dropped across the scrapes (the first of each kept).
    package var duplicateSamples: Int { snapshots.reduce(0) { $0 + $1.0.duplicateSamples } }

    /// The window the rates are averages over, in words.
    package var windowDescription: String {
        if baseline, let w = windows.first {
            return "\(ReportUnits.span(Double(w.now - w.start) / 1000)) between the baseline and this scrape; rates are averages over it."
        }
        let lifetimes = zip(snapshots, windows).map { s, w in
            if let bad = s.0.implausibleProcessStart {
                return "unknown (process_start_time_seconds \(GoFloat.formatExponent(bad)) is not a plausible time; 1h assumed)"
            }
            return s.0.processStart == nil ? "unknown (no process_start_time_seconds; 1h assumed)" : ReportUnits.span(Double(w.now - w.start) / 1000)
        }
        return "process lifetime \(Array(Set(lifetimes)).sorted().joined(separator: ", ")); "
            + "rates and latencies are lifetime averages (--baseline EARLIER_SCRAPE for a real window)."
    }

    /// The labels an alert shows beside its name: alertname and severity are shown already,
    /// and instance only tells scrapes apart when there are several.
    package func shownLabels(_ a: Alert) -> [(name: String, value: String)] {
        let hidden = snapshots.count > 1 ? ["alertname", "severity"] : ["alertname", "severity", "instance"]
        return a.labels.labels.filter { !hidden.contains($0.name) }.map { ($0.name, $0.value) }
    }

    /// An alert's state in words.
    package func stateDescription(_ a: Alert) -> String {
        a.state == "firing" ? "firing" : "would fire (for: \(PromDuration.format(a.hold)) not observable in one scrape)"
    }
}
