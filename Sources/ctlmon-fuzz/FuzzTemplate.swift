import RuleEngine

/// Templates as rule annotations use them: parsed, then expanded with labels and values
/// that are themselves awkward.
enum FuzzTemplate {
    static func run(_ text: String) {
        guard let template = try? Template(text) else { return }
        for value in [0, -1.5, 1e19, .nan, .infinity, .leastNonzeroMagnitude] {
            _ = template.expand(Template.Data(labels: ["instance": "a\u{1B}[31m", "job": ""], externalLabels: ["cluster": "c"], value: value))
        }
    }
}
