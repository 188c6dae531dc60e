import ConfigYAML
import FoundationEssentials
import Hummingbird
import KubernetesClient
import Logging
import PromModel
import PromQL
import SeriesStorage
import PromText
import RemoteWrite
import RuleEngine
import Scraper
import ServiceLifecycle
import Workers

/// `ctlmon serve`: one process watching one cluster. Scrape loops, the rule loop and one
/// notifier queue per Alertmanager run on threads of their own (a scrape or a POST blocks
/// on the network); the HTTP API runs on Hummingbird. SIGTERM stops the HTTP server, the
/// scrapes and the rule loop (the evaluation in flight finishes), flushes the notifier
/// within a deadline, writes the state, and exits 0.
package struct Sidecar {
    /// The settings of `ctlmon serve`, from its command line.
    package struct Options: Sendable {
        /// `--config`; nil: the in-cluster defaults (``SidecarConfig/inCluster(api:)``).
        package var configPath: String? = nil
        /// `--storage.path`: where ``StateFiles`` keeps alert states and series; nil: nothing
        /// survives a restart.
        package var storagePath: String? = nil
        /// `--web.listen-address`: `HOST:PORT` of the HTTP API.
        package var listenAddress = "0.0.0.0:9095"
        /// `--web.external-url`, the base of alerts' `generatorURL`; nil: `http://HOSTNAME:PORT`
        /// (`https` when the web config serves TLS).
        package var externalURL: String? = nil
        /// `--log.format`: how each log line on stderr is written.
        package var logFormat = LineLogHandler.Format.logfmt
        /// `--log.level`: the least severe level written.
        package var logLevel = Logger.Level.info
        /// How long SIGTERM waits for the notifier queues to drain.
        package var shutdownDeadline: Duration = .seconds(10)
        /// How long alert states stay valid across downtime (Prometheus's `--rules.alert.for-outage-tolerance`).
        package var outageTolerance: Duration = .seconds(3600)
        /// `--query.timeout`, `--query.max-concurrency`, `--query.max-samples`.
        package var queryLimits = QueryLimits()
        /// `--web.config.file`: Prometheus's web configuration (basic authentication users, TLS).
        package var webConfigPath: String? = nil
        /// `--web.enable-lifecycle`: `POST /-/reload` (and `PUT`) reload the config; SIGHUP always does.
        package var enableLifecycle = false
        /// `--web.read-timeout`: a connection idle this long is closed, and so is one
        /// whose request (head and body) takes longer to arrive (a slow client cannot hold it).
        package var readTimeout: Duration = .seconds(300)
        /// `--storage.dashboard-retention`: how long the metrics the shipped dashboards read are
        /// kept besides what the rules need (their default time range; zero: only the rules').
        package var dashboardRetention: Duration = .seconds(3600)
        /// `--storage.remote-write.max-size`: the most each `remote_write` destination's buffer
        /// keeps on disk, in bytes (past it, its oldest samples are dropped and counted).
        package var remoteWriteMaxBytes = 1 << 30

        /// The defaults: the in-cluster config, no storage, `0.0.0.0:9095`, logfmt at `info`.
        package init() {}
    }

    /// The loaded pieces of a configuration: the config and its rule groups.
    package struct Loaded: Sendable {
        /// The configuration, from the file or the in-cluster defaults.
        package var config: SidecarConfig
        /// The groups of `rule_files`, or the shipped rules when the config names none.
        package var groups: [RuleGroup]
    }

    /// Loads the config (or the in-cluster defaults) and its rule files: every problem with
    /// `file:line`. Used by `--check-config` too.
    package static func load(_ options: Options) throws -> Loaded {
        var config: SidecarConfig
        if let path = options.configPath {
            config = try SidecarConfig.load(path: path)
        } else if let api = KubernetesAPI.inCluster() {
            config = SidecarConfig.inCluster(api: api)
        } else {
            throw SidecarError("no --config, and not inside a Kubernetes pod (no service account): give a config file")
        }
        var groups: [RuleGroup] = []
        if config.ruleFiles.isEmpty {
            groups = try ShippedRules.loadGroups()
        } else {
            let folder = config.path.map { FilePaths.directory(of: $0) } ?? ""
            let base = folder.isEmpty ? "." : folder
            for pattern in config.ruleFiles {
                let full = pattern.hasPrefix("/") ? pattern : base + "/" + pattern
                let files: [String]
                do { files = try FileGlob.expand(full) } catch { throw SidecarError("rule_files: \(error)") }
                if files.isEmpty { throw SidecarError("rule_files: \"\(pattern)\" matches no file") }
                for f in files { groups += try RuleFile.load(path: f).groups }
            }
        }
        return Loaded(config: config, groups: groups)
    }

    /// Runs until SIGTERM or SIGINT.
    package static func run(_ options: Options) async throws {
        Allocator.configureForLongRun()
        let clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, format: options.logFormat, level: options.logLevel, clock: clock) }
        let logger = Logger(label: "ctlmon")
        let loaded = try load(options)
        let config = loaded.config
        let groups = loaded.groups
        let store = SeriesStore()
        let files = options.storagePath.map(StateFiles.init)
        if let path = options.storagePath {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let startTime = Date().timeIntervalSince1970
        let (host, port) = try Self.hostAndPort(options.listenAddress)
        let web = try options.webConfigPath.map { path throws -> WebConfig in
            do { return try WebConfig.load(path: path) } catch { throw SidecarError("--web.config.file: \(error)") }
        }
        // Links in alerts (generatorURL) point where the API is served: https with TLS.
        let externalURL = options.externalURL ?? "\(web?.tls == nil ? "http" : "https")://\(ProcessInfo.processInfo.hostName):\(port)"

        // History from the last run first, so the rules see it from their first evaluation.
        if let files {
            do {
                let n = try files.readSeries(into: store)
                if n > 0 { logger.info("series restored", metadata: ["series": "\(n)"]) }
            } catch {
                logger.error("series file unusable", metadata: ["problem": "\(error)"])
            }
        }
        // Remote write: every sample the store accepts from now on goes to each destination's
        // buffer on disk, and from there to the receiver.
        let remoteWrite = RemoteWriteService(store: store) { configs, external in
            try Self.remoteWriting(configs, externalLabels: external, options: options, logger: logger)
        }
        try remoteWrite.open(config.remoteWrite, externalLabels: config.externalLabels)

        // The rules wait for a first scrape of every target (at most two scrape intervals):
        // each scrape wakes them to look again.
        let gate = StartGate(bound: 2 * (config.scrapeConfigs.compactMap(\.interval).max() ?? config.scrapeInterval))
        let derived = Derived(groups, dashboardRetention: options.dashboardRetention.inMilliseconds)
        let discovery = Discovery(config: config, logger: logger)
        // Each scrape wakes the rule manager in service (set once the pipeline is made).
        let wakeRules = Locked<(@Sendable () -> Void)?>(nil)
        let scrapes = ScrapeManager(store: store, filter: derived.filter, clock: clock) { target, result in
            discovery.observe(target, result)
            wakeRules.get()?()
        }
        gate.watch(scrapes)
        let housekeeping = Housekeeping(
            store: store, files: files, retention: derived.retention, otherwise: derived.otherwise, clock: clock, logger: logger)
        let parts = Reload.Parts(
            options: options, store: store, files: files, externalURL: externalURL, logger: logger, clock: clock,
            discovery: discovery, scrapes: scrapes, housekeeping: housekeeping, remoteWrite: remoteWrite)
        let first = pipeline(loaded, parts: parts, gate: { gate.open })
        first.rules.restore(now: clock())
        let current = AlertPipeline.Current(first)
        wakeRules.withLock { $0 = { current.value.rules.wake() } }
        let reload = Reload(parts, pipeline: current)


        // The webhook configurations, when running in a cluster (the role may list them).
        let webhookConfigs = KubernetesAPI.inCluster().map { WebhookConfigWatcher(api: $0, store: store, logger: logger, clock: clock) }

        let api = SidecarAPI(
            store: store, pipeline: current, scrapes: scrapes, startTime: startTime, clock: clock, limits: options.queryLimits, reload: reload,
            webhookConfigurations: { webhookConfigs?.current }, remoteWrite: remoteWrite)
        let authentication = (web?.users.isEmpty ?? true) ? nil : BasicAuthentication(users: web!.users)
        let tls = try web?.tls.map { settings throws -> ServerTLS in
            do { return try ServerTLS(settings, logger: logger) } catch { throw SidecarError("--web.config.file: \(error)") }
        }
        let router = SidecarRoutes.router(api: api, lifecycle: options.enableLifecycle, authentication: authentication)
        let hangups = Hangups { _ = reload.reload() }
        let app = Application(
            router: router,
            server: SidecarRoutes.server(readTimeout: options.readTimeout, tls: tls),
            configuration: .init(address: .hostname(host, port: port), serverName: "ctlmon"),
            services: [
                // First to start and last to stop: it sends what the others write until they stop.
                ThreadService(name: "remote-write", start: { remoteWrite.start() }, stop: { remoteWrite.stop() }),
                // One service for the pipeline and its reloads: reloads begin once it runs, and
                // end before it stops (a reload never starts or stops what shutdown stops).
                ThreadService(name: "alerting", start: {
                    current.value.notifier?.start()
                    current.value.rules.start()
                    reload.begin()
                }, stop: {
                    reload.stop()
                    current.value.rules.stop()
                    current.value.notifier?.stop(deadline: .now + options.shutdownDeadline)
                }),
                ThreadService(name: "retention", start: { housekeeping.start() }, stop: { housekeeping.stop() }),
                ThreadService(name: "webhook-configs", start: { webhookConfigs?.start() }, stop: { webhookConfigs?.stop() }),
                ThreadService(name: "scrapes", start: { discovery.start { scrapes.apply($0) } }, stop: {
                    discovery.stop()
                    scrapes.stopAll()
                }),
                ThreadService(name: "sighup", start: { hangups.start() }, stop: { hangups.stop() }),
            ],
            logger: logger)
        logger.info("ctlmon serve started", metadata: [
            "listen": "\(host):\(port)", "tls": "\(tls != nil)", "basic_auth": "\(authentication != nil)", "targets_configs": "\(config.scrapeConfigs.count)", "rule_groups": "\(groups.count)",
            "alertmanagers": "\(first.notifier?.queues.count ?? 0)", "remote_write": "\(config.remoteWrite.map(\.name).joined(separator: ","))",
        ])
        try await app.runService()
        logger.info("ctlmon serve stopped")
    }

    /// The remote-write destinations of a config, their buffers opened (nil: none configured).
    static func remoteWriting(
        _ configs: [RemoteWriteConfig], externalLabels: [String: String], options: Options, logger: Logger
    ) throws -> RemoteWriting? {
        guard !configs.isEmpty else { return nil }
        guard let path = options.storagePath else {
            throw SidecarError("remote_write needs --storage.path: each destination's buffer is kept there")
        }
        do {
            return try RemoteWriting(
                configs: configs, externalLabels: externalLabels, folder: path + "/remote-write", maxBytes: options.remoteWriteMaxBytes,
                signers: try RemoteWriteSigners.make(
                    configs, environment: ProcessInfo.processInfo.environment, clock: { Int64(Date().timeIntervalSince1970 * 1000) })
            ) { line in logger.warning("\(line)") }
        } catch {
            throw SidecarError("remote_write: \(error)")
        }
    }

    /// The rule manager and notifier of a loaded config (not started).
    static func pipeline(_ loaded: Loaded, parts p: Reload.Parts, gate: @escaping @Sendable () -> Bool) -> AlertPipeline {
        let config = loaded.config
        let notifier = config.alertmanagers.isEmpty ? nil
            : Notifier(alertmanagers: config.alertmanagers, externalLabels: config.externalLabels, externalURL: p.externalURL, logger: p.logger)
        let rules = RuleManager(
            groups: loaded.groups, store: p.store, externalLabels: config.externalLabels,
            evaluationInterval: Int64(config.evaluationInterval * 1000), notifier: notifier, files: p.files, logger: p.logger,
            outageTolerance: p.options.outageTolerance.inMilliseconds, clock: p.clock, firstEvaluationGate: gate)
        return AlertPipeline(rules: rules, notifier: notifier, externalLabels: config.externalLabels)
    }

    /// What the rule groups decide about scraping and keeping: the families the scrapes keep
    /// (nil: all), and how long each metric is kept — as long as the rules read it back, plus
    /// two minutes; a selector without a metric name keeps everything for its reach.
    /// What the store keeps, derived from the rules and the shipped dashboards: the families
    /// kept while parsing (nil: every family) and how long each name's points are kept (ms).
    package struct Derived {
        /// The families kept while parsing; nil keeps every family.
        package let filter: FamilyFilter?
        /// Per metric name, how long its points are kept (ms).
        package let retention: [String: Int64]
        /// How long the points of any other name are kept (ms).
        package let otherwise: Int64

        /// What `groups` read, and what `dashboards` read over `dashboardRetention` (ms; 0:
        /// nothing for the dashboards): the families kept while parsing, and how long each is kept.
        package init(_ groups: [RuleGroup], dashboards: [Expr] = DashboardQuery.expressions, dashboardRetention: Int64 = 0) {
            let ruleNames = RuleGroup.selectedNames(groups)
            let reach = RuleGroup.reach(groups)
            let margin: Int64 = 2 * 60_000
            var retention = reach.byName.mapValues { max($0, reach.unnamed ?? 0) + margin }
            var names = ruleNames
            if dashboardRetention > 0 {
                // A panel at the start of the dashboards' range reads back its own reach more.
                for (name, back) in Expr.reach(dashboards).byName {
                    retention[name] = max(retention[name] ?? 0, dashboardRetention &+ back &+ margin)
                }
                if let dashboardNames = Expr.selectedNames(dashboards) { names = names.map { $0.union(dashboardNames) } } else { names = nil }
            }
            filter = names.map { FamilyFilter(names: Array($0).sorted()) }
            self.retention = retention
            otherwise = (reach.unnamed ?? 5 * 60_000) + margin
        }
    }

    static func hostAndPort(_ address: String) throws -> (String, Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw SidecarError("--web.listen-address: expected HOST:PORT, got \"\(address)\"")
        }
        // An IPv6 address is written in brackets (`[::1]:9090`); the bind wants it bare.
        var host = address[..<colon]
        while let c = host.first, c == "[" || c == "]" { host.removeFirst() }
        while let c = host.last, c == "[" || c == "]" { host.removeLast() }
        return (host.isEmpty ? "0.0.0.0" : String(host), port)
    }
}

