/// 64-bit hashing of names and label sets, order-independent over labels: the model's one
/// definition, as Prometheus's `labels.Hash`.
///
/// A label set's hash is the sum of one hash per label (the metric name hashed on its
/// own), finalized: so it does not depend on label order, and a label can be added or
/// taken out of a sum without rehashing the rest. ``Labels``, the parser's series
/// fingerprints and the store's indexes all use this one definition. Not cryptographic;
/// never a stable format (nothing hashed is ever written to disk).
///
/// Public and `@inlinable`: the parser, the store and PromQL hash bytes per sample, and
/// Swift inlines across modules only what is public.
public enum LabelHasher {
    /// Folds two words into one: the high and low halves of their 128-bit product, XORed
    /// (wyhash's mixing step). Every hash here is built from it.
    @inlinable @inline(__always)
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    /// Hashes bytes, 8 at a time.
    @inlinable
    public static func hashBytes(_ b: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
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

    /// The term of a metric name in a label set's sum.
    @inlinable
    public static func nameHash(_ metricName: UnsafeBufferPointer<UInt8>) -> UInt64 {
        unsafe hashBytes(metricName, seed: 0x9E37_79B9_7F4A_7C15)
    }

    /// The term of one label (name, unescaped value) in a label set's sum.
    @inlinable
    public static func pairHash(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> UInt64 {
        unsafe pairHash(nameSeed: nameSeed(name), value: value)
    }

    /// The part of ``pairHash(name:value:)`` that depends on the name alone (label names
    /// repeat from series to series: computed once, it halves the work).
    @inlinable
    public static func nameSeed(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        unsafe hashBytes(name, seed: 0x1234_5678_9ABC_DEF1)
    }

    /// ``pairHash(name:value:)`` with the name's seed already computed.
    @inlinable
    public static func pairHash(nameSeed: UInt64, value: UnsafeBufferPointer<UInt8>) -> UInt64 {
        unsafe mix(hashBytes(value, seed: nameSeed), 0x2D35_8DCC_AA6C_78A5)
    }

    /// The hash of a label set from the sum of its terms.
    @inlinable
    public static func finalize(_ sum: UInt64) -> UInt64 { mix(sum, 0x9FB2_1C65_1E98_DF25) }
}
