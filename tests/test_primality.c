/* test_primality.c - mpp_is_prime against the plain sieve (every number to
 * 2e6) and against the tests' own Miller-Rabin (other bases, other code:
 * windows near 2^32, 1e15 and 2^64, random numbers), the strong
 * pseudoprimes that fool a few bases, and mpp_primes_before against the
 * definition. */
#include <inttypes.h>
#include <stdlib.h>

#include "primality.h"
#include "testutil.h"

START_TEST(against_the_sieve)
{
    enum { N = 2000000 };
    unsigned char *s = ref_sieve(N);
    ck_assert_ptr_nonnull(s);
    for (uint64_t x = 0; x <= N; x++)
        REQUIRE(mpp_is_prime(x) == (s[x] != 0), "%" PRIu64 ": %d", x, mpp_is_prime(x));
    free(s);
}
END_TEST

START_TEST(windows_and_random)
{
    static const uint64_t at[] = {4294967296ULL - 20000, 1000000000000000ULL,
                                  18446744073709551615ULL - 40000, 3825123056546413051ULL - 5000};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        for (uint64_t x = at[i]; x <= at[i] + 40000 && x >= at[i]; x++)
            REQUIRE(mpp_is_prime(x) == ref_is_prime(x), "%" PRIu64, x);
    uint64_t seed = 77;
    for (uint64_t t = 0; t < test_iters(400000); t++) {
        uint64_t x = test_splitmix(&seed) >> (t % 64) | 1;
        REQUIRE(mpp_is_prime(x) == ref_is_prime(x), "%" PRIu64, x);
    }
}
END_TEST

START_TEST(pseudoprimes)
{
    /* composites that pass some bases: 2047 (2), 3215031751 (2, 3, 5, 7),
     * 4759123141 (2, 7, 61), 3825123056546413051 (2 to 23), Carmichael
     * numbers, squares and products of primes near 2^32, near 2^64 */
    static const uint64_t composite[] = {
        1, 0, 4, 561, 1105, 2047, 41041, 825265, 3215031751ULL, 4759123141ULL,
        1122004669633ULL, 3825123056546413051ULL, 4294967291ULL * 4294967291ULL,
        4294967291ULL * 4294967279ULL, 18446744073709551615ULL, 18446744073709551613ULL,
        1795265022ULL * 3, 9, 1373653, 25326001, 2152302898747ULL, 3474749660383ULL,
        341550071728321ULL, 1729, (uint64_t)65521 * 65521};
    for (size_t i = 0; i < sizeof composite / sizeof composite[0]; i++)
        REQUIRE(!mpp_is_prime(composite[i]), "%" PRIu64 " called prime", composite[i]);
    static const uint64_t prime[] = {2,
                                     3,
                                     61,
                                     67,
                                     4294967291ULL,
                                     4294967311ULL,
                                     1000000000000037ULL,
                                     18446744073709551557ULL,
                                     18446744073709551533ULL,
                                     9223372036854775783ULL};
    for (size_t i = 0; i < sizeof prime / sizeof prime[0]; i++)
        REQUIRE(mpp_is_prime(prime[i]), "%" PRIu64 " called composite", prime[i]);
}
END_TEST

/* The definition, by the tests' own primality test. */
static size_t before_ref(uint64_t start, uint64_t lo, unsigned span, uint64_t *out)
{
    size_t n = 0;
    for (uint64_t x = start; x < lo; x++)
        if (lo - x <= span && ref_is_prime(x))
            out[n++] = x;
    if (n == 0)
        for (uint64_t x = lo; x-- > start;)
            if (ref_is_prime(x)) {
                out[n++] = x;
                break;
            }
    return n;
}

START_TEST(primes_before)
{
    static const uint64_t at[] = {0, 1000, 4294967296ULL, 1000000000000000ULL,
                                  18446744073709551615ULL - 3000};
    uint64_t seed = 5;
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        for (uint64_t t = 0; t < test_iters(300); t++) {
            uint64_t lo = at[i] + test_splitmix(&seed) % 2000;
            uint64_t back = test_splitmix(&seed) % 4 == 0 ? test_splitmix(&seed) % 40 : 3000;
            uint64_t start = lo > back ? lo - back : 0;
            if (at[i] > 0 && start < at[i] - 3000)
                start = at[i] - 3000; /* the reference scans from START */
            unsigned span = t % 2 ? 16 : 6;
            uint64_t got[17], want[17];
            size_t n = mpp_primes_before(start, lo, span, got);
            size_t m = before_ref(start, lo, span, want);
            REQUIRE(n == m, "[%" PRIu64 ", %" PRIu64 ") span %u: %zu primes, want %zu", start,
                    lo, span, n, m);
            for (size_t j = 0; j < n; j++)
                REQUIRE(got[j] == want[j], "[%" PRIu64 ", %" PRIu64 "): %" PRIu64 ", want %" PRIu64,
                        start, lo, got[j], want[j]);
        }
    uint64_t out[17];
    ck_assert_uint_eq(mpp_primes_before(5, 5, 16, out), 0);
    ck_assert_uint_eq(mpp_primes_before(0, 2, 16, out), 0);
    ck_assert_uint_eq(mpp_primes_before(0, 3, 16, out), 1);
    ck_assert_uint_eq(out[0], 2);
    /* the gap of 1132 after 1693182318746371: only the prime before it */
    ck_assert_uint_eq(mpp_primes_before(0, 1693182318746371ULL + 1132, 16, out), 1);
    ck_assert_uint_eq(out[0], 1693182318746371ULL);
}
END_TEST

static Suite *primality_suite(void)
{
    Suite *s = suite_create("primality");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, against_the_sieve);
    tcase_add_test(tc, windows_and_random);
    tcase_add_test(tc, pseudoprimes);
    tcase_add_test(tc, primes_before);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(primality_suite());
}
