// The grammar check of a skipped family's sample line (0.0.4): what `ctlmon check` does for the
// families it does not read, at about twice the speed of decoding them. No value is converted,
// no label is unescaped, cached or handed on; every byte is still looked at.

extension LineParser {
    /// The index of the `\n` ending the 0.0.4 sample line whose name ends at `nameEnd`, when the
    /// line is certainly one the full parse accepts; nil otherwise, and the caller parses it in
    /// full (which then accepts it, or throws the parser's own error for it). Accepting only
    /// what the full parse accepts, and leaving every other line to it, is what keeps the
    /// errors the same on both paths (pinned by the error corpus and the conformance suite,
    /// run through both).
    ///
    /// Values are accepted in their decimal form only (`-1.5e-3`, which the full parse always
    /// converts, through `strtod` when long), timestamps as at most 18 digits; `NaN`, `+Inf`,
    /// longer timestamps and the rest go to the full parse. The label slots are written as the full parse writes
    /// them, so that the next line can take over the labels it shares with this one.
    mutating func validSkippedSample(_ p: Line, _ nameEnd: Int) -> Int? {
        var i = skipBlanks(p, nameEnd)
        var count = 0
        if p[i] == UInt8(ascii: "{") {
            guard let after = validSkippedLabels(p, i &+ 1, count: &count) else {
                previousLine = nil  // the slots are half written: the full parse must not borrow them
                return nil
            }
            i = skipBlanks(p, after)
        } else if i == nameEnd {
            return nil  // no blank between the name and the value
        }
        guard let end = validSkippedValue(p, i) else {
            previousLine = nil
            return nil
        }
        // As after a full parse: the next line may take over the labels it shares with this one.
        if count > 0 {
            previousLine = p
            previousLineCount = end
            previousLabelCount = count
        } else {
            previousLine = nil
        }
        return end
    }

    /// The labels from `p[start]` (after `{`) into the slots, as the full parse writes them;
    /// the index after `}`, or nil for anything the quick check does not accept. Labels the
    /// line shares byte for byte with the previous one are taken over unchecked: they were
    /// checked there (names distinct included).
    private mutating func validSkippedLabels(_ p: Line, _ start: Int, count: inout Int) -> Int? {
        let limits = options.limits
        var i = start
        var atSeparator = false
        if let shared = sharedLabels(p) {
            count = shared.count
            i = shared.after
            atSeparator = true
        }
        if !atSeparator {
            i = skipBlanks(p, i)
            if p[i] == UInt8(ascii: "}") { return i &+ 1 }
        }
        while true {
            if !atSeparator {
                guard ByteClass.isLabelStart(p[i]) else { return nil }
                let nameStart = i
                i = p.labelNameEnd(from: i &+ 1)
                let nameEnd = i
                if nameEnd &- nameStart > limits.maxLabelNameLength { return nil }
                i = skipBlanks(p, i)
                guard p[i] == UInt8(ascii: "=") else { return nil }
                i = skipBlanks(p, i &+ 1)
                guard p[i] == UInt8(ascii: "\"") else { return nil }
                i &+= 1
                let valueStart = i
                var escaped = false
                while true {
                    i = p.labelValueSpecial(from: i)
                    let c = p[i]
                    if c == UInt8(ascii: "\"") { break }
                    if c == UInt8(ascii: "\\") {
                        let next = p[i &+ 1]
                        if next == 0x0A { return nil }
                        escaped = true
                        i &+= next < 0x80 ? 2 : 1
                    } else if c == 0x0A || c == 0 {
                        return nil
                    } else {
                        let k = p.utf8SequenceLength(at: i)
                        if k == 0 { return nil }
                        i &+= k
                    }
                }
                if i &- valueStart > limits.maxLabelValueLength || count >= limits.maxLabelsPerSample { return nil }
                slots.set(count, LabelSlot(
                    nameStart: Int32(truncatingIfNeeded: nameStart), nameCount: Int32(truncatingIfNeeded: nameEnd &- nameStart),
                    valueStart: Int32(truncatingIfNeeded: valueStart), valueCount: Int32(truncatingIfNeeded: i &- valueStart),
                    escaped: escaped))
                // A name new to this line must differ from every name before it.
                let new = slots[count]
                for k in 0..<count {
                    let s = slots[k]
                    if s.nameCount == new.nameCount && p.bytesEqual(Int(s.nameStart), nameStart, Int(s.nameCount)) { return nil }
                }
                count &+= 1
                i &+= 1
            }
            atSeparator = false
            i = skipBlanks(p, i)
            if p[i] == UInt8(ascii: ",") {
                i = skipBlanks(p, i &+ 1)
                if p[i] == UInt8(ascii: "}") { return i &+ 1 }
                continue
            }
            if p[i] == UInt8(ascii: "}") { return i &+ 1 }
            return nil
        }
    }

    /// The value and optional timestamp from `p[i]` to the line end; the index of the `\n`, or
    /// nil for anything the quick check does not accept.
    private func validSkippedValue(_ p: Line, _ start: Int) -> Int? {
        var i = start
        // The value: [+-] digits [. digits] [e [+-] digits], with at least one digit.
        if p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") { i &+= 1 }
        var digits = 0
        while p[i] &- 0x30 < 10 { i &+= 1; digits &+= 1 }
        if p[i] == UInt8(ascii: ".") {
            i &+= 1
            while p[i] &- 0x30 < 10 { i &+= 1; digits &+= 1 }
        }
        if digits == 0 { return nil }
        if p[i] | 0x20 == UInt8(ascii: "e") {
            i &+= 1
            if p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") { i &+= 1 }
            var exponentDigits = 0
            while p[i] &- 0x30 < 10 { i &+= 1; exponentDigits &+= 1 }
            if exponentDigits == 0 { return nil }
        }
        if !endsToken(p[i]) { return nil }
        i = skipBlanks(p, i)
        if let end = lineEnd(p, i) { return end }
        // A timestamp: [+-] up to 18 digits, then the end of the line.
        if p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") { i &+= 1 }
        var tsDigits = 0
        while p[i] &- 0x30 < 10 { i &+= 1; tsDigits &+= 1 }
        if tsDigits == 0 || tsDigits > 18 || !endsToken(p[i]) { return nil }
        return lineEnd(p, skipBlanks(p, i))
    }
}
