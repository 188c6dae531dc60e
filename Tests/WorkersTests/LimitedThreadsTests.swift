import Foundation
import Testing
import Workers

/// The query threads: a cap on jobs at once, arrival order, and the deadline of a job that
/// waits — proved with jobs the test holds and releases, never with timing.
@Suite("limited threads")
struct LimitedThreadsTests {
    @Test("never more than the limit at once; the others wait and run in arrival order as slots free")
    func capAndOrder() async {
        let pool = LimitedThreads(limit: 2)
        let gate = DispatchSemaphore(value: 0)
        let log = Locked((running: 0, most: 0, order: [Int]()))
        let far = ContinuousClock.now + .seconds(600)
        await withTaskGroup(of: Int?.self) { group in
            for k in 0..<6 {
                group.addTask {
                    await pool.run(deadline: far) {
                        log.withLock { $0.running += 1; $0.most = max($0.most, $0.running); $0.order.append(k) }
                        gate.wait()
                        log.withLock { $0.running -= 1 }
                        return k
                    }
                }
                // Each job queued before the next is submitted: arrival order is k.
                while pool.counts.running + pool.counts.waiting < k + 1 { await Task.yield() }
            }
            #expect(pool.counts == (2, 4))
            // Both running jobs inside their bodies before any is released.
            while log.withLock({ $0.running }) < 2 { await Task.yield() }
            // One released at a time: the freed slot goes to the longest-waiting job.
            for started in 3...6 {
                gate.signal()
                while log.withLock({ $0.order.count }) < started { await Task.yield() }
            }
            gate.signal()
            gate.signal()
            var results: [Int] = []
            for await r in group { if let r { results.append(r) } }
            #expect(results.sorted() == Array(0..<6))
        }
        let l = log.withLock { $0 }
        #expect(l.most == 2)
        #expect(Array(l.order.prefix(2)).sorted() == [0, 1] && Array(l.order.dropFirst(2)) == [2, 3, 4, 5])
        // The last thread gives its slot back just after answering.
        let deadline = ContinuousClock.now + .seconds(60)
        while pool.counts != (0, 0), ContinuousClock.now < deadline { await Task.yield() }
        #expect(pool.counts == (0, 0))
    }

    @Test("a job still waiting at its deadline is answered nil at the deadline, without a thread; the slot's holder is unaffected")
    func waitingJobExpires() async {
        let pool = LimitedThreads(limit: 1)
        let hold = DispatchSemaphore(value: 0)
        async let first = pool.run(deadline: .now + .seconds(600)) { () -> Int in
            hold.wait()
            return 1
        }
        while pool.counts.running < 1 { await Task.yield() }
        // Already past its deadline while it waits: answered by the timer, though the slot is held.
        let second = await pool.run(deadline: .now) { 2 }
        #expect(second == nil)
        #expect(pool.counts == (1, 0))
        hold.signal()
        #expect(await first == 1)
    }
}
