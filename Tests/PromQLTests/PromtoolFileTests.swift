import CtlmonTestSupport
import Foundation
import RuleEngine
import Testing

/// The PromQL test files (`promtool/*.yml`): promtool-format unit tests whose expected
/// values come from the real promtool 2.42 (scripts/promtool-expected.py); scripts/test
/// also runs them through promtool itself.
@Suite("PromQL against promtool's answers")
struct PromtoolFileTests {
    static let folder = Fixture.root.deletingLastPathComponent().appendingPathComponent("PromQLTests/promtool")

    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".yml") }.sorted()

    @Test("the eight PromQL test files are there")
    func filesPresent() {
        #expect(Self.files == [
            "aggregation.yml", "functions.yml", "histogram.yml", "matching.yml", "over_time.yml", "rate.yml",
            "staleness.yml", "subquery.yml",
        ])
    }

    @Test("ctlmon gives promtool's answers in every test file", arguments: files)
    func promtoolFile(_ name: String) {
        let (passed, report, _) = RuleTestRunner().run(path: Self.folder.appendingPathComponent(name).path)
        #expect(passed, "\(report)")
        #expect(report.contains("SUCCESS") && !report.contains("FAILED"), "\(report)")
    }
}
