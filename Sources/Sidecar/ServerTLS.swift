import FoundationEssentials
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import PromModel
import Workers

/// `tls_server_config` of `--web.config.file`, with exporter-toolkit's keys and defaults:
/// the certificate and key files, the client certificate policy and its CA file, the TLS
/// versions (1.2 to 1.3 unless said otherwise). Relative paths are relative to the web
/// config's folder, as in Prometheus.
package struct TLSServerSettings: Sendable, Equatable {
    /// `client_auth_type`: Go's `tls.ClientAuthType` names, which exporter-toolkit reads.
    package enum ClientAuth: String, Sendable, CaseIterable {
        /// No certificate asked for (the default).
        case noClientCert = "NoClientCert"
        /// A certificate asked for, neither required nor verified.
        case requestClientCert = "RequestClientCert"
        /// A certificate required, not verified.
        case requireAnyClientCert = "RequireAnyClientCert"
        /// A certificate verified against `client_ca_file` when the client sends one.
        case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
        /// A certificate required and verified against `client_ca_file`.
        case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

        /// The policy a `client_auth_type` value names; `RequireClientCert` is exporter-toolkit's
        /// older spelling of `RequireAnyClientCert`, and an empty value is the default.
        package init?(configValue: String) {
            switch configValue {
            case "": self = .noClientCert
            case "RequireClientCert": self = .requireAnyClientCert
            default: self.init(rawValue: configValue)
            }
        }
    }

    /// `min_version`, `max_version`: exporter-toolkit's names of the TLS versions.
    package enum Version: String, Sendable, CaseIterable, Comparable {
        case tls10 = "TLS10", tls11 = "TLS11", tls12 = "TLS12", tls13 = "TLS13"

        var nio: TLSVersion {
            switch self {
            case .tls10: .tlsv1
            case .tls11: .tlsv11
            case .tls12: .tlsv12
            case .tls13: .tlsv13
            }
        }

        package static func < (a: Version, b: Version) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// `cert_file`: the server's certificate chain (PEM), leaf first.
    package var certFile: String
    /// `key_file`: its private key (PEM).
    package var keyFile: String
    /// `client_ca_file`: the CAs client certificates are verified against (PEM); the system's
    /// when absent.
    package var clientCAFile: String?
    /// `client_auth_type`.
    package var clientAuth: ClientAuth = .noClientCert
    /// `min_version` (TLS12 by default).
    package var minVersion: Version = .tls12
    /// `max_version` (TLS13 by default).
    package var maxVersion: Version = .tls13

    /// Settings with the certificate and key files and the defaults for the rest.
    package init(certFile: String, keyFile: String) {
        self.certFile = certFile
        self.keyFile = keyFile
    }

    /// Whether a client certificate is accepted without verification (the two policies that
    /// ask for one but do not check it).
    var acceptsAnyCertificate: Bool { clientAuth == .requestClientCert || clientAuth == .requireAnyClientCert }
}

/// The sidecar's TLS: the server context made from ``TLSServerSettings``' files, and made
/// again when they change, so that a rotated certificate (cert-manager, a Kubernetes secret
/// updated in place) is served from the next connection on without a restart, as
/// exporter-toolkit reads its files per connection. The files are read at most once a
/// second, when connections arrive; a change that does not load (a key that does not match
/// its certificate, a half-written file) is logged and the previous context stays.
package final class ServerTLS: Sendable {
    /// The most a certificate, key or CA file may hold.
    static let fileLimit = 1 << 20

    /// A problem with the files: which, and what.
    package struct Problem: Error, CustomStringConvertible {
        /// What to log or print: the file and the reason.
        package let description: String
    }

    /// The settings served.
    package let settings: TLSServerSettings
    private let logger: Logger
    private struct State {
        var context: NIOSSLContext
        /// The bytes the context was made from (certificate, key, CA), to notice a change.
        var files: [[UInt8]]
        /// The bytes of a change that did not load: logged once.
        var refused: [[UInt8]]?
        var lastCheck: ContinuousClock.Instant
    }
    private let state: Locked<State>

    /// Loads the files and makes the first context; a problem names the file.
    package init(_ settings: TLSServerSettings, logger: Logger) throws(Problem) {
        self.settings = settings
        self.logger = logger
        let files = try Self.read(settings)
        state = Locked(State(context: try Self.context(settings, files), files: files, refused: nil, lastCheck: .now))
    }

    /// The context for a new connection: the files' current one.
    func context() -> NIOSSLContext {
        state.withLock { s in
            guard s.lastCheck.duration(to: .now) >= .seconds(1) else { return s.context }
            s.lastCheck = .now
            do {
                let files = try Self.read(settings)
                guard files != s.files, files != s.refused else { return s.context }
                do {
                    s.context = try Self.context(settings, files)
                    s.files = files
                    s.refused = nil
                    logger.info("TLS certificate files changed: serving them", metadata: ["cert_file": "\(settings.certFile)"])
                } catch {
                    s.refused = files
                    logger.error("TLS certificate files changed but do not load: serving the previous ones", metadata: ["error": "\(error)"])
                }
            } catch {
                logger.error("TLS certificate files cannot be read: serving the previous ones", metadata: ["error": "\(error)"])
            }
            return s.context
        }
    }

    /// A new connection's TLS handler.
    func handler() -> NIOSSLServerHandler {
        let context = context()
        guard settings.acceptsAnyCertificate else { return NIOSSLServerHandler(context: context) }
        // Asked for (and, with RequireAnyClientCert, required) but not checked: Go's policies.
        return NIOSSLServerHandler(context: context, customVerificationCallback: { _, promise in promise.succeed(.certificateVerified) })
    }

    /// The certificate, key and (when set) CA files' bytes.
    static func read(_ settings: TLSServerSettings) throws(Problem) -> [[UInt8]] {
        var out = [try readBounded(settings.certFile, "cert_file"), try readBounded(settings.keyFile, "key_file")]
        if let ca = settings.clientCAFile { out.append(try readBounded(ca, "client_ca_file")) }
        return out
    }

    private static func readBounded(_ path: String, _ key: String) throws(Problem) -> [UInt8] {
        let data: [UInt8]
        do {
            data = try FileContents.read(path, limit: fileLimit)
        } catch .tooLarge {
            throw Problem(description: "\(key) \(path): larger than \(fileLimit >> 20) MiB")
        } catch {
            throw Problem(description: "\(key) \(path): cannot be read (\(error))")
        }
        guard !data.isEmpty else { throw Problem(description: "\(key) \(path): empty") }
        return data
    }

    /// A server context from the files' bytes: the chain, the key (which must match the
    /// leaf), the client policy, its CAs, the versions.
    static func context(_ settings: TLSServerSettings, _ files: [[UInt8]]) throws(Problem) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMBytes(files[0]) } catch {
            throw Problem(description: "cert_file \(settings.certFile): not a PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw Problem(description: "cert_file \(settings.certFile): no certificate in it") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(bytes: files[1], format: .pem) } catch {
            throw Problem(description: "key_file \(settings.keyFile): not a PEM private key (\(error))")
        }
        var c = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        c.minimumTLSVersion = settings.minVersion.nio
        c.maximumTLSVersion = settings.maxVersion.nio
        c.applicationProtocols = ["http/1.1"]
        switch settings.clientAuth {
        case .noClientCert: c.certificateVerification = .none
        case .requestClientCert, .verifyClientCertIfGiven: c.certificateVerification = .optionalVerification
        case .requireAnyClientCert, .requireAndVerifyClientCert: c.certificateVerification = .noHostnameVerification
        }
        if files.count > 2, let caFile = settings.clientCAFile {
            do {
                let cas = try NIOSSLCertificate.fromPEMBytes(files[2])
                guard !cas.isEmpty else { throw Problem(description: "client_ca_file \(caFile): no certificate in it") }
                c.trustRoots = .certificates(cas)
                c.sendCANameList = true
            } catch let p as Problem {
                throw p
            } catch {
                throw Problem(description: "client_ca_file \(caFile): not a PEM certificate (\(error))")
            }
        }
        do { return try NIOSSLContext(configuration: c) } catch {
            throw Problem(description: "cert_file \(settings.certFile), key_file \(settings.keyFile): \(error) (does the key match the certificate?)")
        }
    }
}

/// A connection served over TLS: the handshake handler first (with the context of the
/// moment, see ``ServerTLS``), then the HTTP/1.1 channel as without TLS.
struct ReloadingTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let tls: ServerTLS

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(tls.handler())
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
