import CtlmonTestSupport
import Foundation
import PromText
import Testing

/// Bad input gets a clear error naming line and column, never a crash; lenient mode skips and counts.
@Suite("bad input")
struct BadInputTests {
    @Test("a failed read (a folder given as the input) is an I/O error naming the source")
    func readFailure() {
        let fd = open(Fixture.root.path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        let parser = TextParser(options: .init(source: "folder"), consumer: Recorder())
        #expect {
            try parser.feed(fileDescriptor: fd)
        } throws: { error in
            guard let e = error as? ParseError else { return false }
            return e.kind == .io && e.source == "folder" && e.message.hasPrefix("read failed: ")
        }
    }

    @Test("empty input is a valid empty 0.0.4 scrape but invalid OpenMetrics (no # EOF)")
    func emptyInput() {
        let (r, o) = parse("")
        #expect(o.failure == nil && r.samples.isEmpty && o.statistics.lines == 0)
        let (_, om) = parse("", format: .openMetrics)
        #expect(om.failure?.message.contains("# EOF") == true)
    }

    @Test("errors read source:line:column: message, with an excerpt")
    func errorFormat() throws {
        let (_, o) = parse("a 1\nfoo{verb\"GET\"} 1\n")
        let f = try #require(o.failure)
        #expect(f.line == 2 && f.column == 9)
        #expect(f.message == "expected '=' after label name \"verb\"")
        #expect(f.description == "test:2:9: expected '=' after label name \"verb\" (near \"foo{verb\\\"GET\\\"} 1\")")
    }

    @Test("columns count characters, not bytes")
    func columnsCountScalars() throws {
        let (_, o) = parse("a{x=\"ü€\",x=\"b\"} 1\n")
        let f = try #require(o.failure)
        #expect(f.message == "duplicate label name \"x\"")
        #expect(f.column == 10)
    }

    @Test("NUL bytes: in a label value, in a name, as a value")
    func nulBytes() {
        for text in ["a{x=\"b\0c\"} 1\n", "a\0b 1\n", "a \0\n", "\0\n"] {
            let (_, o) = parse(text)
            #expect(o.failure != nil, "\(text.debugDescription) should fail")
        }
        let (_, o) = parse("a{x=\"b\0c\"} 1\n")
        #expect(o.failure?.message == "NUL byte in the value of label \"x\"")
    }

    @Test("invalid UTF-8 in a label value is an error; valid multi-byte UTF-8 is kept")
    func utf8() throws {
        let bad: [UInt8] = Array("a{x=\"".utf8) + [0xC3, 0x28] + Array("\"} 1\n".utf8)
        let o = parse(bad, options: .init(source: "t"), into: Recorder())
        #expect(o.failure?.message == "invalid UTF-8 in the value of label \"x\"")
        for seq: [UInt8] in [[0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xFF]] {
            let input: [UInt8] = Array("a{x=\"".utf8) + seq + Array("\"} 1\n".utf8)
            #expect(parse(input, into: Recorder()).failure != nil, "\(seq) should be rejected")
        }
        let (r, ok) = parse("a{x=\"日本語 ☃ 😀\"} 1\n")
        #expect(ok.failure == nil)
        #expect(r.samples.first?.labels["x"] == "日本語 ☃ 😀")
    }

    @Test("unterminated quote points at the opening quote")
    func unterminatedQuote() throws {
        let (_, o) = parse("a{x=\"abc} 1\n")
        let f = try #require(o.failure)
        #expect(f.column == 5)
        #expect(f.message.hasPrefix("unterminated value of label \"x\""))
    }

    @Test("duplicate label names are rejected, also on lines with many labels")
    func duplicateLabels() {
        #expect(parse("a{x=\"1\",y=\"2\",x=\"3\"} 1\n").1.failure?.message == "duplicate label name \"x\"")
        var limits = ParseLimits()
        limits.maxLabelsPerSample = 200
        let many = (0..<100).map { "l\($0)=\"v\"" }.joined(separator: ",")
        #expect(parse("a{\(many)} 1\n", limits: limits).1.failure == nil)
        #expect(parse("a{\(many),l57=\"w\"} 1\n", limits: limits).1.failure?.message == "duplicate label name \"l57\"")
        // The same names repeated line after line are checked once, and a duplicate still shows.
        let (_, o) = parse("a{x=\"1\",y=\"2\"} 1\na{x=\"1\",y=\"3\"} 1\na{x=\"1\",x=\"3\"} 1\n", mode: .lenient)
        #expect(o.statistics.samples == 2 && o.statistics.invalidLines == 1)
    }

    @Test("missing value, garbage after the value or timestamp, bad numbers", arguments: [
        ("a\n", "expected a value after the metric name"),
        ("a{x=\"1\"}\n", "expected a value after the labels"),
        ("a 1 2 3\n", "unexpected text after the timestamp"),
        ("a 1x\n", "invalid value \"1x\": expected a float, +Inf, -Inf or NaN"),
        ("a 0x1p-3\n", "invalid value \"0x1p-3\": expected a float, +Inf, -Inf or NaN"),
        ("a 1 1.5\n", "invalid timestamp \"1.5\": expected integer milliseconds"),
        ("a 1 99999999999999999999\n", "invalid timestamp \"99999999999999999999\": expected integer milliseconds"),
        ("a-b 1\n", "unexpected character '-' in metric name"),
        ("{x=\"1\"} 1\n", "expected a metric name before '{' (quoted UTF-8 names are not supported)"),
        ("a{1x=\"1\"} 1\n", "expected a label name, found '1'"),
        ("a{x=\"1\",,y=\"2\"} 1\n", "expected a label name, found an extra ','"),
        ("a{x=1} 1\n", "expected '\"' to open the value of label \"x\""),
        ("a{x=\"1\" y=\"2\"} 1\n", "expected ',' or '}' after a label value, found 'y'"),
        ("# TYPE a gauges\n", "unknown metric type \"gauges\": expected counter, gauge, histogram, summary or untyped"),
        ("# TYPE a\n", "expected a metric type after the name"),
        ("a 1 # {x=\"y\"} 1\n", "exemplars need the OpenMetrics format (--openmetrics)"),
    ])
    func badLines(_ text: String, _ message: String) throws {
        let (_, o) = parse(text)
        let f = try #require(o.failure, "\(text.debugDescription) should fail")
        #expect(f.message == message)
        #expect(f.line == 1 && f.column >= 1)
    }

