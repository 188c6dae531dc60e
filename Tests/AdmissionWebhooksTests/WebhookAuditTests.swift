import AdmissionWebhooks
import CtlmonTestSupport
import Foundation
import Testing

/// The audit of webhook configurations: each finding on a hand-made case that has it and
/// nothing else, and none on a well-configured webhook.
@Suite("webhook configuration audit")
struct WebhookAuditTests {
    /// One configuration around one webhook body (indented under `webhooks:`).
    static func config(_ webhook: String, version: String = "v1", kind: String = "ValidatingWebhookConfiguration", name: String = "policy") -> String {
        """
        apiVersion: admissionregistration.k8s.io/\(version)
        kind: \(kind)
        metadata:
          name: \(name)
        webhooks:
        \(webhook.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        """
    }

    static func audit(_ text: String, metrics: [String: WebhookMetrics]? = nil) throws -> WebhookAudit {
        let read = try WebhookConfigurationReader.read(text, source: "test.yaml")
        return WebhookAudit(webhooks: read.webhooks, metrics: metrics)
    }

    static let url = "clientConfig: {url: \"https://policy.example.com/validate\"}"

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var expected: [String: String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "catch-all with Fail is critical", yaml: config("""
            - name: all.example.com
              \(url)
              rules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*/*"]}]
              failurePolicy: Fail
              sideEffects: None
            """), expected: ["catch-all": "critical"]),
        Case(name: "catch-all with Ignore is a warning; * resources with * operations of one group count", yaml: config("""
            - name: all.example.com
              \(url)
              rules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["*"]}]
              failurePolicy: Ignore
              sideEffects: None
            """), expected: ["catch-all": "warning"]),
        Case(name: "Fail by v1's default on pods everywhere, kube-system included", yaml: config("""
            - name: pods.example.com
              \(url)
              rules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
              sideEffects: None
            """), expected: ["fail-closed-broad": "warning"]),
        Case(name: "an opt-out label selector still matches kube-system", yaml: config("""
            - name: pods.example.com
              \(url)
              rules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
              namespaceSelector: {matchExpressions: [{key: policy.example.com/skip, operator: DoesNotExist}]}
              sideEffects: None
            """), expected: ["fail-closed-broad": "warning"]),
        Case(name: "its own namespace with Fail: a deadlock", yaml: config("""
            - name: pods.example.com
              clientConfig: {service: {namespace: policy-system, name: policy}}
              rules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"]}]
              namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}]}
              failurePolicy: Fail
              sideEffects: None
            """), expected: ["self-intercept": "critical"]),
        Case(name: "v1beta1 defaults: 30 s timeout, Exact match policy, Unknown side effects", yaml: config("""
            - name: old.example.com
              \(url)
              rules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}]
            """, version: "v1beta1"), expected: ["timeout-high": "warning", "match-policy-exact": "info", "side-effects": "warning"]),
        Case(name: "a 28 s timeout is near the maximum", yaml: config("""
            - name: slow.example.com
              \(url)
              rules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}]
              timeoutSeconds: 28
              sideEffects: None
            """), expected: ["timeout-high": "warning"]),
        Case(name: "leases and nodes with Fail: critical", yaml: config("""
            - name: heartbeat.example.com
              \(url)
              rules:
              - {apiGroups: ["coordination.k8s.io"], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["leases"]}
              - {apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["nodes", "nodes/status"]}
              sideEffects: None
            """), expected: ["intercepts-system-resources": "critical"]),
        Case(name: "kube-system events with Ignore: a warning", yaml: config("""
            - name: events.example.com
              \(url)
              rules: [{apiGroups: ["events.k8s.io"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["events"]}]
              failurePolicy: Ignore
              sideEffects: None
            """), expected: ["intercepts-system-resources": "warning"]),
        Case(name: "side effects Some refuse dry runs", yaml: config("""
            - name: effects.example.com
              \(url)
              rules: [{apiGroups: ["apps"], apiVersions: ["*"], operations: ["CREATE"], resources: ["deployments"]}]
              failurePolicy: Ignore
              matchPolicy: Equivalent
              timeoutSeconds: 5
              sideEffects: Some
            """, version: "v1beta1"), expected: ["side-effects": "warning"]),
        Case(name: "EKS's own webhooks are reported as EKS's, not as findings to fix", yaml: config("""
            - name: vnode.vpc.k8s.aws
              clientConfig: {service: {namespace: kube-system, name: vpc-resource-controller-webhook}}
              rules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["nodes"]}]
              failurePolicy: Ignore
              sideEffects: None
            """, name: "vpc-resource-validating-webhook"), expected: ["managed-by-eks": "info"]),
        Case(name: "well configured: Fail on pods, sparing kube-system and its own namespace, short timeout", yaml: config("""
            - name: pods.example.com
              clientConfig: {service: {namespace: policy-system, name: policy}}
              rules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
              namespaceSelector:
                matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, kube-node-lease, policy-system]}]
              failurePolicy: Fail
              timeoutSeconds: 3
              sideEffects: None
            """), expected: [:]),
        Case(name: "well configured: an opt-in objectSelector spares kube-system's (unlabelled) pods", yaml: config("""
            - name: opt-in.example.com
              \(url)
              rules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
              objectSelector: {matchLabels: {policy.example.com/enforce: "true"}}
              failurePolicy: Fail
              sideEffects: None
            """), expected: [:]),
        Case(name: "tokenreviews and subjectaccessreviews are control-plane resources too", yaml: config("""
            - name: auth.example.com
              \(url)
              rules: [{apiGroups: ["authentication.k8s.io", "authorization.k8s.io"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["tokenreviews", "subjectaccessreviews"]}]
              failurePolicy: Ignore
              sideEffects: None
            """), expected: ["intercepts-system-resources": "warning"]),
        Case(name: "well configured: an opt-in namespace selector", yaml: config("""
            - name: inject.example.com
              clientConfig: {service: {namespace: mesh, name: injector}}
              rules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
              namespaceSelector: {matchLabels: {injection: enabled}}
              sideEffects: None
            """, kind: "MutatingWebhookConfiguration"), expected: [:]),
    ]

    @Test("each finding on its own case, and none on well-configured webhooks", arguments: cases)
    func finding(_ c: Case) throws {
        let audit = try Self.audit(c.yaml)
        let found = Dictionary(audit.findings.map { ($0.id.rawValue, $0.severity.rawValue) }, uniquingKeysWith: { a, _ in a })
        #expect(found == c.expected, "\(audit.findings.map(\.message))")
        for f in audit.findings {
            #expect(!f.message.isEmpty && !f.fix.isEmpty)
            #expect(f.configuration == "policy" || f.configuration == "vpc-resource-validating-webhook")
        }
    }

    @Test("defaults follow the API version: v1 Fail 10 s Equivalent, v1beta1 Ignore 30 s Exact Unknown")
    func defaults() throws {
        let body = """
            - name: d.example.com
              \(Self.url)
              rules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}]
              sideEffects: None
            """
        let v1 = try #require(try WebhookConfigurationReader.read(Self.config(body), source: "t").webhooks.first)
        #expect(v1.failurePolicy == .fail && v1.timeoutSeconds == 10 && v1.matchPolicy == "Equivalent" && !v1.failurePolicyExplicit)
        let beta = try #require(try WebhookConfigurationReader.read(Self.config(body.replacingOccurrences(of: "  sideEffects: None", with: ""), version: "v1beta1"), source: "t").webhooks.first)
        #expect(beta.failurePolicy == .ignore && beta.timeoutSeconds == 30 && beta.matchPolicy == "Exact" && beta.sideEffects == "Unknown")
        let finding = try #require(try Self.audit(Self.config(body.replacingOccurrences(of: "  sideEffects: None", with: ""), version: "v1beta1"))
            .findings.first { $0.id == .timeoutHigh })
        #expect(finding.message.contains("the v1beta1 default") && finding.message.contains("v1's default is 10 s"))
    }

    static let slowBody = """
        - name: m.example.com
          \(url)
          rules: [{apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}]
          failurePolicy: POLICY
          timeoutSeconds: 10
          sideEffects: None
        """

    @Test("metrics: p99 graded against the webhook's own timeout (half: warning, near: critical)",
          arguments: [(4.0, nil), (5.5, "warning"), (9.5, "critical")] as [(Double, String?)])
    func slowVsTimeout(_ p99: Double, _ severity: String?) throws {
        let audit = try Self.audit(Self.config(Self.slowBody.replacingOccurrences(of: "POLICY", with: "Fail")),
                                   metrics: ["m.example.com": WebhookMetrics(p99: p99, calls: 100)])
        #expect(audit.findings.first { $0.id == .slowVsTimeout }?.severity.rawValue == severity)
        #expect(audit.findings.allSatisfy { $0.id == .slowVsTimeout })
    }

    @Test("metrics: failing calls graded by failurePolicy (Fail blocks writes, Ignore skips the policy); fail-open counted",
          arguments: [("Fail", "failing-blocks-writes", "critical"), ("Ignore", "failing-policy-skipped", "warning")])
    func failing(_ policy: String, _ id: String, _ severity: String) throws {
        let audit = try Self.audit(Self.config(Self.slowBody.replacingOccurrences(of: "POLICY", with: policy)),
                                   metrics: ["m.example.com": WebhookMetrics(p99: 0.05, calls: 100, failures: 3, failOpen: 2)])
        let found = Dictionary(audit.findings.map { ($0.id.rawValue, $0.severity.rawValue) }, uniquingKeysWith: { a, _ in a })
        #expect(found == [id: severity, "fail-open-used": "warning"])
        #expect(audit.findings.first { $0.id.rawValue == id }?.message.contains("3 calls failed") == true)
    }

    @Test("metrics: a name no configuration has, and a configured webhook never called")
    func unmatched() throws {
        let audit = try Self.audit(Self.config(Self.slowBody.replacingOccurrences(of: "POLICY", with: "Fail")),
                                   metrics: ["gone.example.com": WebhookMetrics(p99: 0.01, calls: 5)])
        let found = Set(audit.findings.map { "\($0.id.rawValue) \($0.webhook)" })
        #expect(found == ["metrics-without-config gone.example.com", "never-called m.example.com"])
        #expect(!audit.reaches(.warning))
    }

    @Test("input forms: a List, a typed list without item kinds, several YAML documents; other kinds skipped and counted")
    func inputForms() throws {
        let one = Self.config(Self.slowBody.replacingOccurrences(of: "POLICY", with: "Fail"))
        let json = """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}},
              {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration", "metadata": {"name": "m"},
               "webhooks": [{"name": "a.example.com", "clientConfig": {"url": "https://a"}, "sideEffects": "None",
                             "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["configmaps"]}]}]}]}
            """
        let list = try WebhookConfigurationReader.read(json, source: "t")
        #expect(list.webhooks.map(\.name) == ["a.example.com"] && list.webhooks[0].kind == .mutating && list.skipped == ["ConfigMap": 1])
        let typed = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfigurationList
            items:
            - metadata: {name: v}
              webhooks: [{name: b.example.com, sideEffects: None, clientConfig: {url: "https://b"}}]
            """
        #expect(try WebhookConfigurationReader.read(typed, source: "t").webhooks.map(\.configuration) == ["v"])
        let documents = one + "\n---\n" + one.replacingOccurrences(of: "name: policy", with: "name: second")
        #expect(try WebhookConfigurationReader.read(documents, source: "t").webhooks.map(\.configuration) == ["policy", "second"])
    }

    @Test("bad input names the source, line and column and what was expected",
          arguments: [
            ("timeoutSeconds: 10", "timeoutSeconds: 45", "test.yaml:10:21: timeoutSeconds must be a whole number of seconds from 1 to 30"),
            ("failurePolicy: POLICY", "failurePolicy: Sometimes", "test.yaml:9:20: failurePolicy must be one of Fail, Ignore"),
            ("admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v2", "test.yaml:1:13: apiVersion \"admissionregistration.k8s.io/v2\""),
            ("  sideEffects: None", "", "sideEffects is required in admissionregistration.k8s.io/v1"),
            ("[\"apps\"]", "[\"apps\"", "test.yaml:"),
          ])
    func badInput(_ from: String, _ to: String, _ expected: String) {
        let text = Self.config(Self.slowBody).replacingOccurrences(of: "failurePolicy: POLICY", with: from.hasPrefix("failurePolicy") ? "failurePolicy: POLICY" : "failurePolicy: Fail")
            .replacingOccurrences(of: from, with: to)
        #expect {
            _ = try WebhookConfigurationReader.read(text, source: "test.yaml")
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("empty input, and an object that is not Kubernetes, are errors, not an empty green report")
    func emptyInput() {
        for text in ["", "# nothing\n", "just a string", "[1, 2]"] {
            #expect(throws: WebhookConfigError.self) { _ = try WebhookConfigurationReader.read(text, source: "in") }
        }
    }

    @Test("real configurations as their projects ship them: the findings ctlmon gives each")
    func realConfigurations() throws {
        let text = try String(contentsOfFile: Fixture.path("webhooks/eks-cluster.json"), encoding: .utf8)
        let read = try WebhookConfigurationReader.read(text, source: "eks-cluster.json")
        #expect(read.webhooks.count == 18 && read.configurations == 11)
        let audit = WebhookAudit(webhooks: read.webhooks)
        let found = Set(audit.findings.map { "\($0.id.rawValue) \($0.webhook) \($0.kind?.rawValue ?? "")" })
        #expect(found == [
            "fail-closed-broad validate.kyverno.svc-fail validating",
            "intercepts-system-resources validation.gatekeeper.sh validating",
            "intercepts-system-resources mutation.gatekeeper.sh mutating",
            "timeout-high webhook.cert-manager.io validating", "timeout-high webhook.cert-manager.io mutating",
            "match-policy-exact check-ignore-label.gatekeeper.sh validating",
            "managed-by-eks mpod.vpc.k8s.aws mutating", "managed-by-eks vpod.vpc.k8s.aws validating",
            "managed-by-eks vnode.vpc.k8s.aws validating", "managed-by-eks iam-for-pods.amazonaws.com mutating",
        ])
        // The AWS Load Balancer Controller's and Istio's webhooks are configured as the guide advises.
        for name in ["vingress.elbv2.k8s.aws", "mpod.elbv2.k8s.aws", "namespace.sidecar-injector.istio.io", "object.sidecar-injector.istio.io"] {
            #expect(!audit.findings.contains { $0.webhook == name })
        }
    }
}
