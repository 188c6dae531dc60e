/// A minimal JSON writer for the CLI's machine-readable output (keys in the order written).
struct JSONWriter {
    private(set) var output = ""
    private var needsComma = [false]

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func key(_ k: String?) {
        separator()
        if let k { output += Self.quote(k) + ":" }
    }

    mutating func beginObject(_ k: String? = nil) { key(k); output += "{"; needsComma.append(false) }
    mutating func endObject() { needsComma.removeLast(); output += "}" }
    mutating func beginArray(_ k: String? = nil) { key(k); output += "["; needsComma.append(false) }
    mutating func endArray() { needsComma.removeLast(); output += "]" }
    mutating func value(_ k: String? = nil, _ v: Int) { key(k); output += String(v) }
    mutating func value(_ k: String? = nil, _ v: Bool) { key(k); output += v ? "true" : "false" }
    mutating func value(_ k: String? = nil, _ v: String) { key(k); output += Self.quote(v) }
    mutating func value(_ k: String? = nil, _ v: Double) {
        key(k)
        output += v.isFinite ? String(v) : "null"
    }
    mutating func null(_ k: String? = nil) { key(k); output += "null" }
    /// A number written as given (e.g. a timestamp with fixed decimals).
    mutating func raw(_ text: String, _ k: String? = nil) { key(k); output += text }

    static func quote(_ s: String) -> String {
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
