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
}
