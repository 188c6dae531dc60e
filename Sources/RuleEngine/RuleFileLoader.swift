import ConfigYAML
import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage

/// Walks the YAML nodes, building the model and collecting problems with their lines.
struct RuleFileLoader {
    var yaml: StrictYAML
    /// Rules defined twice in a group, `file:line: …` each: no error (``RuleFile/duplicates``).
    var duplicates: [String] = []

    mutating func problem(_ node: YAMLNode?, _ message: String) { yaml.problem(node, message) }

    mutating func file(_ root: YAMLNode?) -> RuleFile {
        guard let root, let m = yaml.mapping(root, allowed: ["groups"], in: "the rule file") else {
            return RuleFile(path: yaml.path, groups: [])
        }
        var groups: [RuleGroup] = []
        var names: Set<String> = []
        for g in yaml.sequence(m["groups"], "groups") {
            guard let group = group(g) else { continue }
            if !names.insert(group.name).inserted { problem(g, "group name \"\(group.name)\" is repeated in the file") }
            groups.append(group)
        }
        return RuleFile(path: yaml.path, groups: groups)
    }

    mutating func group(_ node: YAMLNode) -> RuleGroup? {
        guard let m = yaml.mapping(node, allowed: ["name", "interval", "limit", "rules"], in: "a group") else { return nil }
        guard let name = yaml.string(m["name"], "group name"), !name.isEmpty else {
            problem(node, "group without a name")
            return nil
        }
        let interval = yaml.duration(m["interval"], "group \"\(name)\" interval")
        if let interval, interval == 0 {
            problem(m["interval"], "group \"\(name)\" interval must be positive (leave it out for the global one)")
        }
        var limit = 0
        if let l = m["limit"] {
            if l.scalar != nil, let n = l.int, n >= 0 { limit = n } else { problem(l, "group \"\(name)\": limit must be a non-negative integer") }
        }
        var rules: [Rule] = []
        var seen: [String: Int] = [:]
        for r in yaml.sequence(m["rules"], "group \"\(name)\" rules") {
            guard let rule = rule(r, group: name) else { continue }
            let identity = rule.name + "\u{FF}" + rule.labels.map { "\($0.0)=\($0.1.source)" }.joined(separator: ",")
            if let first = seen[identity] {
                duplicates.append(
                    "\(yaml.path):\(r.mark.line): group \"\(name)\": rule \"\(rule.name)\" with the same labels is defined twice (first at line \(first))")
            }
            seen[identity] = rule.line
            rules.append(rule)
        }
        return RuleGroup(name: name, file: yaml.path, interval: interval == 0 ? nil : interval, limit: limit, rules: rules, line: node.mark.line)
    }

    mutating func rule(_ node: YAMLNode, group: String) -> Rule? {
        guard let m = yaml.mapping(
            node, allowed: ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"], in: "a rule")
        else { return nil }
        let record = yaml.string(m["record"], "record")
        let alert = yaml.string(m["alert"], "alert")
        let line = node.mark.line
        let kind: Rule.Kind
        let name: String
        switch (record, alert) {
        case (let r?, nil):
            kind = .recording
            name = r
            if !NameValidation.isMetricName(r) { problem(m["record"], "invalid recording rule name \"\(r)\"") }
            for key in ["for", "keep_firing_for", "annotations"] where m[key] != nil {
                problem(m[key], "recording rule \"\(r)\": \(key) is only for alerting rules")
            }
        case (nil, let a?):
            kind = .alerting
            name = a
            if a.isEmpty { problem(m["alert"], "alert name must not be empty") }
        case (nil, nil):
            if m["record"] == nil && m["alert"] == nil { problem(node, "rule needs one of record or alert") }
            return nil
        default:
            problem(node, "rule has both record and alert; a rule is one or the other")
            return nil
        }
        guard let exprNode = m["expr"], let exprText = yaml.string(exprNode, "rule \"\(name)\" expr"), !exprText.isEmpty else {
            if m["expr"]?.scalar != nil || m["expr"] == nil { problem(node, "rule \"\(name)\": missing expr") }
            return nil
        }
        let expr: Expr
        do {
            expr = try PromQLParser.parse(exprText)
        } catch {
            // Point at the expression's line; the message carries the position inside it.
            problem(exprNode, "rule \"\(name)\": expr: \(error)")
            return nil
        }
        if expr.type != .vector && expr.type != .scalar {
            problem(exprNode, "rule \"\(name)\": expr must be an instant vector or scalar, got \(expr.type.rawValue)")
        }
        let hold = yaml.duration(m["for"], "alert \"\(name)\" for") ?? 0
        let keepFiringFor = yaml.duration(m["keep_firing_for"], "alert \"\(name)\" keep_firing_for") ?? 0
        let labels = templates(m["labels"], rule: name, what: "label", checkNames: true)
        if labels.contains(where: { $0.0 == "__name__" }) {
            problem(m["labels"], "rule \"\(name)\": labels must not set __name__")
        }
        let annotations = templates(m["annotations"], rule: name, what: "annotation", checkNames: false)
        return Rule(
            kind: kind, name: name, exprText: exprText, expr: expr, hold: hold, keepFiringFor: keepFiringFor,
            labels: labels, annotations: annotations, line: line)
    }

    mutating func templates(_ node: YAMLNode?, rule: String, what: String, checkNames: Bool) -> [(String, Template)] {
        var out: [(String, Template)] = []
        for (k, v, valueNode) in yaml.stringMap(node, "rule \"\(rule)\" \(what)s") {
            if checkNames && !NameValidation.isLabelName(k) { problem(valueNode, "rule \"\(rule)\": invalid label name \"\(k)\"") }
            do {
                out.append((k, try Template(v)))
            } catch {
                problem(valueNode, "rule \"\(rule)\": \(what) \"\(k)\": \(error)")
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }
}
