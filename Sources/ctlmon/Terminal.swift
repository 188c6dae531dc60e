#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Output helpers shared by the commands.

/// Writes a message to stderr (after flushing stdout, so the two stay in order).
func printError(_ message: String, prefixed: Bool = true) {
    fflush(nil)  // keep stdout and stderr in order
    var line = (prefixed ? "ctlmon: " : "") + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// 1234567 → "1,234,567".
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}
