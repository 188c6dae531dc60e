import ConfigYAML
import PromModel

/// Reads what `kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o json`
/// (or `-o yaml`) prints: a `List`, a `…WebhookConfigurationList`, a single configuration, or
/// several YAML documents; `admissionregistration.k8s.io/v1` and `v1beta1`, each with its own
/// defaults. Fields ctlmon does not use (metadata, `caBundle`, `admissionReviewVersions`) are
/// allowed; a field it uses with a value Kubernetes would refuse is an error with its line and
/// column. Objects of other kinds in a list are skipped and counted, never silently.
package struct WebhookConfigurationReader {
    /// What was read.
    package struct Result: Sendable {
        /// Every webhook of every configuration, in input order.
        package var webhooks: [AdmissionWebhook] = []
        /// How many webhook configurations were read.
        package var configurations = 0
        /// Objects of other kinds in the input, by kind.
        package var skipped: [String: Int] = [:]

        /// Nothing read yet (lists of several kinds are added up into one).
        package init() {}
    }

    /// At most this many webhooks across all configurations (a cluster has tens).
    package static let maxWebhooks = 10_000

    let source: String
    private var problems: [(line: Int, column: Int, message: String)] = []
    private var result = Result()

    private init(source: String) { self.source = source }

    /// The lists of both kinds as the Kubernetes API returns them (one JSON list per kind,
    /// named by its kind in errors), read into one result: what the sidecar's watcher and
    /// `check` from a kubeconfig both hold.
    package static func read(lists: [(kind: String, json: [UInt8])]) throws(WebhookConfigError) -> Result {
        var all = Result()
        for (kind, json) in lists {
            let one = try read(String(decoding: json, as: UTF8.self), source: kind)
            all.webhooks += one.webhooks
            all.configurations += one.configurations
            for (k, n) in one.skipped { all.skipped[k, default: 0] += n }
        }
        return all
    }

    /// Reads `text` (JSON or YAML); `source` names it in errors.
    package static func read(_ text: String, source: String) throws(WebhookConfigError) -> Result {
        let documents: [YAMLNode]
        do {
            documents = try StrictYAML.composeAll(text, path: source)
        } catch {
            throw WebhookConfigError(source, error.problems.map { ($0.line, 0, $0.message) })
        }
        var reader = WebhookConfigurationReader(source: source)
        for document in documents { reader.object(document, topLevel: true) }
        if documents.isEmpty {
            reader.problem(nil, "no object: expected the output of kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o json")
        }
        if !reader.problems.isEmpty { throw WebhookConfigError(source, Array(reader.problems.prefix(20))) }
        return reader.result
    }

    private mutating func object(_ node: YAMLNode, topLevel: Bool) {
        guard node.mapping != nil else {
            if node.isNull && !topLevel { return }
            problem(node, "expected a Kubernetes object (a mapping with apiVersion and kind), found \(describe(node))")
            return
        }
        guard let kind = scalar(child(node, "kind"), "kind", in: node) else { return }
        switch kind {
        case "List", "ValidatingWebhookConfigurationList", "MutatingWebhookConfigurationList":
            guard let items = child(node, "items") else { return }
            if items.isNull { return }
            guard let sequence = items.sequence else {
                problem(items, "items must be a list, found \(describe(items))")
                return
            }
            for item in sequence {
                let itemKind = item.mapping != nil ? child(item, "kind")?.string : nil
                // A typed list's items may leave kind out (the list says it).
                if itemKind == nil, kind != "List", item.mapping != nil {
                    configuration(item, kind: String(kind.dropLast(4)), apiVersion: child(node, "apiVersion")?.string)
                } else {
                    object(item, topLevel: false)
                }
            }
        case "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration":
            configuration(node, kind: kind, apiVersion: nil)
        default:
            result.skipped[kind, default: 0] += 1
        }
    }

    private mutating func configuration(_ node: YAMLNode, kind: String, apiVersion inherited: String?) {
        let apiVersion = child(node, "apiVersion")?.string ?? inherited
        let version: String
        switch apiVersion {
        case "admissionregistration.k8s.io/v1": version = "v1"
        case "admissionregistration.k8s.io/v1beta1": version = "v1beta1"
        default:
            problem(child(node, "apiVersion") ?? node,
                "apiVersion \(apiVersion.map { "\"\($0)\"" } ?? "missing") of a \(kind): expected admissionregistration.k8s.io/v1 or v1beta1")
            return
        }
        guard let metadata = child(node, "metadata"), let name = scalar(child(metadata, "name"), "metadata.name", in: metadata) else {
            if child(node, "metadata") == nil { problem(node, "a \(kind) without metadata.name") }
            return
        }
        result.configurations += 1
        guard let hooks = child(node, "webhooks"), !hooks.isNull else { return }
        guard let sequence = hooks.sequence else {
            problem(hooks, "webhooks must be a list, found \(describe(hooks))")
            return
        }
        for hook in sequence {
            guard result.webhooks.count < Self.maxWebhooks else {
                problem(hook, "more than \(Self.maxWebhooks) webhooks")
                return
            }
            if let w = webhook(hook, configuration: name, kind: kind == "MutatingWebhookConfiguration" ? .mutating : .validating, version: version) {
                result.webhooks.append(w)
            }
        }
    }

    private mutating func webhook(_ node: YAMLNode, configuration: String, kind: AdmissionWebhook.Kind, version: String) -> AdmissionWebhook? {
        guard node.mapping != nil else {
            problem(node, "a webhook must be a mapping, found \(describe(node))")
            return nil
        }
        guard let name = scalar(child(node, "name"), "name", in: node) else { return nil }
        let v1 = version == "v1"
        let policyNode = child(node, "failurePolicy")
        let policy = enumeration(policyNode, "failurePolicy", ["Fail", "Ignore"]) ?? (v1 ? "Fail" : "Ignore")
        let timeoutNode = child(node, "timeoutSeconds")
        var timeout = v1 ? 10 : 30
        if let timeoutNode, !timeoutNode.isNull {
            if let t = timeoutNode.int, (1...30).contains(t), timeoutNode.scalar?.style == .plain {
                timeout = t
            } else {
                problem(timeoutNode, "timeoutSeconds must be a whole number of seconds from 1 to 30, found \(describe(timeoutNode))")
            }
        }
        let sideEffects = enumeration(child(node, "sideEffects"), "sideEffects", ["None", "NoneOnDryRun", "Some", "Unknown"]) ?? (v1 ? "" : "Unknown")
        if v1 && sideEffects.isEmpty {
            problem(node, "webhook \"\(name)\": sideEffects is required in admissionregistration.k8s.io/v1 (None or NoneOnDryRun)")
        }
        let matchPolicy = enumeration(child(node, "matchPolicy"), "matchPolicy", ["Exact", "Equivalent"]) ?? (v1 ? "Equivalent" : "Exact")
        var reinvocation: String? = nil
        if kind == .mutating {
            reinvocation = enumeration(child(node, "reinvocationPolicy"), "reinvocationPolicy", ["Never", "IfNeeded"]) ?? "Never"
        }
        var rules: [AdmissionRule] = []
        for r in sequence(child(node, "rules"), "rules") {
            guard r.mapping != nil else {
                problem(r, "a rule must be a mapping, found \(describe(r))")
                continue
            }
            let operations = strings(child(r, "operations"), "operations")
            for op in operations where !["*", "CREATE", "UPDATE", "DELETE", "CONNECT"].contains(op) {
                problem(child(r, "operations"), "operations: \"\(op)\" is not one of *, CREATE, UPDATE, DELETE, CONNECT")
            }
            let scope = enumeration(child(r, "scope"), "scope", ["*", "Cluster", "Namespaced"]) ?? "*"
            rules.append(AdmissionRule(
                apiGroups: strings(child(r, "apiGroups"), "apiGroups"), apiVersions: strings(child(r, "apiVersions"), "apiVersions"),
                operations: operations, resources: strings(child(r, "resources"), "resources"), scope: scope))
        }
        var serviceNamespace: String? = nil
        var serviceName: String? = nil
        if let client = child(node, "clientConfig"), let service = child(client, "service"), service.mapping != nil {
            serviceNamespace = scalar(child(service, "namespace"), "clientConfig.service.namespace", in: service)
            serviceName = scalar(child(service, "name"), "clientConfig.service.name", in: service)
        }
        let conditions = sequence(child(node, "matchConditions"), "matchConditions").count
        return AdmissionWebhook(
            name: name, configuration: configuration, kind: kind, apiVersion: version,
            failurePolicy: policy == "Fail" ? .fail : .ignore, failurePolicyExplicit: policyNode != nil && policyNode?.isNull != true,
            timeoutSeconds: timeout, timeoutExplicit: timeoutNode != nil && timeoutNode?.isNull != true,
            sideEffects: sideEffects, matchPolicy: matchPolicy, reinvocationPolicy: reinvocation, rules: rules,
            namespaceSelector: selector(child(node, "namespaceSelector"), "namespaceSelector"),
            objectSelector: selector(child(node, "objectSelector"), "objectSelector"),
            matchConditions: conditions, serviceNamespace: serviceNamespace, serviceName: serviceName,
            line: node.mark.line)
    }

    private mutating func selector(_ node: YAMLNode?, _ what: String) -> LabelSelector {
        guard let node, !node.isNull else { return LabelSelector() }
        guard node.mapping != nil else {
            problem(node, "\(what) must be a label selector (a mapping), found \(describe(node))")
            return LabelSelector()
        }
        var out = LabelSelector()
        if let labels = child(node, "matchLabels"), !labels.isNull {
            if let mapping = labels.mapping {
                for (k, v) in mapping {
                    if let key = k.string, let value = v.string, v.scalar != nil { out.matchLabels.append((key, value)) } else {
                        problem(v, "\(what).matchLabels must map label names to strings")
                    }
                }
            } else {
                problem(labels, "\(what).matchLabels must be a mapping, found \(describe(labels))")
            }
        }
        for e in sequence(child(node, "matchExpressions"), "\(what).matchExpressions") {
            guard let key = scalar(child(e, "key"), "\(what).matchExpressions key", in: e),
                let op = enumeration(child(e, "operator"), "\(what).matchExpressions operator", ["In", "NotIn", "Exists", "DoesNotExist"])
            else {
                if child(e, "operator") == nil { problem(e, "\(what).matchExpressions: an expression without operator") }
                continue
            }
            let values = strings(child(e, "values"), "\(what).matchExpressions values")
            let requirement = LabelSelector.Requirement(key: key, op: .init(rawValue: op)!, values: values)
            if (op == "In" || op == "NotIn") && values.isEmpty {
                problem(e, "\(what).matchExpressions: \(op) needs values")
            } else if (op == "Exists" || op == "DoesNotExist") && !values.isEmpty {
                problem(e, "\(what).matchExpressions: \(op) takes no values")
            }
            out.requirements.append(requirement)
        }
        return out
    }

    // MARK: YAMLNode helpers

    private func child(_ node: YAMLNode, _ key: String) -> YAMLNode? {
        guard let mapping = node.mapping else { return nil }
        for (k, v) in mapping where k.string == key { return v }
        return nil
    }

    private mutating func scalar(_ node: YAMLNode?, _ what: String, in parent: YAMLNode) -> String? {
        guard let node else {
            problem(parent, "\(what) is missing")
            return nil
        }
        guard node.scalar != nil, !node.isNull || node.scalar?.style != .plain, let s = node.string, !s.isEmpty else {
            problem(node, "\(what) must be a non-empty string, found \(describe(node))")
            return nil
        }
        return s
    }

    private mutating func enumeration(_ node: YAMLNode?, _ what: String, _ allowed: [String]) -> String? {
        guard let node, !node.isNull || node.scalar?.style != .plain else { return nil }
        guard node.scalar != nil, let s = node.string, allowed.contains(s) else {
            problem(node, "\(what) must be one of \(allowed.joined(separator: ", ")), found \(describe(node))")
            return nil
        }
        return s
    }

    private mutating func sequence(_ node: YAMLNode?, _ what: String) -> [YAMLNode] {
        guard let node, !node.isNull else { return [] }
        guard let items = node.sequence else {
            problem(node, "\(what) must be a list, found \(describe(node))")
            return []
        }
        return Array(items)
    }

    private mutating func strings(_ node: YAMLNode?, _ what: String) -> [String] {
        sequence(node, what).compactMap { item in
            guard item.scalar != nil, let s = item.string else {
                problem(item, "\(what) must be a list of strings, found \(describe(item)) in it")
                return nil
            }
            return s
        }
    }

    private func describe(_ node: YAMLNode) -> String {
        switch node {
        case .scalar(let s): s.style == .plain && node.isNull ? "null" : "\"\(s.string.prefix(40))\""
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    private mutating func problem(_ node: YAMLNode?, _ message: String) {
        problems.append((node?.mark.line ?? 0, node?.mark.column ?? 0, message))
    }
}

extension WebhookConfigurationReader {
    /// Reads a file, or standard input for `-`, within ``StrictYAML/maxBytes``.
    package static func load(path: String) throws(WebhookConfigError) -> Result {
        if path == "-" {
            let data: [UInt8]
            do {
                data = try FileContents.read(descriptor: 0, limit: StrictYAML.maxBytes)
            } catch .tooLarge {
                throw WebhookConfigError("<stdin>", [(0, 0, "larger than the limit of \(StrictYAML.maxBytes) bytes")])
            } catch {
                throw WebhookConfigError("<stdin>", [(0, 0, "cannot read: \(error)")])
            }
            guard let text = String(validating: data, as: UTF8.self) else { throw WebhookConfigError("<stdin>", [(0, 0, "not UTF-8 text")]) }
            return try read(text, source: "<stdin>")
        }
        let text: String
        do {
            text = try StrictYAML.read(path: path)
        } catch {
            throw WebhookConfigError(path, error.problems.map { ($0.line, 0, $0.message) })
        }
        return try read(text, source: path)
    }
}
