import Workers
import FoundationEssentials
import Logging
import PromModel

/// swift-log handlers writing one line per entry to stderr, as Prometheus's `--log.format`:
/// `logfmt` (`ts=… level=info msg="…" key=value`) or `json`. Values are quoted and escaped,
/// so a label value or an error message cannot break a line or forge a field.
package struct LineLogHandler: LogHandler {
    /// The line format, as `--log.format` names it.
    package enum Format: String, Sendable, CaseIterable { case logfmt, json }

    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    let format: Format
    let label: String
    /// The clock of the timestamps (tests pin it).
    let clock: @Sendable () -> Int64

    /// A handler for the logger `label` (swift-log's; not written on the lines) that lets
    /// through entries at `level` and above; `clock` gives `ts` (Unix milliseconds).
    package init(label: String, format: Format, level: Logger.Level, clock: @escaping @Sendable () -> Int64) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.clock = clock
    }

    /// A metadata value written on every line of this handler; an entry's own metadata of the
    /// same key wins.
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var fields: [(String, String)] = [("ts", RFC3339.format(milliseconds: clock())), ("level", "\(event.level)"), ("msg", "\(event.message)")]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (k, v) in merged.sorted(by: { $0.key < $1.key }) { fields.append((k, "\(v)")) }
        var line: String
        switch format {
        case .logfmt:
            line = fields.map { "\($0.0)=\(Self.logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            var w = JSONWriter()
            w.beginObject()
            for (k, v) in fields { w.value(k, v) }
            w.endObject()
            line = w.output
        }
        line += "\n"
        // One write per line, one writer at a time: lines from many threads never interleave.
        Self.output.withLock { _ in StandardStreams.writeError(line) }
    }

    /// Serialises the writes to stderr of every handler in the process.
    private static let output = Locked(())

    /// A logfmt value: bare when it is a simple word, else quoted with `\\`, `\"` and
    /// control characters escaped.
    static func logfmtValue(_ v: String) -> String {
        let simple = !v.isEmpty && v.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\" }
        if simple { return v }
        return quoted(v)
    }
}
