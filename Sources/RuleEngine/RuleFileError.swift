/// Problems in one rule file, each `file:line: message`.
package struct RuleFileError: Error, Sendable, CustomStringConvertible {
    package var path: String
    package var problems: [(line: Int, message: String)]

    package init(_ path: String, _ problems: [(Int, String)]) {
        self.path = path
        self.problems = problems.map { (line: $0.0, message: $0.1) }
    }

    package var description: String {
        problems.map { "\(path):\($0.line > 0 ? "\($0.line):" : "") \($0.message)" }.joined(separator: "\n")
    }
}
