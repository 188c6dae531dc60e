/// A regular expression matched against whole label values, as PromQL anchors
/// every matcher (`=~"a|b"` means `^(?:a|b)$`). RE2 syntax as rule files use it
/// is a subset of what Swift's regex engine accepts.
struct AnchoredRegex: @unchecked Sendable {
    // Regex is not Sendable on every toolchain; it is immutable after init and only read.
    private let regex: Regex<AnyRegexOutput>
    let pattern: String
    /// `GET|LIST`, `5..`-free plain alternations: matched by set lookup, no regex engine.
    private let literals: Set<String>?
    /// Answers for values seen before (label values repeat across series).
    private let memo = Memo()

    final class Memo: @unchecked Sendable {
        // Used from one evaluation at a time.
        var answers: [String: Bool] = [:]
    }

    init(_ pattern: String) throws(QueryError) {
        self.pattern = pattern
        do {
            regex = try Regex("(?:" + pattern + ")")
        } catch {
            throw QueryError(kind: .parse, message: "invalid regular expression \(quoted(pattern)): \(error)")
        }
        let plain = pattern.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
                || $0 == "/" || $0 == "|" || $0 == ":"
        }
        literals = plain ? Set(pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init)) : nil
    }

    func matches(_ s: String) -> Bool {
        if let literals { return literals.contains(s) }
        if let known = memo.answers[s] { return known }
        let answer = (try? regex.wholeMatch(in: s)) != nil
        if memo.answers.count > 10_000 { memo.answers.removeAll() }
        memo.answers[s] = answer
        return answer
    }

    /// The match of `s` with its capture groups ($0 whole, $1…), for `label_replace`.
    func captures(_ s: String) -> [String]? {
        guard let m = try? regex.wholeMatch(in: s) else { return nil }
        return m.output.map { $0.substring.map(String.init) ?? "" }
    }
}
