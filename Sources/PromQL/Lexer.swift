import PromModel
import SeriesStorage

/// A PromQL token with its position (byte offset into the expression).
struct Token: Equatable {
    enum Kind: Equatable {
        case identifier       // metric names, label names, function names, keywords
        case number
        case string
        case duration
        case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
        case comma, colon, at
        case equal            // = (matcher)
        case notEqual, regexMatch, regexNoMatch
        case add, sub, mul, div, mod, pow
        case eqlCompare, gtr, lss, gte, lte
        case eof
    }

    var kind: Kind
    var text: Substring
    var offset: Int
}

/// Splits a PromQL expression into tokens. Comments (`#` to end of line) and
/// whitespace are skipped.
struct Lexer {
    private let source: [UInt8]
    private let text: String
    private var i = 0
    /// Whether a `[` is open: a colon inside is a subquery's separator (`[5m:1m]`), elsewhere
    /// it starts a metric name (`job:rate5m`), as Prometheus's lexer decides.
    private var bracketOpen = false
    /// Brackets of every kind open around the position: more than ``PromQLParser/maxDepth``
    /// fails here, before the rest is read.
    private var depth = 0

    init(_ text: String) {
        self.text = text
        self.source = Array(text.utf8)
    }

    /// 1-based line and column (in characters) of a byte offset.
    static func position(in text: String, offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var k = 0
        for b in text.utf8 {
            if k >= offset { break }
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            k += 1
        }
        return (line, column)
    }

    func error(at offset: Int, _ message: String) -> QueryError {
        let (line, column) = Self.position(in: text, offset: offset)
        return QueryError(kind: .parse, line: line, column: column, message: message)
    }

    private func substring(_ from: Int, _ to: Int) -> Substring {
        let utf8 = text.utf8
        let a = utf8.index(utf8.startIndex, offsetBy: from)
        let b = utf8.index(utf8.startIndex, offsetBy: to)
        return text[a..<b]
    }

    private func peek(_ k: Int = 0) -> UInt8 { i + k < source.count ? source[i + k] : 0 }

    /// Identifiers are metric names (keywords, functions and label names are among them).
    static func isIdentifierStart(_ c: UInt8) -> Bool { NameValidation.isMetricNameStart(c) }

