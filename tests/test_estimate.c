/* test_estimate.c - unit tests of the prime count estimate
 * (src/core/estimate.c): mpp_prime_count_expected, the li(x) estimate that
 * sizes the rounds of a listing, through padded_estimate below (the
 * estimate padded for the fluctuation of prime counts): against known prime
 * counts (an upper bound, and a close one), against exact counts of every
 * small range and of narrow windows at 10^12 and just below 2^64, and on
 * its edges (empty ranges, never more than the numbers in the range,
 * monotone).
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
#include <unistd.h>

#include "estimate.h"
#include "testutil.h"

#define MIB ((uint64_t)1 << 20)

/* ---- helpers ---- */

/* mpp_prime_count_expected, padded by what a window's count fluctuates
 * around li (about its square root; a constant for tiny ranges) and rounded
 * up, but never more than the numbers in [LO, HI]. The tests below hold the
 * padded value to be an upper bound of the true count, and close to it: so
 * the expected count is never far below the truth either. */
static uint64_t padded_estimate(uint64_t lo, uint64_t hi)
{
    if (lo > hi || hi < 2)
        return 0;
    double len = (double)(hi - lo) + 1, d = mpp_prime_count_expected(lo, hi);
    double est = ceil(d * 1.001 + 4 * sqrt(d) + 64);
    if (est > len)
        est = len;
    return est >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)est;
}

/* Checks that the estimate for [LO, HI] is an upper bound of the true COUNT
 * and no more than the numbers in the range; when it is not, describes the
 * failure in ERR (SIZE bytes) and returns false. Plain tests, not
 * ck_assert: this runs millions of times, and every Check assertion reports
 * its location to the parent process. */
static bool is_upper_bound(uint64_t lo, uint64_t hi, uint64_t count, const char *what, char *err,
                           size_t size)
{
    uint64_t est = padded_estimate(lo, hi);
    if (est < count)
        snprintf(err, size,
                 "%s [%" PRIu64 ", %" PRIu64 "]: estimate %" PRIu64 " < true count %" PRIu64,
                 what, lo, hi, est, count);
    else if (est > 0 && est - 1 > hi - lo)
        snprintf(err, size,
                 "%s [%" PRIu64 ", %" PRIu64 "]: estimate %" PRIu64 " > numbers in range", what,
                 lo, hi, est);
    else
        return true;
    return false;
}

static void expect_upper_bound(uint64_t lo, uint64_t hi, uint64_t count, const char *what)
{
    char err[256];
    if (!is_upper_bound(lo, hi, count, what, err, sizeof err))
        ck_abort_msg("%s", err);
}

/* The estimate for [LO, HI] must be an upper bound of the true COUNT, and
 * close to it:
 *
 *   estimate <= COUNT + COUNT / 50 + 5 sqrt(COUNT) + 128.
 *
 * The relative 2% is the "few percent" the estimate is used with (li(x) is
 * within 0.1% of pi(x) from x = 10^7 on, and far closer later). The additive
 * part is what any safe upper bound must pad by: prime counts in a window
 * fluctuate by the order of sqrt(COUNT) around li, and for tiny ranges li is
 * meaningless, so a constant is needed; 128 primes are 1 KiB of a gather
 * buffer. Counts of 10^7 and more (where "a fraction of a percent" is
 * promised) must also be within 1%. */
static void expect_estimate(uint64_t lo, uint64_t hi, uint64_t count, const char *what)
{
    expect_upper_bound(lo, hi, count, what);
    uint64_t est = padded_estimate(lo, hi);
    double bound = (double)count * 1.02 + 5 * sqrt((double)count) + 128;
    if ((double)est > bound)
        ck_abort_msg("%s [%" PRIu64 ", %" PRIu64 "]: estimate %" PRIu64 " too far above %" PRIu64,
                     what, lo, hi, est, count);
    if (count >= 10000000 && (double)est > (double)count * 1.01)
        ck_abort_msg("%s: estimate %" PRIu64 " more than 1%% above %" PRIu64, what, est, count);
}

/* The primes of [BASE, BASE + LEN - 1] as a prefix count: P[i] is the number
 * of primes in [BASE, BASE + i - 1] (P has LEN + 1 entries). */
static uint64_t *prefix_counts(uint64_t base, size_t len)
{
    size_t n;
    uint64_t *primes = ref_primes(base, base + (len - 1), &n);
    uint64_t *p = calloc(len + 1, sizeof *p);
    ck_assert_ptr_nonnull(p);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        p[i + 1] = p[i];
        if (k < n && primes[k] == base + i) {
            p[i + 1]++;
            k++;
        }
    }
    ck_assert_uint_eq(k, n);
    free(primes);
    return p;
}

/* Checks windows [BASE + O, BASE + O + W - 1] inside [BASE, BASE + LEN - 1]:
 * every width W = 1, 1 + WSTEP, ... up to MAXW, at every offset O that is a
 * multiple of OSTEP, and the one that ends the region. The estimate must be
 * an upper bound for each (closeness is not asked of narrow windows). */
