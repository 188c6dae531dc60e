import PromModel
import PromQL
import SeriesStorage

/// Evaluates rule groups over a ``SeriesStore`` as Prometheus's rule manager does.
///
/// Groups run in order and rules in order, so later rules see earlier recordings.
/// Recording rules write their series; alerting rules go inactive → pending →
/// firing after `for:` (staying firing for `keep_firing_for:` once the condition
/// clears) and write `ALERTS` and `ALERTS_FOR_STATE`. Series a rule stops
/// returning get a staleness marker.
package final class RuleEvaluator {
    /// Where the rules read, and where recordings, `ALERTS` and `ALERTS_FOR_STATE` are written.
    package let store: SeriesStore
    /// Evaluated in this order; ``evaluate(group:at:)``, ``alerts(group:rule:)`` and ``ruleStatus``
    /// index them.
    package let groups: [RuleGroup]
    /// What templates read as `$externalLabels`; not added to the series the rules write.
    package var externalLabels: [String: String]
    /// The step of subqueries without one: the evaluation interval.
    package var evaluationInterval: Int64
    /// Errors of the last evaluation, one per failing rule.
    package private(set) var errors: [RuleError] = []

    /// Alert state per alerting rule, by group index and rule index.
    private var active: [[[Labels: ActiveAlert]]]
    /// Series each rule wrote last time, to mark the ones it stops returning stale.
    private var written: [[Set<Labels>]]
    static let resolvedRetention: Int64 = 15 * 60_000

    /// `evaluationInterval` (milliseconds, default one minute) is the step of subqueries that give none.
    package init(groups: [RuleGroup], store: SeriesStore, externalLabels: [String: String] = [:], evaluationInterval: Int64 = 60_000) {
        self.groups = groups
        self.store = store
        self.externalLabels = externalLabels
        self.evaluationInterval = evaluationInterval
        active = groups.map { g in g.rules.map { _ in [:] } }
        ruleStatus = groups.map { g in g.rules.map { _ in RuleStatus() } }
        written = groups.map { g in g.rules.map { _ in [] } }
    }

    /// Every alert of alerting rules named `name` that is not inactive.
    package func alerts(named name: String) -> [ActiveAlert] {
        var out: [ActiveAlert] = []
        for (g, group) in groups.enumerated() {
            for (r, rule) in group.rules.enumerated() where rule.kind == .alerting && rule.name == name {
                out += active[g][r].values.filter { $0.state != .inactive }
            }
        }
        return out
    }

    /// All alerts that are not inactive, with their rules.
    package func activeAlerts() -> [(rule: Rule, alert: ActiveAlert)] {
        var out: [(Rule, ActiveAlert)] = []
        for (g, group) in groups.enumerated() {
            for (r, rule) in group.rules.enumerated() where rule.kind == .alerting {
                for a in active[g][r].values where a.state != .inactive { out.append((rule, a)) }
            }
        }
        return out
    }

    /// Evaluates every group at `t` (milliseconds).
    package func evaluate(at t: Int64) {
        errors = []
        for g in groups.indices { evaluateGroup(g, at: t) }
    }

    /// Evaluates group `g` at `t` (milliseconds): the sidecar runs each group at its own interval.
    package func evaluate(group g: Int, at t: Int64) {
        errors = []
        evaluateGroup(g, at: t)
    }

    private func evaluateGroup(_ g: Int, at t: Int64) {
        let group = groups[g]
        // A fresh evaluator per group evaluation: its selections are shared by the group's
        // rules, and the label sets it builds are freed with it (a long-running process
        // would otherwise keep every evaluation's).
        shared = nil
        for (r, rule) in group.rules.enumerated() {
            let started = ContinuousClock.now
            var output: [Sample] = []
            var failure: String? = nil
            do {
                output = try evaluate(rule, group: group, g: g, r: r, at: t)
            } catch {
                var e = error
                e.group = group.name
                e.rule = rule.name
                errors.append(e)
                failure = e.message
            }
            var now = Set<Labels>()
            if !output.isEmpty || !written[g][r].isEmpty { shared = nil }
            for s in output {
                if !store.appendRuleOutput(s.labels, timestamp: t, value: s.value) && failure == nil {
                    failure = "duplicate sample for timestamp"
                    errors.append(RuleError(.evaluation, "duplicate sample for timestamp", group: group.name, rule: rule.name))
                }
                now.insert(s.labels)
            }
            for gone in written[g][r] where !now.contains(gone) {
                store.append(gone, timestamp: t, value: SeriesStore.staleNaN)
            }
            written[g][r] = now
            ruleStatus[g][r] = RuleStatus(
                lastEvaluation: t, duration: started.secondsElapsed, error: failure)
        }
        shared = nil
    }

    /// A rule's health after its last evaluation, for `/api/v1/rules`.
    package struct RuleStatus: Sendable {
        /// When the rule last ran (milliseconds); nil before its first evaluation.
        package var lastEvaluation: Int64? = nil
        /// Seconds.
        package var duration: Double = 0
        /// Why the last evaluation failed; nil when it succeeded.
        package var error: String? = nil
        /// A rule's status: never evaluated, by default.
        package init(lastEvaluation: Int64? = nil, duration: Double = 0, error: String? = nil) {
            self.lastEvaluation = lastEvaluation
            self.duration = duration
            self.error = error
        }
    }

    /// Per group, per rule.
    package private(set) var ruleStatus: [[RuleStatus]] = []

    /// The alerts of one alerting rule that are not inactive, or were resolved within the
    /// 15 minutes the rule keeps them.
    package func alerts(group g: Int, rule r: Int) -> [ActiveAlert] { Array(active[g][r].values) }

    /// Every alert the rules hold (pending, firing, and resolved within 15 minutes), as
    /// records that survive a restart; of one group, or of all.
    package func alertRecords(group: Int? = nil) -> [AlertRecord] {
        var out: [AlertRecord] = []
        for g in groups.indices where group == nil || group == g {
            for (r, rule) in groups[g].rules.enumerated() where rule.kind == .alerting {
                for a in active[g][r].values {
                    out.append(AlertRecord(
                        group: groups[g].name, rule: rule.name, ruleIndex: r,
                        labels: Dictionary(a.labels.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { x, _ in x }),
                        annotations: a.annotations, state: a.state.rawValue, value: a.value, activeAt: a.activeAt,
                        firedAt: a.firedAt, resolvedAt: a.resolvedAt, keepFiringSince: a.keepFiringSince))
                }
            }
        }
        return out.sorted { ($0.group, $0.ruleIndex, $0.activeAt) < ($1.group, $1.ruleIndex, $1.activeAt) }
    }

    /// Puts back alerts of an earlier run (matched by group, rule name and position); returns
    /// how many found their rule. Records of rules that are gone are dropped.
    @discardableResult
    package func restore(_ records: [AlertRecord]) -> Int {
        var restored = 0
        for rec in records {
            guard let g = groups.firstIndex(where: { $0.name == rec.group }), rec.ruleIndex < groups[g].rules.count,
                groups[g].rules[rec.ruleIndex].name == rec.rule, groups[g].rules[rec.ruleIndex].kind == .alerting,
                let state = ActiveAlert.State(rawValue: rec.state)
            else { continue }
            let labels = Labels(rec.labels.map { ($0.key, $0.value) })
            active[g][rec.ruleIndex][labels] = ActiveAlert(
                labels: labels, annotations: rec.annotations, state: state, value: rec.value, activeAt: rec.activeAt,
                firedAt: rec.firedAt, resolvedAt: rec.resolvedAt, keepFiringSince: rec.keepFiringSince)
            restored += 1
        }
        return restored
    }

    /// Shared by rules until one writes series (its cached selections would then be stale).
    private var shared: Evaluator?

    private func query(_ rule: Rule, at t: Int64) throws(QueryError) -> [Sample] {
        let evaluator = shared ?? Evaluator(store: store)
        shared = evaluator
        evaluator.defaultSubqueryStep = evaluationInterval
        switch try evaluator.evaluate(rule.expr, at: t) {
        case .vector(let v): return v
        case .scalar(let v, _): return [Sample(labels: Labels(), value: v, timestamp: t)]
        default: throw .init(kind: .evaluation, message: "rule expression is not an instant vector or scalar")
        }
    }

    private func evaluate(_ rule: Rule, group: RuleGroup, g: Int, r: Int, at t: Int64) throws(RuleError) -> [Sample] {
        let result: [Sample]
        do {
            result = try query(rule, at: t)
        } catch {
            throw RuleError(.evaluation, "\(error)")
        }
        if group.limit > 0 && result.count > group.limit {
            throw RuleError(.evaluation, "exceeded limit of \(group.limit) with \(result.count) series")
        }
        switch rule.kind {
        case .recording:
            var out: [Sample] = []
            var seen = Set<Labels>()
            for s in result {
                var labels = s.labels
                labels.set(Labels.metricName, rule.name)
                for (name, template) in rule.labels { labels.set(name, template.source) }
                guard seen.insert(labels).inserted else {
                    throw RuleError(.evaluation, "vector contains metrics with the same labelset after applying rule labels")
                }
                out.append(Sample(labels: labels, value: s.value, timestamp: t))
            }
            return out
        case .alerting:
            return try evaluateAlert(rule, result, g: g, r: r, at: t)
        }
    }

    private func evaluateAlert(_ rule: Rule, _ result: [Sample], g: Int, r: Int, at t: Int64) throws(RuleError) -> [Sample] {
        var current: [Labels: ActiveAlert] = [:]
        for s in result {
            var templateLabels: [String: String] = [:]
            for l in s.labels.labels { templateLabels[l.name] = l.value }
            let data = Template.Data(labels: templateLabels, externalLabels: externalLabels, value: s.value)
            var labels = s.labels.withoutName
            for (name, template) in rule.labels { labels.set(name, template.expand(data)) }
            labels.set("alertname", rule.name)
            var annotations: [String: String] = [:]
            for (name, template) in rule.annotations { annotations[name] = template.expand(data) }
            guard current[labels] == nil else {
                throw RuleError(.evaluation, "vector contains metrics with the same labelset after applying alert labels")
            }
            current[labels] = ActiveAlert(
                labels: labels, annotations: annotations, state: .pending, value: s.value, activeAt: t)
        }
        var alerts = active[g][r]
        for (key, fresh) in current {
            if var existing = alerts[key], existing.state != .inactive {
                existing.value = fresh.value
                existing.annotations = fresh.annotations
                alerts[key] = existing
            } else {
                alerts[key] = fresh
            }
        }
        var out: [Sample] = []
        for (key, var alert) in alerts {
            if current[key] == nil {
                var keepFiring = false
                if alert.state == .firing && rule.keepFiringFor > 0 {
                    if alert.keepFiringSince == nil { alert.keepFiringSince = t }
                    if t - alert.keepFiringSince! < rule.keepFiringFor { keepFiring = true }
                }
                if alert.state == .pending || (alert.resolvedAt.map { t - $0 > Self.resolvedRetention } ?? false) {
                    alerts[key] = nil
                    continue
                }
                if alert.state != .inactive && !keepFiring {
                    alert.state = .inactive
                    alert.resolvedAt = t
                }
                alerts[key] = alert
                if !keepFiring { continue }
            } else {
                alert.keepFiringSince = nil
            }
            if alert.state == .pending && t - alert.activeAt >= rule.hold {
                alert.state = .firing
                alert.firedAt = t
            }
            alerts[key] = alert
            // As Prometheus writes them: the rule's labels as written, under the alert's own. A
            // label whose template expanded to nothing is no label of the alert, so its text
            // stays in ALERTS and ALERTS_FOR_STATE (`c="{{ $externalLabels.cluster }}"`).
            var written = alert.labels
            for (name, template) in rule.labels where alert.labels[name].isEmpty { written.set(name, template.source) }
            var series = written
            series.set(Labels.metricName, "ALERTS")
            series.set("alertstate", alert.state.rawValue)
            out.append(Sample(labels: series, value: 1, timestamp: t))
            var forState = written
            forState.set(Labels.metricName, "ALERTS_FOR_STATE")
            out.append(Sample(labels: forState, value: Double(alert.activeAt) / 1000, timestamp: t))
        }
        active[g][r] = alerts
        return out
    }
}
