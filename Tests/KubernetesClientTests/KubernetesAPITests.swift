import CtlmonTestSupport
import Foundation
import HTTPClient
import KubernetesClient
import Testing

/// The Kubernetes API client against a stand-in API server (scripts/fake-kube-api.py).
@Suite("Kubernetes API")
struct KubernetesAPITests {
    static let scripts = packageRoot.appendingPathComponent("scripts")

    /// The fake API server and a client of it with a token file.
    static func server(_ extra: [String] = []) throws -> (ManagedProcess, KubernetesAPI, String) {
        let folder = try Components.temporaryFolder("kube")
        try "sa-token\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        let p = try ManagedProcess("python3", [scripts.appendingPathComponent("fake-kube-api.py").path,
                                               "--file", Fixture.path("webhooks/eks-cluster.json"), "--token-file", folder + "/token"] + extra)
        let port = try p.waitForLine(startingWith: "PORT ").trimmingCharacters(in: .whitespaces)
        return (p, KubernetesAPI(server: "http://127.0.0.1:\(port)", tokenFile: folder + "/token", caFile: "/nonexistent"), folder)
    }

    @Test("the endpoints of default/kubernetes: every API server address, with the service account's token")
    func endpoints() throws {
        let (p, api, folder) = try Self.server()
        defer {
            p.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
        #expect(try api.endpointAddresses(namespace: "default", service: "kubernetes") == ["10.0.12.208:443", "10.0.3.35:443"])
        // Both kinds of webhook configurations, as lists.
        let lists = try api.webhookConfigurationLists()
        #expect(lists.map(\.kind) == ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"])
        #expect(lists.allSatisfy { String(decoding: $0.json, as: UTF8.self).contains("\"items\"") })
    }

    @Test("a rotated token is read at the next request; an unreadable one is a credentials failure, nothing sent")
    func tokens() throws {
        let (p, api, folder) = try Self.server()
        defer {
            p.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
        // The client's token file holds a stale token: refused. Rewritten in place, it is read
        // again at the next request, which goes through.
        var client = api
        let tokenFile = folder + "/client-token"
        client.bearerToken = .file(tokenFile)
        try "stale\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        do {
            _ = try client.endpointAddresses(namespace: "default", service: "kubernetes")
            Issue.record("no failure")
        } catch {
            #expect(error.status == 401 && error.message == "listing endpoints default/kubernetes: server returned HTTP status 401")
        }
        try "sa-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(try client.endpointAddresses(namespace: "default", service: "kubernetes").count == 2)
        var wrong = api
        wrong.bearerToken = .file(folder + "/missing")
        do {
            _ = try wrong.endpointAddresses(namespace: "default", service: "kubernetes")
            Issue.record("no failure")
        } catch {
            #expect(error.reason == .credentials && error.message.contains(folder + "/missing"))
        }
    }

    @Test("a role without list: 403, with its status, for the caller to act on")
    func forbidden() throws {
        let (p, api, folder) = try Self.server(["--deny"])
        defer {
            p.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
        do {
            _ = try api.webhookConfigurationLists()
            Issue.record("no failure")
        } catch {
            #expect(error.status == 403 && error.reason == .http4xx)
        }
    }

    @Test("Endpoints objects: the named port, the only port, IPv6, none ready; not JSON is an invalid response")
    func addresses() throws {
        func json(_ s: String) -> [UInt8] { Array(s.utf8) }
        let two = json(#"{"subsets":[{"addresses":[{"ip":"10.0.0.2"},{"ip":"fd00::1"}],"ports":[{"name":"metrics","port":9090},{"name":"https","port":443}]}]}"#)
        #expect(try KubernetesAPI.addresses(fromEndpoints: two, port: nil) == ["10.0.0.2:443", "[fd00::1]:443"])
        #expect(try KubernetesAPI.addresses(fromEndpoints: two, port: "metrics") == ["10.0.0.2:9090", "[fd00::1]:9090"])
        let one = json(#"{"subsets":[{"addresses":[{"ip":"10.0.0.3"}],"ports":[{"port":6443}]}]}"#)
        #expect(try KubernetesAPI.addresses(fromEndpoints: one, port: nil) == ["10.0.0.3:6443"])
        #expect(try KubernetesAPI.addresses(fromEndpoints: json(#"{"subsets":[]}"#), port: nil).isEmpty)
        #expect(throws: HTTPFailure.self) { try KubernetesAPI.addresses(fromEndpoints: json("[1,2]"), port: nil) }
    }
}