static void expect_windows(uint64_t base, size_t len, size_t maxw, size_t wstep, size_t ostep,
                           const char *what)
{
    uint64_t *p = prefix_counts(base, len);
    char err[256];
    bool ok = true;
    for (size_t w = 1; ok && w <= maxw && w <= len; w += wstep) {
        for (size_t o = 0; ok && o + w <= len; o += ostep)
            ok = is_upper_bound(base + o, base + o + w - 1, p[o + w] - p[o], what, err,
                                sizeof err);
        size_t o = len - w;
        ok = ok && is_upper_bound(base + o, base + o + w - 1, p[o + w] - p[o], what, err,
                                  sizeof err);
    }
    free(p); /* before failing: no leak when Check does not fork */
    if (!ok)
        ck_abort_msg("%s", err);
}

/* ---- the prime count estimate ---- */

/* Every entry of the shared reference table. */
START_TEST(test_estimate_reference)
{
    for (size_t i = 0; i < ref_counts_len; i++)
        expect_estimate(ref_counts[i].lo, ref_counts[i].hi, ref_counts[i].count,
                        ref_counts[i].what);
}
END_TEST

/* The ones the estimate must get right, spelled out, and larger published
 * values (../shared/reference/README.md). */
START_TEST(test_estimate_edges)
{
    /* Empty ranges and ranges without any number >= 2. */
    ck_assert_uint_eq(padded_estimate(1, 0), 0);
    ck_assert_uint_eq(padded_estimate(11, 10), 0);
    ck_assert_uint_eq(padded_estimate(UINT64_MAX, 0), 0);
    ck_assert_uint_eq(padded_estimate(UINT64_MAX, UINT64_MAX - 1), 0);
    ck_assert_uint_eq(padded_estimate(0, 0), 0);
    ck_assert_uint_eq(padded_estimate(1, 1), 0);
    ck_assert_uint_eq(padded_estimate(0, 1), 0);
    /* One number: at most one prime, and one when it is prime. */
    ck_assert_uint_eq(padded_estimate(2, 2), 1);
    ck_assert_uint_eq(padded_estimate(3, 3), 1);
    ck_assert_uint_le(padded_estimate(10, 10), 1);
    ck_assert_uint_le(padded_estimate(UINT64_MAX, UINT64_MAX), 1);
    ck_assert_uint_eq(padded_estimate(18446744073709551557ULL,
                                               18446744073709551557ULL), 1);
    ck_assert_uint_le(padded_estimate(0, 2), 3);
    ck_assert_uint_ge(padded_estimate(0, 2), 1);
    ck_assert_uint_le(padded_estimate(2, 3), 2);
    ck_assert_uint_ge(padded_estimate(2, 3), 2);
    ck_assert_uint_le(padded_estimate(UINT64_MAX - 9, UINT64_MAX), 10);
    /* The whole 64-bit range. */
    ck_assert_uint_ge(padded_estimate(0, UINT64_MAX), 425656284035217743ULL);
}
END_TEST

/* For a fixed LO, the estimate does not decrease as HI grows. */
START_TEST(test_estimate_monotone)
{
    static const uint64_t los[] = {0, 2, 1000, 1000000, 1000000000000ULL,
                                   9223372036854775808ULL, UINT64_MAX - 10000000000ULL};
    for (size_t i = 0; i < sizeof los / sizeof los[0]; i++) {
        uint64_t lo = los[i], prev = 0;
        for (uint64_t w = 1; w <= UINT64_MAX / 3 && w <= UINT64_MAX - lo; w *= 3) {
            uint64_t hi = lo + w - 1, est = padded_estimate(lo, hi);
            ck_assert_msg(est >= prev,
                          "[%" PRIu64 ", %" PRIu64 "]: %" PRIu64 " < %" PRIu64
                          " for a shorter range",
                          lo, hi, est, prev);
            prev = est;
        }
        /* The range ending at 2^64 - 1. */
        ck_assert_uint_ge(padded_estimate(lo, UINT64_MAX), prev);
    }
}
END_TEST

/* Every [0, X] up to 2000 and every [LO, HI] inside [0, 400], exactly. */
START_TEST(test_estimate_small)
{
    unsigned char *table = ref_sieve(2000);
    uint64_t count = 0;
    for (uint64_t x = 0; x <= 2000; x++) {
        count += table[x];
        expect_estimate(0, x, count, "[0, x]");
    }
    for (uint64_t lo = 0; lo <= 400; lo++) {
        count = 0;
        for (uint64_t hi = lo; hi <= 400; hi++) {
            count += table[hi];
            expect_estimate(lo, hi, count, "small");
        }
    }
    free(table);
}
END_TEST

