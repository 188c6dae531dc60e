import PromModel
import SeriesStorage
/// `histogram_quantile` on classic buckets, as Prometheus 2.x computes it.
enum HistogramQuantile {
    struct Bucket {
        var upperBound: Double
        var count: Double
    }

    /// The φ-quantile from cumulative buckets: linear interpolation inside the bucket
    /// holding the rank; NaN without a +Inf bucket or observations; the largest finite
    /// bound when the rank falls in the +Inf bucket; non-monotonic counts are raised to
    /// be monotonic; buckets with the same bound (`1` and `1.0`) are added together.
    ///
    /// NaN counts follow Prometheus too: a NaN total is not "no observations", and the
    /// bucket is found by binary search as Go's `sort.Search` finds it.
    static func quantile(_ q: Double, _ input: [Bucket]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        var buckets = input.sorted { $0.upperBound < $1.upperBound }
        guard let last = buckets.last, last.upperBound == .infinity else { return .nan }
        // Coalesce equal bounds.
        var merged: [Bucket] = []
        for b in buckets {
            if let l = merged.last, l.upperBound == b.upperBound {
                merged[merged.count - 1].count += b.count
            } else {
                merged.append(b)
            }
        }
        buckets = merged
        // Ensure monotonic counts, starting from the first bucket's.
        var highest = buckets[0].count
        for i in buckets.indices.dropFirst() {
            if buckets[i].count > highest {
                highest = buckets[i].count
            } else if buckets[i].count < highest {
                buckets[i].count = highest
            }
        }
        if buckets.count < 2 { return .nan }
        let observations = buckets[buckets.count - 1].count
        if observations == 0 { return .nan }
        var rank = q * observations
        // sort.Search over all but the +Inf bucket: the first whose count reaches the rank.
        var lo = 0
        var hi = buckets.count - 1
        while lo < hi {
            let mid = Int(UInt(lo + hi) >> 1)
            if !(buckets[mid].count >= rank) { lo = mid + 1 } else { hi = mid }
        }
        let b = lo
        if b == buckets.count - 1 { return buckets[buckets.count - 2].upperBound }
        if b == 0 && buckets[0].upperBound <= 0 { return buckets[0].upperBound }
        var bucketStart = 0.0
        let bucketEnd = buckets[b].upperBound
        var count = buckets[b].count
        if b > 0 {
            bucketStart = buckets[b - 1].upperBound
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count)
    }
}
