/// The findings a webhook's configuration alone gives.
extension WebhookAudit {
    /// Resources the control plane itself needs to stay healthy: a webhook in their path
    /// delays or blocks node heartbeats, authentication or authorization. (The webhook
    /// configurations themselves are left out: the API server never sends them to webhooks.)
    struct SystemResource {
        var group: String
        var resource: String
        /// Namespaced resources matter in these namespaces (a namespaceSelector may spare them).
        var namespaces: [String]
        var why: String
    }

    /// The system resources a webhook should leave alone, and why.
    static let systemResources: [SystemResource] = [
        SystemResource(group: "coordination.k8s.io", resource: "leases", namespaces: ["kube-node-lease", "kube-system"],
                       why: "node heartbeats and leader election"),
        SystemResource(group: "", resource: "nodes", namespaces: [], why: "node status updates"),
        SystemResource(group: "authentication.k8s.io", resource: "tokenreviews", namespaces: [], why: "token authentication"),
        SystemResource(group: "authorization.k8s.io", resource: "subjectaccessreviews", namespaces: [], why: "authorization checks"),
        SystemResource(group: "", resource: "events", namespaces: ["kube-system"], why: "kube-system events"),
        SystemResource(group: "events.k8s.io", resource: "events", namespaces: ["kube-system"], why: "kube-system events"),
    ]

    /// What the findings of one webhook's configuration are worded from.
    private struct Facts {
        let w: AdmissionWebhook
        let fail: Bool
        /// `failurePolicy Fail (the v1 default: the field is not set)`.
        let policy: String
        /// A note on matchConditions, which are not evaluated here.
        let conditions: String
        let sparesKubeSystem: Bool
        /// ` (unless kube-system carries the label …)` for opt-out namespaceSelectors.
        let unlessLabelled: String
        let catchAllRule: AdmissionRule?

        init(_ w: AdmissionWebhook) {
            self.w = w
            fail = w.failurePolicy == .fail
            policy = "failurePolicy \(w.failurePolicy.rawValue)"
                + (w.failurePolicyExplicit ? "" : " (the \(w.apiVersion) default: the field is not set)")
            conditions = w.matchConditions > 0 ? " Its \(w.matchConditions) matchConditions are not evaluated here and may narrow it." : ""
            let kubeSystem = LabelSelector.defaultLabels(ofNamespace: "kube-system")
            sparesKubeSystem = !w.namespaceSelector.matches(kubeSystem) || !w.objectSelector.matches([:])
            let optOut = w.namespaceSelector.optOutKeys
            unlessLabelled = optOut.isEmpty ? "" : " (unless kube-system carries the label \(optOut.joined(separator: " or ")))"
            catchAllRule = w.rules.first(where: \.isCatchAll)
        }

        func finding(_ id: WebhookFinding.ID, _ severity: WebhookFinding.Severity, _ message: String, _ fix: String) -> WebhookFinding {
            WebhookFinding(id: id, severity: severity, webhook: w.name, configuration: w.configuration, kind: w.kind, message: message, fix: fix)
        }
    }

    /// Every finding of one webhook's configuration, in a fixed order.
    static func configurationFindings(_ w: AdmissionWebhook) -> [WebhookFinding] {
        let f = Facts(w)
        return [catchAll(f), failClosedBroad(f), selfIntercept(f), timeoutHigh(f), systemResources(f), sideEffects(f), matchPolicyExact(f)]
            .compactMap { $0 }
    }

    /// Catch-all: every resource with every operation.
    private static func catchAll(_ f: Facts) -> WebhookFinding? {
        guard let groups = f.catchAllRule?.apiGroups else { return nil }
        let fail = f.fail
        let scope = groups.contains("*") ? "every resource of every API group" : "every resource of the API groups \(groups.map { $0.isEmpty ? "core" : $0 }.joined(separator: ", "))"
        return f.finding(.catchAll, fail ? .critical : .warning,
            "intercepts every operation on \(scope) with \(f.policy): every write waits for it"
                + (fail ? ", and while it is down or slow nothing can be written, not even what would repair it." : "; when it fails, its policy is skipped for all of them.")
                + f.conditions,
            "List only the API groups, resources and operations the webhook acts on (EKS best practices: no catch-all webhooks)"
                + (fail ? ", and exclude kube-system with a namespaceSelector." : "."))
    }

    /// Fail closed on pods, or on every resource, in every namespace kube-system included.
    private static func failClosedBroad(_ f: Facts) -> WebhookFinding? {
        let w = f.w
        let coversPods = w.rules.contains { $0.namespaced && $0.covers(group: "", resource: "pods") }
        // Every resource of every group, or of the core group (pods, services, configmaps, secrets…).
        let coversAll = w.rules.contains { $0.namespaced && $0.allResources && ($0.apiGroups.contains("*") || $0.apiGroups.contains("")) }
        guard f.fail && f.catchAllRule == nil && (coversPods || coversAll) && !f.sparesKubeSystem else { return nil }
        return f.finding(.failClosedBroad, .warning,
            "\(f.policy) on \(coversPods ? "pods" : "every resource") in every namespace, kube-system included\(f.unlessLabelled): "
                + "while the webhook is down or slow, \(coversPods ? "no pod can be created or updated" : "nothing can be written") anywhere, "
                + "including the system pods (CoreDNS, the CNI, kube-proxy) that would repair the cluster." + f.conditions,
            "Spare kube-system with a namespaceSelector (\(LabelSelector.namespaceNameLabel) NotIn [kube-system]), or set failurePolicy: Ignore "
                + "if skipping the policy while the webhook is down is acceptable (EKS best practices: fail open).")
    }

