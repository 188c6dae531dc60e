#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file through POSIX calls: append at the end, read at an offset, sync, close; folders
/// listed and made, files replaced atomically. The remote-write buffer's segments and the
/// sidecar's state files go through it, and nothing else of theirs touches file descriptors.
package final class SystemFile {
    private let fd: Int32
    /// The file's path.
    package let path: String

    /// A failed file operation: the path, the operation and the system's reason.
    package struct Failure: Error, CustomStringConvertible {
        /// `PATH: operation: reason`.
        package let description: String
    }

    /// Opens `path` for appending (created when absent, with `mode`) or for reading only;
    /// with `truncating`, an existing file is emptied first.
    package init(path: String, forWriting: Bool, truncating: Bool = false, mode: mode_t = 0o644) throws(Failure) {
        self.path = path
        let flags = forWriting ? (O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncating ? O_TRUNC : 0)) : (O_RDONLY | O_CLOEXEC)
        let fd = unsafe open(path, flags, mode)
        guard fd >= 0 else { throw Self.failure(path, "open") }
        self.fd = fd
    }

    deinit { close(fd) }

    private static func failure(_ path: String, _ what: String) -> Failure {
        Failure(description: "\(path): \(what): \(unsafe String(cString: strerror(errno)))")
    }

    /// Writes all of `bytes` at the end of the file.
    package func append(_ bytes: [UInt8]) throws(Failure) {
        var done = 0
        while done < bytes.count {
            let n = unsafe bytes.withUnsafeBytes { raw in unsafe write(fd, raw.baseAddress! + done, raw.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure(path, "write")
            }
            done += n
        }
    }

    /// Up to `count` bytes from `offset`; fewer at the end of the file.
    package func read(at offset: Int, count: Int) throws(Failure) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = unsafe out.withUnsafeMutableBytes { raw in unsafe pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.failure(path, "read")
            }
            if n == 0 { break }
            done += n
        }
        out.removeSubrange(done...)
        return out
    }

    /// The file's size in bytes.
    package func size() throws(Failure) -> Int {
        var st = stat()
        guard unsafe fstat(fd, &st) == 0 else { throw Self.failure(path, "stat") }
        return Int(st.st_size)
    }

    /// Flushes the file to the disk (when a segment is sealed).
    package func sync() { _ = fsync(fd) }

    /// Flushes the file to the disk, or says why it could not.
    package func syncOrFail() throws(Failure) {
        guard fsync(fd) == 0 else { throw Self.failure(path, "fsync") }
    }

    /// Makes the entries of the folder holding `path` durable (after a rename into it).
    package static func syncFolder(of path: String) {
        let folder = FilePaths.directory(of: path)
        let fd = unsafe open(folder.isEmpty ? "." : folder, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Renames `from` to `to`, replacing it.
    package static func rename(_ from: String, to: String) throws(Failure) {
        guard unsafe Glibc.rename(from, to) == 0 else { throw failure(to, "rename") }
    }

    /// The names in `folder` (nil when it cannot be listed).
    package static func list(_ folder: String) -> [String]? {
        guard let dir = unsafe opendir(folder) else { return nil }
        defer { unsafe closedir(dir) }
        var names: [String] = []
        while let entry = unsafe readdir(dir) {
            let name = unsafe withUnsafeBytes(of: entry.pointee.d_name) { raw in
                unsafe String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates `folder` and its parents when missing.
    package static func makeFolder(_ folder: String) throws(Failure) {
        var path = folder.hasPrefix("/") ? "" : "."
        for part in folder.split(separator: "/") {
            path += "/" + part
            if unsafe mkdir(path, 0o755) != 0 && errno != EEXIST { throw failure(path, "mkdir") }
        }
    }

    /// Removes the file at `path` (a missing file is not an error).
    package static func remove(_ path: String) { _ = unsafe unlink(path) }

    /// Writes `bytes` to `path` through a temporary file and a rename: a reader sees the old
    /// contents or the new, never a mix (the cursor file).
    package static func replace(_ path: String, with bytes: [UInt8]) throws(Failure) {
        let temp = path + ".tmp"
        remove(temp)
        do {
            let f = try SystemFile(path: temp, forWriting: true)
            try f.append(bytes)
        }
        try rename(temp, to: path)
    }
}
