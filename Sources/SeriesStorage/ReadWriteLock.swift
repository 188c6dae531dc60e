import PromModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A readers-writer lock (POSIX `pthread_rwlock_t`): many readers at once, or one writer.
/// Not reentrant: a thread holding it must not take it again.
///
/// Writers go first: once a writer waits, new readers wait behind it (glibc's default lets
/// a steady stream of readers — API queries back to back — keep a scrape's commit out for
/// good). That is also why a thread must never take the read lock twice: with a writer
/// waiting in between, the second read would wait for the writer, which waits for the first.
@safe
final class ReadWriteLock: @unchecked Sendable {
    // Sendable: the pthread lock is made for use from several threads; it lives at a stable
    // address allocated here and freed in deinit.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        unsafe lock = .allocate(capacity: 1)
        unsafe lock.initialize(to: pthread_rwlock_t())
        var attributes = pthread_rwlockattr_t()
        unsafe pthread_rwlockattr_init(&attributes)
        defer { unsafe pthread_rwlockattr_destroy(&attributes) }
        #if canImport(Glibc)
        unsafe pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        unsafe precondition(pthread_rwlock_init(lock, &attributes) == 0, "pthread_rwlock_init failed")
    }

    deinit {
        unsafe pthread_rwlock_destroy(lock)
        unsafe lock.deallocate()
    }

    func withReadLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        unsafe pthread_rwlock_rdlock(lock)
        defer { unsafe pthread_rwlock_unlock(lock) }
        return try body()
    }

    func withWriteLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        unsafe pthread_rwlock_wrlock(lock)
        defer { unsafe pthread_rwlock_unlock(lock) }
        return try body()
    }
}
