import PromModel

/// One sample, lent to a ``SampleConsumer`` for the duration of the callback.
///
/// Names and label values are borrowed ``ByteView``s into the line being
/// parsed; nothing is copied or unescaped unless asked for. Do not keep the
/// view or its byte views past the callback.
@safe
public struct SampleView {
    @usableFromInline let line: Line
    @usableFromInline let slots: LabelSlotsView
    /// Number of labels on the sample (exemplar labels not included).
    public let labelCount: Int
    /// The metric name as written (for a histogram bucket: `…_bucket`).
    public let name: ByteView
    /// The family the sample belongs to, by `# TYPE` (or the sample name when untyped).
    public let family: ByteView
    /// The sample value.
    public let value: Double
    @usableFromInline let timestampStorage: Int64
    @usableFromInline let exemplarValue: Double
    @usableFromInline let exemplarTimestamp: Double
    /// Number of exemplar labels; -1 without an exemplar.
    @usableFromInline let exemplarLabelCount: Int
    /// 1-based line number of the sample in the decoded text.
    public let lineNumber: Int
    /// The family's type from its `# TYPE` line; ``MetricType/untyped`` without one.
    public let type: MetricType
    @usableFromInline let hasTimestamp: Bool
    /// The name and label set, as written.
    @usableFromInline let series: ByteView

    /// The timestamp in milliseconds since the epoch, if the line has one
    /// (0.0.4 writes milliseconds, OpenMetrics seconds; both are converted).
    @inlinable
    public var timestampMilliseconds: Int64? { hasTimestamp ? timestampStorage : nil }

    /// The OpenMetrics exemplar, if the line has one.
    public var exemplar: ExemplarView? {
        guard exemplarLabelCount >= 0 else { return nil }
        return ExemplarView(
            line: line, slots: slots.following(exemplarLabelCount), labelCount: exemplarLabelCount, value: exemplarValue,
            timestamp: exemplarTimestamp.isNaN ? nil : exemplarTimestamp)
    }

    // Scalars only, no optionals: the view is built once per sample on the hot path.
    @usableFromInline
    init(
        line: Line, slots: LabelSlotsView, labelCount: Int, name: ByteView,
        family: ByteView, type: MetricType, value: Double, hasTimestamp: Bool, timestamp: Int64,
        exemplarLabelCount: Int = -1, exemplarValue: Double = 0, exemplarTimestamp: Double = .nan, lineNumber: Int,
        series: ByteView? = nil
    ) {
        self.series = series ?? name
        self.line = line
        self.slots = slots.prefix(labelCount)
        self.labelCount = labelCount
        self.name = name
        self.family = family
        self.type = type
        self.value = value
        self.hasTimestamp = hasTimestamp
        self.timestampStorage = timestamp
        self.exemplarLabelCount = exemplarLabelCount
        self.exemplarValue = exemplarValue
        self.exemplarTimestamp = exemplarTimestamp
        self.lineNumber = lineNumber
    }

    /// The name of label `index` (0-based, in the order written).
    @inlinable
    public func labelName(_ index: Int) -> ByteView {
        let s = slots[index]  // checks the index
        return line.view(Int(s.nameStart), Int(s.nameCount))
    }

    /// The value of label `index` as written, escapes included.
    @inlinable
    public func rawLabelValue(_ index: Int) -> ByteView {
        let s = slots[index]  // checks the index
        return line.view(Int(s.valueStart), Int(s.valueCount))
    }

    /// Whether label `index`'s value contains escapes (`\\`, `\"`, `\n`).
    @inlinable
    public func labelValueIsEscaped(_ index: Int) -> Bool {
        return slots[index].escaped
    }

    /// Appends the unescaped value of label `index` to `storage` (reuse it across calls).
    public func appendLabelValue(_ index: Int, to storage: inout [UInt8]) {
        let raw = rawLabelValue(index)
        if !slots[index].escaped {
            storage.append(contentsOf: raw)
        } else {
            Unescaper.appendUnescaped(raw, quotes: true, to: &storage)
        }
    }

    /// The unescaped value of label `index` as a String (allocates: for the edges, not hot paths).
    public func labelValue(_ index: Int) -> String {
        if !slots[index].escaped { return rawLabelValue(index).string }
        var storage: [UInt8] = []
        appendLabelValue(index, to: &storage)
        return String(decoding: storage, as: UTF8.self)
    }

    /// The index of the label with this name, if present.
    public func labelIndex(_ name: StaticString) -> Int? {
        for i in 0..<labelCount where labelName(i) == name { return i }
        return nil
    }

    /// The series as written: the metric name and label set, escapes, order and blanks
    /// as they are in the line. Equal bytes are the same series; the reverse is not always
    /// true (order, escapes), so this is a cache key, not an identity.
    package var seriesBytes: ByteView { series }

    /// An order-independent 64-bit fingerprint of the metric name and label set
    /// (equal series give equal fingerprints whatever their label order).
    public var seriesFingerprint: UInt64 {
        var scratch: [UInt8] = []
        return LabelHasher.finalize(seriesHashSum(scratch: &scratch))
    }

    /// The unfinalized sum behind ``seriesFingerprint`` (see ``LabelHasher``), with label
    /// values unescaped into `scratch` where they need it.
    package func seriesHashSum(scratch: inout [UInt8]) -> UInt64 {
        var h = LabelHasher.nameHash(name)
        for i in 0..<labelCount {
            h &+= LabelHasher.pairHash(self, i, scratch: &scratch)
        }
        return h
    }
}
