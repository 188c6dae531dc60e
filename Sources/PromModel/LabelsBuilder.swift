
/// Builds ``Labels``: collect names and values (bytes or strings, any order), then encode
/// them sorted, with their hashes, into an arena. Keep one builder and reuse it: its
/// buffers keep their capacity, so building allocates nothing once warm.
package struct LabelsBuilder {
    private var bytes: [UInt8] = []
    private var entries: [(name: Range<Int>, value: Range<Int>)] = []
    /// The hash terms of the labels added so far, once ``fingerprint()`` or ``build(in:)``
    /// computed them: the sum, and the metric name's term and position.
    private var terms: (sum: UInt64, nameTerm: UInt64, nameIndex: UInt16)? = nil
    /// What was computed from the name last seen at each position.
    private var names = NameCache()
    /// Per entry, while encoding: its number in ``KnownLabelNames``, or -1.
    private var knownNames: [Int8] = []

    /// An empty builder, with room for 16 labels and 256 bytes of names and values before its
    /// buffers grow.
    package init() {
        bytes.reserveCapacity(256)
        entries.reserveCapacity(16)
    }

    /// Forgets the labels added, keeping the buffers' capacity: call it before each label set.
    package mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        terms = nil
    }

    /// Adds a label; an empty value means no label, as in Prometheus.
    package mutating func add(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) {
        guard value.count > 0 else { return }
        terms = nil
        let n = bytes.count
        unsafe bytes.append(contentsOf: name)
        let v = bytes.count
        unsafe bytes.append(contentsOf: value)
        entries.append((n..<v, v..<bytes.count))
    }

    /// ``add(_:_:)`` with strings (their UTF-8 bytes); an empty value means no label.
    package mutating func add(_ name: String, _ value: String) {
        var name = name
        var value = value
        name.withUTF8 { n in value.withUTF8 { v in unsafe add(n, v) } }
    }

    /// Adds a label whose value arrives in pieces: `append` writes the value's bytes.
    package mutating func add(_ name: UnsafeBufferPointer<UInt8>, value append: (inout [UInt8]) -> Void) {
        terms = nil
        let n = bytes.count
        unsafe bytes.append(contentsOf: name)
        let v = bytes.count
        append(&bytes)
        if bytes.count == v {
            bytes.removeSubrange(n...)
            return
        }
        entries.append((n..<v, v..<bytes.count))
    }

    /// Adds the metric name.
    package mutating func addMetricName(_ value: UnsafeBufferPointer<UInt8>) {
        let name: StaticString = "__name__"
        unsafe add(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), value)
    }

    /// Whether a label with this name was added.
    package func has(_ name: [UInt8]) -> Bool {
        unsafe bytes.withUnsafeBufferPointer { b in
            unsafe name.withUnsafeBufferPointer { n in entries.contains { unsafe bytesEqual(UnsafeBufferPointer(rebasing: b[$0.name]), n) } }
        }
    }

    /// Removes every label with this name added so far.
    package mutating func remove(_ name: UnsafeBufferPointer<UInt8>) {
        terms = nil
        unsafe bytes.withUnsafeBufferPointer { b in
            entries.removeAll { unsafe bytesEqual(UnsafeBufferPointer(rebasing: b[$0.name]), name) }
        }
    }

    /// Sorts the labels by name; of equal names, the last added stays.
    private mutating func normalize() {
        guard entries.count > 1 else { return }
        unsafe bytes.withUnsafeBufferPointer { b in
            func name(_ i: Int) -> UnsafeBufferPointer<UInt8> { unsafe UnsafeBufferPointer(rebasing: b[entries[i].name]) }
            // Insertion sort by name (stable: a later duplicate stays after an earlier one).
            for i in 1..<entries.count {
                var j = i
                while unsafe j > 0 && compareBytes(name(j), name(j - 1)) < 0 {
                    entries.swapAt(j, j - 1)
                    j -= 1
                }
            }
            var k = 0
            for i in entries.indices {
                if unsafe k > 0 && bytesEqual(name(i), name(k - 1)) {
                    entries[k - 1] = entries[i]
                } else {
                    entries[k] = entries[i]
                    k += 1
                }
            }
            entries.removeSubrange(k...)
        }
    }

    /// The hash terms of the labels added so far (sorted first).
    private mutating func computeTerms() -> (sum: UInt64, nameTerm: UInt64, nameIndex: UInt16) {
        if let terms { return terms }
        normalize()
        let result = unsafe bytes.withUnsafeBufferPointer { b -> (UInt64, UInt64, UInt16) in
            var sum: UInt64 = 0
            var nameTerm: UInt64 = 0
            var nameIndex = Labels.noName
            for (i, e) in entries.enumerated() {
                let name = unsafe UnsafeBufferPointer(rebasing: b[e.name])
                let value = unsafe UnsafeBufferPointer(rebasing: b[e.value])
                if unsafe isMetricName(name) {
                    nameTerm = unsafe LabelHasher.nameHash(value)
                    sum &+= nameTerm
                    nameIndex = UInt16(i)
                    continue
                }
                unsafe sum &+= LabelHasher.pairHash(nameSeed: names.lookup(i, name).seed, value: value)
            }
            return (sum, nameTerm, nameIndex)
        }
        terms = result
        return result
    }

    /// The hash the labels added so far will have (``Labels/fingerprint``), without building them.
    package mutating func fingerprint() -> UInt64 { LabelHasher.finalize(computeTerms().sum) }

    /// Whether the labels added so far are exactly `labels`.
    package mutating func matches(_ labels: Labels) -> Bool {
        normalize()
        return unsafe bytes.withUnsafeBufferPointer { b in
            withExtendedLifetime(labels) {
                var it = unsafe labels.iterator()
                for e in entries {
                    guard let (n, v) = unsafe it.next(), unsafe bytesEqual(n, UnsafeBufferPointer(rebasing: b[e.name])),
                        unsafe bytesEqual(v, UnsafeBufferPointer(rebasing: b[e.value]))
                    else { return false }
                }
                return unsafe it.next() == nil
            }
        }
    }

    /// Encodes the labels added since the last reset into `arena` (nil: a chunk of their own,
    /// for label sets built one at a time outside hot paths). A name added twice keeps its
    /// last value.
    package mutating func build(in arena: LabelArena?) -> Labels {
        defer { reset() }
        guard !entries.isEmpty else { return Labels(chunk: nil, offset: 0, dropsName: false) }
        let (sum, nameTerm, nameIndex) = computeTerms()
        return unsafe bytes.withUnsafeBufferPointer { b -> Labels in
            // A name is written as its number in ``KnownLabelNames`` (one byte, 0x80 + k),
            // as its length (< 0x80) and bytes, or for a long name as 0xFF, its LEB128
            // length and bytes.
            knownNames.removeAll(keepingCapacity: true)
            var size = Labels.headerSize
            for (i, e) in entries.enumerated() {
                let name = unsafe UnsafeBufferPointer(rebasing: b[e.name])
                let known = unsafe isMetricName(name) ? KnownLabelNames.metricName : names.lookup(i, name).known
                knownNames.append(Int8(known ?? -1))
                if known != nil {
                    size += 1
                } else {
                    size += (e.name.count < 0x80 ? 1 : 1 + lengthSize(e.name.count)) + e.name.count
                }
                size += lengthSize(e.value.count) + e.value.count
            }
            let (chunk, offset) = arena?.reserve(size) ?? (LabelChunk(capacity: size), 0)
            let out = unsafe chunk.base + offset
            unsafe out.storeBytes(of: sum, as: UInt64.self)
            unsafe out.storeBytes(of: sum &- nameTerm, toByteOffset: 8, as: UInt64.self)
            unsafe out.storeBytes(of: UInt16(entries.count), toByteOffset: 16, as: UInt16.self)
            unsafe out.storeBytes(of: nameIndex, toByteOffset: 18, as: UInt16.self)
            unsafe out.storeBytes(of: UInt32(size - Labels.headerSize), toByteOffset: 20, as: UInt32.self)
            var p = unsafe (out + Labels.headerSize).assumingMemoryBound(to: UInt8.self)
            func copy(_ range: Range<Int>) {
                if !range.isEmpty {
                    unsafe p.update(from: b.baseAddress! + range.lowerBound, count: range.count)
                    unsafe p += range.count
                }
            }
            for (i, e) in entries.enumerated() {
                let known = knownNames[i]
                if known >= 0 {
                    unsafe p.pointee = 0x80 | UInt8(known)
                    unsafe p += 1
                } else {
                    if e.name.count < 0x80 {
                        unsafe p.pointee = UInt8(e.name.count)
                        unsafe p += 1
                    } else {
                        unsafe p.pointee = 0xFF
                        unsafe p += 1
                        unsafe writeLength(e.name.count, &p)
                    }
                    copy(e.name)
                }
                unsafe writeLength(e.value.count, &p)
                copy(e.value)
            }
            return Labels(chunk: chunk, offset: offset, dropsName: false)
        }
    }

    private func lengthSize(_ n: Int) -> Int {
        var size = 1
        var v = n >> 7
        while v > 0 {
            size += 1
            v >>= 7
        }
        return size
    }

    private func writeLength(_ n: Int, _ p: inout UnsafeMutablePointer<UInt8>) {
        var v = n
        while v >= 0x80 {
            unsafe p.pointee = UInt8(v & 0x7F) | 0x80
            unsafe p += 1
            v >>= 7
        }
        unsafe p.pointee = UInt8(v)
        unsafe p += 1
    }
}

