import MallocInterposerSwift

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts heap allocations through ordo-one's malloc interposer.
///
/// The interposer only sees allocations when its library is preloaded, so the
/// bench re-executes itself once with `LD_PRELOAD` pointing at the library
/// built beside it.
enum AllocationCounter {
    static let marker = "CTLMON_BENCH_PRELOADED"

    static func ensurePreloaded() {
        #if os(Linux)
        guard unsafe getenv(marker) == nil else { return }
        var exe = [CChar](repeating: 0, count: 4096)
        let n = unsafe readlink("/proc/self/exe", &exe, exe.count - 1)
        guard n > 0 else { return }
        let exePath = String(decoding: exe[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let dir = exePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let lib = dir + "/libMallocInterposerSwift.so"
        guard unsafe access(lib, R_OK) == 0 else { return }
        let existing = unsafe getenv("LD_PRELOAD").map { unsafe String(cString: $0) }
        unsafe setenv("LD_PRELOAD", existing.map { lib + ":" + $0 } ?? lib, 1)
        unsafe setenv(marker, "1", 1)
        let args = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = unsafe args.map { unsafe strdup($0) }
        unsafe argv.append(nil)
        unsafe execv(exePath, argv)
        // execv returned: carry on without counting.
        #endif
    }

    /// Whether counting works in this process (an allocation is seen).
    static let isAvailable: Bool = {
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.hook()
        // swift_slowAlloc is opaque to the optimiser, unlike a malloc/free pair.
        let p = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        unsafe p.storeBytes(of: getpid(), as: Int32.self)
        unsafe p.deallocate()
        MallocInterposerSwift.unhook()
        return MallocInterposerSwift.getStatistics().mallocCount > 0
    }()

    /// Allocations made while running `body`, or nil when counting is unavailable.
    static func count(_ body: () throws -> Void) rethrows -> Int? {
        guard isAvailable else {
            try body()
            return nil
        }
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.hook()
        try body()
        MallocInterposerSwift.unhook()
        return MallocInterposerSwift.getStatistics().mallocCount
    }
}
