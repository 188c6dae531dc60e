import Foundation

/// The Kubernetes API as a pod sees it (its service account's token and CA), for what
/// ctlmon reads from it: the endpoint addresses of a service, so that every API server
/// behind `default/kubernetes` is scraped directly, and the admission webhook configurations.
package struct KubernetesAPI: Sendable {
    /// `https://host:port`.
    package var server: String
    package var tokenFile: String
    package var caFile: String

    package static let serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount"

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

    /// `ip:port` of every ready address of a service's endpoints, for the port named `port`
    /// (or `https`, or the only one).
    package func endpointAddresses(namespace: String, service: String, port: String? = nil) throws -> [String] {
        try Self.addresses(fromEndpoints: get("/api/v1/namespaces/\(namespace)/endpoints/\(service)", what: "endpoints \(namespace)/\(service)"), port: port)
    }

    /// The body of a GET of `path` (JSON), at most `limit` bytes; a status other than 200 is a
    /// ``ScrapeFailure`` with that status (403: the service account may not).
    package func get(_ path: String, what: String, limit: Int = 16 << 20) throws -> Data {
        var request = HTTPTransfer.Request(url: server + path)
        request.timeout = 10
        request.tls.caFile = caFile
        let token = (FileManager.default.contents(atPath: tokenFile)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        request.headers = ["Accept: application/json", "Authorization: Bearer \(token.trimmingCharacters(in: .whitespacesAndNewlines))"]
        var body = Data()
        let response = try HTTPTransfer().perform(request) { piece in
            if body.count + piece.count > limit { throw ScrapeFailure(reason: .bodySizeLimit, message: "\(what): over \(limit) bytes") }
            body.append(contentsOf: piece)
        }
        guard response.status == 200 else {
            var failure = ScrapeFailure.http(response.status)
            failure.message = "listing \(what): HTTP status \(response.status)"
            throw failure
        }
        return body
    }

    /// The addresses in an Endpoints object (JSON).
    package static func addresses(fromEndpoints json: Data, port wanted: String?) throws -> [String] {
        guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw ScrapeFailure(reason: .parse, message: "endpoints: not a JSON object")
        }
        var out: [String] = []
        for subset in object["subsets"] as? [[String: Any]] ?? [] {
            let ports = subset["ports"] as? [[String: Any]] ?? []
            let chosen = ports.first { ($0["name"] as? String) == (wanted ?? "https") } ?? (ports.count == 1 ? ports[0] : nil)
            guard let port = chosen?["port"] as? Int else { continue }
            for address in subset["addresses"] as? [[String: Any]] ?? [] {
                guard let ip = address["ip"] as? String else { continue }
                out.append(ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)")
            }
        }
        return out.sorted()
    }
}
