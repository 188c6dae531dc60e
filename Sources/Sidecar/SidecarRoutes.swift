import FoundationEssentials
import Hummingbird
import HummingbirdCore
import NIOCore
import PromModel
import PromQL
import ServiceLifecycle
import Workers

/// The sidecar's HTTP routes: health, `/metrics` and the read-only Prometheus API that
/// Grafana's Prometheus data source and promtool call (queries, series, labels, metadata,
/// build information; GET or form POST, as Grafana sends them). No secret in any answer.
///
/// Queries run on ``LimitedThreads`` (at most `--query.max-concurrency` at once), never on
/// the server's own threads: health checks and `/metrics` answer while queries run.
enum SidecarRoutes {
    /// The largest request body read (a form-encoded query); larger ones get 413.
    static let maxBodyBytes = 1 << 20

    /// The routes over `api`; `lifecycle` (`--web.enable-lifecycle`) turns on `POST /-/reload`;
    /// `authentication` (`--web.config.file`'s users) guards every path but the probes'.
    static func router(api: SidecarAPI, lifecycle: Bool = false, authentication: BasicAuthentication? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: BodyLimitMiddleware(maxBytes: maxBodyBytes))
        if let authentication { router.add(middleware: BasicAuthMiddleware(authentication: authentication)) }
        let queries = api.queryThreads
        router.get("/-/healthy") { _, _ in text(200, "ctlmon is Healthy.\n") }
        router.get("/-/ready") { _, _ in
            api.pipeline.value.rules.isReady ? text(200, "ctlmon is Ready.\n") : text(503, "Service Unavailable\n")
        }
        for method in [HTTPRequest.Method.post, .put] {
            router.on("/-/reload", method: method) { _, _ in
                guard lifecycle, let reload = api.reload else { return text(403, "Lifecycle API is not enabled.\n") }
                // Off the server's threads: a reload stops the rule manager and drains the old queues.
                let failure = await withCheckedContinuation { (done: CheckedContinuation<String?, Never>) in
                    DetachedThread.start(name: "reload") { done.resume(returning: reload.reload()) }
                }
                if let failure { return text(500, "failed to reload config: \(failure)\n") }
                return text(200, "")
            }
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: api.metricsText())))
        }
        router.get("/api/v1/alerts") { _, _ in json(200, api.alerts()) }
        router.get("/api/v1/rules") { _, _ in json(200, api.rulesJSON()) }
        router.get("/api/v1/targets") { _, _ in json(200, api.targets()) }
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/api/v1/query", method: method) { request, _ in
                let params = try await parameters(request)
                return await evaluate(on: queries, timeout: api.limits.timeout) { api.queries.query(params, deadline: $0, isCanceled: $1) }
            }
            router.on("/api/v1/query_range", method: method) { request, _ in
                let params = try await parameters(request)
                return await evaluate(on: queries, timeout: api.limits.timeout) { api.queries.queryRange(params, deadline: $0, isCanceled: $1) }
            }
            // Walks of the series index: on the query threads too (bounded, off the server's).
            router.on("/api/v1/series", method: method) { request, _ in
                let params = try await parameters(request)
                return await evaluate(on: queries, timeout: api.limits.timeout) { _, _ in api.queries.series(params) }
            }
            router.on("/api/v1/labels", method: method) { request, _ in
                let params = try await parameters(request)
                return await evaluate(on: queries, timeout: api.limits.timeout) { _, _ in api.queries.labelNames(params) }
            }
            router.on("/api/v1/label/:name/values", method: method) { request, context in
                let params = try await parameters(request)
                let name = context.parameters.get("name") ?? ""
                return await evaluate(on: queries, timeout: api.limits.timeout) { _, _ in api.queries.labelValues(name, params) }
            }
            router.on("/api/v1/query_exemplars", method: method) { request, _ in
                let (status, body) = api.queries.exemplars(try await parameters(request))
                return status == 204 ? Response(status: .noContent) : json(status, body)
            }
        }
        router.get("/api/v1/metadata") { request, _ in
            let (status, body) = api.metadata(try await parameters(request))
            return json(status, body)
        }
        router.get("/api/v1/status/buildinfo") { _, _ in json(200, api.buildInfo()) }
        router.get("/") { request, _ in
            // HTML unless text is asked for (`?format=text`, or an Accept of text/plain without text/html).
            let accept = request.headers[.accept] ?? ""
            let wantsText = request.uri.queryParameters.get("format") == "text" || (accept.contains("text/plain") && !accept.contains("text/html"))
            if !wantsText {
                let range = request.uri.queryParameters.get("range")
                let deadline = ContinuousClock.now + api.limits.timeout
                let page = await queries.run(deadline: deadline) { api.statusPage(range: range, deadline: deadline).html() }
                guard let page else { return text(503, "Service Unavailable: the query threads are busy\n") }
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: StatusPage.policy, .cacheControl: "no-store"],
                    body: .init(byteBuffer: ByteBuffer(string: page)))
            }
            return text(200, """
                ctlmon serve

                /metrics              ctlmon's metrics, each target's up and scrape series, recorded series, ALERTS
                /api/v1/alerts        active alerts
                /api/v1/rules         rule groups, rules and their health
                /api/v1/targets       scrape targets and their last scrape
                /api/v1/query         PromQL (query, time, timeout), GET or POST
                /api/v1/query_range   PromQL over a range (query, start, end, step, timeout), GET or POST
                /api/v1/series        series (match[], start, end, limit), GET or POST
                /api/v1/labels        label names (match[], start, end, limit), GET or POST
                /api/v1/label/NAME/values  label values (match[], start, end, limit), GET or POST
                /api/v1/metadata      the targets' TYPE, HELP and UNIT (metric, limit, limit_per_metric)
                /api/v1/query_exemplars    always empty: ctlmon keeps no exemplars
                /api/v1/status/buildinfo   the Prometheus API version matched, and ctlmon's
                /-/healthy  /-/ready

                """)
        }
        return router
    }

    /// Runs a query on the query threads with the server's timeout: a query still waiting for
    /// a thread at its deadline gets Prometheus's 503 `timeout` "in query queue". At graceful
    /// shutdown (SIGTERM) the query is called off (503 `canceled`), so that the server, which
    /// waits for the requests in flight, stops within its grace period.
    static func evaluate(
        on threads: LimitedThreads, timeout: Duration,
        _ body: @escaping @Sendable (ContinuousClock.Instant, @escaping @Sendable () -> Bool) -> (Int, String)
    ) async -> Response {
        let deadline = ContinuousClock.now + timeout
        let canceled = Locked(false)
        let isCanceled: @Sendable () -> Bool = { canceled.withLock { $0 } }
        let result = await withGracefulShutdownHandler {
            await threads.run(deadline: deadline, { body(deadline, isCanceled) })
        } onGracefulShutdown: {
            canceled.withLock { $0 = true }
        }
        guard let (status, answer) = result else {
            return json(503, QueryEndpoints.error("timeout", "query timed out in query queue"))
        }
        return json(status, answer)
    }

    static func text(_ status: Int, _ body: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ status: Int, _ body: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The query string's parameters, and a form body's (at most ``maxBodyBytes``: 413 beyond).
    static func parameters(_ request: Request) async throws -> APIParameters {
        var form: String? = nil
        if request.method == .post, request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            var request = request
            let body = try await request.collectBody(upTo: maxBodyBytes)
            form = String(buffer: body)
        }
        return APIParameters(query: request.uri.query, form: form)
    }
}

