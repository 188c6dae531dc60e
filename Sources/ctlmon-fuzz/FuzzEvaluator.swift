import PromModel
import PromQL
import SeriesStorage

/// PromQL parsed and evaluated over a small fixed store: every expression gives a value or
/// an error, within the sample budget.
enum FuzzEvaluator {
    static let store: SeriesStore = {
        let store = SeriesStore()
        let series: [([(String, String)], [Double])] = [
            ([("__name__", "x"), ("a", "1")], [1, 2, 3, .nan, 5, 6]),
            ([("__name__", "x"), ("a", "2"), ("b", "q")], [10, 0, 30, 40, .infinity, 1e308]),
            ([("__name__", "c_total"), ("job", "a")], [0, 5, 10, 2, 7, 9]),
            ([("__name__", "h_bucket"), ("le", "0.5")], [0, 1, 2, 3, 4, 5]),
            ([("__name__", "h_bucket"), ("le", "1")], [0, 2, 4, 6, 8, 10]),
            ([("__name__", "h_bucket"), ("le", "+Inf")], [0, 3, 6, 9, 12, 15]),
            ([("__name__", "g"), ("a", "1")], [-1, 0, SeriesStore.staleNaN, 2, -0.0, .leastNonzeroMagnitude]),
        ]
        for (labels, values) in series {
            store.append(Labels(labels), timestamps: values.indices.map { Int64($0) * 60_000 }, values: values)
        }
        return store
    }()

    static func run(_ text: String) {
        guard let expr = try? PromQLParser.parse(text) else { return }
        let evaluator = Evaluator(store: store)
        evaluator.maxSamples = 1_000_000
        for t: Int64 in [0, 150_000, 300_000] {
            _ = try? evaluator.evaluate(expr, at: t)
        }
        _ = try? evaluator.evaluateRange(expr, start: 0, end: 300_000, step: 60_000)
    }
}
