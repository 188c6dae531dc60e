import PromModel
import PromQL

/// The sidecar's query endpoints with their limits: the input is a request's query string
/// (`query=…&time=…&start=…&end=…&step=…&timeout=…&match[]=…&limit=…`, also read as a form
/// body), sent to `/api/v1/query`, `/api/v1/query_range`, `/api/v1/series`, `/api/v1/labels`,
/// `/api/v1/label/<name>/values` (the name from a `name` parameter) and
/// `/api/v1/query_exemplars` over the evaluator's fixed store. Every input
/// must give an answer with a status and a JSON body, never a trap in a conversion, a hang
/// (a one-second deadline) or unbounded memory (a million samples).
enum FuzzAPI {
    static let endpoints: QueryEndpoints = {
        var limits = QueryLimits()
        limits.maxSamples = 1_000_000
        return QueryEndpoints(store: FuzzEvaluator.store, limits: limits, clock: { 300_000 })
    }()

    static func run(_ text: String) {
        let params = APIParameters(query: text)
        let form = APIParameters(query: nil, form: text)
        for p in [params, form] {
            let deadline = ContinuousClock.now + .seconds(1)
            let answers = [
                endpoints.query(p, deadline: deadline), endpoints.queryRange(p, deadline: deadline), endpoints.series(p),
                endpoints.labelNames(p), endpoints.labelValues(p["name"] ?? "job", p), endpoints.exemplars(p),
            ]
            for (status, body) in answers where status != 204 {
                precondition([200, 400, 422, 503].contains(status), "status \(status) for \(text)")
                precondition(body.hasPrefix("{\"status\":"), "not an API answer for \(text): \(body.prefix(100))")
            }
        }
    }
}
