import ArgumentParser
import Foundation
import PromQL
import PromText
import RuleEngine

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

    @Argument(help: "Scrapes of API servers (or etcd): files, or - for stdin (the default).")
    var sources: [String] = []

    @Option(name: .customLong("rules"), help: "Rule files or folders replacing the shipped rules (repeatable).")
    var rulePaths: [String] = []

    @Option(help: "An earlier scrape of the same server: rates over the real window between the two.")
    var baseline: String?

    @Option(help: "When the baseline was scraped: Unix seconds or RFC 3339 (default: its file's modification time).")
    var baselineTime: String?

    @Option(help: "Output: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Lowest severity that makes the exit code 1: warning or critical.")
    var failOn: FailOn = .warning

    @Option(help: "Colours: auto (on a terminal), always or never.")
    var color: ColorMode = .auto

    func run() throws {
        let groups = try loadRules()
        let names = OneShot.selectedNames(groups)
        let filter = names.map {
            FamilyFilter(
                names: Array($0) + CheckReport.metricNames,
                prefixes: ["apiserver_request_duration_seconds", "apiserver_admission_webhook_", "apiserver_storage_"])
        }
        let inputs = (sources.isEmpty ? ["-"] : sources).map(InputSource.init)
        var snapshots: [(Snapshot, ParseStatistics)] = []
        var usedNames: Set<String> = []
        for input in inputs {
            var instance = input.name == "<stdin>" ? "stdin" : (input.name as NSString).lastPathComponent
            while !usedNames.insert(instance).inserted { instance += "'" }
            snapshots.append(try snapshot(input, instance: instance, filter: filter))
        }
        // The current scrapes are taken now, unless their samples carry timestamps.
        var now = Int64(Date().timeIntervalSince1970 * 1000)
        if let stamped = snapshots.compactMap({ $0.0.latestTimestamp }).max() { now = stamped }

        var baselineSnapshot: Snapshot? = nil
        var baselineMillis: Int64? = nil
        if let baseline {
            guard snapshots.count == 1 else { throw usage("--baseline compares two scrapes of one server: give exactly one SOURCE") }
            baselineSnapshot = try snapshot(InputSource(baseline), instance: snapshots[0].0.instance, filter: filter).0
            if let baselineTime {
                guard let t = QueryCommand.parseTime(baselineTime) else { throw usage("--baseline-time: expected Unix seconds or RFC 3339") }
                baselineMillis = t
            } else if let stamped = baselineSnapshot?.latestTimestamp {
                baselineMillis = stamped
            } else {
                let attributes = try? FileManager.default.attributesOfItem(atPath: baseline)
                guard let date = attributes?[.modificationDate] as? Date else {
                    throw usage("--baseline-time is needed: cannot read the modification time of \(baseline)")
                }
                baselineMillis = Int64(date.timeIntervalSince1970 * 1000)
            }
            guard let b = baselineMillis, b < now else { throw usage("the baseline must be older than the current scrape") }
        }

        let store = SeriesStore()
        let window = OneShot.longestRange(groups)
        var windows: [OneShot.Window] = []
        for (snap, _) in snapshots {
            windows.append(OneShot.history(
                current: snap, now: now, baseline: baselineSnapshot, baselineTime: baselineMillis, window: window,
                step: 60_000, into: store))
        }
        let evaluator = RuleEvaluator(groups: groups, store: store)
        evaluator.evaluate(at: now)
        let report = CheckReport(
            snapshots: snapshots, windows: windows, baseline: baselineSnapshot != nil, now: now, store: store,
            evaluator: evaluator, groups: groups)
        let useColor = color == .always || (color == .auto && isatty(1) != 0)
        print(format == .json ? report.json() : report.text(color: useColor))
        for e in evaluator.errors { printError("rule evaluation: \(e)") }
        let threshold = failOn == .critical ? 2 : 1
        if report.alerts.contains(where: { CheckReport.rank($0.severity) >= threshold }) { throw ExitCode(1) }
    }

    private func usage(_ message: String) -> ExitCode {
        printError(message)
        return ExitCode(2)
    }

    private func loadRules() throws -> [RuleGroup] {
        do {
            if rulePaths.isEmpty {
                var groups: [RuleGroup] = []
                for (name, yaml) in ShippedRules.files { groups += try RuleFile.parse(yaml, path: "Rules/" + name).groups }
                return groups
            }
            var groups: [RuleGroup] = []
            for path in RulesCheckCommand.expand(rulePaths) { groups += try RuleFile.load(path: path).groups }
            return groups
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }

    private func snapshot(_ input: InputSource, instance: String, filter: FamilyFilter?) throws -> (Snapshot, ParseStatistics) {
        let collector = SnapshotCollector(instance: instance)
        let parser = TextParser(options: .init(source: input.name, filter: filter), consumer: collector)
        do {
            try input.parse(with: parser)
        } catch {
            printError(error.message)
            throw ExitCode(2)
        }
        return (collector.snapshot, parser.statistics)
    }
}
