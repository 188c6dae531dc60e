import CtlmonTestSupport
import Foundation
import PromModel
import Testing

/// `ctlmon check --format html`: one self-contained page, the same verdict as the text.
@Suite("ctlmon check --format html")
struct CheckHTMLTests {
    static let webhooks = Command.fixture("synthetic/apiserver-1.35-with-webhooks.txt.gz")

    /// The page's inline style block.
    static func style(_ html: String) throws -> String {
        let start = try #require(html.range(of: "<style>"))
        let end = try #require(html.range(of: "</style>"))
        return String(html[start.upperBound..<end.lowerBound])
    }

    @Test("the page has the text's sections and verdict, and nothing that loads: no script, no URL, the CSP naming its one style by hash")
    func selfContained() throws {
        let html = try Command.check([Self.webhooks, "--format", "html"])
        let text = try Command.check([Self.webhooks, "--color", "never"])
        #expect(html.status == 1 && text.status == 1)
        let page = html.stdout
        #expect(page.hasPrefix("<!doctype html>"))
        for section in ["API server", "Admission webhooks", "etcd", "Alerts"] { #expect(page.contains(">\(section)</h2>")) }
        // The same alerts, graded in words (never colour alone).
        #expect(page.contains("✖ critical: 5 would fire"))
        for name in ["namespace.sidecar-injector.istio.io", "validate.kyverno.svc-fail", "validation.gatekeeper.sh"] {
            #expect(page.contains(name) && text.stdout.contains(name))
        }
        // The one href is the empty data: icon (else the browser asks for /favicon.ico).
        #expect(!page.contains("<script") && !page.contains("src=") && !page.contains("url("))
        #expect(page.components(separatedBy: "href=").count - 1 == 1 && page.contains("<link rel=\"icon\" href=\"data:,\">"))
        #expect(!page.contains("http://") && !page.contains("https://"))
        // The style block is the only thing the policy allows, by its SHA-256.
        let hash = SHA256.hash(Array(try Self.style(page).utf8)).base64
        #expect(page.contains("content=\"default-src 'none'; style-src 'sha256-\(hash)'"))
        #expect(!page.contains(" style=\""))
        // Every chart has an accessible title.
        let charts = page.components(separatedBy: "<svg ").count - 1
        #expect(charts >= 4)
        #expect(page.components(separatedBy: "<svg role=\"img\" aria-label=\"").count - 1 == charts)
        #expect(page.components(separatedBy: "<title>").count - 1 == charts + 1)
        #expect(page.utf8.count <= 100_000, "page weight \(page.utf8.count) bytes")
    }

    @Test("a label value <script>alert(1)</script> shows as text: escaped in the webhook table and the alert")
    func labelValuesAreEscaped() throws {
        let folder = try Components.temporaryFolder("html-escape")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let evil = "<script>alert(1)</script>\"'&"
        var scrape = "# TYPE apiserver_admission_webhook_rejection_count counter\n"
        scrape += "apiserver_admission_webhook_rejection_count{error_type=\"calling_webhook_error\",name=\"\(evil.replacingOccurrences(of: "\"", with: "\\\""))\",operation=\"CREATE\",rejection_code=\"0\",type=\"validating\"} 5\n"
        scrape += "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds 1799990000\n"
        try scrape.write(toFile: folder + "/scrape.txt", atomically: true, encoding: .utf8)
        let r = try Command.check([folder + "/scrape.txt", "--format", "html"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(!r.stdout.contains("<script>"))
        #expect(r.stdout.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"))
        #expect(r.stdout.contains("KubeAdmissionWebhookFailing"))
    }

    @Test("--output writes the page to the file, whole, and nothing to standard output; an unwritable path is bad input")
    func outputFile() throws {
        let folder = try Components.temporaryFolder("html-output")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let r = try Command.check([Self.webhooks, "--format", "html", "--output", folder + "/report.html"])
        #expect(r.status == 1 && r.stdout.isEmpty)
        let written = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(written.hasPrefix("<!doctype html>") && written.hasSuffix("</html>\n"))
        let bad = try Command.check([Self.webhooks, "--format", "html", "--output", folder + "/no/such/folder/report.html"])
        #expect(bad.status == 2 && bad.stderr.contains("--output"))
    }
}
