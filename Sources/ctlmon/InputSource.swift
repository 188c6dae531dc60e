import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PromText

/// Where scrape text comes from: a file or stdin (`-`). URLs come with the scraper.
enum InputSource {
    case standardInput
    case file(String)

    init(_ argument: String) {
        self = argument == "-" ? .standardInput : .file(argument)
    }

    /// The name used in messages: the path, or `<stdin>`.
    var name: String {
        switch self {
        case .standardInput: "<stdin>"
        case .file(let path): path
        }
    }

    /// When a file was last modified (milliseconds since the epoch); nil for stdin or an unreadable file.
    var modificationTime: Int64? {
        guard case .file(let path) = self,
            let date = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Streams the source through `parser` (gzip detected by magic bytes) and finishes it.
    func parse(with parser: TextParser) throws(InputError) {
        let fd: Int32
        switch self {
        case .standardInput:
            fd = STDIN_FILENO
        case .file(let path):
            if path.hasPrefix("http://") || path.hasPrefix("https://") {
                throw InputError(message: "\(path): fetching URLs is not supported yet; use kubectl get --raw /metrics | ctlmon …")
            }
            fd = open(path, O_RDONLY)
            if fd < 0 { throw InputError(message: "\(path): cannot open: \(String(cString: strerror(errno)))") }
        }
        defer { if fd != STDIN_FILENO { close(fd) } }
        do {
            try parser.feed(fileDescriptor: fd)
            try parser.finish()
        } catch {
            throw InputError(message: error.description, parseError: error)
        }
    }
}

/// A failure to read or parse an input, printed as is.
struct InputError: Error, CustomStringConvertible {
    var message: String
    var parseError: ParseError? = nil
    var description: String { message }
}
