import ConfigYAML
import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage

/// A promtool unit-test file (`promtool test rules` format), read strictly: unknown or
/// repeated keys, values of the wrong kind and bad durations are errors with their line.
package struct RuleTestFile: Sendable {
    /// `rule_files`: paths or globs (`*` in the last component), relative to the test file as
    /// promtool reads them.
    package var ruleFiles: [String]
    /// Milliseconds; 0 or absent means one minute, as in promtool.
    package var evaluationInterval: Int64
    /// `group_eval_order`, checked for repeated names but not applied: groups are evaluated in
    /// the order their rule files give them.
    package var groupEvalOrder: [String]
    /// `tests`: the test groups, each run on its own input series.
    package var tests: [TestGroup]

    /// One entry of `tests`: input series, and the queries and alerts checked against them.
    package struct TestGroup: Sendable {
        /// `name`; failures name an unnamed group by its index.
        package var name: String?
        /// Milliseconds between input samples; nil: the evaluation interval.
        package var interval: Int64?
        /// `input_series`, loaded from time 0 at one value per ``interval``.
        package var inputSeries: [InputSeries]
        /// `promql_expr_test`: instant queries and the samples they must return.
        package var promqlExprTest: [ExprTest]
        /// `alert_rule_test`: the alerts expected firing at given times.
        package var alertRuleTest: [AlertTest]
        /// `external_labels`: what the rules' templates read as `$externalLabels`.
        package var externalLabels: [String: String]
        /// `external_url`, accepted as promtool accepts it but unused (templates have no `$externalURL`).
        package var externalURL: String?
        /// The group's line in the test file, for messages.
        package var line: Int
    }

    /// One `input_series` entry.
    package struct InputSeries: Sendable {
        /// `series`: `metric{label="value"}` or `{label="value"}`.
        package var series: String
        /// `values` in promtool's expanding notation (``SeriesNotation``), one per interval.
        package var values: String
        /// The entry's line in the test file.
        package var line: Int
    }

    /// One `promql_expr_test`: an instant query and the samples it must return, compared as sets.
    package struct ExprTest: Sendable {
        /// `expr`: the PromQL query.
        package var expr: String
        /// Milliseconds.
        package var evalTime: Int64
        /// `exp_samples`: the whole expected result (none: the query must return nothing).
        package var expSamples: [ExpectedSample]
    }

    /// One `exp_samples` entry.
    package struct ExpectedSample: Sendable {
        /// `labels`: the series as `metric{label="value"}` text; empty for a result without labels.
        package var labels: String
        /// `value`, compared with a relative tolerance of 1e-9 (NaN equals NaN).
        package var value: Double
    }

    /// One `alert_rule_test`: the alerts of one name that must be firing at `eval_time`.
    package struct AlertTest: Sendable {
        /// Milliseconds.
        package var evalTime: Int64
        /// `alertname`: the alerting rule's name.
        package var alertname: String
        /// `exp_alerts`: exactly the firing alerts expected (none: the alert must not fire).
        package var expAlerts: [ExpectedAlert]
    }

    /// One `exp_alerts` entry, compared exactly with a firing alert.
    package struct ExpectedAlert: Sendable {
        /// `exp_labels`, without `alertname` (the runner adds it).
        package var expLabels: [String: String]
        /// `exp_annotations`: every annotation of the alert, expanded.
        package var expAnnotations: [String: String]
    }

    /// Reads and validates a test file; every problem is `path:line: message`.
    package static func load(path: String) throws(ConfigFileError) -> RuleTestFile {
        try parse(try StrictYAML.read(path: path), path: path)
    }

    /// Parses and validates test-file YAML; `path` names it in problems, all collected before
    /// throwing.
    package static func parse(_ text: String, path: String) throws(ConfigFileError) -> RuleTestFile {
        let root = try StrictYAML.compose(text, path: path)
        var yaml = StrictYAML(path: path)
        var file = RuleTestFile(ruleFiles: [], evaluationInterval: 60_000, groupEvalOrder: [], tests: [])
        guard let root, let m = yaml.mapping(
            root, allowed: ["rule_files", "evaluation_interval", "group_eval_order", "tests"], in: "the test file")
        else {
            if root == nil { throw ConfigFileError(path, [(0, "empty test file")]) }
            throw ConfigFileError(path, yaml.problems)
        }
        file.ruleFiles = yaml.strings(m["rule_files"], "rule_files")
        if let interval = yaml.duration(m["evaluation_interval"], "evaluation_interval"), interval > 0 {
            file.evaluationInterval = interval
        }
        file.groupEvalOrder = yaml.strings(m["group_eval_order"], "group_eval_order")
        var order = Set<String>()
        for name in file.groupEvalOrder where !order.insert(name).inserted {
            yaml.problem(m["group_eval_order"], "group name repeated in evaluation order: \(name)")
        }
        for g in yaml.sequence(m["tests"], "tests") {
            if let group = testGroup(g, &yaml) { file.tests.append(group) }
        }
        if !yaml.problems.isEmpty { throw ConfigFileError(path, yaml.problems) }
        return file
    }

    private static func testGroup(_ node: YAMLNode, _ yaml: inout StrictYAML) -> TestGroup? {
        guard let m = yaml.mapping(
            node,
            allowed: ["name", "interval", "input_series", "promql_expr_test", "alert_rule_test", "external_labels", "external_url"],
            in: "a test group")
        else { return nil }
        var group = TestGroup(
            name: yaml.string(m["name"], "name"), interval: yaml.duration(m["interval"], "interval"), inputSeries: [],
            promqlExprTest: [], alertRuleTest: [], externalLabels: [:], externalURL: yaml.string(m["external_url"], "external_url"),
            line: node.mark.line)
        if group.interval == 0 { yaml.problem(m["interval"], "interval must be positive") }
        for s in yaml.sequence(m["input_series"], "input_series") {
            guard let sm = yaml.mapping(s, allowed: ["series", "values"], in: "an input series") else { continue }
            guard let series = yaml.string(sm["series"], "series"), let values = yaml.string(sm["values"], "values") else {
                if sm["series"] == nil || sm["values"] == nil { yaml.problem(s, "an input series needs series and values") }
                continue
            }
            group.inputSeries.append(InputSeries(series: series, values: values, line: s.mark.line))
        }
        for t in yaml.sequence(m["promql_expr_test"], "promql_expr_test") {
            guard let tm = yaml.mapping(t, allowed: ["expr", "eval_time", "exp_samples"], in: "a promql_expr_test") else { continue }
            guard let expr = yaml.string(tm["expr"], "expr") else {
                if tm["expr"] == nil { yaml.problem(t, "a promql_expr_test needs expr") }
                continue
            }
            var test = ExprTest(expr: expr, evalTime: yaml.duration(tm["eval_time"], "eval_time") ?? 0, expSamples: [])
            for e in yaml.sequence(tm["exp_samples"], "exp_samples") {
                guard let em = yaml.mapping(e, allowed: ["labels", "value"], in: "an expected sample") else { continue }
                let labels = yaml.string(em["labels"], "labels") ?? ""
                guard let valueNode = em["value"], let text = yaml.string(valueNode, "value") else {
                    if em["value"] == nil { yaml.problem(e, "an expected sample needs a value") }
                    continue
                }
                guard let value = SeriesNotation.number(text.trimmingWhitespace(newlines: false)) ?? valueNode.float else {
                    yaml.problem(valueNode, "value: not a number: \(text)")
                    continue
                }
                test.expSamples.append(ExpectedSample(labels: labels, value: value))
            }
            group.promqlExprTest.append(test)
        }
        for t in yaml.sequence(m["alert_rule_test"], "alert_rule_test") {
            guard let tm = yaml.mapping(t, allowed: ["eval_time", "alertname", "exp_alerts"], in: "an alert_rule_test") else { continue }
            guard let alertname = yaml.string(tm["alertname"], "alertname"), !alertname.isEmpty else {
                yaml.problem(t, "an item under alert_rule_test misses required attribute alertname")
                continue
            }
            var test = AlertTest(evalTime: yaml.duration(tm["eval_time"], "eval_time") ?? 0, alertname: alertname, expAlerts: [])
            for a in yaml.sequence(tm["exp_alerts"], "exp_alerts") {
                guard let am = yaml.mapping(a, allowed: ["exp_labels", "exp_annotations"], in: "an expected alert") else { continue }
                test.expAlerts.append(ExpectedAlert(
                    expLabels: Dictionary(yaml.stringMap(am["exp_labels"], "exp_labels").map { ($0.key, $0.value) }) { a, _ in a },
                    expAnnotations: Dictionary(yaml.stringMap(am["exp_annotations"], "exp_annotations").map { ($0.key, $0.value) }) { a, _ in a }))
            }
            group.alertRuleTest.append(test)
        }
        group.externalLabels = Dictionary(yaml.stringMap(m["external_labels"], "external_labels").map { ($0.key, $0.value) }) { a, _ in a }
        return group
    }
}
