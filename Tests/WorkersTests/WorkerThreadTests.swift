import Foundation
import Testing
import Workers

/// The one thread lifecycle: start, wake, stop, abort hooks — with no polling anywhere.
@Suite("worker threads")
struct WorkerThreadTests {
    /// Runs `body` on another thread and waits for it to return, at most `seconds`: a stop
    /// that hangs fails the test instead of hanging the suite.
    static func returns(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread { body(); done.signal() }.start()
        return done.wait(timeout: .now() + seconds) == .success
    }

    @Test("stop wakes an hour-long pause at once and returns only after the body has returned")
    func stopWakesPause() {
        let worker = WorkerThread(name: "test")
        let state = Locked((entered: false, returned: false, pauses: 0))
        let entered = DispatchSemaphore(value: 0)
        worker.start {
            state.withLock { $0.entered = true }
            entered.signal()
            while worker.pause(3600) { state.withLock { $0.pauses += 1 } }
            state.withLock { $0.returned = true }
        }
        entered.wait()
        #expect(Self.returns(within: 60) { worker.stop() }, "stop did not return")
        let s = state.withLock { $0 }
        #expect(s.entered && s.returned && s.pauses == 0)
        #expect(worker.isStopping)
        // A second stop, and a join, return at once.
        #expect(Self.returns(within: 60) {
            worker.stop()
            worker.join()
        })
    }

    @Test("wake ends a pause early without stopping; wake-ups do not pile up")
    func wakeEndsPause() {
        let worker = WorkerThread(name: "test")
        let rounds = Locked(0)
        let woke = DispatchSemaphore(value: 0)
        // Three wake-ups before the thread even starts are one: its first pause ends at once,
        // its second waits.
        for _ in 0..<3 { worker.wake() }
        worker.start {
            while worker.pause(3600) {
                rounds.withLock { $0 += 1 }
                woke.signal()
            }
        }
        #expect(woke.wait(timeout: .now() + 60) == .success)
        #expect(woke.wait(timeout: .now() + 0.2) == .timedOut)
        #expect(rounds.withLock { $0 } == 1)
        worker.wake()
        #expect(woke.wait(timeout: .now() + 60) == .success)
        #expect(Self.returns(within: 60) { worker.stop() })
        #expect(rounds.withLock { $0 } == 2)
    }

    @Test("requestStop runs the abort hooks (a transfer in flight), and a hook added after the stop runs at once")
    func stopHooks() {
        let worker = WorkerThread(name: "test")
        let aborted = Locked(0)
        let blocked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        worker.onStop {
            aborted.withLock { $0 += 1 }
            release.signal()
        }
        worker.start {
            // Blocked in something other than pause, as a scrape blocks in libcurl.
            blocked.signal()
            release.wait()
        }
        blocked.wait()
        #expect(Self.returns(within: 60) { worker.stop() })
        #expect(aborted.withLock { $0 } == 1)
        worker.onStop { aborted.withLock { $0 += 1 } }
        #expect(aborted.withLock { $0 } == 2)
    }

    @Test("a worker never started: stop and join return at once; join with a deadline says whether the body returned")
    func neverStartedAndDeadlines() {
        let idle = WorkerThread(name: "idle")
        #expect(Self.returns(within: 60) { idle.stop() })
        let busy = WorkerThread(name: "busy")
        let release = DispatchSemaphore(value: 0)
        busy.start { release.wait() }
        #expect(!busy.join(until: .now + .milliseconds(50)))
        release.signal()
        #expect(busy.join(until: .now + .seconds(60)))
    }
}

/// Where periodic loops run within their interval.
@Suite("jitter")
struct JitterTests {
    @Test("FNV-1a as Go's hash/fnv New64a computes it")
    func fnv() {
        // Values from Go: fnv.New64a() over "", "a", "foobar".
        #expect(Jitter.fnv1a("") == 0xCBF2_9CE4_8422_2325)
        #expect(Jitter.fnv1a("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(Jitter.fnv1a("foobar") == 0x8594_4171_F739_67E8)
    }

    @Test("offsets lie within the interval, and differ between keys")
    func offsets() {
        let offsets = (0..<50).map { Jitter.offset(of: "job|http://10.0.0.\($0):443/metrics", within: 15_000) }
        #expect(offsets.allSatisfy { (0..<15_000).contains($0) })
        #expect(Set(offsets).count > 40)
        #expect(Jitter.offset(of: "x", within: 0) == 0)
    }
}
