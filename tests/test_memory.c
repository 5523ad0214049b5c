/* test_memory.c - unit tests of the process figures (src/sys/memory.c):
 * mpp_available_memory against /proc/meminfo and under a lowered RLIMIT_AS /
 * RLIMIT_DATA; mpp_max_rss_kib against /proc/self/status and after touching
 * 64 MiB; mpp_thread_cpu_s against getrusage over a busy loop, and not
 * counting time asleep.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "memory.h"
#include "testutil.h"

#define MIB ((uint64_t)1 << 20)

/* ---- helpers ---- */

/* The value of "KEY: N kB" in FILE (/proc/meminfo, /proc/self/status), in
 * KiB; fails when absent. */
static uint64_t proc_kib(const char *file, const char *key)
{
    FILE *f = fopen(file, "r");
    ck_assert_msg(f != NULL, "cannot open %s", file);
    char line[256];
    size_t klen = strlen(key);
    uint64_t v = 0;
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':')
            found = sscanf(line + klen + 1, "%" SCNu64, &v) == 1;
    fclose(f);
    ck_assert_msg(found, "no %s in %s", key, file);
    return v;
}

/* Field FIELD of /proc/self/statm, in bytes. */
static uint64_t statm_bytes(int field)
{
    FILE *f = fopen("/proc/self/statm", "r");
    ck_assert_ptr_nonnull(f);
    unsigned long long v[7];
    ck_assert_int_eq(fscanf(f, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                            &v[3], &v[4], &v[5], &v[6]),
                     7);
    fclose(f);
    return (uint64_t)v[field] * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* mpp_available_memory() with RESOURCE's soft limit set to what is in use
 * now (statm field FIELD) + 256 MiB; the limit is restored before returning. */
static uint64_t available_under_limit(int resource, int field)
{
    struct rlimit saved, lowered;
    ck_assert_int_eq(getrlimit(resource, &saved), 0);
    lowered = saved;
    lowered.rlim_cur = (rlim_t)(statm_bytes(field) + 256 * MIB);
    if (saved.rlim_cur != RLIM_INFINITY && lowered.rlim_cur > saved.rlim_cur)
        lowered.rlim_cur = saved.rlim_cur;
    ck_assert_msg(setrlimit(resource, &lowered) == 0, "setrlimit: %s", strerror(errno));
    uint64_t avail = mpp_available_memory();
    ck_assert_int_eq(setrlimit(resource, &saved), 0);
    return avail;
}

/* ---- the prime count estimate ---- */

/* ---- available memory and resident size ---- */

START_TEST(test_available_meminfo)
{
    uint64_t total = proc_kib("/proc/meminfo", "MemTotal") * 1024;
    uint64_t avail = mpp_available_memory();
    ck_assert_uint_gt(avail, 0);
    ck_assert_msg(avail <= total, "available %" PRIu64 " > MemTotal %" PRIu64, avail, total);
}
END_TEST

/* Under RLIMIT_AS = use + 256 MiB, at most 256 MiB (and a little) are left;
 * and, with plenty of memory around, not much less. */
START_TEST(test_available_rlimit_as)
{
    uint64_t avail = available_under_limit(RLIMIT_AS, 0);
    ck_assert_msg(avail <= 256 * MIB + 16 * MIB, "available %" PRIu64 " MiB under RLIMIT_AS",
                  avail / MIB);
    if (proc_kib("/proc/meminfo", "MemAvailable") * 1024 >= 1024 * MIB)
        ck_assert_msg(avail >= 128 * MIB, "available %" PRIu64 " MiB under RLIMIT_AS",
                      avail / MIB);
}
END_TEST

START_TEST(test_available_rlimit_data)
{
    uint64_t avail = available_under_limit(RLIMIT_DATA, 5);
    ck_assert_msg(avail <= 256 * MIB + 16 * MIB,
                  "available %" PRIu64 " MiB under RLIMIT_DATA", avail / MIB);
}
END_TEST

/* Keeps the touched buffer observable, so the compiler cannot drop it. */
static void *volatile escape;

START_TEST(test_max_rss)
{
    long before = mpp_max_rss_kib();
    ck_assert_int_gt(before, 0);
    /* At least the current resident size (peak >= current). */
    uint64_t rss = proc_kib("/proc/self/status", "VmRSS");
    ck_assert_msg((uint64_t)mpp_max_rss_kib() + 1024 >= rss, "max rss %ld < VmRSS %" PRIu64,
                  mpp_max_rss_kib(), rss);

    size_t size = 64 * MIB;
    char *buf = malloc(size);
    ck_assert_ptr_nonnull(buf);
    memset(buf, 0x5a, size);
    escape = buf;
    long after = mpp_max_rss_kib();
    ck_assert_msg(after - before >= 60000, "max rss %ld KiB -> %ld KiB after touching 64 MiB",
                  before, after);
    ck_assert_int_eq(((volatile char *)escape)[size - 1], 0x5a);
    free(buf);
    escape = NULL;
    /* A peak does not go down. */
    ck_assert_int_ge(mpp_max_rss_kib(), after);
}
END_TEST

/* The thread's CPU time grows by about the time a busy loop spins (checked
 * against getrusage's user + system time of the process, which has one
 * thread), and not while it sleeps. */
START_TEST(test_thread_cpu)
{
    struct rusage ru0, ru1;
    double c0 = mpp_thread_cpu_s();
    ck_assert(c0 >= 0);
    getrusage(RUSAGE_SELF, &ru0);
    volatile uint64_t x = 0;
    while (mpp_thread_cpu_s() - c0 < 0.2)
        x += 1;
    ck_assert(x > 0);
    double c1 = mpp_thread_cpu_s();
    getrusage(RUSAGE_SELF, &ru1);
    double r = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
               (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) * 1e-6 +
               (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
               (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) * 1e-6;
    ck_assert_msg(c1 - c0 >= 0.2 && fabs((c1 - c0) - r) < 0.1,
                  "thread CPU %.3f s, process CPU %.3f s", c1 - c0, r);
    struct timespec pause = {0, 200000000};
    nanosleep(&pause, NULL);
    ck_assert_msg(mpp_thread_cpu_s() - c1 < 0.05, "CPU time grew by %.3f s asleep",
                  mpp_thread_cpu_s() - c1);
}
END_TEST

/* Whether THP can be advised on this system ("[always]" or "[madvise]"). */
static bool thp_available(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return false;
    char line[128] = {0};
    bool ok = fgets(line, sizeof line, f) && !strstr(line, "[never]");
    fclose(f);
    return ok;
}

/* The THPeligible field of the mapping of /proc/self/smaps that holds P:
 * 1 when the kernel may back it with huge pages, 0 when not, -1 unknown. */
static int thp_eligible(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    bool inside = false;
    int v = -1;
    uintptr_t a = (uintptr_t)p;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = a >= lo && a < hi;
        else if (inside && sscanf(line, "THPeligible: %d", &v) == 1)
            break;
    }
    fclose(f);
    return v;
}

/* mpp_buffer_alloc: small buffers as malloc's; from 2 MiB up aligned to
 * 2 MiB, writable to the last byte, and (where THP can be advised) in a
 * mapping the kernel may back with huge pages. */
START_TEST(test_buffer_alloc)
{
    const size_t sizes[] = {0, 1, 4096, ((size_t)2 << 20) - 1, (size_t)2 << 20,
                            ((size_t)64 << 20) + 7};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *p = mpp_buffer_alloc(sizes[i]);
        ck_assert_ptr_nonnull(p);
        if (sizes[i]) {
            memset(p, 0x5a, sizes[i]);
            ck_assert(p[sizes[i] - 1] == 0x5a);
        }
        if (sizes[i] >= ((size_t)2 << 20)) {
            ck_assert_uint_eq((uintptr_t)p % ((uintptr_t)2 << 20), 0);
            if (thp_available()) {
                int e = thp_eligible(p);
                ck_assert_msg(e == 1 || e == -1, "THPeligible %d for %zu bytes", e, sizes[i]);
            }
        }
        free(p);
    }
}
END_TEST

static Suite *memory_suite(void)
{
    Suite *s = suite_create("memory");
    TCase *tc = tcase_create("process");
    tcase_add_test(tc, test_available_meminfo);
    tcase_add_test(tc, test_available_rlimit_as);
    tcase_add_test(tc, test_available_rlimit_data);
    tcase_add_test(tc, test_max_rss);
    tcase_add_test(tc, test_thread_cpu);
    tcase_add_test(tc, test_buffer_alloc);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(memory_suite());
}
