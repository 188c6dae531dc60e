import HTTPClient

/// The request signers of the `remote_write` destinations that need one (`sigv4`), by name.
package enum RemoteWriteSigners {
    /// A signer per destination with `sigv4`: each request is signed for the service `aps` with
    /// credentials from an ``AWSCredentialsProvider`` reading `environment`. Throws when a
    /// destination has no region.
    package static func make(
        _ configs: [RemoteWriteConfig], environment: [String: String], clock: @escaping @Sendable () -> Int64
    ) throws(RemoteWriteSetupError) -> [String: @Sendable (inout HTTPRequest, [UInt8]) throws -> Void] {
        var signers: [String: @Sendable (inout HTTPRequest, [UInt8]) throws -> Void] = [:]
        for c in configs {
            guard let v = c.sigv4 else { continue }
            let provider = try AWSCredentialsProvider(config: v, environment: environment, clock: clock)
            signers[c.name] = { request, body in try sign(&request, body: body, provider: provider, time: clock()) }
        }
        return signers
    }

    /// Adds `X-Amz-Date`, `X-Amz-Security-Token` and `Authorization` to `request` for `aps`.
    package static func sign(_ request: inout HTTPRequest, body: [UInt8], provider: AWSCredentialsProvider, time: Int64) throws {
        let credentials = try provider.credentials()
        let headers = request.headers.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingBlanks)
        }
        let added = SigV4.sign(
            method: "POST", url: request.url, headers: headers, body: body, credentials: credentials, region: provider.region, service: "aps",
            time: time)
        request.headers += added.map { "\($0.0): \($0.1)" }
    }
}

/// A destination that cannot be set up, or credentials that cannot be had: said in words.
package struct RemoteWriteSetupError: Error, CustomStringConvertible {
    /// What is wrong.
    package let description: String
}
