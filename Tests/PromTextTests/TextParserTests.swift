import PromText
import Testing

/// What the parser yields for each construct of the two formats.
@Suite("text parser")
struct TextParserTests {
    @Test("label values are unescaped only on request: \\\\, \\\", \\n; other escapes kept")
    func labelEscapes() throws {
        final class Raw: SampleConsumer {
            var raw: [String] = []
            var escaped: [Bool] = []
            var unescaped: [[UInt8]] = []
            var storage: [UInt8] = []
            func consume(_ s: SampleView) {
                for i in 0..<s.labelCount {
                    raw.append(s.rawLabelValue(i).string)
                    escaped.append(s.labelValueIsEscaped(i))
                    storage.removeAll(keepingCapacity: true)
                    s.appendLabelValue(i, to: &storage)
                    unescaped.append(storage)
                }
            }
        }
        let raw = Raw()
        let text = #"a{p="plain",q="a\\b\"c\nd",r="\z"} 1"# + "\n"
        #expect(parse(Array(text.utf8), into: raw).failure == nil)
        #expect(raw.raw == ["plain", #"a\\b\"c\nd"#, #"\z"#])
        #expect(raw.escaped == [false, true, true])
        #expect(raw.unescaped.map { String(decoding: $0, as: UTF8.self) } == ["plain", "a\\b\"c\nd", "\\z"])
    }

    @Test("values: integers, floats, exponents, NaN and infinities in any case")
    func values() {
        let (r, o) = parse("a 1\nb -2.5e-3\nc +Inf\nd -Inf\ne NaN\nf 1E6\ng .5\nh 5.\ni inf\nj 12345678901234567890123\nk 0.013300656000000001\n")
        #expect(o.failure == nil)
        let v = r.samples.map(\.value)
        #expect(v[0] == 1 && v[1] == -0.0025 && v[2] == .infinity && v[3] == -.infinity && v[4].isNaN)
        #expect(v[5] == 1e6 && v[6] == 0.5 && v[7] == 5 && v[8] == .infinity)
        #expect(v[9] == 12345678901234567890123.0)
        #expect(v[10] == 0.013300656000000001)
    }

    @Test("timestamps: milliseconds in 0.0.4, seconds (integer or float) in OpenMetrics")
    func timestamps() {
        let (r, _) = parse("a 1 1700000000123\nb 2 -5\nc 3\n")
        #expect(r.samples.map(\.timestamp) == [1_700_000_000_123, -5, nil])
        let (om, o) = parse("a 1 1700000000.123\nb 2 1.5e3\n# EOF\n", format: .openMetrics)
        #expect(o.failure == nil)
        #expect(om.samples.map(\.timestamp) == [1_700_000_000_123, 1_500_000])
    }

    @Test("0.0.4 tolerates blanks and tabs between tokens, a trailing comma and empty braces")
    func whitespace() {
        let (r, o) = parse("  a { x = \"1\" ,\ty=\"2\", } \t 7 \t 100  \nb{} 1\n\n   \n")
        #expect(o.failure == nil)
        #expect(r.samples.first?.labels == ["x": "1", "y": "2"])
        #expect(r.samples.first?.value == 7 && r.samples.first?.timestamp == 100)
        #expect(r.samples.last?.labels == [:])
        #expect(o.statistics.blankLines == 2)
    }

    @Test("HELP and TYPE lines reach the consumer; HELP escapes differ by format")
    func metadata() {
        let (r, o) = parse("# HELP a Line one\\nwith \\\\ and \\\"q\\\"\n# TYPE a counter\n# just a comment\n#\na 1\n")
        #expect(o.failure == nil)
        #expect(r.metadata.count == 2)
        #expect(r.metadata[0].2 == "Line one\nwith \\ and \\\"q\\\"")
        #expect(r.metadata[1].2 == "counter")
        #expect(o.statistics.metadataLines == 2 && o.statistics.commentLines == 2)
        let (om, _) = parse("# HELP a x\\\"y\n# EOF\n", format: .openMetrics)
        #expect(om.metadata.first?.2 == "x\"y")
    }

