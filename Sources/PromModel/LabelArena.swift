/// Where encoded label sets live: chunks of raw memory, filled front to back and never
/// moved, so a ``Labels`` value (a chunk and an offset) stays valid for as long as it
/// holds its chunk, whatever is appended after it.
///
/// An arena has one writer at a time (the store under its write lock, an evaluation, a
/// loader); readers only ever read label sets that were complete before they got them.
/// Many label sets share a chunk: a store of 40,000 series makes a few dozen allocations
/// for all its labels, and an evaluation one or two for all the label sets it computes.
package final class LabelArena {
    /// The chunk being filled, and how far.
    private var current: LabelChunk?
    private var used = 0
    private let chunkSize: Int
    /// Bytes of all chunks this arena allocated (they are freed when no label set needs them).
    package private(set) var allocatedBytes = 0

    /// An arena that allocates chunks of `chunkSize` bytes (64 KiB by default); a label set
    /// larger than a quarter of that gets a chunk of its own.
    package init(chunkSize: Int = 64 << 10) {
        self.chunkSize = chunkSize
    }

    /// Room for `size` bytes, 8-byte aligned: the chunk and offset to write them at.
    package func reserve(_ size: Int) -> (LabelChunk, Int) {
        let aligned = (used + 7) & ~7
        if let current, aligned + size <= current.capacity {
            used = aligned + size
            return (current, aligned)
        }
        // A label set larger than a quarter chunk gets a chunk of its own.
        if size > chunkSize / 4 {
            let chunk = LabelChunk(capacity: size)
            allocatedBytes += size
            return (chunk, 0)
        }
        let chunk = LabelChunk(capacity: chunkSize)
        allocatedBytes += chunkSize
        current = chunk
        used = size
        return (chunk, 0)
    }
}

/// A block of encoded label sets. Immutable where it is read: bytes are written once,
/// before the label set that owns them is handed out, and never again.
@safe
public final class LabelChunk: @unchecked Sendable {
    // Sendable: the bytes a reader can see are written before the Labels value that
    // points at them exists, and never changed after; the chunk is freed by ARC when the
    // last Labels referring to it is gone.
    /// Start of the chunk's bytes, 8-byte aligned (8 bytes are allocated even for capacity 0).
    @usableFromInline let base: UnsafeMutableRawPointer
    /// Bytes available from ``base``.
    package let capacity: Int

    /// Allocates `capacity` bytes, uninitialized; they are freed when the last ``Labels``
    /// referring to the chunk is gone.
    package init(capacity: Int) {
        self.capacity = capacity
        unsafe base = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 8), alignment: 8)
    }

    deinit { unsafe base.deallocate() }
}
