/// An OpenMetrics exemplar (`# {trace_id="…"} 1 1.5e9`) lent with its sample.
public struct ExemplarView {
    @usableFromInline let line: UnsafePointer<UInt8>
    @usableFromInline let slots: UnsafePointer<LabelSlot>
    /// Number of exemplar labels.
    public let labelCount: Int
    /// The exemplar value.
    public let value: Double
    /// The exemplar timestamp in seconds, if written.
    public let timestamp: Double?

    /// The name of exemplar label `index`.
    public func labelName(_ index: Int) -> ByteView {
        precondition(index >= 0 && index < labelCount, "label index out of range")
        let s = slots[index]
        return ByteView(start: line + Int(s.nameStart), count: Int(s.nameCount))
    }

    /// The value of exemplar label `index` as written.
    public func rawLabelValue(_ index: Int) -> ByteView {
        precondition(index >= 0 && index < labelCount, "label index out of range")
        let s = slots[index]
        return ByteView(start: line + Int(s.valueStart), count: Int(s.valueCount))
    }
}
