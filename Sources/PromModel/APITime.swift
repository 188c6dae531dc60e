/// Times and durations as Prometheus's HTTP API reads its `time`, `start`, `end`, `step` and
/// `timeout` parameters (`parseTime` and `parseDuration` in its `web/api/v1`), bounded: the one
/// parser of both for the API and the command line.
///
/// A time is Unix seconds (a Go float: `1700000000.25`, `1.7e9`) or RFC 3339; a duration is
/// seconds (a Go float) or a Prometheus duration (`1h30m`). Where Prometheus converts an
/// absurd number with an overflowing integer conversion (`time=1e19` becomes a time in the
/// year −292277022657), here it is refused: NaN, infinities, and times outside
/// Prometheus's own `minTime`…`maxTime` (the times its `promtool` and Go client send for
/// "no bound") are errors, as is a duration whose nanoseconds overflow 64 bits.
package enum APITime {
    /// Prometheus's `minTime` in Unix seconds: `math.MinInt64/1000 + 62135596801`, the
    /// earliest time whose milliseconds and Go's internal representation both fit.
    package static let minSeconds: Int64 = Int64.min / 1000 + 62_135_596_801
    /// Prometheus's `maxTime` in Unix seconds (plus 0.999…): `math.MaxInt64/1000 - 62135596801`.
    package static let maxSeconds: Int64 = Int64.max / 1000 - 62_135_596_801
    /// `minTime` as Prometheus formats it (RFC 3339 with a year Go's parser cannot read, so
    /// Prometheus accepts the two bounds' texts by name).
    package static let minTimeText = "-292273086-05-16T16:47:06Z"
    /// `maxTime` as Prometheus formats it.
    package static let maxTimeText = "292277025-08-18T07:12:54.999999999Z"

    /// A parameter that is not a time or duration, worded as Prometheus words it
    /// (`cannot parse "x" to a valid timestamp`); the caller adds `invalid parameter "time": `.
    package struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What was wrong with the text.
        package let description: String
    }

    /// Milliseconds since the epoch of a time parameter.
    package static func milliseconds(ofTime text: String) throws(ParseError) -> Int64 {
        if let seconds = GoFloat.parse(text) {
            guard seconds.isFinite else { throw ParseError(description: "cannot parse \"\(text)\" to a valid timestamp: not a finite number") }
            guard seconds >= Double(minSeconds), seconds < Double(maxSeconds) + 1 else {
                throw ParseError(description: "cannot parse \"\(text)\" to a valid timestamp: out of range "
                    + "(Unix seconds from \(minSeconds) to \(maxSeconds), or RFC 3339)")
            }
            // As Prometheus: whole seconds, and the fraction rounded to the millisecond.
            let whole = seconds.rounded(.towardZero)
            return Int64(whole) * 1000 + Int64(((seconds - whole) * 1000).rounded())
        }
        if let ms = RFC3339.milliseconds(text) { return ms }
        if text == minTimeText { return minSeconds * 1000 }
        if text == maxTimeText { return maxSeconds * 1000 + 999 }
        throw ParseError(description: "cannot parse \"\(text)\" to a valid timestamp")
    }

    /// Milliseconds of a duration parameter; fractions of a millisecond are dropped (as
    /// Prometheus's engine drops them), so `0.0001` is 0.
    package static func milliseconds(ofDuration text: String) throws(ParseError) -> Int64 {
        if let seconds = GoFloat.parse(text) {
            guard !seconds.isNaN else { throw ParseError(description: "cannot parse \"\(text)\" to a valid duration") }
            let nanoseconds = seconds * 1e9
            guard nanoseconds < 0x1p63, nanoseconds >= -0x1p63 else {
                throw ParseError(description: "cannot parse \"\(text)\" to a valid duration. It overflows int64")
            }
            return Int64(nanoseconds) / 1_000_000
        }
        do {
            return try PromDuration.milliseconds(Substring(text))
        } catch {
            throw ParseError(description: "cannot parse \"\(text)\" to a valid duration")
        }
    }
}
