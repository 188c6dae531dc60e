/// Resolves the escapes of label values and help texts.
enum Unescaper {
    /// Appends `raw` with `\\`→`\`, `\n`→newline and (if `quotes`) `\"`→`"`; other
    /// backslashes are kept as written, as Prometheus does.
    static func appendUnescaped(_ raw: ByteView, quotes: Bool, to out: inout [UInt8]) {
        var i = 0
        let n = raw.count
        while i < n {
            let c = raw[i]
            if c == UInt8(ascii: "\\"), i + 1 < n {
                let d = raw[i + 1]
                if d == UInt8(ascii: "\\") { out.append(d); i += 2; continue }
                if d == UInt8(ascii: "n") { out.append(0x0A); i += 2; continue }
                if quotes && d == UInt8(ascii: "\"") { out.append(d); i += 2; continue }
            }
            out.append(c)
            i += 1
        }
    }
}
