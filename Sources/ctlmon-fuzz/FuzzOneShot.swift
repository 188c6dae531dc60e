import Check
import RuleEngine

/// `ctlmon check`'s own pipeline (``OneShotCheck/run(_:)``, the function the command line
/// calls) on fuzzed bytes: the family filter, the snapshot, the one-shot history, the
/// shipped rules with their alerts and templates, the report.
enum FuzzOneShot {
    static let groups = ShippedRules.groups

    static func run(_ data: [UInt8]) {
        var options = OneShotCheck.Options(sources: [.bytes(name: "fuzz", data)], groups: groups)
        options.sampleLimit = 10_000
        options.maxDecodedBytes = 1 << 20
        options.wallClock = { 1_800_000_000_000 }
        guard let outcome = try? OneShotCheck.run(options) else { return }
        for (_, alert) in outcome.evaluator.activeAlerts() { _ = alert.annotations }
        _ = outcome.report.text(color: false)
        _ = outcome.report.json()
    }
}
