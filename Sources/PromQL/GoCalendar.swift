import PromModel
import SeriesStorage
/// The calendar fields of a Unix time in UTC, computed the way Go's `time` package does
/// (`time.Unix(sec, 0).UTC()`), which is what Prometheus's date functions (`hour()`,
/// `day_of_week()`, `days_in_month()`…) return.
///
/// Go counts days from an "absolute" zero year with unsigned arithmetic, so times far
/// outside ±292 billion years wrap around instead of failing; this port keeps that
/// wrap-around, so that every input gives Prometheus's answer.
package struct GoCalendar {
    let year: Int64
    /// 1–12.
    let month: Int
    /// 1–31.
    let day: Int
    /// 0-based day of the year.
    let yearDay: Int
    /// 0 (Sunday) – 6.
    let weekday: Int
    let hour: Int
    let minute: Int

    private static let secondsPerDay: UInt64 = 86_400
    private static let absoluteZeroYear: Int64 = -292_277_022_399
    /// Go's `unixToInternal + internalToAbsolute`.
    private static let unixToAbsolute: Int64 = 62_135_596_800 &+ 9_223_371_966_579_724_800
    private static let daysBefore: [Int] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]

    init(unixSeconds: Int64) {
        let abs = UInt64(bitPattern: unixSeconds &+ Self.unixToAbsolute)
        // Monday, January 1 of the absolute year.
        weekday = Int(((abs &+ Self.secondsPerDay) % (7 * Self.secondsPerDay)) / Self.secondsPerDay)
        let secondOfDay = Int(abs % Self.secondsPerDay)
        hour = secondOfDay / 3600
        minute = (secondOfDay % 3600) / 60

        var d = abs / Self.secondsPerDay
        var n = d / 146_097
        var y = 400 &* n
        d -= 146_097 &* n
        n = d / 36_524
        n -= n >> 2
        y = y &+ 100 &* n
        d -= 36_524 &* n
        n = d / 1461
        y = y &+ 4 &* n
        d -= 1461 &* n
        n = d / 365
        n -= n >> 2
        y = y &+ n
        d -= 365 &* n
        let year = Int64(bitPattern: y) &+ Self.absoluteZeroYear
        self.year = year
        yearDay = Int(d)

        var day = yearDay
        if Self.isLeap(year) {
            if day == 31 + 29 - 1 {
                month = 2
                self.day = 29
                return
            }
            if day > 31 + 29 - 1 { day -= 1 }
        }
        var m = day / 31
        let end = Self.daysBefore[m + 1]
        let begin: Int
        if day >= end {
            m += 1
            begin = end
        } else {
            begin = Self.daysBefore[m]
        }
        month = m + 1
        self.day = day - begin + 1
    }

    static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// Days in this date's month (`days_in_month()`).
    var daysInMonth: Int {
        if month == 2 && Self.isLeap(year) { return 29 }
        return Self.daysBefore[month] - Self.daysBefore[month - 1]
    }
}
