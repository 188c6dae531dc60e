import CtlmonTestSupport
import Foundation
import PromText
import Testing

/// Real scrapes of kube-apiserver 1.16–1.35, etcd, scheduler and controller-manager.
@Suite("real scrapes")
struct ScrapeCorpusTests {
    /// Sample lines counted independently of the parser: neither blank nor starting with '#'.
    static func independentSampleCount(_ text: [UInt8]) -> Int {
        text.split(separator: 0x0A, omittingEmptySubsequences: true).filter { $0.first != UInt8(ascii: "#") }.count
    }

    @Test("the fixtures are there: 16 apiserver, 12 etcd, 5 scheduler, 5 controller-manager")
    func fixturesPresent() {
        #expect(Fixture.files(in: "apiserver").count == 16)
        #expect(Fixture.files(in: "etcd").count == 12)
        #expect(Fixture.files(in: "scheduler").count == 5)
        #expect(Fixture.files(in: "controller-manager").count == 5)
    }

    @Test("every scrape parses in strict 0.0.4 with the independently counted samples", arguments: Fixture.scrapes)
    func parsesStrict(_ file: String) throws {
        let text = try Fixture.text(file)
        let digest = Digest()
        let outcome = parse(text, options: .init(source: file), into: digest)
        #expect(outcome.failure == nil, "\(outcome.failure?.description ?? "")")
        let expected = Self.independentSampleCount(text)
        #expect(outcome.statistics.samples == expected)
        #expect(digest.samples == expected)
        #expect(outcome.statistics.decodedBytes == text.count)
        #expect(outcome.statistics.invalidLines == 0)
    }

    @Test("random chunk splits from 1 byte up never change the result", arguments: Fixture.scrapes)
    func chunkSplitsAgree(_ file: String) throws {
        let text = try Fixture.text(file)
        let whole = Digest()
        let reference = parse(text, into: whole)
        #expect(reference.failure == nil)
        for seed: UInt64 in [1, 2, 3] {
            let max = seed == 1 ? 8 : seed == 2 ? 300 : 70_000
            let digest = Digest()
            let outcome = parse(text, chunks: randomChunks(count: 997, max: max, seed: seed), into: digest)
            #expect(outcome.failure == nil)
            #expect(digest == whole, "seed \(seed) changed the result")
            #expect(outcome.statistics == reference.statistics)
        }
    }

    @Test("byte-by-byte feeding gives the same samples as one chunk", arguments: Fixture.files(in: "etcd").prefix(3))
    func oneByteChunks(_ file: String) throws {
        let text = try Fixture.text(file)
        let whole = Recorder()
        let bytes = Recorder()
        parse(text, into: whole)
        let outcome = parse(text, chunks: [1], into: bytes)
        #expect(outcome.failure == nil)
        #expect(whole.samples == bytes.samples)
        #expect(whole.samples.count == Self.independentSampleCount(text))
    }

    @Test("the gzip fixtures parse straight from their compressed bytes, in any split", arguments: Fixture.scrapes.prefix(6))
    func gzipFixtures(_ file: String) throws {
        let compressed = try Fixture.bytes(file)
        let text = try Fixture.text(file)
        let plain = Digest()
        parse(text, into: plain)
        for chunks in [[Int.max], [1, 2, 5000], randomChunks(count: 101, max: 9000, seed: 9)] {
            let digest = Digest()
            let outcome = parse(compressed, chunks: chunks, into: digest)
            #expect(outcome.failure == nil)
            #expect(outcome.statistics.gzip)
            #expect(outcome.statistics.inputBytes == compressed.count)
            #expect(outcome.statistics.decodedBytes == text.count)
            #expect(digest == plain)
        }
    }

    @Test("the family filter keeps exactly the wanted samples of a full parse, in any split", arguments: Fixture.files(in: "apiserver"))
    func filterAgreesWithFullParse(_ file: String) throws {
        let text = try Fixture.text(file)
        let full = Recorder()
        parse(text, into: full)
        let wanted = full.samples.filter { FamilyFilter.controlPlane.keeps($0.name) }
        for chunks in [[Int.max], [65_536], randomChunks(count: 97, max: 5000, seed: 11)] {
            let filtered = Recorder()
            let o = parse(text, chunks: chunks, options: .init(filter: .controlPlane), into: filtered)
            #expect(o.failure == nil)
            #expect(filtered.samples == wanted, "\(file) chunks \(chunks.prefix(2))")
            #expect(o.statistics.filteredSamples + o.statistics.samples == full.samples.count)
        }
    }

    @Test("kube-apiserver 1.35 types its families from # TYPE")
    func typesFromTypeLines() throws {
        let recorder = Recorder()
        parse(try Fixture.text("apiserver/nri-kubernetes-v1.35.txt.gz"), into: recorder)
        let bucket = try #require(recorder.samples.first { $0.name == "apiserver_request_duration_seconds_bucket" })
        #expect(bucket.type == .histogram)
        #expect(bucket.family == "apiserver_request_duration_seconds")
        #expect(bucket.labels["le"] == "0.005" && bucket.labels["verb"] == "GET" && bucket.value == 2)
        let size = try #require(recorder.samples.first { $0.name == "apiserver_storage_size_bytes" })
        #expect(size.type == .gauge)
        #expect(size.labels["storage_cluster_id"] == "etcd-0")
        let start = try #require(recorder.samples.first { $0.name == "process_start_time_seconds" })
        #expect(start.type == .gauge && start.value > 1e9)
        let inf = try #require(recorder.samples.first { $0.name == "rest_client_exec_plugin_ttl_seconds" })
        #expect(inf.value == .infinity)
    }

    @Test("the Prometheus textparse benchmark inputs parse in their formats")
    func prometheusTestdata() throws {
        let dir = "conformance/prometheus/model/textparse/testdata/"
        // Sample counts from `grep -v '^#' FILE | grep -c .`.
        for (file, format, samples) in [("alltypes.237mfs.prom.txt", ExpositionFormat.prometheusText, 1857),
                                        ("alltypes.237mfs.nometa.prom.txt", .prometheusText, 1857),
                                        ("1histogram.om.txt", .openMetrics, 42)] {
            let text = try Fixture.bytes(dir + file)
            let outcome = parse(text, options: .init(format: format, source: file), into: Digest())
            #expect(outcome.failure == nil, "\(file): \(outcome.failure?.description ?? "")")
            #expect(outcome.statistics.samples == samples, "\(file)")
        }
        // Prometheus's own OpenMetrics sample has a histogram with negative buckets and a negative
        // _sum; Prometheus accepts it, the OpenMetrics rules (and their suite) do not.
        let om = try Fixture.bytes(dir + "alltypes.5mfs.om.txt")
        let strict = parse(om, options: .init(format: .openMetrics, source: "om"), into: Digest())
        #expect(strict.failure?.description.hasPrefix("om:33:1: _sum values cannot be negative") == true)
        let lenient = parse(om, options: .init(format: .openMetrics, mode: .lenient), into: Digest())
        #expect(lenient.failure == nil)
        #expect(lenient.statistics.invalidLines >= 1)
        #expect(lenient.statistics.samples + lenient.statistics.invalidLines >= 53)
        for file in ["testdata-before-8cd9069/promtestdata.txt", "testdata-before-8cd9069/promtestdata.nometa.txt"] {
            let text = try Fixture.bytes("conformance/prometheus/model/textparse/" + file)
            let outcome = parse(text, into: Digest())
            #expect(outcome.failure == nil, "\(file): \(outcome.failure?.description ?? "")")
            #expect(outcome.statistics.samples == 410)
        }
    }
}
