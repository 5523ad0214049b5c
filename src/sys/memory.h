/* memory.h - memory and CPU figures of this process: how much memory it can
 * get, its peak resident size, and the CPU time of the calling thread; and
 * the allocation of a large buffer.
 * Linux (/proc, getrusage); no MPI. */
#ifndef MPP_MEMORY_H
#define MPP_MEMORY_H

#include <stddef.h>
#include <stdint.h>

/* Bytes this process can still allocate: the least of MemAvailable
 * (/proc/meminfo), the cgroup limit minus usage, and RLIMIT_AS / RLIMIT_DATA.
 * UINT64_MAX when nothing is known. */
uint64_t mpp_available_memory(void);

/* Peak resident set size of this process in KiB (getrusage). */
long mpp_max_rss_kib(void);

/* CPU time of the calling thread in seconds (CLOCK_THREAD_CPUTIME_ID): its
 * own work, also when processes share a core. */
double mpp_thread_cpu_s(void);

/* A buffer of BYTES that is written through once per round (a listing's):
 * from 2 MiB up, aligned to 2 MiB and advised to huge pages (madvise
 * MADV_HUGEPAGE, a hint), so that its first writes take one page fault per
 * 2 MiB instead of one per 4 KiB (in a virtual machine a fault costs
 * microseconds: 64 MiB of small pages took 0.1-0.2 s). Freed with free().
 * NULL when there is no memory. */
void *mpp_buffer_alloc(size_t bytes);

#endif
