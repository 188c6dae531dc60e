internal import CCurl
import FoundationEssentials
import PromModel
import Synchronization

/// One libcurl easy handle (Debian's `libcurl4-openssl-dev`): the one place ctlmon touches
/// libcurl. TLS is verified against a CA file with the system OpenSSL, client certificates
/// are supported, `HTTPS_PROXY`/`NO_PROXY` are honoured (libcurl reads them), and the body
/// streams through a closure as it arrives: nothing buffers a whole body.
///
/// A transfer is used by one thread at a time (a scrape loop keeps its own, reusing the
/// connection); its ``TransferCancellation`` may be shared with other threads, and
/// canceling it aborts the exchange in flight (and the next ones) through libcurl's
/// progress callback.
///
/// What libcurl keeps pointers to — the error buffer, the header lists, the POST body, the
/// callbacks' context — is owned by the transfer and freed only after the handle is reset
/// at the end of each exchange (or cleaned up), never while libcurl may still read it.
@safe
package final class HTTPTransfer {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>? = nil
    private var connectToList: UnsafeMutablePointer<curl_slist>? = nil
    private var postBody: UnsafeMutableRawBufferPointer? = nil
    /// Shared with whoever may abort this transfer from another thread.
    package let cancellation: TransferCancellation

    /// A new easy handle (libcurl's global initialisation runs before the first); traps only
    /// when libcurl cannot allocate one. `cancellation`: the flag that aborts this transfer
    /// (a loop keeps it to cancel on stop).
    package init(cancellation: TransferCancellation = TransferCancellation()) {
        self.cancellation = cancellation
        _ = HTTPTransfer.globalInit
        guard let h = unsafe curl_easy_init() else { fatalError("libcurl could not allocate a handle (out of memory)") }
        unsafe handle = h
        unsafe errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        unsafe errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        unsafe curl_easy_cleanup(handle)
        releaseLists()
        unsafe errorBuffer.deallocate()
    }

    /// libcurl's process-wide initialisation, once, before the first handle.
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// Aborts the exchange in progress, if any, and every later one: they fail with
    /// ``HTTPFailureReason/canceled``. For a loop that is stopping.
    package func cancel() { cancellation.cancel() }

    /// Whether the transfer was canceled.
    package var isCanceled: Bool { cancellation.isCanceled }

    /// Frees what libcurl was given for an exchange (after the handle is reset, or at cleanup):
    /// the header lists and the POST body.
    private func releaseLists() {
        unsafe curl_slist_free_all(headerList)
        unsafe curl_slist_free_all(connectToList)
        unsafe headerList = nil
        unsafe connectToList = nil
        unsafe postBody?.deallocate()
        unsafe postBody = nil
    }

    /// What the callbacks reach: the closures of the exchange in progress.
    @safe
    final class Context {
        var response = HTTPResponse()
        var headersSeen = false
        let onHeaders: (HTTPResponse) throws -> Void
        let onBody: (Span<UInt8>) throws -> Void
        var failure: (any Error)?
        let transfer: HTTPTransfer

        init(transfer: HTTPTransfer, onHeaders: @escaping (HTTPResponse) throws -> Void, onBody: @escaping (Span<UInt8>) throws -> Void) {
            self.transfer = transfer
            self.onHeaders = onHeaders
            self.onBody = onBody
        }

        func header(_ line: UnsafeRawBufferPointer) {
            let text = unsafe String(decoding: line, as: UTF8.self).trimmingWhitespace()
            if text.hasPrefix("HTTP/") {
                // A new response (after a 100 Continue, say): its own status and headers.
                response = HTTPResponse()
                let parts = text.split(separator: " ", maxSplits: 2)
                if parts.count >= 2 { response.status = Int(parts[1]) ?? 0 }
            } else if let colon = text.firstIndex(of: ":") {
                let name = text[..<colon].lowercased()
                response.headers[name] = text[text.index(after: colon)...].trimmingWhitespace(newlines: false)
            }
        }

        func body(_ piece: UnsafeRawBufferPointer) -> Bool {
            do {
                if !headersSeen {
                    headersSeen = true
                    try onHeaders(response)
                }
                try unsafe onBody(Span(_unsafeElements: piece.assumingMemoryBound(to: UInt8.self)))
                return true
            } catch {
                failure = error
                return false
            }
        }
    }

    /// Performs `request`: `onHeaders` once the status and headers are in, `onBody` for each
    /// piece of the body, lent as a span (safe, valid during the call only: nothing unsafe
    /// reaches the callers). An error thrown by either ends the
    /// exchange and is rethrown; libcurl's own failures are ``HTTPFailure``s, and so is a
    /// bearer token that cannot be read (nothing is sent then).
    @discardableResult
    package func perform(
        _ request: HTTPRequest, onHeaders: @escaping (HTTPResponse) throws -> Void = { _ in },
        onBody: @escaping (Span<UInt8>) throws -> Void
    ) throws -> HTTPResponse {
        if isCanceled { throw HTTPFailure(reason: .canceled, message: "canceled: the transfer's owner is stopping") }
        var headers = request.headers
        if case .post(_, let contentType) = request.method, !headers.contains(where: { $0.lowercased().hasPrefix("content-type:") }) {
            headers.append("Content-Type: \(contentType)")
        }
        if let token = request.bearerToken { headers.append(try token.header()) }
        unsafe errorBuffer[0] = 0
        for h in headers { unsafe headerList = curl_slist_append(headerList, h) }
        let context = HTTPTransfer.Context(transfer: self, onHeaders: onHeaders, onBody: onBody)
        let unmanaged = unsafe Unmanaged.passRetained(context)
        defer {
            // libcurl forgets every pointer it was given (the context, the lists, the body, the
            // error buffer) before any of them is freed; the connection stays for the next one.
            unsafe curl_easy_reset(handle)
            releaseLists()
            unsafe unmanaged.release()
        }
        configure(request)
        let opaque = unsafe unmanaged.toOpaque()
        unsafe CCurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback)
        unsafe CCurl_setopt_pointer(handle, CURLOPT_HEADERDATA, opaque)
        unsafe CCurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback)
        unsafe CCurl_setopt_pointer(handle, CURLOPT_WRITEDATA, opaque)
        unsafe CCurl_setopt_progress(handle, progressCallback)
        unsafe CCurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, opaque)
        unsafe CCurl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        let result = unsafe curl_easy_perform(handle)
        var status = 0
        unsafe CCurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        context.response.status = status
        if let failure = context.failure { throw failure }
        guard result == CURLE_OK else {
            if result == CURLE_ABORTED_BY_CALLBACK && isCanceled {
                throw HTTPFailure(reason: .canceled, message: "canceled: the transfer's owner is stopping")
            }
            let detail = unsafe String(cString: errorBuffer)
            throw Self.failure(result, detail.isEmpty ? unsafe String(cString: curl_easy_strerror(result)) : detail)
        }
        if !context.headersSeen {
            context.headersSeen = true
            try context.onHeaders(context.response)
        }
        return context.response
    }

    /// The request's options on the (reset) handle.
    private func configure(_ request: HTTPRequest) {
        unsafe CCurl_setopt_string(handle, CURLOPT_URL, request.url)
        unsafe CCurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        unsafe CCurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        let timeout = request.timeout.isFinite ? min(max(request.timeout, 0.001), 86_400) : 86_400
        unsafe CCurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        unsafe CCurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 10) * 1000))
        unsafe CCurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        unsafe CCurl_setopt_list(handle, CURLOPT_HTTPHEADER, headerList)
        if let caFile = request.tls.caFile { unsafe CCurl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        if let cert = request.tls.certFile { unsafe CCurl_setopt_string(handle, CURLOPT_SSLCERT, cert) }
        if let key = request.tls.keyFile { unsafe CCurl_setopt_string(handle, CURLOPT_SSLKEY, key) }
        for (option, pem) in [(CURLOPT_CAINFO_BLOB, request.tls.caPEM), (CURLOPT_SSLCERT_BLOB, request.tls.certPEM),
                              (CURLOPT_SSLKEY_BLOB, request.tls.keyPEM)] {
            guard let pem else { continue }
            unsafe pem.withUnsafeBytes { unsafe CCurl_setopt_blob(handle, option, $0.baseAddress, $0.count) }
        }
        if request.tls.certPEM != nil { unsafe CCurl_setopt_string(handle, CURLOPT_SSLCERTTYPE, "PEM") }
        // A CA given replaces the system's: Debian's libcurl would otherwise also trust every
        // certificate in its CA path (/etc/ssl/certs), as kubectl and Prometheus do not.
        if request.tls.caFile != nil || request.tls.caPEM != nil { unsafe CCurl_setopt_string(handle, CURLOPT_CAPATH, nil) }
        if request.tls.insecureSkipVerify {
            unsafe CCurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            unsafe CCurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let target = request.connectTo, let (host, port) = Self.hostAndPort(request.url) {
            // "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT"
            unsafe connectToList = curl_slist_append(nil, "\(host):\(port):\(target)")
            unsafe CCurl_setopt_list(handle, CURLOPT_CONNECT_TO, connectToList)
        }
        switch request.method {
        case .get:
            unsafe CCurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case .post(let bytes, _):
            // libcurl reads the body during the transfer: a copy stays here until the next reset.
            let body = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            unsafe body.copyBytes(from: bytes)
            unsafe postBody = body
            unsafe CCurl_setopt_long(handle, CURLOPT_POST, 1)
            unsafe CCurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, bytes.count)
            unsafe CCurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, body.baseAddress)
        }
    }

    /// The URL's host and port (the scheme's default port when none is written).
    package static func hostAndPort(_ url: String) -> (String, Int)? {
        guard let c = URLComponents(string: url), let host = c.host else { return nil }
        return (host, c.port ?? (c.scheme == "https" ? 443 : 80))
    }

    private static func failure(_ code: CURLcode, _ detail: String) -> HTTPFailure {
        let reason: HTTPFailureReason
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
        return HTTPFailure(reason: reason, message: detail)
    }
}

