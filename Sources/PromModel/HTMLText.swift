/// Text made safe for HTML: every character that could open markup or end an attribute
/// (`& < > " '`) written as an entity. Whatever comes from a scrape, a rule file or a
/// configuration goes through it before it reaches a page (`<script>` shows as text).
package func htmlEscaped(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default:
            // Control characters other than tab and newline have no business on a page.
            if c.value < 0x20 && c != "\t" && c != "\n" || c.value == 0x7F { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
        }
    }
    return out
}

/// A self-contained page's `Content-Security-Policy`: nothing may load (`default-src 'none'`)
/// but the inline style block whose SHA-256 is given, and `data:` images.
package func contentSecurityPolicy(style: String) -> String {
    "default-src 'none'; style-src 'sha256-\(SHA256.hash(Array(style.utf8)).base64)'; img-src data:; base-uri 'none'; form-action 'none'"
}
