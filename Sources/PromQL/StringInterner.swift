/// Keeps one copy of each label name and value: scrapes repeat the same strings
/// across thousands of series, and the store then holds each once.
public struct StringInterner {
    private var strings: Set<String> = []

    public init() {}

    /// The stored copy equal to `s` (stored now if new).
    public mutating func intern(_ s: String) -> String {
        if let i = strings.firstIndex(of: s) { return strings[i] }
        strings.insert(s)
        return s
    }
}
