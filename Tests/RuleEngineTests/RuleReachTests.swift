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
