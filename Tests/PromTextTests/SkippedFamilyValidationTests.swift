import CtlmonTestSupport
import Foundation
import PromText
import Testing

/// A skipped family's lines are checked by a quick grammar check instead of the full decode;
/// the outcome must be the decode's own, error for error: same line, column and message, same
/// counts in lenient mode.
@Suite("skipped-family validation")
struct SkippedFamilyValidationTests {
    /// A filter that keeps no family: every sample line goes through the quick check.
    static let nothing = FamilyFilter(names: ["ctlmon_no_such_family"])

    /// The outcome of one input fully decoded and with every family skipped, side by side.
    static func bothPaths(_ input: [UInt8], mode: TextParser.Mode = .strict, chunks: [Int] = [Int.max]) -> (full: Outcome, skipped: Outcome) {
        let full = parse(input, chunks: chunks, options: .init(mode: mode, source: "s"), into: Digest())
        let skipped = parse(input, chunks: chunks, options: .init(mode: mode, source: "s", filter: nothing), into: Digest())
        return (full, skipped)
    }

    static func expectSame(_ input: [UInt8], _ what: String, mode: TextParser.Mode = .strict) {
        let (full, skipped) = bothPaths(input, mode: mode)
        #expect(full.failure?.description == skipped.failure?.description, "\(what)")
        #expect(full.errors.map(\.description) == skipped.errors.map(\.description), "\(what)")
        #expect(full.statistics.invalidLines == skipped.statistics.invalidLines, "\(what)")
        #expect(full.statistics.lines == skipped.statistics.lines, "\(what)")
        #expect(full.statistics.samples + full.statistics.filteredSamples == skipped.statistics.filteredSamples, "\(what)")
    }

    /// Good and bad sample lines covering every turn of the quick check, and every 0.0.4
    /// sample error the parser words.
    static let lines: [String] = [
        "a 1", "a  1", "a\t1", "a 1 2", "a 1 -2", "a 1 +2", "a 1\t2 ", "a 1\r", "a 1 2\r", "a 1\rx", "a 1 2 3", "a 1 x",
        "a -1.5e-3", "a +.5", "a 1.", "a .", "a 1e", "a 1e+", "a 1e400", "a 1e-400", "a 1E5", "a 0x1p-3", "a 1x", "a 1_0",
        "a 123456789012345678", "a 1234567890123456789", "a 0.000000000000000001", "a 1e99", "a 1e100",
        "a NaN", "a +Inf", "a -Inf", "a inf", "a Infinity", "a nan", "a +NaN", "a -", "a +",
        "a 1 99999999999999999999", "a 1 999999999999999999", "a 1 -", "a 1 1.5", "a 1 # {x=\"y\"} 1",
        "a", "a ", "a{}", "a{} 1", "a {} 1", "a{x=\"1\"} 1", "a{x=\"1\"}1", "a{x=\"1\",} 1", "a{ x = \"1\" , } 1",
        "a{x=\"1\",,y=\"2\"} 1", "a{,} 1", "a{x=1} 1", "a{x} 1", "a{x=\"1\" y=\"2\"} 1", "a{x=\"1\"", "a{x=\"1", "a{x=\"1\\",
        "a{x=\"a\\\"b\\\\c\\nd\"} 1", "a{x=\"\\q\"} 1", "a{x=\"é€𝄞\"} 1", "a{x=\"\u{1}\"} 1",
        "a{x=\"1\",x=\"2\"} 1", "a{x=\"1\",y=\"2\",x=\"3\"} 1", "a{1x=\"1\"} 1", "a{_x=\"1\"} 1", "a{x:y=\"1\"} 1",
        "a-b 1", "{x=\"1\"} 1", "a{x=\"1\"} ", "a{x=\"1\"}", "a{x=\"1\"} 1 2 # c", "a 1 2 ", "a\t{x=\"1\"}\t1\t2",
    ]

    @Test("every line of the catalogue: the same error, or none, on both paths, in strict and lenient mode")
    func catalogue() {
        for line in Self.lines {
            Self.expectSame(Array((line + "\n").utf8), line)
            Self.expectSame(Array((line + "\n").utf8), line, mode: .lenient)
        }
        // All of them in one input, lenient: the same lines counted bad, the same first errors kept.
        Self.expectSame(Array((Self.lines.joined(separator: "\n") + "\n").utf8), "all", mode: .lenient)
    }

    @Test("invalid UTF-8, NUL bytes and limits in a skipped line: the decode's errors")
    func bytesAndLimits() {
        Self.expectSame([UInt8]("a{x=\"".utf8) + [0xC3, 0x28] + [UInt8]("\"} 1\n".utf8), "invalid UTF-8")
        Self.expectSame([UInt8]("a{x=\"".utf8) + [0] + [UInt8]("\"} 1\n".utf8), "NUL")
        Self.expectSame([UInt8]("a{x=\"\\".utf8) + [0xC3, 0xA9] + [UInt8]("\"} 1\n".utf8), "escaped multi-byte")
        Self.expectSame(Array(("a{" + String(repeating: "n", count: 2000) + "=\"1\"} 1\n").utf8), "long name")
        Self.expectSame(Array(("a{x=\"" + String(repeating: "v", count: 70_000) + "\"} 1\n").utf8), "long value")
        let many = (0..<600).map { "l\($0)=\"v\"" }.joined(separator: ",")
        Self.expectSame(Array("a{\(many)} 1\n".utf8), "600 labels")
        let dup = (0..<60).map { "l\($0)=\"v\"" }.joined(separator: ",") + ",l7=\"w\""
        Self.expectSame(Array("a{\(dup)} 1\n".utf8), "a duplicate among 61 labels")
    }

    @Test("the OpenMetrics conformance suite's inputs read as 0.0.4: the same outcome on both paths")
    func conformanceSuite() throws {
        let dir = Fixture.url("conformance/openmetrics")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names.count >= 200)
        for name in names {
            guard let data = try? Data(contentsOf: dir.appendingPathComponent(name).appendingPathComponent("metrics")) else { continue }
            Self.expectSame([UInt8](data), name)
            Self.expectSame([UInt8](data), name, mode: .lenient)
        }
    }

    @Test("every real scrape, and 2,000 single-byte mutations of them: the same outcome on both paths")
    func scrapesAndMutations() throws {
        var random = SeededGenerator(seed: 21)
        let alphabet = Array(" \t\n\r{}=,\"\\#.+-eE019aZ_:".utf8) + [0, 0x80, 0xC3, 0xFF]
        for file in Fixture.scrapes {
            let bytes = try Fixture.text(file)
            Self.expectSame(bytes, file)
            for _ in 0..<(2000 / Fixture.scrapes.count + 1) {
                var mutated = bytes
                let at = Int.random(in: 0..<mutated.count, using: &random)
                mutated[at] = alphabet.randomElement(using: &random)!
                // Only the line around the mutation matters; keep the test quick.
                let start = mutated[..<at].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
                let end = mutated[at...].firstIndex(of: 0x0A).map { $0 + 1 } ?? mutated.count
                let context = Array(mutated[max(0, start - 200)..<min(mutated.count, end + 200)])
                Self.expectSame(context, "\(file) byte \(at)", mode: .lenient)
            }
        }
    }
}
