// The rules of OpenMetrics 1.0 beyond its grammar, checked as lines arrive: metadata
// before samples and at most once, families not interleaved or clashing, series groups
// contiguous with non-decreasing timestamps, counter-like values, histogram buckets,
// exemplar placement, `# EOF` last. Allocates per family and per series group (not per
// line); 0.0.4 parsing never runs this.

import PromModel

struct OpenMetricsValidator {
    private(set) var sawEOF = false

    private var hasFamily = false
    private var family: [UInt8] = []
    private var type: MetricType = .untyped
    private var typeDeclared = false
    private var helpSeen = false
    private var unit: [UInt8]? = nil
    private var samplesInFamily = 0
    private var familyLine = 0
    /// Sample names allowed in the current family: family name + these suffixes.
    /// Every name a finished family has claimed (name + its type's suffixes).
    private var claimedNames: Set<[UInt8]> = []

    private var group: UInt64? = nil
    private var seenGroups: Set<UInt64> = []
    private var groupTimestamp: Double? = nil

    private var histogram = HistogramRun()

    // MARK: metadata

    mutating func metadata(_ m: MetadataView, lineNumber: Int) throws(LineFault) {
        let name = m.name
        if hasFamily && name == family {
            if samplesInFamily > 0 {
                throw LineFault(.semantics, at: 0, "metadata for \"\(name)\" after its samples")
            }
        } else {
            try startFamily(name.bytes, lineNumber: lineNumber)
        }
        switch m.kind {
        case .help:
            if helpSeen { throw LineFault(.semantics, at: 0, "second HELP for \"\(name)\"") }
            helpSeen = true
        case .type:
            if typeDeclared { throw LineFault(.semantics, at: 0, "second TYPE for \"\(name)\"") }
            typeDeclared = true
            type = m.type ?? .untyped
        case .unit:
            if unit != nil { throw LineFault(.semantics, at: 0, "second UNIT for \"\(name)\"") }
            unit = m.text.bytes
        }
    }

    mutating func eof(lineNumber: Int) throws(LineFault) {
        try endFamily()
        sawEOF = true
    }

    mutating func finish() throws(LineFault) {
        if !sawEOF {
            try endFamily()
            throw LineFault(.syntax, at: 0, "missing \"# EOF\" at the end of OpenMetrics input")
        }
    }

    private mutating func startFamily(_ name: [UInt8], lineNumber: Int) throws(LineFault) {
        try endFamily()
        hasFamily = true
        family = name
        type = .untyped
        typeDeclared = false
        helpSeen = false
        unit = nil
        samplesInFamily = 0
        familyLine = lineNumber
        group = nil
        seenGroups.removeAll(keepingCapacity: true)
        groupTimestamp = nil
        histogram = HistogramRun()
    }

    /// Checks that apply to a whole family, once it ends.
    private mutating func endFamily() throws(LineFault) {
        guard hasFamily else { return }
        hasFamily = false
        let name = String(decoding: family, as: UTF8.self)
        if histogram.active { try histogram.check(family: family) }
        var claims = SampleSuffix.allowed(for: type, in: .openMetrics).map { family + $0.bytes }
        if !claims.contains(family) { claims.append(family) }
        for claim in claims {
            if !claimedNames.insert(claim).inserted {
                throw LineFault(.semantics, at: 0,
                    "metric family \"\(String(decoding: claim, as: UTF8.self))\" clashes with an earlier family (families must not repeat or interleave)")
            }
        }
        if let unit, !unit.isEmpty {
            if type == .info || type == .stateset {
                throw LineFault(.semantics, at: 0, "\(type) family \"\(name)\" cannot have a unit", line: familyLine)
            }
            if !(family.count > unit.count && family.suffix(unit.count + 1).elementsEqual([UInt8(ascii: "_")] + unit)) {
                throw LineFault(.semantics, at: 0,
                    "family \"\(name)\" must end with its unit \"_\(String(decoding: unit, as: UTF8.self))\"", line: familyLine)
            }
        }
    }

    // MARK: samples

