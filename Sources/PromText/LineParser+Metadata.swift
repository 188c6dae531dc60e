// Comment lines: `# HELP name text`, `# TYPE name type`, `# UNIT name unit`, `# EOF`, other comments.

extension LineParser {
    /// 0.0.4: `# HELP`/`# TYPE` are metadata, any other `#` line is a comment.
    mutating func parseComment(_ p: Line, _ n: Int) throws(LineFault) {
        var i = 1
        while i < n && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
        let keywordStart = i
        while i < n && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
        let keyword = p.view(keywordStart, i - keywordStart)
        let isHelp = keyword == "HELP"
        guard keywordStart > 1, isHelp || keyword == "TYPE", i < n else {
            statistics.commentLines += 1
            return
        }
        while i < n && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
        let nameStart = i
        guard i < n, ByteClass.isMetricStart(p[i]) else {
            throw LineFault(.syntax, at: i, "expected a metric name after \"# \(keyword)\"")
        }
        i = min(p.metricNameEnd(from: i + 1), n)
        let name = p.view(nameStart, i - nameStart)
        if i < n && p[i] != 0x20 && p[i] != 0x09 {
            throw LineFault(.syntax, at: i, "unexpected character \(describe(p[i])) in metric name")
        }
        while i < n && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
        if isHelp {
            let text = p.view(i, n - i)
            statistics.metadataLines += 1
            consumer.consumeMetadata(MetadataView(kind: .help, name: name, text: text, type: nil, format: .prometheusText))
            return
        }
        let typeStart = i
        while i < n && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
        let typeWord = p.view(typeStart, i - typeStart)
        guard typeWord.count > 0 else { throw LineFault(.syntax, at: typeStart, "expected a metric type after the name") }
        guard let type = MetricType(keyword: typeWord, format: .prometheusText) else {
            throw LineFault(.syntax, at: typeStart,
                "unknown metric type \"\(typeWord)\": expected counter, gauge, histogram, summary or untyped")
        }
        while i < n && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
        if i < n { throw LineFault(.syntax, at: i, "unexpected text after the metric type") }
        setTypedFamily(name, type)
        statistics.metadataLines += 1
        consumer.consumeMetadata(MetadataView(kind: .type, name: name, text: typeWord, type: type, format: .prometheusText))
    }

    private mutating func setTypedFamily(_ name: ByteView, _ type: MetricType) {
        typedFamily.removeAll(keepingCapacity: true)
        typedFamily.append(contentsOf: name)
        typedFamilyType = type
        repeatCache.forgetName()
    }

    /// OpenMetrics: only `# HELP`, `# TYPE`, `# UNIT` (single spaces) and `# EOF` may start with `#`.
    mutating func parseOpenMetricsComment(_ p: Line, _ n: Int) throws(LineFault) {
        let line = p.view(0, n)
        if line == "# EOF" {
            try validator!.eof(lineNumber: statistics.lines)
            return
        }
        guard n >= 7, p[1] == 0x20, p[6] == 0x20 else {
            throw LineFault(.syntax, at: 0, "expected \"# HELP\", \"# TYPE\", \"# UNIT\" or \"# EOF\"; OpenMetrics has no comments")
        }
        let keyword = p.view(2, 4)
        let kind: MetadataView.Kind
        if keyword == "HELP" { kind = .help }
        else if keyword == "TYPE" { kind = .type }
        else if keyword == "UNIT" { kind = .unit }
        else {
            throw LineFault(.syntax, at: 2, "unknown metadata \"\(keyword)\": expected HELP, TYPE or UNIT")
        }
        var i = 7
        guard i < n, ByteClass.isMetricStart(p[i]) else {
            throw LineFault(.syntax, at: i, "expected a metric name after \"# \(keyword)\"")
        }
        i = min(p.metricNameEnd(from: i + 1), n)
        let name = p.view(7, i - 7)
        guard i < n, p[i] == 0x20 else {
            throw LineFault(.syntax, at: i, i < n
                ? "unexpected character \(describe(p[i])) after the metric name"
                : "expected a space and the \(kind == .help ? "help text" : kind == .type ? "metric type" : "unit") after the name")
        }
        let text = p.view(i + 1, n - i - 1)
        var type: MetricType? = nil
        if kind == .type {
            guard let t = MetricType(keyword: text, format: .openMetrics) else {
                throw LineFault(.syntax, at: i + 1,
                    "unknown metric type \"\(text)\": expected counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown")
            }
            type = t
        }
        let metadata = MetadataView(kind: kind, name: name, text: text, type: type, format: .openMetrics)
        try validator!.metadata(metadata, lineNumber: statistics.lines)
        statistics.metadataLines += 1
        consumer.consumeMetadata(metadata)
    }
}
