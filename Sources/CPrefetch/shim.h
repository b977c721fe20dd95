#ifndef CPREFETCH_SHIM_H
#define CPREFETCH_SHIM_H

/* A hint that `address` will be written soon: the caller reports' bit sets are megabytes written
   at random, and asking for an entry's cache line a few entries ahead overlaps the misses.
   Swift has no spelling for the builtin; inlined into the Swift loop like any static inline. */
static inline void callvault_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}
#endif
