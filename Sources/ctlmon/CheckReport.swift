import Foundation
import PromQL
import PromText
import RuleEngine

/// What `ctlmon check` found, computed with PromQL over the one-shot store, and its two renderings.
struct CheckReport {
    struct Alert {
        var name: String
        var severity: String
        /// `firing`, or `would fire` for an alert whose `for:` one scrape cannot observe.
        var state: String
        var hold: Int64
        var labels: Labels
        var annotations: [String: String]
        var value: Double
    }

    struct Webhook {
        var name: String
        var p99: Double
        var calls: Double?
        var failures: Double?
        var failOpen: Double?
    }

    /// Metric families the report reads besides the rules' own (the filter also keeps ``metricPrefixes``).
    static let metricNames = [
        "process_start_time_seconds", "kubernetes_build_info", "apiserver_request_total", "etcd_object_counts",
        "etcd_db_total_size_in_bytes", "etcd_mvcc_db_total_size_in_bytes", "etcd_server_quota_backend_bytes",
        "apiserver_request_duration_seconds", "apiserver_admission_webhook_admission_duration_seconds",
        "apiserver_admission_webhook_rejection_count", "apiserver_admission_webhook_fail_open_count",
        "apiserver_storage_size_bytes", "apiserver_storage_db_total_size_in_bytes", "apiserver_storage_objects",
    ]
    /// Families kept by prefix, for the report's sections.
    static let metricPrefixes = ["apiserver_request_duration_seconds", "apiserver_admission_webhook_", "apiserver_storage_"]
    static let longRunning = "log|exec|portforward|attach|proxy"

    /// The report's own queries (besides the rules'), in one place: the one-shot history
    /// must reach as far back as they read too.
    enum Query {
        static let sub = "subresource!~\"\(CheckReport.longRunning)\""
        static let readP99 = "histogram_quantile(0.99, sum by (le, scope) (rate(apiserver_request_duration_seconds_bucket{verb=~\"GET|LIST\", scope!=\"\", \(sub)}[5m])))"
        static let writeP99 = "histogram_quantile(0.99, sum by (le) (rate(apiserver_request_duration_seconds_bucket{verb=~\"POST|PUT|PATCH|DELETE\", \(sub)}[5m])))"
        static let requestRate = "sum(rate(apiserver_request_total[5m]))"
        static let errorRatio = "sum(rate(apiserver_request_total{code=~\"5..\"}[5m])) / sum(rate(apiserver_request_total[5m]))"
        static let webhookP99 = "histogram_quantile(0.99, sum by (le, name) (rate(apiserver_admission_webhook_admission_duration_seconds_bucket[5m])))"
        static let webhookCalls = "sum by (name) (apiserver_admission_webhook_admission_duration_seconds_count)"
        static let webhookFailures = "sum by (name) (apiserver_admission_webhook_rejection_count{error_type=~\"calling_webhook_error|apiserver_internal_error\"})"
        static let webhookFailOpen = "sum by (name) (apiserver_admission_webhook_fail_open_count)"
        static let etcdSizeMetrics = ["apiserver_storage_size_bytes", "apiserver_storage_db_total_size_in_bytes", "etcd_db_total_size_in_bytes",
                                      "etcd_mvcc_db_total_size_in_bytes"]
        static let etcdQuota = "max(etcd_server_quota_backend_bytes)"
        static let objects = "topk(8, max by (resource) (apiserver_storage_objects))"
        static let objectsBefore120 = "topk(8, max by (resource) (etcd_object_counts))"

        static var all: [String] {
            [readP99, writeP99, requestRate, errorRatio, webhookP99, webhookCalls, webhookFailures, webhookFailOpen, etcdQuota,
             objects, objectsBefore120] + etcdSizeMetrics.map { "max(\($0))" }
        }
    }

    let snapshots: [(Snapshot, ParseStatistics)]
    let windows: [OneShot.Window]
    let baseline: Bool
    let now: Int64
    var alerts: [Alert] = []
    var readP99: [(scope: String, seconds: Double)] = []
    var writeP99: Double?
    var requestRate: Double?
    var errorRatio: Double?
    var webhooks: [Webhook] = []
    var webhookMetricsPresent = false
    var etcdBytes: Double?
    var etcdQuota: Double = 8_589_934_592
    var etcdMetric: String?
    var largest: [(resource: String, objects: Double)] = []

