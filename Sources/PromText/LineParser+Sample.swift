// Sample lines: `name{label="value",…} value [timestamp] [# {exemplar} value [timestamp]]`.
// This is the hot path: no allocation, one pass over the line, views into the line. The
// line's end is found by parsing it: the ``Line`` holds a `\n` at or after the line's end
// (every scanner stops at it), so no separate newline search precedes the parse.

import PromModel

extension LineParser {
    @inline(__always)
    func skipBlanks(_ p: Line, _ i: Int) -> Int {
        var i = i
        while p[i] == 0x20 || p[i] == 0x09 { i &+= 1 }
        return i
    }

    /// Whether a 0.0.4 token ends at `c`: a blank, the line end, or a CR before it.
    @inline(__always)
    func endsToken(_ c: UInt8) -> Bool {
        openMetrics ? (c == 0x20 || c == 0x0A) : (c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D)
    }

    /// At the end of the line (0.0.4 allows a CR before the newline)? Returns the newline's index.
    @inline(__always)
    func lineEnd(_ p: Line, _ i: Int) -> Int? {
        if p[i] == 0x0A { return i }
        if !openMetrics && p[i] == 0x0D && p[i &+ 1] == 0x0A { return i &+ 1 }
        return nil
    }

    /// Parses a sample line starting at `p[from]`, hands it to the consumer and returns
    /// the index of the `\n` that ends it.
    ///
    /// Long by design: the parser's hot loop, one pass over the line with its state in
    /// registers; split into calls it measured slower (docs/performance.md).
    mutating func parseSample(_ p: Line, _ from: Int) throws(LineFault) -> Int {
        let nameEnd: Int
        let nameHit: Bool
        if let end = repeatCache.matchName(p, from) {
            nameEnd = end
            nameHit = true
        } else {
            guard ByteClass.isMetricStart(p[from]) else {
                throw LineFault(.syntax, at: from, p[from] == UInt8(ascii: "{")
                    ? "expected a metric name before '{' (quoted UTF-8 names are not supported)"
                    : "expected a metric name or a comment")
            }
            nameEnd = p.metricNameEnd(from: from &+ 1)
            nameHit = false
            repeatCache.keep = filter?.keeps(p.view(from, nameEnd &- from)) ?? true
        }
        if !openMetrics, !repeatCache.keep {
            // A skipped family's line: not decoded. Unvalidated, it ends at its newline;
            // validated, a quick check of its grammar accepts the usual line, and anything it
            // does not accept is parsed in full below, which gives the parser's own error.
            let end = validatesSkipped ? validSkippedSample(p, nameEnd) : p.newline(from: nameEnd)
            if let end {
                // With its family and type: a later line of the same name that the quick check
                // leaves to the full parse finds them as after a full parse.
                if !nameHit { _ = rememberTypedName(p.view(from, nameEnd &- from)) }
                statistics.filteredSamples &+= 1
                return end
            }
        }
        var i = nameEnd
        if !openMetrics { i = skipBlanks(p, i) }
        var labelCount = 0
        var hadLabels = false
        if p[i] == UInt8(ascii: "{") {
            hadLabels = true
            i = try parseLabels(p, i &+ 1, firstSlot: 0, count: &labelCount, cached: true)
        }
        let seriesEnd = hadLabels ? i : nameEnd
        // The value, after exactly one space in OpenMetrics, blanks in 0.0.4.
        if openMetrics {
            guard p[i] == 0x20 else { throw expectedValue(p, i, nameEnd: nameEnd, hadLabels: hadLabels) }
            i &+= 1
        } else {
            i = skipBlanks(p, i)
            if i == nameEnd { throw expectedValue(p, i, nameEnd: nameEnd, hadLabels: hadLabels) }
        }
        var valueEnd = i
        while !endsToken(p[valueEnd]) { valueEnd &+= 1 }
        if valueEnd == i {
            throw lineEnd(p, i) != nil ? expectedValue(p, i, nameEnd: nameEnd, hadLabels: hadLabels)
                : LineFault(.syntax, at: i, "expected a value")
        }
        guard let value = p.double(i, valueEnd) else {
            if openMetrics && p[valueEnd &- 1] == 0x0D && lineEnd(p, valueEnd) != nil {
                throw LineFault(.syntax, at: valueEnd &- 1, "a carriage return before the line end: OpenMetrics lines end with \\n alone")
            }
            throw LineFault(.syntax, at: i, "invalid value \"\(p.text(i, valueEnd))\": expected a float, +Inf, -Inf or NaN")
        }
        i = valueEnd
        var timestampMs: Int64 = 0
        var hasTimestamp = false
        var timestampSeconds: Double? = nil
        var exemplar = (count: -1, value: 0.0, timestamp: Double.nan)
        let end: Int
        if openMetrics {
            if p[i] == 0x20 {
                i &+= 1  // the space that ended the value
                if p[i] == UInt8(ascii: "#") {
                    (exemplar, i) = try parseExemplar(p, i, firstSlot: labelCount)
                } else {
                    var tsEnd = i
                    while !endsToken(p[tsEnd]) { tsEnd &+= 1 }
                    guard tsEnd > i, let s = p.seconds(i, tsEnd) else {
                        throw LineFault(.syntax, at: i, tsEnd > i
                            ? "invalid timestamp \"\(p.text(i, tsEnd))\": expected seconds as a finite number"
                            : "expected a timestamp or an exemplar after the value")
                    }
                    timestampSeconds = s
                    timestampMs = NumberParsing.milliseconds(fromSeconds: s)
                    hasTimestamp = true
                    i = tsEnd
                    if p[i] == 0x20 {
                        (exemplar, i) = try parseExemplar(p, i &+ 1, firstSlot: labelCount)
                    }
                }
            }
            guard p[i] == 0x0A else { throw LineFault(.syntax, at: i, "unexpected \(describe(p[i])) after the sample") }
            end = i
        } else {
            i = skipBlanks(p, i)
            if let e = lineEnd(p, i) {
                end = e
            } else {
                var tsEnd = i
                while !endsToken(p[tsEnd]) { tsEnd &+= 1 }
                guard let ts = p.int64(i, tsEnd) else {
                    throw LineFault(.syntax, at: i, p[i] == UInt8(ascii: "#")
                        ? "exemplars need the OpenMetrics format (--openmetrics)"
                        : "invalid timestamp \"\(p.text(i, tsEnd))\": expected integer milliseconds")
                }
                timestampMs = ts
                hasTimestamp = true
                i = skipBlanks(p, tsEnd)
                guard let e = lineEnd(p, i) else { throw LineFault(.syntax, at: i, "unexpected text after the timestamp") }
                end = e
            }
        }
        if hadLabels && !labelNamesRepeated {
            if labelCount > 1 { try checkDuplicateLabels(p, 0, labelCount) }
            repeatCache.rememberLabels(p, slots.view, labelCount)  // only once checked
        }
        if labelCount > 0 {
            previousLine = p
            previousLineCount = end
            previousLabelCount = labelCount
        } else {
            previousLine = nil
        }

        let name = p.view(from, nameEnd &- from)
        var family = name
        var type = MetricType.untyped
        if !nameHit && !openMetrics {
            (family, type) = rememberTypedName(name)
        } else if !openMetrics {
            family = name.head(repeatCache.familyCount)
            type = repeatCache.type
        }
        if openMetrics {
            (family, type) = try validator!.sample(
                line: p, name: name, slots: slots.view, labelCount: labelCount, value: value,
                timestamp: timestampSeconds, hasExemplar: exemplar.count >= 0, lineNumber: statistics.lines)
            if !nameHit { repeatCache.rememberName(name) }
        }
        if !repeatCache.keep {
            statistics.filteredSamples &+= 1
            return end
        }
        consumer.consume(SampleView(
            line: p, slots: slots.view, labelCount: labelCount, name: name, family: family, type: type, value: value,
            hasTimestamp: hasTimestamp, timestamp: timestampMs, exemplarLabelCount: exemplar.count,
            exemplarValue: exemplar.value, exemplarTimestamp: exemplar.timestamp, lineNumber: statistics.lines,
            series: p.view(from, seriesEnd &- from)))
        statistics.samples &+= 1
        return end
    }

