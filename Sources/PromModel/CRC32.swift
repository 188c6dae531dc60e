/// CRC-32 (IEEE 802.3, reflected, as zlib's `crc32` and Go's `hash/crc32` compute it): the
/// checksum of `series.bin` and of each record of the remote-write buffer, so a half-written or
/// damaged file is refused. Computed a piece at a time, as the file is written.
package struct CRC32: Sendable {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private var register: UInt32 = 0xFFFF_FFFF

    /// The checksum of nothing yet.
    package init() {}

    /// Adds `bytes` to the checksum.
    package mutating func update(_ bytes: ArraySlice<UInt8>) {
        var c = register
        for b in bytes { c = Self.table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        register = c
    }

    /// The checksum of every byte added so far.
    package var value: UInt32 { register ^ 0xFFFF_FFFF }

    /// The checksum of `bytes`.
    package static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
