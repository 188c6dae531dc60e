import ArgumentParser
import Logging
import Sidecar

/// `ctlmon serve`: the sidecar.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the sidecar: scrape every API server, evaluate the rules, send alerts to Alertmanager, serve the state over HTTP.",
        discussion: """
            The config file is a subset of prometheus.yml (global, rule_files, scrape_configs, alerting). \
            Without --config inside a pod: every API server behind default/kubernetes, scraped with the pod's \
            service account. --check-config validates the config and its rule files and exits (0 valid, 2 not).
            """
    )

    @Option(name: .customLong("config"), help: "The config file (a subset of prometheus.yml).")
    var config: String?

    @Option(name: .customLong("web.listen-address"), help: "Where the HTTP API listens (HOST:PORT).")
    var listenAddress = "0.0.0.0:9095"

    @Option(name: .customLong("web.external-url"), help: "The URL ctlmon is reached at (for generatorURL in alerts).")
    var externalURL: String?

    @Option(name: .customLong("storage.path"), help: "Where alert states and history are kept across restarts.")
    var storagePath: String?

    @Option(name: .customLong("log.level"), help: "debug, info, warn or error.")
    var logLevel = "info"

    @Option(name: .customLong("log.format"), help: "logfmt or json.")
    var logFormat = "logfmt"

    @Flag(name: .customLong("check-config"), help: "Check the config and its rule files, then exit (0 valid, 2 not).")
    var checkConfig = false

    func run() async throws {
        var options = Sidecar.Options()
        options.configPath = config
        options.storagePath = storagePath
        options.listenAddress = listenAddress
        options.externalURL = externalURL
        guard let format = LineLogHandler.Format(rawValue: logFormat) else {
            throw CommandFailure.badInput("--log.format: expected logfmt or json, got \"\(logFormat)\"")
        }
        options.logFormat = format
        let levels: [String: Logger.Level] = ["debug": .debug, "info": .info, "warn": .warning, "error": .error]
        guard let level = levels[logLevel] else { throw CommandFailure.badInput("--log.level: expected debug, info, warn or error, got \"\(logLevel)\"") }
        options.logLevel = level
        if checkConfig {
            do {
                let loaded = try Sidecar.load(options)
                print("Checking \(config ?? "the in-cluster defaults")")
                print("  SUCCESS: \(loaded.config.scrapeConfigs.count) scrape configs, \(loaded.groups.count) rule groups, "
                    + "\(loaded.config.alertmanagers.flatMap(\.targets).count) Alertmanagers")
                return
            } catch {
                throw CommandFailure.badInput("\(error)")
            }
        }
        do {
            try await Sidecar.run(options)
        } catch let e as SidecarError {
            throw CommandFailure.badInput(e.description)
        }
    }
}
