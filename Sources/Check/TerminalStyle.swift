/// ANSI styling, or none.
struct TerminalStyle {
    let enabled: Bool
    func wrap(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { wrap(s, "1") }
    func dim(_ s: String) -> String { wrap(s, "2") }
    /// -1 good (green), 0 info (blue), 1 warning (yellow), 2 critical (red).
    func level(_ s: String, _ level: Int) -> String {
        wrap(s, level >= 2 ? "31" : level == 1 ? "33" : level == 0 ? "34" : "32")
    }
}