    /// Validates one sample; returns its family name and type. Allocates only for a new
    /// family or a new series group.
    ///
    /// Long by design: called per sample of every OpenMetrics scrape; its checks share the
    /// family and series state computed at the top, which a split would pass around.
    mutating func sample(
        line p: Line, name: ByteView, slots: LabelSlotsView, labelCount: Int, value: Double,
        timestamp: Double?, hasExemplar: Bool, lineNumber: Int
    ) throws(LineFault) -> (ByteView, MetricType) {
        var suffix: SampleSuffix? = nil
        if hasFamily && name.hasPrefix(family) {
            let rest = name.tail(from: family.count)
            suffix = SampleSuffix.allowed(for: type, in: .openMetrics).first { rest == $0.text }
        }
        if suffix == nil {
            try startFamily(name.bytes, lineNumber: lineNumber)
            suffix = SampleSuffix.none
        }
        let kind = suffix!
        samplesInFamily += 1
        let view = SampleView(
            line: p, slots: slots, labelCount: labelCount, name: name, family: name, type: type, value: value,
            hasTimestamp: false, timestamp: 0, lineNumber: lineNumber)
        let isBucket = (type == .histogram || type == .gaugehistogram) && kind == .bucket
        let isQuantile = type == .summary && kind == .none

        // Labels a type requires.
        var bucketBound: Double = 0
        if type == .stateset {
            guard indexOfLabel(view, family) != nil else {
                throw LineFault(.semantics, at: 0, "stateset sample needs a label named \"\(String(decoding: family, as: UTF8.self))\"")
            }
        }
        if isBucket {
            guard let k = view.labelIndex("le"), let le = canonicalNumber(view.rawLabelValue(k)), !le.isNaN else {
                throw LineFault(.semantics, at: 0, "histogram bucket needs an \"le\" label with a number (+Inf written as \"+Inf\")")
            }
            bucketBound = le
            if value != value.rounded() { throw LineFault(.semantics, at: 0, "bucket value must be an integer") }
        }
        if (kind == .count || kind == .gcount) && value != value.rounded() {
            throw LineFault(.semantics, at: 0, "count value must be an integer")
        }
        if isQuantile {
            guard let k = view.labelIndex("quantile"), let q = canonicalNumber(view.rawLabelValue(k)), q >= 0, q <= 1 else {
                throw LineFault(.semantics, at: 0, "summary quantile needs a \"quantile\" label between 0 and 1")
            }
        }

        // Grouping: one group's samples are contiguous; timestamps present throughout and non-decreasing.
        let g: UInt64
        if type == .info {
            g = 0
        } else if isBucket {
            g = groupHash(view, excluding: "le")
        } else if isQuantile {
            g = groupHash(view, excluding: "quantile")
        } else if type == .stateset {
            g = groupHash(view, excluding: family)
        } else {
            g = groupHash(view, excluding: nil)
        }
        if let current = group, current != g, seenGroups.contains(g) {
            throw LineFault(.semantics, at: 0, "samples of one series group must be together (this group appeared earlier)")
        }
        if let current = group, current == g {
            if (timestamp == nil) != (groupTimestamp == nil) {
                throw LineFault(.semantics, at: 0, "timestamps must be on all samples of a group or on none")
            }
            if let last = groupTimestamp, let ts = timestamp, last > ts, type != .info {
                throw LineFault(.semantics, at: 0, "timestamps went backwards within a series group")
            }
        }
        group = g
        groupTimestamp = timestamp
        seenGroups.insert(g)

        // Values.
        if type == .stateset && value != 0 && value != 1 {
            throw LineFault(.semantics, at: 0, "stateset values must be 0 or 1")
        }
        if type == .info && value != 1 { throw LineFault(.semantics, at: 0, "info values must be 1") }
        if isQuantile && value < 0 { throw LineFault(.semantics, at: 0, "quantile values cannot be negative") }
        if kind.isCounterLike && value.isNaN { throw LineFault(.semantics, at: 0, "\(kind.text) values cannot be NaN") }
        if kind.isCounterLike && kind != .gsum && value < 0 {
            throw LineFault(.semantics, at: 0, "\(kind.text) values cannot be negative")
        }
        if hasExemplar && !(isBucket || (type == .counter && kind == .total)) {
            throw LineFault(.semantics, at: 0, "exemplars are allowed only on histogram buckets and counter totals")
        }

        if type == .histogram || type == .gaugehistogram {
            try histogram.add(kind, group: g, timestamp: timestamp, value: value, bound: bucketBound, family: family)
        }
        return (name.head(family.count), type)
    }

