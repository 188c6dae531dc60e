import ConfigYAML
import CtlmonTestSupport
import Foundation
import Sidecar
import Testing

/// `--web.config.file`: Prometheus's format, its problems with their lines, and the check of
/// basic credentials against bcrypt hashes.
@Suite("web config and basic authentication")
struct WebConfigTests {
    static func load(_ text: String) throws(ConfigFileError) -> WebConfig {
        let path = NSTemporaryDirectory() + "ctlmon-web-\(UUID().uuidString).yml"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try WebConfig.load(path: path)
    }

    static func basic(_ user: String, _ password: String) -> String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }

    @Test("basic_auth_users is read; a hash that is not bcrypt, and TLS settings ctlmon does not serve yet, are errors with their line")
    func loading() throws {
        let hash = Passwords.bcrypt("s3cret")
        let c = try Self.load("basic_auth_users:\n  alice: '\(hash)'\n")
        #expect(c.users == ["alice": hash])
        #expect(performing: { _ = try Self.load("basic_auth_users:\n  alice: plain\n") }, throws: { "\($0)".contains(":2:") && "\($0)".contains("not a bcrypt hash") })
        #expect(performing: { _ = try Self.load("tls_server_config:\n  cert_file: c\n") }, throws: { "\($0)".contains(":1:") && "\($0)".contains("tls_server_config") })
        #expect(performing: { _ = try Self.load("basic_auth_user: {}\n") }, throws: { "\($0)".contains("basic_auth_user") })
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
