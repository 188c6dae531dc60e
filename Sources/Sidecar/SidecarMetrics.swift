import FoundationEssentials
import Glibc
import RuleEngine
import PromModel
import PromQL
import RemoteWrite
import SeriesStorage
import Scraper
import Workers

/// `/metrics` in the text format 0.0.4: ctlmon's own metrics, each target's `up` and scrape
/// series, the recorded series, `ALERTS` and `ctlmon_webhook_config_info`, with the external labels, so that an upstream
/// Prometheus scrapes one ctlmon per cluster as it would a federation endpoint.
extension SidecarAPI {
    /// The body of `GET /metrics`: ctlmon's own families, then each target's report series, the
    /// recorded series and `ALERTS` at their latest sample of the last 5 minutes (stale ones left out).
    package func metricsText() -> String {
        let pipeline = self.pipeline.value
        let notifier = pipeline.notifier
        var out = MetricsTextWriter(external: pipeline.externalLabels)
        let now = clock()
        out.family("ctlmon_build_info", "gauge", "ctlmon's version.")
        out.sample("ctlmon_build_info", [("version", BuildVersion.version)], 1)
        out.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
        out.sample("process_start_time_seconds", [], startTime)
        out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
        out.sample("process_resident_memory_bytes", [], Double(ProcessStats.residentBytes()))
        out.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.")
        out.sample("process_cpu_seconds_total", [], ProcessStats.cpuSeconds())

        let usage = store.usage
        out.family("ctlmon_store_series", "gauge", "Series in the store.")
        out.sample("ctlmon_store_series", [], Double(usage.series))
        out.family("ctlmon_store_samples", "gauge", "Samples in the store.")
        out.sample("ctlmon_store_samples", [], Double(usage.samples))
        out.family("ctlmon_store_bytes", "gauge", "Bytes the store holds, by part.")
        out.sample("ctlmon_store_bytes", [("part", "labels")], Double(usage.labelBytes))
        out.sample("ctlmon_store_bytes", [("part", "samples")], Double(usage.sampleBytes))
        out.sample("ctlmon_store_bytes", [("part", "index")], Double(usage.indexBytes))

        if let reload {
            let status = reload.status
            out.family("ctlmon_config_last_reload_successful", "gauge", "Whether the last config reload succeeded.")
            out.sample("ctlmon_config_last_reload_successful", [], status.successful ? 1 : 0)
            out.family("ctlmon_config_last_reload_success_timestamp_seconds", "gauge", "When the config was last loaded successfully.")
            out.sample("ctlmon_config_last_reload_success_timestamp_seconds", [], status.lastSuccess)
        }

        let queries = queryThreads.counts
        out.family("ctlmon_queries_running", "gauge", "API queries being evaluated.")
        out.sample("ctlmon_queries_running", [], Double(queries.running))
        out.family("ctlmon_queries_waiting", "gauge", "API queries waiting for one of --query.max-concurrency threads.")
        out.sample("ctlmon_queries_waiting", [], Double(queries.waiting))

        let loops = scrapes.current
        out.family("ctlmon_scrapes_total", "counter", "Scrapes done, by target.")
        for l in loops { out.sample("ctlmon_scrapes_total", [("job", l.target.job), ("instance", l.target.address)], Double(l.status.scrapes)) }
        out.family("ctlmon_scrape_failures_total", "counter", "Failed scrapes, by target and reason.")
        for l in loops {
            for (reason, n) in l.status.failures.sorted(by: { $0.key.label < $1.key.label }) {
                out.sample("ctlmon_scrape_failures_total", [("job", l.target.job), ("instance", l.target.address), ("reason", reason.label)], Double(n))
            }
        }

        out.family("ctlmon_rule_group_last_evaluation_timestamp_seconds", "gauge", "When each rule group was last evaluated.")
        out.family("ctlmon_rule_group_last_duration_seconds", "gauge", "How long each rule group's last evaluation took.")
        for (group, last, duration, _) in pipeline.rules.rulesSnapshot() {
            out.sample("ctlmon_rule_group_last_evaluation_timestamp_seconds", [("rule_group", group.file + ";" + group.name)], Double(last ?? 0) / 1000)
            out.sample("ctlmon_rule_group_last_duration_seconds", [("rule_group", group.file + ";" + group.name)], duration)
        }

        if let notifier {
            let queues = notifier.queues
            out.family("ctlmon_notifications_sent_total", "counter", "Alerts sent, by Alertmanager.")
            for q in queues { out.sample("ctlmon_notifications_sent_total", [("alertmanager", q.url)], Double(q.counts.sent)) }
            out.family("ctlmon_notifications_errors_total", "counter", "Failed POSTs (their alerts are retried), by Alertmanager.")
            for q in queues { out.sample("ctlmon_notifications_errors_total", [("alertmanager", q.url)], Double(q.counts.errors)) }
            out.family("ctlmon_notifications_dropped_total", "counter",
                       "Alerts dropped, by Alertmanager and reason: queue_full (the oldest pushed out), rejected (a 4xx other than 429).")
            for q in queues {
                let c = q.counts
                out.sample("ctlmon_notifications_dropped_total", [("alertmanager", q.url), ("reason", "queue_full")], Double(c.droppedFull))
                out.sample("ctlmon_notifications_dropped_total", [("alertmanager", q.url), ("reason", "rejected")], Double(c.droppedRejected))
            }
            out.family("ctlmon_notifications_queue_length", "gauge", "Alerts waiting, by Alertmanager.")
            for q in queues { out.sample("ctlmon_notifications_queue_length", [("alertmanager", q.url)], Double(q.counts.queueLength)) }
        }

        if let writing = remoteWrite?.writing { writeRemoteWriteMetrics(writing, to: &out) }

        // Each target's report series, the recorded series and ALERTS, at their latest sample.
        let names = ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_series_added"] + pipeline.recordedNames.sorted() + ["ALERTS", WebhookConfigWatcher.metric]
        let evaluator = Evaluator(store: store)
        for name in names {
            guard let expr = try? PromQLParser.parse("last_over_time({__name__=\"\(name)\"}[5m])"),
                case .vector(let samples)? = try? evaluator.evaluate(expr, at: now)
            else { continue }
            let live = samples.filter { !$0.value.isNaN }
            guard !live.isEmpty else { continue }
            out.family(name, "untyped", nil)
            for s in live.sorted(by: { $0.labels < $1.labels }) {
                out.sample(name, s.labels.labels.filter { $0.name != "__name__" }.map { ($0.name, $0.value) }, s.value)
            }
        }
        return out.text
    }
}

