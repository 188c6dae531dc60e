import LabelMatchers

/// One `write_relabel_configs` step of the actions remote write supports here: `keep` and
/// `drop` (the series' `source_labels` values joined by `separator`, matched by the anchored
/// `regex`) and `labeldrop` (labels whose name matches `regex` are removed). Applied to a
/// series once, when the buffer first sees it, after the external labels are added — as
/// Prometheus applies them.
package struct WriteRelabel: Sendable {
    /// What the step does.
    package enum Action: String, Sendable, CaseIterable {
        case keep, drop, labeldrop
    }

    /// `action`.
    package var action: Action
    /// `source_labels` (keep and drop).
    package var sourceLabels: [String]
    /// `separator`, `;` by default.
    package var separator: String
    /// `regex`, anchored at both ends; `(.*)` by default.
    package var regex: RE2Pattern

    /// A step as the config gives it.
    package init(action: Action, sourceLabels: [String] = [], separator: String = ";", regex: RE2Pattern) {
        self.action = action
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.regex = regex
    }

    /// `labels` (sorted by name) after the steps, in order; nil when a step drops the series.
    package static func apply(_ steps: [WriteRelabel], to labels: [(name: String, value: String)]) -> [(name: String, value: String)]? {
        var labels = labels
        for step in steps {
            switch step.action {
            case .keep, .drop:
                let value = step.sourceLabels.map { n in labels.first { $0.name == n }?.value ?? "" }.joined(separator: step.separator)
                if step.regex.matches(value) != (step.action == .keep) { return nil }
            case .labeldrop:
                labels.removeAll { step.regex.matches($0.name) }
            }
        }
        return labels
    }
}
