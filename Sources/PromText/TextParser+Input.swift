#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension TextParser {
    /// Reads a file descriptor to its end, feeding the parser chunk by chunk
    /// through one reusable buffer (memory stays flat whatever the input size).
    /// Does not call ``finish()``.
    public func feed(fileDescriptor fd: Int32, chunkSize: Int = 256 << 10) throws(ParseError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, chunkSize)
            if n == 0 { return }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                throw ParseError(kind: .io, source: options.source, line: 0, column: 0, message: "read failed: \(reason)")
            }
            try feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}
