/// A minimal JSON writer for machine-readable output (the CLI's `--format json`, the
/// benchmark's `--json`, the HTTP API's bodies): keys in the order written, strings
/// escaped as JSON requires, non-finite numbers as `null`.
package struct JSONWriter {
    package private(set) var output = ""

    package init() {}
    private var needsComma = [false]

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func key(_ k: String?) {
        separator()
        if let k { output += Self.quote(k) + ":" }
    }

    package mutating func beginObject(_ k: String? = nil) { key(k); output += "{"; needsComma.append(false) }
    package mutating func endObject() { needsComma.removeLast(); output += "}" }
    package mutating func beginArray(_ k: String? = nil) { key(k); output += "["; needsComma.append(false) }
    package mutating func endArray() { needsComma.removeLast(); output += "]" }
    package mutating func value(_ k: String? = nil, _ v: Int) { key(k); output += String(v) }
    package mutating func value(_ k: String? = nil, _ v: Bool) { key(k); output += v ? "true" : "false" }
    package mutating func value(_ k: String? = nil, _ v: String) { key(k); output += Self.quote(v) }
    package mutating func value(_ k: String? = nil, _ v: Double) {
        key(k)
        output += v.isFinite ? String(v) : "null"
    }
    package mutating func null(_ k: String? = nil) { key(k); output += "null" }
    /// A number written as given (e.g. a timestamp with fixed decimals).
    package mutating func raw(_ text: String, _ k: String? = nil) { key(k); output += text }

    package static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
