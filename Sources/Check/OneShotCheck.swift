import AdmissionWebhooks
import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage
import PromText
import RuleEngine

/// `ctlmon check`'s pipeline, from sources to a report: each scrape read through the rules'
/// family filter into a snapshot, the one-shot history drawn, the rules evaluated, the
/// report computed. The command line and the fuzzer call this one function.
package enum OneShotCheck {
    /// What to check, and how.
    package struct Options: Sendable {
        /// The scrapes, one per API server instance (or etcd, scheduler, controller manager).
        package var sources: [InputSource]
        /// The rule groups (the shipped rules unless `--rules`).
        package var groups: [RuleGroup]
        /// When the sources were scraped (`--time`, milliseconds); nil: their newest sample
        /// timestamp, else their modification time, else ``wallClock``.
        package var time: Int64? = nil
        /// An earlier scrape of the same server (`--baseline`): rates over the window between them.
        package var baseline: InputSource? = nil
        /// When the baseline was scraped (`--baseline-time`, milliseconds); nil: its newest
        /// sample timestamp, else its modification time.
        package var baselineTime: Int64? = nil
        /// Most samples of the families the rules read kept per source.
        package var sampleLimit = 500_000
        /// Largest decompressed input per source (the parser's own limit unless set).
        package var maxDecodedBytes: Int? = nil
        /// Webhook configurations (`--webhook-config`): written as `ctlmon_webhook_config_info`
        /// before the rules run, so webhook alerts are graded by policy as in the sidecar.
        package var webhooks: [AdmissionWebhook]? = nil
        /// Whether `--rules` replaced the shipped rules (for the wording of a message).
        package var customRules = false
        /// The wall clock (milliseconds), read only for stdin without `--time`.
        package var wallClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }

        /// A check of `sources` with `groups`; the other options keep their defaults.
        package init(sources: [InputSource], groups: [RuleGroup]) {
            self.sources = sources
            self.groups = groups
        }
    }

    /// What a check produced: the report and the evaluator (its errors leave the verdict incomplete).
    package struct Outcome {
        /// The report every renderer (text, JSON) writes.
        package var report: CheckReport
        /// The rules' evaluator: its alerts, and the errors that leave the verdict incomplete.
        package var evaluator: RuleEvaluator
    }

    /// Input that cannot be checked, or a usage that cannot work: printed as is, exit 2.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        /// What cannot be checked, with the source's name.
        package var message: String
        package var description: String { message }
        /// A failure with its message.
        package init(_ message: String) { self.message = message }
    }

    /// Reads the sources, evaluates the rules and computes the report.
    package static func run(_ options: Options) throws(Failure) -> Outcome {
        let groups = options.groups
        let filter = CheckFamilies.filter(for: groups)
        let identifying = CheckFamilies.identifying(groups)
        let reach = OneShot.Reach(groups: groups, extra: CheckReport.Query.all.compactMap { try? PromQLParser.parse($0) })
        let store = SeriesStore()
        let snapshots = try readSources(options, filter: filter, reach: reach, into: store) { identifying($0.string) }
        let now = try evaluationTime(options, snapshots.map(\.0))
        let (baseline, baselineTime) = try readBaseline(options, current: snapshots, now: now, filter: filter, reach: reach)
        var windows: [OneShot.Window] = []
        for (snap, _) in snapshots {
            windows.append(OneShot.history(
                current: snap, now: now, baseline: baseline, baselineTime: baselineTime, reach: reach, into: store))
        }
        for w in options.webhooks ?? [] { _ = store.append(w.infoLabels, timestamp: now, value: 1) }
        let evaluator = RuleEvaluator(groups: groups, store: store)
        evaluator.evaluate(at: now)
        let report = CheckReport(
            snapshots: snapshots, windows: windows, baseline: baseline != nil, now: now, store: store,
            evaluator: evaluator, groups: groups)
        return Outcome(report: report, evaluator: evaluator)
    }

    /// Each source read into its snapshot, refused unless it is a control-plane scrape with
    /// plausible timestamps. Instances are named for the source, made unique.
    private static func readSources(
        _ options: Options, filter: FamilyFilter?, reach: OneShot.Reach, into store: SeriesStore,
        identifies: @escaping (ByteView) -> Bool
    ) throws(Failure) -> [(Snapshot, ParseStatistics)] {
        var snapshots: [(Snapshot, ParseStatistics)] = []
        var usedNames: Set<String> = []
        for input in options.sources {
            var instance = instanceName(input)
            while !usedNames.insert(instance).inserted { instance += "'" }
            let (snap, stats) = try snapshot(input, instance: instance, options, filter: filter, into: store, reach: reach, identifies: identifies)
            if snap.samplesOverLimit > 0 {
                throw Failure("\(input.name): more than \(options.sampleLimit) samples of the families the rules and the report read "
                    + "(\(options.sampleLimit + snap.samplesOverLimit) found); --sample-limit raises the limit")
            }
            // A green verdict only on input we understood: a source without a single sample of
            // what the rules or the report read is not a control-plane scrape (an empty pipe, say).
            if !snap.identified {
                throw Failure(
                    "\(input.name): does not look like a kube-apiserver or etcd /metrics scrape ("
                        + (snap.controlPlaneNamed
                            ? "none of the families the \(options.customRules ? "" : "shipped ")rules and the report read, "
                                + "such as apiserver_request_total or etcd_mvcc_db_total_size_in_bytes)"
                            : "no apiserver_* or etcd_* samples)"))
            }
            if let stamped = snap.latestTimestamp, stamped < SnapshotCollector.earliestTime || stamped > SnapshotCollector.latestTime {
                throw Failure("\(input.name): a sample timestamp (\(stamped) ms) is not a plausible time (years 1 to 9999)")
            }
            snapshots.append((snap, stats))
        }
        return snapshots
    }

    /// The `instance` label of a source: the file's name, the URL's host and port, `stdin`.
    private static func instanceName(_ input: InputSource) -> String {
        switch input {
        case .standardInput: return "stdin"
        case .file(let path): return FilePaths.lastComponent(of: path)
        case .bytes(let name, _): return name
        case .url(let url, _):
            let c = URLComponents(string: url)
            return "\(c?.host ?? url):\(c?.port ?? (c?.scheme == "https" ? 443 : 80))"
        }
    }

    /// How far a sample's own timestamp may lie after the time its scrape was taken (`--time`)
    /// or read (a file's modification time, the clock for stdin and URLs): the clock skew
    /// between a cluster and the machine that reads its scrape.
    package static let clockSkew: Int64 = 5 * 60_000

    /// All current scrapes are evaluated at one time: `--time`, else the newest of their
    /// sample timestamps, else the newest of their scrape times (now for stdin, a file's
    /// modification time). Bad input, as the other way round: a process that started after
    /// that time, and a sample stamped after its scrape was taken or read (by more than
    /// ``clockSkew``): the year 3000 would otherwise be the evaluation time.
    private static func evaluationTime(_ options: Options, _ snapshots: [Snapshot]) throws(Failure) -> Int64 {
        for (snap, source) in zip(snapshots, options.sources) {
            guard let stamped = snap.latestTimestamp else { continue }
            let (taken, what) = options.time.map { ($0, "the scrape time given by --time") }
                ?? (source.modificationTime.map { ($0, "the file's modification time") } ?? (options.wallClock(), "the time it was read"))
            if stamped > taken + clockSkew {
                throw Failure("\(source.name): a sample is stamped \(RFC3339.format(milliseconds: stamped)), after \(what) "
                    + "(\(RFC3339.format(milliseconds: taken))): not a plausible scrape\(options.time == nil ? "; --time sets the scrape time" : "")")
            }
        }
        let now: Int64
        if let given = options.time {
            now = given
        } else if let stamped = snapshots.compactMap(\.latestTimestamp).max() {
            now = stamped
        } else {
            now = options.sources.map { $0.modificationTime ?? options.wallClock() }.max() ?? options.wallClock()
        }
        for snap in snapshots {
            if let start = snap.processStart, now < start {
                throw Failure("\(snap.instance): the process started (process_start_time_seconds \(Double(start) / 1000)) "
                    + "after the scrape time (\(Double(now) / 1000)\(options.time == nil ? "; --time sets it" : ""))")
            }
        }
        return now
    }

    /// The baseline scrape in a store of its own, and its time, when one is given.
    private static func readBaseline(
        _ options: Options, current: [(Snapshot, ParseStatistics)], now: Int64, filter: FamilyFilter?, reach: OneShot.Reach
    ) throws(Failure) -> ((snapshot: Snapshot, store: SeriesStore)?, Int64?) {
        guard let baseline = options.baseline else { return (nil, nil) }
        guard current.count == 1 else { throw Failure("--baseline compares two scrapes of one server: give exactly one SOURCE") }
        let store = SeriesStore()
        let snapshot = try snapshot(baseline, instance: current[0].0.instance, options, filter: filter, into: store, reach: reach) { _ in true }.0
        let time: Int64
        if let given = options.baselineTime {
            time = given
        } else if let stamped = snapshot.latestTimestamp {
            time = stamped
        } else {
            guard let t = baseline.modificationTime else {
                throw Failure("--baseline-time is needed: cannot read the modification time of \(baseline.name)")
            }
            time = t
        }
        guard time < now else { throw Failure("the baseline must be older than the current scrape") }
        return ((snapshot, store), time)
    }

    /// One source through the family filter into `store`, within the sample limit.
    private static func snapshot(
        _ input: InputSource, instance: String, _ options: Options, filter: FamilyFilter?, into store: SeriesStore,
        reach: OneShot.Reach, identifies: @escaping (ByteView) -> Bool
    ) throws(Failure) -> (Snapshot, ParseStatistics) {
        let sampleLimit = max(options.sampleLimit, 1)
        let collector = SnapshotCollector(store: store, instance: instance, sampleLimit: sampleLimit, reach: reach, identifies: identifies)
        var limits = ParseLimits()
        limits.maxSamples = sampleLimit
        if let bytes = options.maxDecodedBytes { limits.maxDecodedBytes = bytes }
        let parser = TextParser(options: .init(limits: limits, source: input.name, filter: filter), consumer: collector)
        do throws(InputError) {
            try input.parse(with: parser)
        } catch {
            if collector.snapshot.samplesOverLimit > 0 || parser.statistics.samples > limits.maxSamples {
                throw Failure("\(input.name): more than \(options.sampleLimit) samples of the families the rules and the report read "
                    + "(the parse stopped at line \(parser.statistics.lines)); --sample-limit raises the limit")
            }
            throw Failure(error.message)
        }
        collector.finish()
        return (collector.snapshot, parser.statistics)
    }
}
