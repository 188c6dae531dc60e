import PromModel

/// A bearer token for the `Authorization` header: given inline, or read from a file at
/// every use (bound service-account tokens rotate hourly; Prometheus re-reads
/// `credentials_file` too). The one home of that behaviour for scrapes, Alertmanager, the
/// Kubernetes API and `ctlmon check URL`: a file that cannot be read, or that holds only
/// blanks, is a ``HTTPFailureReason/credentials`` failure naming the file, and no request
/// is ever sent with an empty token.
package enum BearerToken: Sendable, Hashable {
    case inline(String)
    case file(String)

    /// Largest token file read: a token is a few kilobytes; a device or a log file is not.
    package static let maxFileBytes = 64 << 10

    /// The token, trimmed of surrounding blanks and newlines.
    package func token() throws(HTTPFailure) -> String {
        let text: String
        switch self {
        case .inline(let t):
            text = t
        case .file(let path):
            let data: [UInt8]
            do {
                data = try FileContents.read(path, limit: Self.maxFileBytes)
            } catch .tooLarge {
                throw HTTPFailure(reason: .credentials, message: "the bearer token file \(path) is larger than \(Self.maxFileBytes) bytes")
            } catch {
                throw HTTPFailure(reason: .credentials, message: "cannot read the bearer token file \(path)")
            }
            text = String(decoding: data, as: UTF8.self)
        }
        let token = text.trimmingWhitespace()
        guard !token.isEmpty else {
            switch self {
            case .inline: throw HTTPFailure(reason: .credentials, message: "the bearer token is empty")
            case .file(let path): throw HTTPFailure(reason: .credentials, message: "the bearer token file \(path) is empty")
            }
        }
        guard !token.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            throw HTTPFailure(reason: .credentials, message: "the bearer token\(fileSuffix) spans several lines")
        }
        return token
    }

    /// The header line: `Authorization: Bearer TOKEN`.
    package func header() throws(HTTPFailure) -> String { "Authorization: Bearer \(try token())" }

    private var fileSuffix: String {
        if case .file(let path) = self { return " file \(path)" }
        return ""
    }
}
