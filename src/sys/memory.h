/* memory.h - memory and CPU figures of this process: how much memory it can
 * get, its peak resident size, and the CPU time of the calling thread.
 * Linux (/proc, getrusage); no MPI. */
#ifndef MPP_MEMORY_H
#define MPP_MEMORY_H

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

#endif
