/// 64-bit hashing of names and label sets, order-independent over labels.
///
/// A label set's hash is the sum of one hash per label (the metric name hashed on its
/// own), finalized: so it does not depend on label order, and a label can be added or
/// taken out of a sum without rehashing the rest. The parser's series fingerprints and
/// PromQL's label sets use this one definition, so a scraped sample finds its stored
/// series by hash without building its labels. Not cryptographic; never a stable format.
package enum LabelHasher {
    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    /// Hashes bytes, 8 at a time.
    package static func hashBytes(_ b: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var h = seed ^ (UInt64(b.count) &* 0xA076_1D64_78BD_642F)
        guard let p = b.baseAddress else { return mix(h, 0xE703_7ED1_A0B4_28DB) }
        var i = 0
        let n = b.count
        while i + 8 <= n {
            let w = unsafe UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            h = mix(h ^ w, 0xE703_7ED1_A0B4_28DB)
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                unsafe w |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = mix(h ^ w, 0x8EBC_6AF0_9C88_C6E3)
        }
        return mix(h, 0x5899_65CC_7537_4CC3)
    }

    /// ``hashBytes(_:seed:)`` of a parser view.
    @inline(__always)
    package static func hashBytes(_ v: ByteView, seed: UInt64) -> UInt64 { unsafe hashBytes(v.unsafeBuffer, seed: seed) }

    /// ``nameHash(_:)`` of a parser view.
    @inline(__always)
    package static func nameHash(_ v: ByteView) -> UInt64 { unsafe nameHash(v.unsafeBuffer) }

    /// The term of a metric name in a label set's sum.
    package static func nameHash(_ metricName: UnsafeBufferPointer<UInt8>) -> UInt64 {
        unsafe hashBytes(metricName, seed: 0x9E37_79B9_7F4A_7C15)
    }

    /// The term of one label (name, unescaped value) in a label set's sum.
    package static func pairHash(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> UInt64 {
        unsafe pairHash(nameSeed: nameSeed(name), value: value)
    }

    /// The part of ``pairHash(name:value:)`` that depends on the name alone (label names
    /// repeat from series to series: computed once, it halves the work).
    package static func nameSeed(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        unsafe hashBytes(name, seed: 0x1234_5678_9ABC_DEF1)
    }

    package static func pairHash(nameSeed: UInt64, value: UnsafeBufferPointer<UInt8>) -> UInt64 {
        unsafe mix(hashBytes(value, seed: nameSeed), 0x2D35_8DCC_AA6C_78A5)
    }

    /// The term of a sample's label `i`, its value unescaped into `scratch` when it has escapes.
    package static func pairHash(_ s: SampleView, _ i: Int, scratch: inout [UInt8]) -> UInt64 {
        if s.labelValueIsEscaped(i) {
            scratch.removeAll(keepingCapacity: true)
            s.appendLabelValue(i, to: &scratch)
            return unsafe scratch.withUnsafeBufferPointer { unsafe pairHash(name: s.labelName(i).unsafeBuffer, value: $0) }
        }
        return unsafe pairHash(name: s.labelName(i).unsafeBuffer, value: s.rawLabelValue(i).unsafeBuffer)
    }

    /// The hash of a label set from the sum of its terms.
    package static func finalize(_ sum: UInt64) -> UInt64 { mix(sum, 0x9FB2_1C65_1E98_DF25) }
}
