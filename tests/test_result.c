/* test_result.c - unit tests of the kind of result and its merge rule
 * (src/core/result.c), against a plain reference: ranges cut into random
 * pieces at random places, each piece's result made from the reference
 * primes of the piece, merged in a random order and grouping; the merged
 * result must be the whole range's (count, first, last). Also: clearing,
 * adding a finder's tally, empty pieces on either side, and packing into
 * MPP_RESULT_WORDS words and back.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "testutil.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
    return test_xorshift(&rng);
}

/* The result of [LO, HI] from the sorted reference primes P[0..N-1]. */
static mpp_result reference(const uint64_t *p, size_t n, uint64_t lo, uint64_t hi)
{
    mpp_result r;
    mpp_result_clear(&r);
    for (size_t i = 0; i < n; i++)
        if (p[i] >= lo && p[i] <= hi) {
            if (r.primes.count == 0)
                r.primes.first = p[i];
            r.primes.last = p[i];
            r.primes.count++;
        }
    return r;
}

static void expect_same(const mpp_result *got, const mpp_result *want, const char *what)
{
    ck_assert_msg(got->primes.count == want->primes.count, "%s: count %" PRIu64 ", expected %"
                  PRIu64, what, got->primes.count, want->primes.count);
    if (want->primes.count > 0) {
        ck_assert_uint_eq(got->primes.first, want->primes.first);
        ck_assert_uint_eq(got->primes.last, want->primes.last);
    }
}

/* [LO, HI] cut into up to 40 random pieces (some empty of primes, some of
 * one number); their results merged in random order and grouping. */
static void random_splits(uint64_t lo, uint64_t hi, int trials)
{
    size_t n;
    uint64_t *p = ref_primes(lo, hi, &n);
    mpp_result whole = reference(p, n, lo, hi);
    ck_assert_uint_eq(whole.primes.count, n);
    for (int t = 0; t < trials; t++) {
        enum { MAXPIECES = 40 };
        uint64_t cut[MAXPIECES];
        int pieces = 1 + (int)(next_random() % MAXPIECES);
        cut[0] = lo;
        for (int k = 1; k < pieces; k++)
            cut[k] = lo + next_random() % (hi - lo + 1);
        /* sort the cuts */
        for (int a = 1; a < pieces; a++)
            for (int b = a; b > 0 && cut[b] < cut[b - 1]; b--) {
                uint64_t x = cut[b];
                cut[b] = cut[b - 1];
                cut[b - 1] = x;
            }
        mpp_result part[MAXPIECES];
        int m = 0;
        for (int k = 0; k < pieces; k++) { /* piece k: [cut[k], the next cut - 1] */
            uint64_t end = k + 1 < pieces ? cut[k + 1] - 1 : hi; /* no hi + 1: 2^64 */
            if (k + 1 == pieces || cut[k + 1] > cut[k])
                part[m++] = reference(p, n, cut[k], end);
        }
        /* shuffle */
        for (int k = m - 1; k > 0; k--) {
            int j = (int)(next_random() % (uint64_t)(k + 1));
            mpp_result x = part[k];
            part[k] = part[j];
            part[j] = x;
        }
        /* merge random neighbours until one is left (any grouping) */
        while (m > 1) {
            int k = (int)(next_random() % (uint64_t)(m - 1));
            mpp_result_merge(&part[k], &part[k + 1]);
            memmove(&part[k + 1], &part[k + 2], (size_t)(m - k - 2) * sizeof *part);
            m--;
        }
        expect_same(&part[0], &whole, "random split");
    }
    free(p);
}

START_TEST(test_merge_random_splits)
{
    random_splits(0, 100000, (int)test_iters(300));
    random_splits(2, 3, 20);
    random_splits(4294967296ULL - 5000, 4294967296ULL + 5000, (int)test_iters(200));
    random_splits(UINT64_MAX - 20000, UINT64_MAX, (int)test_iters(100));
    random_splits(24, 28, 20); /* no prime at all */
}
END_TEST

START_TEST(test_clear_add_empty)
{
    mpp_result r, e;
    memset(&r, 0x5a, sizeof r);
    mpp_result_clear(&r);
    ck_assert_uint_eq(r.primes.count, 0);
    mpp_result_clear(&e);
    mpp_tally none = {0, 123, 456}, t = {3, 11, 17}, u = {2, 19, 23};
    mpp_result_add(&r, &none); /* an empty tally's first and last mean nothing */
    ck_assert_uint_eq(r.primes.count, 0);
    mpp_result_add(&r, &t);
    mpp_result_add(&r, &none);
    mpp_result_add(&r, &u);
    ck_assert_uint_eq(r.primes.count, 5);
    ck_assert_uint_eq(r.primes.first, 11);
    ck_assert_uint_eq(r.primes.last, 23);
    mpp_result_merge(&r, &e);
    ck_assert_uint_eq(r.primes.count, 5);
    mpp_result_merge(&e, &r);
    expect_same(&e, &r, "empty merged with a result");
    ck_assert_uint_eq(e.primes.first, 11);
}
END_TEST

/* Tuplet counts add up, in either order. */
START_TEST(test_tuplets_add)
{
    mpp_result a, b;
    mpp_result_clear(&a);
    mpp_result_clear(&b);
    mpp_patterns p;
    mpp_patterns_begin(&p, NULL, 0, NULL);
    static const uint64_t low[] = {5, 7, 11, 13, 17, 19, 23};
    mpp_patterns_push(&p, low, 7);
    mpp_result_add_tuplets(&a, &p);
    mpp_patterns_begin(&p, (const uint64_t[]){97}, 1, NULL);
    static const uint64_t high[] = {101, 103, 107, 109, 113};
    mpp_patterns_push(&p, high, 5);
    mpp_result_add_tuplets(&b, &p);
    /* 5..23: 3 twins, 5 triplets, (5,7,11,13) (11,13,17,19), 3 quintuplets,
     * (7..23); 101..113 after 97: 2 twins, (97,101,103) and 3 more triplets,
     * (101..109), (97..109) (101..113), (97..113) */
    static const uint64_t want[MPP_KINDS + 1] = {0, 0, 3 + 2, 5 + 4, 2 + 1, 3 + 2, 1 + 1};
    mpp_result ab = a, ba = b;
    mpp_result_merge(&ab, &b);
    mpp_result_merge(&ba, &a);
    for (int k = 2; k <= MPP_KINDS; k++) {
        ck_assert_uint_eq(ab.tuplets[k], want[k]);
        ck_assert_uint_eq(ba.tuplets[k], want[k]);
    }
}
END_TEST

START_TEST(test_pack)
{
    for (int i = 0; i < 1000; i++) {
        mpp_result r = {.primes = {next_random(), next_random(), next_random()}}, back;
        for (int k = 2; k <= MPP_KINDS; k++)
            r.tuplets[k] = next_random();
        uint64_t w[MPP_RESULT_WORDS + 1];
        w[MPP_RESULT_WORDS] = 0xdeadbeef;
        mpp_result_pack(&r, w);
        ck_assert_uint_eq(w[MPP_RESULT_WORDS], 0xdeadbeef); /* no word beyond */
        mpp_result_unpack(w, &back);
        ck_assert(memcmp(&r, &back, sizeof r) == 0);
    }
}
END_TEST

static Suite *result_suite(void)
{
    Suite *s = suite_create("result");
    TCase *tc = tcase_create("merge");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_merge_random_splits);
    tcase_add_test(tc, test_clear_add_empty);
    tcase_add_test(tc, test_tuplets_add);
    tcase_add_test(tc, test_pack);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(result_suite());
}