    init(
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
            Webhook(name: n, p99: p99.first { $0.labels["name"] == n }?.value ?? .nan, calls: calls[n], failures: failures[n], failOpen: failOpen[n])
        }.sorted { ($0.p99.isNaN ? -1 : $0.p99) > ($1.p99.isNaN ? -1 : $1.p99) }

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

    static func rank(_ severity: String) -> Int {
        switch severity {
        case "critical", "page": 2
        case "warning": 1
        default: 0
        }
    }

    /// A count for the report: grouped digits, or the value as Go prints it when it is not a
    /// whole number that fits (counters can be NaN, infinite or absurd in a hostile scrape).
    static func count(_ v: Double) -> String {
        guard v.isFinite, v.magnitude < 9e18, v == v.rounded() else { return GoFloat.formatExponent(v) }
        return grouped(Int(v))
    }


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

    // MARK: text

    func text(color: Bool) -> String {
        let style = Style(enabled: color)
        var out: [String] = []
        let totalSeries = snapshots.reduce(0) { $0 + $1.0.seriesCount }
        // Everything that comes from a scrape or a rule file is escaped: no control character reaches the terminal.
        let described = snapshots.map { s in escaped(s.0.instance + (s.0.version.map { " (\($0))" } ?? "")) }
        out.append(style.bold("ctlmon check") + " — \(snapshots.count == 1 ? "1 scrape" : "\(snapshots.count) scrapes"): "
            + described.joined(separator: ", ") + ", \(grouped(totalSeries)) series kept")
        out.append(windowLine(style))
        let duplicates = snapshots.reduce(0) { $0 + $1.0.duplicateSamples }
        if duplicates > 0 {
            out.append(style.level("  \(grouped(duplicates)) duplicate sample(s) of a series already in the scrape dropped (the first of each kept).", 1))
        }
        let servers = Set(snapshots.compactMap { $0.0.processStart }).count
        if snapshots.count == 1 {
            out.append(style.dim("  One scrape shows one API server; EKS runs at least two behind its endpoint: scrape each, or run the sidecar."))
        } else if servers > 0 && servers < snapshots.count {
            out.append(style.dim("  \(snapshots.count) scrapes come from \(servers) API server(s) (same process start time = same server)."))
        }

        out.append("")
        out.append(style.bold("API server"))
        if readP99.isEmpty && writeP99 == nil {
            out.append("  apiserver_request_duration_seconds: missing from the scrape")
        } else {
            let slo: [String: Double] = ["resource": 1, "namespace": 5, "cluster": 30]
            let reads = readP99.map { r in
                let over = r.seconds > (slo[r.scope] ?? .infinity)
                return "\(r.scope) " + style.level(ReportUnits.seconds(r.seconds), over ? 1 : -1)
            }
            out.append("  read p99    " + (reads.isEmpty ? "no reads" : reads.joined(separator: "   ")) + style.dim("   (SLO 1s / 5s / 30s)"))
            out.append("  write p99   " + (writeP99.map { style.level(ReportUnits.seconds($0), $0 > 1 ? 1 : -1) } ?? "no writes") + style.dim("   (SLO 1s)"))
        }
        if let rate = requestRate {
            var line = "  requests    \(ReportUnits.number(rate))/s"
            if let e = errorRatio { line += ", 5xx " + style.level(ReportUnits.percent(e), e > 0.05 ? 2 : e > 0.01 ? 1 : -1) }
            out.append(line)
        } else {
            out.append("  apiserver_request_total: missing from the scrape")
        }

        out.append("")
        out.append(style.bold("Admission webhooks"))
        if !webhookMetricsPresent {
            out.append("  no apiserver_admission_webhook_* series: no webhook was called since the API server started")
        } else {
            for w in webhooks.prefix(8) {
                let name = escaped(w.name)
                var line = "  " + name.padding(toLength: max(name.count, 36), withPad: " ", startingAt: 0)
                line += " p99 " + style.level(w.p99.isNaN ? "n/a" : ReportUnits.seconds(w.p99), w.p99 > 5 ? 2 : w.p99 > 1 ? 1 : -1)
                if let c = w.calls { line += "  \(Self.count(c)) calls" }
                if let f = w.failures, f > 0 { line += "  " + style.level("\(Self.count(f)) failed", 2) }
                if let f = w.failOpen, f > 0 { line += "  " + style.level("\(Self.count(f)) failed open", 1) }
                out.append(line)
            }
            if webhooks.count > 8 { out.append(style.dim("  … and \(webhooks.count - 8) more")) }
        }

        out.append("")
        out.append(style.bold("etcd"))
        if let bytes = etcdBytes {
            let ratio = bytes / etcdQuota
            let filled = ratio.isFinite ? max(0, min(10, Int((min(max(ratio, 0), 1) * 10).rounded()))) : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 10 - filled)
            out.append("  " + style.level(bar, ratio > 0.9 ? 2 : ratio > 0.8 ? 1 : -1)
                + " \(ReportUnits.percent(ratio)) of \(ReportUnits.bytes(etcdQuota)) (\(ReportUnits.bytes(bytes)), \(etcdMetric ?? ""))")
        } else {
            out.append("  database size: missing (no apiserver_storage_size_bytes, apiserver_storage_db_total_size_in_bytes, "
                + "etcd_db_total_size_in_bytes or etcd_mvcc_db_total_size_in_bytes: Kubernetes before 1.19 does not expose it)")
        }
        if !largest.isEmpty {
            out.append("  largest     " + largest.prefix(6).map { "\(escaped($0.resource)) \(Self.count($0.objects))" }.joined(separator: " · "))
        }

