import Foundation
import PromQL

/// Runs promtool-format unit tests with promtool's semantics and output.
///
/// Each test group loads its input series (one value per `interval`, from time 0)
/// and evaluates every `promql_expr_test` at its `eval_time` as an instant query.
/// Expected and actual samples are compared as sets, values with a relative
/// tolerance of 1e-9 (NaN equals NaN).
public struct RuleTestRunner {
    public static let tolerance = 1e-9

    public init() {}

    /// Runs the file; returns whether every test passed and the report (promtool's layout).
    public func run(path: String) -> (passed: Bool, report: String) {
        var report = "Unit Testing:  \(path)\n"
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            return (false, report + "  FAILED:\n    \(path): cannot read: \(error.localizedDescription)\n")
        }
        let file: RuleTestFile
        do {
            file = try RuleTestFile.load(yaml: text, path: path)
        } catch {
            return (false, report + "  FAILED:\n    \(error)\n")
        }
        if let rules = file.ruleFiles, !rules.isEmpty {
            return (false, report + "  FAILED:\n    rule_files are not supported yet by ctlmon rules test\n")
        }
        let evaluationInterval = parseDuration(file.evaluationInterval) ?? 60_000
        var failures: [String] = []
        for (index, group) in file.tests.enumerated() {
            do {
                failures += try runGroup(group, evaluationInterval: evaluationInterval)
            } catch {
                failures.append("    group \(group.name ?? String(index)): \(error)")
            }
        }
        if failures.isEmpty { return (true, report + "  SUCCESS\n") }
        return (false, report + "  FAILED:\n" + failures.joined(separator: "\n") + "\n")
    }

    func parseDuration(_ s: String?) -> Int64? {
        guard let s else { return nil }
        return try? PromQLParser.parseDuration(s)
    }

    private func runGroup(_ group: RuleTestFile.TestGroup, evaluationInterval: Int64) throws -> [String] {
        let interval = parseDuration(group.interval) ?? evaluationInterval
        let store = SeriesStore()
        for input in group.inputSeries ?? [] {
            let labels = try parseSeries(input.series)
            let values = try SeriesNotation.expand(input.values)
            for (i, v) in values.enumerated() {
                if let v { store.append(labels, timestamp: Int64(i) * interval, value: v) }
            }
        }
        if let alerts = group.alertRuleTest, !alerts.isEmpty {
            return ["    alert_rule_test is not supported yet by ctlmon rules test"]
        }
        var failures: [String] = []
        for test in group.promqlExprTest ?? [] {
            let evalTime = parseDuration(test.evalTime) ?? 0
            let evaluator = Evaluator(store: store)
            evaluator.defaultSubqueryStep = evaluationInterval
            let timeText = Duration.format(evalTime)
            let got: [(Labels, Double)]
            do {
                let expr = try PromQLParser.parse(test.expr)
                switch try evaluator.evaluate(expr, at: evalTime) {
                case .vector(let v): got = v.map { ($0.labels, $0.value) }
                case .scalar(let s, _): got = [(Labels(), s)]
                default:
                    failures.append("    expr: \(quote(test.expr)), time: \(timeText), err: range vector or string result is not supported")
                    continue
                }
            } catch {
                failures.append("    expr: \(quote(test.expr)), time: \(timeText), err: \(error)")
                continue
            }
            var expected: [(Labels, Double)] = []
            for s in test.expSamples ?? [] {
                expected.append((try parseSeries(s.labels ?? ""), s.value.value))
            }
            if !Self.sameSamples(expected, got) {
                failures.append("    expr: \(quote(test.expr)), time: \(timeText),\n"
                    + "        exp: \(Self.describe(expected))\n        got: \(Self.describe(got))")
            }
        }
        return failures
    }

    /// `metric{a="b"}` or `{a="b"}` as labels.
    func parseSeries(_ text: String) throws -> Labels {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "{}" { return Labels() }
        guard case .vectorSelector(let s) = try PromQLParser.parse(trimmed) else {
            throw RuleTestError("invalid series \(quote(text)): expected a metric name with labels")
        }
        var pairs: [(String, String)] = []
        for m in s.matchers {
            guard m.op == .equal else { throw RuleTestError("invalid series \(quote(text)): only = is allowed") }
            pairs.append((m.name, m.value))
        }
        return Labels(pairs)
    }

    static func sameSamples(_ a: [(Labels, Double)], _ b: [(Labels, Double)]) -> Bool {
        guard a.count == b.count else { return false }
        let x = a.sorted { $0.0 < $1.0 }
        let y = b.sorted { $0.0 < $1.0 }
        for (p, q) in zip(x, y) {
            if p.0 != q.0 || !closeEnough(p.1, q.1) { return false }
        }
        return true
    }

    public static func closeEnough(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        return abs(a - b) <= tolerance * max(abs(a), abs(b))
    }

    static func describe(_ samples: [(Labels, Double)]) -> String {
        samples.sorted { $0.0 < $1.0 }.map { "\(braced($0.0)) \(formatValue($0.1))" }.joined(separator: ", ")
    }

    /// Labels as Prometheus's labels.String() prints them: all in braces, `__name__` included.
    static func braced(_ l: Labels) -> String {
        "{" + l.labels.map { "\($0.name)=\"\($0.value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"" }
            .joined(separator: ", ") + "}"
    }

    /// Go's strconv.FormatFloat(v, 'E', -1, 64), as promtool prints values.
    static func formatValue(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0E+00" : "0E+00" }
        var s = String(format: "%.16E", v)
        // Shortest round-trip mantissa: drop trailing zeros that do not change the value.
        for digits in 0...16 {
            let candidate = String(format: "%.\(digits)E", v)
            if Double(candidate) == v {
                s = candidate
                break
            }
        }
        return s
    }

    private func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
}
