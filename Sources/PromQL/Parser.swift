import LabelMatchers
import PromModel
import SeriesStorage
/// Parses PromQL text into an ``Expr``, with Prometheus's precedence and
/// type rules; every error names its line and column.
///
/// ```swift
/// let expr = try PromQLParser.parse("sum by (verb) (rate(apiserver_request_total[5m]))")
/// ```
///
/// Expressions may nest at most ``maxDepth`` levels (parentheses, operators, calls,
/// subqueries): Prometheus's Go parser has no limit because Go stacks grow to 1 GiB;
/// ctlmon's recursive parser and evaluator need one, far above any real rule.
package struct PromQLParser {
    private var tokens: [Token]
    private var k = 0
    private let lexer: Lexer
    /// How many expressions are being parsed inside one another right now.
    private var nesting = 0

    /// The deepest nesting an expression may have.
    package static let maxDepth = 256

    /// Parses one complete expression. Throws a ``QueryError`` of kind `.parse`, at the line and
    /// column of the first problem, or when the expression nests deeper than ``maxDepth``.
    package static func parse(_ text: String) throws(QueryError) -> Expr {
        var parser = try PromQLParser(text)
        let expr = try parser.parseExpression(minPrecedence: 1)
        guard parser.current.kind == .eof else { throw parser.unexpected("the end of the expression or an operator") }
        if expr.height > maxDepth { throw parser.lexer.error(at: 0, tooDeep) }
        return expr
    }

    static let tooDeep = "expression nested more than \(maxDepth) levels deep"

    /// The most tokens an expression may have: a hundred times the largest real rule, and a
    /// bound on the memory a rule file's expression costs before it is refused.
    package static let maxTokens = 100_000

    /// Parses a duration such as `5m` or `1h30m` into milliseconds (`0` too, as Prometheus's
    /// configuration durations allow).
    package static func parseDuration(_ text: String) throws(QueryError) -> Int64 {
        do {
            return try PromDuration.milliseconds(Substring(text))
        } catch {
            let message = error == .invalid ? "not a valid duration string" : "duration out of range"
            throw QueryError(kind: .parse, line: 1, column: 1, message: "\(message): \"\(text)\"")
        }
    }

    private init(_ text: String) throws(QueryError) {
        lexer = Lexer(text)
        var l = lexer
        tokens = try l.tokens()
    }

    // MARK: tokens

    private var current: Token { tokens[k] }
    private func peek(_ n: Int = 1) -> Token { tokens[min(k + n, tokens.count - 1)] }
    private mutating func advance() -> Token {
        let t = tokens[k]
        if k < tokens.count - 1 { k += 1 }
        return t
    }

    private func describe(_ t: Token) -> String {
        t.kind == .eof ? "end of input" : "\"\(t.text)\""
    }

    private func unexpected(_ expected: String) -> QueryError {
        lexer.error(at: current.offset, "unexpected \(describe(current)), expected \(expected)")
    }

    private func error(_ t: Token, _ message: String) -> QueryError { lexer.error(at: t.offset, message) }

    private mutating func expect(_ kind: Token.Kind, _ what: String) throws(QueryError) -> Token {
        guard current.kind == kind else { throw unexpected(what) }
        return advance()
    }

    private func isKeyword(_ t: Token, _ word: String) -> Bool {
        t.kind == .identifier && t.text.lowercased() == word
    }

    // MARK: binary expressions

    private func binaryOperator(_ t: Token) -> BinaryOperator? {
        switch t.kind {
        case .add: .add
        case .sub: .sub
        case .mul: .mul
        case .div: .div
        case .mod: .mod
        case .pow: .pow
        case .eqlCompare: .equal
        case .notEqual: .notEqual
        case .gtr: .greater
        case .lss: .less
        case .gte: .greaterOrEqual
        case .lte: .lessOrEqual
        case .identifier:
            switch t.text.lowercased() {
            case "and": .and
            case "or": .or
            case "unless": .unless
            case "atan2": .atan2
            default: nil
            }
        default: nil
        }
    }

    private mutating func parseExpression(minPrecedence: Int) throws(QueryError) -> Expr {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Self.maxDepth { throw error(current, Self.tooDeep) }
        var lhs = try parseUnary()
        var chain = 0
        while let op = binaryOperator(current), op.precedence >= minPrecedence {
            let opToken = advance()
            chain += 1
            if chain > Self.maxDepth { throw error(opToken, Self.tooDeep) }
            var returnBool = false
            if isKeyword(current, "bool") {
                guard op.isComparison else { throw error(current, "bool modifier can only be used on comparison operators") }
                _ = advance()
                returnBool = true
            }
            var matching: VectorMatching? = nil
            if isKeyword(current, "on") || isKeyword(current, "ignoring") {
                var m = VectorMatching()
                m.on = isKeyword(advance(), "on")
                m.labels = try parseLabelList()
                if isKeyword(current, "group_left") || isKeyword(current, "group_right") {
                    guard !op.isSetOperator else { throw error(current, "no grouping allowed for \"\(op.rawValue)\" operation") }
                    m.cardinality = isKeyword(advance(), "group_left") ? .manyToOne : .oneToMany
                    if current.kind == .leftParen { m.include = try parseLabelList() }
                }
                matching = m
            } else if isKeyword(current, "group_left") || isKeyword(current, "group_right") {
                throw unexpected("on(...) or ignoring(...) before \(current.text)")
            }
            let rhs = try parseExpression(minPrecedence: op.isRightAssociative ? op.precedence : op.precedence + 1)
            lhs = try makeBinary(op, lhs, rhs, matching: matching, returnBool: returnBool, at: opToken)
        }
        return lhs
    }

    private func makeBinary(
        _ op: BinaryOperator, _ lhs: Expr, _ rhs: Expr, matching: VectorMatching?, returnBool: Bool, at t: Token
    ) throws(QueryError) -> Expr {
        for side in [lhs, rhs] where side.type != .scalar && side.type != .vector {
            throw error(t, "binary expression must contain only scalar and instant vector types")
        }
        let bothVectors = lhs.type == .vector && rhs.type == .vector
        if op.isSetOperator {
            guard bothVectors else { throw error(t, "set operator \"\(op.rawValue)\" not allowed in binary scalar expression") }
        }
        if op.isComparison && lhs.type == .scalar && rhs.type == .scalar && !returnBool {
            throw error(t, "comparisons between scalars must use BOOL modifier")
        }
        var matching = matching
        if let m = matching, !bothVectors {
            // Prometheus drops on()/ignoring() without labels (and their grouping) on a scalar operand.
            guard m.labels.isEmpty else { throw error(t, "vector matching only allowed between instant vectors") }
            matching = nil
        }
        if bothVectors {
            var m = matching ?? VectorMatching()
            if op.isSetOperator { m.cardinality = .manyToMany }
            matching = m
            for l in m.include where m.on && m.labels.contains(l) {
                throw error(t, "label \"\(l)\" must not occur in ON and GROUP clause at once")
            }
        }
        return .binary(op, lhs, rhs, matching: matching, returnBool: returnBool)
    }

    // MARK: unary and postfix

    private mutating func parseUnary() throws(QueryError) -> Expr {
        if current.kind == .sub || current.kind == .add {
            let sign = advance()
            // Unary minus binds looser than `^`: -a ^ 2 is -(a ^ 2).
            let operand = try parseExpression(minPrecedence: BinaryOperator.pow.precedence)
            guard operand.type == .scalar || operand.type == .vector else {
                throw error(sign, "unary expression only allowed on expressions of type scalar or instant vector")
            }
            if sign.kind == .add { return operand }
            if case .number(let v) = operand { return .number(-v) }
            return .unary(negate: true, operand)
        }
        return try parsePostfix(try parsePrimary())
    }

    private mutating func parsePostfix(_ base: Expr) throws(QueryError) -> Expr {
        var expr = base
        while true {
            if current.kind == .leftBracket {
                let open = advance()
                let range = try parseDuration("a duration range")
                if current.kind == .colon {
                    _ = advance()
                    var step: Int64 = 0
                    if current.kind != .rightBracket { step = try parseDuration("a subquery step") }
                    _ = try expect(.rightBracket, "\"]\"")
                    guard expr.type == .vector else {
                        throw error(open, "subquery is only allowed on instant vector, got \(expr.type.rawValue)")
                    }
                    expr = .subquery(expr, range: range, step: step, offset: 0, at: nil)
                } else {
                    _ = try expect(.rightBracket, "\"]\" or \":\" of a subquery")
                    guard case .vectorSelector(let sel) = expr else {
                        throw error(open, "ranges only allowed for vector selectors")
                    }
                    if sel.offset != 0 { throw error(open, "no offset modifiers allowed before range") }
                    if sel.at != nil { throw error(open, "no @ modifiers allowed before range") }
                    expr = .matrixSelector(sel, range: range)
                }
            } else if isKeyword(current, "offset") {
                let at = advance()
                var sign: Int64 = 1
                if current.kind == .sub {
                    _ = advance()
                    sign = -1
                }
                let d = try parseDuration("a duration after offset") * sign
                switch expr {
                case .vectorSelector(var s) where s.offset == 0:
                    s.offset = d
                    expr = .vectorSelector(s)
                case .matrixSelector(var s, let range) where s.offset == 0:
                    s.offset = d
                    expr = .matrixSelector(s, range: range)
                case .subquery(let e, let range, let step, 0, let pin):
                    expr = .subquery(e, range: range, step: step, offset: d, at: pin)
                case .vectorSelector, .matrixSelector, .subquery:
                    throw error(at, "offset may not be set multiple times")
                default:
                    throw error(at, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery")
                }
            } else if current.kind == .at {
                let at = advance()
                let modifier = try parseAtModifier()
                switch expr {
                case .vectorSelector(var s) where s.at == nil:
                    s.at = modifier
                    expr = .vectorSelector(s)
                case .matrixSelector(var s, let range) where s.at == nil:
                    s.at = modifier
                    expr = .matrixSelector(s, range: range)
                case .subquery(let e, let range, let step, let offset, nil):
                    expr = .subquery(e, range: range, step: step, offset: offset, at: modifier)
                case .vectorSelector, .matrixSelector, .subquery:
                    throw error(at, "@ <timestamp> may not be set multiple times")
                default:
                    throw error(at, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery")
                }
            } else {
                return expr
            }
        }
    }

    /// After `@`: a (signed) number of seconds, `start()` or `end()`.
    private mutating func parseAtModifier() throws(QueryError) -> AtModifier {
        if isKeyword(current, "start") || isKeyword(current, "end") {
            let which = advance()
            _ = try expect(.leftParen, "\"(\"")
            _ = try expect(.rightParen, "\")\"")
            return which.text.lowercased() == "start" ? .start : .end
        }
        var sign = 1.0
        if current.kind == .sub || current.kind == .add {
            if advance().kind == .sub { sign = -1 }
        }
        let t = current
        guard t.kind == .number || (t.kind == .identifier && ["inf", "nan"].contains(t.text.lowercased())) else {
            throw unexpected("a timestamp, start() or end() after @")
        }
        _ = advance()
        let seconds = sign * (t.kind == .number ? try number(t) : (t.text.lowercased() == "inf" ? .infinity : .nan))
        // Prometheus keeps @ times as int64 milliseconds.
        guard seconds.isFinite, seconds < 9_223_372_036_854_775_807.0, seconds > -9_223_372_036_854_775_808.0 else {
            throw error(t, "timestamp out of bounds for @ modifier: \(Self.goFixed6(seconds))")
        }
        let ms = (seconds * 1000).rounded(.toNearestOrAwayFromZero)
        guard ms.magnitude < 9.2e18 else { throw error(t, "timestamp out of bounds for @ modifier: \(Self.goFixed6(seconds))") }
        return .time(Int64(ms))
    }

    private static func goFixed6(_ v: Double) -> String {
        v.isNaN ? "NaN" : v.isInfinite ? (v > 0 ? "+Inf" : "-Inf") : String(v)
    }

    private mutating func parseDuration(_ what: String) throws(QueryError) -> Int64 {
        guard current.kind == .duration else { throw unexpected(what) }
        let t = advance()
        let d: Int64
        do {
            d = try PromDuration.milliseconds(t.text)
        } catch {
            throw self.error(t, error == .invalid ? "bad duration \"\(t.text)\"" : "duration out of range")
        }
        // Every duration inside an expression (range, subquery step, offset) must be positive.
        if d == 0 { throw error(t, "duration must be greater than 0") }
        return d
    }

    // MARK: primaries

    private mutating func parsePrimary() throws(QueryError) -> Expr {
        let t = current
        switch t.kind {
        case .number:
            _ = advance()
            return .number(try number(t))
        case .string:
            _ = advance()
            return .string(try unquote(t))
        case .leftParen:
            _ = advance()
            let inner = try parseExpression(minPrecedence: 1)
            _ = try expect(.rightParen, "\")\"")
            return .parens(inner)
        case .leftBrace:
            return try parseSelector(name: nil, at: t)
        case .identifier:
            let word = String(t.text)
            let lower = word.lowercased()
            if let agg = AggregationOperator(rawValue: lower),
                peek().kind == .leftParen || isKeyword(peek(), "by") || isKeyword(peek(), "without")
            {
                _ = advance()
                return try parseAggregation(agg, at: t)
            }
            if peek().kind == .leftParen {
                guard let f = Function.all[word] else { throw error(t, "unknown function with name \"\(word)\"") }
                _ = advance()
                return try parseCall(f, at: t)
            }
            if lower == "inf" || lower == "nan" {
                _ = advance()
                return .number(lower == "inf" ? .infinity : .nan)
            }
            if binaryOperator(t) != nil || ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"].contains(lower) {
                throw unexpected("an expression")
            }
            _ = advance()
            return try parseSelector(name: word, at: t)
        default:
            throw unexpected("an expression")
        }
    }

    private mutating func parseSelector(name: String?, at start: Token) throws(QueryError) -> Expr {
        var matchers: [LabelMatcher] = []
        if let name { matchers.append(.equal("__name__", name)) }
        if current.kind == .leftBrace {
            _ = advance()
            while current.kind != .rightBrace {
                guard current.kind == .identifier || current.kind == .string else { throw unexpected("a label name") }
                let labelToken = advance()
                let label = labelToken.kind == .string ? try unquote(labelToken) : String(labelToken.text)
                let op: LabelMatcher.Op
                switch current.kind {
                case .equal: op = .equal
                case .notEqual: op = .notEqual
                case .regexMatch: op = .regexMatch
                case .regexNoMatch: op = .regexNoMatch
                default: throw unexpected("a label matching operator (=, !=, =~ or !~)")
                }
                _ = advance()
                guard current.kind == .string else { throw unexpected("a quoted label value") }
                let valueToken = advance()
                do throws(QueryError) {
                    let value = try unquote(valueToken)
                    do {
                        matchers.append(try LabelMatcher(name: label, op: op, value: value))
                    } catch {
                        throw QueryError(kind: .parse, message: error.message)
                    }
                } catch {
                    throw self.error(valueToken, error.message)
                }
                if current.kind == .comma {
                    _ = advance()
                } else if current.kind != .rightBrace {
                    throw unexpected("\",\" or \"}\"")
                }
            }
            _ = advance()
        }
        if name != nil && matchers.filter({ $0.name == "__name__" }).count > 1 {
            throw error(start, "metric name must not be set twice: \(quoted(name!))")
        }
        guard matchers.contains(where: { !$0.matches("") }) else {
            throw error(start, "vector selector must contain at least one non-empty matcher")
        }
        let metricName = matchers.first { $0.name == "__name__" && $0.op == .equal }?.value
        return .vectorSelector(VectorSelector(name: metricName, matchers: matchers, offset: 0))
    }

    private mutating func parseLabelList() throws(QueryError) -> [String] {
        _ = try expect(.leftParen, "\"(\"")
        var labels: [String] = []
        while current.kind != .rightParen {
            guard current.kind == .identifier, !current.text.contains(":") else { throw unexpected("a label name") }
            labels.append(String(advance().text))
            if current.kind == .comma {
                _ = advance()
            } else if current.kind != .rightParen {
                throw unexpected("\",\" or \")\"")
            }
        }
        _ = advance()
        return labels
    }

    private mutating func parseAggregation(_ op: AggregationOperator, at t: Token) throws(QueryError) -> Expr {
        var grouping: [String] = []
        var without = false
        var sawClause = false
        if isKeyword(current, "by") || isKeyword(current, "without") {
            without = isKeyword(advance(), "without")
            grouping = try parseLabelList()
            sawClause = true
        }
        _ = try expect(.leftParen, "\"(\"")
        var parameter: Expr? = nil
        if op.takesParameter {
            parameter = try parseExpression(minPrecedence: 1)
            _ = try expect(.comma, "\",\" after the parameter of \(op.rawValue)")
        }
        let operand = try parseExpression(minPrecedence: 1)
        _ = try expect(.rightParen, "\")\"")
        if !sawClause && (isKeyword(current, "by") || isKeyword(current, "without")) {
            without = isKeyword(advance(), "without")
            grouping = try parseLabelList()
        }
        guard operand.type == .vector else {
            throw error(t, "expected type instant vector in aggregation expression, got \(operand.type.rawValue)")
        }
        if let parameter {
            let want: ValueType = op == .countValues ? .string : .scalar
            guard parameter.type == want else {
                throw error(t, "expected type \(want.rawValue) in aggregation parameter, got \(parameter.type.rawValue)")
            }
        }
        return .aggregate(op, operand, parameter: parameter, grouping: grouping, without: without)
    }

    private mutating func parseCall(_ f: Function, at t: Token) throws(QueryError) -> Expr {
        _ = try expect(.leftParen, "\"(\"")
        var args: [Expr] = []
        while current.kind != .rightParen {
            args.append(try parseExpression(minPrecedence: 1))
            if current.kind == .comma {
                _ = advance()
            } else if current.kind != .rightParen {
                throw unexpected("\",\" or \")\"")
            }
        }
        _ = advance()
        let n = f.argumentTypes.count
        let minimum = f.optional < 0 ? n - 1 : n - f.optional
        if args.count < minimum || (f.optional >= 0 && args.count > n) {
            let count = f.optional == 0 ? "\(n)" : f.optional < 0 ? "at least \(minimum)" : "\(minimum) to \(n)"
            throw error(t, "expected \(count) argument(s) in call to \"\(f.name)\", got \(args.count)")
        }
        for (i, arg) in args.enumerated() {
            let want = f.argumentTypes[min(i, n - 1)]
            guard arg.type == want else {
                throw error(t, "expected type \(want.rawValue) in call to function \"\(f.name)\", got \(arg.type.rawValue)")
            }
        }
        return .call(f, args)
    }

    // MARK: literals

    /// A number as Prometheus reads one: Go's `ParseInt(s, 0, 64)` first (so `0x1f` is hex and
    /// `017` octal), then `ParseFloat` (which refuses values out of range, such as `1e400`).
    private func number(_ t: Token) throws(QueryError) -> Double {
        let s = String(t.text)
        if let v = Self.goInt(s) { return Double(v) }
        guard let v = GoFloat.parse(s) else { throw error(t, "error parsing number: \(s)") }
        return v
    }

    /// `strconv.ParseInt(s, 0, 64)` for the digits PromQL's lexer produces.
    private static func goInt(_ s: String) -> Int64? {
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return Int64(s.dropFirst(2), radix: 16) }
        if s.count > 1 && s.hasPrefix("0") { return Int64(s.dropFirst(), radix: 8) }
        return Int64(s, radix: 10)
    }

    /// Go's string unquoting, as Prometheus's: C escapes, `\x` and three-digit octal escapes
    /// (single bytes), `\u`/`\U`; `\'` only inside '…' and `\"` only inside "…"; raw strings
    /// as written. Bytes that do not form UTF-8 become U+FFFD.
    private func unquote(_ t: Token) throws(QueryError) -> String {
        let text = Array(t.text.utf8)
        let quote = text[0]
        let body = text[1..<(text.count - 1)]
        if quote == UInt8(ascii: "`") { return String(decoding: body, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var i = body.startIndex
        func bad() -> QueryError { error(t, "invalid syntax in string \(t.text)") }
        while i < body.endIndex {
            let c = body[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < body.endIndex else { throw bad() }
            let e = body[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"): out.append(e)
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                guard e == quote else { throw bad() }
                out.append(e)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let digits = e == UInt8(ascii: "x") ? 2 : e == UInt8(ascii: "u") ? 4 : 8
                guard i + digits <= body.endIndex,
                    let v = UInt32(String(decoding: body[i..<(i + digits)], as: UTF8.self), radix: 16),
                    body[i..<(i + digits)].allSatisfy({ Lexer.isHexDigit($0) })
                else { throw bad() }
                i += digits
                if e == UInt8(ascii: "x") {
                    out.append(UInt8(v))
                } else {
                    guard v <= 0x10FFFF else { throw bad() }
                    out.append(contentsOf: Array(String(Unicode.Scalar(v).map(Character.init) ?? "\u{FFFD}").utf8))
                }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard i + 2 <= body.endIndex else { throw bad() }
                var v = UInt32(e - 0x30)
                for k in 0..<2 {
                    let d = body[i + k]
                    guard d >= 0x30 && d <= 0x37 else { throw bad() }
                    v = v << 3 | UInt32(d - 0x30)
                }
                guard v <= 255 else { throw bad() }
                i += 2
                out.append(UInt8(v))
            default:
                throw error(t, "unknown escape sequence \\\(Character(Unicode.Scalar(e))) in string")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
