import PromModel
import SeriesStorage
/// A sample of an instant vector.
package struct Sample: Sendable {
    /// The sample's labels (most functions and operators drop the metric name).
    package var labels: Labels
    /// The value: never a staleness marker (selectors skip them), though NaN and ±Inf can be.
    package var value: Double
    /// When the value was sampled (the evaluation time for computed samples).
    package var timestamp: Int64
    /// A sample at `timestamp` (milliseconds).
    package init(labels: Labels, value: Double, timestamp: Int64) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }
}

/// A series of a range vector.
package struct SeriesPoints: Sendable {
    /// The series' labels (a range selector's keep their metric name).
    package var labels: Labels
    /// The points in the window, ascending by time, stale markers left out; for a range
    /// selector, a view onto the store's samples rather than a copy.
    package var points: PointsView

    /// A series of computed points (a subquery's), ascending by time.
    package init(labels: Labels, points: [Point]) {
        self.labels = labels
        self.points = PointsView(points[...])
    }

    /// A view onto points kept elsewhere (an evaluation's snapshot), not copied.
    init(labels: Labels, slice: ArraySlice<Point>) {
        self.labels = labels
        self.points = PointsView(slice)
    }
}

/// The result of evaluating an expression.
package enum Value: Sendable {
    case scalar(Double, Int64)
    case string(String, Int64)
    case vector([Sample])
    case matrix([SeriesPoints])

    /// The value's type: the one ``Expr/type`` gives the expression evaluated.
    package var type: ValueType {
        switch self {
        case .scalar: .scalar
        case .string: .string
        case .vector: .vector
        case .matrix: .matrix
        }
    }
}
