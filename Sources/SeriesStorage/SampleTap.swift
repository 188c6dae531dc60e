import PromModel

/// One sample the store accepted: its series' labels, time (ms) and value (a staleness marker
/// included).
package struct TappedSample: Sendable {
    /// The series' labels, as the store holds them (one retain, no copy).
    package var labels: Labels
    /// Unix milliseconds.
    package var t: Int64
    /// The value; ``SeriesStore/staleNaN`` marks the end of a series.
    package var v: Double

    /// A sample as the store accepted it.
    package init(labels: Labels, t: Int64, v: Double) {
        self.labels = labels
        self.t = t
        self.v = v
    }
}

/// Receives every sample a ``SeriesStore`` accepts, in the order the store took them, after each
/// write (outside the store's lock): how remote write sees what the sidecar keeps — scraped
/// samples, `up` and the `scrape_*` series, recorded series, `ALERTS`, staleness markers — and
/// nothing the store refused (a duplicate, an out-of-order sample). Samples restored from disk
/// at start are not passed on: they were seen by the run that scraped them.
package protocol SampleTap: AnyObject, Sendable {
    /// The samples of one write, in order; called on the writing thread, one write at a time
    /// per writer (writers of different series may call it concurrently).
    func received(_ samples: [TappedSample])
}
