/// A deterministic random generator (SplitMix64) for tests that split, shuffle or
/// generate: every run sees the same values.
package struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    /// A generator whose whole sequence is fixed by `seed`.
    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `count` random chunk sizes between 1 and `max`, the same for a seed.
package func randomChunks(count: Int, max: Int, seed: UInt64) -> [Int] {
    var g = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Int.random(in: 1...max, using: &g) }
}
