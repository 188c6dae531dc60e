/// A webhook configuration input that cannot be read: where (source, line, column) and what was expected.
package struct WebhookConfigError: Error, Sendable, CustomStringConvertible {
    package var source: String
    package var problems: [(line: Int, column: Int, message: String)]

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
