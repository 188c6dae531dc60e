/// The type of a metric family, as declared by its `# TYPE` line.
///
/// Prometheus text 0.0.4 knows `counter`, `gauge`, `histogram`, `summary` and
/// `untyped`; OpenMetrics 1.0 adds `info`, `stateset`, `gaugehistogram` and
/// calls the absence of a type `unknown` (``untyped`` here, for both).
public enum MetricType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case untyped
    case counter
    case gauge
    case histogram
    case summary
    case info
    case stateset
    case gaugehistogram

    /// The name as written in a `# TYPE` line of the given format.
    public func name(in format: ExpositionFormat) -> String {
        if self == .untyped { return format == .openMetrics ? "unknown" : "untyped" }
        return description
    }

    /// The type's keyword (`counter`, `summary`…).
    public var description: String { keyword.description }

    /// The word a `# TYPE` line uses (0.0.4's spelling for ``untyped``).
    var keyword: StaticString {
        switch self {
        case .untyped: "untyped"
        case .counter: "counter"
        case .gauge: "gauge"
        case .histogram: "histogram"
        case .summary: "summary"
        case .info: "info"
        case .stateset: "stateset"
        case .gaugehistogram: "gaugehistogram"
        }
    }

    /// Parses a `# TYPE` keyword; `nil` when the format does not know it
    /// (0.0.4 has the first five types and says `untyped`, OpenMetrics says `unknown`).
    init?(keyword: ByteView, format: ExpositionFormat) {
        if keyword == (format == .openMetrics ? "unknown" : "untyped") {
            self = .untyped
            return
        }
        guard let type = MetricType.allCases.first(where: { $0 != .untyped && keyword == $0.keyword }),
            format == .openMetrics || type.rawValue <= MetricType.summary.rawValue
        else { return nil }
        self = type
    }
}

/// The two text exposition formats the parser reads.
public enum ExpositionFormat: Sendable, CustomStringConvertible {
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4`).
    case prometheusText
    /// OpenMetrics 1.0 text (`application/openmetrics-text`).
    case openMetrics

    /// Picks the format from an HTTP `Content-Type` header value.
    public init(contentType: String) {
        self = contentType.lowercased().contains("application/openmetrics-text") ? .openMetrics : .prometheusText
    }

    /// The format's name as ctlmon prints it (`prometheus-text-0.0.4`, `openmetrics-1.0`).
    public var description: String {
        switch self {
        case .prometheusText: "prometheus-text-0.0.4"
        case .openMetrics: "openmetrics-1.0"
        }
    }
}
