/* test_trial.c - trial division against the references, and against the
 * sieve (both methods must agree). */
#include <stdlib.h>

#include "sieve.h"
#include "trial.h"
#include "testutil.h"

#define P2(k) ((uint64_t)1 << (k))

static void check_against_reference(uint64_t lo, uint64_t hi)
{
    mpp_vec v = {0};
    mpp_sink sink = {mpp_vec_push, &v};
    mpp_tally t, t2;
    ck_assert_int_eq(mpp_trial(lo, hi, &sink, &t), MPP_OK);
    ck_assert_int_eq(mpp_trial(lo, hi, NULL, &t2), MPP_OK);
    size_t m;
    uint64_t *want = ref_primes(lo, hi, &m);
    ck_assert_uint_eq(v.len, m);
    ck_assert_uint_eq(t.count, m);
    ck_assert_uint_eq(t2.count, m);
    size_t i = 0; /* one assertion, not one per prime: Check logs each */
    while (i < m && v.data[i] == want[i])
        i++;
    ck_assert_msg(i == m, "prime #%zu differs from the reference", i);
    if (m) {
        ck_assert_uint_eq(t2.first, want[0]);
        ck_assert_uint_eq(t2.last, want[m - 1]);
    }
    mpp_vec_free(&v);
    free(want);
}

START_TEST(first_two_hundred_thousand)
{
    check_against_reference(0, 200000);
}
END_TEST

START_TEST(small_numbers)
{
    static const int primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31};
    size_t k = 0;
    for (uint64_t n = 0; n <= 32; n++) {
        bool want = k < sizeof primes / sizeof primes[0] && (uint64_t)primes[k] == n;
        ck_assert_msg(mpp_trial_is_prime(n) == want, "%llu", (unsigned long long)n);
        k += want;
    }
}
END_TEST

START_TEST(int_edges)
{
    check_against_reference(P2(31) - 1000, P2(31) + 1000);
    check_against_reference(P2(32) - 1000, P2(32) + 1000);
    ck_assert(mpp_trial_is_prime(P2(31) - 1));
    ck_assert(mpp_trial_is_prime(4294967291u));
    ck_assert(!mpp_trial_is_prime(4294967297u)); /* 641 * 6700417 */
    ck_assert(!mpp_trial_is_prime(1000003ull * 1000003ull)); /* a prime squared */
}
END_TEST

START_TEST(top_of_64_bit_range_composites)
{
    /* Numbers with small factors finish fast even at the top; d * d <= n
     * must not overflow. */
    ck_assert(!mpp_trial_is_prime(UINT64_MAX)); /* 3 * 5 * 17 * ... */
    ck_assert(!mpp_trial_is_prime(UINT64_MAX - 1));
    mpp_tally t;
    ck_assert_int_eq(mpp_trial(UINT64_MAX, UINT64_MAX, NULL, &t), MPP_OK);
    ck_assert_uint_eq(t.count, 0);
}
END_TEST

START_TEST(largest_64_bit_prime)
{
    /* 2^31 trial divisions: seconds, hence "long". */
    ck_assert(mpp_trial_is_prime(18446744073709551557u));
}
END_TEST

START_TEST(agrees_with_sieve)
{
    static const uint64_t windows[][2] = {
        {0, 100000}, {999000, 1001000}, {1000000000000u, 1000000002000u},
        {P2(40) - 1000, P2(40) + 1000}};
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
        mpp_tally a, b;
        ck_assert_int_eq(mpp_trial(windows[i][0], windows[i][1], NULL, &a), MPP_OK);
        ck_assert_int_eq(mpp_sieve(windows[i][0], windows[i][1], NULL, &b), MPP_OK);
        ck_assert_uint_eq(a.count, b.count);
        ck_assert_uint_eq(a.first, b.first);
        ck_assert_uint_eq(a.last, b.last);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("trial");
    TCase *tc = tcase_create("trial");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, first_two_hundred_thousand);
    tcase_add_test(tc, small_numbers);
    tcase_add_test(tc, int_edges);
    tcase_add_test(tc, top_of_64_bit_range_composites);
    tcase_add_test(tc, agrees_with_sieve);
    suite_add_tcase(s, tc);
    TCase *lc = tcase_create("long");
    tcase_set_tags(lc, "long");
    tcase_set_timeout(lc, 600);
    tcase_add_test(lc, largest_64_bit_prime);
    suite_add_tcase(s, lc);
    return run_suite(s);
}
