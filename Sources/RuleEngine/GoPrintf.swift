import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage

/// Go's `fmt.Sprintf` for template values (integers, float64, strings), as Prometheus's
/// templates run it: the verbs `%v %d %s %q %f %F %e %E %g %G %x %X %c %%`, the flags
/// `+ - # 0 space`, width and precision (also `*`), and Go's complaints for what does not
/// fit (`%!d(float64=1.5)`, `%!s(MISSING)`, `%!(EXTRA string=x)`).
///
/// Widths and precisions above 1,000,000 are refused as Go refuses them (`%!(BADWIDTH)`),
/// so a template cannot ask for gigabytes of padding.
enum GoPrintf {
    /// A value a template passes to printf.
    enum Argument {
        case integer(Int64)
        case float(Double)
        case string(String)

        /// Go's type name, for the complaints.
        var typeName: String {
            switch self {
            case .integer: "int"
            case .float: "float64"
            case .string: "string"
            }
        }

        /// `%v`.
        var plain: String {
            switch self {
            case .integer(let i): String(i)
            case .float(let f): GoFloat.formatShortest(f)
            case .string(let s): s
            }
        }
    }

    private struct Spec {
        var plus = false, minus = false, sharp = false, zero = false, space = false
        var width: Int? = nil
        var precision: Int? = nil
    }

    private static let tooLarge = 1_000_000

