import AdmissionWebhooks
import FoundationEssentials
import PromModel

/// What ctlmon's pages share (the HTML report of `check`, the sidecar's status page): one
/// style sheet, light and dark (`prefers-color-scheme`), readable from 390 px wide; grades
/// written in words and a symbol beside their colour; small SVG bars.
package enum PageStyle {
    /// The style sheet, inlined in each page and named by its hash in the page's policy.
    package static let css = """

        :root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#59636e;--line:#d1d9e0;--ok:#1a7f37;--info:#0969da;--warning:#9a6700;--critical:#cf222e;--bar:#e8ecf0}
        @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--ok:#3fb950;--info:#4493f8;--warning:#d29922;--critical:#f85149;--bar:#262c36}}
        *{box-sizing:border-box}body{margin:0 auto;max-width:1100px;padding:16px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
        h1{font-size:1.4em;margin:0 0 4px}h2{font-size:1.15em;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
        p,li{margin:4px 0}.muted{color:var(--muted)}.verdict{font-size:1.2em;font-weight:600;padding:10px 12px;border:2px solid;border-radius:6px}
        table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.wrap{overflow-x:auto}code{font-size:.92em;word-break:break-all}
        .g-1{color:var(--ok)}.g0{color:var(--info)}.g1{color:var(--warning)}.g2{color:var(--critical)}
        .verdict.g-1{border-color:var(--ok)}.verdict.g0{border-color:var(--info)}.verdict.g1{border-color:var(--warning)}.verdict.g2{border-color:var(--critical)}
        svg .track{fill:var(--bar)}svg .fill-1{fill:var(--ok)}svg .fill0{fill:var(--info)}svg .fill1{fill:var(--warning)}svg .fill2{fill:var(--critical)}svg .mark{stroke:var(--fg);stroke-width:2}
        ul.alerts{list-style:none;padding:0}ul.alerts li{border-left:4px solid var(--line);padding:4px 10px;margin:8px 0}
        ul.alerts li.g2{border-color:var(--critical)}ul.alerts li.g1{border-color:var(--warning)}ul.alerts li.g0{border-color:var(--info)}
        @media (max-width:600px){body{padding:10px;font-size:14px}th,td{padding:4px 5px}.hide-narrow{display:none}}
        svg.chart{display:block;max-width:100%;height:auto}svg.chart polyline{fill:none;stroke-width:1.6}svg.chart .axis{font-size:10px;fill:var(--muted)}svg.chart .grid{stroke:var(--line)}
        svg.chart .mark{stroke:var(--critical);stroke-dasharray:4 3;stroke-width:1}
        svg .s0,.legend .s0{stroke:#0969da;fill:#0969da;color:#0969da}svg .s1,.legend .s1{stroke:#bf3989;fill:#bf3989;color:#bf3989}svg .s2,.legend .s2{stroke:#1a7f37;fill:#1a7f37;color:#1a7f37}
        svg .s3,.legend .s3{stroke:#9a6700;fill:#9a6700;color:#9a6700}svg .s4,.legend .s4{stroke:#8250df;fill:#8250df;color:#8250df}svg .s5,.legend .s5{stroke:#59636e;fill:#59636e;color:#59636e}
        svg.chart polyline{fill:none}ul.legend{list-style:none;padding:0;margin:2px 0 0;font-size:.85em}ul.legend li{display:inline-block;margin-right:12px}ul.legend li span{font-weight:700}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:14px}figure{margin:0}figcaption{font-weight:600;margin-bottom:2px}
        nav.ranges a{margin-right:10px}a{color:var(--info)}
        """

    /// A grade in words with its symbol (never colour alone).
    package static func gradeWords(_ rank: Int) -> String {
        switch rank {
        case ...(-1): "✔ ok"
        case 0: "● info"
        case 1: "▲ warning"
        default: "✖ critical"
        }
    }

    /// `text` in a grade's colour, with the grade's words for those who cannot see it.
    package static func graded(_ text: String, _ rank: Int) -> String {
        "<span class=\"g\(rank)\">\(htmlEscaped(text)) <small>\(gradeWords(rank))</small></span>"
    }

    /// A horizontal bar: `ratio` of the track filled, an optional mark at `markAt` (e.g. the SLO),
    /// with an accessible title.
    package static func bar(ratio: Double, rank: Int, markAt: Double? = nil, title: String) -> String {
        let w = 160.0
        let filled = ratio.isFinite ? max(0, min(1, ratio)) * w : 0
        var svg = "<svg role=\"img\" aria-label=\"\(htmlEscaped(title))\" width=\"\(Int(w))\" height=\"14\" viewBox=\"0 0 \(Int(w)) 14\">"
        svg += "<title>\(htmlEscaped(title))</title><rect class=\"track\" width=\"\(Int(w))\" height=\"14\" rx=\"3\"/>"
        svg += "<rect class=\"fill\(rank)\" width=\"\(CFormat.double("%.1f", filled))\" height=\"14\" rx=\"3\"/>"
        if let m = markAt, m.isFinite { svg += "<line class=\"mark\" x1=\"\(CFormat.double("%.1f", max(0, min(1, m)) * w))\" y1=\"0\" x2=\"\(CFormat.double("%.1f", max(0, min(1, m)) * w))\" y2=\"14\"/>" }
        return svg + "</svg>"
    }

    /// The webhook configurations' findings as a list, worst first, each with why and the fix;
    /// the webhooks never called on one line (there are often many).
    package static func findingsHTML(_ listed: [WebhookFinding], neverCalled idle: [String]) -> String {
        var out = ""
        if !listed.isEmpty {
            out += "<ul class=\"alerts\">\n"
            for f in listed {
                let owner = f.configuration.isEmpty ? "" : " <span class=\"muted\">(\(htmlEscaped(f.configuration))\(f.kind.map { ", \(htmlEscaped($0.rawValue))" } ?? ""))</span>"
                out += "<li class=\"g\(f.severity.rank)\"><strong>\(graded(f.severity.rawValue, f.severity.rank))</strong> \(htmlEscaped(f.id.rawValue)) <code>\(htmlEscaped(f.webhook))</code>\(owner)"
                out += "<br>\(htmlEscaped(f.message))<br><span class=\"muted\">Fix: \(htmlEscaped(f.fix))</span></li>\n"
            }
            out += "</ul>\n"
        }
        if !idle.isEmpty {
            out += "<p>\(graded("never called", 0)): \(idle.count) webhook(s) without a call since the API server started: \(idle.map(htmlEscaped).joined(separator: ", ")).</p>\n"
        }
        return out
    }
}
