import PromModel
import Testing

/// The one bounded parser of the API's and the command line's times and durations.
@Suite("API times and durations")
struct APITimeTests {
    @Test("Unix seconds: whole seconds and the fraction rounded to the millisecond, as Prometheus's parseTime")
    func unixSeconds() throws {
        let cases: [(String, Int64)] = [
            ("0", 0), ("4", 4000), ("1700000000.25", 1_700_000_000_250), ("1.7e9", 1_700_000_000_000),
            ("-1.5", -1500), ("0.0004", 0), ("0.0005", 1), ("+10", 10_000), ("0x10", 16_000),
            // Prometheus's own bounds, as promtool and Go's client send them for "no bound".
            ("-9223309901257974", -9_223_309_901_257_974_000), ("9223309901257974", 9_223_309_901_257_974_000),
        ]
        for (text, ms) in cases { #expect(try APITime.milliseconds(ofTime: text) == ms, "\(text)") }
        #expect(try APITime.milliseconds(ofTime: "2026-07-01T14:00:00.250+02:00") == 1_782_907_200_250)
        #expect(try APITime.milliseconds(ofTime: APITime.minTimeText) == APITime.minSeconds * 1000)
        #expect(try APITime.milliseconds(ofTime: APITime.maxTimeText) == APITime.maxSeconds * 1000 + 999)
    }

    @Test("NaN, infinities, times past Prometheus's minTime/maxTime and words are refused with Prometheus's wording")
    func badTimes() {
        for text in ["NaN", "nan", "Inf", "-Inf", "+inf", "1e19", "-1e19", "9.3e15", "-9.3e15", "1e300", "", "now", "2026-13-01T00:00:00Z", "12:00"] {
            #expect(throws: APITime.ParseError.self, "\(text)") { try APITime.milliseconds(ofTime: text) }
            do {
                _ = try APITime.milliseconds(ofTime: text)
            } catch {
                #expect(error.description.hasPrefix("cannot parse \"\(text)\" to a valid timestamp"), "\(error)")
            }
        }
    }

    @Test("durations: float seconds (truncated to the millisecond) or Prometheus durations; NaN and overflow refused")
    func durations() throws {
        let cases: [(String, Int64)] = [
            ("15", 15_000), ("0.5", 500), ("0.0001", 0), ("-1", -1000), ("1h30m", 5_400_000), ("5m", 300_000), ("0", 0),
            ("9.2e9", 9_200_000_000_000),
        ]
        for (text, ms) in cases { #expect(try APITime.milliseconds(ofDuration: text) == ms, "\(text)") }
        for text in ["NaN", "1e300", "-1e300", "9.3e9", "Inf", "1.5h", "5 m", "", "1y1y"] {
            #expect(throws: APITime.ParseError.self, "\(text)") { try APITime.milliseconds(ofDuration: text) }
        }
        do {
            _ = try APITime.milliseconds(ofDuration: "1e300")
        } catch {
            #expect(error.description == "cannot parse \"1e300\" to a valid duration. It overflows int64")
        }
    }
}
