/// A point some seconds ahead on the monotonic clock, for the tests' waits and timeouts:
/// they measure elapsed time and never read the wall clock, so they pass on any date and
/// across clock changes.
package struct Deadline: Sendable {
    private let end: ContinuousClock.Instant

    package init(_ seconds: Double) { end = .now + .milliseconds(Int64(seconds * 1000)) }

    /// Whether the deadline is reached.
    package var passed: Bool { ContinuousClock.now >= end }
}

/// Seconds elapsed on the monotonic clock since `start`.
package func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = start.duration(to: .now)
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
