/* memory.h - memory facts: how many primes a range will hold (to size the
 * rounds of a listing), how much memory this process can get, and its peak
 * resident size. */
#ifndef MPP_MEMORY_H
#define MPP_MEMORY_H

#include <stdint.h>

/* The expected number of primes in [LO, HI]: li(HI + 1) - li(LO), within a
 * fraction of a percent for large ranges (0 when the range holds no number
 * >= 2). Not a bound: a window's count fluctuates around it by the order of
 * its square root. Used to size the rounds of a listing, where an excess is
 * handled. */
double mpp_prime_count_expected(uint64_t lo, uint64_t hi);

/* The logarithmic integral li(x) (x below 2 is taken as 2). */
double mpp_li(double x);

/* Bytes this process can still allocate: the least of MemAvailable
 * (/proc/meminfo), the cgroup limit minus usage, and RLIMIT_AS / RLIMIT_DATA.
 * UINT64_MAX when nothing is known. */
uint64_t mpp_available_memory(void);

/* Peak resident set size of this process in KiB (getrusage). */
long mpp_max_rss_kib(void);

#endif
