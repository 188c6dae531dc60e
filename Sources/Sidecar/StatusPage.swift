import AdmissionWebhooks
import Check
import FoundationEssentials
import PromModel
import PromQL
import RuleEngine
import Scraper
import SeriesStorage

/// `GET /`: the sidecar's status page, from its own store and alert states — the verdict
/// first (alerts firing and pending, worst severity), then the API server, admission webhooks,
/// etcd, the scheduler and controller manager when scraped, the targets and the alerts. Each
/// figure has a chart of the last `range` (1h, 6h or 24h, as far as the store keeps it), drawn
/// as SVG here: the page works with JavaScript off, loads nothing but itself, and refreshes by
/// a `<meta>` every minute. Each chart links to its query on `/api/v1/query_range`. Everything
/// from a scrape, a rule or a configuration is HTML-escaped.
package struct StatusPage {
    /// The ranges offered, by their `?range=` value.
    package static let ranges: [(name: String, milliseconds: Int64)] = [("1h", 3_600_000), ("6h", 21_600_000), ("24h", 86_400_000)]
    /// Points per chart line: the step is the range over this.
    static let steps: Int64 = 120

    /// A chart of the page: what it shows, its query and how its values read.
    struct Chart: Sendable {
        var title: String
        var query: String
        var legend: @Sendable (Labels) -> String
        var marks: [(value: Double, label: String)] = []
        var format: @Sendable (Double) -> String
    }

    let store: SeriesStore
    let alerts: [(rule: Rule, alert: ActiveAlert)]
    let targets: [(target: ScrapeTarget, status: ScrapeLoop.Status)]
    let now: Int64
    let range: (name: String, milliseconds: Int64)
    /// The admission webhook configurations last listed, audited on the page; nil: not known.
    let webhookConfigurations: [AdmissionWebhook]?
    /// The bounds of every query the page runs.
    let limits: QueryLimits
    /// When the page must be done (the request's query timeout); nil: never.
    let deadline: ContinuousClock.Instant?

    /// A page over `store` at `now`, with the alerts and targets in service, charts over
    /// `range`, and the audit of `webhookConfigurations` when known.
    package init(
        store: SeriesStore, alerts: [(rule: Rule, alert: ActiveAlert)], targets: [(target: ScrapeTarget, status: ScrapeLoop.Status)], now: Int64,
        range: String?, webhookConfigurations: [AdmissionWebhook]? = nil, limits: QueryLimits = QueryLimits(), deadline: ContinuousClock.Instant? = nil
    ) {
        self.webhookConfigurations = webhookConfigurations
        self.limits = limits
        self.deadline = deadline
        self.store = store
        self.alerts = alerts
        self.targets = targets
        self.now = now
        self.range = Self.ranges.first { $0.name == range } ?? Self.ranges[0]
    }

    /// The page's `Content-Security-Policy` header: its own origin only, its inline style by hash.
    package static var policy: String {
        "default-src 'self'; style-src 'sha256-\(SHA256.hash(Array(PageStyle.css.utf8)).base64)'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    }

    /// The API server's charts: the p99s from the shipped rules' recorded histogram when the
    /// store has it (a few hundred series instead of thousands: the page renders several times
    /// faster), else from the raw histogram, as the report computes them.
    var apiCharts: [Chart] {
        let recorded = has(Self.recordedLatency)
        return [
            Chart(
                title: "Read p99 by scope (SLO: resource 1 s, namespace 5 s, cluster 30 s)",
                query: recorded
                    ? "histogram_quantile(0.99, sum by (le, scope) (\(Self.recordedLatency){verb=~\"GET|LIST\", scope!=\"\"}))"
                    : CheckReport.Query.readP99,
                legend: { $0["scope"] }, marks: [(1, "SLO 1 s (resource)"), (5, "SLO 5 s (namespace)")], format: ReportUnits.seconds),
            Chart(
                title: "Write p99 (SLO 1 s)",
                query: recorded
                    ? "histogram_quantile(0.99, sum by (le) (\(Self.recordedLatency){verb=~\"POST|PUT|PATCH|DELETE\"}))"
                    : CheckReport.Query.writeP99,
                legend: { _ in "writes" }, marks: [(1, "SLO 1 s")], format: ReportUnits.seconds),
            Chart(
                title: "5xx ratio (alert above 5 %)",
                query: CheckReport.Query.errorRatio,
                legend: { _ in "5xx" }, marks: [(0.05, "5 %: KubeAPIServerErrorsHigh")], format: ReportUnits.percent),
            Chart(
                title: "Requests per second by instance",
                query: "sum by (instance) (rate(apiserver_request_total[5m]))",
                legend: { $0["instance"] }, format: { ReportUnits.number($0) + "/s" }),
        ]
    }
    /// The shipped rules' 5-minute rates of the latency histogram without long-running requests
    /// (Rules/apiserver.yaml).
    static let recordedLatency = "cluster_instance_verb_scope_le:apiserver_request_duration_seconds_bucket:rate5m"
    static let webhookCharts: [Chart] = [
        Chart(
            title: "Webhook p99 (the 6 slowest)",
            query: "topk(6, \(CheckReport.Query.webhookP99))",
            legend: { $0["name"] }, marks: [(1, "1 s: KubeAdmissionWebhookSlow"), (5, "5 s: critical")], format: ReportUnits.seconds),
        Chart(
            title: "Webhook calls failing (per second)",
            query: "sum by (name) (rate(apiserver_admission_webhook_rejection_count{error_type=~\"calling_webhook_error|apiserver_internal_error\"}[5m])) > 0",
            legend: { $0["name"] }, format: { ReportUnits.number($0) + "/s" }),
    ]
    static let etcdSize = "max(apiserver_storage_size_bytes) or max(apiserver_storage_db_total_size_in_bytes) or max(etcd_db_total_size_in_bytes) or max(etcd_mvcc_db_total_size_in_bytes)"
    static let etcdQuota = "max(etcd_server_quota_backend_bytes) or vector(8589934592)"
    /// The etcd chart: from the shipped rules' recorded size and quota when the store has them
    /// (the 4-hour projection then reads a range, not a subquery evaluated at every step), else
    /// from the raw metrics.
    var etcdCharts: [Chart] {
        let recorded = has("cluster:etcd_db_size_bytes:max")
        let size = recorded ? "max(cluster:etcd_db_size_bytes:max)" : Self.etcdSize
        let quota = recorded ? "max(cluster:etcd_quota_bytes:max)" : Self.etcdQuota
        let projection = recorded ? "max(predict_linear(cluster:etcd_db_size_bytes:max[4h], 4 * 3600))" : "predict_linear((\(Self.etcdSize))[4h:1m], 4 * 3600)"
        return [
            Chart(
                title: "etcd database size, its quota, and the size 4 h ahead at the last 4 h's growth",
                query: "label_replace(\(size), \"what\", \"size\", \"\", \"\") or label_replace(\(quota), \"what\", \"quota\", \"\", \"\") "
                    + "or label_replace(\(projection), \"what\", \"in 4 h\", \"\", \"\")",
                legend: { $0["what"] }, format: ReportUnits.bytes),
        ]
    }
    static let controlPlaneCharts: [Chart] = [
        Chart(title: "Pending pods by queue (scheduler)", query: "sum by (queue) (scheduler_pending_pods)", legend: { $0["queue"] }, format: ReportUnits.number),
        Chart(title: "Work queue depth, the 6 deepest (controller manager)", query: "topk(6, sum by (name) (workqueue_depth))", legend: { $0["name"] }, format: ReportUnits.number),
    ]

    /// The page.
    package func html() -> String {
        var out = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"refresh\" content=\"60\">\n<link rel=\"icon\" href=\"data:,\">\n"
        let v = verdict
        out += "<title>ctlmon: \(htmlEscaped(PageStyle.gradeWords(v.rank))) — \(htmlEscaped(v.words))</title>\n<style>\(PageStyle.css)</style>\n</head>\n<body>\n"
        out += "<header>\n<h1>ctlmon serve</h1>\n<p class=\"verdict g\(v.rank)\" id=\"verdict\">\(PageStyle.gradeWords(v.rank)): \(htmlEscaped(v.words))</p>\n"
        out += "<nav class=\"ranges\" aria-label=\"chart range\">History: "
        out += Self.ranges.map { r in r.name == range.name ? "<strong>\(r.name)</strong>" : "<a href=\"?range=\(r.name)\">\(r.name)</a>" }.joined(separator: " ")
        out += " <span class=\"muted\">(as far as the store keeps it: --storage.dashboard-retention)</span></nav>\n</header>\n"
        out += section("API server", "api", charts: apiCharts)
        out += section("Admission webhooks", "webhooks", charts: Self.webhookCharts, extra: webhookTable() + webhookAudit())
        out += section("etcd", "etcd", charts: etcdCharts, extra: etcdFigures())
        if has("scheduler_pending_pods") || has("workqueue_depth") {
            out += section("Scheduler and controller manager", "controlplane", charts: Self.controlPlaneCharts)
        }
        out += targetsHTML() + alertsHTML()
        out += "<p class=\"muted\">ctlmon \(htmlEscaped(BuildVersion.version)) — \(htmlEscaped(RFC3339.format(milliseconds: now))) — "
        out += "the same in text: <a href=\"?format=text\">?format=text</a>; the API: <a href=\"api/v1/targets\">/api/v1/targets</a>, <a href=\"api/v1/alerts\">/api/v1/alerts</a></p>\n"
        return out + "</body>\n</html>\n"
    }

    /// The worst severity among the alerts and what they are.
    var verdict: (rank: Int, words: String) {
        let firing = alerts.filter { $0.alert.state == .firing }
        let pending = alerts.filter { $0.alert.state == .pending }
        let down = targets.filter { $0.status.health == .down }
        var rank = firing.map { severityRank($0.alert.labels["severity"]) }.max() ?? -1
        // Pending alerts are not a verdict yet, but not "ok" either.
        if !pending.isEmpty { rank = max(rank, 0) }
        if !down.isEmpty { rank = max(rank, 1) }
        var words: [String] = []
        if !firing.isEmpty { words.append("\(firing.count) alert\(firing.count == 1 ? "" : "s") firing") }
        if !pending.isEmpty { words.append("\(pending.count) pending") }
        if !down.isEmpty { words.append("\(down.count) target\(down.count == 1 ? "" : "s") down") }
        if words.isEmpty { words.append(targets.isEmpty ? "no target yet" : "no alert firing") }
        return (rank, words.joined(separator: ", "))
    }

    /// An evaluator bounded as the API's queries are (`--query.max-samples`, `--query.timeout`
    /// from the request's start): a figure past them is shown without data, never waited for.
    func evaluator() -> Evaluator {
        let e = Evaluator(store: store)
        e.maxSamples = limits.maxSamples
        e.deadline = deadline
        return e
    }

    func has(_ metric: String) -> Bool { !instant("count(\(metric))").isEmpty }

    func instant(_ query: String) -> [PromQL.Sample] {
        guard let expr = try? PromQLParser.parse(query), case .vector(let v)? = try? evaluator().evaluate(expr, at: now) else { return [] }
        return v.filter { $0.value.isFinite }
    }

    func section(_ title: String, _ id: String, charts: [Chart], extra: String = "") -> String {
        var out = "<section aria-labelledby=\"h-\(id)\">\n<h2 id=\"h-\(id)\">\(htmlEscaped(title))</h2>\n" + extra + "<div class=\"charts\">\n"
        for c in charts { out += figure(c) }
        return out + "</div>\n</section>\n"
    }

    /// One chart, its legend and the link to its query.
    func figure(_ c: Chart) -> String {
        let start = now - range.milliseconds
        let step = max(range.milliseconds / Self.steps, 1000)
        var series: [SVGChart.Series] = []
        if let expr = try? PromQLParser.parse(c.query), let result = try? evaluator().evaluateRange(expr, start: start, end: now, step: step) {
            series = result.map { s in SVGChart.Series(name: c.legend(s.labels), points: s.points.map { ($0.t, $0.v) }) }
                .sorted { ($0.points.last?.v ?? 0) > ($1.points.last?.v ?? 0) }
        }
        let chart = SVGChart(title: "\(c.title), last \(range.name)", series: series, start: start, end: now, marks: c.marks, format: c.format)
        let link = "api/v1/query_range?query=\(Self.urlEncoded(c.query))&start=\(Double(start) / 1000)&end=\(Double(now) / 1000)&step=\(Double(step) / 1000)"
        var out = "<figure>\n<figcaption>\(htmlEscaped(c.title))</figcaption>\n" + chart.svg() + "\n"
        out += series.isEmpty ? "<p class=\"muted\">No data in the last \(range.name).</p>\n" : chart.legend() + "\n"
        return out + "<a href=\"\(htmlEscaped(link))\">the query</a>\n</figure>\n"
    }

    static func urlEncoded(_ s: String) -> String {
        PercentEncoding.encode(s)
    }

    /// The webhooks now: p99 against each one's timeout (from `ctlmon_webhook_config_info`
    /// when the configurations are listed), failures graded by policy.
    func webhookTable() -> String {
        let p99 = instant(CheckReport.Query.webhookP99)
        let failing = Dictionary(instant("sum by (name) (rate(apiserver_admission_webhook_rejection_count{error_type=~\"calling_webhook_error|apiserver_internal_error\"}[5m]))").map { ($0.labels["name"], $0.value) }, uniquingKeysWith: +)
        let info = Dictionary(instant("max by (name, failure_policy, timeout_seconds) (ctlmon_webhook_config_info)").map { ($0.labels["name"], ($0.labels["failure_policy"], Double($0.labels["timeout_seconds"]))) }, uniquingKeysWith: { a, _ in a })
        guard !p99.isEmpty || !failing.isEmpty else { return "<p>No webhook calls in the last 5 minutes.</p>\n" }
        var out = "<div class=\"wrap\"><table>\n<tr><th>webhook</th><th>policy, timeout</th><th class=\"num\">p99</th><th class=\"num\">failing</th></tr>\n"
        let names = Set(p99.map { $0.labels["name"] }).union(failing.keys).sorted()
        for name in names.prefix(20) {
            let latency = p99.first { $0.labels["name"] == name }?.value
            let config = info[name]
            let timeout = config?.1 ?? 10
            let rank = latency.map { $0 >= timeout * 0.8 ? 2 : $0 >= timeout * 0.5 || $0 > 1 ? 1 : -1 } ?? -1
            let fails = failing[name] ?? 0
            let failRank = fails > 0 ? (config?.0 == "Ignore" ? 1 : 2) : -1
            out += "<tr><td><code>\(htmlEscaped(name))</code></td><td>\(config.map { "\(htmlEscaped($0.0)), \(htmlEscaped(ReportUnits.seconds($0.1 ?? 10)))" } ?? "not listed")</td>"
            out += "<td class=\"num\">\(latency.map { PageStyle.graded(ReportUnits.seconds($0), rank) } ?? "—")</td>"
            out += "<td class=\"num\">\(fails > 0 ? PageStyle.graded(ReportUnits.number(fails) + "/s", failRank) : "0")</td></tr>\n"
        }
        return out + "</table></div>\n"
    }

    /// The configurations' audit joined with the last 15 minutes of the webhooks' metrics, as
    /// `ctlmon webhooks` and `check --webhook-config` give it; nothing when they are not listed.
    func webhookAudit() -> String {
        guard let configurations = webhookConfigurations else {
            return "<p class=\"muted\">Webhook configurations: not listed (ctlmon lists them when it runs in the cluster with deploy/rbac.yaml's role).</p>\n"
        }
        func byName(_ query: String) -> [String: Double] {
            Dictionary(instant(query).map { ($0.labels["name"], $0.value) }, uniquingKeysWith: +)
        }
        let p99 = byName(CheckReport.Query.webhookP99)
        // Calls over the counters' life (a webhook never called since the API server started);
        // failures over the last 15 minutes (what is failing now, not once last week).
        let calls = byName("sum by (name) (apiserver_admission_webhook_admission_duration_seconds_count)")
        let failures = byName("sum by (name) (increase(apiserver_admission_webhook_rejection_count{error_type=~\"calling_webhook_error|apiserver_internal_error\"}[15m]))")
        let failOpen = byName("sum by (name) (increase(apiserver_admission_webhook_fail_open_count[15m]))")
        var metrics: [String: WebhookMetrics] = [:]
        for name in Set(p99.keys).union(calls.keys).union(failures.keys).union(failOpen.keys) {
            metrics[name] = WebhookMetrics(p99: p99[name] ?? .nan, calls: calls[name], failures: failures[name], failOpen: failOpen[name])
        }
        let audit = WebhookAudit(webhooks: configurations, metrics: metrics)
        var out = "<p class=\"muted\">Configurations: \(audit.webhooks.count) webhook(s) in \(audit.configurationCount) configuration(s), audited with the calls since each API server started and the failures of the last 15 minutes.</p>\n"
        out += PageStyle.findingsHTML(audit.findings.filter { $0.id != .neverCalled }, neverCalled: audit.findings.filter { $0.id == .neverCalled }.map(\.webhook))
        return out
    }

    /// The size against the quota, the 4 h projection, time to full and the largest counts.
    func etcdFigures() -> String {
        guard let size = instant(Self.etcdSize).first?.value else { return "<p>Database size: not scraped.</p>\n" }
        let quota = instant(Self.etcdQuota).first?.value ?? 8_589_934_592
        let ratio = size / quota
        let rank = ratio > 0.9 ? 2 : ratio > 0.8 ? 1 : -1
        var out = "<p>\(PageStyle.bar(ratio: ratio, rank: rank, markAt: 0.8, title: "etcd \(ReportUnits.bytes(size)) of \(ReportUnits.bytes(quota))")) "
        out += "\(PageStyle.graded(ReportUnits.percent(ratio), rank)) of \(htmlEscaped(ReportUnits.bytes(quota))) (\(htmlEscaped(ReportUnits.bytes(size))))</p>\n"
        let growth = instant("deriv((\(Self.etcdSize))[4h:1m])").first?.value
        if let g = growth, g > 0 {
            let full = (quota - size) / g
            out += "<p>Growing \(htmlEscaped(ReportUnits.bytes(g * 3600)))/h over the last 4 h: full in \(PageStyle.graded(ReportUnits.span(full), full < 86400 ? 2 : full < 7 * 86400 ? 1 : -1)); in 4 h: \(htmlEscaped(ReportUnits.bytes(size + g * 4 * 3600))).</p>\n"
        } else {
            out += "<p>Not growing over the last 4 h (as far as the store keeps it): no time to full.</p>\n"
        }
        var largest = instant("topk(8, max by (resource) (apiserver_storage_objects))")
        if largest.isEmpty { largest = instant("topk(8, max by (resource) (etcd_object_counts))") }
        if !largest.isEmpty {
            out += "<p>Largest: " + largest.sorted { $0.value > $1.value }.map { "\(htmlEscaped($0.labels["resource"])) \(groupedCount($0.value))" }.joined(separator: " · ") + "</p>\n"
        }
        return out
    }

    func targetsHTML() -> String {
        var out = "<section aria-labelledby=\"h-targets\">\n<h2 id=\"h-targets\">Targets</h2>\n"
        guard !targets.isEmpty else { return out + "<p>No target discovered yet.</p>\n</section>\n" }
        out += "<div class=\"wrap\"><table>\n<tr><th>job</th><th>instance</th><th>health</th><th class=\"num\">last scrape</th><th>last error</th></tr>\n"
        for (t, s) in targets.sorted(by: { ($0.target.job, $0.target.address) < ($1.target.job, $1.target.address) }) {
            let rank = s.health == .up ? -1 : s.health == .down ? 2 : 0
            let ago = s.lastScrape.map { ReportUnits.span(Double(now - $0) / 1000) + " ago" } ?? "never"
            out += "<tr><td>\(htmlEscaped(t.job))</td><td><code>\(htmlEscaped(t.address))</code></td><td>\(PageStyle.graded(s.health.rawValue, rank))</td>"
            out += "<td class=\"num\">\(htmlEscaped(ago))</td><td>\(htmlEscaped(s.lastError))</td></tr>\n"
        }
        return out + "</table></div>\n</section>\n"
    }

    func alertsHTML() -> String {
        var out = "<section aria-labelledby=\"h-alerts\">\n<h2 id=\"h-alerts\">Alerts</h2>\n"
        guard !alerts.isEmpty else { return out + "<p>\(PageStyle.graded("none firing or pending", -1))</p>\n</section>\n" }
        out += "<ul class=\"alerts\">\n"
        let sorted = alerts.sorted { (severityRank($0.alert.labels["severity"]), $1.rule.name) > (severityRank($1.alert.labels["severity"]), $0.rule.name) }
        for (rule, a) in sorted {
            let severity = a.labels["severity"]
            let rank = severityRank(severity)
            let labels = a.labels.labels.filter { !["alertname", "severity"].contains($0.name) }.map { "\(htmlEscaped($0.name))=\(htmlEscaped($0.value))" }.joined(separator: ", ")
            out += "<li class=\"g\(rank)\"><strong>\(PageStyle.graded(severity.isEmpty ? "none" : severity, rank)) \(htmlEscaped(rule.name))</strong>"
            if !labels.isEmpty { out += " <code>{\(labels)}</code>" }
            out += " — \(htmlEscaped(a.state.rawValue)) since \(htmlEscaped(RFC3339.format(milliseconds: a.activeAt))) (\(htmlEscaped(ReportUnits.span(Double(now - a.activeAt) / 1000))))"
            if let s = a.annotations["summary"] ?? a.annotations["description"] { out += "<br>\(htmlEscaped(s))" }
            if let r = a.annotations["runbook_url"] {
                // Only web links become links (never javascript: or the like).
                if r.hasPrefix("https://") || r.hasPrefix("http://") {
                    out += "<br><a href=\"\(htmlEscaped(r))\" rel=\"noreferrer\">runbook</a>"
                } else {
                    out += "<br><span class=\"muted\">Runbook: \(htmlEscaped(r))</span>"
                }
            }
            out += "</li>\n"
        }
        return out + "</ul>\n</section>\n"
    }
}
