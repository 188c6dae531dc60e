import AdmissionWebhooks
import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage
import PromText
import RuleEngine

/// What `ctlmon check` found, computed with PromQL over the one-shot store, and its two renderings.
package struct CheckReport {
    /// An alert to report: firing, or pending under a `for:` that one scrape cannot wait out
    /// ("would fire").
    package struct Alert {
        /// The alerting rule's name.
        package var name: String
        /// The alert's `severity` label (empty when it has none).
        package var severity: String
        /// `firing`, or `would fire` for an alert whose `for:` one scrape cannot observe.
        package var state: String
        /// The rule's `for:` (milliseconds).
        package var hold: Int64
        /// The alert's labels, `alertname` included.
        package var labels: Labels
        /// Its annotations, expanded.
        package var annotations: [String: String]
        /// The value of the rule's expression for this alert.
        package var value: Double
    }

    static let longRunning = "log|exec|portforward|attach|proxy"

    /// The report's own queries (besides the rules'), in one place: the one-shot history
    /// must reach as far back as they read too.
    package enum Query {
        static let sub = "subresource!~\"\(CheckReport.longRunning)\""
        /// The report's `readP99` query (the sidecar's status page charts it too).
        package static let readP99 = "histogram_quantile(0.99, sum by (le, scope) (rate(apiserver_request_duration_seconds_bucket{verb=~\"GET|LIST\", scope!=\"\", \(sub)}[5m])))"
        /// The report's `writeP99` query (the sidecar's status page charts it too).
        package static let writeP99 = "histogram_quantile(0.99, sum by (le) (rate(apiserver_request_duration_seconds_bucket{verb=~\"POST|PUT|PATCH|DELETE\", \(sub)}[5m])))"
        static let requestRate = "sum(rate(apiserver_request_total[5m]))"
        /// The report's `errorRatio` query (the sidecar's status page charts it too).
        package static let errorRatio = "sum(rate(apiserver_request_total{code=~\"5..\"}[5m])) / sum(rate(apiserver_request_total[5m]))"
        /// The report's `webhookP99` query (the sidecar's status page charts it too).
        package static let webhookP99 = "histogram_quantile(0.99, sum by (le, name) (rate(apiserver_admission_webhook_admission_duration_seconds_bucket[5m])))"
        static let webhookCalls = "sum by (name) (apiserver_admission_webhook_admission_duration_seconds_count)"
        static let webhookFailures = "sum by (name) (apiserver_admission_webhook_rejection_count{error_type=~\"calling_webhook_error|apiserver_internal_error\"})"
        static let webhookFailOpen = "sum by (name) (apiserver_admission_webhook_fail_open_count)"
        static let etcdSizeMetrics = ["apiserver_storage_size_bytes", "apiserver_storage_db_total_size_in_bytes", "etcd_db_total_size_in_bytes",
                                      "etcd_mvcc_db_total_size_in_bytes"]
        static let etcdQuota = "max(etcd_server_quota_backend_bytes)"
        static let objects = "topk(8, max by (resource) (apiserver_storage_objects))"
        static let objectsBefore120 = "topk(8, max by (resource) (etcd_object_counts))"

        /// Every query of the report, as text: ``CheckFamilies`` and ``OneShot/Reach`` derive what
        /// to read from them.
        package static var all: [String] {
            [readP99, writeP99, requestRate, errorRatio, webhookP99, webhookCalls, webhookFailures, webhookFailOpen, etcdQuota,
             objects, objectsBefore120] + etcdSizeMetrics.map { "max(\($0))" }
        }
    }

    let snapshots: [(Snapshot, ParseStatistics)]
    let windows: [OneShot.Window]
    let baseline: Bool
    /// The evaluation time (milliseconds): `--time`, else taken from the scrapes.
    package let now: Int64
    /// The alerts to report, most severe first, then by name.
    package var alerts: [Alert] = []
    var readP99: [(scope: String, seconds: Double)] = []
    var writeP99: Double?
    var requestRate: Double?
    var errorRatio: Double?
    /// Per webhook name, slowest first.
    var webhooks: [(name: String, metrics: WebhookMetrics)] = []
    var webhookMetricsPresent = false
    var etcdBytes: Double?
    var etcdQuota: Double = 8_589_934_592
    var etcdMetric: String?
    var largest: [(resource: String, objects: Double)] = []
    /// The webhook configurations' audit joined with these metrics (`--webhook-config`).
    package private(set) var audit: WebhookAudit?
    /// Objects of other kinds in the `--webhook-config` input, by kind: reported, never dropped
    /// silently.
    package private(set) var skippedObjects: [String: Int] = [:]

    /// Computes the report at `now` from the evaluated rules and the report's queries over `store`;
    /// `baseline`: whether the windows start at a baseline scrape rather than at the process start.
    package init(
        snapshots: [(Snapshot, ParseStatistics)], windows: [OneShot.Window], baseline: Bool, now: Int64, store: SeriesStore,
        evaluator: RuleEvaluator, groups: [RuleGroup]
    ) {
        self.snapshots = snapshots
        self.windows = windows
        self.baseline = baseline
        self.now = now
        let q = Querier(store: store, at: now)
        for (rule, a) in evaluator.activeAlerts() where a.state == .firing || (a.state == .pending && rule.hold > 0) {
            alerts.append(Alert(
                name: rule.name, severity: a.labels["severity"], state: a.state == .firing ? "firing" : "would fire",
                hold: rule.hold, labels: a.labels, annotations: a.annotations, value: a.value))
        }
        alerts.sort { (Self.rank($0.severity), $1.name) > (Self.rank($1.severity), $0.name) }

        readP99 = q.vector(Query.readP99)
            .map { ($0.labels["scope"], $0.value) }.sorted { Self.scopeOrder($0.0) < Self.scopeOrder($1.0) }
        writeP99 = q.vector(Query.writeP99).first?.value
        requestRate = q.vector(Query.requestRate).first?.value
        errorRatio = q.vector(Query.errorRatio).first?.value

        let p99 = q.vector(Query.webhookP99)
        let calls = q.byName(Query.webhookCalls)
        let failures = q.byName(Query.webhookFailures)
        let failOpen = q.byName(Query.webhookFailOpen)
        webhookMetricsPresent = !p99.isEmpty || !failures.isEmpty || !failOpen.isEmpty
        var names = Set(p99.map { $0.labels["name"] })
        names.formUnion(failures.keys)
        names.formUnion(failOpen.keys)
        webhooks = names.map { n in
            (n, WebhookMetrics(p99: p99.first { $0.labels["name"] == n }?.value ?? .nan, calls: calls[n], failures: failures[n], failOpen: failOpen[n]))
        }.sorted { ($0.metrics.p99.isNaN ? -1 : $0.metrics.p99) > ($1.metrics.p99.isNaN ? -1 : $1.metrics.p99) }

        for metric in Query.etcdSizeMetrics {
            if let v = q.vector("max(\(metric))").first?.value {
                etcdBytes = v
                etcdMetric = metric
                break
            }
        }
        if let quota = q.vector(Query.etcdQuota).first?.value { etcdQuota = quota }
        var objects = q.vector(Query.objects)
        if objects.isEmpty { objects = q.vector(Query.objectsBefore120) }
        largest = objects.map { ($0.labels["resource"], $0.value) }.sorted { $0.1 > $1.1 }
    }

    /// What the scrapes say per webhook name, for the audit's join.
    package var webhookMetrics: [String: WebhookMetrics] {
        Dictionary(webhooks.map { ($0.name, $0.metrics) }, uniquingKeysWith: { a, _ in a })
    }

    /// Joins the webhook configurations read from `--webhook-config` with the metrics.
    package mutating func audit(_ configurations: WebhookConfigurationReader.Result) {
        audit = WebhookAudit(webhooks: configurations.webhooks, metrics: webhookMetrics)
        skippedObjects = configurations.skipped
    }

    /// The rank of a severity (``severityRank(_:)``).
    package static func rank(_ severity: String) -> Int { severityRank(severity) }

    static func scopeOrder(_ s: String) -> Int { ["resource": 0, "namespace": 1, "cluster": 2][s] ?? 3 }

    /// Evaluates report queries; a query that fails is reported as missing data, not as an error.
    struct Querier {
        let at: Int64
        /// One evaluator for all report queries: the store no longer changes, so selections are shared.
        let evaluator: Evaluator
        init(store: SeriesStore, at: Int64) {
            self.at = at
            evaluator = Evaluator(store: store)
        }
        func vector(_ text: String) -> [PromQL.Sample] {
            guard let expr = try? PromQLParser.parse(text), case .vector(let v)? = try? evaluator.evaluate(expr, at: at)
            else { return [] }
            return v.filter { !$0.value.isNaN }
        }
        func byName(_ text: String) -> [String: Double] {
            Dictionary(vector(text).map { ($0.labels["name"], $0.value) }, uniquingKeysWith: +)
        }
    }
}
