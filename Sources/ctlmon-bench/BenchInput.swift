import PromText

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A benchmark input held in memory: its text, and its gzip form in --gzip mode.
struct BenchInput {
    var name: String
    var text: [UInt8]
    var compressed: [UInt8]?

    static func load(_ path: String, gzip: Bool) throws -> BenchInput {
        let raw = try readFile(path)
        let isGzip = Gzip.isGzip(raw)
        let text = isGzip ? try Gzip.decompress(raw, source: path) : raw
        var compressed: [UInt8]? = nil
        if gzip { compressed = isGzip ? raw : Gzip.compress(text) }
        return BenchInput(name: path, text: text, compressed: compressed)
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = unsafe open(path, O_RDONLY)
        guard fd >= 0 else { throw BenchError(unsafe "\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = unsafe buf.withUnsafeMutableBytes { unsafe read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw BenchError("\(path): read failed") }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// zlib's inflate alone, for comparison with inflate + parse.
enum GzipProbe {
    static func inflateAll(_ bytes: [UInt8]) throws -> Int {
        try Gzip.inflatedSize(bytes)
    }
}

/// The fixtures shipped with the package.
enum Fixtures {
    static func defaultFiles() -> [String] {
        let roots = ["Tests/Fixtures", sourceRelativeRoot()]
        for root in roots {
            var files: [String] = []
            for dir in ["apiserver", "etcd"] {
                files += list(root + "/" + dir).filter { $0.hasSuffix(".txt.gz") && !$0.contains("datadog") }
            }
            if !files.isEmpty { return files.sorted() }
        }
        return []
    }

    private static func sourceRelativeRoot() -> String {
        let file = #filePath
        let parts = file.split(separator: "/", omittingEmptySubsequences: false)
        return parts.dropLast(3).joined(separator: "/") + "/Tests/Fixtures"
    }

    private static func list(_ dir: String) -> [String] {
        guard let d = unsafe opendir(dir) else { return [] }
        defer { unsafe closedir(d) }
        var names: [String] = []
        while let entry = unsafe readdir(d) {
            let name = unsafe withUnsafeBytes(of: entry.pointee.d_name) { raw in
                unsafe String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if !name.hasPrefix(".") { names.append(dir + "/" + name) }
        }
        return names
    }
}
