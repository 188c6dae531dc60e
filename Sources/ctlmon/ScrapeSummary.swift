import PromText

/// Counts what a scrape holds: families by type, distinct series, samples by type.
final class ScrapeSummary: SampleConsumer {
    private(set) var familyTypes: [[UInt8]: MetricType] = [:]
    private(set) var samplesByType: [MetricType: Int] = [:]
    private var fingerprints: Set<UInt64> = []
    private var lastFamily: [UInt8] = []

    var seriesCount: Int { fingerprints.count }
    var familyCount: Int { familyTypes.count }

    func familiesByType() -> [MetricType: Int] {
        var counts: [MetricType: Int] = [:]
        for type in familyTypes.values { counts[type, default: 0] += 1 }
        return counts
    }

    func consume(_ sample: SampleView) {
        samplesByType[sample.type, default: 0] += 1
        fingerprints.insert(sample.seriesFingerprint)
        if !(sample.family == lastFamily) {
            lastFamily = sample.family.bytes
            if familyTypes[lastFamily] == nil { familyTypes[lastFamily] = sample.type }
        }
    }

    func consumeMetadata(_ metadata: MetadataView) {
        // A family declared by TYPE counts even when it has no samples.
        if metadata.kind == .type, let type = metadata.type { familyTypes[metadata.name.bytes] = type }
    }
}
