/* test_selftest.c - unit tests of --self-test's pure half
 * (src/core/selftest.c): its Miller-Rabin against a plain sieve and against
 * the segmented sieve near 2^32 and 2^64, with the strong pseudoprimes that
 * fool fewer bases; the tuplet counter against the published counts in
 * [0, 10^k], with the range cut among random counters as the ranks cut it,
 * and against a brute-force count over random windows; the random ranges'
 * plan; and the published table's own consistency.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "finder.h"
#include "selftest.h"
#include "testutil.h"

static uint64_t rng = 0x5eed5e1f7e57ULL;

/* Miller-Rabin and the segmented sieve agree on every number of [LO, HI]. */
static void mr_against_sieve(uint64_t lo, uint64_t hi)
{
    mpp_vec v = {0};
    mpp_sink sink = {.fn = mpp_vec_push, .ctx = &v};
    mpp_tally t;
    ck_assert_int_eq(mpp_find_primes(MPP_METHOD_SIEVE, lo, hi, &sink, &t), MPP_OK);
    size_t i = 0;
    for (uint64_t n = lo;; n++) {
        bool listed = i < v.len && v.data[i] == n;
        i += listed;
        REQUIRE(mpp_is_prime(n) == listed, "%" PRIu64 ": sieve %d, Miller-Rabin %d", n,
                listed, !listed);
        if (n == hi)
            break;
    }
    ck_assert_uint_eq(i, v.len);
    mpp_vec_free(&v);
}

START_TEST(test_mr_against_sieve)
{
    mr_against_sieve(4294967296u - 50000, 4294967296u + 50000);
    for (uint64_t k = 0; k < test_iters(4); k++) {
        uint64_t lo = test_splitmix(&rng) >> (k + 8);
        mr_against_sieve(lo, lo + 20000);
    }
}
END_TEST

START_TEST(test_mr_top)
{
    mr_against_sieve(UINT64_MAX - 30000, UINT64_MAX);
}
END_TEST

/* ---- tuplets ---- */

static const uint64_t DECADE[] = {10,        100,        1000,        10000,
                                  100000,    1000000,    10000000,    100000000,
                                  1000000000u, 10000000000u};

/* Counters over [0, X] cut at NCUTS random points, each fed the primes of
 * [lo, min(hi + 16, X)] as a rank is; returns the summed counts. */
static void split_counts(uint64_t x, int ncuts, const uint64_t *limits, size_t nlimits,
                         uint64_t sums[][MPP_KINDS])
{
    uint64_t cut[34];
    cut[0] = 0;
    for (int i = 1; i <= ncuts; i++)
        cut[i] = test_splitmix(&rng) % (x + 1);
    cut[ncuts + 1] = x + 1;
    for (int i = 1; i <= ncuts; i++) /* insertion sort */
        for (int j = i; j > 0 && cut[j] < cut[j - 1]; j--) {
            uint64_t t = cut[j];
            cut[j] = cut[j - 1];
            cut[j - 1] = t;
        }
    for (size_t b = 0; b < nlimits; b++)
        for (int k = 0; k < MPP_KINDS; k++)
            sums[b][k] = 0;
    for (int i = 0; i <= ncuts; i++) {
        if (cut[i] == cut[i + 1])
            continue; /* an empty piece */
        uint64_t lo = cut[i], hi = cut[i + 1] - 1;
        mpp_tuplet_counter c;
        ck_assert(mpp_tuplet_counter_init(&c, lo, hi, limits, nlimits));
        uint64_t end = hi + MPP_SPAN > x ? x : hi + MPP_SPAN;
        mpp_sink sink = {.fn = mpp_tuplet_counter_push, .ctx = &c};
        mpp_tally t;
        ck_assert_int_eq(mpp_find_primes(MPP_METHOD_SIEVE, lo, end, &sink, &t), MPP_OK);
        for (size_t b = 0; b < nlimits; b++)
            for (int k = 0; k < MPP_KINDS; k++)
                sums[b][k] += mpp_tuplet_counter_count(&c, b, k);
    }
}