    /// 0.0.4: remembers a sample name with its family and type (the repeat cache's answer for
    /// the next lines of the same name) and returns them.
    private mutating func rememberTypedName(_ name: ByteView) -> (ByteView, MetricType) {
        repeatCache.rememberName(name)
        let (family, type) = typedFamily.isEmpty ? (name, .untyped) : typedFamilyOf(name)
        repeatCache.familyCount = family.count
        repeatCache.type = type
        return (family, type)
    }

    /// 0.0.4: the sample belongs to the last `# TYPE`d family when its name is that
    /// family's name plus one of the type's suffixes.
    private func typedFamilyOf(_ name: ByteView) -> (ByteView, MetricType) {
        let k = typedFamily.count
        guard name.count >= k else { return (name, .untyped) }
        guard name.hasPrefix(typedFamily) else { return (name, .untyped) }
        let rest = name.tail(from: k)
        for s in SampleSuffix.allowed(for: typedFamilyType, in: .prometheusText) where rest == s.text {
            return (name.head(k), typedFamilyType)
        }
        return (name, .untyped)
    }

    private func expectedValue(_ p: Line, _ i: Int, nameEnd: Int, hadLabels: Bool) -> LineFault {
        if lineEnd(p, i) != nil { return LineFault(.syntax, at: i, "expected a value after the \(hadLabels ? "labels" : "metric name")") }
        if !hadLabels && i == nameEnd {
            return LineFault(.syntax, at: i, "unexpected character \(describe(p[i])) in metric name")
        }
        return LineFault(.syntax, at: i, openMetrics
            ? "expected a single space before the value" : "expected whitespace before the value")
    }

