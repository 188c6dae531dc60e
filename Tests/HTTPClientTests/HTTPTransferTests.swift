import Workers
import CtlmonTestSupport
import Foundation
import HTTPClient
import Testing

/// Exchanges with real servers on 127.0.0.1 (scripts/fake-target.py, scripts/fake-alertmanager.py).
@Suite("HTTP transfers")
struct HTTPTransferTests {
    static let fixture = Fixture.path("apiserver/nri-kubernetes-v1.16.txt.gz")

    @Test("a GET streams the body; the bearer token is read from its file and sent; without it, 401")
    func getWithToken() throws {
        let folder = try Components.temporaryFolder("http")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "s3cret\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        let (server, address) = try Components.fakeTarget(Self.fixture, ["--token-file", folder + "/token"])
        defer { server.stop() }
        let transfer = HTTPTransfer()
        var request = HTTPRequest(url: "http://\(address)/metrics")
        request.bearerToken = .file(folder + "/token")
        var bytes = 0
        let ok = try transfer.perform(request) { bytes += $0.count }
        #expect(ok.status == 200 && bytes > 100_000)
        // The same handle again, without the token: the header of the last exchange is gone.
        request.bearerToken = nil
        let refused = try transfer.perform(request) { _ in }
        #expect(refused.status == 401)
        // A token file that cannot be read: nothing is sent.
        let before = try HTTP.get("http://\(address)/-/requests").1
        request.bearerToken = .file(folder + "/missing")
        #expect(throws: HTTPFailure.self) { try transfer.perform(request) { _ in } }
        #expect(try HTTP.get("http://\(address)/-/requests").1 == before)
    }

    @Test("cancel aborts a transfer in flight at once, whatever its timeout; the handle stays canceled")
    func cancelAborts() throws {
        let (server, address) = try Components.fakeTarget(Self.fixture)
        defer { server.stop() }
        _ = try HTTP.get("http://\(address)/-/fault?mode=hang")
        let cancellation = TransferCancellation()
        var hanging = HTTPRequest(url: "http://\(address)/metrics")
        hanging.timeout = 3600  // only the cancel can end it
        let request = hanging
        let outcome = Locked<HTTPFailure?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            do {
                try HTTPTransfer(cancellation: cancellation).perform(request) { _ in }
            } catch let f as HTTPFailure {
                outcome.withLock { $0 = f }
            } catch {}
            done.signal()
        }.start()
        // Wait until the server has the request, then cancel from this thread.
        #expect(Deadline.wait(upTo: 60) { (try? HTTP.get("http://\(address)/-/requests").1.hasPrefix("1 ")) == true })
        cancellation.cancel()
        #expect(done.wait(timeout: .now() + 60) == .success, "the transfer did not end")
        #expect(outcome.withLock { $0 }?.reason == .canceled)
        #expect(throws: HTTPFailure.self) { try HTTPTransfer(cancellation: cancellation).perform(request) { _ in } }
    }

    @Test("a POST delivers its body and content type; the status comes back")
    func post() throws {
        let (am, address) = try Components.fakeAlertmanager()
        defer { am.stop() }
        var request = HTTPRequest(url: "http://\(address)/api/v2/alerts")
        let body = #"[{"labels":{"alertname":"A"}}]"#
        // The content type goes out as the header: the fake Alertmanager, as the real one,
        // answers 415 to anything but application/json.
        request.method = .post(body: Array(body.utf8), contentType: "application/json")
        let transfer = HTTPTransfer()
        #expect(try transfer.perform(request) { _ in }.status == 200)
        let posts = try HTTP.json("http://\(address)/-/posts") as? [[String: Any]]
        let alerts = posts?.first?["alerts"] as? [[String: Any]]
        #expect((alerts?.first?["labels"] as? [String: String])?["alertname"] == "A")
        _ = try HTTP.get("http://\(address)/-/fail?on=1&status=400")
        #expect(try transfer.perform(request) { _ in }.status == 400)
    }

    @Test("a closed port is connection refused")
    func refused() {
        var request = HTTPRequest(url: "http://127.0.0.1:\(freePort())/")
        request.timeout = 60
        do {
            try HTTPTransfer().perform(request) { _ in }
            Issue.record("no failure")
        } catch let f as HTTPFailure {
            #expect(f.reason == .connectionRefused)
        } catch {
            Issue.record("\(error)")
        }
    }
}
