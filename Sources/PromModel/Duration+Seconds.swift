extension Duration {
    /// The duration in seconds, as a Double: the one home of monotonic measurements (a
    /// scrape's `scrape_duration_seconds`, a rule group's evaluation time, a deadline's time
    /// left), taken on `ContinuousClock`, which never goes back when the wall clock steps.
    package var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension ContinuousClock.Instant {
    /// Seconds elapsed on the monotonic clock since this instant.
    package var secondsElapsed: Double { duration(to: .now).inSeconds }
}
