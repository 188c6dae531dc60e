import CSnappy

/// Snappy block compression (the format remote write's bodies use, not the framed stream),
/// through Debian's libsnappy. The only place the library's pointers are handled.
package enum Snappy {
    /// `bytes` compressed as one snappy block.
    package static func compress(_ bytes: [UInt8]) -> [UInt8] {
        let capacity = snappy_max_compressed_length(bytes.count)
        var out = [UInt8](repeating: 0, count: capacity)
        var length = capacity
        let status = unsafe bytes.withUnsafeBufferPointer { input in
            unsafe out.withUnsafeMutableBufferPointer { output in
                unsafe input.withMemoryRebound(to: CChar.self) { i in
                    unsafe output.withMemoryRebound(to: CChar.self) { o in
                        unsafe snappy_compress(i.baseAddress, i.count, o.baseAddress, &length)
                    }
                }
            }
        }
        // Compression cannot fail with an output of snappy_max_compressed_length bytes.
        precondition(status == SNAPPY_OK, "snappy_compress failed with a buffer of its own maximum size")
        out.removeSubrange(length...)
        return out
    }

    /// The block `bytes` decompressed; nil when it is not a valid snappy block or would be longer
    /// than `limit` bytes.
    package static func uncompress(_ bytes: [UInt8], limit: Int) -> [UInt8]? {
        var length = 0
        let sized = unsafe bytes.withUnsafeBufferPointer { input in
            unsafe input.withMemoryRebound(to: CChar.self) { i in unsafe snappy_uncompressed_length(i.baseAddress, i.count, &length) }
        }
        guard sized == SNAPPY_OK, length <= limit else { return nil }
        var out = [UInt8](repeating: 0, count: max(length, 1))
        var written = length
        let status = unsafe bytes.withUnsafeBufferPointer { input in
            unsafe out.withUnsafeMutableBufferPointer { output in
                unsafe input.withMemoryRebound(to: CChar.self) { i in
                    unsafe output.withMemoryRebound(to: CChar.self) { o in
                        unsafe snappy_uncompress(i.baseAddress, i.count, o.baseAddress, &written)
                    }
                }
            }
        }
        guard status == SNAPPY_OK, written == length else { return nil }
        out.removeSubrange(written...)
        return out
    }
}
