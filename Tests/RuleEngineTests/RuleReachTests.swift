import PromQL
import RuleEngine
import Testing

/// How far back the rules read each metric: what the sidecar keeps of it.
@Suite("rule reach")
struct RuleReachTests {
    static let text = """
        groups:
          - name: g
            rules:
              - record: job:growth:4h
                expr: deriv(etcd_mvcc_db_total_size_in_bytes[4h] offset 10m)
              - alert: Slow
                expr: max_over_time(rate(apiserver_request_duration_seconds_count[5m])[30m:1m]) > 1
              - alert: Up
                expr: up == 0
        """

    @Test("each metric is read back as far as its longest range, offsets and enclosing subqueries included; at least the 5-minute lookback")
    func perMetric() throws {
        let file = try RuleFile.parse(Self.text, path: "r.yml")
        let reach = RuleGroup.reach(file.groups)
        let minute: Int64 = 60_000
        #expect(reach.byName["etcd_mvcc_db_total_size_in_bytes"] == 250 * minute)
        #expect(reach.byName["apiserver_request_duration_seconds_count"] == 35 * minute)
        #expect(reach.byName["up"] == 5 * minute)
        #expect(reach.unnamed == nil)
        #expect(RuleGroup.longestRange(file.groups) == 250 * minute)
    }

    @Test("a selector without a metric name reaches every series")
    func unnamed() throws {
        let file = try RuleFile.parse("""
            groups:
              - name: g
                rules:
                  - alert: Any
                    expr: count(count_over_time({job="etcd"}[1h])) == 0
            """, path: "r.yml")
        let reach = RuleGroup.reach(file.groups)
        #expect(reach.unnamed == 60 * 60_000 && reach.byName.isEmpty)
    }
}

/// The one reach walker (`Expr.selectorReaches`) behind retention and the one-shot history.
@Suite("selector reach")
struct SelectorReachTests {
    static func reaches(_ text: String) throws -> [String: Int64] {
        Dictionary(try PromQLParser.parse(text).selectorReaches.map { ($0.selector.name ?? "", $0.back) }, uniquingKeysWith: max)
    }

    @Test("a negative offset reads after the evaluation time: it shortens the reach, never below zero")
    func negativeOffsets() throws {
        let minute: Int64 = 60_000
        #expect(try Self.reaches("rate(a[10m] offset -5m)") == ["a": 5 * minute])
        #expect(try Self.reaches("b offset -10m") == ["b": 0])
        #expect(try Self.reaches("max_over_time(rate(c[5m])[30m:1m] offset -10m)") == ["c": 25 * minute])
        #expect(try Self.reaches("rate(d[5m] offset 1h)") == ["d": 65 * minute])
        // Retention keeps at least the lookback, whatever the offset.
        let file = try RuleFile.parse("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: rate(a[10m] offset -5m) + b offset -10m\n", path: "r.yml")
        let reach = RuleGroup.reach(file.groups)
        #expect(reach.byName["a"] == 5 * minute && reach.byName["b"] == 5 * minute)
    }

    @Test("the longest ranges and offsets PromQL allows add up exactly, nested in subqueries")
    func longest() throws {
        let year: Int64 = 365 * 24 * 3_600_000
        let r = try Self.reaches("max_over_time(max_over_time(x[290y] offset 290y)[290y:1d] offset 290y)")
        #expect(r["x"] == 4 * 290 * year)
    }
}
