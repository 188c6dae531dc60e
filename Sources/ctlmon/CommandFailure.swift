import FoundationEssentials
import PromModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a command fails: a message for stderr and the command-line contract's exit code.
/// Commands throw it; ``Ctlmon/main()`` is the one place that prints it and exits.
struct CommandFailure: Error {
    /// Printed as `ctlmon: message`; nil when the command already printed what went wrong.
    let message: String?
    let exitCode: Int32

    /// Bad input or usage: exit 2 (the message names the source, line and column where there is one).
    static func badInput(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: 2) }

    /// Bad input already reported on stderr (each invalid line, each failed rule): exit 2.
    static let reported = CommandFailure(message: nil, exitCode: 2)

    /// `check` found an alert at or above `--fail-on`; `rules test` had a failing test: exit 1.
    static let found = CommandFailure(message: nil, exitCode: 1)

    /// A time flag's value (`--time`, `--baseline-time`) in milliseconds, read as the sidecar's
    /// API reads its `time` (``APITime``: Unix seconds or RFC 3339, bounded) and, as the times
    /// of a scrape, within the years 1–9999; else a usage error naming the flag.
    static func time(_ flag: String, _ text: String) throws(CommandFailure) -> Int64 {
        let ms: Int64
        do {
            ms = try APITime.milliseconds(ofTime: text)
        } catch {
            throw .badInput("\(flag): \(error)")
        }
        guard (-62_135_596_800_000...253_402_300_799_999).contains(ms) else {
            throw .badInput("\(flag): cannot parse \"\(text)\" to a valid timestamp: outside the years 1–9999")
        }
        return ms
    }
}

/// Writes a message to stderr (after flushing stdout, so the two stay in order).
func printError(_ message: String, prefixed: Bool = true) {
    fflush(nil)
    StandardStreams.writeError((prefixed ? "ctlmon: " : "") + message + "\n")
}
