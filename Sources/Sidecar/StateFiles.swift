import FoundationEssentials
import PromModel
import PromQL
import SeriesStorage
import RuleEngine

/// What survives a restart, under `--storage.path`: the alert states (`state.json`) and the
/// samples the rules read (`series.bin`). Written atomically (a temporary file, fsync,
/// rename, fsync of the folder); read back with every byte checked: a missing, corrupt or
/// half-written file is reported and ignored, never a crash.
package struct StateFiles: Sendable {
    /// `--storage.path`: the folder of `state.json` and `series.bin`.
    package let folder: String

    /// The state files in `folder`, which the caller creates.
    package init(folder: String) { self.folder = folder }

    var statePath: String { folder + "/state.json" }
    var seriesPath: String { folder + "/series.bin" }

    /// The alert states, the notifier's last sends and the last evaluation time.
    package struct AlertState: Codable, Sendable {
        /// The format of `state.json`; only 1 is read back.
        package var version = 1
        /// The latest group evaluation (Unix milliseconds): the states' age, weighed against
        /// ``RuleManager/outageTolerance`` at restore.
        package var lastEvaluation: Int64
        /// Every alert the rules hold, with its state and times.
        package var alerts: [AlertRecord]
        /// When each alert was last handed to the Alertmanager queues (Unix milliseconds), by
        /// its identity (`group/rule{labels}`).
        package var lastSent: [String: Int64]

        /// The states to write, at the current ``version``.
        package init(lastEvaluation: Int64, alerts: [AlertRecord], lastSent: [String: Int64]) {
            self.lastEvaluation = lastEvaluation
            self.alerts = alerts
            self.lastSent = lastSent
        }
    }

    /// A problem reading a state file: what and where, for the log.
    package struct Problem: Error, CustomStringConvertible {
        /// The file and what is wrong with it (`…/state.json: corrupt (…); starting without it`).
        package let description: String
    }

    /// Writes `state.json` atomically; NaN and infinite values are spelled `NaN`, `+Inf` and
    /// `-Inf`, as Prometheus spells them.
    package func writeAlerts(_ state: AlertState) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Alert values may be NaN or infinite (a rule's `> 0` over `+Inf`): spelled as Prometheus does.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        try Self.atomicWrite(try encoder.encode(state), to: statePath)
    }

    /// The alert states, or nil when there is no file yet.
    package func readAlerts() throws(Problem) -> AlertState? {
        guard FileManager.default.fileExists(atPath: statePath) else { return nil }
        guard let data = FileManager.default.contents(atPath: statePath) else { throw Problem(description: "\(statePath): cannot read") }
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
            let state = try decoder.decode(AlertState.self, from: data)
            guard state.version == 1 else { throw Problem(description: "\(statePath): unknown version \(state.version)") }
            return state
        } catch let p as Problem {
            throw p
        } catch {
            throw Problem(description: "\(statePath): corrupt (\(error)); starting without it")
        }
    }

    // MARK: series

    /// The first format: magic, series count, series, CRC-32. Still read (a file an earlier
    /// version wrote); no longer written.
    static let magicV1: [UInt8] = Array("CTLMONS1".utf8)
    /// The format written now: magic, series, then the series count and the CRC-32 of all
    /// before it. The count comes last so that the file can be written as the store is walked,
    /// a slice at a time, never whole in memory.
    static let magicV2: [UInt8] = Array("CTLMONS2".utf8)

    /// How much is encoded under the store's read lock before the slice is written out (with
    /// the lock released): what a scrape commit may wait for, and the writer's buffer.
    static let sliceBytes = 1 << 20

    /// Every series of the store with its samples, streamed to the file a slice (about
    /// ``sliceBytes``) at a time: the memory it takes does not grow with the store, and the
    /// store's lock is never held for more than one slice.
    package func writeSeries(_ store: SeriesStore) throws {
        try Self.atomicWrite(to: seriesPath) { file in
            var crc = CRC32()
            var count: UInt32 = 0
            var buffer = Self.magicV2
            buffer.reserveCapacity(Self.sliceBytes + Self.sliceBytes / 4)
            try store.forEachSeries(inSlices: { labels, points in
                let pairs = labels.labels
                guard pairs.count <= UInt16.max, !points.isEmpty, count < UInt32.max else { return true }
                count += 1
                Self.encode(pairs, points, to: &buffer)
                return buffer.count < Self.sliceBytes
            }, between: {
                crc.update(buffer[...])
                try file.append(buffer)
                buffer.removeAll(keepingCapacity: true)
            })
            Self.appendLittleEndian(UInt64(count), bytes: 4, to: &buffer)
            crc.update(buffer[...])
            Self.appendLittleEndian(UInt64(crc.value), bytes: 4, to: &buffer)
            try file.append(buffer)
        }
    }

    /// One series as the file holds it: the label count, each name and value with its
    /// length, the point count, each point's time and value bits.
    static func encode(_ pairs: [Labels.Label], _ points: PointsView, to out: inout [UInt8]) {
        appendLittleEndian(UInt64(pairs.count), bytes: 2, to: &out)
        for l in pairs {
            let n = l.name.utf8.prefix(Int(UInt16.max))
            appendLittleEndian(UInt64(n.count), bytes: 2, to: &out)
            out.append(contentsOf: n)
            appendLittleEndian(UInt64(l.value.utf8.count), bytes: 4, to: &out)
            out.append(contentsOf: l.value.utf8)
        }
        appendLittleEndian(UInt64(points.count), bytes: 4, to: &out)
        for p in points {
            appendLittleEndian(UInt64(bitPattern: p.t), bytes: 8, to: &out)
            appendLittleEndian(p.v.bitPattern, bytes: 8, to: &out)
        }
    }

    /// Reads the series file into `store`; returns the number of series, 0 without a file.
    /// Both formats are read; the checksum is verified before anything is loaded.
    package func readSeries(into store: SeriesStore) throws(Problem) -> Int {
        guard FileManager.default.fileExists(atPath: seriesPath) else { return 0 }
        guard let bytes = FileManager.default.contents(atPath: seriesPath).map({ [UInt8]($0) }) else {
            throw Problem(description: "\(seriesPath): cannot read")
        }
        let magic = Array(bytes.prefix(8))
        guard bytes.count >= 16, magic == Self.magicV1 || magic == Self.magicV2 else {
            throw Problem(description: "\(seriesPath): not a ctlmon series file; starting without history")
        }
        let stored = UInt32(Self.littleEndian(bytes.suffix(4)))
        var crc = CRC32()
        crc.update(bytes.dropLast(4))
        guard stored == crc.value else { throw Problem(description: "\(seriesPath): checksum mismatch (a half-written file?); starting without history") }
        // Version 1: the count after the magic; version 2: the count before the checksum.
        var i = magic == Self.magicV1 ? 12 : 8
        let end = magic == Self.magicV1 ? bytes.count - 4 : bytes.count - 8
        let count = Int(Self.littleEndian(magic == Self.magicV1 ? bytes[8..<12] : bytes[end..<(end + 4)]))
        func take(_ n: Int) throws(Problem) -> ArraySlice<UInt8> {
            guard n >= 0, i + n <= end else { throw Problem(description: "\(seriesPath): truncated at byte \(i)") }
            defer { i += n }
            return bytes[i..<(i + n)]
        }
        func u16() throws(Problem) -> Int { Int(Self.littleEndian(try take(2))) }
        func u32() throws(Problem) -> Int { Int(Self.littleEndian(try take(4))) }
        func u64() throws(Problem) -> UInt64 { Self.littleEndian(try take(8)) }
        for _ in 0..<count {
            var pairs: [(String, String)] = []
            for _ in 0..<(try u16()) {
                let n = String(decoding: try take(try u16()), as: UTF8.self)
                let v = String(decoding: try take(try u32()), as: UTF8.self)
                pairs.append((n, v))
            }
            let n = try u32()
            guard n <= (end - i) / 16 else { throw Problem(description: "\(seriesPath): truncated at byte \(i)") }
            var points: [Point] = []
            points.reserveCapacity(n)
            for _ in 0..<n { points.append(Point(t: Int64(bitPattern: try u64()), v: Double(bitPattern: try u64()))) }
            store.replace(Labels(pairs), points: points)
        }
        guard i == end else { throw Problem(description: "\(seriesPath): \(end - i) bytes after the last of \(count) series") }
        return count
    }

    /// Appends the low `bytes` bytes of `v`, least significant first.
    static func appendLittleEndian(_ v: UInt64, bytes: Int, to out: inout [UInt8]) {
        for k in 0..<bytes { out.append(UInt8(truncatingIfNeeded: v >> (8 * k))) }
    }

    /// The little-endian number in `bytes` (at most 8).
    static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for (k, b) in bytes.enumerated() { v |= UInt64(b) << (8 * k) }
        return v
    }

    /// Writes `data` to `path` atomically (see ``atomicWrite(to:_:)``).
    static func atomicWrite(_ data: Data, to path: String) throws {
        try atomicWrite(to: path) { file throws(SystemFile.Failure) in try file.append([UInt8](data)) }
    }

    /// Writes the file `produce` writes to `path` so that a crash leaves the old file or the
    /// new one, never a mix: a temporary file (mode 0600), fsync, rename over the old one,
    /// fsync of the folder. When `produce` throws, the temporary file is removed and the old
    /// file stays.
    static func atomicWrite(to path: String, _ produce: (SystemFile) throws -> Void) throws {
        let temp = path + ".tmp"
        do {
            let file = try SystemFile(path: temp, forWriting: true, truncating: true, mode: 0o600)
            try produce(file)
            try file.syncOrFail()
        } catch let failure as SystemFile.Failure {
            SystemFile.remove(temp)
            throw Problem(description: failure.description)
        } catch {
            SystemFile.remove(temp)
            throw Problem(description: "\(temp): \(error)")
        }
        do {
            try SystemFile.rename(temp, to: path)
        } catch {
            SystemFile.remove(temp)
            throw Problem(description: error.description)
        }
        // The rename itself is durable once the folder is synced.
        SystemFile.syncFolder(of: path)
    }
}
