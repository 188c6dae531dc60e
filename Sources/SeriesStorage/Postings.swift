import LabelMatchers
import PromModel
import PromText

/// For every label name and value in the store, the series that carry it, as a list of
/// series references in ascending order (Prometheus's `MemPostings`). Selectors are
/// answered from these lists without looking at any series: `=` by one list, `=~` by the
/// lists of the values its regex matches (each distinct value tested once), `!=` and `!~`
/// by subtracting lists from the series that are there.
struct Postings {
    /// Per label name: its values, and the series of each.
    struct Name {
        let name: [UInt8]
        /// Value hash → value number.
        var index = HashIndex(capacity: 8)
        var values: [[UInt8]] = []
        var lists: [[Int32]] = []
        /// Values whose hash is another value's: found by exact bytes (practically never used).
        var collided: [[UInt8]: Int] = [:]

        init(_ name: [UInt8]) { self.name = name }

        /// The number of `value`, if the label has it.
        func number(_ value: UnsafeBufferPointer<UInt8>) -> Int? {
            let h = unsafe LabelHasher.hashBytes(value, seed: 0x51ED_270B_2791_73AF)
            guard let k = index.find(h) else { return nil }
            if unsafe values[k].withUnsafeBufferPointer({ unsafe bytesEqual($0, value) }) { return k }
            return unsafe collided[Array(value)]
        }

        /// The number of `value`, created empty when new.
        mutating func number(_ value: UnsafeBufferPointer<UInt8>, create: Bool) -> Int? {
            guard create else { return unsafe number(value) }
            let h = unsafe LabelHasher.hashBytes(value, seed: 0x51ED_270B_2791_73AF)
            if let k = index.find(h) {
                if unsafe values[k].withUnsafeBufferPointer({ unsafe bytesEqual($0, value) }) { return k }
                if let c = unsafe collided[Array(value)] { return c }
                guard create else { return nil }
                unsafe values.append(Array(value))
                lists.append([])
                unsafe collided[Array(value)] = values.count - 1
                return values.count - 1
            }
            guard create else { return nil }
            index.insert(h, values.count)
            unsafe values.append(Array(value))
            lists.append([])
            return values.count - 1
        }
    }

    private var names: [Name] = []
    private var nameIndex = HashIndex(capacity: 64)
    /// Every series in the store, ascending.
    private(set) var all: [Int32] = []
    /// The name table used last: series of one family repeat their label names in order.
    private var recent: [Int] = []
    /// The name table and value number used last at each position.
    private var recentValues: [(table: Int, value: Int)] = []

    /// The table of a label name, if any series has the label.
    func name(_ n: UnsafeBufferPointer<UInt8>) -> Name? { unsafe number(n).map { names[$0] } }

    private static func nameHash(_ n: UnsafeBufferPointer<UInt8>) -> UInt64 {
        unsafe LabelHasher.hashBytes(n, seed: 0x2545_F491_4F6C_DD1D)
    }

    /// The number of a label name's table.
    private func number(_ n: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let k = unsafe nameIndex.find(Self.nameHash(n)) else { return nil }
        if unsafe names[k].name.withUnsafeBufferPointer({ unsafe bytesEqual($0, n) }) { return k }
        // Another name with the same hash (practically never): found by a scan.
        return names.firstIndex { unsafe $0.name.withUnsafeBufferPointer { unsafe bytesEqual($0, n) } }
    }

    /// The number of the table of label `n`, the `position`-th label of the series being
    /// added: first tried against the previous series' label at that position.
    private mutating func table(_ n: UnsafeBufferPointer<UInt8>, position: Int) -> Int {
        if position < recent.count {
            let k = recent[position]
            if unsafe names[k].name.withUnsafeBufferPointer({ unsafe bytesEqual($0, n) }) { return k }
        }
        let k: Int
        if let existing = unsafe number(n) {
            k = existing
        } else {
            k = names.count
            unsafe names.append(Name(Array(n)))
            unsafe nameIndex.insert(Self.nameHash(n), k)
        }
        if position < recent.count { recent[position] = k } else { recent.append(k) }
        return k
    }

    /// Adds a series (references only grow, so appending keeps every list ascending).
    mutating func add(_ ref: Int32, _ labels: Labels) {
        all.append(ref)
        var position = 0
        unsafe labels.forEachRaw { n, v in
            let t = unsafe table(n, position: position)
            // Series of one family often repeat the previous one's value at a position
            // (`component`, `scope`, `version`): tried before hashing the value.
            var k = -1
            if position < recentValues.count {
                let (rt, rk) = recentValues[position]
                if unsafe rt == t && names[t].values[rk].withUnsafeBufferPointer({ unsafe bytesEqual($0, v) }) { k = rk }
            }
            if k < 0 {
                k = unsafe names[t].number(v, create: true)!
                if position < recentValues.count { recentValues[position] = (t, k) } else { recentValues.append((t, k)) }
            }
            names[t].lists[k].append(ref)
            position += 1
            return true
        }
    }

