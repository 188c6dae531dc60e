import PromText

/// One metric family's metadata, as Prometheus's `/api/v1/metadata` reports it.
package struct MetricMetadata: Sendable, Hashable, Comparable {
    /// `counter`, `gauge`, `histogram`, `summary`, `gaugehistogram`, `info`, `stateset`, or
    /// `unknown` (untyped, or no `# TYPE` line).
    package var type: String
    /// The `# HELP` text, escapes resolved ("" without one).
    package var help: String
    /// The `# UNIT` (OpenMetrics; "" without one).
    package var unit: String

    /// The metadata with these fields.
    package init(type: String, help: String, unit: String) {
        self.type = type
        self.help = help
        self.unit = unit
    }

    /// Ordered by type, help, unit: a stable order for the API's lists.
    package static func < (a: MetricMetadata, b: MetricMetadata) -> Bool { (a.type, a.help, a.unit) < (b.type, b.help, b.unit) }
}

/// The `# TYPE`, `# HELP` and `# UNIT` lines of one target's scrapes, by family name, as
/// Prometheus's scrape cache keeps them: an entry is found by the hash of its name's bytes
/// and changed only where its text changed, so a scrape like the last one allocates nothing
/// for its metadata; a family missing from a successful scrape is dropped at its end. A
/// failed scrape changes nothing.
package struct ScrapeMetadata {
    private struct Entry {
        var name: [UInt8]
        var type: MetricType?
        /// The help text as written (compared with the next scrape's), and with its escapes resolved.
        var helpRaw: [UInt8] = []
        var help = ""
        var unit: [UInt8] = []
        var seen = true
    }

    private var entries: [Entry] = []
    /// Entries by the hash of their name (a list: two names may share a hash).
    private var byHash: [Int: [Int]] = [:]
    /// Changes whenever an entry is added, changed or dropped: a reader remakes its copy then.
    package private(set) var version: UInt64 = 0

    /// Nothing yet.
    package init() {}

    private static func hash(_ bytes: some Sequence<UInt8>) -> Int {
        var h = Hasher()
        for b in bytes { h.combine(b) }
        return h.finalize()
    }

    /// One metadata line of the scrape in progress.
    package mutating func record(_ m: MetadataView) {
        let hash = Self.hash(m.name)
        let i: Int
        if let found = byHash[hash]?.first(where: { entries[$0].name.elementsEqual(m.name) }) {
            i = found
        } else {
            i = entries.count
            entries.append(Entry(name: m.name.bytes))
            byHash[hash, default: []].append(i)
            version &+= 1
        }
        entries[i].seen = true
        switch m.kind {
        case .type:
            if entries[i].type != m.type {
                entries[i].type = m.type
                version &+= 1
            }
        case .help:
            if !entries[i].helpRaw.elementsEqual(m.text) {
                entries[i].helpRaw = m.text.bytes
                entries[i].help = m.unescapedText
                version &+= 1
            }
        case .unit:
            if !entries[i].unit.elementsEqual(m.text) {
                entries[i].unit = m.text.bytes
                version &+= 1
            }
        }
    }

    /// The end of a successful scrape: the families it did not have are dropped.
    package mutating func endScrape() {
        if entries.contains(where: { !$0.seen }) {
            entries.removeAll { !$0.seen }
            byHash = [:]
            for (i, e) in entries.enumerated() { byHash[Self.hash(e.name), default: []].append(i) }
            version &+= 1
        }
        for i in entries.indices { entries[i].seen = false }
    }

    /// The end of a failed or aborted scrape: what it saw counts for nothing.
    package mutating func abandonScrape() {
        for i in entries.indices { entries[i].seen = false }
    }

    /// Every family's metadata, by name.
    package func snapshot() -> [String: MetricMetadata] {
        var out: [String: MetricMetadata] = [:]
        out.reserveCapacity(entries.count)
        for e in entries {
            let type = e.type.map { $0 == .untyped ? "unknown" : $0.description } ?? "unknown"
            out[String(decoding: e.name, as: UTF8.self)] = MetricMetadata(type: type, help: e.help, unit: String(decoding: e.unit, as: UTF8.self))
        }
        return out
    }
}
