import ConfigYAML
import CtlmonTestSupport
import Foundation
import RuleEngine
import Testing

/// `deploy/rbac.yaml`: what the sidecar's role may do — read only, and exactly the reads it makes.
@Suite("deployment RBAC")
struct DeploymentRBACTests {
    static let rbac = Fixture.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy/rbac.yaml").path

    /// Every rule of every Role and ClusterRole: (apiGroups, resources, nonResourceURLs, verbs).
    static func rules() throws -> [(groups: [String], resources: [String], urls: [String], verbs: [String])] {
        let text = try StrictYAML.read(path: rbac)
        var out: [(groups: [String], resources: [String], urls: [String], verbs: [String])] = []
        for document in try StrictYAML.composeAll(text, path: rbac) {
            guard let kind = document["kind"]?.string, kind == "Role" || kind == "ClusterRole" else { continue }
            for rule in document["rules"]?.sequence ?? [] {
                func list(_ key: String) -> [String] { rule[key]?.sequence?.compactMap(\.string) ?? [] }
                out.append((list("apiGroups"), list("resources"), list("nonResourceURLs"), list("verbs")))
            }
        }
        return out
    }

    @Test("nothing in the role can write: every verb is get, list or watch")
    func readOnly() throws {
        let rules = try Self.rules()
        #expect(rules.count >= 4)
        for r in rules { #expect(Set(r.verbs).isSubset(of: ["get", "list", "watch"]) && !r.verbs.isEmpty, "\(r)") }
    }

    @Test("the sidecar may list both webhook configuration kinds (for ctlmon_webhook_config_info)")
    func listsWebhookConfigurations() throws {
        let rule = try #require(try Self.rules().first { $0.groups == ["admissionregistration.k8s.io"] })
        #expect(Set(rule.resources) == ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"] && rule.verbs == ["list"])
    }
}

/// `deploy/networkpolicy.yaml`: only the monitoring namespace reaches the sidecar's port.
@Suite("deployment network policy")
struct DeploymentNetworkPolicyTests {
    static let deploy = Fixture.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy").path

    @Test("ingress to the sidecar's pods only from the monitoring namespace, only on 9095; the kustomization lists the policy")
    func onlyMonitoringReachesThePort() throws {
        let path = Self.deploy + "/networkpolicy.yaml"
        let policy = try #require(try StrictYAML.composeAll(try StrictYAML.read(path: path), path: path).first)
        #expect(policy["kind"]?.string == "NetworkPolicy")
        let spec = try #require(policy["spec"])
        #expect(spec["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"]?.string == "ctlmon")
        #expect(spec["policyTypes"]?.sequence?.compactMap(\.string) == ["Ingress"])
        let rules = spec["ingress"]?.sequence ?? []
        #expect(rules.count == 1)
        let from = rules.first?["from"]?.sequence ?? []
        #expect(from.count == 1 && from.first?["namespaceSelector"]?["matchLabels"]?["kubernetes.io/metadata.name"]?.string == "monitoring")
        #expect(from.first?["podSelector"] == nil && from.first?["ipBlock"] == nil)
        #expect(rules.first?["ports"]?.sequence?.compactMap { $0["port"]?.string } == ["9095"])
        let kustomization = try String(contentsOfFile: Self.deploy + "/kustomization.yaml", encoding: .utf8)
        #expect(kustomization.contains("- networkpolicy.yaml"))
    }
}
