import Foundation
import Logging
import PromQL

/// swift-log handlers writing one line per entry to stderr, as Prometheus's `--log.format`:
/// `logfmt` (`ts=… level=info msg="…" key=value`) or `json`. Values are quoted and escaped,
/// so a label value or an error message cannot break a line or forge a field.
package struct LineLogHandler: LogHandler {
    package enum Format: String, Sendable, CaseIterable { case logfmt, json }

    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    let format: Format
    let label: String
    /// The clock of the timestamps (tests pin it).
    let clock: @Sendable () -> Int64

    package init(label: String, format: Format, level: Logger.Level, clock: @escaping @Sendable () -> Int64) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.clock = clock
    }

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
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// A logfmt value: bare when it is a simple word, else quoted with `\\`, `\"` and
    /// control characters escaped.
    static func logfmtValue(_ v: String) -> String {
        let simple = !v.isEmpty && v.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\" }
        if simple { return v }
        return quoted(v)
    }
}
