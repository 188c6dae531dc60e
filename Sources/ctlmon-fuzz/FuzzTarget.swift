import Foundation
import PromQL
import PromText
import RuleEngine

/// libFuzzer entry points, one per input surface, chosen by `CTLMON_FUZZ_TARGET`
/// (scripts/fuzz sets it): every input must give an answer or a clear error, never a
/// crash, a hang or unbounded memory; the text parser must also give the same result
/// for every split of its input.
enum FuzzTarget: String, CaseIterable {
    case text
    case openmetrics
    case gzip
    case promql
    case evaluate
    case rules
    case tests
    case template
    case oneshot
    case api

    static let current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["CTLMON_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("CTLMON_FUZZ_TARGET must be one of: \(allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        return target
    }()

    func run(_ data: [UInt8]) {
        switch self {
        case .text: FuzzParser.splits(data, format: .prometheusText)
        case .openmetrics: FuzzParser.splits(data, format: .openMetrics)
        case .gzip: FuzzParser.gzip(data)
        case .promql: _ = try? PromQLParser.parse(String(decoding: data, as: UTF8.self))
        case .evaluate: FuzzEvaluator.run(String(decoding: data, as: UTF8.self))
        case .rules: _ = try? RuleFile.parse(String(decoding: data, as: UTF8.self), path: "fuzz.yml")
        case .tests: _ = try? RuleTestFile.parse(String(decoding: data, as: UTF8.self), path: "fuzz.yml")
        case .template: FuzzTemplate.run(String(decoding: data, as: UTF8.self))
        case .oneshot: FuzzOneShot.run(data)
        case .api: FuzzAPI.run(String(decoding: data, as: UTF8.self))
        }
    }
}

/// libFuzzer's `LLVMFuzzerTestOneInput`: hands the `count` bytes at `start` (nil when empty)
/// to the target `CTLMON_FUZZ_TARGET` names. Always 0, as libFuzzer requires: a failure is a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    FuzzTarget.current.run(data)
    return 0
}
