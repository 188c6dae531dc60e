/// One admission webhook as its configuration declares it, with the defaults of its API
/// version already applied (`admissionregistration.k8s.io/v1` and `v1beta1` differ).
package struct AdmissionWebhook: Sendable, Equatable {
    /// Which configuration declares it: a `ValidatingWebhookConfiguration` or a `MutatingWebhookConfiguration`.
    package enum Kind: String, Sendable { case validating, mutating }
    /// `failurePolicy`: when a call fails or times out, reject the request (`Fail`) or admit it
    /// without the webhook (`Ignore`).
    package enum FailurePolicy: String, Sendable { case fail = "Fail", ignore = "Ignore" }

    /// The webhook's name: the `name` label of `apiserver_admission_webhook_*` series.
    package var name: String
    /// The `Validating/MutatingWebhookConfiguration` that holds it.
    package var configuration: String
    /// Validating or mutating, by the kind of its configuration.
    package var kind: Kind
    /// `v1` or `v1beta1`.
    package var apiVersion: String
    /// The default is `Fail` in `v1`, `Ignore` in `v1beta1`.
    package var failurePolicy: FailurePolicy
    /// Whether the policy was written out (false: the API version's default).
    package var failurePolicyExplicit: Bool
    /// `timeoutSeconds`, 1 to 30; the default is 10 in `v1`, 30 in `v1beta1`.
    package var timeoutSeconds: Int
    /// Whether `timeoutSeconds` was written out (false: the API version's default).
    package var timeoutExplicit: Bool
    /// `None`, `NoneOnDryRun`, `Some` or `Unknown`.
    package var sideEffects: String
    /// `Exact` or `Equivalent`.
    package var matchPolicy: String
    /// Mutating webhooks only: `Never` or `IfNeeded`.
    package var reinvocationPolicy: String?
    /// `rules`: the operations and resources it intercepts.
    package var rules: [AdmissionRule]
    /// `namespaceSelector`: which namespaces' objects it sees (empty: every namespace).
    package var namespaceSelector: LabelSelector
    /// `objectSelector`: which objects it sees, by their own labels (empty: all).
    package var objectSelector: LabelSelector
    /// CEL `matchConditions` (Kubernetes 1.27+): not evaluated here, but they may narrow the webhook.
    package var matchConditions: Int
    /// The in-cluster service it calls, when it calls one (not a URL).
    package var serviceNamespace: String?
    /// The name of that service.
    package var serviceName: String?
    /// Where in the input it was declared, for messages.
    package var line: Int
}

/// One entry of a webhook's `rules`: which operations on which resources it intercepts.
package struct AdmissionRule: Sendable, Equatable {
    /// `apiGroups`: `""` is the core group, `*` every group.
    package var apiGroups: [String]
    /// `apiVersions`; `*` is every version.
    package var apiVersions: [String]
    /// `CREATE`, `UPDATE`, `DELETE`, `CONNECT`, or `*` for all.
    package var operations: [String]
    /// Plural resource names, optionally `name/subresource`, with `*` wildcards (see
    /// ``covers(group:resource:)``).
    package var resources: [String]
    /// `Cluster`, `Namespaced` or `*`.
    package var scope: String

    /// Whether the rule intercepts `resource` (a plural name, optionally `name/subresource`)
    /// of `group`, as the API server matches them: `*` is every resource but no subresource,
    /// `*/*` every resource and subresource, `pods/*` every subresource of pods, `*/scale`
    /// the scale subresource of every resource.
    package func covers(group: String, resource: String) -> Bool {
        guard apiGroups.contains("*") || apiGroups.contains(group) else { return false }
        let (main, sub) = Self.split(resource)
        return resources.contains { pattern in
            let (pm, ps) = Self.split(pattern)
            if pm != "*" && pm != main { return false }
            if let ps { return ps == "*" || ps == sub }
            return sub == nil
        }
    }

    /// Whether the rule intercepts one of `operations` (or all, with `*`).
    package func intercepts(anyOf operations: [String]) -> Bool {
        self.operations.contains("*") || self.operations.contains { operations.contains($0) }
    }

    /// Every resource of the groups it names (`*` or `*/*`).
    package var allResources: Bool { resources.contains("*") || resources.contains("*/*") }

    /// Every operation on every resource of its groups: what the EKS guide calls a catch-all.
    package var isCatchAll: Bool { allResources && operations.contains("*") }

    /// Namespaced objects are within its scope.
    package var namespaced: Bool { scope == "*" || scope == "Namespaced" }

    private static func split(_ r: String) -> (String, String?) {
        guard let slash = r.firstIndex(of: "/") else { return (r, nil) }
        return (String(r[..<slash]), String(r[r.index(after: slash)...]))
    }
}
