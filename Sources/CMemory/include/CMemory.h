#ifndef CMEMORY_H
#define CMEMORY_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>

// Memory hints, allocator settings, a thread name and the state of standard output, which
// Swift cannot spell (or not safely): inlined into the callers.

/// Asks the CPU to start loading the cache line at `address` for a write: the series
/// store prefetches the sample buffers of series a few samples ahead of the one it appends
/// to, so their cache misses overlap instead of following one another.
static inline void ctlmon_prefetch_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#include <malloc.h>

/// For a process that runs for weeks (`ctlmon serve`): glibc's threshold for serving a large
/// block by mmap is fixed at 128 KiB instead of rising to the largest block freed so far
/// (up to 32 MiB), so large transient buffers (query results, the series file read at start)
/// go back to the system when freed instead of fragmenting the heap.
static inline void ctlmon_malloc_for_long_runs(void) {
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

/// Returns the free pages of every malloc arena to the system (glibc's `malloc_trim`): the
/// sidecar's resident memory then follows what it holds, not the peak of its threads.
static inline void ctlmon_malloc_trim(void) {
    malloc_trim(0);
}

/// Names the calling thread (glibc's `pthread_setname_np`, a GNU extension Swift's Glibc
/// module does not import); `name` must be at most 15 bytes.
static inline void ctlmon_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

#include <errno.h>
#include <stdio.h>

/// Flushes C's buffered standard output (what `print` writes through) and reports whether
/// every byte reached it: 0, or the `errno` of the failure (`ENOSPC` for `> /dev/full`;
/// `EIO` when the error was recorded by an earlier write and its number is gone).
static inline int ctlmon_flush_standard_output(void) {
    errno = 0;
    int failed = fflush(stdout) != 0;
    if (!failed && !ferror(stdout)) return 0;
    return errno != 0 ? errno : EIO;
}

#endif
