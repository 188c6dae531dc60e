/// Problems in one YAML file — a rule file, a rule test file, the sidecar's config — each
/// printed `file:line: message` as promtool prints them.
package struct ConfigFileError: Error, Sendable, CustomStringConvertible {
    /// The file, as the reader was given it: printed before each problem.
    package var path: String
    /// Every problem, in the order found; line 0 when no line applies (an unreadable file).
    package var problems: [(line: Int, message: String)]

    /// Problems in `path` as (line, message) pairs: what ``StrictYAML/problems`` collects.
    package init(_ path: String, _ problems: [(Int, String)]) {
        self.path = path
        self.problems = problems.map { (line: $0.0, message: $0.1) }
    }

    package var description: String {
        problems.map { "\(path):\($0.line > 0 ? "\($0.line):" : "") \($0.message)" }.joined(separator: "\n")
    }
}
