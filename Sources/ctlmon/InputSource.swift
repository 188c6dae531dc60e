import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PromText
import Scraper

/// Where scrape text comes from: a file, stdin (`-`), or an http(s) URL fetched with the
/// sidecar's scraper (GET only; a bearer token file, a CA file).
enum InputSource {
    case standardInput
    case file(String)
    case url(String, HTTPOptions)

    /// How a URL source is fetched.
    struct HTTPOptions {
        var tokenFile: String? = nil
        var caFile: String? = nil
        var insecureSkipVerify = false
        var timeout: Double = 30
    }

    init(_ argument: String, http: HTTPOptions = HTTPOptions()) {
        if argument == "-" {
            self = .standardInput
        } else if argument.hasPrefix("http://") || argument.hasPrefix("https://") {
            self = .url(argument, http)
        } else {
            self = .file(argument)
        }
    }

    /// The name used in messages: the path, or `<stdin>`.
    var name: String {
        switch self {
        case .standardInput: "<stdin>"
        case .file(let path): path
        case .url(let url, _): url
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
        case .url(let url, let options):
            try Self.fetch(url, options, into: parser)
            return
        case .standardInput:
            fd = STDIN_FILENO
        case .file(let path):
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

extension InputSource {
    /// GETs `url` and streams the body through `parser` (gzip is recognised by its bytes).
    static func fetch(_ url: String, _ options: HTTPOptions, into parser: TextParser) throws(InputError) {
        var request = HTTPTransfer.Request(url: url)
        request.timeout = options.timeout
        request.tls = HTTPTransfer.TLS(caFile: options.caFile, insecureSkipVerify: options.insecureSkipVerify)
        request.headers = ["Accept: text/plain;version=0.0.4", "Accept-Encoding: gzip", "User-Agent: ctlmon/0.1"]
        if let file = options.tokenFile {
            guard let data = FileManager.default.contents(atPath: file) else { throw InputError(message: "--token-file \(file): cannot read") }
            request.headers.append("Authorization: Bearer \(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        do {
            try HTTPTransfer().perform(request, onHeaders: { response in
                guard response.status == 200 else { throw InputError(message: "\(url): server returned HTTP status \(response.status)") }
            }, onBody: { try parser.feed($0) })
            try parser.finish()
        } catch let e as InputError {
            throw e
        } catch let e as ParseError {
            throw InputError(message: e.description, parseError: e)
        } catch {
            throw InputError(message: "\(url): \(error)")
        }
    }
}

/// A failure to read or parse an input, printed as is.
struct InputError: Error, CustomStringConvertible {
    var message: String
    var parseError: ParseError? = nil
    var description: String { message }
}
