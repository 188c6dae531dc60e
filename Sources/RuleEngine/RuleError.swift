/// What went wrong with a rule: an evaluation that failed (a query error, a group's
/// `limit` exceeded, two series with one label set), a template that does not parse or
/// cannot run, or a test file that cannot be run. Printed as promtool words it, with the
/// group and rule when they are known.
package struct RuleError: Error, Sendable, CustomStringConvertible {
    /// The stage an error comes from.
    package enum Kind: Sendable {
        /// Evaluating a rule's expression, or turning its result into series or alerts.
        case evaluation
        /// Parsing or expanding a label or annotation template.
        case template
        /// A rule test file's series, times or intervals.
        case testFile
    }

    /// Where it went wrong: evaluating, templating or reading a test file.
    package let kind: Kind
    /// The error as promtool words it, without group and rule (``description`` adds them).
    package let message: String
    /// The group and rule the error belongs to, when known.
    package var group: String?
    /// The rule's name, when known.
    package var rule: String?

    /// `group` and `rule` are usually left out: ``RuleEvaluator`` sets them, as only it knows which
    /// rule failed.
    package init(_ kind: Kind, _ message: String, group: String? = nil, rule: String? = nil) {
        self.kind = kind
        self.message = message
        self.group = group
        self.rule = rule
    }

    package var description: String {
        var prefix = ""
        if let group { prefix += "group \"\(group)\", " }
        if let rule { prefix += "rule \"\(rule)\": " }
        return prefix + message
    }
}
