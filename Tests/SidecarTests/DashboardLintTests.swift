import CtlmonTestSupport
import Foundation
import LabelMatchers
import PromText
import PromQL
import RuleEngine
import Sidecar
import Testing

/// The shipped dashboards checked as Grafana would run them, without Grafana: the lint rules of
/// grafana/dashboard-linter (template-datasource, panel-datasource, panel-title-description,
/// panel-units, panel-no-targets, target-promql, target-rate-interval, target-counter-agg) and
/// ours (a `cluster` matcher on every selector, no rate of a gauge, etcd sizes under `max`, no
/// WATCH in latency). Each rule is shown to catch a dashboard that breaks it.
@Suite("dashboard lint")
struct DashboardLintTests {
    typealias JSON = [String: Any]

    static let folder = packageRoot.appendingPathComponent("Dashboards")
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()

    static func dashboard(_ file: String) throws -> JSON {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(file))) as? JSON)
    }

    /// Grafana's unit ids the dashboards may use (a subset of Grafana's list).
    static let units: Set<String> = ["short", "none", "percent", "percentunit", "s", "ms", "m", "h", "d", "dtdurations", "bytes", "decbytes", "reqps", "ops", "rps", "wps", "Bps", "binBps"]

    /// Counters and gauges by metric name: the `# TYPE` lines of every fixture scrape (a
    /// histogram's or summary's `_bucket`, `_count`, `_sum` count as counters); recorded series
    /// (`a:b:c`), `ALERTS` and ctlmon's info series are gauges; the few metrics of versions the
    /// fixtures lack are named here.
    static let types: [String: String] = {
        var out: [String: String] = [
            "ALERTS": "gauge", "ctlmon_webhook_config_info": "gauge", "etcd_object_counts": "gauge",
            "apiserver_longrunning_gauge": "gauge", "apiserver_storage_db_total_size_in_bytes": "gauge",
            "etcd_db_total_size_in_bytes": "gauge", "apiserver_flowcontrol_rejected_requests_total": "counter",
        ]
        for file in Fixture.scrapes + ["synthetic/apiserver-1.35-with-webhooks.txt.gz"] {
            guard let text = try? Fixture.text(file) else { continue }
            for line in String(decoding: text, as: UTF8.self).split(separator: "\n") where line.hasPrefix("# TYPE ") {
                let f = line.split(separator: " ")
                guard f.count >= 4 else { continue }
                let name = String(f[2])
                switch f[3] {
                case "counter": out[name] = "counter"
                case "gauge": out[name] = "gauge"
                case "histogram":
                    for s in ["_bucket", "_count", "_sum"] { out[name + s] = "counter" }
                case "summary":
                    for s in ["_count", "_sum"] { out[name + s] = "counter" }
                    out[name] = "gauge"
                default: break
                }
            }
        }
        return out
    }()

    static let rateFunctions: Set<String> = ["rate", "irate", "increase"]
    static let etcdSizes: Set<String> = ["apiserver_storage_size_bytes", "apiserver_storage_db_total_size_in_bytes", "etcd_db_total_size_in_bytes", "etcd_mvcc_db_total_size_in_bytes"]
    static let latencyHistograms: Set<String> = ["apiserver_request_duration_seconds_bucket", "apiserver_request_sli_duration_seconds_bucket", "apiserver_request_slo_duration_seconds_bucket"]
    /// Stand-ins for the variables, recognisable after parsing.
    static let clusterSentinel = "CLUSTER_VARIABLE", rateSentinel: Int64 = 7_777_000

    /// Every selector of `expr` with what encloses it: rated (the range of rate/irate/increase)
    /// and the aggregation right around it.
    static func selectors(_ expr: Expr) -> [(selector: VectorSelector, rated: Bool, range: Int64?, aggregation: AggregationOperator?)] {
        var out: [(VectorSelector, Bool, Int64?, AggregationOperator?)] = []
        func walk(_ e: Expr, rated: Bool, aggregation: AggregationOperator?) {
            switch e {
            case .vectorSelector(let s): out.append((s, rated, nil, aggregation))
            case .matrixSelector(let s, let range): out.append((s, rated, range, aggregation))
            case .subquery(let inner, _, _, _, _): walk(inner, rated: false, aggregation: nil)
            case .unary(_, let inner), .parens(let inner): walk(inner, rated: rated, aggregation: aggregation)
            case .binary(_, let l, let r, _, _):
                walk(l, rated: false, aggregation: nil)
                walk(r, rated: false, aggregation: nil)
            case .aggregate(let op, let inner, let parameter, _, _):
                walk(inner, rated: false, aggregation: op)
                if let parameter { walk(parameter, rated: false, aggregation: nil) }
            case .call(let f, let args):
                for a in args { walk(a, rated: rateFunctions.contains(f.name), aggregation: nil) }
            case .number, .string: break
            }
        }
        walk(expr, rated: false, aggregation: nil)
        return out
    }

    /// The problems of one query (its Grafana text), each with the rule's name.
    static func problems(query raw: String) -> [String] {
        var out: [String] = []
        let expanded = DashboardQuery.expand(raw, rateInterval: "7777s", cluster: clusterSentinel)
        let expr: Expr
        do { expr = try PromQLParser.parse(expanded) } catch { return ["target-promql: \(error)"] }
        for (s, rated, range, aggregation) in selectors(expr) {
            let name = s.name ?? "{…}"
            if !s.matchers.contains(where: { $0.name == "cluster" && $0.op == .regexMatch && $0.value == clusterSentinel }) {
                out.append("cluster-matcher: \(name) has no cluster=~\"$cluster\"")
            }
            let type = types[name] ?? (name.contains(":") ? "gauge" : nil)
            if type == nil { out.append("metric-type: \(name) is in no fixture's # TYPE: counter or gauge?") }
            if rated {
                if range != rateSentinel { out.append("target-rate-interval: the range of \(name) is not $__rate_interval") }
                if type == "gauge" { out.append("no-rate-on-gauge: \(name) is a gauge") }
            } else if type == "counter" {
                out.append("target-counter-agg: the counter \(name) is read without rate/irate/increase")
            }
            if etcdSizes.contains(name) && aggregation != .max {
                out.append("etcd-size-max: \(name) is not aggregated with max")
            }
            if latencyHistograms.contains(name) {
                let verbs = s.matchers.filter { $0.name == "verb" }
                for verb in ["WATCH", "CONNECT"] where verbs.allSatisfy({ $0.matches(verb) }) {
                    out.append("no-watch-in-latency: \(name) includes \(verb)")
                }
            }
        }
        return out
    }

    /// The problems of a dashboard, each with the rule's name and the panel's title.
    static func problems(_ d: JSON) -> [String] {
        var out: [String] = []
        let schema = d["schemaVersion"] as? Int ?? 0
        if !(39...41).contains(schema) { out.append("schema-version: \(schema), not 39-41") }
        let inputs = d["__inputs"] as? [JSON] ?? []
        if !inputs.contains(where: { $0["type"] as? String == "datasource" && $0["pluginId"] as? String == "prometheus" }) {
            out.append("inputs: no __inputs entry for a Prometheus data source")
        }
        let variables = (d["templating"] as? JSON)?["list"] as? [JSON] ?? []
        if !variables.contains(where: { $0["name"] as? String == "datasource" && $0["type"] as? String == "datasource" && $0["query"] as? String == "prometheus" }) {
            out.append("template-datasource: no datasource variable of type datasource for prometheus")
        }
        for v in ["cluster", "instance"] where !variables.contains(where: { $0["name"] as? String == v && $0["type"] as? String == "query" }) {
            out.append("template-\(v): no \(v) variable")
        }
        for v in variables where v["type"] as? String == "query" {
            if ((v["datasource"] as? JSON)?["uid"] as? String) != "${datasource}" { out.append("template-datasource: variable \(v["name"] ?? "") does not use ${datasource}") }
        }
        var ids: Set<Int> = []
        for p in d["panels"] as? [JSON] ?? [] where p["type"] as? String != "row" {
            let title = p["title"] as? String ?? ""
            let id = p["id"] as? Int ?? 0
            if !ids.insert(id).inserted { out.append("panel-id: \(id) twice") }
            if title.isEmpty || (p["description"] as? String ?? "").isEmpty { out.append("panel-title-description: \"\(title)\"") }
            if ((p["datasource"] as? JSON)?["uid"] as? String) != "${datasource}" { out.append("panel-datasource: \"\(title)\"") }
            let unit = ((p["fieldConfig"] as? JSON)?["defaults"] as? JSON)?["unit"] as? String ?? ""
            if !units.contains(unit) { out.append("panel-units: \"\(title)\" has unit \"\(unit)\"") }
            let targets = p["targets"] as? [JSON] ?? []
            if targets.isEmpty { out.append("panel-no-targets: \"\(title)\"") }
            for t in targets {
                if ((t["datasource"] as? JSON)?["uid"] as? String) != "${datasource}" { out.append("panel-datasource: \"\(title)\" target") }
                out += problems(query: t["expr"] as? String ?? "").map { "\($0) (\"\(title)\")" }
            }
            if let grid = p["gridPos"] as? JSON, (grid["x"] as? Int ?? 0) + (grid["w"] as? Int ?? 0) > 24 { out.append("grid: \"\(title)\" wider than 24") }
        }
        return out
    }

    @Test("the committed dashboards, docs/dashboards.md and ShippedDashboards.swift are what scripts/dashboards.py writes")
    func generatedFilesAreCurrent() throws {
        let p = try ManagedProcess("python3", [packageRoot.appendingPathComponent("scripts/dashboards.py").path, "--check"])
        let status = p.waitForExit(timeout: 60)
        #expect(status == 0, "\(p.printed)")
        #expect(Self.files.count == 5)
    }

    @Test("the queries compiled into ctlmon are exactly the dashboards' targets, and every one parses", arguments: files)
    func compiledQueriesMatchTheJSON(_ file: String) throws {
        let d = try Self.dashboard(file)
        let targets = (d["panels"] as? [JSON] ?? []).flatMap { ($0["targets"] as? [JSON]) ?? [] }.compactMap { $0["expr"] as? String }
        #expect(targets == ShippedDashboards.queries.filter { $0.file == file }.map(\.expr))
        #expect(DashboardQuery.expressions.count == ShippedDashboards.queries.count)
    }

    @Test("every shipped dashboard passes dashboard-linter's rules and ours", arguments: files)
    func shippedDashboardsPassTheLint(_ file: String) throws {
        let problems = Self.problems(try Self.dashboard(file))
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("each lint rule catches a query that breaks it", arguments: [
        (#"sum(rate(apiserver_request_total{cluster=~"$cluster"}[5m]))"#, "target-rate-interval"),
        (#"sum(rate(apiserver_request_total[$__rate_interval]))"#, "cluster-matcher"),
        (#"sum(rate(workqueue_depth{cluster=~"$cluster"}[$__rate_interval]))"#, "no-rate-on-gauge"),
        (#"sum(apiserver_request_total{cluster=~"$cluster"})"#, "target-counter-agg"),
        (#"sum by (cluster) (apiserver_storage_size_bytes{cluster=~"$cluster"})"#, "etcd-size-max"),
        (#"histogram_quantile(0.99, sum by (le) (rate(apiserver_request_duration_seconds_bucket{cluster=~"$cluster", verb!~"CONNECT"}[$__rate_interval])))"#, "no-watch-in-latency"),
        (#"histogram_quantile(0.99, sum by (le) (rate(apiserver_request_duration_seconds_bucket{cluster=~"$cluster"}[$__rate_interval])))"#, "no-watch-in-latency"),
        (#"sum(rate(apiserver_request_total{cluster=~"$cluster"}[$__rate_interval])"#, "target-promql"),
        (#"max(made_up_metric{cluster=~"$cluster"})"#, "metric-type"),
    ])
    func eachQueryRuleCatchesItsBreak(_ query: String, _ rule: String) {
        #expect(Self.problems(query: query).contains { $0.hasPrefix(rule + ":") }, "\(Self.problems(query: query))")
    }

    @Test("each dashboard rule catches a dashboard that breaks it")
    func eachDashboardRuleCatchesItsBreak() throws {
        let good = try Self.dashboard("api-server.json")
        #expect(Self.problems(good).isEmpty)
        func broken(_ change: (inout JSON) -> Void) -> [String] {
            var d = good
            change(&d)
            return Self.problems(d)
        }
        func firstPanel(_ d: inout JSON, _ change: (inout JSON) -> Void) {
            var panels = d["panels"] as! [JSON]
            change(&panels[0])
            d["panels"] = panels
        }
        #expect(broken { $0["schemaVersion"] = 27 }.contains { $0.hasPrefix("schema-version:") })
        #expect(broken { $0["__inputs"] = [] }.contains { $0.hasPrefix("inputs:") })
        #expect(broken { $0["templating"] = ["list": []] }.contains { $0.hasPrefix("template-datasource:") })
        #expect(broken { firstPanel(&$0) { $0["description"] = "" } }.contains { $0.hasPrefix("panel-title-description:") })
        #expect(broken { firstPanel(&$0) { $0["datasource"] = ["type": "prometheus", "uid": "P1809F7CD0C75ACF3"] } }.contains { $0.hasPrefix("panel-datasource:") })
        #expect(broken { firstPanel(&$0) { $0["fieldConfig"] = ["defaults": [:]] } }.contains { $0.hasPrefix("panel-units:") })
        #expect(broken { firstPanel(&$0) { $0["targets"] = [] } }.contains { $0.hasPrefix("panel-no-targets:") })
    }

    @Test("every query, its variables substituted, parses in promtool 2.42")
    func everyQueryParsesInPromtool() throws {
        let folder = try Components.temporaryFolder("dashboard-promtool")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var yaml = "groups:\n  - name: dashboards\n    rules:\n"
        for (i, q) in ShippedDashboards.queries.enumerated() {
            let expr = DashboardQuery.expand(q.expr, cluster: "prod|staging", instance: "10.0.1.5:443")
            yaml += "      - record: dashboard:query\(i):expr\n        expr: '\(expr.replacingOccurrences(of: "'", with: "''"))'\n"
        }
        try yaml.write(toFile: folder + "/queries.yml", atomically: true, encoding: .utf8)
        let out = try Components.run("promtool", ["check", "rules", folder + "/queries.yml"])
        #expect(out.contains("SUCCESS: \(ShippedDashboards.queries.count) rules found"), "\(out)")
    }

    @Test("ctlmon serve keeps what the dashboards read for --storage.dashboard-retention beyond their reach, and only what the rules read at 0")
    func sidecarKeepsDashboardMetrics() throws {
        let hour: Int64 = 3_600_000
        let with = Sidecar.Derived(ShippedRules.groups, dashboardRetention: hour)
        let without = Sidecar.Derived(ShippedRules.groups, dashboardRetention: 0)
        let filter = try #require(with.filter)
        // apiserver_longrunning_requests: read by a dashboard panel, by no rule.
        #expect(filter.names.contains("apiserver_longrunning_requests"))
        #expect(without.filter?.names.contains("apiserver_longrunning_requests") == false)
        #expect((with.retention["apiserver_longrunning_requests"] ?? 0) >= hour)
        #expect(without.retention["apiserver_longrunning_requests"] == nil)
        // A recorded series the dashboards read over 4 h keeps the hour on top of that.
        #expect((with.retention["cluster:etcd_db_size_bytes:max"] ?? 0) >= 5 * hour)
        // Every name a dashboard selects is kept.
        let names = try #require(Expr.selectedNames(DashboardQuery.expressions))
        #expect(names.isSubset(of: Set(filter.names)))
    }
}
