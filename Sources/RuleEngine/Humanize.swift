import Foundation

/// Prometheus's template helpers for numbers: SI prefixes, binary prefixes, percentages, durations.
enum Humanize {
    /// Go's `%.4g`, with Go's spelling of NaN and the infinities.
    static func g4(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return String(format: "%.4g", v)
    }

    static func metric(_ value: Double) -> String {
        var v = value
        if v == 0 || v.isNaN || v.isInfinite { return g4(v) }
        if abs(v) >= 1 {
            var prefix = ""
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
                if abs(v) < 1000 { break }
                prefix = p
                v /= 1000
            }
            return g4(v) + prefix
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix
    }

    static func binary(_ value: Double) -> String {
        var v = value
        if abs(v) <= 1 || v.isNaN || v.isInfinite { return g4(v) }
        var prefix = ""
        for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
            if abs(v) < 1024 { break }
            prefix = p
            v /= 1024
        }
        return g4(v) + prefix
    }

    static func percentage(_ v: Double) -> String { g4(v * 100) + "%" }

    static func duration(_ value: Double) -> String {
        var v = value
        if v.isNaN || v.isInfinite { return g4(v) }
        if v == 0 { return g4(v) + "s" }
        if abs(v) >= 1 {
            var sign = ""
            if v < 0 {
                sign = "-"
                v = -v
            }
            let d = Int64(v)
            let (seconds, minutes, hours, days) = (d % 60, (d / 60) % 60, (d / 3600) % 24, d / 86400)
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + g4(v) + "s"
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix + "s"
    }
}

/// A subset of Go's fmt.Sprintf for templates: %s %v %d %f %e %g %q %% with flags, width and precision.
enum Printf {
    static func format(_ format: String, _ args: [Template.Result]) throws(RuleTestError) -> String {
        var out = ""
        var k = 0
        var chars = format.makeIterator()
        while let c = chars.next() {
            guard c == "%" else {
                out.append(c)
                continue
            }
            var spec = "%"
            var verb: Character? = nil
            while let d = chars.next() {
                if d.isLetter || d == "%" {
                    verb = d
                    break
                }
                spec.append(d)
            }
            guard let verb else { throw RuleTestError("printf: incomplete verb in \"\(format)\"") }
            if verb == "%" {
                out.append("%")
                continue
            }
            guard k < args.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            let arg = args[k]
            k += 1
            switch verb {
            case "s", "v":
                out += arg.text
            case "q":
                out += "\"" + arg.text + "\""
            case "d":
                guard let n = arg.number else { out += "%!d(string=\(arg.text))"; continue }
                out += String(format: spec + "lld", Int64(n))
            case "f", "F", "e", "E", "g", "G":
                guard let n = arg.number else { out += "%!\(verb)(string=\(arg.text))"; continue }
                if n.isNaN || n.isInfinite { out += Humanize.g4(n) } else { out += String(format: spec + String(verb), n) }
            default:
                throw RuleTestError("printf: verb %\(verb) is not supported")
            }
        }
        return out
    }
}
