import Foundation

/// A point some seconds ahead on the monotonic clock, for the tests' waits and timeouts:
/// they measure elapsed time and never read the wall clock, so they pass on any date and
/// across clock changes.
package struct Deadline: Sendable {
    private let end: ContinuousClock.Instant

    /// `seconds` from now on the monotonic clock (to the millisecond).
    package init(_ seconds: Double) { end = .now + .milliseconds(Int64(seconds * 1000)) }

    /// Whether the deadline is reached.
    package var passed: Bool { ContinuousClock.now >= end }

    /// Waits until `condition` holds (checked every 50 ms) or `seconds` pass; whether it held.
    /// For a test that proves an outcome by waiting for it: the bound only decides a failure.
    package static func wait(upTo seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Deadline(seconds)
        while true {
            if try condition() { return true }
            if deadline.passed { return false }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

/// Seconds elapsed on the monotonic clock since `start`.
package func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = start.duration(to: .now)
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
