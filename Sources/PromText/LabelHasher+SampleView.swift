import PromModel

extension LabelHasher {
    /// ``LabelHasher/hashBytes(_:seed:)`` of a parser view.
    @inline(__always)
    package static func hashBytes(_ v: ByteView, seed: UInt64) -> UInt64 { unsafe hashBytes(v.unsafeBuffer, seed: seed) }

    /// ``LabelHasher/nameHash(_:)`` of a parser view.
    @inline(__always)
    package static func nameHash(_ v: ByteView) -> UInt64 { unsafe nameHash(v.unsafeBuffer) }

    /// The term of a sample's label `i`, its value unescaped into `scratch` when it has escapes.
    package static func pairHash(_ s: SampleView, _ i: Int, scratch: inout [UInt8]) -> UInt64 {
        if s.labelValueIsEscaped(i) {
            scratch.removeAll(keepingCapacity: true)
            s.appendLabelValue(i, to: &scratch)
            return unsafe scratch.withUnsafeBufferPointer { unsafe pairHash(name: s.labelName(i).unsafeBuffer, value: $0) }
        }
        return unsafe pairHash(name: s.labelName(i).unsafeBuffer, value: s.rawLabelValue(i).unsafeBuffer)
    }
}
