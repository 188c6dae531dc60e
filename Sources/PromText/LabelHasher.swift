/// 64-bit hashing of names and label sets, order-independent over labels.
///
/// Used for series fingerprints and for OpenMetrics grouping checks; not
/// cryptographic, and never exposed as a stable format.
enum LabelHasher {
    @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    /// Hashes bytes, 8 at a time.
    static func hashBytes(_ b: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var h = seed ^ (UInt64(b.count) &* 0xA076_1D64_78BD_642F)
        guard let p = b.baseAddress else { return mix(h, 0xE703_7ED1_A0B4_28DB) }
        var i = 0
        let n = b.count
        while i + 8 <= n {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            h = mix(h ^ w, 0xE703_7ED1_A0B4_28DB)
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = mix(h ^ w, 0x8EBC_6AF0_9C88_C6E3)
        }
        return mix(h, 0x5899_65CC_7537_4CC3)
    }

    /// Hash of one label pair (name, unescaped value), to be summed with the others.
    static func pairHash(_ s: SampleView, _ i: Int, scratch: inout [UInt8]) -> UInt64 {
        let n = hashBytes(s.labelName(i).buffer, seed: 0x1234_5678_9ABC_DEF1)
        let v: UInt64
        if s.labelValueIsEscaped(i) {
            scratch.removeAll(keepingCapacity: true)
            s.appendLabelValue(i, to: &scratch)
            v = scratch.withUnsafeBufferPointer { hashBytes($0, seed: n) }
        } else {
            v = hashBytes(s.rawLabelValue(i).buffer, seed: n)
        }
        return mix(v, 0x2D35_8DCC_AA6C_78A5)
    }

    static func finalize(_ h: UInt64) -> UInt64 { mix(h, 0x9FB2_1C65_1E98_DF25) }
}
