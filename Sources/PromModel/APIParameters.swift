/// A request's parameters as Go's `Request.FormValue` reads them: the URL's query string and,
/// for a POST with `Content-Type: application/x-www-form-urlencoded`, its body, the body's
/// values first (Grafana's Prometheus data source POSTs its queries). `+` is a space, `%XX`
/// a byte; a name may repeat (`match[]`).
package struct APIParameters: Sendable {
    private var values: [String: [String]] = [:]

    /// No parameters.
    package init() {}

    /// The parameters of a query string and of a form body (either may be nil).
    package init(query: String?, form: String? = nil) {
        if let form { add(form) }
        if let query { add(query) }
    }

    /// Parameters from a dictionary (tests, the fuzzer): one value per name.
    package init(_ dictionary: [String: String]) {
        for (k, v) in dictionary { values[k] = [v] }
    }

    /// The first value of `name`, nil when absent.
    package subscript(name: String) -> String? { values[name]?.first }

    /// Every value of `name`, in order.
    package func all(_ name: String) -> [String] { values[name] ?? [] }

    private mutating func add(_ encoded: String) {
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[Self.decode(parts[0]), default: []].append(parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    private static func decode(_ s: Substring) -> String {
        PercentEncoding.decodeFormValue(s) ?? String(s)
    }
}
