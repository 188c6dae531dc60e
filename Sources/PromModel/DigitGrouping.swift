/// Whole numbers for people: 1234567 → "1,234,567" (reports, summaries, the benchmark).
package func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}

/// A count for people: grouped digits, or the value as Go prints it when it is not a
/// whole number that fits (a hostile scrape's counters can be NaN, infinite or absurd).
package func groupedCount(_ v: Double) -> String {
    guard v.isFinite, v.magnitude < 9e18, v == v.rounded() else { return GoFloat.formatExponent(v) }
    return grouped(Int(v))
}
