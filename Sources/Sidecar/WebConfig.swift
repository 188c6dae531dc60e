import ConfigYAML
import Foundation
import HummingbirdBcrypt
import Workers
import Yams

/// `--web.config.file`, in Prometheus's format (exporter-toolkit's): `basic_auth_users`, user
/// names and their bcrypt hashes. The API then asks for HTTP basic authentication on every
/// path but `/-/healthy` and `/-/ready` (probes carry no credentials, and those answers say
/// nothing). `tls_server_config` and `http_server_config` are refused, with their line, until
/// ctlmon serves TLS itself: no key is silently ignored.
package struct WebConfig: Sendable {
    /// User name → bcrypt hash (`$2a$`, `$2b$` or `$2y$`, as htpasswd -B writes them).
    package var users: [String: String] = [:]

    /// No users: no authentication.
    package init() {}

    /// Reads and checks the file: every problem with its line.
    package static func load(path: String) throws(ConfigFileError) -> WebConfig {
        let text = try StrictYAML.read(path: path)
        var yaml = StrictYAML(path: path)
        var config = WebConfig()
        if let root = try StrictYAML.compose(text, path: path),
            let m = yaml.mapping(root, allowed: ["basic_auth_users"], unsupported: ["tls_server_config", "http_server_config"], in: "the web config")
        {
            for (user, hash, node) in yaml.stringMap(m["basic_auth_users"], "basic_auth_users") {
                let prefix = hash.prefix(4)
                guard hash.utf8.count == 60, ["$2a$", "$2b$", "$2y$"].contains(prefix) else {
                    yaml.problem(node, "basic_auth_users: the hash of \"\(user)\" is not a bcrypt hash ($2y$…, 60 characters)")
                    continue
                }
                config.users[user] = hash
            }
        }
        if !yaml.problems.isEmpty { throw ConfigFileError(path, yaml.problems) }
        return config
    }
}

/// Checks `Authorization: Basic …` against ``WebConfig/users``. bcrypt is slow on purpose
/// (tens of milliseconds a check), so a pair once verified is remembered, as exporter-toolkit
/// does; an unknown user costs a bcrypt check too, so that timing does not tell which users exist.
package final class BasicAuthentication: Sendable {
    private let users: [String: String]
    /// `user:password` pairs already verified against their hash.
    private let verified = Locked<Set<String>>([])
    /// Checked for unknown users, to spend the time a real check would.
    private static let decoy = Bcrypt.hash("ctlmon decoy password", cost: 10)

    /// Checks against `users` (user → bcrypt hash).
    package init(users: [String: String]) { self.users = users }

    /// The `user:password` of a basic `Authorization` header value, if it is one.
    static func pair(_ header: String?) -> String? {
        guard let header, header.utf8.count < 4096, header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let pair = String(data: data, encoding: .utf8), pair.contains(":")
        else { return nil }
        return pair
    }

    /// Whether the header carries a pair verified before (no bcrypt: microseconds).
    package func allowsWithoutChecking(_ header: String?) -> Bool {
        guard let pair = Self.pair(header) else { return false }
        return verified.withLock { $0.contains(pair) }
    }

    /// Whether an `Authorization` header value carries a known user and its password (a
    /// bcrypt check unless verified before: run it off the server's threads).
    package func allows(_ header: String?) -> Bool {
        guard let pair = Self.pair(header), let colon = pair.firstIndex(of: ":") else { return false }
        if verified.withLock({ $0.contains(pair) }) { return true }
        let user = String(pair[..<colon])
        let password = String(pair[pair.index(after: colon)...])
        guard let hash = users[user] else {
            _ = Bcrypt.verify(password, hash: Self.decoy)
            return false
        }
        guard Bcrypt.verify(password, hash: hash) else { return false }
        verified.withLock { _ = $0.insert(pair) }
        return true
    }
}
