import Dispatch
import Synchronization

/// Inflates gzip on a helper thread while the calling thread parses the piece before.
///
/// zlib's inflate is slower than the parser, so run one after the other they
/// add up; overlapped on two cores the parse hides behind the inflate. Each
/// ``run(_:source:_:)`` hands one compressed chunk to the helper and returns
/// only when all of it is inflated and handed to `body`, so the chunk's memory
/// is never used after the call. Pieces go through four 64 KiB slots, in turn.
@safe
final class InflatePipeline: @unchecked Sendable {
    // Thread safety: during a run the helper owns `inflater`, `failure` and the slot it
    // acquired (free.wait … filled.signal); the caller owns a slot between filled.wait and
    // free.signal. The semaphores order every hand-over; outside a run only the caller
    // touches anything.
    private let inflater: GzipInflater
    private static let slotCount = 4
    private let slots: UnsafeMutableRawBufferPointer
    private let lengths: UnsafeMutablePointer<Int>
    private let free = DispatchSemaphore(value: InflatePipeline.slotCount)
    private let filled = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "ctlmon.promtext.inflate")
    private let cancelled = Atomic<Bool>(false)
    private var failure: ParseError?

    init(_ inflater: GzipInflater) {
        self.inflater = inflater
        unsafe slots = .allocate(byteCount: Self.slotCount * GzipInflater.pieceSize, alignment: 64)
        unsafe lengths = .allocate(capacity: Self.slotCount)
        unsafe lengths.initialize(repeating: 0, count: Self.slotCount)
    }

    deinit {
        unsafe slots.deallocate()
        unsafe lengths.deallocate()
    }

    private func slot(_ k: Int) -> UnsafeMutableRawBufferPointer {
        unsafe UnsafeMutableRawBufferPointer(rebasing: slots[(k * GzipInflater.pieceSize)..<((k + 1) * GzipInflater.pieceSize)])
    }

    /// Inflates `chunk` on the helper thread, calling `body` on this thread with each piece in order.
    func run(
        _ chunk: UnsafeRawBufferPointer, source: String, _ body: (UnsafeRawBufferPointer) throws(ParseError) -> Void
    ) throws(ParseError) {
        failure = nil
        cancelled.store(false, ordering: .relaxed)
        unsafe inflater.setInput(chunk)
        queue.async { self.work(source: source) }
        var k = 0
        var bodyError: ParseError? = nil
        while true {
            filled.wait()
            let n = unsafe lengths[k]
            if n < 0 { break }  // the helper is done with this chunk
            if bodyError == nil {
                do throws(ParseError) {
                    unsafe try body(UnsafeRawBufferPointer(rebasing: slot(k)[0..<n]))
                } catch {
                    bodyError = error
                    cancelled.store(true, ordering: .relaxed)  // no need to inflate the rest
                }
            }
            free.signal()
            k = (k + 1) % Self.slotCount
        }
        free.signal()  // the end marker's slot
        if let bodyError { throw bodyError }
        if let failure { throw failure }
    }

    private func work(source: String) {
        var k = 0
        while true {
            free.wait()
            if cancelled.load(ordering: .relaxed) { break }
            let n: Int
            do throws(ParseError) {
                n = unsafe try inflater.inflate(into: slot(k), source: source)
            } catch {
                failure = error
                break
            }
            if n == 0 { break }
            unsafe lengths[k] = n
            filled.signal()
            k = (k + 1) % Self.slotCount
            if n < GzipInflater.pieceSize && inflater.pendingInput == 0 {
                free.wait()
                break
            }
        }
        unsafe lengths[k] = -1  // in the slot acquired last
        filled.signal()
    }
}
