/// Where in its interval a periodic loop runs, derived from a stable key (a target's URL, a
/// rule group's name): loops spread over their interval instead of firing in lockstep, and
/// each keeps its phase across restarts, as Prometheus spreads scrapes and rule groups.
package enum Jitter {
    /// 64-bit FNV-1a of `key`'s UTF-8 bytes (Go's `hash/fnv` `New64a`).
    package static func fnv1a(_ key: String) -> UInt64 {
        var h: UInt64 = 14_695_981_039_346_656_037
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        return h
    }

    /// The offset of `key`'s runs within `interval` milliseconds: in `0..<interval`.
    package static func offset(of key: String, within interval: Int64) -> Int64 {
        Int64(fnv1a(key) % UInt64(max(interval, 1)))
    }
}
