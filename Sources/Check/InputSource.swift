import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPClient
import PromModel
import PromText

/// Where scrape text comes from: a file, stdin (`-`), an http(s) URL fetched with the HTTP
/// client (GET only; a bearer token file, a CA file), or bytes in memory (the fuzzer's).
package enum InputSource: Sendable {
    case standardInput
    case file(String)
    case url(String, HTTPOptions)
    case bytes(name: String, [UInt8])

    /// How a URL source is fetched.
    package struct HTTPOptions: Sendable {
        /// `--token-file`: the bearer token, read at each fetch.
        package var tokenFile: String? = nil
        /// `--ca-file`: the CA certificates the server is verified with.
        package var caFile: String? = nil
        /// `--insecure-skip-verify`: the server's certificate is not verified.
        package var insecureSkipVerify = false
        /// Seconds for the whole fetch.
        package var timeout: Double = 30

        /// Fetch options, as the flags give them.
        package init(tokenFile: String? = nil, caFile: String? = nil, insecureSkipVerify: Bool = false, timeout: Double = 30) {
            self.tokenFile = tokenFile
            self.caFile = caFile
            self.insecureSkipVerify = insecureSkipVerify
            self.timeout = timeout
        }
    }

    /// A command-line argument: `-` is stdin, `http(s)://…` a URL, anything else a file.
    package init(_ argument: String, http: HTTPOptions = HTTPOptions()) {
        if argument == "-" {
            self = .standardInput
        } else if argument.hasPrefix("http://") || argument.hasPrefix("https://") {
            self = .url(argument, http)
        } else {
            self = .file(argument)
        }
    }

    /// The name used in messages: the path, the URL, or `<stdin>`.
    package var name: String {
        switch self {
        case .standardInput: "<stdin>"
        case .file(let path): path
        case .url(let url, _): url
        case .bytes(let name, _): name
        }
    }

    /// When a file was last modified (milliseconds since the epoch); nil for stdin or an unreadable file.
    package var modificationTime: Int64? {
        guard case .file(let path) = self,
            let date = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Streams the source through `parser` (gzip detected by magic bytes) and finishes it.
    package func parse(with parser: TextParser) throws(InputError) {
        let fd: Int32
        switch self {
        case .url(let url, let options):
            try Self.fetch(url, options, into: parser)
            return
        case .bytes(_, let data):
            do throws(ParseError) {
                try parser.feed(data)
                try parser.finish()
            } catch {
                throw InputError(message: error.description, parseError: error)
            }
            return
        case .standardInput:
            fd = 0
        case .file(let path):
            fd = try Self.openForReading(path)
        }
        defer { if fd != 0 { close(fd) } }
        do throws(ParseError) {
            try parser.feed(fileDescriptor: fd)
            try parser.finish()
        } catch {
            throw InputError(message: error.description, parseError: error)
        }
    }

    /// A descriptor of the file at `path`, open for reading; a directory (which open(2)
    /// accepts) or a file that cannot be opened is an error in the C library's words.
    private static func openForReading(_ path: String) throws(InputError) -> Int32 {
        let fd = unsafe open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(message: "\(path): cannot open: \(unsafe String(cString: strerror(errno)))") }
        var info = stat()
        if unsafe fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw InputError(message: "\(path): cannot open: \(unsafe String(cString: strerror(EISDIR)))")
        }
        return fd
    }
}

extension InputSource {
    /// GETs `url` and streams the body through `parser` (gzip is recognised by its bytes).
    static func fetch(_ url: String, _ options: HTTPOptions, into parser: TextParser) throws(InputError) {
        var request = HTTPRequest(url: url)
        request.timeout = options.timeout
        request.tls = TLSOptions(caFile: options.caFile, insecureSkipVerify: options.insecureSkipVerify)
        request.headers = ["Accept: text/plain;version=0.0.4", "Accept-Encoding: gzip", "User-Agent: \(BuildVersion.userAgent)"]
        request.bearerToken = options.tokenFile.map(BearerToken.file)
        do {
            try HTTPTransfer().perform(request, onHeaders: { response in
                guard response.status == 200 else { throw HTTPFailure.status(response.status) }
            }, onBody: { try parser.feed($0) })
            try parser.finish()
        } catch let e as HTTPFailure {
            throw InputError(message: "\(url): \(e.message)")
        } catch let e as ParseError {
            throw InputError(message: e.description, parseError: e)
        } catch {
            throw InputError(message: "\(url): \(error)")
        }
    }
}

/// A failure to read or parse an input, printed as is.
package struct InputError: Error, CustomStringConvertible {
    /// What went wrong, with the source's name (and line and column for a parse error).
    package var message: String
    /// The parser's error, when parsing failed (its line and column).
    package var parseError: ParseError? = nil
    package var description: String { message }
}
