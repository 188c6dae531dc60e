import PromModel
import Testing

@Suite("RFC 3339 times")
struct RFC3339Tests {
    // Expected values from Python's datetime (an independent implementation).
    @Test("valid times give their Unix milliseconds, offsets and fractions applied")
    func validTimes() {
        let cases: [(String, Int64)] = [
            ("2026-07-01T00:00:00Z", 1_782_864_000_000),
            ("2026-07-01T14:00:00.250+02:00", 1_782_907_200_250),
            ("1969-12-31T23:59:59.999Z", -1),
            ("2000-02-29T12:30:45,5-05:30", 951_847_245_500),
            ("0001-01-01T00:00:00Z", -62_135_596_800_000),
            // Below a millisecond is dropped (Prometheus's timestamp.FromTime), not rounded.
            ("9999-12-31T23:59:59.999999999Z", 253_402_300_799_999),
            ("2026-07-01T00:00:00.0000001Z", 1_782_864_000_000),
        ]
        for (text, expected) in cases {
            #expect(RFC3339.milliseconds(text) == expected, "\(text)")
        }
    }

    @Test("malformed or impossible times are refused")
    func invalidTimes() {
        for text in [
            "", "2026-07-01", "2026-07-01T00:00:00", "2026-07-01 00:00:00Z", "2026-7-01T00:00:00Z",
            "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-06-31T00:00:00Z", "2026-07-01T24:00:00Z",
            "2026-07-01T00:60:00Z", "2026-07-01T00:00:60Z", "2026-07-01T00:00:00+2:00", "2026-07-01T00:00:00+24:00",
            "2026-07-01T00:00:00.Z", "2026-07-01T00:00:00.1234567890Z", "2026-07-01T00:00:00Zjunk", "２026-07-01T00:00:00Z",
        ] {
            #expect(RFC3339.milliseconds(text) == nil, "\(text)")
        }
    }
}

@Suite("RFC 3339 output")
struct RFC3339FormatTests {
    // Go's time.RFC3339Nano of the same instants (checked with Python's datetime).
    @Test("times print as Go's RFC3339Nano in UTC: trailing zeros of the fraction dropped")
    func format() {
        #expect(RFC3339.format(milliseconds: 1_795_375_339_569) == "2026-11-22T19:22:19.569Z")
        #expect(RFC3339.format(milliseconds: 1_795_375_339_500) == "2026-11-22T19:22:19.5Z")
        #expect(RFC3339.format(milliseconds: 1_795_375_339_000) == "2026-11-22T19:22:19Z")
        #expect(RFC3339.format(milliseconds: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.format(milliseconds: 951_847_245_050) == "2000-02-29T18:00:45.05Z")
        for t in [Int64(0), 1, 999, 1_782_864_000_000, -62_135_596_800_000, 253_402_300_799_999] {
            #expect(RFC3339.milliseconds(RFC3339.format(milliseconds: t)) == t, "\(t)")
        }
    }
}