    /// Parses `name="value",…}` from `p[i]` (after `{`) into slots from `firstSlot`; returns the index after `}`.
    /// With `cached`, label names are first matched against the previous line's, and
    /// ``labelNamesRepeated`` tells whether the whole sequence repeated.
    ///
    /// Long by design: the per-label hot loop of the parser, kept in one piece.
    mutating func parseLabels(
        _ p: Line, _ start: Int, firstSlot: Int, count: inout Int, cached: Bool = false
    ) throws(LineFault) -> Int {
        var repeated = cached
        let limits = options.limits
        var i = start
        var atSeparator = false
        if cached, let shared = sharedLabels(p) {
            count = shared.count
            i = shared.after
            atSeparator = true
        }
        if !atSeparator {
            if !openMetrics { i = skipBlanks(p, i) }
            if p[i] == UInt8(ascii: "}") {
                if cached { labelNamesRepeated = repeatCache.labelCount == 0 }
                return i &+ 1
            }
        }
        defer { if cached { labelNamesRepeated = repeated && count == repeatCache.labelCount } }
        while true {
          if !atSeparator {
            let nameStart = i
            if repeated, let end = repeatCache.matchLabel(count, p, i) {
                i = end
            } else {
                repeated = false
                i = try scanLabelName(p, i)
            }
            let nameEnd = i
            if !repeated {
                if nameEnd &- nameStart > limits.maxLabelNameLength {
                    throw LineFault(.limit, at: nameStart, "label name longer than the limit of \(limits.maxLabelNameLength) bytes")
                }
            }
            if !openMetrics { i = skipBlanks(p, i) }
            guard p[i] == UInt8(ascii: "=") else {
                throw LineFault(.syntax, at: i, "expected '=' after label name \"\(p.text(nameStart, nameEnd))\"")
            }
            i &+= 1
            if !openMetrics { i = skipBlanks(p, i) }
            guard p[i] == UInt8(ascii: "\"") else {
                throw LineFault(.syntax, at: i, "expected '\"' to open the value of label \"\(p.text(nameStart, nameEnd))\"")
            }
            i &+= 1
            let valueStart = i
            var escaped = false
            while true {
                i = p.labelValueSpecial(from: i)
                let c = p[i]
                if c == UInt8(ascii: "\"") { break }
                if c == 0x0A {
                    throw LineFault(.syntax, at: valueStart &- 1,
                        "unterminated value of label \"\(p.text(nameStart, nameEnd))\": expected a closing '\"'")
                }
                if c == UInt8(ascii: "\\") {
                    escaped = true
                    if p[i &+ 1] == 0x0A {
                        throw LineFault(.syntax, at: valueStart &- 1,
                            "unterminated value of label \"\(p.text(nameStart, nameEnd))\": expected a closing '\"'")
                    }
                    i &+= p[i &+ 1] < 0x80 ? 2 : 1
                } else if c == 0 {
                    throw LineFault(.syntax, at: i, "NUL byte in the value of label \"\(p.text(nameStart, nameEnd))\"")
                } else {
                    let k = p.utf8SequenceLength(at: i)
                    if k == 0 {
                        throw LineFault(.syntax, at: i, "invalid UTF-8 in the value of label \"\(p.text(nameStart, nameEnd))\"")
                    }
                    i &+= k
                }
            }
            let valueEnd = i
            i &+= 1
            if valueEnd &- valueStart > limits.maxLabelValueLength {
                throw LineFault(.limit, at: valueStart, "label value longer than the limit of \(limits.maxLabelValueLength) bytes")
            }
            if count >= limits.maxLabelsPerSample {
                throw LineFault(.limit, at: nameStart, "more labels than the limit of \(limits.maxLabelsPerSample)")
            }
            slots.set(firstSlot &+ count, LabelSlot(
                nameStart: Int32(truncatingIfNeeded: nameStart), nameCount: Int32(truncatingIfNeeded: nameEnd &- nameStart),
                valueStart: Int32(truncatingIfNeeded: valueStart), valueCount: Int32(truncatingIfNeeded: valueEnd &- valueStart),
                escaped: escaped))
            count &+= 1
          }
            atSeparator = false
            if !openMetrics { i = skipBlanks(p, i) }
            if p[i] == UInt8(ascii: ",") {
                i &+= 1
                if !openMetrics {
                    i = skipBlanks(p, i)
                    if p[i] == UInt8(ascii: "}") { return i &+ 1 }  // trailing comma, allowed in 0.0.4
                }
                continue
            }
            if p[i] == UInt8(ascii: "}") { return i &+ 1 }
            throw LineFault(.syntax, at: i, p[i] == 0x0A ? "expected ',' or '}' after a label value"
                : "expected ',' or '}' after a label value, found \(describe(p[i]))")
        }
    }