START_TEST(test_tuplets_published)
{
    /* to 10^8 in one piece, then cut in 1, 7 and 32 random places */
    const size_t n = 8;
    uint64_t sums[MPP_PATTERN_LIMITS][MPP_KINDS];
    int cuts[] = {0, 1, 7, 32};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        split_counts(DECADE[n - 1], cuts[c], DECADE, n, sums);
        for (size_t b = 0; b < n; b++)
            for (int k = 0; k < MPP_KINDS; k++)
                ck_assert_msg(sums[b][k] == mpp_known_counts[b][k],
                              "%d cuts: %s in [0, 10^%zu] = %" PRIu64 ", published %" PRIu64,
                              cuts[c], mpp_kind_name(k), b + 1, sums[b][k],
                              mpp_known_counts[b][k]);
    }
}
END_TEST

/* The tuplets of [LO, HI] counted by brute force (every member checked with
 * the reference Miller-Rabin). */
static void brute_tuplets(uint64_t lo, uint64_t hi, uint64_t counts[MPP_KINDS])
{
    static const struct {
        int kind, n;
        int off[6];
    } pats[] = {{1, 2, {0, 2}},           {2, 3, {0, 2, 6}},         {2, 3, {0, 4, 6}},
                {3, 4, {0, 2, 6, 8}},     {4, 5, {0, 2, 6, 8, 12}},  {4, 5, {0, 4, 6, 10, 12}},
                {5, 6, {0, 4, 6, 10, 12, 16}}};
    for (int k = 0; k < MPP_KINDS; k++)
        counts[k] = 0;
    for (uint64_t p = lo; p <= hi; p++) {
        if (!ref_is_prime(p))
            continue;
        counts[0]++;
        for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
            bool all = p + (uint64_t)pats[i].off[pats[i].n - 1] <= hi;
            for (int m = 1; m < pats[i].n && all; m++)
                all = ref_is_prime(p + (uint64_t)pats[i].off[m]);
            counts[pats[i].kind] += all;
        }
    }
}

START_TEST(test_tuplets_windows)
{
    uint64_t lows[] = {0, 1, 2, 3, 5, 7, 1000000000000u, 4294967000u, 0, 0};
    lows[8] = test_splitmix(&rng) >> 20;
    lows[9] = UINT64_MAX - 3000;
    for (size_t i = 0; i < sizeof lows / sizeof lows[0]; i++) {
        uint64_t lo = lows[i], hi = lo + 2999;
        uint64_t want[MPP_KINDS];
        brute_tuplets(lo, hi, want);
        mpp_tuplet_counter c;
        ck_assert(mpp_tuplet_counter_init(&c, lo, hi, &hi, 1));
        mpp_sink sink = {.fn = mpp_tuplet_counter_push, .ctx = &c};
        mpp_tally t;
        ck_assert_int_eq(mpp_find_primes(MPP_METHOD_SIEVE, lo, hi, &sink, &t), MPP_OK);
        for (int k = 0; k < MPP_KINDS; k++)
            ck_assert_msg(mpp_tuplet_counter_count(&c, 0, k) == want[k],
                          "[%" PRIu64 ", %" PRIu64 "]: %s %" PRIu64 ", brute force %" PRIu64,
                          lo, hi, mpp_kind_name(k), mpp_tuplet_counter_count(&c, 0, k), want[k]);
    }
    /* the interval of patterns.md */
    uint64_t lo = 4294967000u, hi = 4294968000u;
    mpp_tuplet_counter c;
    ck_assert(mpp_tuplet_counter_init(&c, lo, hi, &hi, 1));
    mpp_sink sink = {.fn = mpp_tuplet_counter_push, .ctx = &c};
    mpp_tally t;
    ck_assert_int_eq(mpp_find_primes(MPP_METHOD_SIEVE, lo, hi, &sink, &t), MPP_OK);
    ck_assert_uint_eq(mpp_tuplet_counter_count(&c, 0, 0), 47);
    ck_assert_uint_eq(mpp_tuplet_counter_count(&c, 0, 1), 2);
    ck_assert_uint_eq(mpp_tuplet_counter_count(&c, 0, 2), 0);
}
END_TEST

