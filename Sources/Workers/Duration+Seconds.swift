extension Duration {
    /// The duration in seconds, as a Double: for monotonic measurements (a scrape's
    /// `scrape_duration_seconds`, an evaluation's duration, a deadline's time left), which
    /// never go negative when the wall clock steps.
    package var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension ContinuousClock.Instant {
    /// Seconds elapsed on the monotonic clock since this instant.
    package var secondsElapsed: Double { duration(to: .now).seconds }
}
