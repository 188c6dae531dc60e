import ArgumentParser
import Glibc
import PromModel
import AdmissionWebhooks
import Check
import ConfigYAML
import FoundationEssentials
import HTTPClient
import KubernetesClient
import RuleEngine

/// `ctlmon check`: one-shot control-plane health from one or more scrapes.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check API server latency, admission webhooks and etcd size from /metrics scrapes.",
        discussion: """
            ctlmon check                      (the cluster of the current kubeconfig context, as kubectl reaches it)
            kubectl ctlmon check --context prod
            kubectl get --raw /metrics | ctlmon check
            With no SOURCE and standard input a terminal, or with --kubeconfig or --context: the API \
            server's /metrics, the EKS scheduler and controller manager metrics where offered, and both kinds \
            of admission webhook configurations, in one report. Each SOURCE is one API server instance (a file, gzip or not, or - for stdin). One scrape has no \
            time range: counters are taken as growing steadily since the process started, so rates are \
            lifetime averages (--baseline EARLIER_SCRAPE gives a real window). Exit 0: nothing at or above \
            --fail-on fires; 1: something does; 2: bad input or usage.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json, html }
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

    @Option(help: "Output: text, json, or html (one self-contained page to attach to an incident).")
    var format: OutputFormat = .text

    @Option(help: "Write the report to this file instead of standard output (replaced whole, never left half-written).")
    var output: String?

    @Option(help: "Lowest severity that makes the exit code 1: warning or critical.")
    var failOn: FailOn = .warning

    @Option(help: "Colours: auto (on a terminal), always or never.")
    var color: ColorMode = .auto

    @Option(help: "Most samples of the families the rules read kept per source (memory bound, like Prometheus's sample_limit).")
    var sampleLimit: Int = 500_000

    @Option(help: "The kubeconfig to reach the cluster with (default: KUBECONFIG's files merged, else ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context (default: its current-context).")
    var context: String?

    @Option(name: .customLong("webhook-config"), help: "kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o json (or yaml): audit them and join with the scrapes' webhook metrics.")
    var webhookConfig: String?

    /// Whether the check reads the cluster of a kubeconfig: no SOURCE, and standard input a
    /// terminal (nothing is piped in) or a kubeconfig flag given.
    var readsCluster: Bool { sources.isEmpty && (kubeconfig != nil || context != nil || isatty(0) != 0) }

    func run() throws {
        if !sources.isEmpty && (kubeconfig != nil || context != nil) {
            throw usage("--kubeconfig and --context read the cluster: give no SOURCE with them")
        }
        if readsCluster && (tokenFile != nil || caFile != nil || insecureSkipVerify) {
            throw usage("--token-file, --ca-file and --insecure-skip-verify are for http(s) SOURCEs: the kubeconfig says how to reach the cluster")
        }
        var configurations = try webhookConfig.map { path throws -> WebhookConfigurationReader.Result in
            if path == "-" && ((sources.isEmpty && !readsCluster) || sources.contains("-")) {
                throw usage("--webhook-config -: standard input already holds the scrape; give the configurations as a file")
            }
            do throws(WebhookConfigError) { return try WebhookConfigurationReader.load(path: path) } catch { throw badInput(error.description) }
        }
        // The cluster is read once the local inputs are known good (no plugin runs for a bad flag).
        var cluster: ClusterRead? = nil
        if readsCluster { cluster = try ClusterRead.read(kubeconfig: kubeconfig, context: context, webhooks: webhookConfig == nil) }
        if let listed = cluster?.webhooks { configurations = listed }
        for note in cluster?.notes ?? [] { printError("note: \(note)") }
        var (report, evaluator) = try report(webhooks: configurations?.webhooks, cluster: cluster?.scrapes)
        if let configurations { report.audit(configurations) }
        let useColor = color == .always || (color == .auto && isatty(1) != 0)
        let rendered: String
        switch format {
        case .json: rendered = report.json()
        case .html: rendered = report.html()
        case .text: rendered = report.text(color: useColor && output == nil)
        }
        if let output {
            do {
                try SystemFile.replace(output, with: Array((rendered + (rendered.hasSuffix("\n") ? "" : "\n")).utf8))
            } catch {
                throw badInput("--output \(output): \(error)")
            }
        } else {
            print(rendered, terminator: rendered.hasSuffix("\n") ? "" : "\n")
        }
        for e in evaluator.errors { printError("rule evaluation failed: \(e)") }
        let threshold = failOn == .critical ? 2 : 1
        if report.alerts.contains(where: { CheckReport.rank($0.severity) >= threshold }) { throw CommandFailure.found }
        if report.audit?.reaches(failOn == .critical ? .critical : .warning) == true { throw CommandFailure.found }
        // A rule that could not be evaluated leaves the verdict incomplete: never a green exit.
        if !evaluator.errors.isEmpty { throw CommandFailure.reported }
    }

    /// Reads the scrapes, evaluates the rules and computes the report (`ctlmon webhooks
    /// --metrics` reuses it) through the one-shot pipeline, ``OneShotCheck``.
    func report(webhooks: [AdmissionWebhook]? = nil, cluster: [InputSource]? = nil) throws -> (CheckReport, RuleEvaluator) {
        let http = InputSource.HTTPOptions(tokenFile: tokenFile, caFile: caFile, insecureSkipVerify: insecureSkipVerify)
        let inputs = cluster ?? (sources.isEmpty ? ["-"] : sources).map { InputSource($0, http: http) }
        var options = OneShotCheck.Options(sources: inputs, groups: try loadRules())
        options.time = try time.map { text throws -> Int64 in try CommandFailure.time("--time", text) }
        options.baseline = baseline.map { InputSource($0) }
        options.baselineTime = try baselineTime.map { text throws -> Int64 in try CommandFailure.time("--baseline-time", text) }
        options.sampleLimit = sampleLimit
        options.webhooks = webhooks
        options.customRules = !rulePaths.isEmpty
        do throws(OneShotCheck.Failure) {
            let outcome = try OneShotCheck.run(options)
            return (outcome.report, outcome.evaluator)
        } catch {
            throw badInput(error.message)
        }
    }

    private func usage(_ message: String) -> CommandFailure { .badInput(message) }

    private func badInput(_ message: String) -> CommandFailure { .badInput(message) }

    private func loadRules() throws -> [RuleGroup] {
        for path in rulePaths where RulesCheckCommand.isEmptyFolder(path) {
            throw usage("--rules \(path): no rule files (*.yml, *.yaml) in this folder")
        }
        do throws(ConfigFileError) {
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
}