    /// Fail closed on the pods of its own namespace: it cannot come back.
    private static func selfIntercept(_ f: Facts) -> WebhookFinding? {
        let w = f.w
        guard f.fail, let ns = w.serviceNamespace,
            w.rules.contains(where: { $0.namespaced && $0.intercepts(anyOf: ["CREATE"]) && $0.covers(group: "", resource: "pods") }),
            w.namespaceSelector.matches(LabelSelector.defaultLabels(ofNamespace: ns)), w.objectSelector.matches([:])
        else { return nil }
        return f.finding(.selfIntercept, .critical,
            "its service runs in namespace \(ns) and it intercepts pod creation there with \(f.policy): if its pods die, their replacements "
                + "must pass the webhook that is down, so it cannot come back (a deadlock only deleting the configuration breaks)." + f.conditions,
            "Exclude its own namespace: namespaceSelector \(LabelSelector.namespaceNameLabel) NotIn [\(ns)] (or an objectSelector that skips its own pods).")
    }

    /// A timeout near the maximum.
    private static func timeoutHigh(_ f: Facts) -> WebhookFinding? {
        let w = f.w
        guard w.timeoutSeconds >= highTimeout else { return nil }
        let defaulted = w.timeoutExplicit ? "" : " (the \(w.apiVersion) default: the field is not set; v1's default is 10 s, v1beta1's 30 s)"
        return f.finding(.timeoutHigh, .warning,
            "timeoutSeconds \(w.timeoutSeconds)\(defaulted) is at or near the 30 s maximum: a hung webhook holds every request it intercepts that long"
                + (f.fail ? " and then fails it" : " before it is skipped") + ", and the client's own timeout may expire first.",
            "Set timeoutSeconds to a few seconds (EKS best practices: well under 30 s); a webhook that needs longer does too much in the request path.")
    }

    /// Resources the control plane needs (a catch-all already says so).
    private static func systemResources(_ f: Facts) -> WebhookFinding? {
        let w = f.w
        guard f.catchAllRule == nil else { return nil }
        var hit: [SystemResource] = []
        for s in systemResources {
            let ruleHits = w.rules.contains { r in
                r.intercepts(anyOf: ["CREATE", "UPDATE"]) && r.covers(group: s.group, resource: s.resource)
                    && (s.namespaces.isEmpty ? r.scope != "Namespaced" : r.namespaced)
            }
            guard ruleHits else { continue }
            if !s.namespaces.isEmpty
                && !s.namespaces.contains(where: { w.namespaceSelector.matches(LabelSelector.defaultLabels(ofNamespace: $0)) })
            {
                continue
            }
            if !w.objectSelector.matches([:]) { continue }
            hit.append(s)
        }
        guard !hit.isEmpty else { return nil }
        var seen = Set<String>()
        let names = hit.filter { seen.insert($0.resource).inserted }
        return f.finding(.interceptsSystemResources, f.fail ? .critical : .warning,
            "intercepts resources the control plane needs\(f.unlessLabelled): "
                + names.map { "\($0.resource) (\($0.why))" }.joined(separator: ", ") + " with \(f.policy): "
                + (f.fail ? "while it is down, those writes fail." : "every one of those writes waits for it.") + f.conditions,
            "Leave these resources out of its rules, or spare kube-system and kube-node-lease with a namespaceSelector.")
    }

    /// Side effects: dry-run requests are refused.
    private static func sideEffects(_ f: Facts) -> WebhookFinding? {
        let w = f.w
        guard w.sideEffects == "Unknown" || w.sideEffects == "Some" else { return nil }
        return f.finding(.sideEffects, .warning,
            "sideEffects \(w.sideEffects)\(w.apiVersion == "v1beta1" && w.sideEffects == "Unknown" ? " (the v1beta1 default)" : ""): "
                + "the API server refuses every dry-run request this webhook would see (kubectl diff, kubectl apply --dry-run=server).",
            "Declare sideEffects: None (or NoneOnDryRun, and honour dryRun in the webhook); admissionregistration.k8s.io/v1 requires one of these.")
    }

    /// matchPolicy Exact with named versions: requests through another version skip the webhook.
    private static func matchPolicyExact(_ f: Facts) -> WebhookFinding? {
        let w = f.w
        guard w.matchPolicy == "Exact", w.rules.contains(where: { !$0.apiVersions.contains("*") || !$0.apiGroups.contains("*") }) else { return nil }
        return f.finding(.matchPolicyExact, .info,
            "matchPolicy Exact\(w.apiVersion == "v1beta1" ? " (the v1beta1 default)" : "") with named API groups or versions: a request for the same "
                + "objects through another group or version (e.g. extensions/v1beta1 instead of apps/v1) is not sent to it.",
            "Set matchPolicy: Equivalent (the v1 default) so equivalent requests are converted and sent to it.")
    }
}
