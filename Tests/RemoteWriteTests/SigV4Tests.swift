import CtlmonTestSupport
import Foundation
import HTTPClient
import PromModel
import Testing
import Workers

@testable import RemoteWrite

@Suite("remote write: SigV4 for AMP")
struct SigV4Tests {
    static let example = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// 2015-08-30T12:36:00Z, the test suite's time.
    static let suiteTime: Int64 = 1_440_938_160_000

    static func authorization(_ method: String, _ url: String, _ headers: [(String, String)] = [], body: [UInt8] = [], credentials: AWSCredentials = example) -> String {
        SigV4.sign(method: method, url: url, headers: headers, body: body, credentials: credentials, region: "us-east-1", service: "service", time: suiteTime)
            .first { $0.0 == "Authorization" }!.1
    }

    @Test("AWS's published SigV4 test-suite cases: get-vanilla, post-vanilla, get-vanilla-query-order-key-case")
    func publishedSuite() {
        let prefix = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature="
        #expect(Self.authorization("GET", "https://example.amazonaws.com/") == prefix + "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(Self.authorization("POST", "https://example.amazonaws.com/") == prefix + "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
        #expect(Self.authorization("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1")
            == prefix + "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
        #expect(SigV4.amzDate(Self.suiteTime + 999) == "20150830T123600Z")
    }

    @Test("300 generated requests signed as botocore's SigV4Auth signs them: paths with dot segments and escapes, queries, headers with runs of blanks, bodies, session tokens, regions")
    func matchesBotocore() throws {
        var g = SeededGenerator(seed: 42)
        let pathParts = ["workspaces", "ws-1a2b3c", "api", "v1", "remote_write", ".", "..", "a b", "%2F", "ü", "x~y", "", "A-Z_0.9"]
        let hosts = ["aps-workspaces.eu-west-1.amazonaws.com", "example.amazonaws.com:8443", "127.0.0.1:9090", "Example.AmazonAWS.com:443"]
        let headerNames = ["Content-Type", "Content-Encoding", "X-Prometheus-Remote-Write-Version", "X-Scope-OrgID", "User-Agent", "My-Header"]
        let headerValues = ["application/x-protobuf", "snappy", "0.1.0", "  spaced   out  value ", "a\tb", "ctlmon/1.0"]
        var requests: [[String: Any]] = []
        var ours: [[String: String]] = []
        for k in 0..<300 {
            let scheme = Bool.random(using: &g) ? "https" : "http"
            let path = "/" + (0..<Int.random(in: 0...5, using: &g)).map { _ in pathParts.randomElement(using: &g)! }.joined(separator: "/")
                .addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!
            let query = Bool.random(using: &g) ? "" : "?" + (0..<Int.random(in: 1...3, using: &g)).map { _ in "p\(Int.random(in: 0...3, using: &g))=v\(Int.random(in: 0...3, using: &g))" }.joined(separator: "&")
            let url = "\(scheme)://\(hosts.randomElement(using: &g)!)\(path)\(query)"
            var headers: [(String, String)] = []
            for name in headerNames where Bool.random(using: &g) { headers.append((name, headerValues.randomElement(using: &g)!)) }
            let body = (0..<Int.random(in: 0...300, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            let token: String? = Bool.random(using: &g) ? "session-token-\(k)+/=" : nil
            let credentials = AWSCredentials(accessKeyID: "AKIA\(k)", secretAccessKey: "secret/\(k)+key", sessionToken: token)
            let region = ["us-east-1", "eu-west-1", "ap-southeast-2"].randomElement(using: &g)!
            let method = Bool.random(using: &g) ? "POST" : "GET"
            let time = Int64.random(in: 1_600_000_000_000...1_900_000_000_000, using: &g)
            let added = SigV4.sign(method: method, url: url, headers: headers, body: body, credentials: credentials, region: region, service: "aps", time: time)
            ours.append(Dictionary(added, uniquingKeysWith: { a, _ in a }))
            var request: [String: Any] = [
                "method": method, "url": url, "headers": headers.map { [$0.0, $0.1] }, "body_hex": body.hex, "access": credentials.accessKeyID,
                "secret": credentials.secretAccessKey, "region": region, "service": "aps", "amz_date": SigV4.amzDate(time),
            ]
            if let token { request["token"] = token }
            requests.append(request)
        }
        let folder = try Components.temporaryFolder("sigv4")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = try requests.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        try input.write(toFile: folder + "/requests.jsonl", atomically: true, encoding: .utf8)
        let oracle = packageRoot.appendingPathComponent("scripts/sigv4-oracle.py").path
        let out = try Components.run("sh", ["-c", "/usr/bin/python3 '\(oracle)' < '\(folder)/requests.jsonl'"])
        let theirs = try out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: String] }
        #expect(theirs.count == 300)
        let described = requests.map { "\($0["method"] as? String ?? "") \($0["url"] as? String ?? "")" }
        for (k, (a, b)) in zip(ours, theirs).enumerated() {
            let what = described[k]
            #expect(a == b, "request \(k): \(what)")
        }
    }

