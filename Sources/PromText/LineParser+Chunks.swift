#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Decoded chunks into lines: complete lines are parsed where they lie in the chunk, each
// as a ``Line`` (the one place lines are made from raw memory); a line split across
// chunks is carried over and completed by the next chunk.
extension LineParser {
    /// Splits decoded text into lines; complete lines are parsed in place, a partial last line is carried.
    /// Past ``ParseLimits/maxSamples`` the parse stops at the end of the chunk.
    mutating func text(_ chunk: UnsafeRawBufferPointer) throws(ParseError) {
        unsafe try lines(chunk)
        if statistics.samples > options.limits.maxSamples {
            throw ParseError(
                kind: .limit, source: options.source, line: statistics.lines, column: 0,
                message: "more samples than the limit of \(options.limits.maxSamples)")
        }
    }

    private mutating func lines(_ chunk: UnsafeRawBufferPointer) throws(ParseError) {
        guard chunk.count > 0, let base = unsafe chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        previousLine = nil  // lines of an earlier chunk may be gone
        statistics.decodedBytes += chunk.count
        if statistics.decodedBytes > options.limits.maxDecodedBytes {
            throw ParseError(
                kind: .limit, source: options.source, line: statistics.lines + 1, column: 0,
                message: "input exceeds the decoded size limit of \(options.limits.maxDecodedBytes) bytes (gzip bomb?)")
        }
        var p = unsafe base
        let end = unsafe base + chunk.count
        if droppingOverlongLine || !carry.isEmpty {
            // Complete the line carried over from the previous chunk.
            guard let nl = unsafe memchr(p, 0x0A, end - p).map({ unsafe UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) }) else {
                if !droppingOverlongLine {
                    if unsafe carry.count + (end - p) > maxLine {
                        try overlong(Array(carry.prefix(64)))
                    } else {
                        unsafe carry.append(contentsOf: UnsafeBufferPointer(start: p, count: end - p))
                    }
                }
                return
            }
            if droppingOverlongLine {
                droppingOverlongLine = false
            } else if unsafe carry.count + (nl - p) > maxLine {
                try overlong(Array(carry.prefix(64)))
                droppingOverlongLine = false
            } else {
                unsafe carry.append(contentsOf: UnsafeBufferPointer(start: p, count: nl - p))
                try processCarry()
            }
            unsafe p = unsafe nl + 1
        }
        guard unsafe p < end else { return }
        // Every line up to the chunk's last newline is complete: parse those where they are,
        // each parse finding its own line's end.
        guard let lastNewline = unsafe ByteScanning.lastNewline(p, end - p) else {
            unsafe try carryOver(p, end)
            return
        }
        // Every line up to the chunk's last newline is complete: one check of that newline
        // covers them all.
        let lines = unsafe Lines(unsafeStart: p, count: lastNewline + 1 - p)
        var offset = 0
        while offset < lines.count {
            if lines.count - offset > maxLine + 1 {
                // Only in chunks larger than the line cap can a line here exceed it: measure first.
                let line = lines.line(from: offset)
                let n = line.newline(from: 0)
                if n > maxLine {
                    try overlong(Array(line.view(0, 64)))
                    droppingOverlongLine = false
                    offset += n + 1
                    continue
                }
            }
            offset += try processLine(lines.line(from: offset)) + 1
        }
        unsafe p += lines.count
        unsafe try carryOver(p, end)
    }

    /// Keeps the start of a line that continues in the next chunk.
    private mutating func carryOver(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) throws(ParseError) {
        guard unsafe p < end else { return }
        if unsafe end - p > maxLine {
            unsafe try overlong(Array(UnsafeBufferPointer(start: p, count: min(end - p, 64))))
        } else {
            unsafe carry.append(contentsOf: UnsafeBufferPointer(start: p, count: end - p))
        }
    }

    /// Parses the carried line, with a newline appended as its end.
    private mutating func processCarry() throws(ParseError) {
        carry.append(0x0A)
        previousLine = nil
        unsafe try withBytes(carry) { (b: UnsafeRawBufferPointer) throws(ParseError) in
            _ = try processLine(unsafe Lines(unsafeStart: b.baseAddress!.assumingMemoryBound(to: UInt8.self), count: b.count).line(from: 0))
        }
        previousLine = nil  // the carry buffer is about to change
        carry.removeAll(keepingCapacity: true)
    }

    /// A line over the length cap: an error; in lenient mode the rest of it is dropped.
    private mutating func overlong(_ start: [UInt8]) throws(ParseError) {
        statistics.lines += 1
        carry.removeAll(keepingCapacity: true)
        droppingOverlongLine = true
        let fault = LineFault(.limit, at: start.count, "line longer than the limit of \(maxLine) bytes")
        unsafe try withBytes(start) { (b: UnsafeRawBufferPointer) throws(ParseError) in
            try report(fault, lineBytes: unsafe ByteView(start: b.baseAddress?.assumingMemoryBound(to: UInt8.self), count: b.count))
        }
    }

    /// The end of the input: the last line if it had no newline, and the OpenMetrics
    /// checks that need the whole input (`# EOF`, the last family).
    mutating func finish() throws(ParseError) {
        if droppingOverlongLine {
            droppingOverlongLine = false
        } else if !carry.isEmpty {
            try processCarry()  // the last line, without a newline
        }
        if validator != nil {
            do {
                try validator!.finish()
            } catch {
                try report(error, lineBytes: nil)
            }
        }
    }
}
