import CMemory
import Glibc

/// A POSIX thread running one closure, detached: what Foundation's `Thread` does for
/// ctlmon, without Foundation. The thread's name (at most 15 bytes, the kernel's limit) shows
/// in `top -H`, `ps -L` and debuggers.
package enum DetachedThread {
    /// Starts `body` on a new thread named `name`, with a stack of `stackSize` bytes (0: the
    /// system's default). Crashes only when the system cannot create a thread at all, which
    /// leaves nothing sensible to do.
    package static func start(name: String, stackSize: Int = 0, _ body: @escaping @Sendable () -> Void) {
        let box = unsafe Unmanaged.passRetained(Box(name: name, body: body))
        var attributes = pthread_attr_t()
        unsafe pthread_attr_init(&attributes)
        defer { unsafe pthread_attr_destroy(&attributes) }
        unsafe pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if stackSize > 0 { unsafe pthread_attr_setstacksize(&attributes, stackSize) }
        var thread = pthread_t()
        let result = unsafe pthread_create(&thread, &attributes, { raw in
            let box = unsafe Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            unsafe ctlmon_set_thread_name(String(decoding: box.name.utf8.prefix(15), as: UTF8.self))
            box.body()
            return nil
        }, box.toOpaque())
        guard result == 0 else {
            unsafe box.release()
            fatalError("cannot start thread \(name): \(unsafe String(cString: strerror(result)))")
        }
    }

    private final class Box {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
