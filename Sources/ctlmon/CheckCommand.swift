import ArgumentParser
import Foundation
import PromQL
import PromText
import RuleEngine
import Check

/// `ctlmon check`: one-shot control-plane health from one or more scrapes.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check API server latency, admission webhooks and etcd size from /metrics scrapes.",
        discussion: """
            kubectl get --raw /metrics | ctlmon check
            Each SOURCE is one API server instance (a file, gzip or not, or - for stdin). One scrape has no \
            time range: counters are taken as growing steadily since the process started, so rates are \
            lifetime averages (--baseline EARLIER_SCRAPE gives a real window). Exit 0: nothing at or above \
            --fail-on fires; 1: something does; 2: bad input or usage.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }
    enum FailOn: String, ExpressibleByArgument, CaseIterable { case warning, critical }
    enum ColorMode: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

    @Option(name: .customLong("token-file"), help: "For http(s) sources: a file holding the bearer token (read at each fetch).")
    var tokenFile: String?

    @Option(name: .customLong("ca-file"), help: "For https sources: the CA certificates to verify the server with.")
    var caFile: String?

    @Flag(name: .customLong("insecure-skip-verify"), help: "For https sources: do not verify the server's certificate (never in production).")
    var insecureSkipVerify = false

    @Argument(help: "Scrapes of API servers (or etcd): files, http(s) URLs, or - for stdin (the default).")
    var sources: [String] = []

    @Option(name: .customLong("rules"), help: "Rule files or folders replacing the shipped rules (repeatable).")
    var rulePaths: [String] = []

    @Option(parsing: .unconditional, help: "When the sources were scraped: Unix seconds or RFC 3339 (default: their sample timestamps, else now for stdin and a file's modification time).")
    var time: String?

    @Option(help: "An earlier scrape of the same server: rates over the real window between the two.")
    var baseline: String?

    @Option(parsing: .unconditional, help: "When the baseline was scraped: Unix seconds or RFC 3339 (default: its file's modification time).")
    var baselineTime: String?

    @Option(help: "Output: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Lowest severity that makes the exit code 1: warning or critical.")
    var failOn: FailOn = .warning

    @Option(help: "Colours: auto (on a terminal), always or never.")
    var color: ColorMode = .auto

    @Option(help: "Most samples of the families the rules read kept per source (memory bound, like Prometheus's sample_limit).")
    var sampleLimit: Int = 500_000

    @Option(name: .customLong("webhook-config"), help: "kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o json (or yaml): audit them and join with the scrapes' webhook metrics.")
    var webhookConfig: String?

    func run() throws {
        let configurations = try webhookConfig.map { path throws -> WebhookConfigurationReader.Result in
            if path == "-" && (sources.isEmpty || sources.contains("-")) {
                throw usage("--webhook-config -: standard input already holds the scrape; give the configurations as a file")
            }
            do throws(WebhookConfigError) { return try WebhookConfigurationReader.load(path: path) } catch { throw badInput(error.description) }
        }
        var (report, evaluator) = try report(webhooks: configurations?.webhooks)
        if let configurations { report.audit(configurations) }
        let useColor = color == .always || (color == .auto && isatty(1) != 0)
        print(format == .json ? report.json() : report.text(color: useColor))
        for e in evaluator.errors { printError("rule evaluation failed: \(e)") }
        let threshold = failOn == .critical ? 2 : 1
        if report.alerts.contains(where: { CheckReport.rank($0.severity) >= threshold }) { throw CommandFailure.found }
        if report.audit?.reaches(failOn == .critical ? .critical : .warning) == true { throw CommandFailure.found }
        // A rule that could not be evaluated leaves the verdict incomplete: never a green exit.
        if !evaluator.errors.isEmpty { throw CommandFailure.reported }
    }

    /// Reads the scrapes, evaluates the rules and computes the report (`ctlmon webhooks --metrics` reuses it).
    /// `webhooks` (from `--webhook-config`) become `ctlmon_webhook_config_info` series first, so the
    /// rules grade webhook alerts by policy as they do in the sidecar.
    func report(webhooks: [AdmissionWebhook]? = nil) throws -> (CheckReport, RuleEvaluator) {
        let groups = try loadRules()
        let filter = CheckFamilies.filter(for: groups)
        let http = InputSource.HTTPOptions(tokenFile: tokenFile, caFile: caFile, insecureSkipVerify: insecureSkipVerify)
        let inputs = (sources.isEmpty ? ["-"] : sources).map { InputSource($0, http: http) }
        let givenTime = try time.map { text throws -> Int64 in
            guard let t = QueryCommand.parseTime(text) else { throw usage("--time: expected Unix seconds or RFC 3339, got \"\(text)\"") }
            return t
        }
        let identifying = CheckFamilies.identifying(groups)
        let reach = OneShot.Reach(groups: groups, extra: CheckReport.Query.all.compactMap { try? PromQLParser.parse($0) })
        let store = SeriesStore()
        var snapshots: [(Snapshot, ParseStatistics)] = []
        var usedNames: Set<String> = []
        for input in inputs {
            var instance: String
            switch input {
            case .standardInput: instance = "stdin"
            case .file(let path): instance = (path as NSString).lastPathComponent
            case .url(let url, _):
                let c = URLComponents(string: url)
                instance = "\(c?.host ?? url):\(c?.port ?? (c?.scheme == "https" ? 443 : 80))"
            }
            while !usedNames.insert(instance).inserted { instance += "'" }
            let (snap, stats) = try snapshot(input, instance: instance, filter: filter, into: store, reach: reach) { identifying($0.string) }
            if snap.samplesOverLimit > 0 {
                throw badInput("\(input.name): more than \(sampleLimit) samples of the families the rules and the report read "
                    + "(\(sampleLimit + snap.samplesOverLimit) found); --sample-limit raises the limit")
            }
            // A green verdict only on input we understood: a source without a single sample of
            // what the rules or the report read is not a control-plane scrape (an empty pipe, say).
            if !snap.identified {
                let anyControlPlane = snap.controlPlaneNamed
                throw badInput(
                    "\(input.name): does not look like a kube-apiserver or etcd /metrics scrape ("
                        + (anyControlPlane
                            ? "none of the families the \(rulePaths.isEmpty ? "shipped " : "")rules and the report read, "
                                + "such as apiserver_request_total or etcd_mvcc_db_total_size_in_bytes)"
                            : "no apiserver_* or etcd_* samples)"))
            }
            if let stamped = snap.latestTimestamp, stamped < SnapshotCollector.earliestTime || stamped > SnapshotCollector.latestTime {
                throw badInput("\(input.name): a sample timestamp (\(stamped) ms) is not a plausible time (years 1 to 9999)")
            }
            snapshots.append((snap, stats))
        }
        // All current scrapes are evaluated at one time: --time, else the newest of their
        // sample timestamps, else the newest of their scrape times (now for stdin, a file's
        // modification time).
        let now: Int64
        if let givenTime {
            now = givenTime
        } else if let stamped = snapshots.compactMap({ $0.0.latestTimestamp }).max() {
            now = stamped
        } else {
            now = inputs.map { $0.modificationTime ?? Self.wallClock() }.max()!
        }
        for (snap, _) in snapshots {
            if let start = snap.processStart, now < start {
                throw badInput("\(snap.instance): the process started (process_start_time_seconds \(Double(start) / 1000)) "
                    + "after the scrape time (\(Double(now) / 1000)\(givenTime == nil ? "; --time sets it" : ""))")
            }
        }

        var baselineSnapshot: (snapshot: Snapshot, store: SeriesStore)? = nil
        var baselineMillis: Int64? = nil
        if let baseline {
            guard snapshots.count == 1 else { throw usage("--baseline compares two scrapes of one server: give exactly one SOURCE") }
            let baselineStore = SeriesStore()
            baselineSnapshot = (
                try snapshot(InputSource(baseline), instance: snapshots[0].0.instance, filter: filter, into: baselineStore, reach: reach) { _ in true }.0,
                baselineStore)
            if let baselineTime {
                guard let t = QueryCommand.parseTime(baselineTime) else { throw usage("--baseline-time: expected Unix seconds or RFC 3339") }
                baselineMillis = t
            } else if let stamped = baselineSnapshot?.snapshot.latestTimestamp {
                baselineMillis = stamped
            } else {
                guard let t = InputSource(baseline).modificationTime else {
                    throw usage("--baseline-time is needed: cannot read the modification time of \(baseline)")
                }
                baselineMillis = t
            }
            guard let b = baselineMillis, b < now else { throw usage("the baseline must be older than the current scrape") }
        }

        var windows: [OneShot.Window] = []
        for (snap, _) in snapshots {
            windows.append(OneShot.history(
                current: snap, now: now, baseline: baselineSnapshot, baselineTime: baselineMillis, reach: reach, into: store))
        }
        for w in webhooks ?? [] { _ = store.append(w.infoLabels, timestamp: now, value: 1) }
        let evaluator = RuleEvaluator(groups: groups, store: store)
        evaluator.evaluate(at: now)
        let report = CheckReport(
            snapshots: snapshots, windows: windows, baseline: baselineSnapshot != nil, now: now, store: store,
            evaluator: evaluator, groups: groups)
        return (report, evaluator)
    }

    private func usage(_ message: String) -> CommandFailure { .badInput(message) }

    private func badInput(_ message: String) -> CommandFailure { .badInput(message) }

    /// The wall clock in milliseconds: only for scrapes read from stdin without --time.
    static func wallClock() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    private func loadRules() throws -> [RuleGroup] {
        for path in rulePaths where RulesCheckCommand.isEmptyFolder(path) {
            throw usage("--rules \(path): no rule files (*.yml, *.yaml) in this folder")
        }
        do throws(RuleFileError) {
            var groups: [RuleGroup] = []
            if rulePaths.isEmpty {
                groups = try ShippedRules.loadGroups()
            } else {
                for path in RulesCheckCommand.expand(rulePaths) { groups += try RuleFile.load(path: path).groups }
            }
            return groups
        } catch {
            throw usage(error.description)
        }
    }

    private func snapshot(
        _ input: InputSource, instance: String, filter: FamilyFilter?, into store: SeriesStore, reach: OneShot.Reach,
        identifies: @escaping (ByteView) -> Bool
    ) throws -> (Snapshot, ParseStatistics) {
        let collector = SnapshotCollector(
            store: store, instance: instance, sampleLimit: max(sampleLimit, 1), reach: reach, identifies: identifies)
        var limits = ParseLimits()
        limits.maxSamples = max(sampleLimit, 1)
        let parser = TextParser(options: .init(limits: limits, source: input.name, filter: filter), consumer: collector)
        do throws(InputError) {
            try input.parse(with: parser)
        } catch {
            if collector.snapshot.samplesOverLimit > 0 || parser.statistics.samples > limits.maxSamples {
                throw badInput("\(input.name): more than \(sampleLimit) samples of the families the rules and the report read "
                    + "(the parse stopped at line \(parser.statistics.lines)); --sample-limit raises the limit")
            }
            throw CommandFailure.badInput(error.message)
        }
        collector.finish()
        return (collector.snapshot, parser.statistics)
    }
}
