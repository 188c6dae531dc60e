import FoundationEssentials
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
        guard let object = try? JSONDecoder().decode(Endpoints.self, from: Data(json)) else {
            throw HTTPFailure(reason: .invalidResponse, message: "endpoints: not a JSON object")
        }
        var out: [String] = []
        for subset in object.subsets ?? [] {
            let ports = subset.ports ?? []
            let chosen = ports.first { $0.name == (wanted ?? "https") } ?? (ports.count == 1 ? ports[0] : nil)
            guard let port = chosen?.port else { continue }
            for address in subset.addresses ?? [] {
                guard let ip = address.ip else { continue }
                out.append(ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)")
            }
        }
        return out.sorted()
    }

    /// The parts of an Endpoints object read here; other fields are ignored.
    private struct Endpoints: Decodable {
        struct Subset: Decodable {
            var addresses: [Address]?
            var ports: [Port]?
        }
        struct Address: Decodable { var ip: String? }
        struct Port: Decodable {
            var name: String?
            var port: Int?
        }
        var subsets: [Subset]?
    }
}
