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
