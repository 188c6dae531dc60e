import ConfigYAML
import CtlmonTestSupport
import Foundation
import Sidecar
import Testing

/// `--web.config.file`: Prometheus's format, its problems with their lines, and the check of
/// basic credentials against bcrypt hashes.
@Suite("web config and basic authentication")
struct WebConfigTests {
    static func load(_ text: String, in folder: String = NSTemporaryDirectory()) throws(ConfigFileError) -> WebConfig {
        let path = folder + "/ctlmon-web-\(UUID().uuidString).yml"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try WebConfig.load(path: path)
    }

    static func basic(_ user: String, _ password: String) -> String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }

    @Test("basic_auth_users is read; a hash that is not bcrypt, an incomplete tls_server_config and unknown keys are errors with their line")
    func loading() throws {
        let hash = Passwords.bcrypt("s3cret")
        let c = try Self.load("basic_auth_users:\n  alice: '\(hash)'\n")
        #expect(c.users == ["alice": hash])
        #expect(performing: { _ = try Self.load("basic_auth_users:\n  alice: plain\n") }, throws: { "\($0)".contains(":2:") && "\($0)".contains("not a bcrypt hash") })
        #expect(performing: { _ = try Self.load("tls_server_config:\n  cert_file: c\n") }, throws: { "\($0)".contains(":2:") && "\($0)".contains("tls_server_config: missing key_file") })
        #expect(performing: { _ = try Self.load("basic_auth_user: {}\n") }, throws: { "\($0)".contains("basic_auth_user") })
    }

    @Test("tls_server_config as exporter-toolkit reads it: paths relative to the file, its defaults, RequireClientCert as RequireAnyClientCert; empty is plain HTTP")
    func tlsSettings() throws {
        let folder = try Components.temporaryFolder("web-tls")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let certs = try Certificates.make(in: folder, name: "a")
        let c = try Self.load("tls_server_config:\n  cert_file: a-server.crt\n  key_file: \(certs.serverKey)\n", in: folder)
        let tls = try #require(c.tls)
        #expect(tls.certFile == folder + "/a-server.crt" && tls.keyFile == certs.serverKey)
        #expect(tls.clientAuth == .noClientCert && tls.minVersion == .tls12 && tls.maxVersion == .tls13 && tls.clientCAFile == nil)
        let m = try Self.load("""
            tls_server_config:
              cert_file: a-server.crt
              key_file: a-server.key
              client_ca_file: a-ca.crt
              client_auth_type: RequireClientCert
              min_version: TLS13
            """, in: folder)
        #expect(m.tls?.clientAuth == .requireAnyClientCert && m.tls?.minVersion == .tls13 && m.tls?.clientCAFile == certs.caFile)
        #expect(try Self.load("tls_server_config: {}\n", in: folder).tls == nil)
        #expect(try Self.load("tls_server_config:\n  min_version: TLS13\n", in: folder).tls == nil)
    }

    @Test("a tls_server_config that cannot serve is refused with its line and reason", arguments: [
        ("cert_file: a-server.crt", "missing key_file"),
        ("key_file: a-server.key", "missing cert_file"),
        ("cert_file: a-server.crt\n  key_file: a-server.key\n  client_auth_type: Sometimes", "unknown policy \"Sometimes\""),
        ("cert_file: a-server.crt\n  key_file: a-server.key\n  min_version: TLS14", "unknown TLS version \"TLS14\""),
        ("cert_file: a-server.crt\n  key_file: a-server.key\n  min_version: TLS13\n  max_version: TLS12", "min_version TLS13 is above max_version TLS12"),
        ("cert_file: a-server.crt\n  key_file: a-server.key\n  client_ca_file: a-ca.crt", "client_ca_file is set but client_auth_type does not ask"),
        ("cert_file: a-server.crt\n  key_file: a-server.key\n  cipher_suites: [TLS_AES_128_GCM_SHA256]", "\"cipher_suites\" in tls_server_config is a Prometheus setting"),
        ("cert_file: a-server.crt\n  key_file: b-server.key", "does the key match the certificate?"),
        ("cert_file: a-server.key\n  key_file: a-server.key", "not a PEM certificate"),
        ("cert_file: a-server.crt\n  key_file: a-server.crt", "not a PEM private key"),
        ("cert_file: missing.crt\n  key_file: a-server.key", "missing.crt: cannot be read"),
        ("cert_file: a-server.crt\n  key_file: a-server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: a-server.key", "client_ca_file"),
    ])
    func tlsProblems(_ body: String, _ expected: String) throws {
        let folder = try Components.temporaryFolder("web-tls")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try Certificates.make(in: folder, name: "a")
        _ = try Certificates.make(in: folder, name: "b")
        #expect(performing: { _ = try Self.load("# the web config\ntls_server_config:\n  \(body)\n", in: folder) }, throws: { error in
            let text = "\(error)"
            return text.contains(expected) && (text.contains(":2:") || text.contains(":3:") || text.contains(":4:") || text.contains(":5:") || text.contains(":6:"))
        })
    }

    @Test("the right password passes (then from the cache); a wrong one, an unknown user, garbage and no header do not")
    func checking() {
        let auth = BasicAuthentication(users: ["alice": Passwords.bcrypt("s3cret")])
        #expect(!auth.allowsWithoutChecking(Self.basic("alice", "s3cret")))
        #expect(auth.allows(Self.basic("alice", "s3cret")))
        #expect(auth.allowsWithoutChecking(Self.basic("alice", "s3cret")))
        for header in [Self.basic("alice", "wrong"), Self.basic("bob", "s3cret"), Self.basic("alice", ""), "Basic !!!", "Bearer x", "", String(repeating: "a", count: 10_000)] {
            #expect(!auth.allows(header), "\(header.prefix(40))")
        }
        #expect(!auth.allows(nil))
    }
}