    /// Scans a label name from `p[i]`; returns the index after it.
    private func scanLabelName(_ p: Line, _ i: Int) throws(LineFault) -> Int {
        guard ByteClass.isLabelStart(p[i]) else {
            if p[i] == 0x0A { throw LineFault(.syntax, at: i, "expected a label name or '}'") }
            throw LineFault(.syntax, at: i, p[i] == UInt8(ascii: ",")
                ? "expected a label name, found an extra ','"
                : p[i] == UInt8(ascii: "\"") ? "expected a label name (quoted UTF-8 names are not supported)"
                : "expected a label name, found \(describe(p[i]))")
        }
        return p.labelNameEnd(from: i &+ 1)
    }

    /// `# {labels} value [timestamp]` from `p[i]`; OpenMetrics only.
    private mutating func parseExemplar(
        _ p: Line, _ start: Int, firstSlot: Int
    ) throws(LineFault) -> ((count: Int, value: Double, timestamp: Double), Int) {
        var i = start
        guard p[i] == UInt8(ascii: "#"), p[i &+ 1] == 0x20, p[i &+ 2] == UInt8(ascii: "{") else {
            throw LineFault(.syntax, at: i, "expected an exemplar '# {labels} value' or the end of the line")
        }
        var count = 0
        i = try parseLabels(p, i &+ 3, firstSlot: firstSlot, count: &count)
        if count > 1 { try checkDuplicateLabels(p, firstSlot, count) }
        var scalars = 0
        for k in firstSlot..<(firstSlot &+ count) {
            let s = slots[k]
            scalars &+= p.scalarCount(Int(s.nameStart), Int(s.nameStart &+ s.nameCount))
            scalars &+= p.scalarCount(Int(s.valueStart), Int(s.valueStart &+ s.valueCount))
        }
        if scalars > 128 {
            throw LineFault(.semantics, at: start, "exemplar labels have \(scalars) characters; at most 128 are allowed")
        }
        guard p[i] == 0x20 else { throw LineFault(.syntax, at: i, "expected a space and the exemplar value") }
        i &+= 1
        var end = i
        while !endsToken(p[end]) { end &+= 1 }
        guard end > i, let value = p.double(i, end) else {
            throw LineFault(.syntax, at: i, "invalid exemplar value \"\(p.text(i, end))\"")
        }
        var timestamp = Double.nan
        if p[end] == 0x20 {
            i = end &+ 1
            end = i
            while !endsToken(p[end]) { end &+= 1 }
            guard end > i, p[end] == 0x0A, let ts = p.seconds(i, end) else {
                throw LineFault(.syntax, at: i, "invalid exemplar timestamp \"\(p.text(i, end))\"")
            }
            timestamp = ts
        }
        return ((count, value, timestamp), end)
    }

