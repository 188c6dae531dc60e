/// A string quoted as Go's `strconv.Quote` writes it, which is how Prometheus prints
/// label values, strings and expressions: `\"` `\\` and the C escapes, other
/// non-printable characters as `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
package func quoted(_ s: String) -> String { "\"" + escaped(s, quote: true) + "\"" }

/// `s` with every character that is not printable escaped as Go's `%q` escapes it, and
/// `"`/`\\` escaped too with `quote`. Text from a scrape or a rule file goes through this
/// before it reaches a terminal: an escape sequence in a label value must not drive the
/// on-call engineer's terminal.
package func escaped(_ s: String, quote: Bool = false) -> String {
    var out = ""
    for c in s.unicodeScalars {
        switch c {
        case "\"" where quote: out += "\\\""
        case "\\" where quote: out += "\\\\"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{0B}": out += "\\v"
        default:
            if isPrintable(c) {
                out.unicodeScalars.append(c)
            } else if c.value < 0x80 {
                out += "\\x" + hex(c.value, 2)
            } else if c.value < 0x10000 {
                out += "\\u" + hex(c.value, 4)
            } else {
                out += "\\U" + hex(c.value, 8)
            }
        }
    }
    return out
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
private func isPrintable(_ c: Unicode.Scalar) -> Bool {
    if c == " " { return true }
    switch c.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
        .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
        .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
        .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
        return true
    default:
        return false
    }
}

private func hex(_ v: UInt32, _ digits: Int) -> String {
    let h = String(v, radix: 16)
    return String(repeating: "0", count: max(0, digits - h.count)) + h
}