    /// The stand-ins of scripts/fake-aws.py.
    static func fakeAWS(_ extra: [String] = []) throws -> (ManagedProcess, String) {
        let p = try ManagedProcess("python3", [packageRoot.appendingPathComponent("scripts/fake-aws.py").path] + extra)
        let port = try p.waitForLine(startingWith: "PORT ").trimmingCharacters(in: .whitespaces)
        return (p, "http://127.0.0.1:\(port)")
    }

    @Test("credentials from the config, the environment and a profile file, in the SDKs' order; a named profile that is missing is an error; no region is an error")
    func staticSources() throws {
        let folder = try Components.temporaryFolder("aws-profile")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n[team]\naws_access_key_id=AKIATEAM\naws_secret_access_key=t\naws_session_token = tok\n"
            .write(toFile: folder + "/credentials", atomically: true, encoding: .utf8)
        let env = ["AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "e", "AWS_SHARED_CREDENTIALS_FILE": folder + "/credentials"]
        var config = SigV4Config()
        let clock: @Sendable () -> Int64 = { 0 }
        #expect(try AWSCredentialsProvider(config: config, environment: env, clock: clock).credentials().accessKeyID == "AKIAENV")
        config.profile = "team"
        let team = try AWSCredentialsProvider(config: config, environment: env, clock: clock).credentials()
        #expect(team == AWSCredentials(accessKeyID: "AKIATEAM", secretAccessKey: "t", sessionToken: "tok"))
        config.accessKey = "AKIACONFIG"
        config.secretKey = "c"
        #expect(try AWSCredentialsProvider(config: config, environment: env, clock: clock).credentials().accessKeyID == "AKIACONFIG")
        var noEnvKeys = env
        noEnvKeys["AWS_ACCESS_KEY_ID"] = nil
        #expect(try AWSCredentialsProvider(config: SigV4Config(), environment: noEnvKeys, clock: clock).credentials().accessKeyID == "AKIADEFAULT")
        var missing = SigV4Config()
        missing.profile = "nope"
        #expect(throws: RemoteWriteSetupError.self) { try AWSCredentialsProvider(config: missing, environment: env, clock: clock).credentials() }
        #expect(throws: RemoteWriteSetupError.self) { try AWSCredentialsProvider(config: SigV4Config(), environment: [:], clock: clock) }
    }

    @Test("EKS Pod Identity and IRSA through stand-ins on 127.0.0.1: the token files are sent, the credentials are used until five minutes before they expire, then fetched again; role_arn is assumed with a signed STS call")
    func temporaryCredentials() throws {
        let folder = try Components.temporaryFolder("aws-temp")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The time is pinned: the stand-in issues credentials at it, and the provider's clock starts there.
        let issued: Int64 = 1_800_000_000
        let (fake, base) = try Self.fakeAWS(["--ttl", "600", "--now", "\(issued)"])
        defer { fake.stop() }
        try "pod-identity-token\n".write(toFile: folder + "/pod-token", atomically: true, encoding: .utf8)
        try "web-identity-token".write(toFile: folder + "/web-token", atomically: true, encoding: .utf8)
        let now = Locked(issued * 1000)
        let clock: @Sendable () -> Int64 = { now.withLock { $0 } }
        let pod = try AWSCredentialsProvider(
            config: SigV4Config(), environment: [
                "AWS_REGION": "eu-west-1", "AWS_CONTAINER_CREDENTIALS_FULL_URI": base + "/pod-identity",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": folder + "/pod-token",
            ], clock: clock)
        let first = try pod.credentials()
        #expect(first.accessKeyID == "ASIAPOD1" && first.sessionToken == "pod-token-1" && first.expiration == (issued + 600) * 1000)
        now.withLock { $0 += 240_000 }  // 6 minutes before expiry: still good
        #expect(try pod.credentials().accessKeyID == "ASIAPOD1")
        now.withLock { $0 += 120_000 }  // 4 minutes before: fetched again
        #expect(try pod.credentials().accessKeyID == "ASIAPOD2")
        // A wrong token is refused by the endpoint: an error naming it, not a request signed with nothing.
        try "wrong".write(toFile: folder + "/pod-token", atomically: true, encoding: .utf8)
        now.withLock { $0 += 600_000 }
        #expect(performing: { _ = try pod.credentials() }, throws: { "\($0)".contains("401") })

        var withRole = SigV4Config()
        withRole.roleARN = "arn:aws:iam::111122223333:role/amp-writer"
        let irsa = try AWSCredentialsProvider(
            config: withRole, environment: [
                "AWS_REGION": "eu-west-1", "AWS_ROLE_ARN": "arn:aws:iam::111122223333:role/irsa", "AWS_WEB_IDENTITY_TOKEN_FILE": folder + "/web-token",
                "AWS_ENDPOINT_URL_STS": base + "/sts",
            ], clock: clock)
        let assumed = try irsa.credentials()
        #expect(assumed.accessKeyID == "ASIAROLE1" && assumed.sessionToken == "role-token-1")
        let counts = try HTTP.json(base + "/counts") as? [String: Int]
        #expect(counts?["irsa"] == 1 && counts?["role"] == 1)
    }

    @Test("a signed remote-write request carries the protocol's headers, signed; the signature is botocore's for the same request")
    func signedRemoteWriteRequest() throws {
        var c = RemoteWriteConfig(url: "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write")
        c.headers = [("X-Scope-OrgID", "a")]
        let provider = try AWSCredentialsProvider(
            config: { var v = SigV4Config(); v.accessKey = "AKIA1"; v.secretKey = "s"; v.region = "eu-west-1"; return v }(), environment: [:], clock: { 0 })
        let folder = try Components.temporaryFolder("sigv4-rw")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = try SampleLogTests.open(folder)
        let queue = RemoteWriteQueue(config: c, log: log)
        let body = Snappy.compress(Array("payload".utf8))
        var request = try queue.baseRequest(body: body)
        try RemoteWriteSigners.sign(&request, body: body, provider: provider, time: Self.suiteTime)
        let auth = try #require(request.headers.first { $0.hasPrefix("Authorization: ") })
        #expect(auth.contains("/20150830/eu-west-1/aps/aws4_request, SignedHeaders=content-encoding;content-type;host;x-amz-date;x-prometheus-remote-write-version;x-scope-orgid, "))
        // The oracle, on the same request.
        let headers = request.headers.filter { !$0.hasPrefix("Authorization") && !$0.hasPrefix("X-Amz-Date") }.map { line -> [String] in
            let colon = line.firstIndex(of: ":")!
            return [String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)]
        }
        let json: [String: Any] = [
            "method": "POST", "url": c.url, "headers": headers, "body_hex": body.hex, "access": "AKIA1", "secret": "s", "region": "eu-west-1",
            "service": "aps", "amz_date": "20150830T123600Z",
        ]
        try String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self).write(toFile: folder + "/r.json", atomically: true, encoding: .utf8)
        let oracle = packageRoot.appendingPathComponent("scripts/sigv4-oracle.py").path
        let out = try Components.run("sh", ["-c", "/usr/bin/python3 '\(oracle)' < '\(folder)/r.json'"])
        let theirs = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: String]
        #expect("Authorization: " + theirs["Authorization"]! == auth)
    }
}
