/// HMAC-SHA256 (RFC 2104 over ``SHA256``): the keyed hash AWS Signature Version 4 chains to
/// derive its signing key and sign. Checked against RFC 4231's test cases (`HMACTests`).
package enum HMAC {
    /// HMAC-SHA256 of `message` under `key` (32 bytes).
    package static func sha256<K: Collection, M: Collection>(key: K, message: M) -> [UInt8] where K.Element == UInt8, M.Element == UInt8 {
        var k = key.count > 64 ? SHA256.hash(key) : Array(key)
        k += [UInt8](repeating: 0, count: 64 - k.count)
        var inner = SHA256()
        inner.update(k.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(k.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }
}
