/// One point of a series: a timestamp in milliseconds and a value.
public struct Point: Sendable, Hashable {
    public var t: Int64
    public var v: Double
    public init(t: Int64, v: Double) {
        self.t = t
        self.v = v
    }
}

/// A sample of an instant vector.
public struct Sample: Sendable {
    public var labels: Labels
    public var value: Double
    /// When the value was sampled (the evaluation time for computed samples).
    public var timestamp: Int64
    public init(labels: Labels, value: Double, timestamp: Int64) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }
}

/// A series of a range vector.
public struct SeriesPoints: Sendable {
    public var labels: Labels
    public var points: PointsView

    public init(labels: Labels, points: [Point]) {
        self.labels = labels
        self.points = PointsView(points[...])
    }

    init(labels: Labels, slice: ArraySlice<Point>) {
        self.labels = labels
        self.points = PointsView(slice)
    }
}

/// The points of a range-vector series, indexed from 0: a window onto the store's own
/// samples when it can be (selecting a range copies nothing), or onto computed points.
public struct PointsView: RandomAccessCollection, Sendable {
    let base: ArraySlice<Point>

    init(_ base: ArraySlice<Point>) { self.base = base }

    public var startIndex: Int { 0 }
    public var endIndex: Int { base.count }
    public subscript(i: Int) -> Point { base[base.startIndex + i] }
}

/// The result of evaluating an expression.
public enum Value: Sendable {
    case scalar(Double, Int64)
    case string(String, Int64)
    case vector([Sample])
    case matrix([SeriesPoints])

    public var type: ValueType {
        switch self {
        case .scalar: .scalar
        case .string: .string
        case .vector: .vector
        case .matrix: .matrix
        }
    }
}
