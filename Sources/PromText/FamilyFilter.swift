/// The metric families a consumer wants; lines of other families never reach it.
///
/// By default a skipped line is still parsed and validated (a broken line is an error
/// whatever its family), only not handed over. With ``SkippedLines/unparsed`` the
/// parser skips it at byte-scan speed after its metric name instead.
///
/// A sample line is kept when its metric name starts with one of ``prefixes``,
/// or equals one of ``names`` with or without a sample suffix (`_bucket`,
/// `_sum`, `_count`, `_total`, `_created`, `_info`, `_gcount`, `_gsum`).
///
/// ```swift
/// let filter = FamilyFilter(names: ["process_start_time_seconds"],
///                           prefixes: ["apiserver_request_duration_seconds"])
/// ```
public struct FamilyFilter: Sendable, Hashable {
    /// Family names kept exactly (suffixes allowed).
    public var names: [String]
    /// Name prefixes kept.
    public var prefixes: [String]
    /// What happens to the lines of other families.
    public var skipped: SkippedLines

    /// How the lines of unwanted families are skipped.
    public enum SkippedLines: Sendable, Hashable {
        /// Parsed and validated like every line, then not handed to the consumer.
        case validated
        /// Skipped after the metric name without looking at labels or value: fastest,
        /// but an error in such a line goes unnoticed (0.0.4 only; OpenMetrics always validates).
        case unparsed
    }

    public init(names: [String] = [], prefixes: [String] = [], skipped: SkippedLines = .validated) {
        self.names = names
        self.prefixes = prefixes
        self.skipped = skipped
    }

    /// Whether a sample with this metric name is kept.
    public func keeps(_ name: String) -> Bool {
        Array(name.utf8).withUnsafeBufferPointer { CompiledFamilyFilter(self).keeps($0.baseAddress!, $0.count) }
    }
}

/// The filter as bytes. The parser caches its decision per metric name (``RepeatCache``),
/// so this runs once per run of lines with the same name.
struct CompiledFamilyFilter {
    private let names: [[UInt8]]
    private let prefixes: [[UInt8]]
    /// Whether lines of unwanted families are parsed (and validated) all the same.
    let validatesSkipped: Bool
    private static let suffixes: [[UInt8]] = ["_bucket", "_sum", "_count", "_total", "_created", "_info", "_gcount", "_gsum"]
        .map { Array($0.utf8) }

    init(_ filter: FamilyFilter) {
        names = filter.names.map { Array($0.utf8) }
        prefixes = filter.prefixes.map { Array($0.utf8) }
        validatesSkipped = filter.skipped == .validated
    }

    func keeps(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        for prefix in prefixes where prefix.count <= n {
            if prefix.withUnsafeBufferPointer({ $0.isEmpty || memoryEquals(p, $0.baseAddress!, $0.count) }) { return true }
        }
        for name in names {
            if name.count == n, name.withUnsafeBufferPointer({ memoryEquals(p, $0.baseAddress!, n) }) { return true }
            if name.count < n, name.withUnsafeBufferPointer({ memoryEquals(p, $0.baseAddress!, $0.count) }) {
                let rest = UnsafeBufferPointer(start: p + name.count, count: n - name.count)
                for s in Self.suffixes where s.count == rest.count && s.elementsEqual(rest) { return true }
            }
        }
        return false
    }
}
