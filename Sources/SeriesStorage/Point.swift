import PromModel
/// One point of a series: a timestamp in milliseconds and a value.
///
/// Public, as ``PointsView`` is, so that PromQL's range functions, in another module, read
/// points inlined rather than through calls (Swift inlines across modules only what is public).
@frozen
public struct Point: Sendable, Hashable {
    /// Timestamp, in milliseconds since the epoch.
    public var t: Int64
    /// The value; ``SeriesStore/staleNaN`` marks the series stale from this time on.
    public var v: Double
    /// A point at `t` (milliseconds) with value `v`.
    @inlinable
    public init(t: Int64, v: Double) {
        self.t = t
        self.v = v
    }
}

/// Points indexed from 0: a window onto the store's own samples when it can be (a
/// range selection copies nothing), or onto computed points.
@frozen
public struct PointsView: RandomAccessCollection, Sendable {
    /// The points viewed, with the slice's own indices: the view's index `i` is `base.startIndex + i`.
    public let base: ArraySlice<Point>

    /// Views `base` without copying it.
    @inlinable
    public init(_ base: ArraySlice<Point>) { self.base = base }

    @inlinable
    public var startIndex: Int { 0 }
    @inlinable
    public var endIndex: Int { base.count }
    @inlinable
    public subscript(i: Int) -> Point { base[base.startIndex + i] }
}