START_TEST(test_patterns_init)
{
    mpp_tuplet_counter c;
    uint64_t up[] = {1, 2, 2, 3}, down[] = {5, 4};
    ck_assert(mpp_tuplet_counter_init(&c, 0, 3, up, 4));
    ck_assert(!mpp_tuplet_counter_init(&c, 0, 3, up, 0));
    ck_assert(!mpp_tuplet_counter_init(&c, 0, 3, down, 2));
    uint64_t many[MPP_PATTERN_LIMITS + 1] = {0};
    ck_assert(!mpp_tuplet_counter_init(&c, 0, 3, many, MPP_PATTERN_LIMITS + 1));
    /* primes beyond the last limit are not counted; the hash is the same for
     * the same primes in any number of calls */
    uint64_t lim = 20;
    ck_assert(mpp_tuplet_counter_init(&c, 0, 30, &lim, 1));
    uint64_t p[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29};
    mpp_tuplet_counter_push(&c, p, 10);
    ck_assert_uint_eq(mpp_tuplet_counter_count(&c, 0, 0), 8);
    mpp_tuplet_counter d;
    ck_assert(mpp_tuplet_counter_init(&d, 0, 30, &lim, 1));
    for (int i = 0; i < 10; i++)
        mpp_tuplet_counter_push(&d, p + i, 1);
    ck_assert_uint_eq(c.hash, d.hash);
    ck_assert_uint_eq(mpp_tuplet_counter_count(&d, 0, 1), mpp_tuplet_counter_count(&c, 0, 1));
    ck_assert_str_eq(mpp_kind_name(0), "primes");
    ck_assert_str_eq(mpp_kind_name(5), "sextuplets");
    ck_assert_str_eq(mpp_kind_name(6), "?");
}
END_TEST

START_TEST(test_known_table)
{
    /* pi(10^k) by the reference sieve, to 10^8; every row is non-decreasing
     * in x, and each kind is rarer than the one before (past 10^2) */
    unsigned char *s = ref_sieve(100000000);
    uint64_t count = 0, x = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t to = DECADE[k];
        for (; x <= to; x++)
            count += s[x] != 0;
        ck_assert_uint_eq(count, mpp_known_counts[k][0]);
    }
    free(s);
    for (int k = 1; k < MPP_KNOWN_DECADES; k++)
        for (int kind = 0; kind < MPP_KINDS; kind++) {
            ck_assert_uint_ge(mpp_known_counts[k][kind], mpp_known_counts[k - 1][kind]);
            if (k >= 3 && kind > 0)
                ck_assert_uint_lt(mpp_known_counts[k][kind], mpp_known_counts[k][kind - 1]);
        }
}
END_TEST

/* ---- the random ranges ---- */

START_TEST(test_ranges)
{
    for (int size = 1; size <= 9; size++)
        for (int rank = 0; rank < size; rank++) {
            uint64_t seed = test_splitmix(&rng);
            mpp_test_range a[MPP_SELFTEST_RANGES], b[MPP_SELFTEST_RANGES],
                other[MPP_SELFTEST_RANGES];
            mpp_selftest_ranges(seed, rank, size, a);
            mpp_selftest_ranges(seed, rank, size, b);
            mpp_selftest_ranges(seed + 1, rank, size, other);
            bool differs = false;
            for (int i = 0; i < MPP_SELFTEST_RANGES; i++) {
                ck_assert_uint_eq(a[i].lo, b[i].lo);
                ck_assert_uint_eq(a[i].hi, b[i].hi);
                ck_assert_uint_le(a[i].lo, a[i].hi);
                ck_assert_uint_ge(a[i].hi - a[i].lo, 4999);
                ck_assert_uint_le(a[i].hi - a[i].lo, 40000);
                differs = differs || a[i].lo != other[i].lo;
            }
            ck_assert(differs);
            ck_assert_uint_lt(a[0].hi, (1ull << 32) + 40000);
            ck_assert_uint_lt(a[1].hi, (1ull << 40) + 10000);
            ck_assert_uint_ge(a[2].lo, 1ull << 40);
            if (rank == size - 1)
                ck_assert_uint_eq(a[3].hi, UINT64_MAX);
            else
                ck_assert_uint_lt(a[3].hi, (1ull << 50) + 20000);
        }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("selftest");
    TCase *tc = tcase_create("selftest");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_mr_against_sieve);

    tcase_add_test(tc, test_tuplets_windows);
    tcase_add_test(tc, test_patterns_init);

    tcase_add_test(tc, test_ranges);
    suite_add_tcase(s, tc);
    /* one fixed, indivisible computation each: to 10^8 */
    TCase *hc = tcase_create("heavy");
    tcase_set_tags(hc, "heavy");
    tcase_set_timeout(hc, 300);
    tcase_add_test(hc, test_tuplets_published);
    tcase_add_test(hc, test_known_table);
    tcase_add_test(hc, test_mr_top);
    suite_add_tcase(s, hc);
    return run_suite(s);
}
