import Foundation
import PromModel
import Testing

/// The Foundation-free replacements: each gives what the Foundation call it replaced gave.
@Suite("system functions without Foundation")
struct SystemFunctionsTests {
    @Test("CFormat gives String(format:)'s output for every conversion ctlmon uses, also for huge values")
    func cFormatMatchesFoundation() {
        let values: [Double] = [0, -0.0, 1, 0.5, 2.675, 1234.5678, 1e-7, 6.02e23, -3.25, 1e308, .pi]
        for v in values {
            for f in ["%.2f", "%.1f", "%.2g", "%.4g", "%.6f", "%.6e", "%.3E", "%.2fs", "%.2f%%", "%.12g"] {
                #expect(CFormat.double(f, v) == String(format: f, v), "\(f) \(v)")
            }
        }
        #expect(CFormat.double("%.2f", 1e308).count == 312)
    }

    @Test("trimming as trimmingCharacters(in:) with .whitespacesAndNewlines and .whitespaces; padding never truncates")
    func trimmingAndPadding() {
        for s in ["  a b \n", "\t\r\nx", "", "   ", "é \u{00A0}", "a\n", "\n a \t\n"] {
            #expect(s.trimmingWhitespace() == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
            #expect(s.trimmingWhitespace(newlines: false) == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
        }
        #expect("Fail".padded(to: 6) == "Fail  " && "not configured".padded(to: 3) == "not configured")
    }

    @Test("percent-decoding as removingPercentEncoding (nil for a bad escape or bytes that are not UTF-8); forms turn + into a space")
    func percentDecoding() {
        for s in ["a%20b", "%E2%82%AC", "100%", "%zz", "%FF", "plain", "a+b", "%2B"] {
            #expect(PercentEncoding.decode(s) == s.removingPercentEncoding, "\(s)")
        }
        #expect(PercentEncoding.decodeFormValue("up+%3D%3D+1") == "up == 1")
        let query = "rate(x{job=\"a b\"}[5m]) / 2 ~é"
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        #expect(PercentEncoding.encode(query) == query.addingPercentEncoding(withAllowedCharacters: allowed))
        #expect(Hex.byte(0x0A) == "0a" && Hex.byte(0xAF, uppercase: true) == "AF")
    }

    @Test("paths as NSString's path methods split and join them")
    func paths() {
        for p in ["/etc/ctlmon/rules.yml", "rules.yml", "/rules.yml", "a/b/", "/", "a//b", ""] {
            #expect(FilePaths.directory(of: p) == (p as NSString).deletingLastPathComponent, "\(p)")
            #expect(FilePaths.lastComponent(of: p) == (p as NSString).lastPathComponent, "\(p)")
        }
        for (f, c) in [("/etc", "x.yml"), ("", "x.yml"), ("/", "x"), ("a/", "b")] {
            #expect(FilePaths.join(f, c) == (f as NSString).appendingPathComponent(c), "\(f) \(c)")
        }
    }

    @Test("paths cleaned as Go's filepath.Clean cleans them (its own test table's cases)", arguments: [
        ("", "."), ("abc", "abc"), ("abc/def", "abc/def"), (".", "."), ("..", ".."), ("../..", "../.."), ("../../abc", "../../abc"),
        ("/abc", "/abc"), ("/", "/"), ("abc/", "abc"), ("abc//def//ghi", "abc/def/ghi"), ("//abc", "/abc"), ("abc/./def", "abc/def"),
        ("/./abc/def", "/abc/def"), ("abc/.", "abc"), ("abc/def/ghi/../jkl", "abc/def/jkl"), ("abc/def/../ghi/../jkl", "abc/jkl"),
        ("abc/def/..", "abc"), ("abc/def/../..", "."), ("/abc/def/../..", "/"), ("abc/def/../../..", ".."), ("/abc/def/../../..", "/"),
        ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"), ("abc/./../def", "def"), ("abc//./../def", "def"), ("abc/../../././../def", "../../def"),
    ])
    func cleanPaths(_ path: String, _ cleaned: String) {
        #expect(FilePaths.clean(path) == cleaned)
    }

    @Test("whole files read within a limit: contents, a missing file, a folder, a file over the limit, /dev/zero")
    func fileContents() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-files-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/token"
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try FileContents.read(file, limit: 100) == Array("secret\n".utf8))
        #expect(throws: FileContents.Failure.tooLarge(limit: 6)) { try FileContents.read(file, limit: 6) }
        #expect(throws: FileContents.Failure.noSuchFile) { try FileContents.read(dir + "/nope", limit: 100) }
        #expect(throws: FileContents.Failure.isDirectory) { try FileContents.read(dir, limit: 100) }
        #expect(throws: FileContents.Failure.tooLarge(limit: 1 << 20)) { try FileContents.read("/dev/zero", limit: 1 << 20) }
    }

    @Test("a detached thread runs its body, under its name")
    func detachedThread() async {
        let name = await withCheckedContinuation { (done: CheckedContinuation<String, Never>) in
            DetachedThread.start(name: "ctlmon-test-thread-long-name") {
                // The kernel's name of the calling thread.
                let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
                done.resume(returning: comm.trimmingCharacters(in: .newlines))
            }
        }
        #expect(name == "ctlmon-test-thr")
    }
}
