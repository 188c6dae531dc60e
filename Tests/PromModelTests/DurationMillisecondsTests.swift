import PromModel
import Testing

/// Durations handed to the APIs that count milliseconds: rounded toward zero, never trapping.
@Suite("durations in milliseconds")
struct DurationMillisecondsTests {
    @Test("whole milliseconds, rounded toward zero, saturating at Int64's bounds")
    func milliseconds() {
        #expect(Duration.seconds(120).inMilliseconds == 120_000)
        #expect(Duration.milliseconds(1500).inMilliseconds == 1500)
        #expect(Duration.microseconds(2999).inMilliseconds == 2)
        #expect(Duration.microseconds(-2999).inMilliseconds == -2)
        #expect(Duration.seconds(Int64.max).inMilliseconds == .max)
        #expect(Duration.seconds(Int64.min).inMilliseconds == .min)
    }

    @Test("durations worded as Go's time.Duration.String words them (promtool's rule error times)", arguments: [
        (Int64(0), "0s"), (500, "500ms"), (1000, "1s"), (1500, "1.5s"), (60_000, "1m0s"), (90_000, "1m30s"),
        (3_600_000, "1h0m0s"), (3_723_450, "1h2m3.45s"), (86_400_000, "24h0m0s"), (-61_000, "-1m1s"), (1_001, "1.001s"),
    ])
    func goFormat(_ ms: Int64, _ text: String) {
        #expect(PromDuration.goFormat(ms) == text)
    }
}
