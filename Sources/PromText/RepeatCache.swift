/// What the previous sample line looked like: its metric name and its label names.
///
/// Lines of one family repeat the same metric name and the same label names in
/// the same order (a histogram's buckets, a counter's series), so the parser
/// checks the next line against these bytes first: a match needs one
/// comparison instead of a character-class scan, and a label-name sequence
/// already checked for duplicates need not be checked again. Fixed buffers,
/// allocated once.
struct RepeatCache {
    static let nameCapacity = 256
    static let labelBytesCapacity = 2048
    static let labelCapacity = 64

    private let name: UnsafeMutablePointer<UInt8>
    private(set) var nameCount = 0
    /// Decisions that depend only on the metric name, valid while `nameCount > 0`.
    var keep = true
    var familyCount = 0
    var type = MetricType.untyped

    private let labelBytes: UnsafeMutablePointer<UInt8>
    private let labelOffsets: UnsafeMutablePointer<Int32>
    private let labelLengths: UnsafeMutablePointer<Int32>
    private(set) var labelCount = 0

    init() {
        name = .allocate(capacity: Self.nameCapacity)
        labelBytes = .allocate(capacity: Self.labelBytesCapacity)
        labelOffsets = .allocate(capacity: Self.labelCapacity)
        labelLengths = .allocate(capacity: Self.labelCapacity)
    }

    func deallocate() {
        name.deallocate()
        labelBytes.deallocate()
        labelOffsets.deallocate()
        labelLengths.deallocate()
    }

    /// The end of the metric name at `p[from]` if it is the remembered one.
    @inline(__always)
    func matchName(_ p: UnsafePointer<UInt8>, _ from: Int, _ n: Int, _ table: UnsafePointer<UInt8>) -> Int? {
        let k = nameCount
        guard k > 0, from &+ k < n, memoryEquals(p + from, name, k),
            table[Int(p[from &+ k])] & ByteClass.metricChar == 0
        else { return nil }
        return from &+ k
    }

    /// Remembers a metric name (names too long for the buffer are not cached).
    mutating func rememberName(_ p: UnsafePointer<UInt8>, _ count: Int) {
        guard count <= Self.nameCapacity else { nameCount = 0; return }
        name.update(from: p, count: count)
        nameCount = count
    }

    /// Forgets the name decisions (a `# TYPE` line changes how names resolve).
    mutating func forgetName() { nameCount = 0 }

    /// The end of label name `index` at `p[i]` if it is the one the previous line had there, followed by `=`.
    @inline(__always)
    func matchLabel(_ index: Int, _ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int? {
        guard index < labelCount else { return nil }
        let k = Int(labelLengths[index])
        guard i &+ k < n, p[i &+ k] == UInt8(ascii: "="), memoryEquals(p + i, labelBytes + Int(labelOffsets[index]), k)
        else { return nil }
        return i &+ k
    }

    /// Remembers the label names of the current line, as far as the buffers reach.
    mutating func rememberLabels(_ p: UnsafePointer<UInt8>, _ slots: UnsafePointer<LabelSlot>, _ count: Int) {
        var used = 0
        var k = 0
        while k < count && k < Self.labelCapacity {
            let s = slots[k]
            let len = Int(s.nameCount)
            if used + len > Self.labelBytesCapacity { break }
            (labelBytes + used).update(from: p + Int(s.nameStart), count: len)
            labelOffsets[k] = Int32(used)
            labelLengths[k] = Int32(len)
            used += len
            k += 1
        }
        labelCount = k
    }
}