/// Refuses with 413 a request whose declared body is larger than the sidecar reads, before
/// any route runs (a body without a length is cut off where a route reads it).
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength], let n = Int(declared), n > maxBytes {
            return tooLarge
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return tooLarge  // a body without a declared length, cut off where it was read
        }
    }

    /// 413 with Prometheus's error shape.
    var tooLarge: Response {
        SidecarRoutes.json(413, QueryEndpoints.error("bad_data", "request body larger than \(maxBytes) bytes"))
    }
}

extension SidecarRoutes {
    /// HTTP/1.1 with limits on what a client sends: a header line of 16 KiB, 64 KiB of
    /// headers in all, 100 headers; a connection idle for `readTimeout`, or whose
    /// request (or TLS handshake) takes longer than that to arrive, is closed. With `tls`,
    /// every connection is TLS.
    static func server(readTimeout: Duration, tls: ServerTLS? = nil) -> HTTPServerBuilder {
        let timeout = TimeAmount(readTimeout)
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestReadTimeout(timeout: timeout)],
            idleTimeout: timeout,
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 16 << 10, maxHeaderListSize: 64 << 10, maxHeaderFieldCount: 100))
        guard let tls else { return .http1(configuration: configuration) }
        return HTTPServerBuilder { responder in
            ReloadingTLSChannel(base: HTTP1Channel(responder: responder, configuration: configuration), tls: tls)
        }
    }
}

/// HTTP basic authentication on every path but `/-/healthy` and `/-/ready`: 401 with
/// `WWW-Authenticate` without valid credentials. A bcrypt check (a pair not verified before)
/// runs on two threads of its own, so that a flood of wrong passwords cannot occupy the
/// server's threads; past 10 s waiting for one, 503.
struct BasicAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let authentication: BasicAuthentication
    let checks = LimitedThreads(limit: 2)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/-/healthy" || path == "/-/ready" { return try await next(request, context) }
        let header = request.headers[.authorization]
        if authentication.allowsWithoutChecking(header) { return try await next(request, context) }
        let auth = authentication
        guard let allowed = await checks.run(deadline: .now + .seconds(10), { auth.allows(header) }) else {
            return SidecarRoutes.text(503, "authentication checks overloaded\n")
        }
        guard allowed else {
            return Response(
                status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"ctlmon\"", .contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "Unauthorized\n")))
        }
        return try await next(request, context)
    }
}
