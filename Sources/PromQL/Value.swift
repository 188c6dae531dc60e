/// One point of a series: a timestamp in milliseconds and a value.
package struct Point: Sendable, Hashable {
    package var t: Int64
    package var v: Double
    package init(t: Int64, v: Double) {
        self.t = t
        self.v = v
    }
}

/// A sample of an instant vector.
package struct Sample: Sendable {
    package var labels: Labels
    package var value: Double
    /// When the value was sampled (the evaluation time for computed samples).
    package var timestamp: Int64
    package init(labels: Labels, value: Double, timestamp: Int64) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }
}

/// A series of a range vector.
package struct SeriesPoints: Sendable {
    package var labels: Labels
    package var points: PointsView

    package init(labels: Labels, points: [Point]) {
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
package struct PointsView: RandomAccessCollection, Sendable {
    let base: ArraySlice<Point>

    init(_ base: ArraySlice<Point>) { self.base = base }

    package var startIndex: Int { 0 }
    package var endIndex: Int { base.count }
    package subscript(i: Int) -> Point { base[base.startIndex + i] }
}

/// The result of evaluating an expression.
package enum Value: Sendable {
    case scalar(Double, Int64)
    case string(String, Int64)
    case vector([Sample])
    case matrix([SeriesPoints])

    package var type: ValueType {
        switch self {
        case .scalar: .scalar
        case .string: .string
        case .vector: .vector
        case .matrix: .matrix
        }
    }
}
