/// RFC 3339 times as Go's `time.Parse(time.RFC3339Nano, s)` reads them, which is how
/// Prometheus's HTTP API and promtool read a `time` that is not a number:
/// `2026-07-01T12:00:00Z`, `2026-07-01T14:00:00.250+02:00`.
///
/// Parsed by hand, not with Foundation's formatters: those load ICU's locale data, which
/// cost a one-shot `ctlmon check` about 6 MB of memory for one timestamp.
package enum RFC3339 {
    /// Milliseconds since the Unix epoch, or nil when `text` is not an RFC 3339 time.
    /// Fractions below a millisecond are dropped, as Prometheus's `timestamp.FromTime` drops them.
    package static func milliseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in i..<i + n {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
            expect(0x54),  // T
            let hour = digits(2), expect(0x3A), let minute = digits(2), expect(0x3A), let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60,
            second < 60
        else { return nil }
        // Fractional seconds: '.' or ',' and up to nine digits.
        var nanos = 0
        if i + 1 < b.count, b[i] == 0x2E || b[i] == 0x2C, b[i + 1] >= 0x30 && b[i + 1] <= 0x39 {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39, count < 9 {
                nanos = nanos * 10 + Int(b[i] - 0x30)
                i += 1
                count += 1
            }
            for _ in count..<9 { nanos *= 10 }
        }
        var offset = 0
        if expect(0x5A) {  // Z
        } else if i < b.count, b[i] == 0x2B || b[i] == 0x2D {
            let sign = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(0x3A), let om = digits(2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = Int64(daysFromCivil(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
            - Int64(offset)
        return seconds * 1000 + Int64(nanos / 1_000_000)
    }

    /// `milliseconds` as Go's `time.RFC3339Nano` writes a UTC time (what Prometheus's JSON
    /// carries in `startsAt`, `lastEvaluation`…): fractional seconds without trailing zeros,
    /// none when whole (`2026-11-22T19:22:19.569Z`, `2026-11-22T19:22:19.5Z`, `…:19Z`).
    public static func format(milliseconds ms: Int64) -> String {
        let days = Int(ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000)
        let rest = Int(ms - Int64(days) * 86_400_000)
        let (y, m, d) = civilFromDays(days)
        let seconds = rest / 1000
        var millis = rest % 1000
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var text = "\(y < 1000 ? String(repeating: "0", count: 4 - String(y).count) : "")\(y)-\(two(m))-\(two(d))T"
            + "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
        if millis > 0 {
            var digits = 3
            while millis % 10 == 0 {
                millis /= 10
                digits -= 1
            }
            let s = String(millis)
            text += "." + String(repeating: "0", count: digits - s.count) + s
        }
        return text + "Z"
    }

    /// A proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's algorithm).
    private static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
