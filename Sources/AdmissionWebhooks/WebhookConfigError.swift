/// A webhook configuration input that cannot be read: where (source, line, column) and what was expected.
package struct WebhookConfigError: Error, Sendable, CustomStringConvertible {
    /// Names the input in messages (a path, or what the caller chose).
    package var source: String
    /// Each problem with its line and column (0 when unknown).
    package var problems: [(line: Int, column: Int, message: String)]

    /// `problems` as `(line, column, message)`, in input order.
    package init(_ source: String, _ problems: [(line: Int, column: Int, message: String)]) {
        self.source = source
        self.problems = problems
    }

    package var description: String {
        problems.map { p in
            "\(source):" + (p.line > 0 ? "\(p.line):\(p.column > 0 ? "\(p.column):" : "")" : "") + " \(p.message)"
        }.joined(separator: "\n")
    }
}
