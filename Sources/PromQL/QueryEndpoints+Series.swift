import LabelMatchers
import PromModel
import SeriesStorage

/// Prometheus's `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/<name>/values` and
/// `/api/v1/query_exemplars` over the store, with Prometheus's parameters (`match[]`,
/// `start` and `end`, which default to its minimum and maximum times, and `limit` from
/// Prometheus 2.51: the first `limit` answers and the warning `results truncated due to
/// limit`) and its error wording. Grafana's metric browser and variables call them; so do
/// `promtool query series|labels`.
extension QueryEndpoints {
    /// The earliest and latest times a request may name (milliseconds): Prometheus's
    /// `minTime` and `maxTime`, the defaults of `start` and `end`.
    static let minTime = APITime.minSeconds * 1000
    static let maxTime = APITime.maxSeconds * 1000 + 999

    /// The selectors of `match[]`, each parsed as Prometheus parses a series selector: a
    /// vector selector alone, with at least one matcher that does not match the empty string.
    static func selectors(_ params: APIParameters, prefixed: Bool) -> Result<[[LabelMatcher]], Answer> {
        var out: [[LabelMatcher]] = []
        for text in params.all("match[]") {
            let message: String
            do throws(QueryError) {
                if case .vectorSelector(let s) = try PromQLParser.parse(text), s.offset == 0, s.at == nil {
                    out.append(s.matchers)
                    continue
                }
                message = "1:1: parse error: expected a series selector (a metric name and/or matchers), got \"\(text.prefix(200))\""
            } catch {
                message = "\(error)"
            }
            return .failure(Answer(400, error("bad_data", prefixed ? "invalid parameter \"match[]\": \(message)" : message)))
        }
        return .success(out)
    }

    /// `start` and `end`, Prometheus's minimum and maximum times when absent. An end before
    /// the start is not an error (Prometheus answers nothing for it).
    static func range(_ params: APIParameters) -> Result<(Int64, Int64), Answer> {
        do throws(Answer) {
            return .success((try time(params, "start", default: minTime).get(), try time(params, "end", default: maxTime).get()))
        } catch {
            return .failure(error)
        }
    }

    /// `limit`: nil for none (absent, empty or 0).
    static func limit(_ params: APIParameters) -> Result<Int?, Answer> {
        guard let text = params["limit"], !text.isEmpty else { return .success(nil) }
        guard let n = Int(text) else {
            return .failure(Answer(400, error("bad_data", "invalid parameter \"limit\": strconv.Atoi: parsing \(quoted(text)): invalid syntax")))
        }
        guard n >= 0 else { return .failure(Answer(400, error("bad_data", "invalid parameter \"limit\": limit must be non-negative"))) }
        return .success(n == 0 ? nil : n)
    }

    /// A success with a list cut to `limit`, and Prometheus's warning when cut.
    static func limited(_ count: Int, _ limit: Int?, _ item: (inout JSONWriter, Int) -> Void) -> String {
        let n = limit.map { min($0, count) } ?? count
        var w = JSONWriter()
        w.beginObject()
        w.value("status", "success")
        w.beginArray("data")
        for i in 0..<n { item(&w, i) }
        w.endArray()
        if n < count {
            w.beginArray("warnings")
            w.value(nil, "results truncated due to limit")
            w.endArray()
        }
        w.endObject()
        return w.output
    }

    /// `/api/v1/series?match[]=…&start=…&end=…&limit=…`: the label sets of the series with a
    /// sample in the range, in label order.
    package func series(_ params: APIParameters) -> (Int, String) {
        do throws(Answer) {
            guard !params.all("match[]").isEmpty else { throw Answer(400, Self.error("bad_data", "no match[] parameter provided")) }
            let selectors = try Self.selectors(params, prefixed: true).get()
            let (start, end) = try Self.range(params).get()
            let limit = try Self.limit(params).get()
            let found = store.series(matching: selectors, start: start, end: end)
            return (200, Self.limited(found.count, limit) { w, i in
                w.beginObject()
                found[i].forEach { name, value in w.value(name, value) }
                w.endObject()
            })
        } catch {
            return (error.status, error.body)
        }
    }

    /// `/api/v1/labels?match[]=…&start=…&end=…&limit=…`: the label names of those series
    /// (every series without `match[]`), sorted as Go sorts strings (by bytes).
    package func labelNames(_ params: APIParameters) -> (Int, String) {
        do throws(Answer) {
            let selectors = try Self.selectors(params, prefixed: false).get()
            let (start, end) = try Self.range(params).get()
            let limit = try Self.limit(params).get()
            var names = Set<String>()
            for labels in store.series(matching: selectors, start: start, end: end) { labels.forEach { name, _ in names.insert(name) } }
            let sorted = names.sortedByBytes()
            return (200, Self.limited(sorted.count, limit) { w, i in w.value(nil, sorted[i]) })
        } catch {
            return (error.status, error.body)
        }
    }

    /// `/api/v1/label/<name>/values?match[]=…&start=…&end=…&limit=…`: the values `name` takes
    /// in those series, sorted by bytes; `__name__` gives the metric names.
    package func labelValues(_ name: String, _ params: APIParameters) -> (Int, String) {
        do throws(Answer) {
            guard NameValidation.isLabelName(name) else { throw Answer(400, Self.error("bad_data", "invalid label name: \(quoted(name))")) }
            let selectors = try Self.selectors(params, prefixed: false).get()
            let (start, end) = try Self.range(params).get()
            let limit = try Self.limit(params).get()
            var values = Set<String>()
            for labels in store.series(matching: selectors, start: start, end: end) {
                let v = labels[name]
                if !v.isEmpty { values.insert(v) }
            }
            let sorted = values.sortedByBytes()
            return (200, Self.limited(sorted.count, limit) { w, i in w.value(nil, sorted[i]) })
        } catch {
            return (error.status, error.body)
        }
    }

    /// `/api/v1/query_exemplars?query=…&start=…&end=…`: ctlmon keeps no exemplars, so the
    /// answer is an empty list once the parameters are checked as Prometheus checks them (and
    /// 204 with no body for a query without selectors, as Prometheus).
    package func exemplars(_ params: APIParameters) -> (Int, String) {
        do throws(Answer) {
            let (start, end) = try Self.range(params).get()
            guard end >= start else { throw Answer(400, Self.error("bad_data", "end timestamp must not be before start timestamp")) }
            let expr: Expr
            do throws(QueryError) { expr = try PromQLParser.parse(params["query"] ?? "") } catch {
                throw Answer(400, Self.error("bad_data", "\(error)"))
            }
            if expr.selectorReaches.isEmpty { return (204, "") }
            return (200, Self.success("[]"))
        } catch {
            return (error.status, error.body)
        }
    }
}
