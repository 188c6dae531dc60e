import ConfigYAML
import CtlmonTestSupport
import Foundation
import PromModel
import PromQL
import SeriesStorage
import RuleEngine
import Testing

/// The promtool-format runner: expanding notation and comparison.
@Suite("promtool-format rule tests")
struct RuleTestRunnerTests {
    @Test("expanding notation", arguments: [
        ("1 2 3", [1.0, 2, 3]),
        ("0+10x3", [0, 10, 20, 30]),
        ("10-2x2", [10, 8, 6]),
        ("-2+1x2", [-2, -1, 0]),
        ("1x3", [1, 1, 1, 1]),
        ("1e3 1.5e-1+1e-1x1", [1000, 0.15, 0.25]),
    ])
    func expansion(_ text: String, _ expected: [Double]) throws {
        let values = try SeriesNotation.expand(text)
        #expect(values.count == expected.count)
        for (v, e) in zip(values, expected) { #expect(abs(v! - e) < 1e-12) }
    }

    @Test("a count after x is decimal digits, in _xN as in a+bxN; a step has no sign of its own; a repetition with nothing to repeat is an error, not a crash",
          arguments: ["_x+3", "1+1x+3", "1x-1", "_x-1", "_x1.5", "_x", "1+1x", "x3", "_ x3", "_x99999999999999999999", "1+-1x2", "1++1x2", "1-+1x2"])
    func badRepetitions(_ text: String) {
        #expect(throws: RuleError.self) { try SeriesNotation.expand(text, limit: 100) }
    }

    @Test("rule_files: patterns with and without a folder part are read relative to the test file; one that matches nothing is a warning")
    func ruleFilePatterns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-rule-globs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("more"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func rule(_ name: String) -> String { "groups:\n- name: \(name)\n  rules:\n  - alert: \(name)\n    expr: up == 0\n" }
        try rule("Early").write(to: dir.appendingPathComponent("early.yaml"), atomically: true, encoding: .utf8)
        try rule("Late").write(to: dir.appendingPathComponent("more/late.yml"), atomically: true, encoding: .utf8)
        // Every alert is expected not to fire: each loaded rule file makes its test fail.
        try """
            rule_files: ['e*.yaml', 'more/*.yml', 'nothing*.yaml']
            tests:
              - interval: 1m
                input_series:
                  - series: 'up{job="a"}'
                    values: '0 0'
                alert_rule_test:
                  - {eval_time: 1m, alertname: Early, exp_alerts: []}
                  - {eval_time: 1m, alertname: Late, exp_alerts: []}
            """.write(to: dir.appendingPathComponent("t.yml"), atomically: true, encoding: .utf8)
        let (passed, report, warnings) = RuleTestRunner().run(path: dir.appendingPathComponent("t.yml").path)
        #expect(!passed)
        #expect(report.contains("alertname: Early") && report.contains("alertname: Late"), "\(report)")
        #expect(warnings == ["  WARNING: no file match pattern \(dir.path)/nothing*.yaml"])
        #expect(!report.contains("WARNING"))
    }

    @Test("gaps and staleness markers in the notation")
    func gaps() throws {
        let values = try SeriesNotation.expand("1 _ stale _x2 Inf")
        #expect(values.count == 6)
        #expect(values[0] == 1 && values[1] == nil && values[3] == nil && values[4] == nil && values[5] == .infinity)
        #expect(SeriesStore.isStale(values[2]!))
        #expect(throws: RuleError.self) { try SeriesNotation.expand("1 abc") }
    }

    @Test("a failing expectation is reported with expected and actual samples")
    func failureReport() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-rule-test-\(UUID().uuidString).yml")
        try """
            tests:
              - interval: 1m
                input_series:
                  - series: 'up{job="a"}'
                    values: '1 1 1'
                promql_expr_test:
                  - expr: sum(up)
                    eval_time: 2m
                    exp_samples:
                      - labels: '{}'
                        value: 2
                  - expr: up
                    eval_time: 2m
                    exp_samples:
                      - labels: 'up{job="a"}'
                        value: 1.0000000000001
            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (passed, report, _) = RuleTestRunner().run(path: file.path)
        #expect(!passed)
        #expect(report.contains("FAILED"))
        #expect(report.contains("expr: \"sum(up)\", time: 2m,"))
        #expect(report.contains("exp: {} 2E+00"))
        #expect(report.contains("got: {} 1E+00"))
        // The second test passes: 1e-13 relative difference is within the 1e-9 tolerance.
        #expect(!report.contains("expr: \"up\""))
    }

    @Test("values compare with a relative tolerance of 1e-9, NaN equal to NaN")
    func tolerance() {
        #expect(RuleTestRunner.closeEnough(1, 1 + 1e-10))
        #expect(!RuleTestRunner.closeEnough(1, 1 + 1e-8))
        #expect(RuleTestRunner.closeEnough(.nan, .nan))
        #expect(!RuleTestRunner.closeEnough(.nan, 0))
        #expect(RuleTestRunner.closeEnough(.infinity, .infinity))
    }
}

/// The shipped rules: valid, and their tests (which promtool also runs in CI) pass in ctlmon.
@Suite("shipped rules")
struct ShippedRulesTests {
    static let rulesDir = Fixture.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Rules")

    static let ruleFiles = ((try? FileManager.default.contentsOfDirectory(atPath: rulesDir.path)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.sorted()

    static let testFiles = ((try? FileManager.default.contentsOfDirectory(atPath: rulesDir.appendingPathComponent("tests").path)) ?? [])
        .filter { $0.hasSuffix(".yml") }.sorted()

    @Test("every rule file loads, every rule has a summary, a description and a runbook_url", arguments: ruleFiles)
    func ruleFile(_ name: String) throws {
        let file = try RuleFile.load(path: Self.rulesDir.appendingPathComponent(name).path)
        // As many rules as the file has `- alert:` and `- record:` entries.
        let text = try String(contentsOf: Self.rulesDir.appendingPathComponent(name), encoding: .utf8)
        let entries = text.split(separator: "\n").filter {
            let t = $0.drop { $0 == " " }
            return t.hasPrefix("- alert:") || t.hasPrefix("- record:")
        }
        #expect(file.ruleCount == entries.count && file.ruleCount > 0)
        for group in file.groups {
            for rule in group.rules where rule.kind == .alerting {
                let keys = Set(rule.annotations.map(\.0))
                #expect(keys.isSuperset(of: ["summary", "description", "runbook_url"]), "\(rule.name)")
                #expect(rule.labels.contains { $0.0 == "severity" }, "\(rule.name)")
            }
        }
    }

    @Test("every rule file has a test file, and it passes", arguments: testFiles)
    func ruleTests(_ name: String) {
        let (passed, report, _) = RuleTestRunner().run(path: Self.rulesDir.appendingPathComponent("tests").appendingPathComponent(name).path)
        #expect(passed, "\(report)")
    }

    @Test("multi-cluster: every aggregation groups by cluster and every on(...) match includes it", arguments: ruleFiles)
    func keepsCluster(_ name: String) throws {
        let file = try RuleFile.load(path: Self.rulesDir.appendingPathComponent(name).path)
        for group in file.groups {
            for rule in group.rules {
                rule.expr.visit { e in
                    switch e {
                    case .aggregate(_, _, _, let grouping, let without):
                        #expect(!without && grouping.contains("cluster"), "\(rule.name): an aggregation without cluster: \(rule.exprText)")
                    case .binary(_, let l, let r, let matching?, _) where matching.on && l.type == .vector && r.type == .vector:
                        #expect(matching.labels.contains("cluster"), "\(rule.name): on(...) without cluster: \(rule.exprText)")
                    case .call(let f, _):
                        #expect(f.name != "vector", "\(rule.name): vector() has no cluster label: \(rule.exprText)")
                    default: break
                    }
                }
            }
        }
    }

    @Test("each rule file is tested")
    func coverage() {
        #expect(Self.ruleFiles.count == 7)
        for f in Self.ruleFiles {
            #expect(Self.testFiles.contains(f.replacingOccurrences(of: ".yaml", with: "_test.yml")), "\(f) has no test")
        }
    }
}

extension ShippedRulesTests {
    @Test("the rules compiled into the binary are exactly Rules/*.yaml (run scripts/embed-rules.py after editing)")
    func embeddedMatchFiles() throws {
        #expect(ShippedRules.files.map(\.name) == Self.ruleFiles)
        for (name, yaml) in ShippedRules.files {
            let onDisk = try String(contentsOf: Self.rulesDir.appendingPathComponent(name), encoding: .utf8)
            #expect(yaml + "\n" == onDisk || yaml == onDisk, "\(name) differs from Rules/\(name)")
            #expect((try? RuleFile.parse(yaml, path: name)) != nil)
        }
    }
}

/// Rule files: what loading rejects, with file and line; templates and alert states.
@Suite("rule files")
struct RuleFileTests {
    func problems(_ yaml: String) -> [String] {
        do {
            _ = try RuleFile.parse(yaml, path: "r.yaml")
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test("invalid PromQL, unknown keys, bad durations, duplicates and unknown template functions name file and line")
    func errors() {
        let p = problems("""
            groups:
            - name: a
              rules:
              - alert: X
                expr: sum(rate(x[5m])
              - alert: Y
                expr: up == 0
                for: 5x
              - record: z
                expr: up
                bogus: 1
              - alert: W
                expr: up
                annotations:
                  s: "{{ $value | nosuch }}"
              - alert: V
                expr: up
                labels: {severity: warning}
              - alert: V
                expr: down
                labels: {severity: warning}
            - name: a
              rules: []
            """)
        #expect(p.contains("r.yaml:5: rule \"X\": expr: 1:16: unexpected end of input, expected \")\""))
        #expect(p.contains("r.yaml:8: alert \"Y\" for: bad duration \"5x\" (expected e.g. 30s, 5m, 1h30m)"))
        #expect(p.contains { $0.hasPrefix("r.yaml:11: unknown key \"bogus\" in a rule") })
        #expect(p.contains { $0.hasPrefix("r.yaml:15: rule \"W\": annotation \"s\": template: function \"nosuch\" not defined") })
        #expect(p.contains("r.yaml:22: group name \"a\" is repeated in the file"))
        #expect(problems("groups: [ {name: b, rules: [ {record: 'bad name', expr: up} ]} ]").contains { $0.contains("invalid recording rule name") })
    }

    @Test("a rule defined twice in a group loads, as Prometheus loads it, and is said as a lint finding with both lines")
    func duplicatesAreLint() throws {
        let file = try RuleFile.parse("""
            groups:
            - name: a
              rules:
              - alert: V
                expr: up
                labels: {severity: warning}
              - alert: V
                expr: down
                labels: {severity: warning}
            """, path: "r.yaml")
        #expect(file.ruleCount == 2)
        #expect(file.duplicates == ["r.yaml:7: group \"a\": rule \"V\" with the same labels is defined twice (first at line 4)"])
    }

    @Test("two rules writing one series with different values at one time: promtool's duplicate-sample error ends the group")
    func duplicateSampleEndsGroup() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-dup-sample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The same value twice is no conflict (Prometheus's storage takes it); another is.
        try """
            groups:
            - name: g
              rules:
              - {record: r, expr: vector(1)}
              - {record: r, expr: vector(1)}
              - {record: s, expr: vector(1)}
              - {record: s, expr: vector(2)}
            """.write(to: dir.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8)
        try """
            rule_files: [r.yaml]
            tests:
              - interval: 1m
                input_series: []
                promql_expr_test:
                  - {expr: r, eval_time: 2m, exp_samples: [{labels: 'r', value: 1}]}
            """.write(to: dir.appendingPathComponent("t.yml"), atomically: true, encoding: .utf8)
        let (passed, report, _) = RuleTestRunner().run(path: dir.appendingPathComponent("t.yml").path)
        #expect(!passed)
        #expect(report.hasSuffix("  FAILED:\n    rule: s, time: 0s, err: duplicate sample for timestamp\n"), "\(report)")
    }

    @Test("the same alert name with other labels is allowed (warning and critical levels)")
    func sameNameOtherLabels() {
        #expect(problems("""
            groups:
            - name: a
              rules:
              - {alert: X, expr: up > 1, labels: {severity: warning}}
              - {alert: X, expr: up > 2, labels: {severity: critical}}
            """).isEmpty)
    }

    @Test("templates expand like Prometheus's", arguments: [
        ("{{ $value | humanize }}", 1234567.0, "1.235M"),
        ("{{ humanize $value }}", 0.000123, "123u"),
        ("{{ $value | humanize1024 }}", 1073741824.0, "1Gi"),
        ("{{ $value | humanizePercentage }}", 0.8123, "81.23%"),
        ("{{ $value | humanizeDuration }}", 90061.0, "1d 1h 1m 1s"),
        ("{{ $value | humanizeDuration }}", 0.25, "250ms"),
        ("{{ printf \"%.1f\" $value }}", 2.25, "2.2"),
        ("{{ $labels.job | toUpper }}-{{ $labels.job | title }}", 0.0, "API-Api"),
        ("{{ reReplaceAll \"(.*)-api\" \"$1\" $labels.svc }}", 0.0, "kube"),
        ("{{- $value }} v", 3.0, "3 v"),
        ("a {{ $externalLabels.cluster }}", 0.0, "a prod"),
    ])
    func templates(_ source: String, _ value: Double, _ expected: String) throws {
        let t = try Template(source)
        let data = Template.Data(labels: ["job": "api", "svc": "kube-api"], externalLabels: ["cluster": "prod"], value: value)
        #expect(t.expand(data) == expected)
    }

    @Test("the alert-state test file agrees with promtool (for, keep_firing_for, ALERTS, ALERTS_FOR_STATE, staleness)")
    func alertStates() {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("promtool/alerts_test.yml").path
        let (passed, report, _) = RuleTestRunner().run(path: path)
        #expect(passed, "\(report)")
    }
}