        out.append("")
        out.append(style.bold("Alerts"))
        if alerts.isEmpty {
            out.append("  " + style.level("none firing", -1))
        }
        for a in alerts {
            // alertname and severity are shown already; instance only tells scrapes apart when there are several.
            let hidden = snapshots.count > 1 ? ["alertname", "severity"] : ["alertname", "severity", "instance"]
            let labels = a.labels.labels.filter { !hidden.contains($0.name) }
                .map { "\($0.name)=\(escaped($0.value))" }.joined(separator: ", ")
            var line = "  " + style.level("● \(escaped(a.severity))", Self.rank(a.severity)) + " \(escaped(a.name))"
            if !labels.isEmpty { line += " {\(labels)}" }
            line += " — " + (a.state == "firing" ? "firing" : "would fire (for: \(Duration.format(a.hold)) not observable in one scrape)")
            out.append(line)
            if let s = a.annotations["summary"] { out.append(style.dim("      \(escaped(s))")) }
            if let r = a.annotations["runbook_url"] { out.append(style.dim("      runbook: \(escaped(r))")) }
        }
        return out.joined(separator: "\n")
    }

    private func windowLine(_ style: Style) -> String {
        if baseline, let w = windows.first {
            return "  Window: \(ReportUnits.span(Double(w.now - w.start) / 1000)) between the baseline and this scrape; rates are averages over it."
        }
        let lifetimes = zip(snapshots, windows).map { s, w in
            if let bad = s.0.implausibleProcessStart {
                return "unknown (process_start_time_seconds \(GoFloat.formatExponent(bad)) is not a plausible time; 1h assumed)"
            }
            return s.0.processStart == nil ? "unknown (no process_start_time_seconds; 1h assumed)" : ReportUnits.span(Double(w.now - w.start) / 1000)
        }
        return "  Window: process lifetime \(Array(Set(lifetimes)).sorted().joined(separator: ", ")); "
            + "rates and latencies are lifetime averages (--baseline EARLIER_SCRAPE for a real window)."
    }

    // MARK: json

    func json() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.beginArray("alerts")
        for a in alerts {
            w.beginObject()
            w.value("name", a.name)
            w.value("severity", a.severity)
            w.value("state", a.state)
            w.beginObject("labels")
            for l in a.labels.labels { w.value(l.name, l.value) }
            w.endObject()
            w.beginObject("annotations")
            for (k, v) in a.annotations.sorted(by: { $0.key < $1.key }) { w.value(k, v) }
            w.endObject()
            w.value("value", a.value)
            w.endObject()
        }
        w.endArray()
        w.beginObject("source")
        w.value("samples", snapshots.reduce(0) { $0 + $1.1.samples })
        w.value("series", snapshots.reduce(0) { $0 + $1.0.seriesCount })
        w.value("bytes", snapshots.reduce(0) { $0 + $1.1.inputBytes })
        let lifetime = windows.map { Double($0.now - $0.start) / 1000 }.max() ?? 0
        w.value("lifetime_seconds", lifetime)
        w.value("window", baseline ? "baseline" : "lifetime")
        w.beginArray("instances")
        for (s, stats) in snapshots {
            w.beginObject()
            w.value("instance", s.instance)
            if let v = s.version { w.value("version", v) } else { w.null("version") }
            if let p = s.processStart { w.value("process_start_seconds", Double(p) / 1000) } else { w.null("process_start_seconds") }
            w.value("samples", stats.samples)
            w.value("filtered_samples", stats.filteredSamples)
            w.value("duplicate_samples", s.duplicateSamples)
            w.value("bytes", stats.inputBytes)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.beginObject("apiserver")
        w.beginObject("read_p99_seconds")
        for r in readP99 { w.value(r.scope, r.seconds) }
        w.endObject()
        if let v = writeP99 { w.value("write_p99_seconds", v) } else { w.null("write_p99_seconds") }
        if let v = requestRate { w.value("requests_per_second", v) } else { w.null("requests_per_second") }
        if let v = errorRatio { w.value("error_ratio", v) } else { w.null("error_ratio") }
        w.endObject()
        w.beginArray("webhooks")
        for h in webhooks {
            w.beginObject()
            w.value("name", h.name)
            if h.p99.isNaN { w.null("p99_seconds") } else { w.value("p99_seconds", h.p99) }
            if let c = h.calls { w.value("calls", c) } else { w.null("calls") }
            w.value("failures", h.failures ?? 0)
            w.value("fail_open", h.failOpen ?? 0)
            w.endObject()
        }
        w.endArray()
        w.beginObject("etcd")
        if let b = etcdBytes { w.value("db_bytes", b) } else { w.null("db_bytes") }
        w.value("quota_bytes", etcdQuota)
        if let b = etcdBytes { w.value("ratio", b / etcdQuota) } else { w.null("ratio") }
        if let m = etcdMetric { w.value("metric", m) } else { w.null("metric") }
        w.beginArray("largest")
        for l in largest {
            w.beginObject()
            w.value("resource", l.resource)
            w.value("objects", l.objects)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.endObject()
        return w.output
    }
}

