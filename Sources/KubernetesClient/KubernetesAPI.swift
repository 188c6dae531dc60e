import Foundation
import HTTPClient

/// The Kubernetes API as a pod sees it — its service account's token (re-read at every
/// request: bound tokens rotate) and CA — for what ctlmon reads from it: the endpoint
/// addresses of a service, so that every API server behind `default/kubernetes` is scraped
/// directly, and lists of objects such as the admission webhook configurations.
///
/// Failures are ``HTTPFailure``s: a status other than 200 keeps its status (403: the
/// service account may not), a body that is not what was asked for is
/// ``HTTPFailure/Reason/invalidResponse``.
package struct KubernetesAPI: Sendable {
    /// `https://host:port`.
    package var server: String
    /// The service-account token file, read again at each request (bound tokens rotate hourly).
    package var tokenFile: String
    /// The CA bundle (PEM) the API server's certificate is checked against.
    package var caFile: String

    /// Where a pod's service account is mounted.
    package static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Largest body read by ``get(_:what:limit:)`` unless told otherwise.
    package static let defaultBodyLimit = 16 << 20

    /// An API at `server` with these credentials; ``inCluster(environment:)`` makes the pod's own.
    package init(server: String, tokenFile: String, caFile: String) {
        self.server = server
        self.tokenFile = tokenFile
        self.caFile = caFile
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
    package func get(_ path: String, what: String, limit: Int = defaultBodyLimit) throws(HTTPFailure) -> [UInt8] {
        var request = HTTPRequest(url: server + path)
        request.timeout = 10
        request.tls.caFile = caFile
        request.bearerToken = .file(tokenFile)
        request.headers = ["Accept: application/json", "User-Agent: ctlmon"]
        var body: [UInt8] = []
        let response: HTTPResponse
        do {
            response = unsafe try HTTPTransfer().perform(request) { piece in
                if body.count + piece.count > limit {
                    throw HTTPFailure(reason: .invalidResponse, message: "larger than \(limit) bytes")
                }
                unsafe body.append(contentsOf: piece)
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
