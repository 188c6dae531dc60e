import Workers
import FoundationEssentials
import Logging
import PromModel
import PromQL
import SeriesStorage
import RuleEngine

/// Sends alerts to every configured Alertmanager as Prometheus does (`POST /api/v2/alerts`,
/// the same payload), with one difference (docs/sidecar.md): a POST that fails in a way that
/// can succeed later (a transport error, a 5xx, a 429) is retried with backoff until it
/// succeeds or a newer state of the same alert replaces it; other answers drop the batch,
/// counted (``AlertmanagerQueue``).
///
/// Which alerts go out after an evaluation follows Prometheus's rule manager: a firing
/// alert at most every `resendDelay` (1 minute) with `endsAt` = now + 4 × max(evaluation
/// interval, resend delay); a resolved alert when it resolves and then every `resendDelay`
/// for the 15 minutes the rule keeps it; pending alerts never.
package final class Notifier: Sendable {
    /// One queue per Alertmanager URL (each target of each `alerting.alertmanagers` entry),
    /// in config order; `/metrics` reads their counts.
    package let queues: [AlertmanagerQueue]
    private let externalLabels: [String: String]
    private let externalURL: String
    private let resendDelay: Int64
    /// When each alert (by identity) was last handed to the queues (milliseconds).
    private let lastSent = Locked<[String: Int64]>([:])

    /// One queue per Alertmanager URL. `externalLabels` go on alerts that lack them; `externalURL`
    /// starts each `generatorURL`; `resendDelay` is Prometheus's `--rules.alert.resend-delay`
    /// (milliseconds); `queueCapacity` bounds each queue, as
    /// `--alertmanager.notification-queue-capacity` does; `transport`: what sends each POST
    /// (nil: libcurl; tests give a fake).
    package init(
        alertmanagers: [SidecarConfig.AlertmanagerConfig], externalLabels: [String: String], externalURL: String,
        resendDelay: Int64 = 60_000, queueCapacity: Int = 10_000, logger: Logger, transport: AlertmanagerQueue.Transport? = nil
    ) {
        queues = alertmanagers.flatMap { am in
            am.urls.map { AlertmanagerQueue(url: $0, config: am, capacity: queueCapacity, logger: logger, transport: transport) }
        }
        self.externalLabels = externalLabels
        self.externalURL = externalURL.hasSuffix("/") ? String(externalURL.dropLast()) : externalURL
        self.resendDelay = resendDelay
    }

    /// The identity of an alert: its rule and labels.
    /// `group/rule{labels}`, printable (it is a key in `state.json`).
    static func identity(_ a: AlertRecord) -> String {
        a.group + "/" + a.rule + "{" + a.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\(quoted($0.value))" }.joined(separator: ",") + "}"
    }

    /// After an evaluation of a group at `now`: queues the alerts that need sending.
    /// `expressions` gives each alert's rule expression, for its `generatorURL`.
    package func process(_ alerts: [AlertRecord], expressions: [String: String], interval: Int64, now: Int64) {
        var due: [AlertPayload] = []
        lastSent.withLock { lastSent in
            for a in alerts where a.state != "pending" {
                let id = Self.identity(a)
                let sent = lastSent[id] ?? .min
                let resolvedSinceSent = a.resolvedAt.map { $0 > sent } ?? false
                guard resolvedSinceSent || sent == .min || sent + resendDelay < now else { continue }
                lastSent[id] = now
                let validUntil = now + 4 * max(interval, resendDelay)
                var labels = a.labels
                for (k, v) in externalLabels where labels[k] == nil { labels[k] = v }
                due.append(AlertPayload(
                    labels: labels, annotations: a.annotations, startsAt: a.firedAt ?? a.activeAt,
                    endsAt: a.resolvedAt ?? validUntil,
                    generatorURL: externalURL + "/graph?g0.expr=" + Self.queryEscape(expressions[a.rule] ?? "") + "&g0.tab=1",
                    identity: id))
            }
            // Forget alerts the rules no longer keep (resolved more than 15 minutes ago).
            if lastSent.count > 4 * (alerts.count + 1024) { lastSent = lastSent.filter { now - $0.value < 30 * 60_000 } }
        }
        guard !due.isEmpty else { return }
        for q in queues { q.enqueue(due) }
    }

    /// What was last sent, per alert identity (persisted with the alert states).
    package var lastSentTimes: [String: Int64] { lastSent.withLock { $0 } }

    /// Takes the last-send times persisted by the previous run (``StateFiles/AlertState/lastSent``):
    /// after a restart, firing alerts are resent on their schedule, not all at once.
    package func restoreLastSent(_ times: [String: Int64]) { lastSent.withLock { $0 = times } }

    /// Starts each queue's delivery thread.
    package func start() { for q in queues { q.start() } }

    /// Stops the queues, each trying to deliver what it holds until `deadline`.
    package func stop(deadline: ContinuousClock.Instant) {
        // All together: a dead Alertmanager's queue must not eat the others' time.
        for q in queues { q.beginStop(deadline: deadline) }
        for q in queues { q.finishStop(deadline: deadline) }
    }

    /// Go's `url.QueryEscape`: spaces as `+`, everything but letters, digits and `-_.~` as %XX.
    static func queryEscape(_ s: String) -> String {
        PercentEncoding.encode(s).replacing("%20", with: "+")
    }
}

/// One alert as Alertmanager's `/api/v2/alerts` takes it.
package struct AlertPayload: Sendable {
    /// The alert's labels, with each external label it does not set.
    package var labels: [String: String]
    /// The alert's annotations, their templates expanded.
    package var annotations: [String: String]
    /// Milliseconds.
    package var startsAt: Int64
    /// Milliseconds: when the alert resolved; while it fires, now + 4 × max(evaluation interval,
    /// resend delay), so that Alertmanager resolves it by itself if the sends stop.
    package var endsAt: Int64
    /// The rule's expression as a Prometheus graph link (`--web.external-url` +
    /// `/graph?g0.expr=…&g0.tab=1`), built as Prometheus builds it; ctlmon serves no `/graph`.
    package var generatorURL: String
    /// The alert's rule and labels: a newer payload of the same alert replaces an older one in a queue.
    package var identity: String
}
