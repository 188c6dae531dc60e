import PromModel

/// One sample read back from the buffer, with its series' encoded labels.
struct LogSample {
    /// A hash of the series' labels: the shard it goes to, whichever segment or run wrote it.
    var key: UInt64
    /// The `labels` fields of its `TimeSeries` (``WriteRequest/encodeLabels(_:)``), shared.
    var labels: [UInt8]
    var t: Int64
    var v: Double
}

/// The sender's reading of a ``SampleLog``: from the cursor on, segment after segment, the
/// series records learnt and the samples handed out in order. Used by one thread.
struct SampleLogReader {
    private let log: SampleLog
    /// Where the next read starts; after a successful send, the buffer's new cursor.
    private(set) var position: SampleLog.Position
    private var file: SystemFile?
    private var series: [UInt32: (labels: [UInt8], key: UInt64)] = [:]
    /// The samples of the record at the position, decoded once however many reads it takes.
    private var cached: (offset: Int, samples: [(id: UInt32, t: Int64, v: Double)])?
    /// Samples whose series the segment never defined (a damaged file): skipped and counted.
    private(set) var unknownSeries = 0

    init(log: SampleLog) {
        self.log = log
        position = log.cursor
    }

    /// Up to `max` samples after the position, in the order written; fewer (none) when the
    /// writer has written no more.
    mutating func read(max: Int) -> [LogSample] {
        var out: [LogSample] = []
        while out.count < max {
            guard let segment = log.segment(position.segment) else {
                // Dropped by the bound while unread (counted there): on to the oldest kept.
                guard let next = log.segment(after: position.segment) else { break }
                enter(next)
                continue
            }
            if file == nil {
                guard let opened = try? SystemFile(path: log.folder + "/" + SampleLog.name(position.segment), forWriting: false) else {
                    if segment.sealed, let next = log.segment(after: position.segment) { enter(next); continue }
                    break
                }
                file = opened
                learnSeries(upTo: position.offset)
            }
            guard position.offset < segment.bytes,
                let file, let (type, payload) = try? SampleLog.readRecord(file, at: position.offset, limit: segment.bytes)
            else {
                // The end of what was written; a sealed segment (or one with a torn record from a
                // crashed run) goes on with the next.
                if segment.sealed, let next = log.segment(after: position.segment) {
                    enter(next)
                    continue
                }
                break
            }
            let length = SampleLog.headerBytes + payload.count
            if type == SampleLog.seriesRecord {
                if let (id, labels) = SampleLog.decodeSeries(payload[...]) { series[id] = Self.entry(labels) }
                position.offset += length
                continue
            }
            let samples: [(id: UInt32, t: Int64, v: Double)]
            if let cached, cached.offset == position.offset {
                samples = cached.samples
            } else {
                samples = SampleLog.decodeSamples(payload[...]) ?? []
                cached = (position.offset, samples)
            }
            let take = samples[position.skip...].prefix(max - out.count)
            for s in take {
                guard let entry = series[s.id] else {
                    unknownSeries += 1
                    continue
                }
                out.append(LogSample(key: entry.key, labels: entry.labels, t: s.t, v: s.v))
            }
            position.consumed += take.count
            if position.skip + take.count >= samples.count {
                position.offset += length
                position.skip = 0
                cached = nil
            } else {
                position.skip += take.count
            }
        }
        return out
    }

    /// Starts segment `n` from its beginning.
    private mutating func enter(_ n: Int) {
        position = SampleLog.Position(segment: n)
        file = nil
        series = [:]
        cached = nil
    }

    /// Reads the series records before `offset` (a start in the middle of a segment).
    private mutating func learnSeries(upTo offset: Int) {
        guard let file else { return }
        var at = 0
        while at < offset, let (type, payload) = try? SampleLog.readRecord(file, at: at, limit: offset) {
            if type == SampleLog.seriesRecord, let (id, labels) = SampleLog.decodeSeries(payload[...]) {
                series[id] = Self.entry(labels)
            }
            at += SampleLog.headerBytes + payload.count
        }
    }

    /// A series' encoded labels and their hash (FNV-1a, 64 bits).
    static func entry(_ labels: [(name: String, value: String)]) -> (labels: [UInt8], key: UInt64) {
        let encoded = WriteRequest.encodeLabels(labels)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in encoded { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return (encoded, h)
    }
}
