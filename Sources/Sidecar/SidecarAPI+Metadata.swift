import PromModel
import PromQL
import Scraper
import SeriesStorage

extension SidecarAPI {
    /// `/api/v1/metadata?metric=…&limit=…&limit_per_metric=…`: every family's `# TYPE`,
    /// `# HELP` and `# UNIT` from the targets' last scrapes, identical ones once, as Prometheus
    /// answers it: `limit` metric families at most (negative: all; 0: none), `metric` one
    /// family by exact name, `limit_per_metric` (Prometheus 2.45) distinct entries per family
    /// at most (0 or negative: all). Families and entries in a stable order (sorted), where
    /// Prometheus's order is a Go map's.
    package func metadata(_ params: APIParameters) -> (Int, String) {
        func number(_ name: String, otherwise: Int) -> Int?? {
            guard let text = params[name], !text.isEmpty else { return .some(otherwise) }
            return Int(text).map { .some($0) } ?? .none
        }
        guard let limit = number("limit", otherwise: -1) else { return (400, QueryEndpoints.error("bad_data", "limit must be a number")) }
        guard let perMetric = number("limit_per_metric", otherwise: 0) else {
            return (400, QueryEndpoints.error("bad_data", "limit_per_metric must be a number"))
        }
        let wanted = params["metric"].flatMap { $0.isEmpty ? nil : $0 }
        var byName: [String: Set<MetricMetadata>] = [:]
        for loop in scrapes.current {
            for (name, m) in loop.metadata where wanted == nil || wanted == name { byName[name, default: []].insert(m) }
        }
        var names = byName.keys.sortedByBytes()
        if let limit, limit >= 0 { names = Array(names.prefix(limit)) }
        var w = JSONWriter()
        w.beginObject()
        for name in names {
            var entries = byName[name]!.sorted()
            if let perMetric, perMetric > 0 { entries = Array(entries.prefix(perMetric)) }
            w.beginArray(name)
            for m in entries {
                w.beginObject()
                w.value("type", m.type)
                w.value("help", m.help)
                w.value("unit", m.unit)
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
        return (200, QueryEndpoints.success(w.output))
    }

    /// `/api/v1/status/buildinfo`, Prometheus's fields: `version` is the Prometheus release
    /// whose API ctlmon matches (Grafana and the client libraries pick the features they use
    /// by it); `revision` and `branch` say that ctlmon, at its own version, answers.
    package func buildInfo() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.value("version", BuildVersion.prometheusAPIVersion)
        w.value("revision", "ctlmon-\(BuildVersion.version)")
        w.value("branch", "ctlmon")
        w.value("buildUser", "")
        w.value("buildDate", "")
        w.value("goVersion", "none (Swift)")
        w.endObject()
        return QueryEndpoints.success(w.output)
    }
}
