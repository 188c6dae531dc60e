import PromModel

/// AWS credentials: a key pair, with the session token and expiry of temporary ones.
package struct AWSCredentials: Sendable, Equatable {
    /// `AccessKeyId`.
    package var accessKeyID: String
    /// `SecretAccessKey`.
    package var secretAccessKey: String
    /// `SessionToken` of temporary credentials (sent as `X-Amz-Security-Token`).
    package var sessionToken: String?
    /// When temporary credentials expire (Unix ms); nil for long-term keys.
    package var expiration: Int64?

    /// Credentials as given.
    package init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Int64? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }
}

/// AWS Signature Version 4 for one HTTP request, as botocore's `SigV4Auth` computes it (a test
/// compares the two on generated requests and on AWS's published test-suite cases):
/// canonical request (method, the path's segments normalized and percent-encoded, the query
/// sorted, the headers lower-cased, trimmed and sorted, the payload's SHA-256), string to
/// sign, and the signing key chained by HMAC-SHA256 from the secret through date, region and
/// service. Every header of the request is signed except `User-Agent`, `Expect` and
/// `X-Amzn-Trace-Id`, with `Host` (from the URL, its default port left out) and `X-Amz-Date`.
package enum SigV4 {
    /// The headers to add to the request: `X-Amz-Date`, `X-Amz-Security-Token` (temporary
    /// credentials), then `Authorization`. `time` in Unix milliseconds.
    package static func sign(
        method: String, url: String, headers: [(String, String)], body: [UInt8], credentials: AWSCredentials, region: String,
        service: String, time: Int64
    ) -> [(String, String)] {
        let stamp = amzDate(time)
        let day = String(stamp.prefix(8))
        var added: [(String, String)] = [("X-Amz-Date", stamp)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        let parts = URLParts(url)
        var signed: [String: [String]] = ["host": [parts.hostHeader]]
        for (name, value) in headers + added {
            let n = name.lowercased()
            if n == "user-agent" || n == "expect" || n == "x-amzn-trace-id" || n == "authorization" || n == "host" { continue }
            signed[n, default: []].append(value.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        }
        let names = signed.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let canonicalHeaders = names.map { "\($0):\(signed[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            method.uppercased(), canonicalURI(parts.path), canonicalQuery(parts.query), canonicalHeaders, signedHeaders,
            SHA256.hash(body).hex,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(stamp)\n\(scope)\n\(SHA256.hash(Array(canonicalRequest.utf8)).hex)"
        var key = HMAC.sha256(key: Array(("AWS4" + credentials.secretAccessKey).utf8), message: Array(day.utf8))
        for part in [region, service, "aws4_request"] { key = HMAC.sha256(key: key, message: Array(part.utf8)) }
        let signature = HMAC.sha256(key: key, message: Array(stringToSign.utf8)).hex
        added.append((
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        ))
        return added
    }

    /// `20150830T123600Z` for a Unix time in milliseconds.
    package static func amzDate(_ ms: Int64) -> String {
        // RFC 3339 of the whole second, without its separators.
        let text = RFC3339.format(milliseconds: ms - ((ms % 1000) + 1000) % 1000)
        return String(text.filter { $0 != "-" && $0 != ":" }.prefix(15)) + "Z"
    }

    /// The path with `.` and `..` segments resolved and empty ones dropped (a trailing slash
    /// kept), then percent-encoded except unreserved characters and `/` (botocore's rules for
    /// services other than S3).
    static func canonicalURI(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var segments: [Substring] = []
        for s in path.split(separator: "/", omittingEmptySubsequences: true) {
            if s == "." { continue }
            if s == ".." {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(s)
        }
        var normalized = "/" + segments.joined(separator: "/")
        if path.hasSuffix("/") && normalized != "/" { normalized += "/" }
        // Encoded as written (an escape already in the URL is escaped again: AWS's rule for
        // services other than S3).
        return percentEncode(normalized, keep: "/")
    }

    /// The query's `name=value` pairs as written in the URL (already encoded), sorted by
    /// name, then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { p -> (String, String) in
            let kv = p.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
        }
        return pairs.sorted { $0.0 != $1.0 ? Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) : Array($0.1.utf8).lexicographicallyPrecedes(Array($1.1.utf8)) }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~` (and `keep`) as `%XX`.
    package static func percentEncode(_ s: String, keep: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        let kept = Set(keep.utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(b)
            default:
                if kept.contains(b) {
                    out.append(b)
                } else {
                    out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

}

/// A URL's parts as signing needs them, without Foundation: the `Host` header (no default
/// port), the path and the query.
struct URLParts {
    var hostHeader = ""
    var path = "/"
    var query = ""

    init(_ url: String) {
        var rest = Substring(url)
        var https = false
        if let r = rest.firstRange(of: "://") {
            https = rest[..<r.lowerBound].lowercased() == "https"
            rest = rest[r.upperBound...]
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let afterAuthority = rest[authorityEnd...]
        if (https && authority.hasSuffix(":443")) || (!https && authority.hasSuffix(":80")) {
            authority = authority.dropLast(https ? 4 : 3)
        }
        hostHeader = authority.lowercased()
        let fragmentless = afterAuthority.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let pq = fragmentless.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = pq.first.map(String.init) ?? ""
        if path.isEmpty { path = "/" }
        query = pq.count > 1 ? String(pq[1]) : ""
    }
}
