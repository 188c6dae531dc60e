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

    /// Keeps the families named (with their `_bucket`, `_sum`, `_count`, `_total`… samples)
    /// and every family starting with one of `prefixes`.
    public init(names: [String] = [], prefixes: [String] = [], skipped: SkippedLines = .validated) {
        self.names = names
        self.prefixes = prefixes
        self.skipped = skipped
    }

    /// Whether a sample with this metric name is kept.
    public func keeps(_ name: String) -> Bool {
        let filter = CompiledFamilyFilter(self)
        return ByteView.withView(of: Array(name.utf8)) { filter.keeps($0) }
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

    /// Whether the family filter keeps a sample named `name`.
    func keeps(_ name: ByteView) -> Bool {
        for prefix in prefixes where name.hasPrefix(prefix) { return true }
        for family in names where name.hasPrefix(family) {
            if family.count == name.count { return true }
            let rest = name.tail(from: family.count)
            for s in Self.suffixes where rest == s { return true }
        }
        return false
    }
}
