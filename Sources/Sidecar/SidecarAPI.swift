import Foundation
import Workers
import PromModel
import PromQL
import SeriesStorage
import RuleEngine
import Scraper

/// How much the API's queries may take, as Prometheus's `--query.*` flags.
package struct QueryLimits: Sendable {
    /// `--query.timeout` (seconds): an evaluation, its wait for a thread included, ends with a
    /// 503 `timeout` past it.
    package var timeout: Double = 120
    /// `--query.max-concurrency`: queries evaluated at once; the others wait their turn.
    package var maxConcurrency = 20
    /// `--query.max-samples`: the most samples one query may load (422 `execution` beyond).
    package var maxSamples = 50_000_000
    /// Prometheus's defaults: 2 minutes, 20 at once, 50,000,000 samples.
    package init() {}
}

/// The read-only HTTP API's bodies, in the Prometheus API's shapes (`/api/v1/alerts`,
/// `rules`, `targets`, `query`, `query_range`) and the text of `/metrics`. Independent of
/// the HTTP server, so that tests check the shapes directly.
package struct SidecarAPI: Sendable {
    let store: SeriesStore
    let rules: RuleManager
    let scrapes: ScrapeManager
    let notifier: Notifier?
    let externalLabels: [String: String]
    let recordedNames: Set<String>
    let startTime: Double
    let clock: @Sendable () -> Int64
    /// The query limits (`--query.*`).
    package let limits: QueryLimits
    /// Where the API's queries are evaluated: at most `limits.maxConcurrency` at once, off
    /// the HTTP server's threads.
    package let queryThreads: LimitedThreads

    /// The API over the running components. `startTime`: the process start (Unix seconds, for
    /// `process_start_time_seconds`); `clock`: now in Unix milliseconds, the default query time.
    package init(
        store: SeriesStore, rules: RuleManager, scrapes: ScrapeManager, notifier: Notifier?, externalLabels: [String: String],
        startTime: Double, clock: @escaping @Sendable () -> Int64, limits: QueryLimits = QueryLimits()
    ) {
        self.limits = limits
        queryThreads = LimitedThreads(limit: limits.maxConcurrency)
        self.store = store
        self.rules = rules
        self.scrapes = scrapes
        self.notifier = notifier
        self.externalLabels = externalLabels
        recordedNames = Set(rules.groups.flatMap { $0.rules.filter { $0.kind == .recording }.map(\.name) })
        self.startTime = startTime
        self.clock = clock
    }

    /// A successful API answer: `{"status":"success","data":…}`.
    static func success(_ data: String) -> String { "{\"status\":\"success\",\"data\":\(data)}" }

    /// An API error, as Prometheus words them (`bad_data`, `execution`).
    package static func error(_ type: String, _ message: String) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.value("status", "error")
        w.value("errorType", type)
        w.value("error", message)
        w.endObject()
        return w.output
    }

    /// A time parameter (``APITime``), or nil and the 400 answer naming the parameter.
    static func time(_ params: APIParameters, _ name: String, default: Int64? = nil) -> Result<Int64, Answer> {
        guard let text = params[name] else {
            if let value = `default` { return .success(value) }
            return .failure(Answer(400, error("bad_data", "invalid parameter \"\(name)\": missing")))
        }
        do {
            return .success(try APITime.milliseconds(ofTime: text))
        } catch {
            return .failure(Answer(400, Self.error("bad_data", "invalid parameter \"\(name)\": \(error)")))
        }
    }

    /// A duration parameter (``APITime``), or the 400 answer naming it.
    static func duration(_ params: APIParameters, _ name: String) -> Result<Int64?, Answer> {
        guard let text = params[name] else { return .success(nil) }
        do {
            return .success(try APITime.milliseconds(ofDuration: text))
        } catch {
            return .failure(Answer(400, Self.error("bad_data", "invalid parameter \"\(name)\": \(error)")))
        }
    }

    /// An answer: HTTP status and JSON body.
    package struct Answer: Error, Sendable {
        /// The HTTP status (200, or Prometheus's status for the error type).
        package let status: Int
        /// The JSON body.
        package let body: String
        init(_ status: Int, _ body: String) {
            self.status = status
            self.body = body
        }
    }

    // MARK: query

    /// An evaluator with the API's limits: `--query.max-samples`, and a deadline that is the
    /// earlier of the server's (`--query.timeout`) and the request's `timeout` parameter.
    func evaluator(
        _ params: APIParameters, deadline: ContinuousClock.Instant, isCanceled: (@Sendable () -> Bool)?
    ) -> Result<Evaluator, Answer> {
        let evaluator = Evaluator(store: store)
        evaluator.isCanceled = isCanceled
        evaluator.maxSamples = limits.maxSamples
        evaluator.deadline = deadline
        switch Self.duration(params, "timeout") {
        case .failure(let answer): return .failure(answer)
        case .success(let ms?) where ms > 0: evaluator.deadline = min(deadline, .now + .milliseconds(ms))
        case .success: break
        }
        return .success(evaluator)
    }

    /// `/api/v1/query?query=…&time=…&timeout=…`: (status, body). `deadline`: when the server's
    /// `--query.timeout` ends for this request; `isCanceled`: true once the server shuts down.
    package func query(_ params: APIParameters, deadline: ContinuousClock.Instant, isCanceled: (@Sendable () -> Bool)? = nil) -> (Int, String) {
        do throws(Answer) {
            guard let text = params["query"] else { throw Answer(400, Self.error("bad_data", "invalid parameter \"query\": missing")) }
            let at = try Self.time(params, "time", default: clock()).get()
            let evaluator = try evaluator(params, deadline: deadline, isCanceled: isCanceled).get()
            do throws(QueryError) {
                let expr = try PromQLParser.parse(text)
                let value = try evaluator.evaluate(expr, at: at)
                return (200, Self.success(value.apiJSON))
            } catch {
                throw Self.queryFailure(error)
            }
        } catch {
            return (error.status, error.body)
        }
    }

    /// `/api/v1/query_range?query=…&start=…&end=…&step=…&timeout=…`: at most 11,000 points
    /// per series, as Prometheus.
    package func queryRange(_ params: APIParameters, deadline: ContinuousClock.Instant, isCanceled: (@Sendable () -> Bool)? = nil) -> (Int, String) {
        do throws(Answer) {
            guard let text = params["query"] else { throw Answer(400, Self.error("bad_data", "invalid parameter \"query\": missing")) }
            let start = try Self.time(params, "start").get()
            let end = try Self.time(params, "end").get()
            guard end >= start else { throw Answer(400, Self.error("bad_data", "invalid parameter \"end\": end timestamp must not be before start time")) }
            guard let step = try Self.duration(params, "step").get() else {
                throw Answer(400, Self.error("bad_data", "invalid parameter \"step\": missing"))
            }
            guard step > 0 else {
                throw Answer(400, Self.error("bad_data", "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"))
            }
            // In floating point: the span of two extreme times does not fit 64 bits.
            guard (Double(end) - Double(start)) / Double(step) <= 11_000 else {
                throw Answer(400, Self.error("bad_data", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"))
            }
            let evaluator = try evaluator(params, deadline: deadline, isCanceled: isCanceled).get()
            do throws(QueryError) {
                let expr = try PromQLParser.parse(text)
                let series = try evaluator.evaluateRange(expr, start: start, end: end, step: step)
                return (200, Self.success(Value.matrix(series).apiJSON))
            } catch {
                throw Self.queryFailure(error)
            }
        } catch {
            return (error.status, error.body)
        }
    }

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

    /// A query that failed, as Prometheus answers it: 422 `execution` for an evaluation
    /// error (too many samples, say), 503 `timeout` past the deadline, 400 `bad_data` for one
    /// that does not parse.
    static func queryFailure(_ e: QueryError) -> Answer {
        switch e.kind {
        case .evaluation: Answer(422, error("execution", e.message))
        case .timeout: Answer(503, error("timeout", e.message))
        case .canceled: Answer(503, error("canceled", e.message))
        case .parse: Answer(400, error("bad_data", "invalid parameter \"query\": \(e)"))
        }
    }

    /// `GET /api/v1/alerts`.
    package func alerts() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.beginArray("alerts")
        for (_, a) in rules.activeAlerts() { Self.alertObject(&w, a) }
        w.endArray()
        w.endObject()
        return Self.success(w.output)
    }

    /// `GET /api/v1/rules`.
    package func rulesJSON() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.beginArray("groups")
        for (group, last, duration, rules) in rules.rulesSnapshot() {
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
                w.value("query", rule.exprText.trimmingCharacters(in: .whitespacesAndNewlines))
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
            w.value("interval", Double(self.rules.interval(of: self.rules.groups.firstIndex { $0.name == group.name && $0.file == group.file } ?? 0)) / 1000)
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
