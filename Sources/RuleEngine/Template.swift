import FoundationEssentials
import LabelMatchers
import PromModel
import PromQL
import SeriesStorage

/// The Go-template subset Prometheus rule files use in labels and annotations.
///
/// `{{ $labels.instance }}`, `{{ $value }}`, `{{ $externalLabels.cluster }}`
/// (also `.Labels.x`, `.Value`), pipelines (`{{ $value | humanize }}`), function
/// calls (`{{ printf "%.2f" $value }}`, `{{ humanizePercentage $value }}`) with
/// `humanize humanize1024 humanizePercentage humanizeDuration printf title toUpper
/// toLower reReplaceAll`, string and number literals, and `{{-`/`-}}` trimming.
/// Parsed once when the rule file loads: an unknown function is a load error.
package struct Template: Sendable {
    /// What a template can read.
    package struct Data: Sendable {
        /// The sample's labels: `$labels`, `.Labels`.
        package var labels: [String: String]
        /// The configured external labels: `$externalLabels`.
        package var externalLabels: [String: String]
        /// The sample's value: `$value`, `.Value`.
        package var value: Double
        /// The data of one sample; external labels default to none.
        package init(labels: [String: String], externalLabels: [String: String] = [:], value: Double) {
            self.labels = labels
            self.externalLabels = externalLabels
            self.value = value
        }
    }

    indirect enum Operand: Sendable {
        case string(String)
        case integer(Int64)
        case number(Double)
        case value
        case label(String)
        case externalLabel(String)
        case call(String, [Operand])
    }

    enum Piece: Sendable {
        case text(String)
        case action([Operand])  // a pipeline: each stage gets the previous result as its last argument
    }

    let pieces: [Piece]
    /// The template as written: the literal value of a recording rule's label, and part of a
    /// rule's identity when duplicate rules are checked.
    package let source: String

    static let functions: Set<String> = [
        "humanize", "humanize1024", "humanizePercentage", "humanizeDuration", "printf", "title", "toUpper", "toLower",
        "reReplaceAll",
    ]

    /// Parses `source`; an unclosed action, an unterminated string or an unknown function throws
    /// a ``RuleError/Kind/template`` error.
    package init(_ source: String) throws(RuleError) {
        self.source = source
        var pieces: [Piece] = []
        var rest = Substring(source)
        while let open = rest.firstRange(of: "{{") {
            var text = String(rest[..<open.lowerBound])
            var inner = rest[open.upperBound...]
            guard let close = inner.firstRange(of: "}}") else { throw RuleError(.template, "template: unclosed action \"{{\"") }
            var action = String(inner[..<close.lowerBound])
            inner = inner[close.upperBound...]
            if action.hasPrefix("-") {
                action.removeFirst()
                while let last = text.last, last.isWhitespace { text.removeLast() }
            }
            var trimAfter = false
            if action.hasSuffix("-") {
                action.removeLast()
                trimAfter = true
            }
            if !text.isEmpty { pieces.append(.text(text)) }
            pieces.append(.action(try Self.parsePipeline(action)))
            rest = inner
            if trimAfter { rest = rest.drop { $0.isWhitespace } }
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.pieces = pieces
    }

    // MARK: parsing

    private static func tokenize(_ s: String) throws(RuleError) -> [String] {
        var tokens: [String] = []
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c.isWhitespace {
                i = s.index(after: i)
            } else if c == "\"" || c == "`" {
                var j = s.index(after: i)
                var token = String(c)
                while j < s.endIndex && s[j] != c {
                    if s[j] == "\\" && c == "\"" {
                        token.append(s[j])
                        j = s.index(after: j)
                        guard j < s.endIndex else { break }
                    }
                    token.append(s[j])
                    j = s.index(after: j)
                }
                guard j < s.endIndex else { throw RuleError(.template, "template: unterminated string in \"\(s)\"") }
                token.append(c)
                tokens.append(token)
                i = s.index(after: j)
            } else if c == "|" || c == "(" || c == ")" {
                tokens.append(String(c))
                i = s.index(after: i)
            } else {
                var j = i
                var token = ""
                while j < s.endIndex && !s[j].isWhitespace && s[j] != "|" && s[j] != "(" && s[j] != ")" {
                    token.append(s[j])
                    j = s.index(after: j)
                }
                tokens.append(token)
                i = j
            }
        }
        return tokens
    }

    /// The deepest nesting of parentheses in an action.
    static let maxDepth = 100

    static func parsePipeline(_ text: String) throws(RuleError) -> [Operand] {
        let tokens = try tokenize(text)
        var k = 0
        var depth = 0
        func command() throws(RuleError) -> Operand {
            depth += 1
            defer { depth -= 1 }
            if depth > maxDepth { throw RuleError(.template, "template: parentheses nested more than \(maxDepth) levels deep") }
            var words: [Operand] = []
            var name: String? = nil
            while k < tokens.count && tokens[k] != "|" && tokens[k] != ")" {
                let t = tokens[k]
                k += 1
                if t == "(" {
                    words.append(try command())
                    guard k < tokens.count && tokens[k] == ")" else { throw RuleError(.template, "template: missing \")\" in \"\(text)\"") }
                    k += 1
                    continue
                }
                if words.isEmpty && name == nil && !t.hasPrefix("$") && !t.hasPrefix(".") && !t.hasPrefix("\"")
                    && !t.hasPrefix("`") && Double(t) == nil
                {
                    guard functions.contains(t) else {
                        throw RuleError(.template, "template: function \"\(t)\" not defined (ctlmon knows \(functions.sorted().joined(separator: ", ")))")
                    }
                    name = t
                    continue
                }
                words.append(try operand(t))
            }
            if let name { return .call(name, words) }
            guard words.count == 1 else { throw RuleError(.template, "template: cannot evaluate \"\(text)\"") }
            return words[0]
        }
        var stages: [Operand] = []
        while true {
            stages.append(try command())
            if k < tokens.count && tokens[k] == "|" {
                k += 1
                continue
            }
            break
        }
        guard k == tokens.count else { throw RuleError(.template, "template: unexpected \"\(tokens[k])\" in \"\(text)\"") }
        return stages
    }

    private static func operand(_ t: String) throws(RuleError) -> Operand {
        if t == "$value" || t == ".Value" { return .value }
        for prefix in ["$labels.", ".Labels."] where t.hasPrefix(prefix) { return .label(String(t.dropFirst(prefix.count))) }
        for prefix in ["$externalLabels.", ".ExternalLabels."] where t.hasPrefix(prefix) {
            return .externalLabel(String(t.dropFirst(prefix.count)))
        }
        if t.hasPrefix("\"") { return .string(unescape(String(t.dropFirst().dropLast()))) }
        if t.hasPrefix("`") { return .string(String(t.dropFirst().dropLast())) }
        // Go templates: an integer literal is an int, anything else numeric a float64.
        if let i = Int64(t) { return .integer(i) }
        if let d = Double(t) { return .number(d) }
        throw RuleError(.template, "template: cannot use \"\(t)\" (ctlmon knows $labels.x, $value, $externalLabels.x, literals)")
    }

    private static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    // MARK: expansion

    enum Result {
        case string(String)
        case integer(Int64)
        case number(Double)

        /// As Go's templates print it (`fmt.Sprint`).
        var text: String { argument.plain }

        var number: Double? {
            switch self {
            case .number(let d): d
            case .integer(let i): Double(i)
            case .string(let s): Double(s.trimmingWhitespace(newlines: false))
            }
        }

        var argument: GoPrintf.Argument {
            switch self {
            case .string(let s): .string(s)
            case .integer(let i): .integer(i)
            case .number(let d): .float(d)
            }
        }
    }

    /// Expands the template; an error inside an action expands to Prometheus's error text.
    package func expand(_ data: Data) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let t): out += t
            case .action(let stages):
                do {
                    var previous: Result? = nil
                    for stage in stages { previous = try Self.evaluate(stage, data, piped: previous) }
                    out += previous?.text ?? ""
                } catch {
                    return "<error expanding template: \(error)>"
                }
            }
        }
        return out
    }

    private static func evaluate(_ op: Operand, _ data: Data, piped: Result?) throws(RuleError) -> Result {
        switch op {
        case .string(let s): return .string(s)
        case .integer(let i): return .integer(i)
        case .number(let d): return .number(d)
        case .value: return .number(data.value)
        case .label(let name): return .string(data.labels[name] ?? "")
        case .externalLabel(let name): return .string(data.externalLabels[name] ?? "")
        case .call(let name, let args):
            var values: [Result] = []
            for a in args { values.append(try evaluate(a, data, piped: nil)) }
            if let piped { values.append(piped) }
            return try call(name, values)
        }
    }

    private static func call(_ name: String, _ args: [Result]) throws(RuleError) -> Result {
        func number(_ i: Int) throws(RuleError) -> Double {
            guard i < args.count, let d = args[i].number else { throw RuleError(.template, "\(name): expected a number") }
            return d
        }
        func string(_ i: Int) throws(RuleError) -> String {
            guard i < args.count else { throw RuleError(.template, "\(name): missing argument") }
            return args[i].text
        }
        switch name {
        case "humanize": return .string(Humanize.metric(try number(0)))
        case "humanize1024": return .string(Humanize.binary(try number(0)))
        case "humanizePercentage": return .string(Humanize.percentage(try number(0)))
        case "humanizeDuration": return .string(Humanize.duration(try number(0)))
        case "title":
            return .string(try string(0).split(separator: " ", omittingEmptySubsequences: false)
                .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " "))
        case "toUpper": return .string(try string(0).uppercased())
        case "toLower": return .string(try string(0).lowercased())
        case "reReplaceAll":
            let (pattern, replacement, text) = (try string(0), try string(1), try string(2))
            guard let regex = try? RE2Pattern(pattern, anchored: false) else {
                throw RuleError(.template, "reReplaceAll: invalid regular expression \(pattern)")
            }
            return .string(regex.replaceAll(text, with: replacement))
        case "printf":
            return .string(GoPrintf.format(try string(0), args.dropFirst().map(\.argument)))
        default:
            throw RuleError(.template, "function \"\(name)\" not defined")
        }
    }
}
