import Glibc

/// Whole small files (configurations, keys, tokens, rule files) read through the C library,
/// bounded: at most `limit` bytes are read, so a device such as `/dev/zero` or a huge file
/// costs no more than the limit. Foundation's `FileHandle` is not used (it is in the part of
/// Foundation that links ICU).
package enum FileContents {
    /// Why a file could not be read, worded for a message after its path.
    package enum Failure: Error, Equatable, CustomStringConvertible {
        /// No such file or directory.
        case noSuchFile
        /// The path is a directory.
        case isDirectory
        /// Opening or reading was refused.
        case permissionDenied
        /// The file holds more than the limit.
        case tooLarge(limit: Int)
        /// Any other error, as the C library words it (`strerror`).
        case other(String)

        /// `no such file`, `is a directory`, `permission denied`, `larger than the limit of N bytes`, or the C library's words.
        package var description: String {
            switch self {
            case .noSuchFile: "no such file"
            case .isDirectory: "is a directory"
            case .permissionDenied: "permission denied"
            case .tooLarge(let limit): "larger than the limit of \(limit) bytes"
            case .other(let reason): reason
            }
        }
    }

    /// The bytes of the file at `path`, or of standard input for `-` when `dashIsStandardInput`.
    package static func read(_ path: String, limit: Int, dashIsStandardInput: Bool = false) throws(Failure) -> [UInt8] {
        if dashIsStandardInput && path == "-" { return try read(descriptor: 0, limit: limit) }
        let fd = unsafe open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(errno) }
        defer { close(fd) }
        return try read(descriptor: fd, limit: limit)
    }

    /// The file's bytes as UTF-8 text; nil (after the file was read) when it is not UTF-8.
    package static func readText(_ path: String, limit: Int, dashIsStandardInput: Bool = false) throws(Failure) -> String? {
        String(validating: try read(path, limit: limit, dashIsStandardInput: dashIsStandardInput), as: UTF8.self)
    }

    /// Everything `fd` yields up to its end, refusing more than `limit` bytes.
    package static func read(descriptor fd: Int32, limit: Int) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = unsafe chunk.withUnsafeMutableBytes { unsafe Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            if n == 0 { return out }
            if out.count + n > limit { throw .tooLarge(limit: limit) }
            out.append(contentsOf: chunk[..<n])
        }
    }

    /// A failure for the C library's `errno`.
    package static func failure(_ code: Int32) -> Failure {
        switch code {
        case ENOENT, ENOTDIR: .noSuchFile
        case EISDIR: .isDirectory
        case EACCES, EPERM: .permissionDenied
        default: .other(unsafe String(cString: strerror(code)))
        }
    }
}

/// Standard output and standard error written whole with `write(2)`, unbuffered, so that a
/// message reaches the terminal or pipe before the process goes on (or exits).
package enum StandardStreams {
    /// Writes `text` to standard error.
    package static func writeError(_ text: String) { write(2, text) }

    /// Writes `text` to standard output.
    package static func writeOutput(_ text: String) { write(1, text) }

    /// Writes all of `text` to `fd`, retrying short and interrupted writes.
    package static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = unsafe bytes.withUnsafeMutableBytes { unsafe Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue } else { return } }
            offset += n
        }
    }
}