/// Writes the text format 0.0.4: `# HELP`/`# TYPE` once per family, label values escaped
/// (`\\`, `\"`, `\n`), values as Go writes them; external labels on every sample that does
/// not have them.
struct MetricsTextWriter {
    let external: [String: String]
    var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String?) {
        if let help { text += "# HELP \(name) \(help)\n" }
        text += "# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        var all = labels
        for (k, v) in external.sorted(by: { $0.key < $1.key }) where !all.contains(where: { $0.0 == k }) { all.append((k, v)) }
        text += name
        if !all.isEmpty {
            text += "{" + all.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + APIFormat.value(value) + "\n"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// The process's own resource use, from the kernel.
enum ProcessStats {
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// User and system CPU time of the process, in seconds (`process_cpu_seconds_total`):
    /// fields 14 and 15 of `/proc/self/stat`, in clock ticks, as Prometheus's procfs reads them.
    static func cpuSeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let end = text.lastIndex(of: ")")
        else { return 0 }
        // After the command name (in parentheses, which may hold spaces): field 3 onwards.
        let fields = text[text.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

extension SidecarAPI {
    /// Remote write's families, named and meant as Prometheus's `prometheus_remote_storage_*`
    /// (with ctlmon's prefix), each with `remote_name` and `url`.
    func writeRemoteWriteMetrics(_ remoteWrite: RemoteWriting, to out: inout MetricsTextWriter) {
        let queues = remoteWrite.queues.map { q in ([("remote_name", q.config.name), ("url", q.config.url)], q.counters, q.log.counts) }
        func family(_ name: String, _ type: String, _ help: String, _ value: (RemoteWriteQueue.Stats, SampleLog.Counts) -> Double) {
            out.family(name, type, help)
            for (labels, stats, counts) in queues { out.sample(name, labels, value(stats, counts)) }
        }
        family("ctlmon_remote_storage_samples_total", "counter", "Samples in requests answered (or refused for good).") { s, _ in Double(s.samplesTotal) }
        family("ctlmon_remote_storage_samples_failed_total", "counter", "Samples the receiver refused for good (a 4xx answer).") { s, _ in Double(s.samplesFailed) }
        family("ctlmon_remote_storage_samples_retried_total", "counter", "Samples sent again after a 5xx, a 429 or a transport failure.") { s, _ in Double(s.samplesRetried) }
        out.family("ctlmon_remote_storage_samples_dropped_total", "counter",
                   "Samples never sent, by reason: relabel (write_relabel_configs), buffer_full (the oldest pushed out of the buffer), write_failed (the disk refused them).")
        for (labels, _, c) in queues {
            out.sample("ctlmon_remote_storage_samples_dropped_total", labels + [("reason", "relabel")], Double(c.droppedByRelabel))
            out.sample("ctlmon_remote_storage_samples_dropped_total", labels + [("reason", "buffer_full")], Double(c.droppedByBound))
            out.sample("ctlmon_remote_storage_samples_dropped_total", labels + [("reason", "write_failed")], Double(c.writeFailures))
        }
        family("ctlmon_remote_storage_samples_pending", "gauge", "Samples in the buffer the receiver does not have yet.") { _, c in Double(c.pending) }
        family("ctlmon_remote_storage_bytes_total", "counter", "Compressed bytes the receiver took.") { s, _ in Double(s.bytesTotal) }
        family("ctlmon_remote_storage_buffer_bytes", "gauge", "Bytes the buffer on disk holds.") { _, c in Double(c.bytes) }
        family("ctlmon_remote_storage_highest_timestamp_in_seconds", "gauge", "The newest sample time written to the buffer.") { _, c in Double(c.newestIn) / 1000 }
        family("ctlmon_remote_storage_queue_highest_sent_timestamp_seconds", "gauge", "The newest sample time the receiver has taken.") { s, _ in Double(s.newestSent) / 1000 }
        family("ctlmon_remote_storage_shards", "gauge", "Requests in flight at once in the last round.") { s, _ in Double(s.shards) }
        out.family("ctlmon_remote_storage_requests_total", "counter", "Requests by outcome: 2xx, 4xx, 5xx, or error (no answer).")
        for (labels, s, _) in queues {
            for outcome in ["2xx", "4xx", "5xx", "error"] { out.sample("ctlmon_remote_storage_requests_total", labels + [("outcome", outcome)], Double(s.requests[outcome] ?? 0)) }
        }
    }
}
