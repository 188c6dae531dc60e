import HTTPClient

extension KubernetesAPI {
    /// The kinds of admission webhook configurations, as their resources are named.
    package static let webhookConfigurationKinds = ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"]

    /// The JSON lists of both kinds of admission webhook configurations (`kubectl get
    /// validatingwebhookconfigurations,mutatingwebhookconfigurations -o json`, one list per
    /// kind), with the kind each came from. Needs `list` on both (deploy/rbac.yaml grants it).
    package func webhookConfigurationLists() throws(HTTPFailure) -> [(kind: String, json: [UInt8])] {
        var out: [(kind: String, json: [UInt8])] = []
        for kind in Self.webhookConfigurationKinds {
            out.append((kind, try get("/apis/admissionregistration.k8s.io/v1/\(kind)", what: kind)))
        }
        return out
    }
}
