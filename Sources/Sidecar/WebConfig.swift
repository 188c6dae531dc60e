import ConfigYAML
import FoundationEssentials
import HummingbirdBcrypt
import PromModel
import Workers

/// `--web.config.file`, in Prometheus's format (exporter-toolkit's): `basic_auth_users`, user
/// names and their bcrypt hashes, and `tls_server_config`. With users, the API asks for HTTP
/// basic authentication on every path but `/-/healthy` and `/-/ready` (probes carry no
/// credentials, and those answers say nothing); with `tls_server_config`, it is served over
/// TLS only. Keys ctlmon does not implement (`http_server_config`, `rate_limit`, cipher
/// suites, curves, `client_allowed_sans`, inline certificates) are refused with their line:
/// no key is silently ignored.
package struct WebConfig: Sendable {
    /// User name → bcrypt hash (`$2a$`, `$2b$` or `$2y$`, as htpasswd -B writes them).
    package var users: [String: String] = [:]
    /// `tls_server_config`, when it sets anything (an empty one leaves plain HTTP, as in
    /// exporter-toolkit).
    package var tls: TLSServerSettings?

    /// No users: no authentication.
    package init() {}

    /// Reads and checks the file: every problem with its line.
    package static func load(path: String) throws(ConfigFileError) -> WebConfig {
        let text = try StrictYAML.read(path: path)
        var yaml = StrictYAML(path: path)
        var config = WebConfig()
        if let root = try StrictYAML.compose(text, path: path),
            let m = yaml.mapping(
                root, allowed: ["basic_auth_users", "tls_server_config"], unsupported: ["http_server_config", "rate_limit"], in: "the web config")
        {
            if let node = m["tls_server_config"] {
                config.tls = tlsSettings(node, folder: FilePaths.directory(of: path), &yaml)
            }
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

    /// `tls_server_config`: nil when it sets nothing; its files are loaded to check them
    /// (a certificate that does not parse, a key that does not match it), each problem at its
    /// line.
    static func tlsSettings(_ node: YAMLNode, folder: String, _ yaml: inout StrictYAML) -> TLSServerSettings? {
        let what = "tls_server_config"
        guard let m = yaml.mapping(
            node, allowed: ["cert_file", "key_file", "client_ca_file", "client_auth_type", "min_version", "max_version"],
            unsupported: ["cert", "key", "client_ca", "cipher_suites", "curve_preferences", "prefer_server_cipher_suites", "client_allowed_sans"],
            in: what)
        else { return nil }
        func path(_ key: String) -> String? {
            guard let s = yaml.string(m[key], "\(what).\(key)"), !s.isEmpty else { return nil }
            // As Go's filepath.Join(filepath.Dir(file), path): a file named without a folder
            // makes its paths relative to the working directory.
            return s.hasPrefix("/") || folder.isEmpty ? s : folder + "/" + s
        }
        let cert = path("cert_file"), key = path("key_file"), ca = path("client_ca_file")
        let authText = yaml.string(m["client_auth_type"], "\(what).client_auth_type") ?? ""
        let problemsBefore = yaml.problems.count
        let auth = TLSServerSettings.ClientAuth(configValue: authText)
        if auth == nil {
            yaml.problem(m["client_auth_type"], "\(what).client_auth_type: unknown policy \"\(authText)\" (expected \(TLSServerSettings.ClientAuth.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        func version(_ key: String, _ otherwise: TLSServerSettings.Version) -> TLSServerSettings.Version {
            guard let s = yaml.string(m[key], "\(what).\(key)"), !s.isEmpty else { return otherwise }
            guard let v = TLSServerSettings.Version(rawValue: s) else {
                yaml.problem(m[key], "\(what).\(key): unknown TLS version \"\(s)\" (expected TLS10, TLS11, TLS12 or TLS13)")
                return otherwise
            }
            return v
        }
        let minVersion = version("min_version", .tls12), maxVersion = version("max_version", .tls13)
        // Nothing set: plain HTTP, as exporter-toolkit decides.
        guard cert != nil || key != nil || ca != nil || !authText.isEmpty else { return nil }
        guard let cert, let key else {
            yaml.problem(node, "\(what): missing \(cert == nil ? "cert_file" : "key_file") (both are needed to serve TLS)")
            return nil
        }
        if minVersion > maxVersion { yaml.problem(m["min_version"], "\(what): min_version \(minVersion.rawValue) is above max_version \(maxVersion.rawValue)") }
        if ca != nil, auth == .noClientCert {
            yaml.problem(m["client_ca_file"], "\(what): client_ca_file is set but client_auth_type does not ask for client certificates (set it to RequireAndVerifyClientCert)")
        }
        guard yaml.problems.count == problemsBefore, let auth else { return nil }
        var settings = TLSServerSettings(certFile: cert, keyFile: key)
        settings.clientCAFile = ca
        settings.clientAuth = auth
        settings.minVersion = minVersion
        settings.maxVersion = maxVersion
        do {
            _ = try ServerTLS.context(settings, try ServerTLS.read(settings))
        } catch {
            yaml.problem(node, "\(what): \(error)")
            return nil
        }
        return settings
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
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingWhitespace(newlines: false)),
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
