/* memory.c - memory and CPU figures of this process (Linux): how much it can
 * still allocate, its peak resident size, its thread's CPU time; large
 * buffers on huge pages. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* The value of "KEY: N kB" in /proc/meminfo, in bytes, or UINT64_MAX. */
static uint64_t meminfo(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return UINT64_MAX;
    char line[256];
    uint64_t bytes = UINT64_MAX;
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        unsigned long long kb;
        if (strncmp(line, key, klen) == 0 && line[klen] == ':' &&
            sscanf(line + klen + 1, "%llu", &kb) == 1) {
            bytes = (uint64_t)kb * 1024;
            break;
        }
    }
    fclose(f);
    return bytes;
}

/* A number read from a one-line file ("max" or unreadable: UINT64_MAX). */
static uint64_t read_number(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return UINT64_MAX;
    unsigned long long v;
    int ok = fscanf(f, "%llu", &v) == 1;
    fclose(f);
    return ok ? (uint64_t)v : UINT64_MAX;
}

/* Room left under this process's cgroup (v2) memory limit. */
static uint64_t cgroup_room(void)
{
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (!f)
        return UINT64_MAX;
    char line[512], path[600];
    uint64_t room = UINT64_MAX;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "0::", 3) != 0)
            continue;
        line[strcspn(line, "\n")] = '\0';
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", line + 3);
        uint64_t max = read_number(path);
        snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.current", line + 3);
        uint64_t cur = read_number(path);
        if (max != UINT64_MAX && cur != UINT64_MAX)
            room = max > cur ? max - cur : 0;
    }
    fclose(f);
    return room;
}

/* Room left under a resource limit, given what is used of it now. */
static uint64_t rlimit_room(int resource, uint64_t used)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return UINT64_MAX;
    return (uint64_t)rl.rlim_cur > used ? (uint64_t)rl.rlim_cur - used : 0;
}

/* Field FIELD (0: total size, 5: data + stack) of /proc/self/statm, in bytes. */
static uint64_t statm_bytes(int field)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long v[7] = {0};
    if (f) {
        if (fscanf(f, "%llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5]) != 6)
            v[field] = 0;
        fclose(f);
    }
    return (uint64_t)v[field] * (uint64_t)sysconf(_SC_PAGESIZE);
}

uint64_t mpp_available_memory(void)
{
    uint64_t room = meminfo("MemAvailable");
    uint64_t limits[] = {cgroup_room(), rlimit_room(RLIMIT_AS, statm_bytes(0)),
                         rlimit_room(RLIMIT_DATA, statm_bytes(5))};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        if (limits[i] < room)
            room = limits[i];
    return room;
}

long mpp_max_rss_kib(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss; /* KiB on Linux */
}

double mpp_thread_cpu_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define HUGE_PAGE ((size_t)2 << 20)

void *mpp_buffer_alloc(size_t bytes)
{
    if (bytes < HUGE_PAGE || bytes > SIZE_MAX - HUGE_PAGE)
        return malloc(bytes ? bytes : 1);
    size_t whole = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *p = aligned_alloc(HUGE_PAGE, whole);
#ifdef MADV_HUGEPAGE
    if (p)
        (void)madvise(p, whole, MADV_HUGEPAGE); /* refused: small pages serve */
#endif
    return p;
}
