import CtlmonTestSupport
import Foundation
import Testing

/// `ctlmon serve` with `remote_write` to real receivers started here: Prometheus 2.42
/// (`--web.enable-remote-write-receiver`) and Debian's VictoriaMetrics single-node, each on
/// 127.0.0.1 with a folder of its own, stopped by PID when the test ends.
@Suite("remote write to real receivers")
struct RemoteWriteReceiversTests {
    /// Prometheus as a remote-write receiver on `port` (the same folder again after a restart).
    static func prometheusReceiver(port: Int, folder: String) throws -> ManagedProcess {
        try "global: {}\n".write(toFile: folder + "/receiver.yml", atomically: true, encoding: .utf8)
        let p = try ManagedProcess("prometheus", [
            "--config.file=\(folder)/receiver.yml", "--storage.tsdb.path=\(folder)/receiver-data", "--web.listen-address=127.0.0.1:\(port)",
            "--web.enable-remote-write-receiver",
        ])
        try Components.waitForHTTP("http://127.0.0.1:\(port)/-/ready", process: p, timeout: 60)
        return p
    }

    /// VictoriaMetrics single-node on `port`; queries see samples at once (no latency offset,
    /// no cache).
    static func victoriaMetrics(port: Int, folder: String) throws -> ManagedProcess {
        let p = try ManagedProcess("victoria-metrics", [
            "-httpListenAddr=127.0.0.1:\(port)", "-storageDataPath=\(folder)/vm-data", "-retentionPeriod=2d", "-search.latencyOffset=0s",
            "-search.disableCache", "-loggerLevel=ERROR",
        ])
        try Components.waitForHTTP("http://127.0.0.1:\(port)/health", process: p, timeout: 60)
        return p
    }

    /// Every series' raw samples in `(end - window, end]` (an instant query of a range selector),
    /// keyed by their labels: `["time-ms value-bits"]`.
    static func samples(_ base: String, selector: String, window: Int, end: Double) throws -> [String: [String]] {
        let query = "\(selector)[\(window)s]".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let json = try HTTP.json(base + "/api/v1/query?query=\(query)&time=\(end)") as? [String: Any]
        guard json?["status"] as? String == "success", let data = json?["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw ProcessError("\(base): \(String(describing: json).prefix(500))")
        }
        var out: [String: [String]] = [:]
        for r in result {
            let metric = (r["metric"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let values = (r["values"] as? [[Any]] ?? []).map { v -> String in
                let t = Int((((v[0] as? Double) ?? Double("\(v[0])") ?? 0) * 1000).rounded())
                // The value by its bits: "1e+06" and "1000000" are one value.
                return "\(t) \(Double("\(v[1])")?.bitPattern ?? 0)"
            }
            out[metric] = values
        }
        return out
    }

    /// The value of the `/metrics` line of `name` that holds every one of `labels` (`key="value"`).
    static func metric(_ text: String, _ name: String, _ labels: String...) -> Double? {
        text.split(separator: "\n").first { line in line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) } }
            .flatMap { $0.split(separator: " ").last }.flatMap { Double(String($0)) }
    }

