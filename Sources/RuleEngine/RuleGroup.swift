/// A group of rules evaluated together, in order, at one interval.
public struct RuleGroup: Sendable {
    public var name: String
    /// Evaluation interval (milliseconds), nil for the global one.
    public var interval: Int64?
    /// Most series a rule may return (0: no limit).
    public var limit: Int
    public var rules: [Rule]
    public var line: Int
}
