#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value that threads share, reached only while a lock is held: the project's lock type.
///
/// A POSIX mutex rather than the standard library's `Synchronization.Mutex`: on Linux,
/// `Mutex` locks with futexes inside the (uninstrumented) runtime, so ThreadSanitizer sees
/// no synchronization and reports every value it guards as a race (measured: four threads
/// appending under one `Mutex` give the right count and a TSan report every run). The
/// suite runs the sidecar's threads under TSan (`scripts/test`), so the lock must be one TSan
/// knows: `pthread_mutex_lock` is intercepted. Not reentrant.
///
/// ```swift
/// let state = Locked(State())
/// let ready = state.withLock { $0.ready }
/// ```
@safe
package final class Locked<Value>: @unchecked Sendable {
    // Sendable: `value` is read and written only inside `withLock`, while `mutex` is held;
    // the mutex lives at a stable address allocated here and freed in deinit.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    /// `value`, behind a new lock.
    package init(_ value: Value) {
        self.value = value
        unsafe mutex = .allocate(capacity: 1)
        unsafe mutex.initialize(to: pthread_mutex_t())
        precondition(unsafe pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    }

    deinit {
        unsafe pthread_mutex_destroy(mutex)
        unsafe mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock; `body` must not take this lock again.
    ///
    /// Not for reading a value that is a function: `withLock { $0 }` on a `Locked<(() -> Void)?>`
    /// converts the stored closure through the generic `inout` and writes it back wrapped in two
    /// more reabstraction thunks, so each read makes the next call deeper (measured: 80 % of a
    /// sidecar's CPU after a few minutes, and a stack that grows without bound). Read it with
    /// ``get()``.
    package func withLock<T, E: Error>(_ body: (inout Value) throws(E) -> T) throws(E) -> T {
        unsafe pthread_mutex_lock(mutex)
        defer { unsafe pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// A copy of the value, read holding the lock; nothing is written back (the way to read a
    /// stored closure: see ``withLock(_:)``).
    package func get() -> Value {
        unsafe pthread_mutex_lock(mutex)
        defer { unsafe pthread_mutex_unlock(mutex) }
        return value
    }
}
