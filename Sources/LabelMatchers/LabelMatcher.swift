import PromModel
/// A label matcher: `name op "value"`, as in a PromQL selector or a `match[]` parameter
/// (Prometheus's `labels.Matcher`). The store answers a list of them from its postings.
package struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    /// The matching operator; the raw value is how PromQL writes it.
    package enum Op: String, Sendable, Hashable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    /// The label tested (`__name__` for the metric name).
    package let name: String
    /// How the label's value is compared with ``value``.
    package let op: Op
    /// The value compared with, unescaped; for `=~` and `!~`, the pattern's source (compiled
    /// into ``regex``).
    package let value: String
    /// The compiled, fully anchored regular expression for `=~` and `!~`.
    package let regex: RE2Pattern?

    /// A matcher; throws when `op` is `=~` or `!~` and `value` is not a pattern RE2 accepts.
    package init(name: String, op: Op, value: String) throws(RegexError) {
        self.name = name
        self.op = op
        self.value = value
        if op == .regexMatch || op == .regexNoMatch {
            regex = try RE2Pattern(value)
        } else {
            regex = nil
        }
    }

    /// `name="value"`: a matcher that cannot fail to compile.
    package static func equal(_ name: String, _ value: String) -> LabelMatcher { LabelMatcher(name: name, equalTo: value) }

    private init(name: String, equalTo value: String) {
        self.name = name
        op = .equal
        self.value = value
        regex = nil
    }

    /// Whether a label value (empty when the label is absent) satisfies the matcher.
    package func matches(_ v: String) -> Bool {
        switch op {
        case .equal: v == value
        case .notEqual: v != value
        case .regexMatch: regex!.matches(v)
        case .regexNoMatch: !regex!.matches(v)
        }
    }

    /// Equal when name, operator and value are: ``regex`` follows from them and is not compared.
    package static func == (a: LabelMatcher, b: LabelMatcher) -> Bool {
        a.name == b.name && a.op == b.op && a.value == b.value
    }

    /// Hashes what ``==`` compares: name, operator and value (not the compiled regex).
    package func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(op)
        h.combine(value)
    }

    package var description: String { "\(name)\(op.rawValue)\(quoted(value))" }
}

