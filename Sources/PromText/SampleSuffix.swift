/// Which part of a family a sample is, by its name's suffix.
enum SampleSuffix: CaseIterable {
    case none, total, created, count, sum, bucket, gcount, gsum, info

    var text: StaticString {
        switch self {
        case .none: ""
        case .total: "_total"
        case .created: "_created"
        case .count: "_count"
        case .sum: "_sum"
        case .bucket: "_bucket"
        case .gcount: "_gcount"
        case .gsum: "_gsum"
        case .info: "_info"
        }
    }

    /// Counter-like samples may not be NaN (nor negative, but for `_gsum`).
    var isCounterLike: Bool {
        switch self {
        case .total, .sum, .count, .bucket, .gcount, .gsum: true
        default: false
        }
    }

    var bytes: [UInt8] { Array("\(text)".utf8) }

    private static let openMetrics: [[SampleSuffix]] = MetricType.allCases.map { t in
        switch t {
        case .counter: [.total, .created]
        case .summary: [.none, .count, .sum, .created]
        case .histogram: [.count, .sum, .bucket, .created]
        case .gaugehistogram: [.gcount, .gsum, .bucket]
        case .info: [.info]
        default: [.none]
        }
    }

    // 0.0.4 counters are often named without `_total` (and the family then has it).
    private static let prometheusText: [[SampleSuffix]] = MetricType.allCases.map { t in
        switch t {
        case .counter: [.none, .total]
        case .summary: [.none, .count, .sum]
        case .histogram: [.count, .sum, .bucket]
        case .gaugehistogram: [.gcount, .gsum, .bucket]
        case .info: [.info]
        default: [.none]
        }
    }

    /// The suffixes a family of this type may give its sample names, in each format
    /// (tables built once: no allocation per family or line).
    static func allowed(for type: MetricType, in format: ExpositionFormat) -> [SampleSuffix] {
        format == .openMetrics ? openMetrics[Int(type.rawValue)] : prometheusText[Int(type.rawValue)]
    }
}

