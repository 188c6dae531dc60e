import CtlmonTestSupport
import Foundation
import HTTPClient
import Testing

/// Credentials from files: one behaviour for every client — read at each use, a clear
/// error when unreadable, never an empty token sent.
@Suite("bearer tokens")
struct BearerTokenTests {
    @Test("a token file is read again at every use: a rotated token is the next one sent")
    func rereadEachUse() throws {
        let folder = try Components.temporaryFolder("token")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/token"
        try "first\n".write(toFile: path, atomically: true, encoding: .utf8)
        let token = BearerToken.file(path)
        #expect(try token.header() == "Authorization: Bearer first")
        try "  second  \n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try token.token() == "second")
    }

    @Test("unreadable, empty or multi-line: a credentials failure naming the file, never an empty token", arguments: [
        ("missing", "cannot read the bearer token file"), ("empty", "is empty"), ("blank", "is empty"),
        ("lines", "spans several lines"), ("folder", "cannot read the bearer token file"),
    ])
    func badFiles(_ kind: String, _ words: String) throws {
        let folder = try Components.temporaryFolder("token")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + kind
        switch kind {
        case "empty": try "".write(toFile: path, atomically: true, encoding: .utf8)
        case "blank": try " \n\t\n".write(toFile: path, atomically: true, encoding: .utf8)
        case "lines": try "a\nb\n".write(toFile: path, atomically: true, encoding: .utf8)
        case "folder": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        default: break
        }
        do {
            let header = try BearerToken.file(path).header()
            Issue.record("\(kind): a header was made: \(header)")
        } catch {
            #expect(error.reason == .credentials)
            #expect(error.message.contains(words) && error.message.contains(path), "\(error.message)")
        }
    }

    @Test("an empty inline token is refused too")
    func emptyInline() {
        #expect(throws: HTTPFailure.self) { try BearerToken.inline("  ").token() }
        #expect((try? BearerToken.inline(" abc ").token()) == "abc")
    }
}

/// One mapping of statuses to failures, and which failures are worth retrying.
@Suite("HTTP failures")
struct HTTPFailureTests {
    @Test("statuses map to reasons, worded as Prometheus words them", arguments: [
        (500, HTTPFailureReason.http5xx), (503, .http5xx), (400, .http4xx), (403, .http4xx), (429, .http4xx), (301, .other), (0, .other),
    ])
    func statuses(_ status: Int, _ reason: HTTPFailureReason) {
        let f = HTTPFailure.status(status)
        #expect(f.reason == reason)
        #expect(f.status == (status == 0 ? nil : status))
        #expect(status == 0 ? f.message == "no response" : f.message == "server returned HTTP status \(status)")
    }

    @Test("a rejection is a 4xx other than 429: what a queue drops; 5xx, 429, redirects, transport and credential failures are not")
    func rejections() {
        #expect(HTTPFailure.status(400).isRejection)
        #expect(HTTPFailure.status(404).isRejection)
        #expect(!HTTPFailure.status(429).isRejection)
        #expect(!HTTPFailure.status(500).isRejection)
        #expect(!HTTPFailure.status(302).isRejection && HTTPFailure.status(302).reason == .other && HTTPFailure.status(302).status == 302)
        #expect(!HTTPFailure(reason: .connectionRefused, message: "x").isRejection)
        #expect(!HTTPFailure(reason: .credentials, message: "x").isRejection)
    }
}
