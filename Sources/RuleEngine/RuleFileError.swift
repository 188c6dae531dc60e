/// Problems in one rule file, each `file:line: message`.
public struct RuleFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problems: [(line: Int, message: String)]

    init(_ path: String, _ problems: [(Int, String)]) {
        self.path = path
        self.problems = problems.map { (line: $0.0, message: $0.1) }
    }

    public var description: String {
        problems.map { "\(path):\($0.line > 0 ? "\($0.line):" : "") \($0.message)" }.joined(separator: "\n")
    }
}
