import PromModel
import PromQL
import SeriesStorage

/// promtool's expanding notation for test input series: `1 2 _ stale 0+10x5 5-1x3 1x4 _x2`.
///
/// `a+bxn` is n+1 values a, a+b, a+b+b, … (`a-bxn` counts down); `axn` repeats a n+1 times;
/// `_` skips a step (`_xn` skips n); `stale` writes a staleness marker.
package enum SeriesNotation {
    /// One value per step: nil for a skipped step. At most `limit` values are produced (the
    /// rest of the notation is still checked), so `1x9223372036854775807` costs no memory.
    package static func expand(_ text: String, limit: Int = .max) throws(RuleError) -> [Double?] {
        var out: [Double?] = []
        func add(_ v: Double?, _ times: UInt64) {
            let room = UInt64(max(0, limit - out.count))
            out.append(contentsOf: repeatElement(v, count: Int(min(times, room))))
        }
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            let t = String(token)
            if t == "_" {
                add(nil, 1)
                continue
            }
            if t == "stale" {
                add(SeriesStore.staleNaN, 1)
                continue
            }
            if t.hasPrefix("_x") {
                guard let n = repetitions(t.dropFirst(2)) else { throw RuleError(.testFile, "invalid repetition in series values: \(t)") }
                add(nil, n)
                continue
            }
            guard let x = t.lastIndex(of: "x") else {
                guard let v = number(t) else { throw RuleError(.testFile, "invalid value in series values: \(t)") }
                add(v, 1)
                continue
            }
            guard let n = repetitions(t[t.index(after: x)...]) else {
                throw RuleError(.testFile, "invalid repetition count in series values: \(t)")
            }
            let head = t[..<x]
            // `x3` alone (`_ x3`, say) has no value to repeat.
            guard !head.isEmpty else { throw RuleError(.testFile, "invalid value in series values: \(t)") }
            // The operator: a + or - after the first character that is not an exponent's sign.
            var start: Double? = nil
            var step = 0.0
            var k = head.index(after: head.startIndex)
            while k < head.endIndex {
                let c = head[k]
                let previous = head[head.index(before: k)]
                if (c == "+" || c == "-") && previous != "e" && previous != "E" {
                    // The step has no sign of its own: promtool's lexer reads `1+-1x2` as two operators.
                    let stepText = head[head.index(after: k)...]
                    guard let a = number(String(head[..<k])), stepText.first != "+" && stepText.first != "-",
                        let b = number(String(stepText))
                    else {
                        throw RuleError(.testFile, "invalid value in series values: \(t)")
                    }
                    start = a
                    step = c == "+" ? b : -b
                    break
                }
                k = head.index(after: k)
            }
            if start == nil {
                guard let a = number(String(head)) else { throw RuleError(.testFile, "invalid value in series values: \(t)") }
                start = a
            }
            // Repeated addition, as promtool builds the values (not start + i × step: the two
            // differ in the last bits for non-integral steps).
            var value = start!
            var remaining = n == .max ? n : n + 1
            while remaining > 0 && out.count < limit {
                out.append(value)
                value += step
                remaining -= 1
            }
        }
        return out
    }

    /// The count after `x`, in `_xN` and `a+bxN` alike, as promtool reads it: decimal digits
    /// only (its lexer takes a sign for an operator, so `_x+3` and `1x-1` are errors), an
    /// unsigned 64-bit number.
    static func repetitions(_ s: Substring) -> UInt64? {
        guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return UInt64(s)
    }

    /// A value as promtool reads it: Go's `ParseFloat` (`1e3`, `0x1p-2`, `Inf`, `-Inf`, `NaN`).
    static func number(_ s: String) -> Double? { GoFloat.parse(s) }
}
