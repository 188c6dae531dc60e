import PromText

/// Loads parsed scrape samples into a ``SeriesStore``: each sample at its own
/// timestamp, or at the scrape's time when it has none.
public final class ScrapeLoader: SampleConsumer {
    public let store: SeriesStore
    /// The time given to samples without a timestamp (milliseconds).
    public var scrapeTime: Int64
    /// Extra labels for every sample (e.g. `instance`), overriding the scrape's own.
    public var extraLabels: [(String, String)]
    public private(set) var samples = 0
    public private(set) var latestTimestamp: Int64? = nil
    private var strings = StringInterner()

    public init(store: SeriesStore, scrapeTime: Int64, extraLabels: [(String, String)] = []) {
        self.store = store
        self.scrapeTime = scrapeTime
        self.extraLabels = extraLabels
    }

    private func intern(_ s: String) -> String { strings.intern(s) }

    public func consume(_ s: SampleView) {
        var pairs: [(String, String)] = [(Labels.metricName, intern(s.name.string))]
        pairs.reserveCapacity(s.labelCount + 1 + extraLabels.count)
        for i in 0..<s.labelCount {
            let name = intern(s.labelName(i).string)
            if extraLabels.contains(where: { $0.0 == name }) { continue }
            pairs.append((name, intern(s.labelValue(i))))
        }
        pairs += extraLabels
        let t = s.timestampMilliseconds ?? scrapeTime
        store.append(Labels(pairs), timestamp: t, value: s.value)
        samples += 1
        latestTimestamp = max(latestTimestamp ?? t, t)
    }
}