/// Per label position, the name last seen there and what was computed from it (its hash
/// seed, its number in ``KnownLabelNames``): series of one family repeat their label names
/// in order, so a lookup is mostly one compare of a few bytes, with no hashing.
private struct NameCache {
    static let positions = 64
    static let slot = 32
    /// Names of up to `slot` bytes, one slot per position.
    private var bytes: [UInt8] = []
    /// Length of the name in each slot; -1 for none.
    private var lengths: [Int8] = []
    private var seeds: [UInt64] = []
    private var known: [Int8] = []

    /// The seed and known-name number of `name`, the label at `position`.
    mutating func lookup(_ position: Int, _ name: UnsafeBufferPointer<UInt8>) -> (seed: UInt64, known: Int?) {
        let cacheable = position < Self.positions && name.count <= Self.slot
        if cacheable && !lengths.isEmpty && Int(lengths[position]) == name.count {
            let same = unsafe bytes.withUnsafeBufferPointer {
                unsafe bytesEqual(UnsafeBufferPointer(rebasing: $0[position * Self.slot..<position * Self.slot + name.count]), name)
            }
            if same { return (seeds[position], known[position] >= 0 ? Int(known[position]) : nil) }
        }
        let seed = unsafe LabelHasher.nameSeed(name)
        let number = unsafe KnownLabelNames.number(name)
        if cacheable {
            if lengths.isEmpty {
                bytes = [UInt8](repeating: 0, count: Self.positions * Self.slot)
                lengths = [Int8](repeating: -1, count: Self.positions)
                seeds = [UInt64](repeating: 0, count: Self.positions)
                known = [Int8](repeating: -1, count: Self.positions)
            }
            unsafe bytes.withUnsafeMutableBufferPointer { b in
                for k in 0..<name.count { unsafe b[position * Self.slot + k] = unsafe name[k] }
            }
            lengths[position] = Int8(name.count)
            seeds[position] = seed
            known[position] = Int8(number ?? -1)
        }
        return (seed, number)
    }
}
