import Check
import Foundation
import Testing

@Suite("SVG charts")
struct SVGChartTests {
    static func chart(_ series: [SVGChart.Series], marks: [(value: Double, label: String)] = []) -> SVGChart {
        SVGChart(title: "p99 <latency> & \"SLO\"", series: series, start: 0, end: 3_600_000, marks: marks) { String(format: "%.2fs", $0) }
    }

    @Test("the chart has an accessible name and title, escaped; one line per series; marks drawn with their labels")
    func shape() {
        let s = SVGChart.Series(name: "<script>alert(1)</script>", points: (0...60).map { (Int64($0) * 60_000, Double($0)) })
        let c = Self.chart([s], marks: [(1, "SLO 1s")])
        let svg = c.svg()
        #expect(svg.hasPrefix("<svg class=\"chart\" role=\"img\" aria-label=\"p99 &lt;latency&gt; &amp; &quot;SLO&quot;\""))
        #expect(svg.contains("<title>p99 &lt;latency&gt; &amp; &quot;SLO&quot;</title>"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 1)
        #expect(svg.contains("<title>SLO 1s</title>"))
        #expect(!svg.contains("<script") && !c.legend().contains("<script"))
        #expect(c.legend().contains("&lt;script&gt;alert(1)&lt;/script&gt;: 60.00s"))
    }

    @Test("NaN and gaps longer than five minutes break a line; a lone point is a dot")
    func breaks() {
        var points = (0..<10).map { (Int64($0) * 60_000, 1.0) }
        points.append((10 * 60_000, .nan))
        points += (11..<20).map { (Int64($0) * 60_000, 2.0) }
        points += (40..<41).map { (Int64($0) * 60_000, 3.0) }  // after a 21-minute gap, alone
        let svg = Self.chart([SVGChart.Series(name: "a", points: points)]).svg()
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 1)
    }

    @Test("bounded whatever the input: six lines at most (the legend counts the rest), one point per pixel column keeping its largest value")
    func bounded() {
        let many = (0..<50).map { i in SVGChart.Series(name: "s\(i)", points: (0..<100_000).map { (Int64($0) * 36, $0 == 50_000 ? 1000 : 1) }) }
        let c = Self.chart(many)
        let svg = c.svg()
        #expect(svg.components(separatedBy: "<polyline").count - 1 == SVGChart.maxSeries)
        #expect(c.legend().contains("… and 44 more"))
        // 320 columns at most per line: the drawing stays small.
        #expect(svg.utf8.count < 6 * 320 * 12 + 2_000)
        // The spike survives the downsampling: the axis's top is its value.
        #expect(svg.contains(">1000.00s</text>"))
    }

    @Test("no data draws an empty chart, not a crash; the legend says so")
    func empty() {
        let c = Self.chart([SVGChart.Series(name: "a", points: [])])
        #expect(c.svg().hasSuffix("</svg>") && !c.svg().contains("<polyline"))
        #expect(c.legend().contains("a: no data"))
    }
}
