import Dispatch
import Testing
import Workers

/// The project's lock type: one writer at a time, seen by ThreadSanitizer (run under TSan by
/// scripts/test).
@Suite("locked values")
struct LockedTests {
    @Test("four threads appending under the lock lose nothing")
    func noLostUpdates() {
        let values = Locked<[Int]>([])
        let group = DispatchGroup()
        for k in 0..<4 {
            DispatchQueue.global().async(group: group) {
                for i in 0..<5_000 { values.withLock { $0.append(k * 5_000 + i) } }
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        let all = values.withLock { $0 }
        #expect(all.count == 20_000 && Set(all).count == 20_000)
    }

    @Test("a stored closure read 200,000 times with get() is called as cheaply as the first time: no reabstraction thunks pile up on it (read through withLock { $0 }, each read wrapped it in two more, and the call overflowed the stack)")
    func storedClosureReadsDoNotGrow() {
        let calls = Locked(0)
        let callback = Locked<(@Sendable () -> Void)?>(nil)
        callback.withLock { $0 = { calls.withLock { $0 += 1 } } }
        for _ in 0..<200_000 { _ = callback.get() }
        callback.get()?()
        #expect(calls.get() == 1)
    }
}