/// Opens once every current target has been scraped once, or after `bound` seconds
/// (monotonic) since it was made.
final class StartGate: Sendable {
    private let started = ContinuousClock.now
    private let bound: Double
    private let scrapes = Locked<ScrapeManager?>(nil)

    init(bound: Double) { self.bound = bound }

    /// The scrape manager whose targets the gate waits for (set before the rules start).
    func watch(_ manager: ScrapeManager) { scrapes.withLock { $0 = manager } }

    var open: Bool {
        if started.secondsElapsed >= bound { return true }
        guard let loops = scrapes.withLock({ $0 })?.current, !loops.isEmpty else { return false }
        return loops.allSatisfy { $0.status.scrapes > 0 }
    }
}

/// A sidecar that cannot start: its message is printed as is.
package struct SidecarError: Error, CustomStringConvertible {
    /// What is wrong, in words for the operator (`rule_files: "…" matches no file`).
    package let description: String
    /// A failure that reads `description`.
    package init(_ description: String) { self.description = description }
}

/// A component on threads of its own, as a ServiceLifecycle service: started when the
/// group runs, stopped at graceful shutdown (SIGTERM), in reverse order of the list.
struct ThreadService: Service {
    let name: String
    let start: @Sendable () -> Void
    let stop: @Sendable () -> Void

    func run() async throws {
        start()
        try? await gracefulShutdown()
        stop()
    }
}
