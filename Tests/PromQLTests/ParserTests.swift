import PromModel
import PromQL
import SeriesStorage
import Testing

/// The PromQL parser: precedence, associativity, every construct, and errors with positions.
@Suite("PromQL parser")
struct ParserTests {
    func tree(_ text: String) throws -> String { try PromQLParser.parse(text).description }

    @Test("precedence and associativity", arguments: [
        ("a - b - c", "((a - b) - c)"),
        ("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"),
        ("-a ^ 2", "-(a ^ 2)"),
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c", "((a * b) + c)"),
        ("a or b and c", "(a or (b and c))"),
        ("a and b unless c", "((a and b) unless c)"),
        ("a > b + 1", "(a > (b + 1))"),
        ("a == bool b", "(a == bool b)"),
        ("a % b / c", "((a % b) / c)"),
        ("a atan2 b ^ c", "(a atan2 (b ^ c))"),
        ("-2 ^ 2", "-(2 ^ 2)"),
        ("- 1", "-1"),
        ("(a + b) * c", "(((a + b)) * c)"),
    ])
    func precedence(_ text: String, _ expected: String) throws {
        #expect(try tree(text) == expected)
    }

    @Test("selectors, ranges, offsets, subqueries, aggregations and calls")
    func constructs() throws {
        #expect(try tree(#"http_requests_total{job="api", code=~"5..", method!="GET", path!~"/health.*",}"#)
            == #"http_requests_total{job="api", code=~"5..", method!="GET", path!~"/health.*"}"#)
        #expect(try tree("rate(x[1h30m] offset 5m)") == "rate(x[1h30m] offset 5m)")
        #expect(try tree("max_over_time(rate(x[5m])[1h:1m])") == "max_over_time(rate(x[5m])[1h:1m])")
        #expect(try tree("min_over_time(x[10m:])") == "min_over_time(x[10m:])")
        #expect(try tree("sum by (job, le) (rate(x_bucket[5m]))") == "sum by (job, le)(rate(x_bucket[5m]))")
        #expect(try tree("sum(rate(x[5m])) without (instance)") == "sum without (instance)(rate(x[5m]))")
        #expect(try tree("topk(3, x)") == "topk(3, x)")
        #expect(try tree(#"count_values("v", x)"#) == #"count_values("v", x)"#)
        #expect(try tree("a / on(job) group_left(team) b") == "(a / on(job) group_left(team) b)")
        #expect(try tree("a * ignoring(code) group_right b") == "(a * ignoring(code) group_right() b)")
        #expect(try tree("job:rate5m:sum > 1") == "(job:rate5m:sum > 1)")
        #expect(try tree("x # a comment\n + 1") == "(x + 1)")
        #expect(try tree("{__name__=~\"a|b\"}") == "{__name__=~\"a|b\"}")
        #expect(try tree("0x1F + 1e3 + Inf") == "((31 + 1000) + +Inf)")
        #expect(try tree("histogram_quantile(0.99, sum by (le) (rate(x[5m]))) or vector(0)")
            == "(histogram_quantile(0.99, sum by (le)(rate(x[5m]))) or vector(0))")
        #expect(try tree("label_join(x, \"d\", \",\", \"a\", \"b\", \"c\")") == #"label_join(x, "d", ",", "a", "b", "c")"#)
    }

    @Test("errors name line and column and what was expected", arguments: [
        ("sum(rate(x[5m])", "1:16: unexpected end of input, expected \")\""),
        ("rate(x)", "1:1: expected type range vector in call to function \"rate\", got instant vector"),
        ("foo(x)", "1:1: unknown function with name \"foo\""),
        ("x[5]", "1:3: unexpected \"5\", expected a duration range"),
        ("1 > 2", "1:3: comparisons between scalars must use BOOL modifier"),
        ("1 and x", "1:3: set operator \"and\" not allowed in binary scalar expression"),
        ("x + bool y", "1:5: bool modifier can only be used on comparison operators"),
        ("{job=~\".*\"}", "1:1: vector selector must contain at least one non-empty matcher"),
        ("x{a=\"b\"", "1:8: unexpected end of input, expected \",\" or \"}\""),
        ("x{a=b}", "1:5: unexpected \"b\", expected a quoted label value"),
        ("rate(x[5m]) + )", "1:15: unexpected \")\", expected an expression"),
        ("x[5m] + 1", "1:7: binary expression must contain only scalar and instant vector types"),
        ("(x + y)[5m]", "1:8: ranges only allowed for vector selectors"),
        ("x offset", "1:9: unexpected end of input, expected a duration after offset"),
        ("sum(x) by (a) by (b)", "1:15: unexpected \"by\", expected the end of the expression or an operator"),
        ("x\n  + )", "2:5: unexpected \")\", expected an expression"),
        ("x{a=~\"(\"}", "1:6: invalid regular expression \"(\""),
        ("1 +", "1:4: unexpected end of input, expected an expression"),
        ("\"abc", "1:1: unterminated quoted string"),
    ])
    func errors(_ text: String, _ expected: String) {
        do {
            _ = try PromQLParser.parse(text)
            Issue.record("\(text.debugDescription) should not parse")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(text.debugDescription): \(error.description)")
            #expect(error.kind == .parse)
        }
    }

    @Test("durations combine units largest first")
    func durations() throws {
        #expect(try tree("x[1h30m]") == "x[1h30m]")
        #expect(try tree("x[90s]") == "x[1m30s]")
        #expect(try tree("x[1w]") == "x[1w]")
        #expect(try tree("x[500ms]") == "x[500ms]")
        #expect(throws: QueryError.self) { try PromQLParser.parse("x[30m1h]") }
    }
}
