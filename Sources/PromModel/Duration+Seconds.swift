extension Duration {
    /// The duration in seconds, as a Double: the one home of monotonic measurements (a
    /// scrape's `scrape_duration_seconds`, a rule group's evaluation time, a deadline's time
    /// left), taken on `ContinuousClock`, which never goes back when the wall clock steps.
    package var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension Duration {
    /// The duration in whole milliseconds (rounded toward zero), saturating at Int64's bounds:
    /// for the APIs that count time in milliseconds (the rule manager, Prometheus timestamps).
    package var inMilliseconds: Int64 {
        let (seconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return components.seconds < 0 ? .min : .max }
        let (sum, overflow2) = seconds.addingReportingOverflow(components.attoseconds / 1_000_000_000_000_000)
        return overflow2 ? (seconds < 0 ? .min : .max) : sum
    }
}

extension ContinuousClock.Instant {
    /// Seconds elapsed on the monotonic clock since this instant.
    package var secondsElapsed: Double { duration(to: .now).inSeconds }
}
