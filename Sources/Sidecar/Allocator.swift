import CMemory

/// The C allocator's settings for a long-running sidecar. Its resident memory should follow
/// what it holds (series, alerts), not the high-water mark of transient buffers spread over
/// the malloc arenas of its many threads: the soak benchmark (`scripts/soak-sidecar.sh`)
/// holds it to 5 % growth after warm-up.
enum Allocator {
    /// At start: large blocks always by mmap (returned to the system when freed).
    static func configureForLongRun() { ctlmon_malloc_for_long_runs() }

    /// After each housekeeping run: free pages back to the system.
    static func returnFreeMemory() { ctlmon_malloc_trim() }
}
