import PromModel
import SeriesStorage

/// How much the API's queries may take, as Prometheus's `--query.*` flags.
package struct QueryLimits: Sendable {
    /// `--query.timeout`: an evaluation, its wait for a thread included, ends with a 503
    /// `timeout` past it.
    package var timeout: Duration = .seconds(120)
    /// `--query.max-concurrency`: queries evaluated at once; the others wait their turn.
    package var maxConcurrency = 20
    /// `--query.max-samples`: the most samples one query may load (422 `execution` beyond).
    package var maxSamples = 50_000_000
    /// Prometheus's defaults: 2 minutes, 20 at once, 50,000,000 samples.
    package init() {}
}

/// Prometheus's `/api/v1/query` and `/api/v1/query_range` over a store, apart from any HTTP
/// server: parameters in, (status, JSON body) out, with Prometheus's limits, shapes and error
/// types. The sidecar serves them; the fuzzer drives them directly.
package struct QueryEndpoints: Sendable {
    /// The store queried.
    package let store: SeriesStore
    /// The limits of each query.
    package let limits: QueryLimits
    /// Now, in Unix milliseconds: the default `time`.
    package let clock: @Sendable () -> Int64

    /// Endpoints over `store` with `limits`; `clock` gives the default query time.
    package init(store: SeriesStore, limits: QueryLimits, clock: @escaping @Sendable () -> Int64) {
        self.store = store
        self.limits = limits
        self.clock = clock
    }

    /// A successful API answer: `{"status":"success","data":…}`.
    package static func success(_ data: String) -> String { "{\"status\":\"success\",\"data\":\(data)}" }

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

}