/// libcurl's header callback: one header line per call.
private func headerCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let n = size * count
    guard let data = unsafe data, let context = unsafe context else { return n }
    unsafe Unmanaged<HTTPTransfer.Context>.fromOpaque(context).takeUnretainedValue().header(UnsafeRawBufferPointer(start: data, count: n))
    return n
}

/// libcurl's write callback: a piece of the body; returning less than given aborts.
private func writeCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    let n = size * count
    guard let data = unsafe data, let context = unsafe context else { return n }
    return unsafe Unmanaged<HTTPTransfer.Context>.fromOpaque(context).takeUnretainedValue().body(UnsafeRawBufferPointer(start: data, count: n)) ? n : 0
}

/// libcurl's progress callback, called often during a transfer (and at least once a
/// second when it stalls): non-zero aborts it, which is how ``HTTPTransfer/cancel()`` works.
private func progressCallback(_ context: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let context = unsafe context else { return 0 }
    return unsafe Unmanaged<HTTPTransfer.Context>.fromOpaque(context).takeUnretainedValue().transfer.isCanceled ? 1 : 0
}

/// The flag that aborts a transfer: set from any thread (a loop's stop), read by libcurl's
/// progress callback on the transfer's thread. Once set it stays set.
package final class TransferCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A flag not yet set: give it to the ``HTTPTransfer`` it aborts, and keep it where the stop
    /// is decided.
    package init() {}

    /// Aborts the transfer in flight, if any, and every later one.
    package func cancel() { flag.store(true, ordering: .relaxed) }

    /// Whether ``cancel()`` was called.
    package var isCanceled: Bool { flag.load(ordering: .relaxed) }
}
