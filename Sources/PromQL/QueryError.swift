import PromModel
import SeriesStorage
/// A PromQL failure: a parse error with its position, or an evaluation error.
///
/// Parse errors print like Prometheus's, `1:23: unexpected ")", expected an expression`.
package struct QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Whether the query failed to parse (the error then has a position) or to evaluate.
    package enum Kind: Sendable, Hashable {
        case parse
        case evaluation
        /// The evaluation ran past its deadline (`--query.timeout`): Prometheus's `timeout`.
        case timeout
        /// The evaluation was called off (the server is shutting down): Prometheus's `canceled`.
        case canceled
    }

    /// Parse or evaluation: only a parse error prints its position.
    package var kind: Kind
    /// 1-based line and column in the expression (0 for evaluation errors).
    package var line: Int
    /// Counted in characters (Unicode scalars), not bytes.
    package var column: Int
    /// What went wrong, without the position (``description`` adds it to parse errors).
    package var message: String

    /// An error; `line` and `column` stay 0 for an evaluation error.
    package init(kind: Kind, line: Int = 0, column: Int = 0, message: String) {
        self.kind = kind
        self.line = line
        self.column = column
        self.message = message
    }

    static func evaluation(_ message: String) -> QueryError { QueryError(kind: .evaluation, message: message) }

    package var description: String {
        kind == .parse ? "\(line):\(column): \(message)" : message
    }
}
