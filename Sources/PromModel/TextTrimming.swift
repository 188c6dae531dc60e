/// Trimming and padding text without Foundation: Foundation's `trimmingCharacters(in:)` and
/// `padding(toLength:withPad:startingAt:)` live in the part of Foundation that links ICU,
/// which ctlmon does not load (see docs/performance.md, "Footprint").
extension StringProtocol {
    /// The text without leading and trailing whitespace; with `newlines` false only spaces and
    /// tabs (and other non-newline whitespace) are removed, as `.whitespaces` does.
    package func trimmingWhitespace(newlines: Bool = true) -> String {
        func blank(_ c: Character) -> Bool { c.isWhitespace && (newlines || !c.isNewline) }
        guard let first = firstIndex(where: { !blank($0) }) else { return "" }
        let last = lastIndex(where: { !blank($0) })!
        return String(self[first...last])
    }

    /// The text followed by spaces up to `width` characters; longer text is left whole.
    package func padded(to width: Int) -> String {
        count >= width ? String(self) : String(self) + String(repeating: " ", count: width - count)
    }
}
