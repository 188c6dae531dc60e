import FoundationEssentials
import HTTPClient

/// The Kubernetes API — a server and how to authenticate to it: a bearer token (a file
/// re-read at every request: bound tokens rotate), TLS (a CA, a client certificate) — for
/// what ctlmon reads from it: the endpoint addresses of a service, so that every API server
/// behind `default/kubernetes` is scraped directly, and lists of objects such as the
/// admission webhook configurations. ``inCluster(environment:)`` is a pod's own service
/// account; a kubeconfig gives the same three things.
///
/// Failures are ``HTTPFailure``s: a status other than 200 keeps its status (403: the
/// service account may not), a body that is not what was asked for is
/// ``HTTPFailureReason/invalidResponse``.
package struct KubernetesAPI: Sendable {
    /// `https://host:port`.
    package var server: String
    /// The bearer token (a pod's service-account token file, read again at each request);
    /// nil when a client certificate authenticates.
    package var bearerToken: BearerToken?
    /// The CA bundle the API server's certificate is checked against, and a client
    /// certificate, if any.
    package var tls: TLSOptions
    /// Aborts the request in flight, and later ones, when canceled (a stopping loop's).
    package var cancellation: TransferCancellation? = nil
    /// Connect to this `host:port` instead of the server's (a kubeconfig's `tls-server-name`:
    /// the server URL then carries the name the certificate is checked against).
    package var connectTo: String? = nil
    /// A kubeconfig's exec credential plugin: its token or client certificate for each request.
    package var exec: ExecCredentialPlugin? = nil

    /// Where a pod's service account is mounted.
    package static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Largest body read by ``get(_:what:limit:)`` unless told otherwise.
    package static let defaultBodyLimit = 16 << 20

    /// An API at `server` with these credentials.
    package init(server: String, bearerToken: BearerToken?, tls: TLSOptions) {
        self.server = server
        self.bearerToken = bearerToken
        self.tls = tls
    }

    /// An API at `server` with a token file and a CA file, as a pod's service account has them.
    package init(server: String, tokenFile: String, caFile: String) {
        self.init(server: server, bearerToken: .file(tokenFile), tls: TLSOptions(caFile: caFile))
    }

    /// Inside a pod: `KUBERNETES_SERVICE_HOST`/`_PORT` and the mounted service account.
    package static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment) -> KubernetesAPI? {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            FileManager.default.fileExists(atPath: serviceAccount + "/token")
        else { return nil }
        let port = environment["KUBERNETES_SERVICE_PORT"] ?? "443"
        let h = host.contains(":") ? "[\(host)]" : host
        return KubernetesAPI(server: "https://\(h):\(port)", tokenFile: serviceAccount + "/token", caFile: serviceAccount + "/ca.crt")
    }

    /// The body of a GET of `path` (JSON), at most `limit` bytes. `what` names the object in
    /// failures (`listing endpoints default/kubernetes: server returned HTTP status 403`).
    package func get(
        _ path: String, what: String, limit: Int = defaultBodyLimit, accept: String = "application/json", timeout: Double = 10
    ) throws(HTTPFailure) -> [UInt8] {
        do {
            return try getOnce(path, what: what, limit: limit, accept: accept, timeout: timeout)
        } catch let failure where failure.status == 401 && exec != nil {
            // The plugin's credential was refused (revoked, or expired early): once more with a fresh one.
            exec?.invalidate()
            return try getOnce(path, what: what, limit: limit, accept: accept, timeout: timeout)
        }
    }

    private func getOnce(_ path: String, what: String, limit: Int, accept: String, timeout: Double) throws(HTTPFailure) -> [UInt8] {
        var request = HTTPRequest(url: server + path)
        request.timeout = timeout
        request.tls = tls
        request.bearerToken = bearerToken
        request.connectTo = connectTo
        request.headers = ["Accept: \(accept)", "User-Agent: ctlmon"]
        if let exec {
            let credential: ExecCredentialPlugin.Credential
            do { credential = try exec.credential() } catch { throw error.prefixed("listing \(what)") }
            if let token = credential.token { request.bearerToken = .inline(token) }
            if let cert = credential.certPEM, let key = credential.keyPEM {
                request.tls.certPEM = cert
                request.tls.keyPEM = key
            }
        }
        var body: [UInt8] = []
        let response: HTTPResponse
        do {
            response = try HTTPTransfer(cancellation: cancellation ?? TransferCancellation()).perform(request) { piece in
                if body.count + piece.count > limit {
                    throw HTTPFailure(reason: .invalidResponse, message: "larger than \(limit) bytes")
                }
                for i in piece.indices { body.append(piece[i]) }
            }
        } catch let failure as HTTPFailure {
            throw failure.prefixed("listing \(what)")
        } catch {
            throw HTTPFailure(reason: .other, message: "listing \(what): \(error)")
        }
        guard response.status == 200 else { throw HTTPFailure.status(response.status).prefixed("listing \(what)") }
        return body
    }
}