    @Test("sample types follow the family's # TYPE and its suffixes")
    func types() {
        let text = """
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 3
            h_count 2
            h_other 1
            # TYPE s summary
            s{quantile="0.5"} 1
            s_sum 1
            s_count 1
            # TYPE c counter
            c 4
            u 5

            """
        let (r, o) = parse(text)
        #expect(o.failure == nil)
        #expect(r.samples.map(\.type) == [.histogram, .histogram, .histogram, .histogram, .untyped,
                                          .summary, .summary, .summary, .counter, .untyped])
        #expect(r.samples.map(\.family) == ["h", "h", "h", "h", "h_other", "s", "s", "s", "c", "u"])
    }

    @Test("OpenMetrics: families, units, exemplars and _created")
    func openMetrics() throws {
        let text = """
            # TYPE rpc_seconds histogram
            # UNIT rpc_seconds seconds
            # HELP rpc_seconds RPC latency.
            rpc_seconds_bucket{le="0.1"} 1 # {trace_id="abc"} 0.05 1700000000.5
            rpc_seconds_bucket{le="+Inf"} 2
            rpc_seconds_sum 0.3
            rpc_seconds_count 2
            rpc_seconds_created 1700000000
            # TYPE build info
            build_info{version="1.2"} 1
            # TYPE st stateset
            st{st="a"} 1
            st{st="b"} 0
            # EOF

            """
        final class Ex: SampleConsumer {
            var exemplar: (String, String, Double, Double?)?
            var types: [MetricType] = []
            func consume(_ s: SampleView) {
                types.append(s.type)
                if let e = s.exemplar { exemplar = (e.labelName(0).string, e.rawLabelValue(0).string, e.value, e.timestamp) }
            }
        }
        let ex = Ex()
        let o = parse(Array(text.utf8.dropLast()), options: .init(format: .openMetrics), into: ex)
        #expect(o.failure == nil, "\(o.failure?.description ?? "")")
        let e = try #require(ex.exemplar)
        #expect(e.0 == "trace_id" && e.1 == "abc" && e.2 == 0.05 && e.3 == 1_700_000_000.5)
        #expect(ex.types == [.histogram, .histogram, .histogram, .histogram, .histogram, .info, .stateset, .stateset])
    }

    @Test("the family filter validates other families' lines by default, hands over only the wanted ones, and counts the rest")
    func familyFilter() {
        let text = """
            # TYPE apiserver_request_duration_seconds histogram
            apiserver_request_duration_seconds_bucket{verb="GET",le="1"} 1
            apiserver_request_duration_seconds_sum{verb="GET"} 1
            go_goroutines 10
            broken_line{ this is not parsed
            process_start_time_seconds 1.7e9
            apiserver_storage_size_bytes{storage_cluster_id="etcd-0"} 1e6

            """
        // Validated (the default): the broken line of an unwanted family is an error all the same.
        let (_, strict) = parse(text, filter: .controlPlane)
        #expect(strict.failure?.line == 5, "\(strict.failure?.description ?? "no error")")
        // Skipped unparsed: the broken line goes unnoticed, at byte-scan speed.
        var fast = FamilyFilter.controlPlane
        fast.skipped = .unparsed
        let (r, o) = parse(text, filter: fast)
        #expect(o.failure == nil)
        #expect(r.samples.map(\.name) == ["apiserver_request_duration_seconds_bucket", "apiserver_request_duration_seconds_sum",
                                          "process_start_time_seconds", "apiserver_storage_size_bytes"])
        #expect(o.statistics.filteredSamples == 2)
        #expect(o.statistics.samples == 4)
        // Without the broken line, both modes hand over the same samples and count the same.
        let valid = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("broken_line") }.joined(separator: "\n")
        let (rv, ov) = parse(valid, filter: .controlPlane)
        #expect(ov.failure == nil)
        #expect(rv.samples.map(\.name) == r.samples.map(\.name))
        #expect(ov.statistics.filteredSamples == 1 && ov.statistics.samples == 4)
        #expect(FamilyFilter.controlPlane.keeps("etcd_db_total_size_in_bytes"))
        #expect(!FamilyFilter.controlPlane.keeps("etcd_db_total_size_in_bytes_other"))
        #expect(FamilyFilter(names: ["x"]).keeps("x_bucket"))
    }

    @Test("labels shared with the previous line are taken over only where the bytes are the same")
    func sharedPrefixes() {
        let text = #"""
            a{x="1",y="2"} 1
            a{x="1",y="22"} 2
            a{x="1"} 3
            a{x="1",y="2",z="3"} 4
            a{x="a\"b",y="1"} 5
            a{x="a\"c",y="1"} 6
            ab{x="a\"c",y="1"} 7
            a{x="1",y="2"} 8
            a{x="1",x="2"} 9
            a{x="1",y="2"} 10
            a{x="1",y="\xff"} 11
            a{x="1",y="2",} 12

            """#
        let whole = Recorder()
        let bytes = Recorder()
        let w = parse(Array(text.utf8), options: .init(mode: .lenient), into: whole)
        let b = parse(Array(text.utf8), chunks: [1], options: .init(mode: .lenient), into: bytes)
        #expect(whole.samples == bytes.samples)
        #expect(w.errors == b.errors)
        #expect(w.errors.map(\.line) == [9])
        #expect(whole.samples.map { $0.labels.count } == [2, 2, 1, 3, 2, 2, 2, 2, 2, 2, 2])
        #expect(whole.samples[1].labels["y"] == "22" && whole.samples[5].labels["x"] == "a\"c")
        #expect(whole.samples[9].labels["y"] == "\\xff")
    }

    @Test("a last line without newline is parsed at finish")
    func noFinalNewline() {
        let (r, o) = parse("a 1\nb 2")
        #expect(o.failure == nil && r.samples.map(\.name) == ["a", "b"] && o.statistics.lines == 2)
    }

    @Test("the series fingerprint ignores label order and tells series apart")
    func fingerprint() {
        final class FP: SampleConsumer {
            var prints: [UInt64] = []
            func consume(_ s: SampleView) { prints.append(s.seriesFingerprint) }
        }
        let fp = FP()
        parse(Array("a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\na{x=\"2\",y=\"1\"} 3\nb{x=\"1\",y=\"2\"} 4\n".utf8), into: fp)
        #expect(fp.prints[0] == fp.prints[1])
        #expect(Set(fp.prints).count == 3)
    }

    @Test("content types choose the format")
    func contentType() {
        #expect(ExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionFormat(contentType: "text/plain; version=0.0.4") == .prometheusText)
    }
}
