/* test_nth.c - the nth prime (nth.h): Riemann's R against pi(x) at powers
 * of ten and against the sum written here with its own Moebius function;
 * the plan and the finish against a plain reference for random N and
 * START (forward, at START, backward; the count of the planned interval
 * taken from the reference, so the finish is tested alone), the table of
 * ../shared/reference/patterns.md, and the edges: past 2^64 - 1, below 2,
 * primesieve's failure at 2^64 - 60. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "estimate.h"
#include "finder.h"
#include "nth.h"
#include "testutil.h"

static int mobius(int n)
{
    int m = 1;
    for (int p = 2; p * p <= n; p++)
        if (n % p == 0) {
            n /= p;
            if (n % p == 0)
                return 0;
            m = -m;
        }
    return n > 1 ? -m : m;
}

START_TEST(riemann_r)
{
    static const double pi[] = {4, 25, 168, 1229, 9592, 78498, 664579, 5761455, 50847534,
                                455052511, 4118054813.0, 37607912018.0};
    for (int e = 1; e <= 12; e++) {
        double x = pow(10, e), r = mpp_riemann_r(x), mine = 0;
        for (int n = 1; n <= 64 && pow(x, 1.0 / n) >= 2; n++)
            mine += mobius(n) / (double)n * mpp_li(pow(x, 1.0 / n));
        ck_assert_msg(fabs(r - mine) <= 1e-9 * mine, "R(1e%d) %f, the sum here %f", e, r, mine);
        ck_assert_msg(fabs(r - pi[e - 1]) <= 2 * sqrt(x) / log(x) + 2,
                      "R(1e%d) = %f, pi = %.0f", e, r, pi[e - 1]);
    }
    ck_assert(mpp_riemann_r(1) == 0);
}
END_TEST

/* The primes of [LO, HI], counted: by the tests' Miller-Rabin for a
 * narrow window high up (the sieve would make every prime up to its square
 * root first), else by the sieve. */
static uint64_t count_of(uint64_t lo, uint64_t hi)
{
    if (lo > 1000000000000ULL && hi - lo < 1000000) {
        size_t n;
        free(ref_primes(lo, hi, &n));
        return n;
    }
    mpp_tally t;
    ck_assert_int_eq(mpp_find_primes(MPP_METHOD_SIEVE, lo, hi, NULL, &t), MPP_OK);
    return t.count;
}

/* The nth prime by the definition, among the primes V[0..NV-1] (all of
 * a window that must hold the answer): 0 when it lies outside. */
static uint64_t by_definition(bool neg, uint64_t n, uint64_t start, const uint64_t *v,
                              size_t nv)
{
    if (!neg || n == 0) {
        uint64_t seen = 0;
        for (size_t i = 0; i < nv; i++)
            if (n == 0 ? v[i] >= start : v[i] > start) {
                if (++seen == (n ? n : 1))
                    return v[i];
            }
        return 0;
    }
    uint64_t seen = 0;
    for (size_t i = nv; i-- > 0;)
        if (v[i] < start && ++seen == n)
            return v[i];
    return 0;
}

static uint64_t nth(bool neg, uint64_t n, uint64_t start, int *rc)
{
    mpp_nth_plan p;
    *rc = mpp_nth_plan_make(neg, n, start, &p);
    if (*rc != MPP_NTH_OK)
        return 0;
    ck_assert_uint_le(p.lo, p.hi);
    mpp_finder *f = mpp_finder_new(MPP_METHOD_SIEVE, p.hi);
    ck_assert_ptr_nonnull(f);
    uint64_t answer = 0;
    *rc = mpp_nth_finish(f, &p, count_of(p.lo, p.hi), &answer, NULL);
    mpp_finder_free(f);
    return answer;
}

START_TEST(random_requests)
{
    size_t nv;
    uint64_t *v = ref_primes(0, 3000000, &nv);
    uint64_t seed = 12;
    for (uint64_t t = 0; t < test_iters(400); t++) {
        uint64_t start = test_splitmix(&seed) % 2000000;
        bool neg = t % 3 == 0;
        uint64_t n = t % 7 == 0 ? 0 : 1 + test_splitmix(&seed) % (t % 2 ? 30 : 60000);
        if (neg && start < 3) {
            int rc;
            nth(true, n ? n : 1, start, &rc);
            ck_assert_int_eq(rc, MPP_NTH_BELOW);
            continue;
        }
        uint64_t want = by_definition(neg, n, start, v, nv);
        int rc;
        uint64_t got = nth(neg, n, start, &rc);
        if (want == 0) { /* below 2 */
            ck_assert_msg(neg, "no answer in the window for n %" PRIu64 " start %" PRIu64, n,
                          start);
            ck_assert_int_eq(rc, MPP_NTH_BELOW);
            continue;
        }
        REQUIRE(rc == MPP_NTH_OK && got == want,
                "N = %s%" PRIu64 ", START = %" PRIu64 ": rc %d, %" PRIu64 ", want %" PRIu64,
                neg ? "-" : "", n, start, rc, got, want);
    }
    free(v);
}
END_TEST

