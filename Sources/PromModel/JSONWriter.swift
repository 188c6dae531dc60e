/// A minimal JSON writer for machine-readable output (the CLI's `--format json`, the
/// benchmark's `--json`, the HTTP API's bodies): keys in the order written, strings
/// escaped as JSON requires, non-finite numbers as `null`.
package struct JSONWriter {
    /// The JSON written so far: a complete document once every object and array begun is ended.
    package private(set) var output = ""

    /// An empty writer: begin the top-level object or array, then write into it.
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

    /// Opens an object: member `k` of the enclosing object, or (`k` nil) an element of an array
    /// or the top-level value. Close it with ``endObject()``.
    package mutating func beginObject(_ k: String? = nil) { key(k); output += "{"; needsComma.append(false) }
    /// Closes the object ``beginObject(_:)`` opened last.
    package mutating func endObject() { needsComma.removeLast(); output += "}" }
    /// Opens an array: member `k` of the enclosing object, or (`k` nil) an element of an array
    /// or the top-level value. Close it with ``endArray()``.
    package mutating func beginArray(_ k: String? = nil) { key(k); output += "["; needsComma.append(false) }
    /// Closes the array ``beginArray(_:)`` opened last.
    package mutating func endArray() { needsComma.removeLast(); output += "]" }
    /// Writes an integer, as member `k` of the enclosing object (nil in an array).
    package mutating func value(_ k: String? = nil, _ v: Int) { key(k); output += String(v) }
    /// Writes `true` or `false`, as member `k` of the enclosing object (nil in an array).
    package mutating func value(_ k: String? = nil, _ v: Bool) { key(k); output += v ? "true" : "false" }
    /// Writes a string, escaped by ``quote(_:)``, as member `k` of the enclosing object (nil in an array).
    package mutating func value(_ k: String? = nil, _ v: String) { key(k); output += Self.quote(v) }
    /// Writes a number as Swift prints it (`0.25`, `1e-05`), or `null` for NaN and infinities,
    /// which JSON cannot represent; as member `k` of the enclosing object (nil in an array).
    package mutating func value(_ k: String? = nil, _ v: Double) {
        key(k)
        output += v.isFinite ? String(v) : "null"
    }
    /// Writes `null` (a value that is absent, such as an unknown version), as member `k` of the
    /// enclosing object (nil in an array).
    package mutating func null(_ k: String? = nil) { key(k); output += "null" }
    /// A number written as given (e.g. a timestamp with fixed decimals).
    package mutating func raw(_ text: String, _ k: String? = nil) { key(k); output += text }

    /// `s` as a JSON string literal: quotes, backslashes and control characters escaped
    /// (`\n`, `\u001b`), everything else left as is (the output is UTF-8).
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