    /// The labels wholly inside the prefix this line shares byte for byte with the previous one
    /// (whose slots are still set): they are the same labels. How many, and the index after the
    /// last one's closing quote; nil when there are none.
    @inline(__always)
    func sharedLabels(_ p: Line) -> (count: Int, after: Int)? {
        guard let previous = previousLine, previousLabelCount > 0 else { return nil }
        let same = p.commonPrefixLength(p.limit, with: previous, previousLineCount)
        let (k, after) = slots.labelsBefore(same, of: previousLabelCount)
        return k > 0 ? (k, after) : nil
    }

    /// Rejects a label name written twice on one sample.
    mutating func checkDuplicateLabels(_ p: Line, _ first: Int, _ count: Int) throws(LineFault) {
        @inline(__always) func same(_ a: LabelSlot, _ b: LabelSlot) -> Bool {
            a.nameCount == b.nameCount && p.bytesEqual(Int(a.nameStart), Int(b.nameStart), Int(a.nameCount))
        }
        if count <= 48 {
            for a in first..<(first &+ count &- 1) {
                for b in (a &+ 1)..<(first &+ count) where same(slots[a], slots[b]) {
                    throw duplicate(p, slots[b])
                }
            }
            return
        }
        hashScratch.removeAll(keepingCapacity: true)
        for k in first..<(first &+ count) {
            let s = slots[k]
            let h = LabelHasher.hashBytes(p.view(Int(s.nameStart), Int(s.nameCount)), seed: 7)
            hashScratch.append((h, k))
        }
        hashScratch.sort { $0.0 < $1.0 }
        for k in 1..<hashScratch.count where hashScratch[k].0 == hashScratch[k &- 1].0 {
            if same(slots[hashScratch[k].1], slots[hashScratch[k &- 1].1]) { throw duplicate(p, slots[max(hashScratch[k].1, hashScratch[k &- 1].1)]) }
        }
    }

    private func duplicate(_ p: Line, _ s: LabelSlot) -> LineFault {
        let name = p.text(Int(s.nameStart), Int(s.nameStart &+ s.nameCount))
        return LineFault(.syntax, at: Int(s.nameStart), "duplicate label name \"\(name)\"")
    }

    func describe(_ c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        switch c {
        case 0x20: return "a space"
        case 0x09: return "a tab"
        case 0x0D: return "a carriage return"
        case 0: return "a NUL byte"
        default: return "byte 0x" + String(c, radix: 16, uppercase: true)
        }
    }
}
