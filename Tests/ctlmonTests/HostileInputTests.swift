import Foundation
import Testing

/// The hostile-input catalogue: for every input surface (a scrape on stdin or in a file, a
/// rule file, a test file, a template, an expression) each input has a documented result,
/// a clear error or a bounded answer, and never a crash, a hang or unbounded memory.
/// Every case runs the real executable with a timeout; docs/limits.md lists them.
@Suite("hostile inputs")
struct HostileInputTests {
    /// What a case must give: an exit status, and text stdout or stderr must contain.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: [String]
        var stdin: [UInt8] = []
        var files: [String: [UInt8]] = [:]
        var status: Int32
        var expect: String
        var testDescription: String { name }
    }

    /// Runs a case in a folder of its own (its files written there first); `@` in an
    /// argument names that folder.
    static func run(_ c: Case) throws -> CommandResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctlmon-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, bytes) in c.files {
            try Data(bytes).write(to: dir.appendingPathComponent(name))
        }
        let args = c.arguments.map { $0.replacingOccurrences(of: "@", with: dir.path + "/") }
        return try Command.run("ctlmon", args, stdin: Data(c.stdin), timeout: 30)
    }

    static func check(_ c: Case) throws {
        let r = try run(c)
        #expect(!r.timedOut, "\(c.name): hung")
        #expect(!r.signalled, "\(c.name): crashed: \(r.stderr.suffix(500))")
        #expect(r.status == c.status, "\(c.name): exit \(r.status): \(r.stderr.suffix(500))")
        #expect((r.stdout + r.stderr).contains(c.expect), "\(c.name): \(r.stdout.suffix(300)) \(r.stderr.suffix(500))")
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    static let time = ["--time", "1800000000"]
    static let scrape = "process_start_time_seconds 1.7e9\napiserver_request_total{code=\"200\"} 5\n"
    static let noise: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
    static let notControlPlane = "does not look like a kube-apiserver or etcd /metrics scrape"

    static let scrapes: [Case] = [
        Case(name: "empty stdin", arguments: ["check", "-"] + time, status: 2, expect: notControlPlane),
        Case(name: "binary noise", arguments: ["check", "-"] + time, stdin: noise, status: 2, expect: "<stdin>:1:"),
        Case(name: "invalid UTF-8 in a label value", arguments: ["check", "-"] + time,
             stdin: bytes("apiserver_request_total{code=\"") + [0xFF, 0xFE] + bytes("\"} 1\n"), status: 2, expect: "invalid UTF-8"),
        Case(name: "NUL in a label value", arguments: ["check", "-"] + time,
             stdin: bytes("apiserver_request_total{code=\"a") + [0] + bytes("\"} 1\n"), status: 2, expect: "NUL byte"),
        Case(name: "a 2 MiB line", arguments: ["check", "-"] + time,
             stdin: bytes("apiserver_request_total{code=\"" + String(repeating: "a", count: 2 << 20) + "\"} 1\n"),
             status: 2, expect: "longer than the limit"),
        Case(name: "a file that is a folder", arguments: ["check", "@"] + time, status: 2, expect: "Is a directory"),
        Case(name: "a missing file", arguments: ["check", "@nosuch.txt"] + time, status: 2, expect: "cannot open"),
        Case(name: "NaN and infinities everywhere", arguments: ["check", "-"] + time,
             stdin: bytes("process_start_time_seconds NaN\napiserver_request_total{code=\"500\"} +Inf\n"
                 + "apiserver_request_duration_seconds_bucket{verb=\"GET\",scope=\"resource\",le=\"1\"} NaN\n"
                 + "apiserver_request_duration_seconds_bucket{verb=\"GET\",scope=\"resource\",le=\"+Inf\"} -Inf\n"
                 + "apiserver_storage_size_bytes{storage_cluster_id=\"x\"} NaN\netcd_server_quota_backend_bytes -Inf\n"),
             status: 0, expect: "process_start_time_seconds NaN is not a plausible time"),
        Case(name: "a latency bucket le=1e19 (humanizeDuration of 1e19)", arguments: ["check", "-"] + time,
             stdin: bytes("process_start_time_seconds 1.7e9\n"
                 + "apiserver_request_duration_seconds_bucket{verb=\"GET\",scope=\"resource\",le=\"1e19\"} 10\n"
                 + "apiserver_request_duration_seconds_bucket{verb=\"GET\",scope=\"resource\",le=\"+Inf\"} 10\n"),
             status: 1, expect: "-106751991167300d -15h -30m -8s"),
        Case(name: "process_start_time_seconds 1e16", arguments: ["check", "-"] + time,
             stdin: bytes("process_start_time_seconds 1e16\napiserver_request_total{code=\"200\"} 5\n"), status: 0,
             expect: "process_start_time_seconds 1E+16 is not a plausible time; 1h assumed"),
        Case(name: "process_start_time_seconds 0", arguments: ["check", "-"] + time,
             stdin: bytes("process_start_time_seconds 0\napiserver_request_total{code=\"200\"} 5\n"), status: 0,
             expect: "not a plausible time; 1h assumed"),
        Case(name: "process_start_time_seconds negative", arguments: ["check", "-"] + time,
             stdin: bytes("process_start_time_seconds -5\napiserver_request_total{code=\"200\"} 5\n"), status: 0,
             expect: "not a plausible time; 1h assumed"),
        Case(name: "process_start_time_seconds in the future", arguments: ["check", "-"] + time,
             stdin: bytes("process_start_time_seconds 1.9e9\napiserver_request_total{code=\"200\"} 5\n"), status: 2,
             expect: "after the scrape time"),
        Case(name: "a sample timestamp near Int64.min", arguments: ["check", "-"],
             stdin: bytes("apiserver_request_total{code=\"200\"} 1 -9223372036854775000\n"), status: 2,
             expect: "not a plausible time"),
        Case(name: "a sample timestamp far in the future", arguments: ["check", "-"],
             stdin: bytes("apiserver_request_total{code=\"200\"} 1 9223372036854775000\n"), status: 2,
             expect: "not a plausible time"),
        Case(name: "a sample timestamp of 0 (1970) before the process start", arguments: ["check", "-"],
             stdin: bytes("process_start_time_seconds 1.7e9\napiserver_request_total{code=\"200\"} 1 0\n"), status: 2,
             expect: "after the scrape time"),
        Case(name: "one line repeated: duplicates dropped and counted", arguments: ["check", "-"] + time,
             stdin: bytes("process_start_time_seconds 1.7e9\n" + String(repeating: "apiserver_request_total{code=\"200\"} 5\n", count: 20_000)),
             status: 0, expect: "19,999 duplicate sample(s)"),
        Case(name: "more samples than --sample-limit", arguments: ["check", "-", "--sample-limit", "1000"] + time,
             stdin: bytes("process_start_time_seconds 1.7e9\n"
                 + (0..<50_000).map { "apiserver_request_total{code=\"200\",resource=\"r\($0)\"} 1\n" }.joined()),
             status: 2, expect: "more than 1000 samples of the families the rules and the report read"),
        Case(name: "escape sequences in label values reach the terminal escaped", arguments: ["check", "-", "--color", "never"] + time,
             stdin: bytes(scrape + "apiserver_storage_objects{resource=\"\u{1B}]0;pwned\u{07}\u{1B}[2J\"} 5\n"), status: 0,
             expect: "\\x1b]0;pwned\\a\\x1b[2J 5"),
        Case(name: "--time NaN", arguments: ["check", "-", "--time", "nan"], stdin: bytes(scrape), status: 2, expect: "--time: cannot parse \"nan\" to a valid timestamp"),
        Case(name: "--baseline-time NaN", arguments: ["check", "@s.txt", "--baseline", "@s.txt", "--baseline-time", "nan"] + time,
             files: ["s.txt": bytes(scrape)], status: 2, expect: "--baseline-time: cannot parse \"nan\" to a valid timestamp: not a finite number"),
        Case(name: "a usage error exits 2", arguments: ["check", "--no-such-flag"], status: 2, expect: "Unknown option"),
    ]

    @Test("scrapes: each hostile scrape gives its documented answer or error", arguments: scrapes)
    func scrape(_ c: Case) throws { try Self.check(c) }

    static let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
    /// A 64 KiB label value doubled `times` times by label_replace (before the bound: 12 GB and
    /// a crash after 96 s, past the 4 GiB a label set can hold).
    static func doubled(_ times: Int) -> String {
        var e = "label_replace(vector(1), \"a\", \"" + String(repeating: "x", count: 65_536) + "\", \"\", \"\")"
        for _ in 0..<times { e = "label_replace(" + e + ", \"a\", \"$1$1\", \"a\", \"(.*)\")" }
        return e
    }
    static let expressions: [Case] = [
        Case(name: "a label value doubled 16 times from 64 KiB", arguments: ["query", doubled(16), "-", "--format", "json"] + time,
             status: 2, expect: "label_replace(): the value of a would be longer than 1048576 bytes"),
        Case(name: "a label value doubled 4 times from 64 KiB (1 MiB) is built", arguments: ["query", "count(" + doubled(4) + ")", "-"] + time,
             status: 0, expect: "{} 1"),
        Case(name: "label_join of 20 copies of a 64 KiB value", arguments: ["query", "label_join(" + doubled(0) + ", \"b\", \"-\""
                 + String(repeating: ", \"a\"", count: 20) + ")", "-"] + time,
             status: 2, expect: "label_join(): the value of b would be longer than 1048576 bytes"),
        Case(name: "a $1 repeated 100 times over 64 KiB is refused before it is built",
             arguments: ["query", "label_replace(" + doubled(0) + ", \"b\", \"" + String(repeating: "$1", count: 100) + "\", \"a\", \"(.*)\")", "-"] + time,
             status: 2, expect: "label_replace(): the value of b would be longer than 1048576 bytes"),
        Case(name: "label_replace setting 40 labels of 512 KiB", arguments: ["query", (0..<40).reduce(doubled(3)) { e, k in
                 "label_replace(" + e + ", \"l\(k)\", \"$1\", \"a\", \"(.*)\")" }, "-"] + time,
             status: 2, expect: "label_replace(): the labels would be larger than 16777216 bytes"),
        Case(name: "10,000 parentheses", arguments: ["query", deep, "-"] + time, status: 2, expect: "nested more than 256 levels deep"),
        Case(name: "10,000 nested abs()", arguments: ["query", String(repeating: "abs(", count: 10_000) + "x" + String(repeating: ")", count: 10_000), "-"] + time,
             status: 2, expect: "nested more than 256 levels deep"),
        Case(name: "60,000 unary minus", arguments: ["query", String(repeating: "-", count: 60_000) + "1", "-"] + time,
             status: 2, expect: "nested more than 256 levels deep"),
        Case(name: "a chain of 1,000 additions", arguments: ["query", Array(repeating: "1", count: 1_000).joined(separator: "+"), "-"] + time,
             status: 2, expect: "nested more than 256 levels deep"),
        Case(name: "a chain of 60,000 additions", arguments: ["query", Array(repeating: "1", count: 60_000).joined(separator: "+"), "-"] + time,
             status: 2, expect: "1:100000: expression longer than 100000 tokens"),
        Case(name: "250 nested parentheses and calls are fine", arguments: ["query", String(repeating: "abs((", count: 125) + "vector(7)" + String(repeating: "))", count: 125), "-"] + time,
             status: 0, expect: "7"),
        Case(name: "an expression starting with -", arguments: ["query", "-1", "-"] + time, status: 0, expect: "-1"),
        Case(name: "exponential-backtracking regex against a 64 KiB label value",
             arguments: ["query", "x{v=~\"(a+)+b\"} or x{v=~\"(a|a)*b\"} or x{v=~\"(a*)*b\"} or vector(42)", "-"] + time,
             stdin: bytes("x{v=\"" + String(repeating: "a", count: 65_000) + "\"} 1\n"), status: 0, expect: "{} 42"),
        Case(name: "a look-ahead is not RE2", arguments: ["query", "x{v=~\"(?=a)\"}", "-"] + time, status: 2, expect: "invalid regular expression"),
        Case(name: "a back-reference is not RE2", arguments: ["query", "x{v=~\"(a)\\\\1\"}", "-"] + time, status: 2, expect: "invalid regular expression"),
        Case(name: "topk(-1e19)", arguments: ["query", "topk(-1e19, x)", "-"] + time, stdin: bytes("x 1\n"), status: 2, expect: "overflows int64"),
        Case(name: "bottomk(1e19)", arguments: ["query", "bottomk(1e19, x)", "-"] + time, stdin: bytes("x 1\n"), status: 2, expect: "overflows int64"),
        Case(name: "a range of 100,000,000 years", arguments: ["query", "rate(x[100000000y])", "-"] + time, status: 2, expect: "duration out of range"),
        Case(name: "an offset of -9223372036854775807ms", arguments: ["query", "x offset -9223372036854775807ms", "-"] + time,
             status: 2, expect: "duration out of range"),
        Case(name: "a subquery [1y:1ms]", arguments: ["query", "max_over_time(x[1y:1ms])", "-"] + time, stdin: bytes("x 1\n"),
             status: 2, expect: "too many samples"),
        Case(name: "nested subqueries", arguments: ["query", "max_over_time(max_over_time(x[1d:1s])[1d:1s])", "-"] + time,
             stdin: bytes("x 1\n"), status: 2, expect: "too many samples"),
        Case(name: "a zero range", arguments: ["query", "x[0s]", "-"] + time, status: 2, expect: "duration must be greater than 0"),
        Case(name: "--interval of 100000000y", arguments: ["query", "x", "-", "--interval", "100000000y"] + time, status: 2,
             expect: "duration out of range"),
        Case(name: "--time NaN", arguments: ["query", "x", "-", "--time", "nan"], status: 2, expect: "--time: cannot parse \"nan\" to a valid timestamp"),
        Case(name: "escape sequences in label values are escaped in query's text output", arguments: ["query", "x", "-"] + time,
             stdin: bytes("x{v=\"\u{1B}[31mred\"} 1\n"), status: 0, expect: "x{v=\"\\x1b[31mred\"} 1"),
    ]

    @Test("expressions: deep, huge, exponential or out-of-range expressions give errors or answers", arguments: expressions)
    func expression(_ c: Case) throws { try Self.check(c) }

    static func rule(_ body: String) -> [String: [UInt8]] {
        ["r.yml": bytes("groups:\n- name: g\n  rules:\n" + body)]
    }

    static let ruleFiles: [Case] = [
        Case(name: "empty", arguments: ["rules", "check", "@r.yml"], files: ["r.yml": []], status: 0, expect: "SUCCESS: 0 rules"),
        Case(name: "binary noise", arguments: ["rules", "check", "@r.yml"], files: ["r.yml": noise], status: 2, expect: "r.yml"),
        Case(name: "invalid UTF-8", arguments: ["rules", "check", "@r.yml"], files: ["r.yml": bytes("groups:\n- name: \"") + [0xC3, 0x28] + bytes("\"\n")],
             status: 2, expect: "r.yml:2: invalid UTF-8"),
        Case(name: "a NUL byte", arguments: ["rules", "check", "@r.yml"], files: ["r.yml": bytes("groups: [") + [0] + bytes("]\n")],
             status: 2, expect: "r.yml"),
        Case(name: "100,000 nested brackets", arguments: ["rules", "check", "@r.yml"],
             files: ["r.yml": bytes(String(repeating: "[", count: 100_000))], status: 2, expect: "nested more than 1000 levels deep"),
        Case(name: "a billion laughs", arguments: ["rules", "check", "@r.yml"],
             files: ["r.yml": bytes(
                 "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                     + "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                     + "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\ngroups: *h\n")],
             status: 2, expect: "unknown key \"a\""),
        // Refused at the bound, before the rest is read: before, the whole expression was split
        // into tokens first (850 MB for 10 MB of parentheses), and each colon looked back for
        // its bracket (200,000 colons took 16 s).
        Case(name: "a 10 MB expression of parentheses", arguments: ["rules", "check", "@r.yml"],
             files: rule("  - record: r\n    expr: \"" + String(repeating: "(", count: 5_000_000) + "1" + String(repeating: ")", count: 5_000_000) + "\"\n"),
             status: 2, expect: "expr: 1:257: expression nested more than 256 levels deep"),
        Case(name: "a 10 MB chain of additions", arguments: ["rules", "check", "@r.yml"],
             files: rule("  - record: r\n    expr: \"" + String(repeating: "1+", count: 5_000_000) + "1\"\n"),
             status: 2, expect: "expr: 1:100000: expression longer than 100000 tokens"),
        Case(name: "90,000 colons in a subquery", arguments: ["rules", "check", "@r.yml"],
             files: rule("  - record: r\n    expr: \"x[" + String(repeating: ":", count: 90_000) + "]\"\n"),
             status: 2, expect: "expr: 1:3: unexpected \":\""),
        Case(name: "a file over 16 MiB", arguments: ["rules", "check", "@r.yml"],
             files: ["r.yml": bytes("# " + String(repeating: "x", count: 17 << 20) + "\n")], status: 2, expect: "larger than the limit"),
        Case(name: "/dev/zero", arguments: ["rules", "check", "/dev/zero"], status: 2, expect: "larger than the limit"),
        Case(name: "an empty folder", arguments: ["rules", "check", "@"], status: 2, expect: "no rule files"),
        Case(name: "a repeated key", arguments: ["rules", "check", "@r.yml"],
             files: rule("  - alert: A\n    expr: vector(1)\n    expr: vector(2)\n"), status: 2, expect: "r.yml:6: key \"expr\" is repeated"),
        Case(name: "a label value that is a list", arguments: ["rules", "check", "@r.yml"],
             files: rule("  - alert: A\n    expr: vector(1)\n    labels: {severity: [a, b]}\n"), status: 2, expect: "must be a string, found a list"),
        Case(name: "an unknown key", arguments: ["rules", "check", "@r.yml"],
             files: rule("  - alert: A\n    expr: vector(1)\n    severity: page\n"), status: 2, expect: "unknown key \"severity\""),
        Case(name: "a back-reference in a regex", arguments: ["rules", "check", "@r.yml"],
             files: rule("  - record: a\n    expr: up{a=~\"(a)\\\\1\"}\n"), status: 2, expect: "invalid regular expression"),
        Case(name: "for: 290000000y10000000000w", arguments: ["rules", "check", "@r.yml"],
             files: rule("  - alert: A\n    expr: vector(1)\n    for: 290000000y10000000000w\n"), status: 2, expect: "duration out of range"),
        Case(name: "a group interval of 0s", arguments: ["rules", "check", "@r.yml"],
             files: ["r.yml": bytes("groups:\n- name: g\n  interval: 0s\n  rules:\n  - record: a\n    expr: vector(1)\n")],
             status: 2, expect: "interval must be positive"),
        Case(name: "a template nested 200 parentheses deep", arguments: ["rules", "check", "@r.yml"],
             files: rule("  - alert: A\n    expr: vector(1)\n    annotations:\n      s: '{{ " + String(repeating: "(", count: 200) + "$value"
                 + String(repeating: ")", count: 200) + " }}'\n"), status: 2, expect: "nested more than 100 levels deep"),
    ]

    @Test("rule files: malformed, deep, huge or strange files give file:line errors", arguments: ruleFiles)
    func ruleFile(_ c: Case) throws { try Self.check(c) }

    static func testFile(_ evaluationInterval: String = "1m", interval: String = "1m", values: String = "1 2 3", evalTime: String = "2m") -> [String: [UInt8]] {
        ["t.yml": bytes("""
            evaluation_interval: \(evaluationInterval)
            tests:
            - interval: \(interval)
              input_series:
              - series: x
                values: '\(values)'
              promql_expr_test:
              - expr: x
                eval_time: \(evalTime)
                exp_samples: [{labels: 'x', value: 3}]

            """)]
    }

    static let testFiles: [Case] = [
        Case(name: "evaluation_interval 0s means one minute, as in promtool", arguments: ["rules", "test", "@t.yml"],
             files: testFile("0s"), status: 0, expect: "SUCCESS"),
        Case(name: "eval_time 100000000y", arguments: ["rules", "test", "@t.yml"], files: testFile(evalTime: "100000000y"),
             status: 1, expect: "duration out of range"),
        Case(name: "eval_time 290y with a rule to evaluate", arguments: ["rules", "test", "@t.yml"],
             files: ["t.yml": bytes("rule_files: [r.yml]\ntests:\n- interval: 1m\n  alert_rule_test:\n  - eval_time: 290y\n    alertname: A\n"),
                     "r.yml": bytes("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: vector(1)\n")],
             status: 1, expect: "more than 1000000 rule evaluations"),
        Case(name: "values 0+1x9223372036854775807", arguments: ["rules", "test", "@t.yml"],
             files: testFile(values: "1+1x9223372036854775807"), status: 0, expect: "SUCCESS"),
        Case(name: "interval: banana", arguments: ["rules", "test", "@t.yml"], files: testFile(interval: "banana"),
             status: 1, expect: "t.yml:3: interval: bad duration \"banana\""),
        Case(name: "eval_time: banana", arguments: ["rules", "test", "@t.yml"], files: testFile(evalTime: "banana"),
             status: 1, expect: "t.yml:9: eval_time: bad duration \"banana\""),
        Case(name: "interval: 0s", arguments: ["rules", "test", "@t.yml"], files: testFile(interval: "0s"),
             status: 1, expect: "interval must be positive"),
        Case(name: "an input interval of 1ms up to a year", arguments: ["rules", "test", "@t.yml"],
             files: testFile(interval: "1ms", evalTime: "1y"), status: 1, expect: "samples per input series"),
        Case(name: "an unknown key", arguments: ["rules", "test", "@t.yml"],
             files: ["t.yml": bytes("tests:\n- interval: 1m\n  input: []\n")], status: 1, expect: "unknown key \"input\""),
        Case(name: "a repeated key", arguments: ["rules", "test", "@t.yml"],
             files: ["t.yml": bytes("tests:\n- interval: 1m\n  interval: 2m\n")], status: 1, expect: "key \"interval\" is repeated"),
        Case(name: "binary noise", arguments: ["rules", "test", "@t.yml"], files: ["t.yml": noise], status: 1, expect: "FAILED"),
        Case(name: "100,000 nested braces", arguments: ["rules", "test", "@t.yml"],
             files: ["t.yml": bytes(String(repeating: "{", count: 100_000))], status: 1, expect: "nested more than 1000 levels deep"),
    ]

    @Test("test files: bad durations, zero or absurd intervals and huge counts are errors or bounded", arguments: testFiles)
    func testFile(_ c: Case) throws { try Self.check(c) }
}
