/// A label set, sorted by name; `__name__` is the metric name.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible {
    public struct Label: Hashable, Sendable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public static let metricName = "__name__"

    /// Sorted by name, no empty values, no duplicate names.
    public private(set) var labels: [Label]

    public init(_ pairs: [(String, String)] = []) {
        labels = pairs.filter { !$0.1.isEmpty }.map { Label($0.0, $0.1) }.sorted { $0.name < $1.name }
    }

    public init(sorted: [Label]) { labels = sorted }

    public init(_ dict: [String: String]) { self.init(dict.map { ($0.key, $0.value) }) }

    public var isEmpty: Bool { labels.isEmpty }

    public subscript(name: String) -> String {
        for l in labels where l.name == name { return l.value }
        return ""
    }

    public var name: String { self[Self.metricName] }

    /// Sets a label (an empty value removes it).
    public mutating func set(_ name: String, _ value: String) {
        if let i = labels.firstIndex(where: { $0.name == name }) {
            if value.isEmpty { labels.remove(at: i) } else { labels[i].value = value }
        } else if !value.isEmpty {
            let i = labels.firstIndex { $0.name > name } ?? labels.count
            labels.insert(Label(name, value), at: i)
        }
    }

    public func removing(_ names: [String]) -> Labels {
        Labels(sorted: labels.filter { !names.contains($0.name) })
    }

    public func keeping(_ names: [String]) -> Labels {
        Labels(sorted: labels.filter { names.contains($0.name) })
    }

    public var withoutName: Labels { removing([Self.metricName]) }

    /// All labels as one string, for dictionary keys.
    var key: String { signature(on: true, labels.map(\.name)) }

    /// A key for grouping: the values of `names` (`on`/`by`), or of all labels but `names` and `__name__`.
    func signature(on: Bool, _ names: [String]) -> String {
        var key = ""
        for l in labels where on ? names.contains(l.name) : !(names.contains(l.name) || l.name == Self.metricName) {
            key += l.name
            key.unicodeScalars.append("\u{FF}")
            key += l.value
            key.unicodeScalars.append("\u{FE}")
        }
        return key
    }

    public static func < (a: Labels, b: Labels) -> Bool {
        for (x, y) in zip(a.labels, b.labels) {
            if x.name != y.name { return x.name < y.name }
            if x.value != y.value { return x.value < y.value }
        }
        return a.labels.count < b.labels.count
    }

    /// `name{a="1", b="2"}`, as Prometheus prints series.
    public var description: String {
        let others = labels.filter { $0.name != Self.metricName }
        let inner = others.map { "\($0.name)=\(quoted($0.value))" }.joined(separator: ", ")
        let n = name
        return n.isEmpty ? "{\(inner)}" : (others.isEmpty ? n : "\(n){\(inner)}")
    }
}
