import ArgumentParser
import Check
import FoundationEssentials
import Glibc
import AdmissionWebhooks
import PromModel

/// `ctlmon webhooks`: admission webhook configurations audited against the EKS best-practices
/// advice, optionally joined with the API server's webhook metrics.
struct WebhooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Audit admission webhook configurations (and join them with the API server's webhook metrics).",
        discussion: """
            kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o json | ctlmon webhooks
            ctlmon webhooks hooks.json --metrics <(kubectl get --raw /metrics)
            Reports catch-all rules, failurePolicy Fail on pods or everything without sparing kube-system, webhooks \
            that intercept their own namespace, timeouts near 30 s, control-plane resources in their path, side \
            effects; with --metrics, p99 latency against each webhook's timeout and failing calls graded by its \
            failurePolicy. Exit 0: no finding at or above --fail-on; 1: some; 2: bad input or usage.
            """
    )

    @Argument(help: "The configurations: a file (JSON or YAML: a List, one configuration, or several documents), or - for stdin (the default).")
    var file: String = "-"

    @Option(help: "A kube-apiserver scrape (file, http(s) URL) to join with, as ctlmon check reads it; repeat the flag for each API server.")
    var metrics: [String] = []

    @Option(parsing: .unconditional, help: "When the scrapes were taken: Unix seconds or RFC 3339 (as ctlmon check).")
    var time: String?

    @Option(name: .customLong("token-file"), help: "For http(s) scrapes: a file holding the bearer token.")
    var tokenFile: String?

    @Option(name: .customLong("ca-file"), help: "For https scrapes: the CA certificates to verify the server with.")
    var caFile: String?

    @Option(help: "Output: text or json.")
    var format: CheckCommand.OutputFormat = .text

    @Option(help: "Lowest severity that makes the exit code 1: warning or critical.")
    var failOn: CheckCommand.FailOn = .warning

    @Option(help: "Colours: auto (on a terminal), always or never.")
    var color: CheckCommand.ColorMode = .auto

    func run() throws {
        if file == "-" && metrics.contains("-") {
            throw CommandFailure.badInput("the configurations and a scrape cannot both come from standard input")
        }
        let configurations: WebhookConfigurationReader.Result
        do throws(WebhookConfigError) {
            configurations = try WebhookConfigurationReader.load(path: file)
        } catch {
            throw CommandFailure.badInput(error.description)
        }
        var joined: [String: WebhookMetrics]? = nil
        if !metrics.isEmpty {
            var arguments = metrics
            if let time { arguments += ["--time", time] }
            if let tokenFile { arguments += ["--token-file", tokenFile] }
            if let caFile { arguments += ["--ca-file", caFile] }
            let check = try CheckCommand.parse(arguments)
            joined = try check.report().0.webhookMetrics
        }
        let audit = WebhookAudit(webhooks: configurations.webhooks, metrics: joined)
        if format == .json {
            var w = JSONWriter()
            audit.write(into: &w, skipped: configurations.skipped)
            print(w.output)
        } else {
            let useColor = color == .always || (color == .auto && isatty(1) != 0)
            print(audit.text(color: useColor, source: file == "-" ? "<stdin>" : file, skipped: configurations.skipped))
        }
        if audit.reaches(failOn == .critical ? .critical : .warning) { throw CommandFailure.found }
    }
}
