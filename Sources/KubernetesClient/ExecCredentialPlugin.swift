import FoundationEssentials
import Glibc
import HTTPClient
import PromModel
import Synchronization

/// A kubeconfig's exec credential plugin (`client.authentication.k8s.io/v1` or `v1beta1`),
/// as kubectl runs it: the command with its arguments, ctlmon's environment plus the
/// plugin's `env` and `KUBERNETES_EXEC_INFO`, no terminal. It prints an `ExecCredential`
/// whose token (or client certificate and key) is used until its `expirationTimestamp`,
/// then the plugin runs again; a 401 from the server also runs it again, once.
package final class ExecCredentialPlugin: Sendable {
    /// The two API versions kubectl still supports.
    package static let v1 = "client.authentication.k8s.io/v1"
    /// The beta version (`aws eks get-token` printed it for years).
    package static let v1beta1 = "client.authentication.k8s.io/v1beta1"
    /// How long the plugin may run.
    package static let timeout = 60.0
    /// The most output read from it.
    package static let outputLimit = 1 << 20

    /// What the plugin gave.
    package struct Credential: Sendable, Equatable {
        /// `status.token`.
        package var token: String?
        /// `status.clientCertificateData` (PEM).
        package var certPEM: [UInt8]?
        /// `status.clientKeyData` (PEM).
        package var keyPEM: [UInt8]?
        /// `status.expirationTimestamp` (milliseconds); nil: valid for the whole run.
        package var expiry: Int64?
    }

    let config: Kubeconfig.ExecConfig
    let server: String
    let caPEM: [UInt8]?
    let tlsServerName: String?
    let insecureSkipTLSVerify: Bool
    let environment: [String: String]
    /// The clock the expiry is compared with (milliseconds); injected in tests.
    let clock: @Sendable () -> Int64
    private let cached = Mutex<Credential?>(nil)
    /// How many times the plugin ran (tests read it).
    private let runCount = Atomic<Int>(0)

    /// A plugin of `config` for the cluster at `server` (its CA, TLS server name and
    /// verification given to the plugin when it asks).
    package init(
        config: Kubeconfig.ExecConfig, server: String, caPEM: [UInt8]?, tlsServerName: String? = nil, insecureSkipTLSVerify: Bool = false,
        environment: [String: String], clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.config = config
        self.server = server
        self.caPEM = caPEM
        self.tlsServerName = tlsServerName
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.environment = environment
        self.clock = clock
    }

    /// How many times the plugin has run.
    package var runs: Int { runCount.load(ordering: .relaxed) }

    /// The credential: the cached one while it has not expired, else a fresh one from the plugin.
    package func credential() throws(HTTPFailure) -> Credential {
        let now = clock()
        if let c = cached.withLock({ $0 }), c.expiry.map({ now < $0 }) ?? true { return c }
        let fresh = try run()
        cached.withLock { $0 = fresh }
        return fresh
    }

    /// Forgets the cached credential (the server refused it).
    package func invalidate() { cached.withLock { $0 = nil } }

    private var name: String { FilePaths.lastComponent(of: config.command) }

    private func run() throws(HTTPFailure) -> Credential {
        runCount.add(1, ordering: .relaxed)
        var env = environment
        for (k, v) in config.env { env[k] = v }
        env["KUBERNETES_EXEC_INFO"] = execInfo()
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(config.command, config.args, environment: env, timeout: Self.timeout, limit: Self.outputLimit)
        } catch {
            var message = error.code == ENOENT
                ? "exec plugin: executable \(config.command) not found"
                : "exec plugin \(config.command) could not be started: \(FileContents.failure(error.code))"
            if let hint = config.installHint, !hint.isEmpty { message += "\n\n" + hint.trimmingWhitespace() }
            throw HTTPFailure(reason: .credentials, message: message)
        }
        let stderr = String(decoding: result.error, as: UTF8.self).trimmingWhitespace()
        if result.timedOut {
            throw HTTPFailure(reason: .credentials, message: "exec plugin \(name) ran past \(Int(Self.timeout)) s and was stopped")
        }
        guard result.status == 0 else {
            let how = result.status.map { "exited with status \($0)" } ?? "was killed by signal \(result.signal ?? 0)"
            throw HTTPFailure(reason: .credentials, message: "exec plugin \(name) \(how)" + (stderr.isEmpty ? "" : ": \(stderr)"))
        }
        return try parse(result.output)
    }

    /// What kubectl sets in `KUBERNETES_EXEC_INFO`: the API version, no terminal, and the
    /// cluster when the plugin asks for it.
    private func execInfo() -> String {
        var spec = "\"interactive\":false"
        if config.provideClusterInfo {
            var cluster = "\"server\":\(JSONWriter.quote(server))"
            if let caPEM { cluster += ",\"certificate-authority-data\":\(JSONWriter.quote(Data(caPEM).base64EncodedString()))" }
            if let tlsServerName { cluster += ",\"tls-server-name\":\(JSONWriter.quote(tlsServerName))" }
            if insecureSkipTLSVerify { cluster += ",\"insecure-skip-tls-verify\":true" }
            spec += ",\"cluster\":{\(cluster)}"
        }
        return "{\"apiVersion\":\(JSONWriter.quote(config.apiVersion)),\"kind\":\"ExecCredential\",\"spec\":{\(spec)}}"
    }

    private struct Output: Decodable {
        struct Status: Decodable {
            var token: String?
            var clientCertificateData: String?
            var clientKeyData: String?
            var expirationTimestamp: String?
        }
        var apiVersion: String?
        var kind: String?
        var status: Status?
    }

    /// The plugin's output as kubectl checks it: an `ExecCredential` of the configured version
    /// with a token, or a client certificate and its key.
    func parse(_ bytes: [UInt8]) throws(HTTPFailure) -> Credential {
        let bad = { (why: String) in HTTPFailure(reason: .credentials, message: "exec plugin \(self.name): \(why)") }
        let output: Output
        do {
            output = try JSONDecoder().decode(Output.self, from: Data(bytes))
        } catch {
            throw bad("its output is not an ExecCredential (JSON with kind, apiVersion and status)")
        }
        guard output.kind == "ExecCredential" else { throw bad("its output is of kind \"\(output.kind ?? "")\", not ExecCredential") }
        guard output.apiVersion == config.apiVersion else {
            throw bad("the kubeconfig asks for \(config.apiVersion), the plugin returned \(output.apiVersion ?? "no apiVersion")")
        }
        guard let status = output.status else { throw bad("its ExecCredential has no status") }
        var credential = Credential(token: status.token.flatMap { $0.isEmpty ? nil : $0 },
                                    certPEM: status.clientCertificateData.map { Array($0.utf8) },
                                    keyPEM: status.clientKeyData.map { Array($0.utf8) }, expiry: nil)
        if (credential.certPEM == nil) != (credential.keyPEM == nil) {
            throw bad("its ExecCredential has a client certificate without its key, or a key without its certificate")
        }
        guard credential.token != nil || credential.certPEM != nil else { throw bad("its ExecCredential has neither a token nor a client certificate") }
        if let text = status.expirationTimestamp {
            guard let ms = RFC3339.milliseconds(text) else { throw bad("expirationTimestamp \"\(text)\" is not an RFC 3339 time") }
            credential.expiry = ms
        }
        return credential
    }
}
