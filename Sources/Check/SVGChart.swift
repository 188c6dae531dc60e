import FoundationEssentials
import PromModel

/// A small line chart drawn as SVG on the server: pages that show history (the sidecar's status
/// page) work with JavaScript off and load nothing. Bounded whatever the input: at most
/// ``maxSeries`` lines (the rest counted in the legend) and one point per pixel column per line
/// (the column's largest value, so a spike is never averaged away). Every text is HTML-escaped;
/// the chart has an accessible name and a `<title>`; colours come from the page's CSS classes
/// (`s0`…`s5`, `mark`), so dark mode needs no second drawing.
package struct SVGChart {
    /// One line: its legend text and its points (milliseconds, value); NaN or a gap in time
    /// longer than ``gap`` breaks the line.
    package struct Series {
        /// The legend text.
        package var name: String
        /// The points, in time order.
        package var points: [(t: Int64, v: Double)]
        /// A series named `name` through `points`.
        package init(name: String, points: [(t: Int64, v: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// The most lines drawn; the legend says how many more there were.
    package static let maxSeries = 6

    /// What the chart shows, for its accessible name and title.
    package var title: String
    /// The lines.
    package var series: [Series]
    /// The time range drawn (milliseconds).
    package var start: Int64, end: Int64
    /// Horizontal reference lines (an SLO, a quota), with their labels.
    package var marks: [(value: Double, label: String)] = []
    /// How a value is written on the axis and in the legend.
    package var format: (Double) -> String
    /// A gap in time longer than this breaks a line (milliseconds).
    package var gap: Int64 = 5 * 60_000
    /// The drawing's size in CSS pixels.
    package var width = 320, height = 110

    /// A chart of `series` over `start`…`end`.
    package init(title: String, series: [Series], start: Int64, end: Int64, marks: [(value: Double, label: String)] = [], format: @escaping (Double) -> String) {
        self.title = title
        self.series = series
        self.start = start
        self.end = end
        self.marks = marks
        self.format = format
    }

    /// The chart as an `<svg>` element (no script, no external reference).
    package func svg() -> String {
        let shown = Array(series.prefix(Self.maxSeries))
        let plotLeft = 4.0, plotRight = Double(width) - 4, plotTop = 14.0, plotBottom = Double(height) - 16
        var values = shown.flatMap { $0.points.filter { $0.t >= start && $0.t <= end && $0.v.isFinite }.map(\.v) }
        values += marks.map(\.value).filter(\.isFinite)
        let lo = min(0, values.min() ?? 0)
        var hi = values.max() ?? 1
        if hi <= lo { hi = lo + 1 }
        let span = Double(max(end - start, 1))
        func x(_ t: Int64) -> Double { plotLeft + Double(t - start) / span * (plotRight - plotLeft) }
        func y(_ v: Double) -> Double { plotBottom - (v - lo) / (hi - lo) * (plotBottom - plotTop) }
        func n(_ d: Double) -> String { CFormat.double("%.1f", d) }

        let label = htmlEscaped(title)
        var out = "<svg class=\"chart\" role=\"img\" aria-label=\"\(label)\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
        out += "<title>\(label)</title>"
        out += "<text class=\"axis\" x=\"\(n(plotLeft))\" y=\"10\">\(htmlEscaped(format(hi)))</text>"
        out += "<text class=\"axis\" x=\"\(n(plotLeft))\" y=\"\(height - 3)\">\(htmlEscaped(format(lo)))</text>"
        out += "<line class=\"grid\" x1=\"\(n(plotLeft))\" y1=\"\(n(plotBottom))\" x2=\"\(n(plotRight))\" y2=\"\(n(plotBottom))\"/>"
        for m in marks where m.value.isFinite {
            out += "<line class=\"mark\" x1=\"\(n(plotLeft))\" y1=\"\(n(y(m.value)))\" x2=\"\(n(plotRight))\" y2=\"\(n(y(m.value)))\"><title>\(htmlEscaped(m.label))</title></line>"
        }
        let columns = max(1, width)
        for (i, s) in shown.enumerated() {
            // One point per pixel column (its largest value), lines broken at NaN and gaps.
            var byColumn: [(t: Int64, v: Double, column: Int)] = []
            for p in s.points where p.t >= start && p.t <= end {
                let column = Int(Double(p.t - start) / span * Double(columns - 1))
                if let last = byColumn.last, last.column == column {
                    if p.v.isNaN || last.v.isNaN { byColumn[byColumn.count - 1].v = p.v.isNaN ? last.v : p.v } else if p.v > last.v { byColumn[byColumn.count - 1].v = p.v }
                    byColumn[byColumn.count - 1].t = p.t
                } else {
                    byColumn.append((p.t, p.v, column))
                }
            }
            var runs: [[(Int64, Double)]] = [[]]
            var previous: Int64? = nil
            for p in byColumn {
                if !p.v.isFinite || (previous.map { p.t - $0 > gap } ?? false) {
                    if !runs[runs.count - 1].isEmpty { runs.append([]) }
                }
                if p.v.isFinite { runs[runs.count - 1].append((p.t, p.v)) }
                previous = p.t
            }
            for run in runs where !run.isEmpty {
                let coordinates = run.map { "\(n(x($0.0))),\(n(y($0.1)))" }
                if run.count == 1 {
                    out += "<circle class=\"s\(i)\" cx=\"\(n(x(run[0].0)))\" cy=\"\(n(y(run[0].1)))\" r=\"1.5\"/>"
                } else {
                    out += "<polyline class=\"s\(i)\" points=\"\(coordinates.joined(separator: " "))\"/>"
                }
            }
        }
        return out + "</svg>"
    }

    /// The legend: each line's name and its last value, as HTML list items carrying the line's
    /// class; then how many lines were left out.
    package func legend() -> String {
        var out = "<ul class=\"legend\">"
        for (i, s) in series.prefix(Self.maxSeries).enumerated() {
            let last = s.points.last { $0.v.isFinite }.map { format($0.v) } ?? "no data"
            out += "<li class=\"s\(i)\"><span aria-hidden=\"true\">━</span> \(htmlEscaped(s.name)): \(htmlEscaped(last))</li>"
        }
        if series.count > Self.maxSeries { out += "<li>… and \(series.count - Self.maxSeries) more</li>" }
        return out + "</ul>"
    }
}