    @Test("a 2 MiB line exceeds the 1 MiB line limit; lenient mode drops it and goes on, in any split")
    func longLine() {
        let long = "a{x=\"" + String(repeating: "v", count: 2 << 20) + "\"} 1\n"
        let text = Array(("b 1\n" + long + "c 2\n").utf8)
        for chunks in [[Int.max], [4096], [1 << 20, 7, 3 << 20]] {
            let strict = parse(text, chunks: chunks, options: .init(source: "t"), into: Recorder())
            #expect(strict.failure?.kind == .limit)
            #expect(strict.failure?.line == 2)
            #expect(strict.failure?.message == "line longer than the limit of 1048576 bytes")
            let recorder = Recorder()
            let lenient = parse(text, chunks: chunks, options: .init(mode: .lenient), into: recorder)
            #expect(lenient.failure == nil)
            #expect(recorder.samples.map(\.name) == ["b", "c"])
            #expect(lenient.statistics.invalidLines == 1 && lenient.statistics.lines == 3)
        }
    }

    @Test("10,000 labels exceed the default limit of 512; a raised limit parses them")
    func tenThousandLabels() {
        let labels = (0..<10_000).map { "l\($0)=\"v\($0)\"" }.joined(separator: ",")
        let text = "a{\(labels)} 1\n"
        let (_, o) = parse(text)
        #expect(o.failure?.kind == .limit)
        #expect(o.failure?.message == "more labels than the limit of 512")
        var limits = ParseLimits()
        limits.maxLabelsPerSample = 10_000
        let (r, ok) = parse(text, limits: limits)
        #expect(ok.failure == nil)
        #expect(r.samples.first?.labels.count == 10_000)
        #expect(r.samples.first?.labels["l9999"] == "v9999")
    }

    @Test("label name and value length caps")
    func lengthCaps() {
        var limits = ParseLimits()
        limits.maxLabelNameLength = 4
        limits.maxLabelValueLength = 8
        #expect(parse("a{abcd=\"12345678\"} 1\n", limits: limits).1.failure == nil)
        #expect(parse("a{abcde=\"1\"} 1\n", limits: limits).1.failure?.kind == .limit)
        #expect(parse("a{abcd=\"123456789\"} 1\n", limits: limits).1.failure?.kind == .limit)
    }

    @Test("CRLF line ends parse like LF in 0.0.4, and are an error in OpenMetrics")
    func crlf() {
        let lf = "# HELP a help\n# TYPE a counter\na{x=\"1\"} 1 1000\nb 2\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let (r1, o1) = parse(lf)
        let (r2, o2) = parse(crlf)
        #expect(o1.failure == nil && o2.failure == nil)
        #expect(r1.samples == r2.samples)
        #expect(r1.metadata.map(\.2) == r2.metadata.map(\.2))
        let (_, om) = parse("a 1\r\n# EOF\r\n", format: .openMetrics)
        #expect(om.failure?.description == "test:1:4: a carriage return before the line end: OpenMetrics lines end with \\n alone (near \"a 1\\r\")")
    }

    @Test("lenient mode skips each bad line, counts it, keeps the first errors and the good lines")
    func lenient() {
        let text = "a 1\nb{ 2\nc 3\nd 4 5 6\ne 5\n"
        let (r, o) = parse(text, mode: .lenient)
        #expect(o.failure == nil)
        #expect(r.samples.map(\.name) == ["a", "c", "e"])
        #expect(o.statistics.invalidLines == 2)
        #expect(o.errors.map(\.line) == [2, 4])
        var limits = ParseLimits()
        limits.maxRecordedErrors = 1
        let (_, capped) = parse(text, mode: .lenient, limits: limits)
        #expect(capped.errors.count == 1 && capped.statistics.invalidLines == 2)
    }

    @Test("random garbage never crashes, in both formats and modes")
    func fuzzNeverCrashes() {
        var g = SeededGenerator(seed: 42)
        let alphabet = Array("a_:{}=\",# \n\\\t0.1e+-InfNaN\r\0".utf8) + [0xC3, 0xFF, 0xE2, 0x82]
        for _ in 0..<400 {
            let n = Int.random(in: 0...200, using: &g)
            let input = (0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] }
            for format in [ExpositionFormat.prometheusText, .openMetrics] {
                for mode in [TextParser.Mode.strict, .lenient] {
                    let whole = Digest()
                    let split = Digest()
                    let a = parse(input, options: .init(format: format, mode: mode), into: whole)
                    let b = parse(input, chunks: [1, 3, 2], options: .init(format: format, mode: mode), into: split)
                    #expect(whole == split)
                    #expect(a.failure == b.failure)
                    #expect(a.errors == b.errors)
                }
            }
        }
    }
}
