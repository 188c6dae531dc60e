import RuleEngine
import Workers

/// What a reload replaces as a whole: the rule manager, the notifier it hands alerts to, and
/// the external labels and recorded names the API shows with them. The API and the scrape
/// callback read the current one through ``AlertPipeline/Current``; one reload swaps it.
package final class AlertPipeline: Sendable {
    /// The rule groups, their evaluation and alert states.
    package let rules: RuleManager
    /// The Alertmanager queues; nil when the config names no Alertmanager.
    package let notifier: Notifier?
    /// `global.external_labels`.
    package let externalLabels: [String: String]
    /// The names the recording rules write (`/metrics` shows their latest samples).
    package let recordedNames: Set<String>

    /// A pipeline of `rules` handing alerts to `notifier`.
    package init(rules: RuleManager, notifier: Notifier?, externalLabels: [String: String]) {
        self.rules = rules
        self.notifier = notifier
        self.externalLabels = externalLabels
        recordedNames = Set(rules.groups.flatMap { $0.rules.filter { $0.kind == .recording }.map(\.name) })
    }

    /// The pipeline in service: read for every request, replaced by a reload.
    package final class Current: Sendable {
        private let slot: Locked<AlertPipeline>

        /// Starts with `pipeline`.
        package init(_ pipeline: AlertPipeline) { slot = Locked(pipeline) }

        /// The pipeline now.
        package var value: AlertPipeline { slot.withLock { $0 } }

        /// Puts `pipeline` in service; returns the one it replaces.
        @discardableResult
        package func replace(with pipeline: AlertPipeline) -> AlertPipeline {
            slot.withLock { old in
                defer { old = pipeline }
                return old
            }
        }
    }
}
