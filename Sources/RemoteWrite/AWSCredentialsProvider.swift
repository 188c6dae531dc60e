import HTTPClient
import PromModel
import Workers

#if canImport(Glibc)
import Glibc
#endif

/// Where `sigv4` finds its credentials, in the AWS SDKs' order: the config's `access_key` and
/// `secret_key`; else the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`) unless the config names a `profile`; else the shared credentials file
/// (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`) when it has the profile; else IRSA
/// (`AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`: STS `AssumeRoleWithWebIdentity`, at
/// `AWS_ENDPOINT_URL_STS` or the region's endpoint); else EKS Pod Identity
/// (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with the token of `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// or `AWS_CONTAINER_AUTHORIZATION_TOKEN`). With `role_arn`, the credentials found assume that
/// role (STS `AssumeRole`, signed). Temporary credentials are fetched again five minutes before
/// they expire; the token files are read again at each fetch (they rotate).
package final class AWSCredentialsProvider: @unchecked Sendable {
    // Sendable: `cached` is behind its lock; the rest is immutable.
    private let config: SigV4Config
    /// The region requests are signed for.
    package let region: String
    private let environment: [String: String]
    private let clock: @Sendable () -> Int64
    private let fetch: @Sendable (HTTPRequest) throws -> (Int, String)
    private let cached = Locked<AWSCredentials?>(nil)

    /// A provider for `config`, reading `environment`; `fetch` performs a request (tests give
    /// their own), `clock` is Unix milliseconds. Throws when no region is known.
    package init(
        config: SigV4Config, environment: [String: String], clock: @escaping @Sendable () -> Int64,
        fetch: (@Sendable (HTTPRequest) throws -> (Int, String))? = nil
    ) throws(RemoteWriteSetupError) {
        self.config = config
        self.environment = environment
        self.clock = clock
        self.fetch = fetch ?? Self.perform
        guard let region = config.region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"], !region.isEmpty else {
            throw RemoteWriteSetupError(description: "sigv4: no region (set sigv4.region, or AWS_REGION)")
        }
        self.region = region
    }

    /// Credentials valid for at least five more minutes (fetched again when not).
    package func credentials() throws(RemoteWriteSetupError) -> AWSCredentials {
        let now = clock()
        if let c = cached.withLock({ $0 }), c.expiration.map({ $0 - 300_000 > now }) ?? true { return c }
        var found = try base()
        if let role = config.roleARN { found = try assumeRole(role, with: found) }
        let fresh = found
        cached.withLock { $0 = fresh }
        return fresh
    }

    /// The credentials before `role_arn`.
    private func base() throws(RemoteWriteSetupError) -> AWSCredentials {
        if let key = config.accessKey, let secret = config.secretKey {
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret)
        }
        if config.profile == nil, let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !key.isEmpty {
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        }
        let profile = config.profile ?? environment["AWS_PROFILE"] ?? "default"
        let file = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? (environment["HOME"].map { $0 + "/.aws/credentials" } ?? "")
        if let c = Self.profileCredentials(file: file, profile: profile) { return c }
        if config.profile != nil {
            throw RemoteWriteSetupError(description: "sigv4: profile \"\(profile)\" not found in \(file)")
        }
        if let role = environment["AWS_ROLE_ARN"], let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] {
            let token = try Self.readToken(tokenFile)
            let session = environment["AWS_ROLE_SESSION_NAME"] ?? "ctlmon-\(clock() / 1000)"
            var request = HTTPRequest(url: stsEndpoint)
            let form = "Action=AssumeRoleWithWebIdentity&RoleArn=\(SigV4.percentEncode(role, keep: ""))&RoleSessionName=\(SigV4.percentEncode(session, keep: ""))&Version=2011-06-15&WebIdentityToken=\(SigV4.percentEncode(token, keep: ""))"
            request.method = .post(body: Array(form.utf8), contentType: "application/x-www-form-urlencoded")
            request.timeout = 10
            return try stsCredentials(request, "AssumeRoleWithWebIdentity")
        }
        if let uri = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            var request = HTTPRequest(url: uri)
            request.timeout = 10
            let token = try environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"].map { f throws(RemoteWriteSetupError) in try Self.readToken(f) }
                ?? environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
            if let token { request.headers = ["Authorization: \(token)"] }
            let (status, body) = try call(request, "the container credentials endpoint")
            guard status == 200, let key = Self.jsonString(body, "AccessKeyId"), let secret = Self.jsonString(body, "SecretAccessKey") else {
                throw RemoteWriteSetupError(description: "sigv4: the container credentials endpoint \(uri) answered \(status): \(body.prefix(200))")
            }
            return AWSCredentials(
                accessKeyID: key, secretAccessKey: secret, sessionToken: Self.jsonString(body, "Token"),
                expiration: Self.jsonString(body, "Expiration").flatMap(Self.parseTime))
        }
        throw RemoteWriteSetupError(description: "sigv4: no credentials (access_key, AWS_ACCESS_KEY_ID, a profile, IRSA or EKS Pod Identity)")
    }

    /// STS for the region, or `AWS_ENDPOINT_URL_STS`.
    private var stsEndpoint: String { environment["AWS_ENDPOINT_URL_STS"] ?? "https://sts.\(region).amazonaws.com/" }

    /// `role_arn` assumed with `base` (STS `AssumeRole`, signed for `sts`).
    private func assumeRole(_ role: String, with base: AWSCredentials) throws(RemoteWriteSetupError) -> AWSCredentials {
        let form = "Action=AssumeRole&RoleArn=\(SigV4.percentEncode(role, keep: ""))&RoleSessionName=ctlmon-\(clock() / 1000)&Version=2011-06-15"
        var request = HTTPRequest(url: stsEndpoint)
        let body = Array(form.utf8)
        request.method = .post(body: body, contentType: "application/x-www-form-urlencoded")
        request.headers = ["Content-Type: application/x-www-form-urlencoded"]
        request.timeout = 10
        let signed = SigV4.sign(
            method: "POST", url: request.url, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: body, credentials: base,
            region: region, service: "sts", time: clock())
        request.headers += signed.map { "\($0.0): \($0.1)" }
        return try stsCredentials(request, "AssumeRole")
    }

    private func stsCredentials(_ request: HTTPRequest, _ action: String) throws(RemoteWriteSetupError) -> AWSCredentials {
        let (status, body) = try call(request, "STS \(action)")
        guard status == 200, let key = Self.xmlText(body, "AccessKeyId"), let secret = Self.xmlText(body, "SecretAccessKey") else {
            throw RemoteWriteSetupError(description: "sigv4: STS \(action) at \(request.url) answered \(status): \(body.prefix(300))")
        }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: Self.xmlText(body, "SessionToken"),
            expiration: Self.xmlText(body, "Expiration").flatMap(Self.parseTime))
    }

    private func call(_ request: HTTPRequest, _ what: String) throws(RemoteWriteSetupError) -> (Int, String) {
        do {
            return try fetch(request)
        } catch {
            throw RemoteWriteSetupError(description: "sigv4: \(what) at \(request.url): \(error)")
        }
    }

    /// One exchange with libcurl: the status and up to 64 KiB of the body.
    static func perform(_ request: HTTPRequest) throws -> (Int, String) {
        var body: [UInt8] = []
        let transfer = HTTPTransfer()
        let response = try transfer.perform(request) { piece in
            var k = 0
            while k < piece.count && body.count < 65_536 {
                body.append(piece[k])
                k += 1
            }
        }
        return (response.status, String(decoding: body, as: UTF8.self))
    }

    /// A token file's contents without surrounding blanks (read at each fetch: tokens rotate).
    static func readToken(_ path: String) throws(RemoteWriteSetupError) -> String {
        do {
            return try BearerToken.file(path).token()
        } catch {
            throw RemoteWriteSetupError(description: "sigv4: \(error)")
        }
    }

    /// `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` of `[profile]` in
    /// an INI credentials file; nil when the file or the profile is missing.
    static func profileCredentials(file: String, profile: String) -> AWSCredentials? {
        guard !file.isEmpty, let f = try? SystemFile(path: file, forWriting: false), let bytes = try? f.read(at: 0, count: 1 << 20) else { return nil }
        var section = ""
        var values: [String: String] = [:]
        for raw in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let line = raw.trimmingBlanks
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingBlanks
                continue
            }
            guard section == profile, let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq]).trimmingBlanks.lowercased()] = String(line[line.index(after: eq)...]).trimmingBlanks
        }
        guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else { return nil }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: values["aws_session_token"])
    }

    /// The text of the first `<name>…</name>` element (STS answers XML).
    static func xmlText(_ xml: String, _ name: String) -> String? {
        guard let open = xml.firstRange(of: "<\(name)>"), let close = xml[open.upperBound...].firstRange(of: "</\(name)>") else { return nil }
        return String(xml[open.upperBound..<close.lowerBound]).replacing("&amp;", with: "&").replacing("&lt;", with: "<").replacing("&gt;", with: ">")
    }

    /// A top-level string field of a flat JSON object (`"Name": "value"`), escapes undone.
    static func jsonString(_ json: String, _ name: String) -> String? {
        guard let key = json.firstRange(of: "\"\(name)\"") else { return nil }
        var rest = json[key.upperBound...].drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard rest.first == "\"" else { return nil }
        var out = ""
        var escaped = false
        for c in rest.dropFirst() {
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                return out
            } else {
                out.append(c)
            }
        }
        return nil
    }

    /// An RFC 3339 time (STS and the container endpoint write them) as Unix milliseconds.
    static func parseTime(_ s: String) -> Int64? { RFC3339.milliseconds(s) }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingBlanks: String {
        String(drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
