/// A Kubernetes label selector (`matchLabels` and `matchExpressions`), as a webhook's
/// `namespaceSelector` and `objectSelector` use it. The empty selector matches everything.
package struct LabelSelector: Sendable, Equatable {
    /// One `matchExpressions` entry.
    package struct Requirement: Sendable, Equatable {
        /// `In` and `NotIn` test the label's value against ``values``; `Exists` and `DoesNotExist` only
        /// whether the label is there.
        package enum Operator: String, Sendable { case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist" }
        /// The label key tested.
        package var key: String
        /// The `operator` (`op`: `operator` is a Swift keyword).
        package var op: Operator
        /// `values`: non-empty for `In`/`NotIn`, empty for `Exists`/`DoesNotExist` (the reader refuses
        /// others, as Kubernetes does).
        package var values: [String]
    }

    /// `matchLabels` in the order written; the object must carry each label with that value.
    package var matchLabels: [(key: String, value: String)] = []
    /// `matchExpressions`; every one must hold.
    package var requirements: [Requirement] = []

    /// A selector of `matchLabels` and `matchExpressions`; by default the empty selector, which
    /// matches everything.
    package init(matchLabels: [(key: String, value: String)] = [], requirements: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.requirements = requirements
    }

    /// Whether the selector has no terms: it selects everything.
    package var isEmpty: Bool { matchLabels.isEmpty && requirements.isEmpty }

    /// Whether an object with `labels` is selected.
    package func matches(_ labels: [String: String]) -> Bool {
        for (k, v) in matchLabels where labels[k] != v { return false }
        for r in requirements {
            let value = labels[r.key]
            switch r.op {
            case .in: if value == nil || !r.values.contains(value!) { return false }
            case .notIn: if let value, r.values.contains(value) { return false }
            case .exists: if value == nil { return false }
            case .doesNotExist: if value != nil { return false }
            }
        }
        return true
    }

    /// The keys whose label would take a matching object out (an opt-out: `NotIn`, `DoesNotExist`),
    /// for advice such as "unless kube-system carries the label admission.gatekeeper.sh/ignore".
    package var optOutKeys: [String] {
        requirements.filter { ($0.op == .notIn || $0.op == .doesNotExist) && $0.key != LabelSelector.namespaceNameLabel }.map(\.key)
    }

    /// The label every namespace carries since Kubernetes 1.21, set by the API server to its name.
    package static let namespaceNameLabel = "kubernetes.io/metadata.name"

    /// The labels a namespace has when nobody added any.
    package static func defaultLabels(ofNamespace name: String) -> [String: String] { [namespaceNameLabel: name] }

    /// Same requirements and the same `matchLabels` in the same order (tuples are not `Equatable`,
    /// so this is spelled out).
    package static func == (a: LabelSelector, b: LabelSelector) -> Bool {
        a.requirements == b.requirements && a.matchLabels.map { "\($0.key)=\($0.value)" } == b.matchLabels.map { "\($0.key)=\($0.value)" }
    }
}
