import CCurl
import Foundation

/// One HTTP exchange through libcurl (Debian's `libcurl4-openssl-dev`): the one place ctlmon
/// touches libcurl. TLS is verified against a CA file with the system OpenSSL, client
/// certificates are supported, `HTTPS_PROXY`/`NO_PROXY` are honoured (libcurl reads them),
/// and the body streams through a closure as it arrives: nothing buffers a whole body.
///
/// Scrapes only ever GET; the notifier POSTs to Alertmanager. A transfer is used by one
/// thread at a time (a scrape loop keeps its own, reusing the connection).
package final class HTTPTransfer {
    package enum Method: Sendable {
        case get
        case post(body: [UInt8], contentType: String)
    }

    /// TLS settings, as `tls_config` in prometheus.yml.
    package struct TLS: Sendable, Hashable {
        package var caFile: String?
        package var certFile: String?
        package var keyFile: String?
        /// Off by default; when on, the certificate is not verified (said loudly in the log).
        package var insecureSkipVerify = false

        package init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, insecureSkipVerify: Bool = false) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.insecureSkipVerify = insecureSkipVerify
        }
    }

    package struct Request: Sendable {
        package var url: String
        package var method: Method = .get
        /// `Name: value` lines.
        package var headers: [String] = []
        /// Seconds for the whole exchange.
        package var timeout: Double = 10
        package var tls = TLS()
        /// Connect to this `host:port` instead of the URL's, keeping the URL's host for TLS
        /// (its SNI and certificate check): how `server_name` reaches one API server by address.
        package var connectTo: String? = nil

        package init(url: String) { self.url = url }
    }

    package struct Response: Sendable {
        package var status = 0
        /// Header names in lower case.
        package var headers: [String: String] = [:]
    }

    /// Why an exchange failed, in words a person reads and a label value Prometheus users know.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package enum Reason: String, Sendable {
            case timeout
            case connectionRefused = "connection refused"
            case dns = "DNS"
            case tls = "TLS"
            case connectionReset = "connection reset"
            case http = "HTTP"
            case body = "body"
            case other = "error"
        }

        package var reason: Reason
        package var message: String
        package var description: String { message }
    }

    private let handle: UnsafeMutableRawPointer

    package init() {
        _ = HTTPTransfer.globalInit
        guard let h = curl_easy_init() else { fatalError("libcurl could not allocate a handle (out of memory)") }
        handle = h
    }

    deinit { curl_easy_cleanup(handle) }

    /// libcurl's process-wide initialisation, once, before the first handle.
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// What the callbacks reach: the closures of the exchange in progress.
    final class Context {
        var response = Response()
        var headersSeen = false
        let onHeaders: (Response) throws -> Void
        let onBody: (UnsafeRawBufferPointer) throws -> Void
        var failure: (any Error)?

        init(onHeaders: @escaping (Response) throws -> Void, onBody: @escaping (UnsafeRawBufferPointer) throws -> Void) {
            self.onHeaders = onHeaders
            self.onBody = onBody
        }

        func header(_ line: UnsafeRawBufferPointer) {
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasPrefix("HTTP/") {
                // A new response (after a 100 Continue, say): its own status and headers.
                response = Response()
                let parts = text.split(separator: " ", maxSplits: 2)
                if parts.count >= 2 { response.status = Int(parts[1]) ?? 0 }
            } else if let colon = text.firstIndex(of: ":") {
                let name = text[..<colon].lowercased()
                response.headers[name] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }

        func body(_ piece: UnsafeRawBufferPointer) -> Bool {
            do {
                if !headersSeen {
                    headersSeen = true
                    try onHeaders(response)
                }
                try onBody(piece)
                return true
            } catch {
                failure = error
                return false
            }
        }
    }

    /// Performs `request`: `onHeaders` once the status and headers are in, `onBody` for each
    /// piece of the body. An error thrown by either ends the exchange and is rethrown.
    @discardableResult
    package func perform(
        _ request: Request, onHeaders: @escaping (Response) throws -> Void = { _ in },
        onBody: @escaping (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Response {
        curl_easy_reset(handle)
        let context = Context(onHeaders: onHeaders, onBody: onBody)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var list: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(list) }
        for h in request.headers { list = curl_slist_append(list, h) }

        let result: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            CCurl_setopt_string(handle, CURLOPT_URL, request.url)
            CCurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            CCurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
            CCurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(request.timeout * 1000)))
            CCurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(min(request.timeout, 10) * 1000)))
            CCurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
            CCurl_setopt_list(handle, CURLOPT_HTTPHEADER, list)
            if let caFile = request.tls.caFile { CCurl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
            if let cert = request.tls.certFile { CCurl_setopt_string(handle, CURLOPT_SSLCERT, cert) }
            if let key = request.tls.keyFile { CCurl_setopt_string(handle, CURLOPT_SSLKEY, key) }
            if request.tls.insecureSkipVerify {
                CCurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
                CCurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
            }
            var connectTo: UnsafeMutablePointer<curl_slist>? = nil
            defer { curl_slist_free_all(connectTo) }
            if let target = request.connectTo, let (host, port) = Self.hostAndPort(request.url) {
                // "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT"
                connectTo = curl_slist_append(nil, "\(host):\(port):\(target)")
                CCurl_setopt_list(handle, CURLOPT_CONNECT_TO, connectTo)
            }
            var body: [UInt8] = []
            switch request.method {
            case .get:
                CCurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
            case .post(let bytes, _):
                body = bytes
                CCurl_setopt_long(handle, CURLOPT_POST, 1)
                CCurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            }
            let opaque = unmanaged.toOpaque()
            CCurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback)
            CCurl_setopt_pointer(handle, CURLOPT_HEADERDATA, opaque)
            CCurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback)
            CCurl_setopt_pointer(handle, CURLOPT_WRITEDATA, opaque)
            return body.withUnsafeMutableBytes { b in
                if case .post = request.method { CCurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, b.baseAddress) }
                return curl_easy_perform(handle)
            }
        }
        var status = 0
        CCurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        context.response.status = status
        if let failure = context.failure { throw failure }
        guard result == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw Self.failure(result, detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail)
        }
        if !context.headersSeen {
            context.headersSeen = true
            try context.onHeaders(context.response)
        }
        return context.response
    }

    /// The URL's host and port (the scheme's default port when none is written).
    static func hostAndPort(_ url: String) -> (String, Int)? {
        guard let c = URLComponents(string: url), let host = c.host else { return nil }
        return (host, c.port ?? (c.scheme == "https" ? 443 : 80))
    }

    private static func failure(_ code: CURLcode, _ detail: String) -> Failure {
        let reason: Failure.Reason
        switch code {
        case CURLE_OPERATION_TIMEDOUT: reason = .timeout
        case CURLE_COULDNT_CONNECT: reason = .connectionRefused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: reason = .dns
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED:
            reason = .tls
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING: reason = .connectionReset
        default: reason = .other
        }
        return Failure(reason: reason, message: detail)
    }
}

/// libcurl's header callback: one header line per call.
private func headerCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let n = size * count
    guard let data, let context else { return n }
    Unmanaged<HTTPTransfer.Context>.fromOpaque(context).takeUnretainedValue().header(UnsafeRawBufferPointer(start: data, count: n))
    return n
}

/// libcurl's write callback: a piece of the body; returning less than given aborts.
private func writeCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let n = size * count
    guard let data, let context else { return n }
    return Unmanaged<HTTPTransfer.Context>.fromOpaque(context).takeUnretainedValue().body(UnsafeRawBufferPointer(start: data, count: n)) ? n : 0
}