    /// Go's `fmt.Sprintf(format, args...)`, with Go's wording of what goes wrong
    /// (`%!d(MISSING)`, `%!(EXTRA …)`, `%!(BADWIDTH)`, `%!(NOVERB)`).
    static func format(_ format: String, _ args: [Argument]) -> String {
        var cursor = Cursor(f: Array(format.unicodeScalars), args: args)
        var out = ""
        while cursor.i < cursor.f.count {
            guard cursor.f[cursor.i] == "%" else {
                out.unicodeScalars.append(cursor.f[cursor.i])
                cursor.i += 1
                continue
            }
            cursor.i += 1
            let (spec, bad) = cursor.spec()
            if let bad { out += bad }
            guard cursor.i < cursor.f.count else {
                out += "%!(NOVERB)"
                break
            }
            let verb = cursor.f[cursor.i]
            cursor.i += 1
            if verb == "%" {
                out += "%"
                continue
            }
            guard let arg = cursor.takeArgument() else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            out += formatOne(verb, arg, spec)
        }
        if cursor.next < args.count {
            out += "%!(EXTRA " + args[cursor.next...].map { "\($0.typeName)=\($0.plain)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    /// Where ``format(_:_:)`` is in the format and in the arguments.
    private struct Cursor {
        let f: [Unicode.Scalar]
        let args: [Argument]
        var i = 0
        var next = 0

        init(f: [Unicode.Scalar], args: [Argument]) {
            self.f = f
            self.args = args
        }

        mutating func takeArgument() -> Argument? {
            guard next < args.count else { return nil }
            next += 1
            return args[next - 1]
        }

        /// The flags, width and precision after a `%`, and Go's complaint about a bad width
        /// or precision, if any (written before the verb's output, as Go writes it).
        mutating func spec() -> (Spec, String?) {
            var spec = Spec()
            flags: while i < f.count {
                switch f[i] {
                case "+": spec.plus = true
                case "-": spec.minus = true
                case "#": spec.sharp = true
                case "0": spec.zero = true
                case " ": spec.space = true
                default: break flags
                }
                i += 1
            }
            var bad: String? = nil
            // Width: digits or `*` (an int argument).
            if i < f.count, f[i] == "*" {
                i += 1
                if case .integer(let w)? = takeArgument(), abs(w) <= Int64(tooLarge) {
                    spec.width = Int(abs(w))
                    if w < 0 { spec.minus = true }
                } else {
                    bad = "%!(BADWIDTH)"
                }
            } else if let (n, end) = number(f, i) {
                if n > tooLarge { bad = "%!(BADWIDTH)" } else { spec.width = n }
                i = end
            }
            if i < f.count, f[i] == "." {
                i += 1
                if i < f.count, f[i] == "*" {
                    i += 1
                    if case .integer(let p)? = takeArgument(), p >= 0, p <= Int64(tooLarge) {
                        spec.precision = Int(p)
                    } else {
                        bad = "%!(BADPREC)"
                    }
                } else if let (n, end) = number(f, i) {
                    if n > tooLarge { bad = "%!(BADPREC)" } else { spec.precision = n }
                    i = end
                } else {
                    spec.precision = 0
                }
            }
            return (spec, bad)
        }
    }

    private static func number(_ f: [Unicode.Scalar], _ start: Int) -> (Int, Int)? {
        var i = start
        var n = 0
        while i < f.count, let d = Int(String(f[i])), f[i].isASCII {
            n = n > tooLarge ? n : n * 10 + d
            i += 1
        }
        return i > start ? (n, i) : nil
    }

    private static func formatOne(_ verb: Unicode.Scalar, _ arg: Argument, _ spec: Spec) -> String {
        let badVerb = "%!\(verb)(\(arg.typeName)=\(arg.plain))"
        switch arg {
        case .integer(let n):
            switch verb {
            case "v", "d": return pad(signed(String(n.magnitude), negative: n < 0, spec), spec, numeric: true)
            case "x", "X":
                var digits = String(n.magnitude, radix: 16, uppercase: verb == "X")
                if spec.sharp { digits = (verb == "X" ? "0X" : "0x") + digits }
                return pad(signed(digits, negative: n < 0, spec), spec, numeric: true)
            case "c":
                return pad(Unicode.Scalar(UInt32(truncatingIfNeeded: n)).map { String(Character($0)) } ?? "\u{FFFD}", spec, numeric: false)
            default: return badVerb
            }
        case .float(let v):
            switch verb {
            case "v", "g", "G", "e", "E", "f", "F":
                if v.isNaN || v.isInfinite {
                    let text = v.isNaN ? (spec.plus ? "+NaN" : spec.space ? " NaN" : "NaN")
                        : v > 0 ? (spec.plus ? "+Inf" : spec.space ? " Inf" : "+Inf") : "-Inf"
                    var noZero = spec
                    noZero.zero = false
                    return pad(text, noZero, numeric: false)
                }
                var body: String
                switch verb {
                case "v", "g", "G":
                    body = spec.precision == nil ? GoFloat.formatShortest(v.magnitude) : CFormat.double("%.\(spec.precision!)g", v.magnitude)
                    if verb == "G" { body = body.uppercased() }
                case "e", "E": body = CFormat.double("%.\(spec.precision ?? 6)\(verb)", v.magnitude)
                default: body = CFormat.double("%.\(spec.precision ?? 6)f", v.magnitude)
                }
                return pad(signed(body, negative: v.sign == .minus, spec), spec, numeric: true)
            default: return badVerb
            }
        case .string(let s):
            var text = s
            if let p = spec.precision { text = String(text.unicodeScalars.prefix(p).map(Character.init)) }
            switch verb {
            case "v", "s": return pad(text, spec, numeric: false)
            case "q": return pad(quoted(text), spec, numeric: false)
            case "x", "X":
                return pad(text.utf8.map { Hex.byte($0, uppercase: verb == "X") }.joined(), spec, numeric: false)
            default: return badVerb
            }
        }
    }

    private static func signed(_ digits: String, negative: Bool, _ spec: Spec) -> String {
        negative ? "-" + digits : spec.plus ? "+" + digits : spec.space ? " " + digits : digits
    }

    /// Pads to the width: spaces on the left (on the right with `-`), or zeros after the
    /// sign for numbers with `0`.
    private static func pad(_ s: String, _ spec: Spec, numeric: Bool) -> String {
        guard let width = spec.width else { return s }
        let length = s.unicodeScalars.count
        guard length < width else { return s }
        let fill = width - length
        if spec.minus { return s + String(repeating: " ", count: fill) }
        if spec.zero && numeric {
            if let first = s.first, first == "-" || first == "+" || first == " " {
                return String(first) + String(repeating: "0", count: fill) + s.dropFirst()
            }
            return String(repeating: "0", count: fill) + s
        }
        return String(repeating: " ", count: fill) + s
    }
}
