/// A group of rules evaluated together, in order, at one interval.
package struct RuleGroup: Sendable {
    package var name: String
    /// Evaluation interval (milliseconds), nil for the global one.
    package var interval: Int64?
    /// Most series a rule may return (0: no limit).
    package var limit: Int
    package var rules: [Rule]
    package var line: Int
}
