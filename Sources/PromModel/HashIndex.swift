/// A map from 64-bit hashes to small integers (series references, group numbers),
/// open addressing with linear probing. The keys are already well-mixed hashes
/// (``LabelHasher``), so they index the table directly, without `Hasher`.
///
/// A slot whose key is 0 is empty; the key 0 itself, should a hash ever be 0, is kept
/// beside the table. The table grows past three quarters full: 12 bytes a slot, about
/// 16–32 bytes an entry.
///
/// Public with an `@inlinable` ``find(_:)``: the store and the appender look a hash up per
/// sample, from other modules.
public struct HashIndex: Sendable {
    @usableFromInline var keys: [UInt64]
    @usableFromInline var values: [Int32]
    @usableFromInline var zero: Int32? = nil
    private(set) var count = 0
    @usableFromInline var mask: Int

    /// An empty index with room for `capacity` entries before it grows (a power of two of
    /// slots, at least 16).
    package init(capacity: Int = 16) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    /// The value stored for `key`, if any.
    @inlinable
    public func find(_ key: UInt64) -> Int? {
        if key == 0 { return zero.map(Int.init) }
        return unsafe keys.withUnsafeBufferPointer { k in
            var i = Int(truncatingIfNeeded: key) & mask
            while true {
                let x = unsafe k[i]
                if x == key { return Int(values[i]) }
                if x == 0 { return nil }
                i = (i + 1) & mask
            }
        }
    }

    /// Stores `value` for `key` unless the key is present; returns the value already there.
    @discardableResult
    package mutating func insert(_ key: UInt64, _ value: Int) -> Int? {
        if key == 0 {
            if let zero { return Int(zero) }
            zero = Int32(value)
            count += 1
            return nil
        }
        if (count + 1) * 4 > keys.count * 3 { grow() }
        var i = Int(truncatingIfNeeded: key) & mask
        while keys[i] != 0 {
            if keys[i] == key { return Int(values[i]) }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = Int32(value)
        count += 1
        return nil
    }

    /// Replaces (or adds) the value for `key`.
    package mutating func set(_ key: UInt64, _ value: Int) {
        if key == 0 {
            if zero == nil { count += 1 }
            zero = Int32(value)
            return
        }
        if (count + 1) * 4 > keys.count * 3 { grow() }
        var i = Int(truncatingIfNeeded: key) & mask
        while keys[i] != 0 {
            if keys[i] == key {
                values[i] = Int32(value)
                return
            }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = Int32(value)
        count += 1
    }

    /// Removes `key` (backward-shift deletion keeps probe chains intact).
    package mutating func remove(_ key: UInt64) {
        if key == 0 {
            if zero != nil { count -= 1 }
            zero = nil
            return
        }
        var i = Int(truncatingIfNeeded: key) & mask
        while keys[i] != 0 {
            if keys[i] == key {
                keys[i] = 0
                count -= 1
                // Move later entries of the chain back into the hole.
                var hole = i
                var j = (i + 1) & mask
                while keys[j] != 0 {
                    let home = Int(truncatingIfNeeded: keys[j]) & mask
                    // Entry j may move to the hole if its home is not in (hole, j].
                    let between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
                    if !between {
                        keys[hole] = keys[j]
                        values[hole] = values[j]
                        keys[j] = 0
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
        let (oldKeys, oldValues) = (keys, values)
        let size = keys.count * 2
        keys = [UInt64](repeating: 0, count: size)
        values = [Int32](repeating: 0, count: size)
        mask = size - 1
        for i in oldKeys.indices where oldKeys[i] != 0 {
            var j = Int(truncatingIfNeeded: oldKeys[i]) & mask
            while keys[j] != 0 { j = (j + 1) & mask }
            keys[j] = oldKeys[i]
            values[j] = oldValues[i]
        }
    }

    /// Bytes held, for memory accounting.
    package var bytes: Int { keys.count * (8 + 4) }
}
