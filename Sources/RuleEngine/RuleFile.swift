import Foundation
import PromQL
import Yams

/// A Prometheus rule file: `groups:` of recording and alerting rules.
///
/// The same files load into Prometheus, Thanos, Mimir or vmalert. Loading checks
/// what `promtool check rules` checks and names file and line for every problem.
public struct RuleFile: Sendable {
    public var path: String
    public var groups: [RuleGroup]

    public var ruleCount: Int { groups.reduce(0) { $0 + $1.rules.count } }

    /// Loads and validates a rule file from disk.
    public static func load(path: String) throws(RuleFileError) -> RuleFile {
        try parse(try StrictYAML.read(path: path), path: path)
    }

    /// Parses and validates rule-file YAML; every problem is collected with its line.
    public static func parse(_ text: String, path: String) throws(RuleFileError) -> RuleFile {
        let root = try StrictYAML.compose(text, path: path)
        var loader = Loader(yaml: StrictYAML(path: path))
        let file = loader.file(root)
        if !loader.yaml.problems.isEmpty { throw RuleFileError(path, loader.yaml.problems) }
        return file
    }
}

public struct RuleGroup: Sendable {
    public var name: String
    /// Evaluation interval (milliseconds), nil for the global one.
    public var interval: Int64?
    /// Most series a rule may return (0: no limit).
    public var limit: Int
    public var rules: [Rule]
    public var line: Int
}

public struct Rule: Sendable {
    public enum Kind: Sendable {
        case recording
        case alerting
    }

    public var kind: Kind
    /// The recorded metric name or the alert name.
    public var name: String
    public var exprText: String
    public var expr: Expr
    /// `for:` in milliseconds.
    public var hold: Int64
    /// `keep_firing_for:` in milliseconds.
    public var keepFiringFor: Int64
    public var labels: [(String, Template)]
    public var annotations: [(String, Template)]
    public var line: Int
}

/// Problems in one rule file, each `file:line: message`.
public struct RuleFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problems: [(line: Int, message: String)]

    init(_ path: String, _ problems: [(Int, String)]) {
        self.path = path
        self.problems = problems.map { (line: $0.0, message: $0.1) }
    }

    public var description: String {
        problems.map { "\(path):\($0.line > 0 ? "\($0.line):" : "") \($0.message)" }.joined(separator: "\n")
    }
}

/// Walks the YAML nodes, building the model and collecting problems with their lines.
private struct Loader {
    var yaml: StrictYAML

    mutating func problem(_ node: Node?, _ message: String) { yaml.problem(node, message) }

    mutating func file(_ root: Node?) -> RuleFile {
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

    mutating func group(_ node: Node) -> RuleGroup? {
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
                problem(r, "group \"\(name)\": rule \"\(rule.name)\" with the same labels is defined twice (first at line \(first))")
            }
            seen[identity] = rule.line
            rules.append(rule)
        }
        return RuleGroup(name: name, interval: interval == 0 ? nil : interval, limit: limit, rules: rules, line: node.mark?.line ?? 0)
    }

    mutating func rule(_ node: Node, group: String) -> Rule? {
        guard let m = yaml.mapping(
            node, allowed: ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"], in: "a rule")
        else { return nil }
        let record = yaml.string(m["record"], "record")
        let alert = yaml.string(m["alert"], "alert")
        let line = node.mark?.line ?? 0
        let kind: Rule.Kind
        let name: String
        switch (record, alert) {
        case (let r?, nil):
            kind = .recording
            name = r
            if !isMetricName(r) { problem(m["record"], "invalid recording rule name \"\(r)\"") }
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

    mutating func templates(_ node: Node?, rule: String, what: String, checkNames: Bool) -> [(String, Template)] {
        var out: [(String, Template)] = []
        for (k, v, valueNode) in yaml.stringMap(node, "rule \"\(rule)\" \(what)s") {
            if checkNames && !isLabelName(k) { problem(valueNode, "rule \"\(rule)\": invalid label name \"\(k)\"") }
            do {
                out.append((k, try Template(v)))
            } catch {
                problem(valueNode, "rule \"\(rule)\": \(what) \"\(k)\": \(error)")
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    func isMetricName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || f == ":" || f.properties.isASCIIHexDigit && !("0"..."9").contains(f)
            || ("a"..."z").contains(f) || ("A"..."Z").contains(f)
        else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || $0 == ":" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    func isLabelName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || ("a"..."z").contains(f) || ("A"..."Z").contains(f) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}
