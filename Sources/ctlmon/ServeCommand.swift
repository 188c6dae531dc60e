import ArgumentParser
import Logging
import PromModel
import PromQL
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

    @Option(name: .customLong("storage.dashboard-retention"), help: "How long the metrics the shipped dashboards read are kept, besides what the rules need (0s: only the rules').")
    var dashboardRetention = "1h"

    @Option(name: .customLong("storage.remote-write.max-size"), help: "The most each remote_write destination's buffer keeps on disk (512MiB, 2GiB); past it the oldest samples are dropped and counted.")
    var remoteWriteMaxSize = "1GiB"

    @Option(name: .customLong("log.level"), help: "debug, info, warn or error.")
    var logLevel = "info"

    @Option(name: .customLong("log.format"), help: "logfmt or json.")
    var logFormat = "logfmt"

    @Option(name: .customLong("query.timeout"), help: "The longest a query may take (a Prometheus duration).")
    var queryTimeout = "2m"

    @Option(name: .customLong("query.max-concurrency"), help: "The most queries evaluated at once; the others wait.")
    var queryMaxConcurrency = 20

    @Option(name: .customLong("query.max-samples"), help: "The most samples one query may load.")
    var queryMaxSamples = 50_000_000

    @Option(name: .customLong("web.read-timeout"), help: "Closes a connection idle this long, or whose request takes longer to arrive.")
    var readTimeout = "5m"

    @Option(name: .customLong("web.config.file"), help: "Prometheus's web configuration file: basic_auth_users (bcrypt hashes).")
    var webConfigFile: String?

    @Flag(name: .customLong("web.enable-lifecycle"), help: "Serve POST /-/reload (SIGHUP reloads the config either way).")
    var enableLifecycle = false

    @Flag(name: .customLong("check-config"), help: "Check the config and its rule files, then exit (0 valid, 2 not).")
    var checkConfig = false

    /// A positive Prometheus duration flag, in seconds.
    static func duration(_ flag: String, _ text: String) throws -> Duration {
        guard let ms = PromDuration.parse(Substring(text)), ms > 0 else {
            throw CommandFailure.badInput("\(flag): expected a positive duration (30s, 2m), got \"\(text)\"")
        }
        return .milliseconds(ms)
    }

    func run() async throws {
        var options = Sidecar.Options()
        options.configPath = config
        options.storagePath = storagePath
        guard let maxBytes = SidecarConfig.bytes(remoteWriteMaxSize), maxBytes >= 1 << 20 else {
            throw CommandFailure.badInput("--storage.remote-write.max-size: expected a size of at least 1MiB (512MiB, 2GiB), got \"\(remoteWriteMaxSize)\"")
        }
        options.remoteWriteMaxBytes = maxBytes
        options.listenAddress = listenAddress
        options.externalURL = externalURL
        guard let format = LineLogHandler.Format(rawValue: logFormat) else {
            throw CommandFailure.badInput("--log.format: expected logfmt or json, got \"\(logFormat)\"")
        }
        options.logFormat = format
        let levels: [String: Logger.Level] = ["debug": .debug, "info": .info, "warn": .warning, "error": .error]
        guard let level = levels[logLevel] else { throw CommandFailure.badInput("--log.level: expected debug, info, warn or error, got \"\(logLevel)\"") }
        options.logLevel = level
        options.enableLifecycle = enableLifecycle
        options.webConfigPath = webConfigFile
        options.queryLimits.timeout = try Self.duration("--query.timeout", queryTimeout)
        options.readTimeout = try Self.duration("--web.read-timeout", readTimeout)
        guard let keep = PromDuration.parse(Substring(dashboardRetention)), keep >= 0 else {
            throw CommandFailure.badInput("--storage.dashboard-retention: expected a duration (1h, 0s), got \"\(dashboardRetention)\"")
        }
        options.dashboardRetention = .milliseconds(keep)
        guard queryMaxConcurrency >= 1 else { throw CommandFailure.badInput("--query.max-concurrency: at least 1") }
        guard queryMaxSamples >= 1 else { throw CommandFailure.badInput("--query.max-samples: at least 1") }
        options.queryLimits.maxConcurrency = queryMaxConcurrency
        options.queryLimits.maxSamples = queryMaxSamples
        if checkConfig {
            do {
                let loaded = try Sidecar.load(options)
                if let webConfigFile {
                    do { _ = try WebConfig.load(path: webConfigFile) } catch { throw SidecarError("--web.config.file: \(error)") }
                }
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
