import ConfigYAML
import Foundation
import Testing

/// File patterns as Go's `path/filepath` reads them: `rule_files` must find exactly the
/// files Prometheus and promtool find.
@Suite("file globs")
struct FileGlobTests {
    /// Go's own `filepath.Match` cases (src/path/filepath/match_test.go): pattern, name, match,
    /// bad pattern.
    static let goCases: [(String, String, Bool, Bool)] = [
        ("abc", "abc", true, false), ("*", "abc", true, false), ("*c", "abc", true, false), ("a*", "a", true, false),
        ("a*", "abc", true, false), ("a*", "ab/c", false, false), ("a*/b", "abc/b", true, false), ("a*/b", "a/c/b", false, false),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", true, false), ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false), ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false),
        ("a*b?c*x", "abxbbxdbxebxczzx", true, false), ("a*b?c*x", "abxbbxdbxebxczzy", false, false),
        ("ab[c]", "abc", true, false), ("ab[b-d]", "abc", true, false), ("ab[e-g]", "abc", false, false),
        ("ab[^c]", "abc", false, false), ("ab[^b-d]", "abc", false, false), ("ab[^e-g]", "abc", true, false),
        ("a\\*b", "a*b", true, false), ("a\\*b", "ab", false, false), ("a?b", "a☺b", true, false),
        ("a[^a]b", "a☺b", true, false), ("a???b", "a☺b", false, false), ("a[^a][^a][^a]b", "a☺b", false, false),
        ("[a-ζ]*", "α", true, false), ("*[a-ζ]", "A", false, false), ("a?b", "a/b", false, false), ("a*b", "a/b", false, false),
        ("[\\]a]", "]", true, false), ("[\\-]", "-", true, false), ("[x\\-]", "x", true, false), ("[x\\-]", "-", true, false),
        ("[x\\-]", "z", false, false), ("[\\-x]", "x", true, false), ("[\\-x]", "-", true, false), ("[\\-x]", "a", false, false),
        ("[]a]", "]", false, true), ("[-]", "-", false, true), ("[x-]", "x", false, true), ("[x-]", "-", false, true),
        ("[x-]", "z", false, true), ("[-x]", "x", false, true), ("[-x]", "-", false, true), ("[-x]", "a", false, true),
        ("\\", "a", false, true), ("[a-b-c]", "a", false, true), ("[", "a", false, true), ("[^", "a", false, true),
        ("[^bc", "a", false, true), ("a[", "a", false, true), ("a[", "ab", false, true), ("a[", "x", false, true),
        ("a/b[", "x", false, true), ("*x", "xxx", true, false),
    ]

    @Test("filepath.Match's own table: every match, every miss, every bad pattern")
    func goMatchTable() {
        for (pattern, name, match, bad) in Self.goCases {
            do {
                let got = try FileGlob.matches(pattern, name)
                #expect(!bad, "\(pattern) ~ \(name): no error, expected ErrBadPattern")
                #expect(got == match, "\(pattern) ~ \(name)")
            } catch {
                #expect(bad, "\(pattern) ~ \(name): \(error)")
            }
        }
    }

    @Test("expand: files of a folder by pattern, sorted; a folder part with a pattern; a literal path only when it exists")
    func expand() throws {
        let root = NSTemporaryDirectory() + "ctlmon-glob-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for f in ["rules/b.yaml", "rules/a.yaml", "rules/c.yml", "rules/x.txt", "more/d.yaml", "more/sub/e.yaml"] {
            try FileManager.default.createDirectory(atPath: (root + "/" + f as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "groups: []\n".write(toFile: root + "/" + f, atomically: true, encoding: .utf8)
        }
        #expect(try FileGlob.expand(root + "/rules/*.yaml") == [root + "/rules/a.yaml", root + "/rules/b.yaml"])
        #expect(try FileGlob.expand(root + "/rules/*.y*ml") == [root + "/rules/a.yaml", root + "/rules/b.yaml", root + "/rules/c.yml"])
        #expect(try FileGlob.expand(root + "/*/*.yaml") == [root + "/more/d.yaml", root + "/rules/a.yaml", root + "/rules/b.yaml"])
        #expect(try FileGlob.expand(root + "/rules/[ab].yaml") == [root + "/rules/a.yaml", root + "/rules/b.yaml"])
        #expect(try FileGlob.expand(root + "/rules/a.yaml") == [root + "/rules/a.yaml"])
        #expect(try FileGlob.expand(root + "/rules/z.yaml").isEmpty)
        #expect(try FileGlob.expand(root + "/nothing/*.yaml").isEmpty)
        #expect(throws: FileGlob.BadPattern.self) { try FileGlob.expand(root + "/rules/[") }
    }
}
