import PromQL

/// promtool's expanding notation for test input series: `1 2 _ stale 0+10x5 5-1x3 1x4 _x2`.
///
/// `a+bxn` is n+1 values a, a+b, a+b+b, … (`a-bxn` counts down); `axn` repeats a n+1 times;
/// `_` skips a step (`_xn` skips n); `stale` writes a staleness marker.
public enum SeriesNotation {
    /// One value per step: nil for a skipped step.
    public static func expand(_ text: String) throws(RuleTestError) -> [Double?] {
        var out: [Double?] = []
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            let t = String(token)
            if t == "_" {
                out.append(nil)
                continue
            }
            if t == "stale" {
                out.append(SeriesStore.staleNaN)
                continue
            }
            if t.hasPrefix("_x") {
                guard let n = Int(t.dropFirst(2)), n >= 0 else { throw RuleTestError("invalid repetition in series values: \(t)") }
                out.append(contentsOf: Array(repeating: nil, count: n))
                continue
            }
            guard let x = t.lastIndex(of: "x") else {
                guard let v = number(t) else { throw RuleTestError("invalid value in series values: \(t)") }
                out.append(v)
                continue
            }
            guard let n = Int(t[t.index(after: x)...]), n >= 0 else {
                throw RuleTestError("invalid repetition count in series values: \(t)")
            }
            let head = t[..<x]
            // The operator: a + or - after the first character that is not an exponent's sign.
            var start: Double? = nil
            var step = 0.0
            var k = head.index(after: head.startIndex)
            while k < head.endIndex {
                let c = head[k]
                let previous = head[head.index(before: k)]
                if (c == "+" || c == "-") && previous != "e" && previous != "E" {
                    guard let a = number(String(head[..<k])), let b = number(String(head[head.index(after: k)...])) else {
                        throw RuleTestError("invalid value in series values: \(t)")
                    }
                    start = a
                    step = c == "+" ? b : -b
                    break
                }
                k = head.index(after: k)
            }
            if start == nil {
                guard let a = number(String(head)) else { throw RuleTestError("invalid value in series values: \(t)") }
                start = a
            }
            // Repeated addition, as promtool builds the values (not start + i × step: the two
            // differ in the last bits for non-integral steps).
            var value = start!
            for _ in 0...n {
                out.append(value)
                value += step
            }
        }
        return out
    }

    static func number(_ s: String) -> Double? {
        switch s.lowercased() {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default: return Double(s)
        }
    }
}

/// A rule-test or rule-file problem, printed as is.
public struct RuleTestError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
