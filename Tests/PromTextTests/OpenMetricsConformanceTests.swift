import CtlmonTestSupport
import Foundation
import PromText
import Testing

/// The OpenMetrics parser test suite (prometheus/OpenMetrics tests/testdata/parsers), case by case.
@Suite("OpenMetrics conformance suite")
struct OpenMetricsConformanceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var shouldParse: Bool
        var testDescription: String { "\(name) (\(shouldParse ? "valid" : "invalid"))" }
    }

    static let cases: [Case] = {
        let dir = Fixture.url("conformance/openmetrics")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().compactMap { name in
            guard let data = try? Data(contentsOf: dir.appendingPathComponent(name).appendingPathComponent("test.json")),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let shouldParse = json["shouldParse"] as? Bool
            else { return nil }
            return Case(name: name, shouldParse: shouldParse)
        }
    }()

    /// The first error of each invalid case, `line:column: message (near …)`, pinned by
    /// scripts/pin-openmetrics-errors.sh: a change of message or position shows in review.
    static let pinnedErrors: [String: String] = {
        guard let text = try? String(contentsOf: Fixture.url("conformance/openmetrics-errors.txt"), encoding: .utf8) else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
        }
        return out
    }()

    @Test("the suite is all there: 211 cases, 44 valid, every invalid one with its pinned error")
    func suiteIsComplete() {
        #expect(Self.cases.count == 211)
        #expect(Self.cases.filter(\.shouldParse).count == 44)
        #expect(Set(Self.pinnedErrors.keys) == Set(Self.cases.filter { !$0.shouldParse }.map(\.name)))
    }

    @Test("each case parses or fails as the suite says, whole and in 1-byte chunks", arguments: cases)
    func conformance(_ c: Case) throws {
        let input = try Fixture.bytes("conformance/openmetrics/\(c.name)/metrics")
        for chunks in [[Int.max], [1], [3, 7, 1, 2]] {
            let outcome = parse(input, chunks: chunks, options: .init(format: .openMetrics, source: c.name), into: Recorder())
            if c.shouldParse {
                #expect(outcome.failure == nil, "\(c.name): \(outcome.failure?.description ?? "")")
            } else {
                // The same error, at the same place, however the input is split.
                #expect(outcome.failure?.description == "\(c.name):" + (Self.pinnedErrors[c.name] ?? "?"), "chunks \(chunks)")
            }
        }
    }

    @Test("valid cases yield the same samples in lenient mode, invalid ones record an error", arguments: cases)
    func lenientAgrees(_ c: Case) throws {
        let input = try Fixture.bytes("conformance/openmetrics/\(c.name)/metrics")
        let strict = Recorder()
        let lenient = Recorder()
        let s = parse(input, options: .init(format: .openMetrics, mode: .strict), into: strict)
        let l = parse(input, options: .init(format: .openMetrics, mode: .lenient), into: lenient)
        if c.shouldParse {
            #expect(s.failure == nil && l.failure == nil && l.statistics.invalidLines == 0)
            #expect(strict.samples == lenient.samples)
        } else {
            #expect(l.failure != nil || l.statistics.invalidLines > 0)
        }
    }
}
