import Foundation
import Hummingbird

/// The sidecar's HTTP routes (read-only: GET only, no secret in any answer).
enum SidecarRoutes {
    static func router(api: SidecarAPI, rules: RuleManager) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/-/healthy") { _, _ in text(200, "ctlmon is Healthy.\n") }
        router.get("/-/ready") { _, _ in
            rules.isReady ? text(200, "ctlmon is Ready.\n") : text(503, "Service Unavailable\n")
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: api.metricsText())))
        }
        router.get("/api/v1/alerts") { _, _ in json(200, api.alerts()) }
        router.get("/api/v1/rules") { _, _ in json(200, api.rulesJSON()) }
        router.get("/api/v1/targets") { _, _ in json(200, api.targets()) }
        router.get("/api/v1/query") { request, _ in
            let (status, body) = api.query(parameters(request.uri.query))
            return json(status, body)
        }
        router.get("/api/v1/query_range") { request, _ in
            let (status, body) = api.queryRange(parameters(request.uri.query))
            return json(status, body)
        }
        router.get("/") { _, _ in
            text(200, """
                ctlmon serve

                /metrics              ctlmon's metrics, each target's up and scrape series, recorded series, ALERTS
                /api/v1/alerts        active alerts
                /api/v1/rules         rule groups, rules and their health
                /api/v1/targets       scrape targets and their last scrape
                /api/v1/query         PromQL (query, time)
                /api/v1/query_range   PromQL over a range (query, start, end, step)
                /-/healthy  /-/ready

                """)
        }
        return router
    }

    static func text(_ status: Int, _ body: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ status: Int, _ body: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Query parameters as Go's `ParseQuery` reads them: `+` is a space, `%XX` a byte.
    static func parameters(_ query: String?) -> [String: String] {
        var out: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            let key = decode(parts[0])
            if out[key] == nil { out[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return out
    }
}