    static func isIdentifierChar(_ c: UInt8) -> Bool { NameValidation.isMetricNameChar(c) }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    static func isHexDigit(_ c: UInt8) -> Bool { isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) }

    /// All tokens, ending with `.eof`. Bounded whatever the text: an expression nested deeper
    /// than ``PromQLParser/maxDepth`` or longer than ``PromQLParser/maxTokens`` tokens fails
    /// where it passes the bound, so a 16 MB rule costs no more memory than its first tokens.
    mutating func tokens() throws(QueryError) -> [Token] {
        var out: [Token] = []
        while true {
            let t = try next()
            switch t.kind {
            case .leftParen, .leftBrace, .leftBracket:
                depth += 1
                if depth > PromQLParser.maxDepth { throw error(at: t.offset, PromQLParser.tooDeep) }
                if t.kind == .leftBracket { bracketOpen = true }
            case .rightParen, .rightBrace, .rightBracket:
                depth = max(depth - 1, 0)
                if t.kind == .rightBracket { bracketOpen = false }
            default: break
            }
            out.append(t)
            if t.kind == .eof { return out }
            if out.count >= PromQLParser.maxTokens {
                throw error(at: t.offset, "expression longer than \(PromQLParser.maxTokens) tokens")
            }
        }
    }

    private mutating func next() throws(QueryError) -> Token {
        // Whitespace and comments.
        while i < source.count {
            let c = source[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                i += 1
            } else if c == UInt8(ascii: "#") {
                while i < source.count && source[i] != 0x0A { i += 1 }
            } else {
                break
            }
        }
        let start = i
        guard i < source.count else { return Token(kind: .eof, text: "", offset: i) }
        let c = source[i]
        func single(_ k: Token.Kind, _ n: Int = 1) -> Token {
            i += n
            return Token(kind: k, text: substring(start, i), offset: start)
        }
        switch c {
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: "{"): return single(.leftBrace)
        case UInt8(ascii: "}"): return single(.rightBrace)
        case UInt8(ascii: "["): return single(.leftBracket)
        case UInt8(ascii: "]"): return single(.rightBracket)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: ":"):
            // A colon starts a metric name (`job:rate5m`) unless it separates a subquery's range and step.
            if !bracketOpen && Self.isIdentifierChar(peek(1)) { return identifier(start) }
            return single(.colon)
        case UInt8(ascii: "@"): return single(.at)
        case UInt8(ascii: "+"): return single(.add)
        case UInt8(ascii: "-"): return single(.sub)
        case UInt8(ascii: "*"): return single(.mul)
        case UInt8(ascii: "/"): return single(.div)
        case UInt8(ascii: "%"): return single(.mod)
        case UInt8(ascii: "^"): return single(.pow)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { return single(.eqlCompare, 2) }
            if peek(1) == UInt8(ascii: "~") { return single(.regexMatch, 2) }
            return single(.equal)
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { return single(.notEqual, 2) }
            if peek(1) == UInt8(ascii: "~") { return single(.regexNoMatch, 2) }
            throw error(at: start, "unexpected character \"!\"")
        case UInt8(ascii: ">"):
            return peek(1) == UInt8(ascii: "=") ? single(.gte, 2) : single(.gtr)
        case UInt8(ascii: "<"):
            return peek(1) == UInt8(ascii: "=") ? single(.lte, 2) : single(.lss)
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            return try string(start, quote: c)
        default:
            if Self.isDigit(c) || (c == UInt8(ascii: ".") && Self.isDigit(peek(1))) { return try numberOrDuration(start) }
            if Self.isIdentifierStart(c) { return identifier(start) }
            throw error(at: start, "unexpected character \(String(decoding: [c], as: UTF8.self).debugDescription)")
        }
    }

    private mutating func identifier(_ start: Int) -> Token {
        i += 1
        while i < source.count && Self.isIdentifierChar(source[i]) { i += 1 }
        return Token(kind: .identifier, text: substring(start, i), offset: start)
    }

    private mutating func numberOrDuration(_ start: Int) throws(QueryError) -> Token {
        // Hexadecimal.
        if source[i] == UInt8(ascii: "0") && (peek(1) | 0x20) == UInt8(ascii: "x") {
            i += 2
            while i < source.count && (Self.isDigit(source[i]) || ((source[i] | 0x20) >= 0x61 && (source[i] | 0x20) <= 0x66)) { i += 1 }
            return Token(kind: .number, text: substring(start, i), offset: start)
        }
        while i < source.count && Self.isDigit(source[i]) { i += 1 }
        // A duration: digits followed by a unit, possibly repeated (1h30m).
        if i < source.count, PromDuration.isUnitStart(source, i) {
            while i < source.count {
                guard let unitLength = PromDuration.unitLength(source, i) else { break }
                i += unitLength
                let digitsStart = i
                while i < source.count && Self.isDigit(source[i]) { i += 1 }
                if i == digitsStart { break }
                if !(i < source.count && PromDuration.isUnitStart(source, i)) {
                    throw error(at: start, "bad duration \"\(substring(start, i))\": missing unit")
                }
            }
            if i < source.count && Self.isIdentifierChar(source[i]) && source[i] != UInt8(ascii: ":") {
                while i < source.count && Self.isIdentifierChar(source[i]) && source[i] != UInt8(ascii: ":") { i += 1 }
                throw error(at: start, "bad duration \"\(substring(start, i))\"")
            }
            return Token(kind: .duration, text: substring(start, i), offset: start)
        }
        if i < source.count && source[i] == UInt8(ascii: ".") {
            i += 1
            while i < source.count && Self.isDigit(source[i]) { i += 1 }
        }
        if i < source.count && (source[i] | 0x20) == UInt8(ascii: "e")
            && (Self.isDigit(peek(1)) || ((peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-")) && Self.isDigit(peek(2))))
        {
            i += 2
            while i < source.count && Self.isDigit(source[i]) { i += 1 }
        }
        if i < source.count && Self.isIdentifierChar(source[i]) {
            while i < source.count && Self.isIdentifierChar(source[i]) { i += 1 }
            throw error(at: start, "bad number or duration syntax: \"\(substring(start, i))\"")
        }
        return Token(kind: .number, text: substring(start, i), offset: start)
    }

    private mutating func string(_ start: Int, quote: UInt8) throws(QueryError) -> Token {
        i += 1
        while i < source.count {
            let c = source[i]
            if c == quote {
                i += 1
                return Token(kind: .string, text: substring(start, i), offset: start)
            }
            if c == UInt8(ascii: "\\") && quote != UInt8(ascii: "`") {
                i += 2
                continue
            }
            if c == 0x0A && quote != UInt8(ascii: "`") { break }
            i += 1
        }
        throw error(at: start, "unterminated quoted string")
    }
}
