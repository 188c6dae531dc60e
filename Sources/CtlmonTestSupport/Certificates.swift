import Foundation

/// Certificates for TLS tests, made by the openssl command: a CA, a server certificate it
/// signs for 127.0.0.1 and localhost, and a client certificate it signs. EC P-256 keys (fast
/// to make). Each set has its own CA, so a second set is a rotation, or a stranger's.
package struct Certificates: Sendable {
    /// The CA's certificate (PEM): what a client trusts, or the server verifies clients with.
    package let caFile: String
    /// The server's certificate and key.
    package let serverCert: String, serverKey: String
    /// A client's certificate and key, signed by the same CA.
    package let clientCert: String, clientKey: String

    /// Makes a set in `folder`, its files prefixed by `name`.
    package static func make(in folder: String, name: String) throws -> Certificates {
        let p = folder + "/" + name
        func openssl(_ arguments: [String]) throws { try Components.run("openssl", arguments) }
        func key(_ path: String) throws { try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path]) }
        try key(p + "-ca.key")
        try openssl(["req", "-x509", "-new", "-key", p + "-ca.key", "-subj", "/CN=\(name) test CA", "-days", "2", "-out", p + "-ca.crt"])
        func signed(_ role: String, _ extensions: String) throws {
            try key(p + "-\(role).key")
            try openssl(["req", "-new", "-key", p + "-\(role).key", "-subj", "/CN=\(name) \(role)", "-out", p + "-\(role).csr"])
            try extensions.write(toFile: p + "-\(role).ext", atomically: true, encoding: .utf8)
            try openssl([
                "x509", "-req", "-in", p + "-\(role).csr", "-CA", p + "-ca.crt", "-CAkey", p + "-ca.key", "-CAcreateserial", "-days", "2",
                "-extfile", p + "-\(role).ext", "-out", p + "-\(role).crt",
            ])
        }
        try signed("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try signed("client", "extendedKeyUsage=clientAuth\n")
        return Certificates(
            caFile: p + "-ca.crt", serverCert: p + "-server.crt", serverKey: p + "-server.key", clientCert: p + "-client.crt",
            clientKey: p + "-client.key")
    }
}
