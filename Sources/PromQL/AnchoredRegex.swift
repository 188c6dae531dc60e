/// A regular expression matched against whole label values, as PromQL anchors
/// every matcher (`=~"a|b"` means `^(?:a|b)$`). RE2 syntax as rule files use it
/// is a subset of what Swift's regex engine accepts.
struct AnchoredRegex: @unchecked Sendable {
    // Regex is not Sendable on every toolchain; it is immutable after init and only read.
    private let regex: Regex<AnyRegexOutput>
    let pattern: String

    init(_ pattern: String) throws(QueryError) {
        self.pattern = pattern
        do {
            regex = try Regex("(?:" + pattern + ")")
        } catch {
            throw QueryError(kind: .parse, message: "invalid regular expression \(quoted(pattern)): \(error)")
        }
    }

    func matches(_ s: String) -> Bool {
        (try? regex.wholeMatch(in: s)) != nil
    }

    /// The match of `s` with its capture groups ($0 whole, $1…), for `label_replace`.
    func captures(_ s: String) -> [String]? {
        guard let m = try? regex.wholeMatch(in: s) else { return nil }
        return m.output.map { $0.substring.map(String.init) ?? "" }
    }
}