    @Test("Prometheus 2.42 and VictoriaMetrics as receivers: a receiver down for 20 s and a kill -9 of ctlmon during it leave no gap; both hold exactly the same samples, and the samples ctlmon keeps")
    func receiversGetExactlyWhatIsKept() throws {
        let folder = try Components.temporaryFolder("remote-write")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (target, address) = try Components.fakeTarget(SidecarTests.apiserverFixture)
        defer { target.stop() }
        let promPort = freePort(), vmPort = freePort()
        var prometheus = try Self.prometheusReceiver(port: promPort, folder: folder)
        defer { prometheus.stop() }
        let vm = try Self.victoriaMetrics(port: vmPort, folder: folder)
        defer { vm.stop() }
        let prom = "http://127.0.0.1:\(promPort)", victoria = "http://127.0.0.1:\(vmPort)"
        let config = try SidecarTests.config(folder: folder, target: address, rules: SidecarTests.recordedAndAlerting, alertmanagers: [], extra: """
            remote_write:
              - url: http://127.0.0.1:\(promPort)/api/v1/write
                name: prometheus
                queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s, max_samples_per_send: 2000}
              - url: http://127.0.0.1:\(vmPort)/api/v1/write
                name: victoria
                queue_config: {batch_send_deadline: 1s, max_samples_per_send: 2000}
            """)
        let storage = folder + "/data"
        var (sidecar, base) = try Components.sidecar(ctlmon: SidecarTests.ctlmon, config: config, storage: storage)
        defer { sidecar.stop() }
        let start = Date().timeIntervalSince1970
        try SidecarTests.eventually(60, "samples at both receivers") {
            try !Self.samples(prom, selector: "up", window: 60, end: Date().timeIntervalSince1970).isEmpty
                && !Self.samples(victoria, selector: "up", window: 60, end: Date().timeIntervalSince1970).isEmpty
        }
        // The Prometheus receiver goes down; ctlmon keeps scraping, then is killed (-9) while it
        // is down, and restarted; then the receiver comes back.
        prometheus.stop()
        let outageStart = Date().timeIntervalSince1970
        try SidecarTests.eventually(60, "the queue holding samples for the receiver that is down") {
            let (_, text) = try HTTP.get(base + "/metrics")
            return (Self.metric(text, "ctlmon_remote_storage_samples_retried_total", "remote_name=\"prometheus\"") ?? 0) > 0
        }
        // Ten seconds of samples wait in the buffer (the outage goes on while ctlmon scrapes).
        try SidecarTests.eventually(60, "ten seconds of samples waiting") { Date().timeIntervalSince1970 - outageStart >= 10 }
        sidecar.killHard()
        (sidecar, base) = try Components.sidecar(ctlmon: SidecarTests.ctlmon, config: config, storage: storage)
        try SidecarTests.eventually(60, "ten more seconds after the restart") {
            let (_, text) = try HTTP.get(base + "/metrics")
            return (Self.metric(text, "ctlmon_remote_storage_samples_retried_total", "remote_name=\"prometheus\"") ?? 0) > 0
                && Date().timeIntervalSince1970 - outageStart >= 20
        }
        prometheus = try Self.prometheusReceiver(port: promPort, folder: folder)
        let end = Date().timeIntervalSince1970 - 2
        // Both queues caught up past `end`: everything kept until then has been taken.
        try SidecarTests.eventually(120, "both receivers caught up") {
            let (_, text) = try HTTP.get(base + "/metrics")
            return ["prometheus", "victoria"].allSatisfy { name in
                (Self.metric(text, "ctlmon_remote_storage_queue_highest_sent_timestamp_seconds", "remote_name=\"\(name)\"") ?? 0) >= end + 1
            }
        }
        _ = try? HTTP.get(victoria + "/internal/force_flush")
        let window = Int(end - start) + 5
        let all = "{__name__=~\".+\"}"
        let atPrometheus = try Self.samples(prom, selector: all, window: window, end: end)
        let atVictoria = try Self.samples(victoria, selector: all, window: window, end: end)
        #expect(atPrometheus.count > 500, "\(atPrometheus.count) series at Prometheus")
        let onlyAtOne = Set(atPrometheus.keys).symmetricDifference(atVictoria.keys)
        #expect(onlyAtOne.count == 0, "\(onlyAtOne.count) series at one receiver only, e.g. \(onlyAtOne.sorted().prefix(3))")
        // VictoriaMetrics keeps values as decimals of 12 to 15 significant digits: the same
        // times, and values equal to a relative 1e-12.
        func close(_ a: [String], _ b: [String]) -> Bool {
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { x, y in
                let p = x.split(separator: " "), q = y.split(separator: " ")
                guard p[0] == q[0], let u = UInt64(p[1]), let w = UInt64(q[1]) else { return false }
                let v1 = Double(bitPattern: u), v2 = Double(bitPattern: w)
                return v1 == v2 || (v1.isNaN && v2.isNaN) || abs(v1 - v2) <= 1e-12 * max(abs(v1), abs(v2))
            }
        }
        let differing = atPrometheus.keys.filter { !close(atPrometheus[$0]!, atVictoria[$0] ?? []) }.sorted()
        #expect(differing.count == 0, "\(differing.count) series differ, e.g. \(differing.first ?? ""): \(atPrometheus[differing.first ?? ""]?.suffix(3) ?? []) vs \(atVictoria[differing.first ?? ""]?.suffix(3) ?? [])")
        // No gap: `up` every second through the receiver's outage, up to the kill.
        let upKey = try #require(atPrometheus.keys.first { $0.hasPrefix("__name__=up,") })
        let upTimes = atPrometheus[upKey]!.compactMap { Double($0.split(separator: " ")[0]) }.map { $0 / 1000 }
        let duringOutage = upTimes.filter { $0 > outageStart + 1 && $0 < outageStart + 9 }
        #expect(duringOutage.count >= 6, "up at the receiver during its outage: \(duringOutage)")
        // The recorded series and ALERTS are there.
        #expect(atPrometheus.keys.contains { $0.hasPrefix("__name__=job:up:sum,") })
        #expect(atPrometheus.keys.contains { $0.hasPrefix("__name__=ALERTS,") })
        // What ctlmon itself keeps since its restart, the receivers have, sample for sample.
        let restarted = try Self.samples(base, selector: all, window: 15, end: end)
        let missing = restarted.filter { key, values in Set(values).subtracting(atPrometheus[key] ?? []).count > 0 }
        #expect(restarted.count > 500 && missing.count == 0, "\(missing.count) of ctlmon's \(restarted.count) series have samples the receiver lacks, e.g. \(missing.first.map { "\($0.key): \($0.value.suffix(3))" } ?? "")")
        let (_, text) = try HTTP.get(base + "/metrics")
        for name in ["prometheus", "victoria"] {
            #expect(Self.metric(text, "ctlmon_remote_storage_samples_failed_total", "remote_name=\"\(name)\"") == 0)
            #expect(Self.metric(text, "ctlmon_remote_storage_samples_dropped_total", "remote_name=\"\(name)\"", "reason=\"buffer_full\"") == 0)
        }
    }

