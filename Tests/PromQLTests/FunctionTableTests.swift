import PromModel
import PromQL
import SeriesStorage
import Testing

/// The function table (what parses) and the evaluator (what runs) agree: a function in
/// the table but missing from the evaluator would parse and then fail at run time, as
/// Prometheus's `TestFunctionList` guards against.
@Suite("function table")
struct FunctionTableTests {
    /// Valid arguments for each argument type; some functions need particular values.
    static func arguments(_ f: Function) -> [String] {
        switch f.name {
        case "label_replace": return ["x", "\"dst\"", "\"$1\"", "\"job\"", "\"(.*)\""]
        case "label_join": return ["x", "\"dst\"", "\",\"", "\"job\"", "\"instance\""]
        case "holt_winters": return ["x[5m]", "0.5", "0.5"]
        case "histogram_quantile", "quantile_over_time": return ["0.5"] + (f.name == "histogram_quantile" ? ["x"] : ["x[5m]"])
        case "histogram_fraction": return ["0", "1", "x"]
        default:
            return f.argumentTypes.map { type in
                switch type {
                case .vector: "x"
                case .matrix: "x[5m]"
                case .scalar: "1"
                case .string: "\"a\""
                }
            }
        }
    }

    @Test("every function in the table evaluates with arguments of its declared types")
    func everyFunctionRuns() throws {
        let store = SeriesStore()
        for t in stride(from: Int64(0), through: 300_000, by: 15_000) {
            store.append(Labels([("__name__", "x"), ("job", "j"), ("instance", "i"), ("le", "1")]), timestamp: t, value: Double(t) / 1000)
        }
        #expect(Function.all.count >= 70)
        for (name, f) in Function.all.sorted(by: { $0.key < $1.key }) {
            let text = "\(name)(\(Self.arguments(f).joined(separator: ", ")))"
            let expr = try PromQLParser.parse(text)
            do {
                let value = try Evaluator(store: store).evaluate(expr, at: 300_000)
                #expect(value.type == (f.returnType == .scalar ? .scalar : .vector), "\(text)")
            } catch {
                Issue.record("\(text): \(error)")
            }
        }
    }

    @Test("every function the evaluator implements by table is in the function table")
    func implementationsAreDeclared() {
        for name in Evaluator.mathFunctions.keys { #expect(Function.all[name]?.argumentTypes == [.vector], "\(name)") }
        for name in Evaluator.dateFunctions.keys { #expect(Function.all[name]?.argumentTypes == [.vector], "\(name)") }
    }

    @Test("a name not in the table is a parse error, not a run-time one")
    func unknownFunctionsDoNotParse() {
        #expect(throws: QueryError.self) { try PromQLParser.parse("no_such_function(x)") }
    }
}