/* Narrow windows (width 1..1000) at 10^12, near 2^32 and just below 2^64:
 * the estimate is an upper bound everywhere. */
START_TEST(test_estimate_windows)
{
    expect_windows(1000000000000ULL, 3000, 1000, 1, 7, "near 10^12");
    expect_windows(UINT64_MAX - 2999, 3000, 1000, 1, 7, "near 2^64");
    expect_windows(4294967296ULL - 1500, 3000, 1000, 1, 11, "near 2^32");
}
END_TEST

/* Wider windows, up to 10^5 numbers, at 10^12, 10^19 and below 2^64: still
 * an upper bound (where li(HI + 1) - li(LO) in double precision is the
 * difference of two numbers near 4e17, whose spacing is 64). */
START_TEST(test_estimate_wide_windows)
{
    expect_windows(1000000000000ULL, 100000, 100000, 97, 1999, "10^5 at 10^12");
    expect_windows(10000000000000000000ULL, 100000, 100000, 97, 1999, "10^5 at 10^19");
    expect_windows(UINT64_MAX - 99999, 100000, 100000, 97, 1999, "10^5 below 2^64");
}
END_TEST

/* ---- available memory and resident size ---- */

/* Ranges of 10^4 to 10^6 numbers high up, counted here: where both li values
 * are near 4e17, the difference must still be an upper bound and close. */
START_TEST(test_estimate_high_ranges)
{
    static const struct {
        uint64_t lo, hi;
    } ranges[] = {
        {10000000000000000000ULL, 10000000000000009999ULL},
        {UINT64_MAX - 9999, UINT64_MAX},
        {UINT64_MAX - 999999, UINT64_MAX},
        {1000000000000000000ULL, 1000000000000009999ULL},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        size_t n;
        free(ref_primes(ranges[i].lo, ranges[i].hi, &n));
        expect_estimate(ranges[i].lo, ranges[i].hi, n, "high range");
    }
}
END_TEST

/* The tuplets' estimate against counts (primesieve 11.0 -cK; [2, 1e9] as
 * in ../shared/reference/patterns.md): within the ratios a round's planner
 * can live with (an excess only shortens rounds; a shortfall that fills a
 * buffer only cuts one), and never above the primes' estimate. */
START_TEST(test_tuplet_estimate)
{
    static const struct {
        uint64_t lo, hi, count[7];
    } known[] = {
        {2, 1000000000ULL, {0, 0, 3424506, 759256, 28388, 7221, 317}},
        {1000000000000ULL, 1000100000000ULL, {0, 0, 172900, 27284, 699, 145, 5}},
        {18446744073609551615ULL, 18446744073709551615ULL, {0, 0, 67244, 6517, 105, 17, 1}},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        for (int k = 2; k <= 6; k++) {
            double e = mpp_tuplet_count_expected(k, known[i].lo, known[i].hi);
            double c = (double)known[i].count[k];
            /* (the rare kinds fluctuate: sqrt(count) of slack) */
            REQUIRE(e >= 0.9 * c - 3 * sqrt(c) && e <= 1.6 * c + 3 * sqrt(c) + 3,
                    "kind %d of [%" PRIu64 ", %" PRIu64 "]: estimate %.1f, count %.0f", k,
                    known[i].lo, known[i].hi, e, c);
            ck_assert(e <= mpp_prime_count_expected(known[i].lo, known[i].hi));
        }
    /* tiny and empty ranges: at most the primes' estimate, zero when none */
    for (int k = 2; k <= 6; k++) {
        ck_assert(mpp_tuplet_count_expected(k, 0, 1) == 0);
        ck_assert(mpp_tuplet_count_expected(k, 5, 4) == 0);
        ck_assert(mpp_tuplet_count_expected(k, 0, 30) <= mpp_prime_count_expected(0, 30));
        ck_assert(mpp_tuplet_count_expected(k, 0, 30) > 0);
        ck_assert(mpp_tuplet_count_expected(k, UINT64_MAX, UINT64_MAX) <= 1);
    }
    /* kind 1 is the primes */
    ck_assert(mpp_tuplet_count_expected(1, 100, 1000) == mpp_prime_count_expected(100, 1000));
}
END_TEST

static Suite *estimate_suite(void)
{
    Suite *s = suite_create("estimate");
    TCase *tc = tcase_create("estimate");
    tcase_set_timeout(tc, 60); /* Miller-Rabin windows, slow under valgrind */
    tcase_add_test(tc, test_estimate_reference);
    tcase_add_test(tc, test_tuplet_estimate);
    tcase_add_test(tc, test_estimate_edges);
    tcase_add_test(tc, test_estimate_monotone);
    tcase_add_test(tc, test_estimate_small);
    tcase_add_test(tc, test_estimate_windows);
    tcase_add_test(tc, test_estimate_wide_windows);
    tcase_add_test(tc, test_estimate_high_ranges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(estimate_suite());
}
