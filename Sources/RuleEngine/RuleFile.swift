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
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RuleFileError(path, [(0, "cannot read: \(error.localizedDescription)")])
        }
        return try parse(text, path: path)
    }

    /// Parses and validates rule-file YAML; every problem is collected with its line.
    public static func parse(_ text: String, path: String) throws(RuleFileError) -> RuleFile {
        var loader = Loader(path: path)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw RuleFileError(path, [(Loader.line(of: error), "invalid YAML: \(Loader.describe(error))")])
        }
        let file = loader.file(root)
        if !loader.problems.isEmpty { throw RuleFileError(path, loader.problems) }
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
    let path: String
    var problems: [(Int, String)] = []

    init(path: String) { self.path = path }

    static func line(of error: any Error) -> Int {
        if let e = error as? YamlError {
            switch e {
            case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
            default: return 0
            }
        }
        return 0
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? YamlError {
            switch e {
            case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
            default: break
            }
        }
        return "\(error)"
    }

    mutating func problem(_ node: Node?, _ message: String) {
        problems.append((node?.mark?.line ?? 0, message))
    }

    mutating func keys(_ node: Node, allowed: [String], in what: String) {
        guard let mapping = node.mapping else { return }
        for (key, _) in mapping {
            guard let k = key.string, allowed.contains(k) else {
                problem(key, "unknown key \"\(key.string ?? "?")\" in \(what) (expected \(allowed.joined(separator: ", ")))")
                continue
            }
        }
    }

    mutating func file(_ root: Node?) -> RuleFile {
        guard let root, root.mapping != nil else {
            if root != nil { problem(root, "expected a mapping with \"groups\"") }
            return RuleFile(path: path, groups: [])
        }
        keys(root, allowed: ["groups"], in: "the rule file")
        var groups: [RuleGroup] = []
        var names: Set<String> = []
        for g in root.mapping?["groups"]?.sequence ?? [] {
            guard let group = group(g) else { continue }
            if !names.insert(group.name).inserted { problem(g, "group name \"\(group.name)\" is repeated in the file") }
            groups.append(group)
        }
        return RuleFile(path: path, groups: groups)
    }

    mutating func duration(_ node: Node?, _ what: String) -> Int64? {
        guard let node else { return nil }
        guard let s = node.string, let d = try? PromQLParser.parseDuration(s) else {
            problem(node, "\(what): bad duration \"\(node.string ?? "?")\" (expected e.g. 30s, 5m, 1h30m)")
            return nil
        }
        return d
    }

    mutating func group(_ node: Node) -> RuleGroup? {
        guard let m = node.mapping else {
            problem(node, "expected a group (a mapping with name and rules)")
            return nil
        }
        keys(node, allowed: ["name", "interval", "limit", "rules"], in: "a group")
        guard let name = m["name"]?.string, !name.isEmpty else {
            problem(node, "group without a name")
            return nil
        }
        let interval = duration(m["interval"], "group \"\(name)\" interval")
        var limit = 0
        if let l = m["limit"] {
            if let n = l.int, n >= 0 { limit = n } else { problem(l, "group \"\(name)\": limit must be a non-negative integer") }
        }
        var rules: [Rule] = []
        var seen: [String: Int] = [:]
        for r in m["rules"]?.sequence ?? [] {
            guard let rule = rule(r, group: name) else { continue }
            let identity = rule.name + "\u{FF}" + rule.labels.map { "\($0.0)=\($0.1.source)" }.joined(separator: ",")
            if let first = seen[identity] {
                problem(r, "group \"\(name)\": rule \"\(rule.name)\" with the same labels is defined twice (first at line \(first))")
            }
            seen[identity] = rule.line
            rules.append(rule)
        }
        return RuleGroup(name: name, interval: interval, limit: limit, rules: rules, line: node.mark?.line ?? 0)
    }

    mutating func rule(_ node: Node, group: String) -> Rule? {
        guard let m = node.mapping else {
            problem(node, "expected a rule (a mapping with record or alert, and expr)")
            return nil
        }
        keys(node, allowed: ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"], in: "a rule")
        let record = m["record"]?.string
        let alert = m["alert"]?.string
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
            problem(node, "rule needs one of record or alert")
            return nil
        default:
            problem(node, "rule has both record and alert; a rule is one or the other")
            return nil
        }
        guard let exprNode = m["expr"], let exprText = exprNode.string, !exprText.isEmpty else {
            problem(node, "rule \"\(name)\": missing expr")
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
        let hold = duration(m["for"], "alert \"\(name)\" for") ?? 0
        let keepFiringFor = duration(m["keep_firing_for"], "alert \"\(name)\" keep_firing_for") ?? 0
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
        guard let node else { return [] }
        guard let mapping = node.mapping else {
            problem(node, "rule \"\(rule)\": \(what)s must be a mapping")
            return []
        }
        var out: [(String, Template)] = []
        for (key, value) in mapping {
            let k = key.string ?? ""
            if checkNames && !isLabelName(k) { problem(key, "rule \"\(rule)\": invalid label name \"\(k)\"") }
            do {
                out.append((k, try Template(value.string ?? "")))
            } catch {
                problem(value, "rule \"\(rule)\": \(what) \"\(k)\": \(error)")
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
