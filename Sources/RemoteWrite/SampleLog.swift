import PromModel
import SeriesStorage
import Workers

/// The remote-write buffer: every sample the store accepts, on disk under
/// `--storage.path`, until the receiver has it — what Prometheus's agent keeps a WAL for. A
/// receiver's outage, and a `kill -9` of the sidecar during it, leave no gap: the next run
/// sends from where the last acknowledged request ended.
///
/// Layout: numbered segment files (`00000001`, …) of records, and a `cursor` file (the
/// position up to which the receiver has everything). A record is a type byte, its payload's
/// length and CRC-32 (little-endian `UInt32`s), and the payload:
///
/// - series (type 1): a varint id, the label count, each name and value as a varint length
///   and its bytes — the labels as sent (external labels added, `write_relabel_configs`
///   applied), sorted by name;
/// - samples (type 2): the count and a base time (zig-zag varint, milliseconds: the first
///   sample's), then each sample's series id (varint), time as a zig-zag varint difference
///   from the base (a scrape's samples share one: one byte) and value (8 bytes, the float's
///   bits little-endian).
///
/// Each segment defines the series it uses before their first sample, so a segment reads
/// alone (ids are per segment), and a new run starts a new segment (the tail of the last one
/// may be torn: a record whose length or CRC does not hold ends its segment).
///
/// Bounded: when the segments pass `maxBytes`, the oldest go, and their samples not yet
/// sent are counted as dropped (`reason="buffer_full"`).
package final class SampleLog: SampleTap, @unchecked Sendable {
    // Sendable: all mutable state is in `state`, behind its lock; the rest is immutable.

    /// Where the receiver has everything up to: a record boundary in a segment, the samples of
    /// that record already taken (`skip`), and the samples of the segment before it (`consumed`).
    package struct Position: Sendable, Equatable {
        /// The segment's number.
        package var segment: Int
        /// The byte offset of a record in it.
        package var offset: Int
        /// Samples of the record at `offset` already taken.
        package var skip: Int
        /// Samples of the segment before this position.
        package var consumed: Int

        /// A position as numbers.
        package init(segment: Int, offset: Int = 0, skip: Int = 0, consumed: Int = 0) {
            self.segment = segment
            self.offset = offset
            self.skip = skip
            self.consumed = consumed
        }
    }

    /// A segment's size, samples and newest sample time.
    struct Segment {
        var number: Int
        var bytes: Int
        var samples: Int
        var newest: Int64
    }

    /// What a series became: its id in the open segment, or dropped by relabeling.
    struct Entry {
        var id: UInt32
        var dropped: Bool
        var lastSegment: Int
    }

    struct State {
        var file: SystemFile?
        var segments: [Segment] = []
        var ids: [Labels: Entry] = [:]
        var nextID: UInt32 = 0
        var defined = Set<UInt32>()
        var cursor = Position(segment: 0)
        var droppedByRelabel = 0
        var droppedByBound = 0
        var newestIn: Int64 = 0
        var writeFailures = 0
        var lastFailure: String?
    }

    /// Record types.
    static let seriesRecord: UInt8 = 1
    static let samplesRecord: UInt8 = 2
    /// A record's header: type, length, CRC.
    static let headerBytes = 9
    /// The longest record read back: a store write of a million samples is 26 MB.
    static let maxRecordBytes = 64 << 20

    /// The folder of the segments and the cursor.
    package let folder: String
    /// The most the segments may hold together, in bytes.
    package let maxBytes: Int
    /// The size at which a segment is sealed and the next begun.
    package let segmentBytes: Int
    private let resolve: @Sendable (Labels) -> [(name: String, value: String)]?
    private let state = Locked(State())
    private let wake = Locked<(@Sendable () -> Void)?>(nil)

    /// Opens the buffer in `folder` (created when missing): the segments a previous run left are
    /// checked and counted, and writing goes to a new one. `resolve` gives a series' labels as
    /// sent (nil: dropped by relabeling); it is asked once per series and segment pair at most.
    package init(
        folder: String, maxBytes: Int, segmentBytes: Int = 8 << 20,
        resolve: @escaping @Sendable (Labels) -> [(name: String, value: String)]?
    ) throws(SystemFile.Failure) {
        self.folder = folder
        self.maxBytes = max(maxBytes, 2 * segmentBytes)
        self.segmentBytes = segmentBytes
        self.resolve = resolve
        try SystemFile.makeFolder(folder)
        var segments: [Segment] = []
        for name in (SystemFile.list(folder) ?? []).sorted() {
            guard name.count == 8, let n = Int(name) else { continue }
            let scan = Self.scan(path: folder + "/" + name)
            segments.append(Segment(number: n, bytes: scan.validBytes, samples: scan.samples, newest: scan.newest))
        }
        var cursor = Self.readCursor(folder + "/cursor") ?? Position(segment: segments.first?.number ?? 1)
        if !segments.contains(where: { $0.number == cursor.segment }) {
            // The cursor's segment is gone (dropped by the bound): from the oldest kept.
            cursor = Position(segment: segments.first { $0.number > cursor.segment }?.number ?? cursor.segment)
        }
        for s in segments where s.number < cursor.segment { SystemFile.remove(folder + "/" + Self.name(s.number)) }
        segments.removeAll { $0.number < cursor.segment }
        let next = (segments.last?.number ?? 0) + 1
        let file = try SystemFile(path: folder + "/" + Self.name(next), forWriting: true)
        segments.append(Segment(number: next, bytes: 0, samples: 0, newest: 0))
        if !segments.contains(where: { $0.number == cursor.segment }) { cursor = Position(segment: next) }
        let start = cursor
        state.withLock {
            $0.file = file
            $0.segments = segments
            $0.cursor = start
            $0.newestIn = segments.map(\.newest).max() ?? 0
        }
    }

    /// A segment's file name: its number in eight digits.
    static func name(_ n: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// Called after each append (the sender's wake-up).
    package func onAppend(_ body: @escaping @Sendable () -> Void) { wake.withLock { $0 = body } }

    // MARK: writing

    /// Writes the samples of one store write: their series first where the open segment does
    /// not define them yet.
    package func received(_ samples: [TappedSample]) {
        let wrote = state.withLock { s -> Bool in
            let segment = s.segments[s.segments.count - 1].number
            var records: [UInt8] = []
            var payload: [UInt8] = []
            var count = 0
            var newest = Int64.min
            // Times are written as differences from the record's first (one scrape shares one).
            let base = samples.first?.t ?? 0
            for sample in samples {
                var entry: Entry
                var resolved: [(name: String, value: String)]? = nil
                if let known = s.ids[sample.labels] {
                    entry = known
                    if entry.lastSegment != segment {
                        entry.lastSegment = segment
                        s.ids[sample.labels] = entry
                    }
                } else {
                    resolved = resolve(sample.labels)
                    entry = Entry(id: resolved == nil ? 0 : s.nextID, dropped: resolved == nil, lastSegment: segment)
                    if resolved != nil { s.nextID &+= 1 }
                    s.ids[sample.labels] = entry
                }
                if entry.dropped {
                    s.droppedByRelabel += 1
                    continue
                }
                if !s.defined.contains(entry.id) {
                    guard let labels = resolved ?? resolve(sample.labels) else { continue }
                    s.defined.insert(entry.id)
                    Self.appendRecord(Self.seriesRecord, Self.encodeSeries(entry.id, labels), to: &records)
                }
                Varint.append(UInt64(entry.id), to: &payload)
                Varint.append(Varint.zigzag(sample.t &- base), to: &payload)
                var bits = sample.v.bitPattern
                for _ in 0..<8 {
                    payload.append(UInt8(truncatingIfNeeded: bits))
                    bits >>= 8
                }
                count += 1
                newest = max(newest, sample.t)
            }
            guard count > 0 else { return false }
            var body: [UInt8] = []
            Varint.append(UInt64(count), to: &body)
            Varint.append(Varint.zigzag(base), to: &body)
            body += payload
            Self.appendRecord(Self.samplesRecord, body, to: &records)
            do {
                try s.file?.append(records)
            } catch {
                // The disk refused (full, say): these samples cannot be kept; counted, and the
                // segment is sealed so that a torn record cannot hide those after it.
                s.writeFailures += count
                s.lastFailure = "\(error)"
                rotate(&s)
                return false
            }
            let last = s.segments.count - 1
            s.segments[last].bytes += records.count
            s.segments[last].samples += count
            s.segments[last].newest = max(s.segments[last].newest, newest)
            s.newestIn = max(s.newestIn, newest)
            if s.segments[last].bytes >= segmentBytes { rotate(&s) }
            enforceBound(&s)
            return true
        }
        if wrote { wake.get()?() }
    }

    /// Seals the open segment and begins the next; series not seen in the last two segments
    /// are forgotten.
    private func rotate(_ s: inout State) {
        s.file?.sync()
        let next = s.segments[s.segments.count - 1].number + 1
        s.file = try? SystemFile(path: folder + "/" + Self.name(next), forWriting: true)
        s.segments.append(Segment(number: next, bytes: 0, samples: 0, newest: 0))
        s.defined = []
        s.ids = s.ids.filter { $0.value.lastSegment >= next - 2 }
    }

    /// Drops the oldest segments while the buffer is over its bound; their unsent samples are
    /// counted.
    private func enforceBound(_ s: inout State) {
        while s.segments.count > 1, s.segments.reduce(0, { $0 + $1.bytes }) > maxBytes {
            let oldest = s.segments.removeFirst()
            SystemFile.remove(folder + "/" + Self.name(oldest.number))
            if oldest.number >= s.cursor.segment {
                s.droppedByBound += oldest.samples - (oldest.number == s.cursor.segment ? s.cursor.consumed : 0)
                s.cursor = Position(segment: s.segments[0].number)
            }
        }
    }

    static func appendRecord(_ type: UInt8, _ payload: [UInt8], to out: inout [UInt8]) {
        out.append(type)
        appendUInt32(UInt32(payload.count), to: &out)
        appendUInt32(CRC32.checksum(payload[...]), to: &out)
        out += payload
    }

    static func appendUInt32(_ v: UInt32, to out: inout [UInt8]) {
        for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * k))) }
    }

    static func uint32(_ b: ArraySlice<UInt8>) -> UInt32 {
        var v: UInt32 = 0
        for (k, byte) in b.prefix(4).enumerated() { v |= UInt32(byte) << (8 * k) }
        return v
    }

    static func encodeSeries(_ id: UInt32, _ labels: [(name: String, value: String)]) -> [UInt8] {
        var out: [UInt8] = []
        Varint.append(UInt64(id), to: &out)
        Varint.append(UInt64(labels.count), to: &out)
        for (n, v) in labels {
            Varint.append(UInt64(n.utf8.count), to: &out)
            out += n.utf8
            Varint.append(UInt64(v.utf8.count), to: &out)
            out += v.utf8
        }
        return out
    }

    // MARK: the reader's side

    /// Where the receiver has everything up to (read by the sender when it starts).
    package var cursor: Position { state.withLock { $0.cursor } }

    /// What the sender needs to know of segment `n`: nil when it is gone (dropped by the bound);
    /// else the bytes written so far and whether it is sealed (no more will come).
    func segment(_ n: Int) -> (bytes: Int, sealed: Bool)? {
        state.withLock { s in
            guard let k = s.segments.firstIndex(where: { $0.number == n }) else { return nil }
            return (s.segments[k].bytes, k < s.segments.count - 1)
        }
    }

    /// The first segment after `n` (the reader's next), nil when none.
    func segment(after n: Int) -> Int? { state.withLock { $0.segments.first { $0.number > n }?.number } }

    /// The receiver has everything before `p`: the cursor moves there (written to disk), and
    /// the segments before it are removed.
    package func acknowledge(_ p: Position) throws(SystemFile.Failure) {
        let done = state.withLock { s -> [Int] in
            // A position the bound has already dropped past is not a step back.
            guard p.segment >= s.cursor.segment else { return [] }
            s.cursor = p
            let done = s.segments.filter { $0.number < p.segment }.map(\.number)
            s.segments.removeAll { $0.number < p.segment }
            return done
        }
        for n in done { SystemFile.remove(folder + "/" + Self.name(n)) }
        try SystemFile.replace(folder + "/cursor", with: Array("\(p.segment) \(p.offset) \(p.skip) \(p.consumed)\n".utf8))
    }

    /// Counts for the self-metrics.
    package struct Counts: Sendable {
        /// Samples in the buffer the receiver does not have yet.
        package var pending: Int
        /// Samples dropped by `write_relabel_configs`.
        package var droppedByRelabel: Int
        /// Samples dropped because the buffer was full.
        package var droppedByBound: Int
        /// Samples the disk refused.
        package var writeFailures: Int
        /// Bytes the segments hold.
        package var bytes: Int
        /// The newest sample time written (ms).
        package var newestIn: Int64
        /// The last write failure, if any.
        package var lastFailure: String?
    }

    /// The buffer's counts now.
    package var counts: Counts {
        state.withLock { s in
            let pending = s.segments.filter { $0.number >= s.cursor.segment }.reduce(0) { $0 + $1.samples } - s.cursor.consumed
            return Counts(
                pending: max(0, pending), droppedByRelabel: s.droppedByRelabel, droppedByBound: s.droppedByBound,
                writeFailures: s.writeFailures, bytes: s.segments.reduce(0) { $0 + $1.bytes }, newestIn: s.newestIn,
                lastFailure: s.lastFailure)
        }
    }

    /// Seals the open segment (synced to disk); nothing is written after.
    package func close() {
        state.withLock { s in
            s.file?.sync()
            s.file = nil
        }
    }

    // MARK: reading files

    /// What a segment file holds: the bytes up to its first bad record, its samples, the newest time.
    static func scan(path: String) -> (validBytes: Int, samples: Int, newest: Int64) {
        guard let file = try? SystemFile(path: path, forWriting: false), let size = try? file.size() else { return (0, 0, 0) }
        var offset = 0, samples = 0
        var newest: Int64 = 0
        while let (type, payload) = try? readRecord(file, at: offset, limit: size) {
            if type == samplesRecord, let decoded = decodeSamples(payload[...]) {
                samples += decoded.count
                for s in decoded { newest = max(newest, s.t) }
            }
            offset += headerBytes + payload.count
        }
        return (offset, samples, newest)
    }

    /// The record at `offset`, nil when none is whole there (the end, a torn tail, a bad CRC).
    static func readRecord(_ file: SystemFile, at offset: Int, limit: Int) throws(SystemFile.Failure) -> (UInt8, [UInt8])? {
        guard offset + headerBytes <= limit else { return nil }
        let header = try file.read(at: offset, count: headerBytes)
        guard header.count == headerBytes, header[0] == seriesRecord || header[0] == samplesRecord else { return nil }
        let length = Int(uint32(header[1..<5]))
        guard length <= maxRecordBytes, offset + headerBytes + length <= limit else { return nil }
        let payload = try file.read(at: offset + headerBytes, count: length)
        guard payload.count == length, CRC32.checksum(payload[...]) == uint32(header[5..<9]) else { return nil }
        return (header[0], payload)
    }

    /// A series record's id and labels; nil when malformed.
    static func decodeSeries(_ p: ArraySlice<UInt8>) -> (id: UInt32, labels: [(name: String, value: String)])? {
        var r = Varint.Reader(p)
        guard let id = r.next(), id <= UInt32.max, let n = r.next(), n <= 1 << 16 else { return nil }
        var labels: [(name: String, value: String)] = []
        for _ in 0..<n {
            guard let name = r.bytes(), let value = r.bytes() else { return nil }
            labels.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        return (UInt32(id), labels)
    }

    /// A samples record's samples; nil when malformed.
    static func decodeSamples(_ p: ArraySlice<UInt8>) -> [(id: UInt32, t: Int64, v: Double)]? {
        var r = Varint.Reader(p)
        guard let n = r.next(), n <= UInt64(p.count), let base = r.next().map(Varint.unzigzag) else { return nil }
        var out: [(id: UInt32, t: Int64, v: Double)] = []
        out.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let id = r.next(), id <= UInt32.max, let t = r.next(), let bits = r.fixed64() else { return nil }
            out.append((UInt32(id), base &+ Varint.unzigzag(t), Double(bitPattern: bits)))
        }
        return out
    }

    static func readCursor(_ path: String) -> Position? {
        guard let file = try? SystemFile(path: path, forWriting: false), let bytes = try? file.read(at: 0, count: 256) else { return nil }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
        guard fields.count == 4, fields.allSatisfy({ $0 >= 0 }) else { return nil }
        return Position(segment: fields[0], offset: fields[1], skip: fields[2], consumed: fields[3])
    }
}

/// Protobuf's base-128 varints, least significant group first (and zig-zag for signed values):
/// the buffer's records and the `WriteRequest` encoding.
enum Varint {
    static func append(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    static func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }

    /// Reads varints, length-prefixed bytes and fixed 8-byte values from a payload; nil past its end.
    struct Reader {
        private var rest: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) { rest = bytes }

        mutating func next() -> UInt64? {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while let b = rest.first {
                rest.removeFirst()
                guard shift < 64 else { return nil }
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
            return nil
        }

        mutating func bytes() -> ArraySlice<UInt8>? {
            guard let n = next(), n <= UInt64(rest.count) else { return nil }
            let out = rest.prefix(Int(n))
            rest.removeFirst(Int(n))
            return out
        }

        mutating func fixed64() -> UInt64? {
            guard rest.count >= 8 else { return nil }
            var v: UInt64 = 0
            for (k, b) in rest.prefix(8).enumerated() { v |= UInt64(b) << (8 * k) }
            rest.removeFirst(8)
            return v
        }
    }
}
