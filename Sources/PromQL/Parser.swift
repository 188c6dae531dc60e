/// Parses PromQL text into an ``Expr``, with Prometheus's precedence and
/// type rules; every error names its line and column.
///
/// ```swift
/// let expr = try PromQLParser.parse("sum by (verb) (rate(apiserver_request_total[5m]))")
/// ```
public struct PromQLParser {
    private var tokens: [Token]
    private var k = 0
    private let lexer: Lexer

    public static func parse(_ text: String) throws(QueryError) -> Expr {
        var parser = try PromQLParser(text)
        let expr = try parser.parseExpression(minPrecedence: 1)
        guard parser.current.kind == .eof else { throw parser.unexpected("the end of the expression or an operator") }
        return expr
    }

    /// Parses a duration such as `5m` or `1h30m` into milliseconds.
    public static func parseDuration(_ text: String) throws(QueryError) -> Int64 {
        guard let d = Duration.parse(Substring(text)) else {
            throw QueryError(kind: .parse, line: 1, column: 1, message: "bad duration \"\(text)\"")
        }
        return d
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
        var lhs = try parseUnary()
        while let op = binaryOperator(current), op.precedence >= minPrecedence {
            let opToken = advance()
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
        if matching != nil && !bothVectors {
            throw error(t, "vector matching only allowed between instant vectors")
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
                    expr = .subquery(expr, range: range, step: step, offset: 0)
                } else {
                    _ = try expect(.rightBracket, "\"]\" or \":\" of a subquery")
                    guard case .vectorSelector(let sel) = expr else {
                        throw error(open, "ranges only allowed for vector selectors")
                    }
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
                case .subquery(let e, let range, let step, 0):
                    expr = .subquery(e, range: range, step: step, offset: d)
                default:
                    throw error(at, "offset modifier must be preceded by an instant vector selector, range vector selector or subquery")
                }
            } else if current.kind == .at {
                throw error(current, "the @ modifier is not supported by ctlmon")
            } else {
                return expr
            }
        }
    }

    private mutating func parseDuration(_ what: String) throws(QueryError) -> Int64 {
        guard current.kind == .duration else { throw unexpected(what) }
        let t = advance()
        guard let d = Duration.parse(t.text) else { throw error(t, "bad duration \"\(t.text)\"") }
        if d == 0 && what.contains("range") { throw error(t, "duration must be greater than 0") }
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
        if let name { matchers.append(try LabelMatcher(name: "__name__", op: .equal, value: name)) }
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
                do {
                    matchers.append(try LabelMatcher(name: label, op: op, value: try unquote(valueToken)))
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

    private func number(_ t: Token) throws(QueryError) -> Double {
        let s = String(t.text)
        if s.hasPrefix("0x") || s.hasPrefix("0X"), let v = UInt64(s.dropFirst(2), radix: 16) { return Double(v) }
        guard let v = Double(s) else { throw error(t, "bad number \"\(s)\"") }
        return v
    }

    private func unquote(_ t: Token) throws(QueryError) -> String {
        let body = t.text.dropFirst().dropLast()
        if t.text.first == "`" { return String(body) }
        var out = ""
        var it = body.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "\\" else {
                out.unicodeScalars.append(c)
                continue
            }
            guard let e = it.next() else { throw error(t, "unterminated escape in string") }
            switch e {
            case "n": out += "\n"
            case "t": out += "\t"
            case "r": out += "\r"
            case "a": out += "\u{07}"
            case "b": out += "\u{08}"
            case "f": out += "\u{0C}"
            case "v": out += "\u{0B}"
            case "\\", "\"", "'": out.unicodeScalars.append(e)
            case "x", "u", "U":
                let digits = e == "x" ? 2 : e == "u" ? 4 : 8
                var hex = ""
                for _ in 0..<digits { if let h = it.next() { hex.unicodeScalars.append(h) } }
                guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                    throw error(t, "invalid escape \\\(e)\(hex) in string")
                }
                out.unicodeScalars.append(scalar)
            default:
                // Go also has octal escapes (\101); PromQL rule files practically never use them.
                throw error(t, "unknown escape sequence \\\(e) in string")
            }
        }
        return out
    }
}
