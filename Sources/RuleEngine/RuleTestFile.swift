import Foundation
import Yams

/// A promtool unit-test file (`promtool test rules` format).
public struct RuleTestFile: Decodable, Sendable {
    public var ruleFiles: [String]?
    public var evaluationInterval: String?
    public var groupEvalOrder: [String]?
    public var tests: [TestGroup]

    enum CodingKeys: String, CodingKey {
        case ruleFiles = "rule_files"
        case evaluationInterval = "evaluation_interval"
        case groupEvalOrder = "group_eval_order"
        case tests
    }

    public struct TestGroup: Decodable, Sendable {
        public var name: String?
        public var interval: String?
        public var inputSeries: [InputSeries]?
        public var promqlExprTest: [ExprTest]?
        public var alertRuleTest: [AlertTest]?
        public var externalLabels: [String: String]?

        enum CodingKeys: String, CodingKey {
            case name, interval
            case inputSeries = "input_series"
            case promqlExprTest = "promql_expr_test"
            case alertRuleTest = "alert_rule_test"
            case externalLabels = "external_labels"
        }
    }

    public struct InputSeries: Decodable, Sendable {
        public var series: String
        public var values: String
    }

    public struct ExprTest: Decodable, Sendable {
        public var expr: String
        public var evalTime: String?
        public var expSamples: [ExpectedSample]?

        enum CodingKeys: String, CodingKey {
            case expr
            case evalTime = "eval_time"
            case expSamples = "exp_samples"
        }
    }

    public struct ExpectedSample: Decodable, Sendable {
        public var labels: String?
        public var value: FlexibleDouble
    }

    public struct AlertTest: Decodable, Sendable {
        public var evalTime: String?
        public var alertname: String
        public var expAlerts: [ExpectedAlert]?

        enum CodingKeys: String, CodingKey {
            case evalTime = "eval_time"
            case alertname
            case expAlerts = "exp_alerts"
        }
    }

    public struct ExpectedAlert: Decodable, Sendable {
        public var expLabels: [String: String]?
        public var expAnnotations: [String: String]?

        enum CodingKeys: String, CodingKey {
            case expLabels = "exp_labels"
            case expAnnotations = "exp_annotations"
        }
    }

    public static func load(yaml: String, path: String) throws(RuleTestError) -> RuleTestFile {
        do {
            return try YAMLDecoder().decode(RuleTestFile.self, from: yaml)
        } catch {
            throw RuleTestError("\(path): \(describe(error))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing key \"\(key.stringValue)\" at \(path(ctx.codingPath))"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx),
            DecodingError.dataCorrupted(let ctx):
            return "\(ctx.debugDescription) at \(path(ctx.codingPath))"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}

/// A number that YAML may write as a number or a string (`Inf`, `NaN`, `1e3`).
public struct FlexibleDouble: Decodable, Sendable {
    public var value: Double

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Double.self) {
            value = d
            return
        }
        let s = try c.decode(String.self)
        guard let d = SeriesNotation.number(s.trimmingCharacters(in: .whitespaces)) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a number: \(s)")
        }
        value = d
    }
}
