#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import PromText

/// A label set, sorted by name; `__name__` is the metric name.
///
/// One contiguous encoding in a ``LabelArena`` chunk (names and values as bytes), with
/// its hash computed once when it is built: copying a label set is one retain, comparing
/// two starts with their hashes, and dropping the metric name (``withoutName``) is a flag,
/// not a copy. Strings appear only when asked for (``subscript(_:)``, ``description``).
///
/// The hash is ``LabelHasher``'s: the same as the parser's series fingerprint, so a
/// scraped sample finds its series without building its labels.
package struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible {
    package struct Label: Hashable, Sendable {
        package var name: String
        package var value: String
        package init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    package static let metricName = "__name__"

    let chunk: LabelChunk?
    let offset: Int32
    /// Whether the metric name is hidden: the set without `__name__`, sharing the encoding.
    let dropsName: Bool

    init(chunk: LabelChunk?, offset: Int, dropsName: Bool) {
        self.chunk = chunk
        self.offset = Int32(offset)
        self.dropsName = dropsName
    }

    /// Labels from name/value pairs in any order; empty values are left out (as absent).
    package init(_ pairs: [(String, String)] = []) {
        var builder = LabelsBuilder()
        for (n, v) in pairs { builder.add(n, v) }
        self = builder.build(in: nil)
    }

    package init(sorted: [Label]) { self.init(sorted.map { ($0.name, $0.value) }) }

    package init(_ dict: [String: String]) { self.init(dict.map { ($0.key, $0.value) }) }

    // MARK: encoding
    //
    // At `offset` in the chunk: the unfinalized hash sum (UInt64), the sum without the
    // metric name (UInt64), the label count (UInt16), the index of `__name__` among the
    // labels (UInt16, 0xFFFF when absent), the entries' byte length (UInt32), then per
    // label: the name (one byte 0x80 + k for name k of ``KnownLabelNames``; else its
    // length below 0x80 and its bytes; else 0xFF, its length in LEB128, its bytes), the
    // value's length (LEB128) and the value.

    static let headerSize = 24
    static let noName: UInt16 = 0xFFFF

    @inline(__always)
    private var base: UnsafeRawPointer? { chunk.map { UnsafeRawPointer($0.base + Int(offset)) } }

    /// The unfinalized hash sum of the visible labels.
    var hashSum: UInt64 {
        guard let chunk else { return 0 }
        return chunk.base.load(fromByteOffset: Int(offset) + (dropsName ? 8 : 0), as: UInt64.self)
    }

    private var storedCount: Int { base.map { Int($0.load(fromByteOffset: 16, as: UInt16.self)) } ?? 0 }
    private var nameIndex: Int { base.map { Int($0.load(fromByteOffset: 18, as: UInt16.self)) } ?? Int(Self.noName) }

    /// Bytes of the encoding (shared by a name-dropped view of it).
    var encodedSize: Int { base.map { Self.headerSize + Int($0.load(fromByteOffset: 20, as: UInt32.self)) } ?? 0 }

    /// Whether the encoding holds a metric name (hidden or not).
    var storesName: Bool { nameIndex != Int(Self.noName) }

    /// Calls `body` with every visible label's name and value bytes, in name order; stops
    /// when it returns false. The bytes are valid during the call.
    @inline(__always)
    func forEachRaw(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool) {
        withExtendedLifetime(self) {
            var it = iterator()
            while let (n, v) = it.next() {
                if !body(n, v) { return }
            }
        }
    }

    /// An iterator over the visible labels' bytes; valid while this value is alive.
    func iterator() -> LabelIterator {
        guard let base else { return LabelIterator(p: nil, count: 0, hidden: -1) }
        return LabelIterator(
            p: base.advanced(by: Self.headerSize).assumingMemoryBound(to: UInt8.self), count: storedCount,
            hidden: dropsName ? nameIndex : -1)
    }

    @inline(__always)
    static func readLength(_ p: inout UnsafePointer<UInt8>) -> Int {
        var result = 0
        var shift = 0
        while true {
            let b = p.pointee
            p += 1
            result |= Int(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    /// The value bytes of the label `name`, if present and visible.
    func rawValue(_ name: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var found: UnsafeBufferPointer<UInt8>? = nil
        forEachRaw { n, v in
            if bytesEqual(n, name) {
                found = v
                return false
            }
            return true
        }
        return found
    }

    // MARK: package API

    /// Number of visible labels.
    package var count: Int { storedCount - (dropsName && storesName ? 1 : 0) }

    package var isEmpty: Bool { count == 0 }

    /// The value of a label, "" when absent.
    package subscript(name: String) -> String {
        var name = name
        return name.withUTF8 { n in rawValue(n).map { String(decoding: $0, as: UTF8.self) } ?? "" }
    }

    /// The metric name, "" without one.
    package var name: String { self[Self.metricName] }

    /// Every label as strings (allocates: for the edges, not hot paths).
    package var labels: [Label] {
        var out: [Label] = []
        out.reserveCapacity(count)
        forEachRaw { n, v in
            out.append(Label(String(decoding: n, as: UTF8.self), String(decoding: v, as: UTF8.self)))
            return true
        }
        return out
    }

    /// The set without its metric name: the same encoding, nothing copied.
    package var withoutName: Labels {
        guard storesName else { return self }
        return Labels(chunk: chunk, offset: Int(offset), dropsName: true)
    }

    /// A copy with `name` set to `value` (an empty value removes the label).
    package func setting(_ name: String, _ value: String) -> Labels {
        var builder = LabelsBuilder()
        return setting(name, value, in: nil, using: &builder)
    }

    /// `setting` into `arena` with a reused builder (an evaluation's: nothing allocated once warm).
    func setting(_ name: String, _ value: String, in arena: LabelArena?, using builder: inout LabelsBuilder) -> Labels {
        builder.reset()
        var target = name
        target.withUTF8 { t in
            forEachRaw { n, v in
                if !bytesEqual(n, t) { builder.add(n, v) }
                return true
            }
        }
        builder.add(name, value)
        return builder.build(in: arena)
    }

    /// Sets a label (an empty value removes it).
    package mutating func set(_ name: String, _ value: String) { self = setting(name, value) }

    /// A copy without the labels named.
    package func removing(_ names: [String]) -> Labels {
        var builder = LabelsBuilder()
        return removing(LabelNameSet(names), in: nil, using: &builder)
    }

    /// A copy without the labels named (and without the metric name when `name` is false).
    func removing(_ set: LabelNameSet, name keepsName: Bool = true, in arena: LabelArena?, using builder: inout LabelsBuilder) -> Labels {
        builder.reset()
        forEachRaw { n, v in
            if !set.contains(n) && (keepsName || !isMetricName(n)) { builder.add(n, v) }
            return true
        }
        return builder.build(in: arena)
    }

    /// A copy with only the labels named.
    package func keeping(_ names: [String]) -> Labels {
        var builder = LabelsBuilder()
        return keeping(LabelNameSet(names), in: nil, using: &builder)
    }

    func keeping(_ set: LabelNameSet, in arena: LabelArena?, using builder: inout LabelsBuilder) -> Labels {
        builder.reset()
        forEachRaw { n, v in
            if set.contains(n) { builder.add(n, v) }
            return true
        }
        return builder.build(in: arena)
    }

    /// Calls `body` with every label's name and value.
    package func forEach(_ body: (String, String) -> Void) {
        forEachRaw { n, v in
            body(String(decoding: n, as: UTF8.self), String(decoding: v, as: UTF8.self))
            return true
        }
    }

    // MARK: grouping

    /// The hash of the labels a grouping keeps: with `on`, those named; otherwise all but
    /// those named and, unless `keepsName`, the metric name (`by`/`on` versus
    /// `without`/`ignoring`; `keepsName` for `histogram_quantile`'s buckets). Computed from
    /// the stored bytes, without building the grouped set.
    func groupingHash(_ names: LabelNameSet, on: Bool, keepsName: Bool = false) -> UInt64 {
        if on {
            var sum: UInt64 = 0
            forEachRaw { n, v in
                if names.contains(n) { sum &+= LabelHasher.pairHash(name: n, value: v) }
                return true
            }
            return LabelHasher.finalize(sum)
        }
        // All labels (but the metric name), minus the ones named: the stored sum minus their terms.
        var sum = keepsName ? hashSum : (chunk.map { $0.base.load(fromByteOffset: Int(offset) + 8, as: UInt64.self) } ?? 0)
        forEachRaw { n, v in
            if names.contains(n) && !isMetricName(n) { sum &-= LabelHasher.pairHash(name: n, value: v) }
            return true
        }
        return LabelHasher.finalize(sum)
    }

    /// Whether two label sets agree on the labels a grouping keeps (``groupingHash(_:on:keepsName:)``'s
    /// labels): the check behind a hash match. Walks both encodings side by side.
    func sameGroup(_ other: Labels, _ names: LabelNameSet, on: Bool, keepsName: Bool = false) -> Bool {
        func kept(_ n: UnsafeBufferPointer<UInt8>) -> Bool {
            on ? names.contains(n) : !(names.contains(n) || (!keepsName && isMetricName(n)))
        }
        return withExtendedLifetime((self, other)) {
            var a = iterator()
            var b = other.iterator()
            while true {
                var x = a.next()
                while let (n, _) = x, !kept(n) { x = a.next() }
                var y = b.next()
                while let (n, _) = y, !kept(n) { y = b.next() }
                switch (x, y) {
                case (nil, nil): return true
                case (let (n1, v1)?, let (n2, v2)?):
                    if !bytesEqual(n1, n2) || !bytesEqual(v1, v2) { return false }
                default: return false
                }
            }
        }
    }

    // MARK: Hashable, Comparable

    package func hash(into hasher: inout Hasher) { hasher.combine(LabelHasher.finalize(hashSum)) }

    /// The label set's 64-bit hash (``LabelHasher``).
    package var fingerprint: UInt64 { LabelHasher.finalize(hashSum) }

    package static func == (a: Labels, b: Labels) -> Bool {
        if a.hashSum != b.hashSum { return false }
        if a.chunk === b.chunk && a.offset == b.offset && a.dropsName == b.dropsName { return true }
        return compare(a, b) == 0
    }

    package static func < (a: Labels, b: Labels) -> Bool { compare(a, b) < 0 }

    /// Prometheus's `labels.Compare`: name, then value, label by label; then the count.
    static func compare(_ a: Labels, _ b: Labels) -> Int {
        withExtendedLifetime((a, b)) {
            var x = a.iterator()
            var y = b.iterator()
            while true {
                switch (x.next(), y.next()) {
                case (nil, nil): return 0
                case (nil, _): return -1
                case (_, nil): return 1
                case (let (n1, v1)?, let (n2, v2)?):
                    let c = compareBytes(n1, n2)
                    if c != 0 { return c }
                    let d = compareBytes(v1, v2)
                    if d != 0 { return d }
                }
            }
        }
    }

    /// `name{a="1", b="2"}`, as Prometheus prints series.
    package var description: String {
        var others: [String] = []
        var metric = ""
        forEachRaw { n, v in
            if isMetricName(n) {
                metric = String(decoding: v, as: UTF8.self)
            } else {
                others.append(String(decoding: n, as: UTF8.self) + "=" + quoted(String(decoding: v, as: UTF8.self)))
            }
            return true
        }
        let inner = others.joined(separator: ", ")
        return metric.isEmpty ? "{\(inner)}" : (others.isEmpty ? metric : "\(metric){\(inner)}")
    }
}

/// Walks an encoded label set (see ``Labels``), skipping the hidden metric name.
struct LabelIterator {
    var p: UnsafePointer<UInt8>?
    var remaining: Int
    var index = 0
    let hidden: Int

    init(p: UnsafePointer<UInt8>?, count: Int, hidden: Int) {
        self.p = p
        self.remaining = count
        self.hidden = hidden
    }

    @inline(__always)
    mutating func next() -> (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)? {
        while remaining > 0, var q = p {
            let name: UnsafeBufferPointer<UInt8>
            let first = q.pointee
            q += 1
            if first < 0x80 {
                name = UnsafeBufferPointer(start: q, count: Int(first))
                q += Int(first)
            } else if first != 0xFF {
                name = KnownLabelNames.name(Int(first & 0x7F))
            } else {
                let nameLength = Labels.readLength(&q)
                name = UnsafeBufferPointer(start: q, count: nameLength)
                q += nameLength
            }
            let valueLength = Labels.readLength(&q)
            let value = UnsafeBufferPointer(start: q, count: valueLength)
            p = q + valueLength
            remaining -= 1
            index += 1
            if index - 1 == hidden { continue }
            return (name, value)
        }
        return nil
    }
}

/// A few label names to test membership of, as bytes (a `by`, `without`, `on` or
/// `ignoring` list): compared without building strings.
struct LabelNameSet {
    let names: [[UInt8]]

    init(_ names: [String]) { self.names = names.map { Array($0.utf8) } }

    func contains(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        for n in names where n.count == name.count {
            if n.withUnsafeBufferPointer({ bytesEqual($0, name) }) { return true }
        }
        return false
    }

    var isEmpty: Bool { names.isEmpty }
}

@inline(__always)
func bytesEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    if a.count == 0 { return true }
    return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
}

func compareBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
        let c = memcmp(a.baseAddress!, b.baseAddress!, n)
        if c != 0 { return c < 0 ? -1 : 1 }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

/// `__name__` as a little-endian 64-bit word: the metric name is found by one compare.
private let metricNameWord: UInt64 = 0x5F5F_656D_616E_5F5F

@inline(__always)
func isMetricName(_ n: UnsafeBufferPointer<UInt8>) -> Bool {
    n.count == 8 && UnsafeRawPointer(n.baseAddress!).loadUnaligned(as: UInt64.self) == metricNameWord
}
