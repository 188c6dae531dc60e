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
}