/// ANSI styling, or none.
struct Style {
    let enabled: Bool
    func wrap(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { wrap(s, "1") }
    func dim(_ s: String) -> String { wrap(s, "2") }
    /// -1 good (green), 0 info (blue), 1 warning (yellow), 2 critical (red).
    func level(_ s: String, _ level: Int) -> String {
        wrap(s, level >= 2 ? "31" : level == 1 ? "33" : level == 0 ? "34" : "32")
    }
}

/// Human units for the report (seconds, rates, percentages, bytes, spans). Every value a
/// hostile scrape can make NaN, infinite or absurd prints as a number, never traps.
enum ReportUnits {
    /// A whole number, or the value as Go prints it when it is not finite or does not fit an Int.
    static func whole(_ v: Double) -> String {
        guard v.isFinite, v.magnitude < 9e18 else { return GoFloat.formatExponent(v) }
        return String(Int(v.rounded()))
    }

    static func seconds(_ s: Double) -> String {
        if s.isNaN { return "n/a" }
        if s < 1 { return whole(s * 1000) + "ms" }
        return s.isFinite ? String(format: "%.2fs", s) : GoFloat.formatExponent(s) + "s"
    }

    static func number(_ v: Double) -> String {
        guard v.isFinite else { return GoFloat.formatExponent(v) }
        if v >= 100 { return v < 9e18 ? grouped(Int(v.rounded())) : GoFloat.formatExponent(v) }
        return v >= 0.01 || v == 0 ? String(format: "%.2f", v) : String(format: "%.2g", v)
    }

    static func percent(_ r: Double) -> String {
        let p = r * 100
        guard p.isFinite else { return GoFloat.formatExponent(p) + "%" }
        return p >= 10 || p == 0 ? whole(p) + "%" : String(format: "%.2f%%", p)
    }

    static func bytes(_ b: Double) -> String {
        guard b.isFinite else { return GoFloat.formatExponent(b) + " B" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = b
        var i = 0
        while v.magnitude >= 1024 && i < units.count - 1 {
            v /= 1024
            i += 1
        }
        return v == v.rounded() ? "\(whole(v)) \(units[i])" : String(format: "%.1f %@", v, units[i])
    }

    static func span(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds.magnitude < 9e15 else { return GoFloat.formatExponent(seconds) + "s" }
        let s = Int(seconds)
        let (d, h, m) = (s / 86400, (s % 86400) / 3600, (s % 3600) / 60)
        if d > 0 { return "\(d)d \(h)h" }
        if h > 0 { return "\(h)h \(m)m" }
        return "\(m)m \(s % 60)s"
    }
}