START_TEST(the_table)
{
    static const uint64_t table[][2] = {{10, 29},        {100, 541},       {1000, 7919},
                                        {10000, 104729}, {100000, 1299709}, {1000000, 15485863},
                                        {10000000, 179424673}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int rc;
        ck_assert_uint_eq(nth(false, table[i][0], 0, &rc), table[i][1]);
        ck_assert_int_eq(rc, MPP_NTH_OK);
        /* and back: the 10^k-th prime before the one after it is 2 */
        ck_assert_uint_eq(nth(true, table[i][0], table[i][1] + 1, &rc), 2);
    }
    int rc;
    ck_assert_uint_eq(nth(false, 1, 1000000000000000ULL, &rc), 1000000000000037ULL);
    ck_assert_uint_eq(nth(false, 10, 1000000000000000ULL, &rc), 1000000000000279ULL);
    ck_assert_uint_eq(nth(true, 9, 1000000000000279ULL, &rc), 1000000000000037ULL);
    ck_assert_uint_eq(nth(true, 10, 1000000000000279ULL, &rc), 999999999999989ULL);
}
END_TEST

START_TEST(edges)
{
    const uint64_t top = 18446744073709551557ULL; /* the largest prime below 2^64 */
    int rc;
    ck_assert_uint_eq(nth(false, 0, top, &rc), top);
    ck_assert_uint_eq(nth(false, 1, top - 1, &rc), top); /* primesieve fails here */
    ck_assert_int_eq(rc, MPP_NTH_OK);
    nth(false, 1, top, &rc);
    ck_assert_int_eq(rc, MPP_NTH_BEYOND);
    nth(false, 0, top + 1, &rc);
    ck_assert_int_eq(rc, MPP_NTH_BEYOND);
    nth(false, 1, UINT64_MAX, &rc);
    ck_assert_int_eq(rc, MPP_NTH_BEYOND);
    nth(false, 4, UINT64_MAX - 100, &rc); /* ...521, ...533 and top only */
    ck_assert_int_eq(rc, MPP_NTH_BEYOND);
    ck_assert_uint_eq(nth(false, 3, UINT64_MAX - 100, &rc), top);
    nth(false, 10000000000000000000ULL, 0, &rc); /* plainly beyond: no count */
    ck_assert_int_eq(rc, MPP_NTH_BEYOND);
    ck_assert_uint_eq(nth(true, 1, UINT64_MAX, &rc), top);
    ck_assert_uint_eq(nth(true, 1, 3, &rc), 2);
    nth(true, 1, 2, &rc);
    ck_assert_int_eq(rc, MPP_NTH_BELOW);
    nth(true, 5, 10, &rc); /* 7, 5, 3, 2, then none */
    ck_assert_int_eq(rc, MPP_NTH_BELOW);
    ck_assert_uint_eq(nth(true, 4, 10, &rc), 2);
    nth(true, 1000000000000000000ULL, 10000000000000000000ULL, &rc); /* plainly below */
    ck_assert_int_eq(rc, MPP_NTH_BELOW);
    /* the interval counted reaches out from START also above 2^53 (a
     * double's spacing there is larger than the estimate's width) */
    mpp_nth_plan p;
    ck_assert_int_eq(mpp_nth_plan_make(false, 1000, (uint64_t)1 << 63, &p), MPP_NTH_OK);
    ck_assert_uint_gt(p.hi - p.lo, 30000); /* about 1000 ln 2^63 = 43668 */
    ck_assert_int_eq(mpp_nth_plan_make(true, 1000, UINT64_MAX, &p), MPP_NTH_OK);
    ck_assert_uint_gt(p.hi - p.lo, 30000);
    ck_assert_uint_eq(nth(false, 0, 0, &rc), 2);
    ck_assert_uint_eq(nth(false, 1, 0, &rc), 2);
    ck_assert_uint_eq(nth(false, 0, 90, &rc), 97);
}
END_TEST

static Suite *nth_suite(void)
{
    Suite *s = suite_create("nth");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, riemann_r);
    tcase_add_test(tc, random_requests);
    tcase_add_test(tc, the_table);
    tcase_add_test(tc, edges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(nth_suite());
}
