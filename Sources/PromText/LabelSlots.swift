/// Where one label sits in the current line: offsets from the line start.
@usableFromInline
struct LabelSlot {
    @usableFromInline var nameStart: Int32
    @usableFromInline var nameCount: Int32
    @usableFromInline var valueStart: Int32
    @usableFromInline var valueCount: Int32
    /// Whether the value as written contains a backslash escape.
    @usableFromInline var escaped: Bool
}

/// The label slots of the line being parsed: reused from line to line, grown only when a
/// line has more labels than any before. Owns its memory (not copyable; freed with it).
@safe
struct LabelSlots: ~Copyable {
    private var base: UnsafeMutablePointer<LabelSlot>
    private(set) var capacity: Int

    init(capacity: Int) {
        unsafe base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit { unsafe base.deallocate() }

    /// The slot at `i` (checked: `0 <= i < capacity`).
    @inline(__always)
    subscript(i: Int) -> LabelSlot {
        precondition(UInt(bitPattern: i) < UInt(capacity), "label slot out of range")
        return unsafe base[i]
    }

    /// Writes slot `i`, growing first when `i` is past the capacity: the one check the
    /// write needs is the one growth needs anyway.
    @inline(__always)
    mutating func set(_ i: Int, _ slot: LabelSlot) {
        if UInt(bitPattern: i) >= UInt(capacity) {
            precondition(i >= 0, "label slot out of range")
            grow(to: i + 1)
        }
        unsafe base[i] = slot
    }

    /// Of the first `count` slots, how many end (closing quote included) before byte `end`,
    /// and the offset just after the last of them: the labels a line shares with the
    /// previous one when their first `end` bytes agree. One bounds check for the run.
    @inline(__always)
    func labelsBefore(_ end: Int, of count: Int) -> (count: Int, after: Int) {
        precondition(count >= 0 && count <= capacity, "label slot out of range")
        var k = 0
        var after = 0
        while k < count {
            let s = unsafe base[k]
            let closingQuote = Int(s.valueStart &+ s.valueCount)
            if closingQuote >= end { break }
            after = closingQuote &+ 1
            k &+= 1
        }
        return (k, after)
    }

    /// Makes room for at least `needed` slots (the first `capacity` keep their values).
    mutating func grow(to needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let new = UnsafeMutablePointer<LabelSlot>.allocate(capacity: newCapacity)
        unsafe new.moveInitialize(from: base, count: capacity)
        unsafe base.deallocate()
        unsafe base = new
        capacity = newCapacity
    }

    /// The slots as a view lent to a ``SampleView``: valid until the next line is parsed.
    var view: LabelSlotsView { unsafe LabelSlotsView(base: UnsafePointer(base), count: capacity, capacity: capacity) }
}

/// A read-only view of some of the current line's label slots (a sample's, or its
/// exemplar's), valid during the consumer's callback: the parser writes the slots again
/// for the next line. Reads are checked against the view's own count.
@safe
@usableFromInline
struct LabelSlotsView {
    @usableFromInline let base: UnsafePointer<LabelSlot>
    /// Slots in the view.
    @usableFromInline let count: Int
    /// Slots readable from `base` (the view may be followed by others, an exemplar's).
    @usableFromInline let capacity: Int

    @unsafe @usableFromInline
    init(base: UnsafePointer<LabelSlot>, count: Int, capacity: Int) {
        unsafe self.base = base
        self.count = count
        self.capacity = capacity
    }

    @inlinable
    subscript(i: Int) -> LabelSlot {
        precondition(UInt(bitPattern: i) < UInt(count), "label index out of range")
        return unsafe base[i]
    }

    /// The first `n` slots.
    @inlinable
    func prefix(_ n: Int) -> LabelSlotsView {
        precondition(n >= 0 && n <= capacity, "label slot out of range")
        return unsafe LabelSlotsView(base: base, count: n, capacity: capacity)
    }

    /// The `n` slots that follow this view (an exemplar's labels follow the sample's).
    @inlinable
    func following(_ n: Int) -> LabelSlotsView {
        precondition(n >= 0 && count + n <= capacity, "label slot out of range")
        return unsafe LabelSlotsView(base: base + count, count: n, capacity: capacity - count)
    }
}