    private func indexOfLabel(_ s: SampleView, _ name: [UInt8]) -> Int? {
        for i in 0..<s.labelCount where s.labelName(i) == name { return i }
        return nil
    }

    /// Order-independent hash of the labels, leaving out one label name.
    private func groupHash(_ s: SampleView, excluding: StaticString) -> UInt64 {
        var h: UInt64 = 0
        var scratch: [UInt8] = []
        for i in 0..<s.labelCount {
            if s.labelName(i) == excluding { continue }
            h &+= LabelHasher.pairHash(s, i, scratch: &scratch)
        }
        return LabelHasher.finalize(h)
    }

    private func groupHash(_ s: SampleView, excluding: [UInt8]?) -> UInt64 {
        var h: UInt64 = 0
        var scratch: [UInt8] = []
        for i in 0..<s.labelCount {
            if let excluding, s.labelName(i) == excluding { continue }
            h &+= LabelHasher.pairHash(s, i, scratch: &scratch)
        }
        return LabelHasher.finalize(h)
    }

    /// A number label (`le`, `quantile`); infinities only as `+Inf`/`-Inf`.
    private func canonicalNumber(_ v: ByteView) -> Double? {
        guard let d = v.parsedDouble else { return nil }
        if d.isInfinite && !(v == "+Inf" || v == "-Inf") { return nil }
        return d
    }
}

/// The samples of one histogram group (labels without `le`, one timestamp), checked when it ends.
private struct HistogramRun {
    var active = false
    var group: UInt64 = 0
    var timestamp: Double? = nil
    var count: Double? = nil
    var lastBound: Double? = nil
    var lastValue: Double = 0
    var negativeBuckets = false
    var hasSum = false
    var hasGsum = false
    var negativeGsum = false

    mutating func add(
        _ suffix: SampleSuffix, group g: UInt64, timestamp ts: Double?, value: Double, bound: Double, family: [UInt8]
    ) throws(LineFault) {
        if !active || g != group || ts != timestamp {
            if active { try check(family: family) }
            self = HistogramRun()
            active = true
            group = g
            timestamp = ts
        }
        switch suffix {
        case .bucket:
            if bound < 0 { negativeBuckets = true }
            if let last = lastBound, bound <= last {
                throw LineFault(.semantics, at: 0, "histogram buckets must be in increasing order of \"le\"")
            }
            if value < lastValue { throw LineFault(.semantics, at: 0, "histogram bucket counts must not decrease") }
            lastBound = bound
            lastValue = value
        case .count, .gcount:
            count = value
        case .sum:
            hasSum = true
        case .gsum:
            hasGsum = true
            if value < 0 { negativeGsum = true }
        default:
            break
        }
    }

    func check(family: [UInt8]) throws(LineFault) {
        func fault(_ m: String) -> LineFault {
            LineFault(.semantics, at: 0, "histogram \"\(String(decoding: family, as: UTF8.self))\": \(m)")
        }
        if lastBound != .infinity { throw fault("missing the +Inf bucket") }
        if let count, count != lastValue { throw fault("_count does not equal the +Inf bucket") }
        if hasSum && count == nil { throw fault("_count must be present with _sum") }
        if hasGsum && count == nil { throw fault("_gcount must be present with _gsum") }
        if !(hasSum || hasGsum) && count != nil { throw fault("_sum must be present with _count") }
        if negativeBuckets && hasSum { throw fault("_sum is not allowed with negative buckets") }
        if !negativeBuckets && negativeGsum { throw fault("negative _gsum needs negative buckets") }
    }
}
