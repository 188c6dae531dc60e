/// One HTTP exchange to make: where, how, with which credentials and TLS settings.
package struct HTTPRequest: Sendable {
    /// GET, or POST with a body (copied for the exchange); a POST's `contentType` goes out as
    /// its `Content-Type` header unless ``headers`` already set one.
    package enum Method: Sendable {
        case get
        case post(body: [UInt8], contentType: String)
    }

    /// The full URL (`https://host:port/path`); its host is the TLS server name even with ``connectTo``.
    package var url: String
    /// GET (the default) or a POST with its body.
    package var method: Method = .get
    /// `Name: value` lines (the `Authorization` header comes from ``bearerToken``).
    package var headers: [String] = []
    /// The bearer token, read when the request is made (a file is read again each time).
    package var bearerToken: BearerToken? = nil
    /// Seconds for the whole exchange.
    package var timeout: Double = 10
    /// The CA, client certificate and verification used for an `https` URL.
    package var tls = TLSOptions()
    /// Connect to this `host:port` instead of the URL's, keeping the URL's host for TLS
    /// (its SNI and certificate check): how `server_name` reaches one API server by address.
    package var connectTo: String? = nil

    /// A GET of `url`: no headers, no token, a 10-second timeout, verified TLS.
    package init(url: String) { self.url = url }
}

/// What came back: the status and the headers (the body streams through a closure).
package struct HTTPResponse: Sendable {
    /// The status of the last response (after a `100 Continue`, the final one); 0 when none came.
    package var status = 0
    /// Header names in lower case.
    package var headers: [String: String] = [:]

    /// A response as received: `status` (0: none) and `headers` with lower-case names.
    package init(status: Int = 0, headers: [String: String] = [:]) {
        self.status = status
        self.headers = headers
    }
}

/// TLS settings, as `tls_config` in prometheus.yml.
package struct TLSOptions: Sendable, Hashable {
    /// `ca_file`: the PEM bundle the server certificate is checked against; nil: libcurl's default bundle.
    package var caFile: String?
    /// `cert_file`: the client certificate (PEM) for mutual TLS; nil: none.
    package var certFile: String?
    /// `key_file`: the private key (PEM) of ``certFile``.
    package var keyFile: String?
    /// Off by default; when on, the certificate is not verified (said loudly in the log).
    package var insecureSkipVerify = false
    /// The CA bundle, the client certificate and its key as PEM bytes rather than files (a
    /// kubeconfig's `*-data`, an exec plugin's credential): never written to disk. Each is used
    /// instead of its file when set.
    package var caPEM: [UInt8]? = nil
    /// The client certificate as PEM bytes (used instead of ``certFile`` when set).
    package var certPEM: [UInt8]? = nil
    /// The client key as PEM bytes (used instead of ``keyFile`` when set).
    package var keyPEM: [UInt8]? = nil

    /// Settings as `tls_config` spells them; the defaults verify against libcurl's default CAs
    /// with no client certificate.
    package init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}
