import Foundation
import HTTPClient

extension KubernetesAPI {
    /// `ip:port` of every ready address of a service's endpoints, for the port named `port`
    /// (or `https`, or the only one), sorted.
    package func endpointAddresses(namespace: String, service: String, port: String? = nil) throws(HTTPFailure) -> [String] {
        let what = "endpoints \(namespace)/\(service)"
        return try Self.addresses(fromEndpoints: get("/api/v1/namespaces/\(namespace)/endpoints/\(service)", what: what), port: port)
    }

    /// The addresses in an Endpoints object (JSON).
    package static func addresses(fromEndpoints json: [UInt8], port wanted: String?) throws(HTTPFailure) -> [String] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] else {
            throw HTTPFailure(reason: .invalidResponse, message: "endpoints: not a JSON object")
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
