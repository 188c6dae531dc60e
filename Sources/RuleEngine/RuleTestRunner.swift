import LabelMatchers
import ConfigYAML
import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage

/// Runs promtool-format unit tests with promtool's semantics and output.
///
/// Each test group loads its input series (one value per `interval`, from time 0)
/// and evaluates every `promql_expr_test` at its `eval_time` as an instant query.
/// Expected and actual samples are compared as sets, values with a relative
/// tolerance of 1e-9 (NaN equals NaN).
package struct RuleTestRunner {
    /// The relative tolerance of a value comparison (promtool's `epsilon`).
    package static let tolerance = 1e-9

    /// A runner (it keeps nothing between files).
    package init() {}

    /// Most rule evaluations one test group may ask for (its last eval_time over the
    /// evaluation interval): far above real tests, and a bound on time.
    package static let maxEvaluations: Int64 = 1_000_000
    /// Most samples one input series may load (its values up to the last eval_time).
    package static let maxSamplesPerSeries = 1_000_000

    /// Runs the file; returns whether every test passed, the report (promtool's layout), and
    /// the warnings promtool prints on standard error (a `rule_files` pattern that matches nothing).
    package func run(path: String) -> (passed: Bool, report: String, warnings: [String]) {
        let report = "Unit Testing:  \(path)\n"
        let file: RuleTestFile
        do {
            file = try RuleTestFile.load(path: path)
        } catch {
            return (false, report + "  FAILED:\n" + error.description.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n") + "\n", [])
        }
        var warnings: [String] = []
        // Rule files are relative to the test file, as promtool reads them.
        let directory = FilePaths.directory(of: path)
        var groups: [RuleGroup] = []
        var loadErrors: [String] = []
        // A file two patterns match is read once: promtool keys the groups it loads by file.
        var loaded: Set<String> = []
        for pattern in file.ruleFiles {
            let full = FilePaths.clean(pattern.hasPrefix("/") ? pattern : FilePaths.join(directory, pattern))
            let rulePaths: [String]
            do {
                rulePaths = try FileGlob.expand(full)
            } catch {
                loadErrors.append("    \(error)")
                continue
            }
            // As promtool: a pattern that matches nothing is said, and the tests run without it.
            if rulePaths.isEmpty { warnings.append("  WARNING: no file match pattern \(full)") }
            for rulePath in rulePaths where loaded.insert(FilePaths.clean(rulePath)).inserted {
                do {
                    groups += try RuleFile.load(path: rulePath).groups
                } catch {
                    loadErrors.append("    \(error)")
                }
            }
        }
        if !loadErrors.isEmpty { return (false, report + "  FAILED:\n" + loadErrors.joined(separator: "\n") + "\n", warnings) }
        var failures: [String] = []
        for (index, group) in file.tests.enumerated() {
            do {
                failures += try runGroup(group, rules: groups, evaluationInterval: file.evaluationInterval)
            } catch {
                failures.append("    \(path):\(group.line): group \(group.name ?? String(index)): \(error)")
            }
        }
        if failures.isEmpty { return (true, report + "  SUCCESS\n", warnings) }
        return (false, report + "  FAILED:\n" + failures.joined(separator: "\n") + "\n", warnings)
    }

    /// Runs one test group: its inputs loaded, its rules evaluated at every interval with the
    /// alert tests checked as they come due, then its expression tests; the failures, worded
    /// as promtool words them.
    private func runGroup(_ group: RuleTestFile.TestGroup, rules: [RuleGroup], evaluationInterval: Int64) throws -> [String] {
        let interval = group.interval ?? evaluationInterval
        // Rules run at every evaluation interval from 0 to the last eval_time; an alert test at
        // eval_time e is checked after the evaluation at the tick t with t <= e < t + interval.
        let alertTests = group.alertRuleTest.map { ($0.evalTime, $0) }.sorted { $0.0 < $1.0 }
        let exprTimes = group.promqlExprTest.map(\.evalTime)
        let end = (alertTests.map(\.0) + exprTimes).max() ?? 0
        if (!rules.isEmpty || !alertTests.isEmpty) && end / evaluationInterval > Self.maxEvaluations {
            throw RuleError(.testFile, "the last eval_time \(PromDuration.format(end)) at an evaluation interval of "
                + "\(PromDuration.format(evaluationInterval)) means more than \(Self.maxEvaluations) rule evaluations")
        }
        if end / interval >= Int64(Self.maxSamplesPerSeries) {
            throw RuleError(.testFile, "the last eval_time \(PromDuration.format(end)) at an input interval of \(PromDuration.format(interval)) "
                + "means more than \(Self.maxSamplesPerSeries) samples per input series")
        }
        let store = try loadInputs(group, interval: interval, evaluationInterval: evaluationInterval, end: end)
        var failures: [String] = []
        if !rules.isEmpty || !alertTests.isEmpty {
            let evaluator = RuleEvaluator(
                groups: rules, store: store, externalLabels: group.externalLabels, evaluationInterval: evaluationInterval)
            var next = 0
            var t: Int64 = 0
            while t <= end {
                evaluator.evaluate(at: t)
                // As promtool: a rule that failed ends the group's testing, worded so.
                if !evaluator.errors.isEmpty {
                    for e in evaluator.errors {
                        failures.append("    rule: \(e.rule ?? ""), time: \(PromDuration.goFormat(t)), err: \(e.message)")
                    }
                    return failures
                }
                while next < alertTests.count && alertTests[next].0 >= t && alertTests[next].0 < t + evaluationInterval {
                    if let failure = checkAlerts(alertTests[next].1, at: alertTests[next].0, evaluator) { failures.append(failure) }
                    next += 1
                }
                t += evaluationInterval
            }
        }
        for test in group.promqlExprTest {
            if let failure = try checkExpression(test, store, evaluationInterval: evaluationInterval) { failures.append(failure) }
        }
        return failures
    }

    /// The group's input series in a store, loaded as promtool loads them.
    ///
    /// promtool loads the input samples as its rule evaluations advance: at every tick of
    /// the evaluation interval up to the last eval_time, the samples up to that tick. So
    /// nothing after the last tick is ever visible (not even to `offset -5m`), and series
    /// are created in the order of the tick that first loads them, which is the order a
    /// selector returns them in (and decides, for instance, which of equal values topk keeps).
    private func loadInputs(_ group: RuleTestFile.TestGroup, interval: Int64, evaluationInterval: Int64, end: Int64) throws -> SeriesStore {
        let lastTick = end - end % evaluationInterval
        var inputs: [(firstTick: Int64, labels: Labels, times: [Int64], values: [Double])] = []
        for input in group.inputSeries {
            let labels = try parseSeries(input.series)
            var times: [Int64] = []
            var values: [Double] = []
            for (i, v) in try SeriesNotation.expand(input.values, limit: Int(lastTick / interval) + 1).enumerated() {
                let t = Int64(i) * interval
                if t > lastTick { break }
                if let v {
                    times.append(t)
                    values.append(v)
                }
            }
            guard let first = times.first else { continue }
            let firstTick = (first + evaluationInterval - 1) / evaluationInterval * evaluationInterval
            inputs.append((firstTick, labels, times, values))
        }
        let store = SeriesStore()
        for input in inputs.enumerated().sorted(by: { ($0.element.firstTick, $0.offset) < ($1.element.firstTick, $1.offset) }) {
            store.append(input.element.labels, timestamps: input.element.times, values: input.element.values)
        }
        return store
    }

    /// One `promql_expr_test`: the expression at its eval_time against the expected samples,
    /// as promtool prints a failure; nil when it passes.
    private func checkExpression(_ test: RuleTestFile.ExprTest, _ store: SeriesStore, evaluationInterval: Int64) throws -> String? {
        let evalTime = test.evalTime
        let evaluator = Evaluator(store: store)
        evaluator.defaultSubqueryStep = evaluationInterval
        let timeText = PromDuration.format(evalTime)
        let got: [(Labels, Double)]
        do {
            let expr = try PromQLParser.parse(test.expr)
            switch try evaluator.evaluate(expr, at: evalTime) {
            case .vector(let v): got = v.map { ($0.labels, $0.value) }
            case .scalar(let s, _): got = [(Labels(), s)]
            default:
                return "    expr: \(quoted(test.expr)), time: \(timeText), err: range vector or string result is not supported"
            }
        } catch {
            return "    expr: \(quoted(test.expr)), time: \(timeText), err: \(error)"
        }
        var expected: [(Labels, Double)] = []
        for s in test.expSamples {
            expected.append((try parseSeries(s.labels), s.value))
        }
        guard !Self.sameSamples(expected, got) else { return nil }
        return "    expr: \(quoted(test.expr)), time: \(timeText),\n"
            + "        exp: \(Self.describe(expected))\n        got: \(Self.describe(got))"
    }

    /// Compares the firing alerts of one alert name with the expected ones (labels and annotations exactly).
    private func checkAlerts(_ test: RuleTestFile.AlertTest, at time: Int64, _ evaluator: RuleEvaluator) -> String? {
        typealias Alert = (labels: [String: String], annotations: [String: String])
        let got: [Alert] = evaluator.alerts(named: test.alertname).filter { $0.state == .firing }.map { a in
            (Dictionary(uniqueKeysWithValues: a.labels.labels.map { ($0.name, $0.value) }), a.annotations)
        }
        let expected: [Alert] = test.expAlerts.map { e in
            var labels = e.expLabels
            labels["alertname"] = test.alertname
            return (labels, e.expAnnotations)
        }
        func key(_ a: Alert) -> String {
            a.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "|"
                + a.annotations.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
        if got.map(key).sorted() == expected.map(key).sorted() { return nil }
        func show(_ alerts: [Alert]) -> String {
            if alerts.isEmpty { return "[]" }
            return "[\n" + alerts.sorted { key($0) < key($1) }.enumerated().map { i, a in
                "            \(i):\n              Labels:\(Self.braced(Labels(a.labels)))\n"
                    + "              Annotations:\(Self.braced(Labels(a.annotations)))"
            }.joined(separator: ",\n") + "\n            ]"  // promtool: a comma after each alert but the last
        }
        return "    alertname: \(test.alertname), time: \(PromDuration.format(time)), \n        exp:\(show(expected)), \n        got:\(show(got))"
    }

    /// `metric{a="b"}` or `{a="b"}` as labels.
    func parseSeries(_ text: String) throws -> Labels {
        let trimmed = text.trimmingWhitespace(newlines: false)
        if trimmed.isEmpty || trimmed == "{}" { return Labels() }
        guard case .vectorSelector(let s) = try PromQLParser.parse(trimmed) else {
            throw RuleError(.testFile, "invalid series \(quoted(text)): expected a metric name with labels")
        }
        var pairs: [(String, String)] = []
        for m in s.matchers {
            guard m.op == .equal else { throw RuleError(.testFile, "invalid series \(quoted(text)): only = is allowed") }
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

    /// Whether an expected and an actual value agree: equal, within ``tolerance`` relative
    /// to the larger, or both NaN.
    package static func closeEnough(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        return abs(a - b) <= tolerance * max(abs(a), abs(b))
    }

    /// Samples as promtool prints them: `{a="1"} 1E+00, …`, or `nil` for none.
    static func describe(_ samples: [(Labels, Double)]) -> String {
        if samples.isEmpty { return "nil" }
        return samples.sorted { $0.0 < $1.0 }.map { "\(braced($0.0)) \(GoFloat.formatExponent($0.1))" }.joined(separator: ", ")
    }

    /// Labels as Prometheus's labels.String() prints them: all in braces, `__name__` included.
    static func braced(_ l: Labels) -> String {
        "{" + l.labels.map { "\($0.name)=\(quoted($0.value))" }.joined(separator: ", ") + "}"
    }

}
