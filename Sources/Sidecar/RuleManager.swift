import FoundationEssentials
import Logging
import Workers
import PromModel
import PromQL
import SeriesStorage
import RuleEngine

/// Evaluates the rule groups at their intervals on a thread of its own, hands the alerts
/// to the notifier after each group, and keeps the alert states on disk.
///
/// Each group is evaluated at multiples of its interval plus an offset from its name (as
/// Prometheus spreads groups), rules in order. After a restart, the alert states of the
/// last run come back when that run evaluated less than `outageTolerance` ago (an hour, as
/// Prometheus's `--rules.alert.for-outage-tolerance`): a firing alert is still firing (no
/// new notification storm), a pending one keeps its start and fires at its original time,
/// `keep_firing_for` goes on. After a longer outage the states start over.
package final class RuleManager: Sendable {
    /// The evaluator and what goes with it: the rule thread's, locked for a whole group
    /// evaluation (and for a restore).
    private struct State {
        let evaluator: RuleEvaluator
        var lastStateWrite: Int64 = 0
        /// Group evaluation times and durations (seconds, monotonic), for `/api/v1/rules`.
        var groupStatus: [(last: Int64?, duration: Double)]
    }

    /// What the HTTP API reads: the state as of the last completed group evaluation, copied
    /// after each one, so that `/api/v1/rules`, `/api/v1/alerts`, `/metrics` and `/-/ready`
    /// never wait for an evaluation in progress.
    private struct Published {
        var ready = false
        var alerts: [(rule: Rule, alert: ActiveAlert)] = []
        var groups: [GroupSnapshot]
    }

    /// One group as of its last evaluation, for the API.
    package typealias GroupSnapshot = (
        group: RuleGroup, last: Int64?, duration: Double, rules: [(rule: Rule, status: RuleEvaluator.RuleStatus, alerts: [ActiveAlert])]
    )

    private let state: Locked<State>
    private let published: Locked<Published>
    /// The rule groups in load order; a group's index here is the `g` of ``interval(of:)``.
    package let groups: [RuleGroup]
    private let notifier: Notifier?
    private let files: StateFiles?
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    private let defaultInterval: Int64
    /// Milliseconds: the oldest last evaluation whose alert states ``restore(now:)`` brings back.
    package let outageTolerance: Int64
    private let worker = WorkerThread(name: "rules")
    /// Each alerting rule's expression by name, for the notifier's `generatorURL`.
    private let expressions: [String: String]
    /// Whether the first evaluation may run: not before every target was scraped once (or a
    /// bound passed), or alerts restored from the last run would meet a store without data
    /// and resolve at once.
    private let firstEvaluationGate: @Sendable () -> Bool

    /// `evaluationInterval`: for groups without their own (milliseconds, as `outageTolerance`);
    /// `clock`: Unix milliseconds; `firstEvaluationGate`: checked at each ``wake()`` and at least
    /// every second until it opens, before the first evaluation.
    package init(
        groups: [RuleGroup], store: SeriesStore, externalLabels: [String: String], evaluationInterval: Int64,
        notifier: Notifier?, files: StateFiles?, logger: Logger, outageTolerance: Int64 = 3_600_000,
        clock: @escaping @Sendable () -> Int64, firstEvaluationGate: @escaping @Sendable () -> Bool = { true }
    ) {
        self.firstEvaluationGate = firstEvaluationGate
        self.groups = groups
        let evaluator = RuleEvaluator(groups: groups, store: store, externalLabels: externalLabels, evaluationInterval: evaluationInterval)
        state = Locked(State(evaluator: evaluator, groupStatus: groups.map { _ in (nil, 0) }))
        published = Locked(Published(groups: groups.map { g in
            (g, nil, 0, g.rules.map { r in (r, RuleEvaluator.RuleStatus(), [ActiveAlert]()) })
        }))
        self.notifier = notifier
        self.files = files
        self.logger = logger
        self.clock = clock
        defaultInterval = evaluationInterval
        self.outageTolerance = outageTolerance
        var exprs: [String: String] = [:]
        for g in groups { for r in g.rules where r.kind == .alerting { exprs[r.name] = r.exprText.trimmingWhitespace() } }
        expressions = exprs
    }

    /// True once every group has been evaluated once (`/-/ready`).
    package var isReady: Bool { published.withLock { $0.ready } }

    /// The evaluation interval of group `g` (milliseconds): its own, or the global one.
    package func interval(of g: Int) -> Int64 { groups[g].interval ?? defaultInterval }

    /// Restores the alert states of the last run, if recent enough; says what it did.
    package func restore(now: Int64) {
        guard let files else { return }
        do {
            guard let state = try files.readAlerts() else { return }
            let age = now - state.lastEvaluation
            if age > outageTolerance {
                logger.info("alert states of the last run not restored: it ended too long ago",
                            metadata: ["ago_s": "\(age / 1000)", "tolerance_s": "\(outageTolerance / 1000)"])
                return
            }
            let alerts = state.alerts
            let restored = self.state.withLock { $0.evaluator.restore(alerts) }
            for g in groups.indices { publish(group: g) }
            notifier?.restoreLastSent(state.lastSent)
            logger.info("alert states restored", metadata: ["alerts": "\(restored)", "last_evaluation_ago_s": "\(age / 1000)"])
        } catch {
            logger.error("alert state file unusable", metadata: ["problem": "\(error)"])
        }
    }

    /// Starts the rule thread: it waits for the first-evaluation gate, then evaluates each group
    /// at its interval and phase.
    package func start() { worker.start { [self] in run() } }

    /// Finishes the evaluation in flight, writes the alert states, and stops.
    package func stop() {
        worker.stop()
        writeState(force: true)
    }

    /// Wakes the rule thread: a target was scraped, so the first-evaluation gate may be open.
    package func wake() { worker.wake() }

    private func offset(_ g: Int) -> Int64 { Jitter.offset(of: groups[g].name, within: interval(of: g)) }

    private func run() {
        guard !groups.isEmpty else {
            published.withLock { $0.ready = true }
            return
        }
        // Woken by each scrape (``wake()``); the gate's own bound is checked at least every second.
        while !firstEvaluationGate() {
            if !worker.pause(1) { return }
        }
        var next = groups.indices.map { g -> Int64 in
            let i = interval(of: g)
            let now = clock()
            var t = (now / i) * i + offset(g)
            // The first evaluation at the group's next phase point, never before now: an
            // evaluation time in the past could precede the first scrape.
            while t < now { t += i }
            return t
        }
        var evaluatedOnce = Set<Int>()
        while true {
            let g = next.indices.min { next[$0] < next[$1] }!
            let wait = Double(next[g] - clock()) / 1000
            if !worker.pause(wait) { return }
            if next[g] > clock() { continue }
            let t = max(next[g], clock() - interval(of: g))
            evaluate(group: g, at: t)
            evaluatedOnce.insert(g)
            if evaluatedOnce.count == groups.count { published.withLock { $0.ready = true } }
            let i = interval(of: g)
            next[g] += i
            // Missed evaluations (a stall) are skipped, not caught up in a burst.
            let now = clock()
            if next[g] <= now - i { next[g] += ((now - next[g]) / i) * i }
        }
    }

    private func evaluate(group g: Int, at t: Int64) {
        let started = ContinuousClock.now
        let (records, changed, errors) = state.withLock { s -> ([AlertRecord], Bool, [RuleError]) in
            let before = s.evaluator.alertRecords(group: g).map { "\($0.state)\($0.activeAt)\($0.resolvedAt ?? 0)" }
            s.evaluator.evaluate(group: g, at: t)
            let after = s.evaluator.alertRecords(group: g)
            s.groupStatus[g] = (t, started.secondsElapsed)
            return (after, before != after.map { "\($0.state)\($0.activeAt)\($0.resolvedAt ?? 0)" }, s.evaluator.errors)
        }
        publish(group: g)
        for e in errors {
            logger.warning("rule evaluation failed", metadata: ["group": "\(e.group ?? "")", "rule": "\(e.rule ?? "")", "error": "\(e.message)"])
        }
        notifier?.process(records, expressions: expressions, interval: interval(of: g), now: t)
        writeState(force: changed)
    }

    /// Writes the alert states when they changed, and at least once a minute.
    private func writeState(force: Bool) {
        guard let files else { return }
        let now = clock()
        let lastSent = notifier?.lastSentTimes ?? [:]
        let state = self.state.withLock { s -> StateFiles.AlertState? in
            guard force || now - s.lastStateWrite >= 60_000 else { return nil }
            s.lastStateWrite = now
            let last = s.groupStatus.compactMap(\.last).max() ?? now
            return StateFiles.AlertState(lastEvaluation: last, alerts: s.evaluator.alertRecords(), lastSent: lastSent)
        }
        guard let state else { return }
        do {
            try files.writeAlerts(state)
        } catch {
            logger.error("could not write the alert states", metadata: ["error": "\(error)"])
        }
    }

    /// Copies group `g`'s rules, their status and alerts, and every active alert, for the API.
    private func publish(group g: Int) {
        let group = groups[g]
        let (snapshot, alerts) = state.withLock { s -> (GroupSnapshot, [(rule: Rule, alert: ActiveAlert)]) in
            let rules = group.rules.indices.map { r in (group.rules[r], s.evaluator.ruleStatus[g][r], s.evaluator.alerts(group: g, rule: r)) }
            return ((group, s.groupStatus[g].last, s.groupStatus[g].duration, rules), s.evaluator.activeAlerts())
        }
        published.withLock { p in
            p.groups[g] = snapshot
            p.alerts = alerts
        }
    }

    // MARK: reload

    /// Every alert state now (stop the manager first for a settled answer).
    package func alertRecords() -> [AlertRecord] { state.withLock { $0.evaluator.alertRecords() } }

    /// Takes the alert states of the manager a reload replaces: an alert whose group, rule name
    /// and position are unchanged keeps its state, its start and its firing time. Returns how
    /// many were carried over.
    @discardableResult
    package func carryOver(from old: RuleManager) -> Int {
        let records = old.alertRecords()
        let carried = state.withLock { $0.evaluator.restore(records) }
        for g in groups.indices { publish(group: g) }
        return carried
    }

    // MARK: for the HTTP API

    /// Every alert that is not inactive, with its rule, as of the last group evaluation.
    package func activeAlerts() -> [(rule: Rule, alert: ActiveAlert)] { published.withLock { $0.alerts } }

    /// Each group's rules with their status and alerts, as of each group's last evaluation.
    package func rulesSnapshot() -> [GroupSnapshot] { published.withLock { $0.groups } }
}
