#ifndef CMEMORY_H
#define CMEMORY_H

// Memory hints Swift cannot spell: inlined into the callers.

/// Asks the CPU to start loading the cache line at `address` for a write: the series
/// store prefetches the sample buffers of series a few samples ahead of the one it appends
/// to, so their cache misses overlap instead of following one another.
static inline void ctlmon_prefetch_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
