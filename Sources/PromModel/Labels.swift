
/// A label set, sorted by name; `__name__` is the metric name.
///
/// One contiguous encoding in a ``LabelArena`` chunk (names and values as bytes), with
/// its hash computed once when it is built: copying a label set is one retain, comparing
/// two starts with their hashes, and dropping the metric name (``withoutName``) is a flag,
/// not a copy. Strings appear only when asked for (``subscript(_:)``, ``description``).
///
/// The hash is ``LabelHasher``'s: the same as the parser's series fingerprint, so a
/// scraped sample finds its series without building its labels.
///
/// Public, with its reading core `@inlinable` over `@usableFromInline` storage (swift-nio's
/// pattern): the store, PromQL and the rules walk label sets per sample, and Swift inlines
/// across modules only what is public. What builds label sets stays `package`.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// One label as strings: the form for the edges (tests, configuration, output), not the
    /// encoded one.
    package struct Label: Hashable, Sendable {
        /// The label name (`__name__` for the metric name).
        package var name: String
        /// The label value; a label set never holds an empty one (an empty value means absent).
        package var value: String
        /// A name/value pair as given: nothing is validated.
        package init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The name of the label that holds the metric name: `__name__`.
    package static let metricName = "__name__"

    @usableFromInline let chunk: LabelChunk?
    @usableFromInline let offset: Int32
    /// Whether the metric name is hidden: the set without `__name__`, sharing the encoding.
    @usableFromInline let dropsName: Bool

    @usableFromInline
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

    /// Labels from ``Label`` values; they are sorted again all the same, and empty values left out.
    package init(sorted: [Label]) { self.init(sorted.map { ($0.name, $0.value) }) }

    /// Labels from a name → value dictionary; empty values are left out (as absent).
    package init(_ dict: [String: String]) { self.init(dict.map { ($0.key, $0.value) }) }

    // MARK: encoding
    //
    // At `offset` in the chunk: the unfinalized hash sum (UInt64), the sum without the
    // metric name (UInt64), the label count (UInt16), the index of `__name__` among the
    // labels (UInt16, 0xFFFF when absent), the entries' byte length (UInt32), then per
    // label: the name (one byte 0x80 + k for name k of ``KnownLabelNames``; else its
    // length below 0x80 and its bytes; else 0xFF, its length in LEB128, its bytes), the
    // value's length (LEB128) and the value.

    @usableFromInline static let headerSize = 24
    @usableFromInline static let noName: UInt16 = 0xFFFF

    @inlinable @inline(__always)
    var base: UnsafeRawPointer? { unsafe chunk.map { unsafe UnsafeRawPointer($0.base + Int(offset)) } }

    /// The unfinalized hash sum of the visible labels.
    @inlinable
    public var hashSum: UInt64 {
        guard let chunk else { return 0 }
        return unsafe chunk.base.load(fromByteOffset: Int(offset) + (dropsName ? 8 : 0), as: UInt64.self)
    }

    @inlinable
    var storedCount: Int { unsafe base.map { unsafe Int($0.load(fromByteOffset: 16, as: UInt16.self)) } ?? 0 }
    @inlinable
    var nameIndex: Int { unsafe base.map { unsafe Int($0.load(fromByteOffset: 18, as: UInt16.self)) } ?? Int(Self.noName) }

    /// Bytes of the encoding (shared by a name-dropped view of it).
    package var encodedSize: Int { unsafe base.map { unsafe Self.headerSize + Int($0.load(fromByteOffset: 20, as: UInt32.self)) } ?? 0 }

    /// Whether the encoding holds a metric name (hidden or not).
    package var storesName: Bool { nameIndex != Int(Self.noName) }

    /// Calls `body` with every visible label's name and value bytes, in name order; stops
    /// when it returns false. The bytes are valid during the call.
    @inlinable @inline(__always)
    public func forEachRaw(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool) {
        withExtendedLifetime(self) {
            var it = unsafe iterator()
            while let (n, v) = unsafe it.next() {
                if unsafe !body(n, v) { return }
            }
        }
    }

    /// An iterator over the visible labels' bytes; valid while this value is alive.
    @inlinable
    public func iterator() -> LabelIterator {
        guard let base = unsafe base else { return unsafe LabelIterator(p: nil, count: 0, hidden: -1) }
        return unsafe LabelIterator(
            p: base.advanced(by: Self.headerSize).assumingMemoryBound(to: UInt8.self), count: storedCount,
            hidden: dropsName ? nameIndex : -1)
    }

    @inlinable @inline(__always)
    static func readLength(_ p: inout UnsafePointer<UInt8>) -> Int {
        var result = 0
        var shift = 0
        while true {
            let b = unsafe p.pointee
            unsafe p += 1
            result |= Int(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    /// The value bytes of the label `name`, if present and visible.
    package func rawValue(_ name: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var found: UnsafeBufferPointer<UInt8>? = nil
        unsafe forEachRaw { n, v in
            if unsafe bytesEqual(n, name) {
                unsafe found = unsafe v
                return false
            }
            return true
        }
        return unsafe found
    }

    // MARK: reading as strings

    /// Number of visible labels.
    package var count: Int { storedCount - (dropsName && storesName ? 1 : 0) }

    /// Whether no label is visible (the empty set, or only a hidden metric name).
    package var isEmpty: Bool { count == 0 }

    /// The value of a label, "" when absent.
    package subscript(name: String) -> String {
        var name = name
        return name.withUTF8 { n in unsafe rawValue(n).map { unsafe String(decoding: $0, as: UTF8.self) } ?? "" }
    }

    /// The metric name, "" without one.
    package var name: String { self[Self.metricName] }

    /// Every label as strings (allocates: for the edges, not hot paths).
    package var labels: [Label] {
        var out: [Label] = []
        out.reserveCapacity(count)
        unsafe forEachRaw { n, v in
            unsafe out.append(Label(String(decoding: n, as: UTF8.self), String(decoding: v, as: UTF8.self)))
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
    package func setting(_ name: String, _ value: String, in arena: LabelArena?, using builder: inout LabelsBuilder) -> Labels {
        builder.reset()
        var target = name
        target.withUTF8 { t in
            unsafe forEachRaw { n, v in
                if unsafe !bytesEqual(n, t) { unsafe builder.add(n, v) }
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
    package func removing(_ set: LabelNameSet, name keepsName: Bool = true, in arena: LabelArena?, using builder: inout LabelsBuilder) -> Labels {
        builder.reset()
        unsafe forEachRaw { n, v in
            if unsafe !set.contains(n) && (keepsName || !isMetricName(n)) { unsafe builder.add(n, v) }
            return true
        }
        return builder.build(in: arena)
    }

    /// A copy with only the labels named.
    package func keeping(_ names: [String]) -> Labels {
        var builder = LabelsBuilder()
        return keeping(LabelNameSet(names), in: nil, using: &builder)
    }

    /// ``keeping(_:)`` into `arena` with a reused builder (an evaluation's: nothing allocated once
    /// warm). The metric name stays only if `set` names it.
    package func keeping(_ set: LabelNameSet, in arena: LabelArena?, using builder: inout LabelsBuilder) -> Labels {
        builder.reset()
        unsafe forEachRaw { n, v in
            if unsafe set.contains(n) { unsafe builder.add(n, v) }
            return true
        }
        return builder.build(in: arena)
    }

    /// Calls `body` with every label's name and value.
    package func forEach(_ body: (String, String) -> Void) {
        unsafe forEachRaw { n, v in
            unsafe body(String(decoding: n, as: UTF8.self), String(decoding: v, as: UTF8.self))
            return true
        }
    }

    // MARK: grouping

    /// The hash of the labels a grouping keeps: with `on`, those named; otherwise all but
    /// those named and, unless `keepsName`, the metric name (`by`/`on` versus
    /// `without`/`ignoring`; `keepsName` for `histogram_quantile`'s buckets). Computed from
    /// the stored bytes, without building the grouped set.
    @inlinable
    public func groupingHash(_ names: LabelNameSet, on: Bool, keepsName: Bool = false) -> UInt64 {
        if on {
            var sum: UInt64 = 0
            unsafe forEachRaw { n, v in
                if unsafe names.contains(n) { unsafe sum &+= LabelHasher.pairHash(name: n, value: v) }
                return true
            }
            return LabelHasher.finalize(sum)
        }
        // All labels (but the metric name), minus the ones named: the stored sum minus their terms.
        var sum = keepsName ? hashSum : (chunk.map { unsafe $0.base.load(fromByteOffset: Int(offset) + 8, as: UInt64.self) } ?? 0)
        unsafe forEachRaw { n, v in
            if unsafe names.contains(n) && !isMetricName(n) { unsafe sum &-= LabelHasher.pairHash(name: n, value: v) }
            return true
        }
        return LabelHasher.finalize(sum)
    }

    /// Whether two label sets agree on the labels a grouping keeps (``groupingHash(_:on:keepsName:)``'s
    /// labels): the check behind a hash match. Walks both encodings side by side.
    @inlinable
    public func sameGroup(_ other: Labels, _ names: LabelNameSet, on: Bool, keepsName: Bool = false) -> Bool {
        func kept(_ n: UnsafeBufferPointer<UInt8>) -> Bool {
            unsafe on ? names.contains(n) : !(names.contains(n) || (!keepsName && isMetricName(n)))
        }
        return withExtendedLifetime((self, other)) {
            var a = unsafe iterator()
            var b = unsafe other.iterator()
            while true {
                var x = unsafe a.next()
                while let (n, _) = unsafe x, unsafe !kept(n) { unsafe x = unsafe a.next() }
                var y = unsafe b.next()
                while let (n, _) = unsafe y, unsafe !kept(n) { unsafe y = unsafe b.next() }
                switch unsafe (x, y) {
                case (nil, nil): return true
                case (let (n1, v1)?, let (n2, v2)?):
                    if unsafe !bytesEqual(n1, n2) || !bytesEqual(v1, v2) { return false }
                default: return false
                }
            }
        }
    }

    // MARK: Hashable, Comparable

    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(LabelHasher.finalize(hashSum)) }

    /// The label set's 64-bit hash (``LabelHasher``).
    @inlinable
    public var fingerprint: UInt64 { LabelHasher.finalize(hashSum) }

    /// Equal when the visible labels are: the hash sums first, then the shared encoding, then
    /// label by label (two label sets may share a hash).
    @inlinable
    public static func == (a: Labels, b: Labels) -> Bool {
        if a.hashSum != b.hashSum { return false }
        if a.chunk === b.chunk && a.offset == b.offset && a.dropsName == b.dropsName { return true }
        return compare(a, b) == 0
    }

    /// Prometheus's order of series: ``compare(_:_:)``.
    @inlinable
    public static func < (a: Labels, b: Labels) -> Bool { compare(a, b) < 0 }

    /// Prometheus's `labels.Compare`: name, then value, label by label; then the count.
    @inlinable
    public static func compare(_ a: Labels, _ b: Labels) -> Int {
        withExtendedLifetime((a, b)) {
            var x = unsafe a.iterator()
            var y = unsafe b.iterator()
            while true {
                switch unsafe (x.next(), y.next()) {
                case (nil, nil): return 0
                case (nil, _): return -1
                case (_, nil): return 1
                case (let (n1, v1)?, let (n2, v2)?):
                    let c = unsafe compareBytes(n1, n2)
                    if c != 0 { return c }
                    let d = unsafe compareBytes(v1, v2)
                    if d != 0 { return d }
                }
            }
        }
    }

    /// `name{a="1", b="2"}`, as Prometheus prints series.
    public var description: String {
        var others: [String] = []
        var metric = ""
        unsafe forEachRaw { n, v in
            if unsafe isMetricName(n) {
                metric = unsafe String(decoding: v, as: UTF8.self)
            } else {
                unsafe others.append(String(decoding: n, as: UTF8.self) + "=" + quoted(String(decoding: v, as: UTF8.self)))
            }
            return true
        }
        let inner = others.joined(separator: ", ")
        return metric.isEmpty ? "{\(inner)}" : (others.isEmpty ? metric : "\(metric){\(inner)}")
    }
}

/// Walks an encoded label set (see ``Labels``), skipping the hidden metric name.
@unsafe
public struct LabelIterator {
    @usableFromInline var p: UnsafePointer<UInt8>?
    @usableFromInline var remaining: Int
    @usableFromInline var index = 0
    @usableFromInline let hidden: Int

    @inlinable
    init(p: UnsafePointer<UInt8>?, count: Int, hidden: Int) {
        unsafe self.p = unsafe p
        unsafe self.remaining = count
        unsafe self.hidden = hidden
    }

    @inlinable @inline(__always)
    public mutating func next() -> (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)? {
        while unsafe remaining > 0, var q = unsafe p {
            let name: UnsafeBufferPointer<UInt8>
            let first = unsafe q.pointee
            unsafe q += 1
            if first < 0x80 {
                unsafe name = unsafe UnsafeBufferPointer(start: q, count: Int(first))
                unsafe q += Int(first)
            } else if first != 0xFF {
                unsafe name = unsafe KnownLabelNames.name(Int(first & 0x7F))
            } else {
                let nameLength = unsafe Labels.readLength(&q)
                unsafe name = unsafe UnsafeBufferPointer(start: q, count: nameLength)
                unsafe q += nameLength
            }
            let valueLength = unsafe Labels.readLength(&q)
            let value = unsafe UnsafeBufferPointer(start: q, count: valueLength)
            unsafe p = unsafe q + valueLength
            unsafe remaining -= 1
            unsafe index += 1
            if unsafe index - 1 == hidden { continue }
            return unsafe (name, value)
        }
        return nil
    }
}

/// A few label names to test membership of, as bytes (a `by`, `without`, `on` or
/// `ignoring` list): compared without building strings.
public struct LabelNameSet {
    @usableFromInline let names: [[UInt8]]

    /// The set of `names`, kept as their UTF-8 bytes.
    package init(_ names: [String]) { self.names = names.map { Array($0.utf8) } }

    /// Whether `name` (bytes, as ``Labels/forEachRaw(_:)`` lends them) is in the set: a linear
    /// scan, fast for the handful of names a grouping lists.
    @inlinable
    public func contains(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        for n in names where n.count == name.count {
            if unsafe n.withUnsafeBufferPointer({ unsafe bytesEqual($0, name) }) { return true }
        }
        return false
    }

    /// Whether the set names no label (`by ()`, say).
    package var isEmpty: Bool { names.isEmpty }
}
