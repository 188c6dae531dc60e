/// A map from 64-bit hashes to small integers (series references, group numbers),
/// open addressing with linear probing. The keys are already well-mixed hashes
/// (``LabelHasher``), so they index the table directly, without `Hasher`.
struct HashIndex {
    private var keys: [UInt64]
    private var values: [Int32]
    private var used: [Bool]
    private(set) var count = 0
    private var mask: Int

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [Int32](repeating: 0, count: size)
        used = [Bool](repeating: false, count: size)
        mask = size - 1
    }

    /// The value stored for `key`, if any.
    func find(_ key: UInt64) -> Int? {
        var i = Int(truncatingIfNeeded: key) & mask
        while used[i] {
            if keys[i] == key { return Int(values[i]) }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Stores `value` for `key` unless the key is present; returns the value already there.
    @discardableResult
    mutating func insert(_ key: UInt64, _ value: Int) -> Int? {
        if (count + 1) * 2 > keys.count { grow() }
        var i = Int(truncatingIfNeeded: key) & mask
        while used[i] {
            if keys[i] == key { return Int(values[i]) }
            i = (i + 1) & mask
        }
        used[i] = true
        keys[i] = key
        values[i] = Int32(value)
        count += 1
        return nil
    }

    /// Replaces (or adds) the value for `key`.
    mutating func set(_ key: UInt64, _ value: Int) {
        if (count + 1) * 2 > keys.count { grow() }
        var i = Int(truncatingIfNeeded: key) & mask
        while used[i] {
            if keys[i] == key {
                values[i] = Int32(value)
                return
            }
            i = (i + 1) & mask
        }
        used[i] = true
        keys[i] = key
        values[i] = Int32(value)
        count += 1
    }

    /// Removes `key` (backward-shift deletion keeps probe chains intact).
    mutating func remove(_ key: UInt64) {
        var i = Int(truncatingIfNeeded: key) & mask
        while used[i] {
            if keys[i] == key {
                used[i] = false
                count -= 1
                // Move later entries of the chain back into the hole.
                var hole = i
                var j = (i + 1) & mask
                while used[j] {
                    let home = Int(truncatingIfNeeded: keys[j]) & mask
                    // Entry j may move to the hole if its home is not in (hole, j].
                    let between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
                    if !between {
                        keys[hole] = keys[j]
                        values[hole] = values[j]
                        used[hole] = true
                        used[j] = false
                        hole = j
                    }
                    j = (j + 1) & mask
                }
                return
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let old = (keys, values, used)
        let size = keys.count * 2
        keys = [UInt64](repeating: 0, count: size)
        values = [Int32](repeating: 0, count: size)
        used = [Bool](repeating: false, count: size)
        mask = size - 1
        count = 0
        for i in old.0.indices where old.2[i] { insert(old.0[i], Int(old.1[i])) }
    }

    /// Bytes held, for memory accounting.
    var bytes: Int { keys.count * (8 + 4 + 1) }
}