    /// Removes series (after retention dropped them).
    mutating func remove(_ refs: Set<Int32>) {
        guard !refs.isEmpty else { return }
        all.removeAll { refs.contains($0) }
        for t in names.indices {
            for k in names[t].lists.indices where !names[t].lists[k].isEmpty {
                names[t].lists[k].removeAll { refs.contains($0) }
            }
        }
    }

    /// Renumbers series after the store compacted its slots (`map[old]` is the new reference, or -1).
    mutating func renumber(_ map: [Int32]) {
        all = all.compactMap { map[Int($0)] >= 0 ? map[Int($0)] : nil }
        for t in names.indices {
            for k in names[t].lists.indices {
                names[t].lists[k] = names[t].lists[k].compactMap { map[Int($0)] >= 0 ? map[Int($0)] : nil }
            }
        }
    }

    /// Gives back the spare capacity of the lists (after a bulk load: appending one series
    /// at a time leaves up to half of each list unused).
    mutating func shrink() {
        func fit(_ list: inout [Int32]) {
            if list.capacity > list.count + list.count / 4 + 4 { list = list.exactCopy() }
        }
        fit(&all)
        for t in names.indices {
            for k in names[t].lists.indices { fit(&names[t].lists[k]) }
        }
    }

    /// The series matching every matcher, ascending; a regex is tested once per distinct value.
    func select(_ matchers: [LabelMatcher]) -> [Int32] {
        var result: [Int32]? = nil
        var subtract: [[Int32]] = []
        for m in matchers {
            var name = m.name
            let t = name.withUTF8 { unsafe self.name($0) }
            let matchesEmpty = m.matches("")
            switch m.op {
            case .equal where !m.value.isEmpty:
                var value = m.value
                let list = value.withUTF8 { v in t.flatMap { t in unsafe t.number(v).map { t.lists[$0] } } } ?? []
                result = intersect(result, list)
            default:
                // The values of the label the matcher accepts.
                var lists: [[Int32]] = []
                if let t {
                    for (k, v) in t.values.enumerated() where !t.lists[k].isEmpty {
                        if m.matches(String(decoding: v, as: UTF8.self)) { lists.append(t.lists[k]) }
                    }
                }
                if matchesEmpty {
                    // Series without the label match too: all but those with a value it refuses.
                    var refused: [[Int32]] = []
                    if let t {
                        for (k, v) in t.values.enumerated() where !t.lists[k].isEmpty {
                            if !m.matches(String(decoding: v, as: UTF8.self)) { refused.append(t.lists[k]) }
                        }
                    }
                    subtract.append(union(refused))
                } else {
                    result = intersect(result, union(lists))
                }
            }
            if let r = result, r.isEmpty { return [] }
        }
        var out = result ?? all
        for s in subtract where !s.isEmpty { out = difference(out, s) }
        return out
    }

    /// Bytes held, for memory accounting.
    var bytes: Int {
        var total = all.capacity * 4 + nameIndex.bytes
        for t in names {
            total += t.index.bytes + t.name.count + 48
            for (k, list) in t.lists.enumerated() { total += list.capacity * 4 + t.values[k].count + 64 }
        }
        return total
    }
}

/// Sorted-list intersection (nil: no constraint yet).
private func intersect(_ a: [Int32]?, _ b: [Int32]) -> [Int32] {
    guard let a else { return b }
    var out: [Int32] = []
    out.reserveCapacity(min(a.count, b.count))
    var i = 0
    var j = 0
    while i < a.count && j < b.count {
        if a[i] < b[j] { i += 1 } else if a[i] > b[j] { j += 1 } else {
            out.append(a[i])
            i += 1
            j += 1
        }
    }
    return out
}

/// Sorted-list union of several lists.
private func union(_ lists: [[Int32]]) -> [Int32] {
    if lists.isEmpty { return [] }
    if lists.count == 1 { return lists[0] }
    var out = lists.flatMap { $0 }
    out.sort()
    var k = 0
    for i in out.indices where k == 0 || out[i] != out[k - 1] {
        out[k] = out[i]
        k += 1
    }
    out.removeSubrange(k...)
    return out
}

/// Sorted-list difference `a - b`.
private func difference(_ a: [Int32], _ b: [Int32]) -> [Int32] {
    var out: [Int32] = []
    out.reserveCapacity(a.count)
    var j = 0
    for x in a {
        while j < b.count && b[j] < x { j += 1 }
        if j < b.count && b[j] == x { continue }
        out.append(x)
    }
    return out
}
