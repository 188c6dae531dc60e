import AdmissionWebhooks
import FoundationEssentials
import Workers
import PromModel
import PromQL
import RemoteWrite
import SeriesStorage
import RuleEngine
import Scraper

/// The read-only HTTP API's bodies, in the Prometheus API's shapes (`/api/v1/alerts`,
/// `rules`, `targets`, `query`, `query_range`) and the text of `/metrics`. Independent of
/// the HTTP server, so that tests check the shapes directly.
package struct SidecarAPI: Sendable {
    let store: SeriesStore
    let scrapes: ScrapeManager
    /// The rules, notifier and external labels in service (a reload replaces them).
    let pipeline: AlertPipeline.Current
    let startTime: Double
    let clock: @Sendable () -> Int64
    /// The query limits (`--query.*`).
    package let limits: QueryLimits
    /// Config reloads (their status in `/metrics`; `POST /-/reload`); nil in tests without one.
    let reload: Reload?
    /// Where the API's queries are evaluated: at most `limits.maxConcurrency` at once, off
    /// the HTTP server's threads.
    package let queryThreads: LimitedThreads
    /// The admission webhook configurations last listed (in a cluster), for the status page's
    /// audit; nil: none known.
    let webhookConfigurations: @Sendable () -> [AdmissionWebhook]?
    /// The remote-write destinations (their counters in `/metrics`); nil: none configured.
    let remoteWrite: RemoteWriteService?

    /// The API over the running components. `startTime`: the process start (Unix seconds, for
    /// `process_start_time_seconds`); `clock`: now in Unix milliseconds, the default query time;
    /// `limits`: how long, how many and how much the API's queries may take; `reload`: the
    /// config reloads.
    package init(
        store: SeriesStore, pipeline: AlertPipeline.Current, scrapes: ScrapeManager,
        startTime: Double, clock: @escaping @Sendable () -> Int64, limits: QueryLimits = QueryLimits(), reload: Reload? = nil,
        webhookConfigurations: @escaping @Sendable () -> [AdmissionWebhook]? = { nil }, remoteWrite: RemoteWriteService? = nil
    ) {
        self.webhookConfigurations = webhookConfigurations
        self.remoteWrite = remoteWrite
        self.limits = limits
        self.reload = reload
        queryThreads = LimitedThreads(limit: limits.maxConcurrency)
        self.store = store
        self.pipeline = pipeline
        self.scrapes = scrapes
        self.startTime = startTime
        self.clock = clock
    }

    /// An API over components that are never replaced (tests).
    package init(
        store: SeriesStore, rules: RuleManager, scrapes: ScrapeManager, notifier: Notifier?, externalLabels: [String: String],
        startTime: Double, clock: @escaping @Sendable () -> Int64, limits: QueryLimits = QueryLimits()
    ) {
        self.init(
            store: store, pipeline: AlertPipeline.Current(AlertPipeline(rules: rules, notifier: notifier, externalLabels: externalLabels)),
            scrapes: scrapes, startTime: startTime, clock: clock, limits: limits)
    }

    /// The status page (`GET /`) now, with charts over `range` (`1h`, `6h`, `24h`), its
    /// queries bounded by the API's limits and done by `deadline`.
    package func statusPage(range: String?, deadline: ContinuousClock.Instant? = nil) -> StatusPage {
        StatusPage(
            store: store, alerts: pipeline.value.rules.activeAlerts(), targets: scrapes.current.map { ($0.target, $0.status) },
            now: clock(), range: range, webhookConfigurations: webhookConfigurations(), limits: limits, deadline: deadline)
    }

    /// The query endpoints over the store, with the API's limits.
    package var queries: QueryEndpoints { QueryEndpoints(store: store, limits: limits, clock: clock) }

    /// A successful API answer: `{"status":"success","data":…}`.
    static func success(_ data: String) -> String { QueryEndpoints.success(data) }

    // MARK: alerts and rules

    static func labelsObject(_ w: inout JSONWriter, _ key: String, _ labels: [(String, String)]) {
        w.beginObject(key)
        for (k, v) in labels.sorted(by: { $0.0 < $1.0 }) { w.value(k, v) }
        w.endObject()
    }

    static func alertObject(_ w: inout JSONWriter, _ a: ActiveAlert) {
        w.beginObject()
        labelsObject(&w, "labels", a.labels.labels.map { ($0.name, $0.value) })
        labelsObject(&w, "annotations", a.annotations.map { ($0.key, $0.value) })
        w.value("state", a.state.rawValue)
        w.value("activeAt", RFC3339.format(milliseconds: a.activeAt))
        w.value("value", GoFloat.formatExponent(a.value).lowercased())
        w.endObject()
    }

    /// `GET /api/v1/alerts`.
    package func alerts() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.beginArray("alerts")
        for (_, a) in pipeline.value.rules.activeAlerts() { Self.alertObject(&w, a) }
        w.endArray()
        w.endObject()
        return Self.success(w.output)
    }

    /// `GET /api/v1/rules`.
    package func rulesJSON() -> String {
        let manager = pipeline.value.rules
        var w = JSONWriter()
        w.beginObject()
        w.beginArray("groups")
        for (group, last, duration, rules) in manager.rulesSnapshot() {
            w.beginObject()
            w.value("name", group.name)
            w.value("file", group.file)
            w.beginArray("rules")
            for (rule, status, alerts) in rules {
                w.beginObject()
                if rule.kind == .alerting {
                    let state = alerts.contains { $0.state == .firing } ? "firing" : alerts.contains { $0.state == .pending } ? "pending" : "inactive"
                    w.value("state", state)
                }
                w.value("name", rule.name)
                w.value("query", rule.exprText.trimmingWhitespace())
                if rule.kind == .alerting {
                    w.value("duration", Double(rule.hold) / 1000)
                    w.value("keepFiringFor", Double(rule.keepFiringFor) / 1000)
                }
                Self.labelsObject(&w, "labels", rule.labels.map { ($0.0, $0.1.source) })
                if rule.kind == .alerting {
                    Self.labelsObject(&w, "annotations", rule.annotations.map { ($0.0, $0.1.source) })
                    w.beginArray("alerts")
                    for a in alerts where a.state != .inactive { Self.alertObject(&w, a) }
                    w.endArray()
                }
                w.value("health", status.lastEvaluation == nil ? "unknown" : status.error == nil ? "ok" : "err")
                if let e = status.error { w.value("lastError", e) }
                w.value("evaluationTime", status.duration)
                w.value("lastEvaluation", status.lastEvaluation.map { RFC3339.format(milliseconds: $0) } ?? "0001-01-01T00:00:00Z")
                w.value("type", rule.kind == .alerting ? "alerting" : "recording")
                w.endObject()
            }
            w.endArray()
            w.value("interval", Double(manager.interval(of: manager.groups.firstIndex { $0.name == group.name && $0.file == group.file } ?? 0)) / 1000)
            w.value("limit", group.limit)
            w.value("evaluationTime", duration)
            w.value("lastEvaluation", last.map { RFC3339.format(milliseconds: $0) } ?? "0001-01-01T00:00:00Z")
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return Self.success(w.output)
    }

    /// `GET /api/v1/targets`.
    package func targets() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.beginArray("activeTargets")
        for loop in scrapes.current {
            let t = loop.target
            let s = loop.status
            w.beginObject()
            Self.labelsObject(&w, "discoveredLabels", [("__address__", t.address), ("__metrics_path__", URLComponents(string: t.url)?.path ?? "/metrics"),
                                                       ("__scheme__", URLComponents(string: t.url)?.scheme ?? "http"), ("job", t.job)])
            Self.labelsObject(&w, "labels", t.targetLabels)
            w.value("scrapePool", t.job)
            w.value("scrapeUrl", t.url)
            w.value("globalUrl", t.url)
            w.value("lastError", s.lastError)
            w.value("lastScrape", s.lastScrape.map { RFC3339.format(milliseconds: $0) } ?? "0001-01-01T00:00:00Z")
            w.value("lastScrapeDuration", s.lastDuration)
            w.value("health", s.health.rawValue)
            w.value("scrapeInterval", PromDuration.format(Int64(t.interval * 1000)))
            w.value("scrapeTimeout", PromDuration.format(Int64(t.timeout * 1000)))
            w.endObject()
        }
        w.endArray()
        w.beginArray("droppedTargets")
        w.endArray()
        w.endObject()
        return Self.success(w.output)
    }
}
