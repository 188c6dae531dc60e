/// What the previous sample line looked like: its metric name and its label names.
///
/// Lines of one family repeat the same metric name and the same label names in
/// the same order (a histogram's buckets, a counter's series), so the parser
/// checks the next line against these bytes first: a match needs one
/// comparison instead of a character-class scan, and a label-name sequence
/// already checked for duplicates need not be checked again. Fixed buffers,
/// allocated once and owned (not copyable; freed with the cache).
@safe
struct RepeatCache: ~Copyable {
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
        unsafe name = .allocate(capacity: Self.nameCapacity)
        unsafe labelBytes = .allocate(capacity: Self.labelBytesCapacity)
        unsafe labelOffsets = .allocate(capacity: Self.labelCapacity)
        unsafe labelLengths = .allocate(capacity: Self.labelCapacity)
    }

    deinit {
        unsafe name.deallocate()
        unsafe labelBytes.deallocate()
        unsafe labelOffsets.deallocate()
        unsafe labelLengths.deallocate()
    }

    /// The end of the metric name at `line[from]` if it is the remembered one.
    @inline(__always)
    func matchName(_ line: Line, _ from: Int) -> Int? {
        let k = nameCount
        guard k > 0, from &+ k < line.limit, unsafe memoryEquals(line.start + from, name, k),
            !ByteClass.isMetricChar(line[from &+ k])
        else { return nil }
        return from &+ k
    }

    /// Remembers a metric name (names too long for the buffer are not cached).
    mutating func rememberName(_ view: ByteView) {
        guard view.count <= Self.nameCapacity else { nameCount = 0; return }
        if view.count > 0 { unsafe name.update(from: view.start.unsafelyUnwrapped, count: view.count) }
        nameCount = view.count
    }

    /// Forgets the name decisions (a `# TYPE` line changes how names resolve).
    mutating func forgetName() { nameCount = 0 }

    /// The end of label name `index` at `line[i]` if it is the one the previous line had there, followed by `=`.
    @inline(__always)
    func matchLabel(_ index: Int, _ line: Line, _ i: Int) -> Int? {
        guard index < labelCount else { return nil }
        let k = Int(unsafe labelLengths[index])
        guard i &+ k < line.limit, line[i &+ k] == UInt8(ascii: "="),
            unsafe memoryEquals(line.start + i, labelBytes + Int(labelOffsets[index]), k)
        else { return nil }
        return i &+ k
    }

    /// Remembers the label names of the current line, as far as the buffers reach.
    mutating func rememberLabels(_ line: Line, _ slots: LabelSlotsView, _ count: Int) {
        var used = 0
        var k = 0
        while k < count && k < Self.labelCapacity {
            let s = slots[k]
            let len = Int(s.nameCount)
            if used + len > Self.labelBytesCapacity { break }
            let source = line.view(Int(s.nameStart), len)
            if len > 0 { unsafe (labelBytes + used).update(from: source.start.unsafelyUnwrapped, count: len) }
            unsafe labelOffsets[k] = Int32(used)
            unsafe labelLengths[k] = Int32(len)
            used += len
            k += 1
        }
        labelCount = k
    }
}
