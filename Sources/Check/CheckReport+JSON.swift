import AdmissionWebhooks
import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage
import PromText
import RuleEngine

extension CheckReport {
    /// The report as one JSON object (`check --format json`): alerts, sources, API server latency
    /// and errors, webhooks and their audit, etcd.
    package func json() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.beginArray("alerts")
        for a in alerts {
            w.beginObject()
            w.value("name", a.name)
            w.value("severity", a.severity)
            w.value("state", a.state)
            w.beginObject("labels")
            for l in a.labels.labels { w.value(l.name, l.value) }
            w.endObject()
            w.beginObject("annotations")
            for (k, v) in a.annotations.sorted(by: { $0.key < $1.key }) { w.value(k, v) }
            w.endObject()
            w.value("value", a.value)
            w.endObject()
        }
        w.endArray()
        w.beginObject("source")
        w.value("samples", snapshots.reduce(0) { $0 + $1.1.samples })
        w.value("series", snapshots.reduce(0) { $0 + $1.0.seriesCount })
        w.value("bytes", snapshots.reduce(0) { $0 + $1.1.inputBytes })
        let lifetime = windows.map { Double($0.now - $0.start) / 1000 }.max() ?? 0
        w.value("lifetime_seconds", lifetime)
        w.value("window", baseline ? "baseline" : "lifetime")
        w.beginArray("instances")
        for (s, stats) in snapshots {
            w.beginObject()
            w.value("instance", s.instance)
            if let v = s.version { w.value("version", v) } else { w.null("version") }
            if let p = s.processStart { w.value("process_start_seconds", Double(p) / 1000) } else { w.null("process_start_seconds") }
            w.value("samples", stats.samples)
            w.value("filtered_samples", stats.filteredSamples)
            w.value("duplicate_samples", s.duplicateSamples)
            w.value("bytes", stats.inputBytes)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.beginObject("apiserver")
        w.beginObject("read_p99_seconds")
        for r in readP99 { w.value(r.scope, r.seconds) }
        w.endObject()
        if let v = writeP99 { w.value("write_p99_seconds", v) } else { w.null("write_p99_seconds") }
        if let v = requestRate { w.value("requests_per_second", v) } else { w.null("requests_per_second") }
        if let v = errorRatio { w.value("error_ratio", v) } else { w.null("error_ratio") }
        w.endObject()
        w.beginArray("webhooks")
        for (name, h) in webhooks {
            w.beginObject()
            w.value("name", name)
            if h.p99.isNaN { w.null("p99_seconds") } else { w.value("p99_seconds", h.p99) }
            if let c = h.calls { w.value("calls", c) } else { w.null("calls") }
            w.value("failures", h.failures ?? 0)
            w.value("fail_open", h.failOpen ?? 0)
            w.endObject()
        }
        w.endArray()
        audit?.write(into: &w, key: "webhooks_audit", skipped: skippedObjects)
        w.beginObject("etcd")
        if let b = etcdBytes { w.value("db_bytes", b) } else { w.null("db_bytes") }
        w.value("quota_bytes", etcdQuota)
        if let b = etcdBytes { w.value("ratio", b / etcdQuota) } else { w.null("ratio") }
        if let m = etcdMetric { w.value("metric", m) } else { w.null("metric") }
        w.beginArray("largest")
        for l in largest {
            w.beginObject()
            w.value("resource", l.resource)
            w.value("objects", l.objects)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        w.endObject()
        return w.output
    }
}
