/// An OpenMetrics exemplar (`# {trace_id="…"} 1 1.5e9`) lent with its sample.
@safe
public struct ExemplarView {
    @usableFromInline let line: Line
    @usableFromInline let slots: LabelSlotsView
    /// Number of exemplar labels.
    public let labelCount: Int
    /// The exemplar value.
    public let value: Double
    /// The exemplar timestamp in seconds, if written.
    public let timestamp: Double?

    /// The name of exemplar label `index`.
    public func labelName(_ index: Int) -> ByteView {
        let s = slots[index]  // checks the index
        return line.view(Int(s.nameStart), Int(s.nameCount))
    }

    /// The value of exemplar label `index` as written.
    public func rawLabelValue(_ index: Int) -> ByteView {
        let s = slots[index]  // checks the index
        return line.view(Int(s.valueStart), Int(s.valueCount))
    }
}
