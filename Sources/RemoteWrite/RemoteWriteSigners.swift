import HTTPClient

/// The request signers of the `remote_write` destinations that need one (`sigv4`), by name.
package enum RemoteWriteSigners {
    /// A signer per destination with `sigv4`; throws when one cannot be made.
    package static func make(_ configs: [RemoteWriteConfig]) throws -> [String: @Sendable (inout HTTPRequest, [UInt8]) throws -> Void] {
        for c in configs where c.sigv4 != nil {
            throw RemoteWriteSetupError(description: "\(c.name): sigv4 is not implemented yet")
        }
        return [:]
    }
}

/// A destination that cannot be set up: said in words.
package struct RemoteWriteSetupError: Error, CustomStringConvertible {
    /// What is wrong.
    package let description: String
}