    @Test("a reload adds remote_write (samples reach VictoriaMetrics, with the external labels), and a reload that removes it stops the sending; a bad remote_write keeps the running config")
    func reloadAddsAndRemoves() throws {
        let folder = try Components.temporaryFolder("remote-write-reload")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (target, address) = try Components.fakeTarget(SidecarTests.apiserverFixture)
        defer { target.stop() }
        let vmPort = freePort()
        let vm = try Self.victoriaMetrics(port: vmPort, folder: folder)
        defer { vm.stop() }
        let victoria = "http://127.0.0.1:\(vmPort)"
        let rules = "groups: [{name: g, rules: [{record: job:up:sum, expr: sum by (job) (up)}]}]"
        let config = try SidecarTests.config(folder: folder, target: address, rules: rules, alertmanagers: [])
        let (sidecar, base) = try Components.sidecar(
            ctlmon: SidecarTests.ctlmon, config: config, storage: folder + "/data", arguments: ["--web.enable-lifecycle"])
        defer { sidecar.stop() }
        #expect(!(try HTTP.get(base + "/metrics").1.contains("ctlmon_remote_storage_samples_total")))
        // A write_relabel action remote write does not support: refused with its line, nothing changes.
        var text = try String(contentsOfFile: config, encoding: .utf8)
        try (text + "\nremote_write: [{url: '\(victoria)/api/v1/write', write_relabel_configs: [{action: hashmod, source_labels: [a]}]}]\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let (refused, body) = try SidecarAPITests.post(base + "/-/reload")
        #expect(refused == 500 && body.contains("config.yml:9: write_relabel_configs action \"hashmod\" is not supported"), "\(refused) \(body)")
        // Added, with external labels.
        text = text.replacingOccurrences(of: "global: {", with: "global: {external_labels: {cluster: reloaded}, ")
        try (text + "\nremote_write: [{url: '\(victoria)/api/v1/write', name: vm, queue_config: {batch_send_deadline: 1s}}]\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try SidecarAPITests.post(base + "/-/reload").0 == 200)
        try SidecarTests.eventually(60, "samples at VictoriaMetrics") {
            _ = try? HTTP.get(victoria + "/internal/force_flush")
            return !(try Self.samples(victoria, selector: "job:up:sum{cluster=\"reloaded\"}", window: 60, end: Date().timeIntervalSince1970)).isEmpty
        }
        #expect((Self.metric(try HTTP.get(base + "/metrics").1, "ctlmon_remote_storage_samples_total", "remote_name=\"vm\"") ?? 0) > 0)
        // Removed: the family goes, and nothing more is sent.
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try SidecarAPITests.post(base + "/-/reload").0 == 200)
        #expect(!(try HTTP.get(base + "/metrics").1.contains("ctlmon_remote_storage_samples_total")))
    }
}
