import ArgumentParser

/// `ctlmon`: Kubernetes control-plane health from Prometheus `/metrics` text.
@main
struct Ctlmon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctlmon",
        abstract: "Watch a Kubernetes control plane's health from the Prometheus text its components expose.",
        version: "0.1.0",
        subcommands: [CheckCommand.self, ParseCommand.self, QueryCommand.self, RulesCommand.self]
    )

    /// Runs the command line. Usage errors exit 2, as the command-line contract says
    /// (argument-parser's own default is 64, EX_USAGE).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                printError(fullMessage(for: error), prefixed: false)
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
