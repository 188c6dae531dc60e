import ArgumentParser
import PromModel

/// `ctlmon`: Kubernetes control-plane health from Prometheus `/metrics` text.
@main
struct Ctlmon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctlmon",
        abstract: "Watch a Kubernetes control plane's health from the Prometheus text its components expose.",
        version: BuildVersion.version,
        subcommands: [CheckCommand.self, ParseCommand.self, QueryCommand.self, RulesCommand.self, ServeCommand.self, WebhooksCommand.self]
    )

    /// Runs the command line: the one place where a failure becomes a message and an exit
    /// code. Usage errors exit 2, as the command-line contract says (argument-parser's own
    /// default is 64, EX_USAGE).
    static func main() async {
        var failure: CommandFailure? = nil
        do {
            var command = try parseAsRoot(expressionArguments(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let commandFailure as CommandFailure {
            failure = commandFailure
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error), prefixed: false)
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
        // A report that did not reach its reader (a full disk, `> /dev/full`) is no verdict:
        // exit 2, whatever the command found.
        if (failure?.exitCode ?? 0) < 2, let unwritten = OutputCheck.unwritten() { failure = unwritten }
        if let failure {
            if let message = failure.message { printError(message) }
            exit(withError: ExitCode(failure.exitCode))
        }
    }

    /// `ctlmon query -1` and `ctlmon query '-rate(x[5m])'`: an expression may start with `-`,
    /// which the argument parser would take for an option. Such an argument of `query` that
    /// is no option of it gets a leading space (PromQL ignores it), so it stays the expression.
    static func expressionArguments(_ arguments: [String]) -> [String] {
        guard let q = arguments.firstIndex(of: "query") else { return arguments }
        let options = ["--time", "--interval", "--format", "--help", "-h", "--version"]
        var out = arguments
        var k = q + 1
        while k < out.count {
            let a = out[k]
            if a == "--" { break }
            if options.contains(where: { a == $0 || a.hasPrefix($0 + "=") }) {
                k += a.contains("=") || a == "--help" || a == "-h" || a == "--version" ? 1 : 2
                continue
            }
            if a.hasPrefix("-") && a != "-" { out[k] = " " + a }
            k += 1
        }
        return out
    }
}
