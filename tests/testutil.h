/* testutil.h - independent references shared by the unit tests. */
#ifndef MPP_TESTUTIL_H
#define MPP_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>

/* Deterministic Miller-Rabin, exact for every 64-bit N (bases 2..37). It
 * shares no code with the sieve or the trial division. */
bool ref_is_prime(uint64_t n);

/* Plain, unsegmented sieve of Eratosthenes over [0, N] (one byte per number):
 * returns a malloc'd array A with A[i] = 1 when i is prime. */
unsigned char *ref_sieve(uint64_t n);

/* The primes of [LO, HI] by ref_sieve (HI small) or ref_is_prime (narrow
 * windows anywhere); malloc'd, *N receives the count. */
uint64_t *ref_primes(uint64_t lo, uint64_t hi, size_t *n);

/* ck_assert_msg for the inner loops: Check records every assertion that
 * passes (a write to its log in fork mode), which costs more than the code
 * under test; this one does nothing until it fails. */
#define REQUIRE(cond, ...)                                                                 \
    do {                                                                                   \
        if (!(cond))                                                                       \
            ck_abort_msg(__VA_ARGS__);                                                     \
    } while (0)

/* The text of V[0..N-1], one per line, as snprintf writes it (malloc'd,
 * NUL-terminated); *LEN receives its length. */
char *test_text_of(const uint64_t *v, size_t n, size_t *len);

/* Fails, naming WHAT and the first differing offset with the bytes around
 * it, unless GOT[0..N-1] equals WANT[0..N-1]. */
void test_expect_bytes(const char *got, const char *want, size_t n, const char *what);

/* Reproducible pseudo-random sequences for the tests: xorshift64 (STATE
 * must not be 0) and splitmix64; each call advances *STATE and returns the
 * next value. */
uint64_t test_xorshift(uint64_t *state);
uint64_t test_splitmix(uint64_t *state);

/* Runs SUITE with Check, honouring CK_* environment variables; returns the
 * process exit status (0 when every test passed). */
int run_suite(Suite *suite);

/* The heavy tests' workload. MPP_TEST_SCALE=N in the environment (an integer
 * N >= 1; the memcheck_* ctests set it, valgrind running the tests 20 to 50
 * times slower, and so does the sanitizer build, tests/CMakeLists.txt)
 * divides the work of their big loops by about N: random
 * iterations through test_iters(), the combinations of nested loops through
 * test_sample(). Every case still runs and goes through the paths it checks,
 * on fewer inputs. Unset (or not a number >= 1): 1, the full workload; at
 * most 1000 (beyond, some loops would run nothing). The few cases whose cost
 * is one fixed, indivisible computation are tagged "heavy" instead, and the
 * memcheck_* ctests exclude that tag. */
unsigned test_scale(void);

/* N iterations at scale 1, N / test_scale() (at least 1) otherwise. */
uint64_t test_iters(uint64_t n);

/* Whether to run the next combination of a loop nest: always at scale 1;
 * otherwise about one call in test_scale(), chosen by a fixed pseudo-random
 * sequence (not a stride, which could keep missing a value of an inner loop
 * whose length divides it), so the runs are reproducible. */
bool test_sample(void);

/* Known prime counts of [lo, hi] (../shared/reference/README.md: up to 10^10,
 * the powers of two and the intervals checked there with primesieve; 10^11
 * and beyond are published values). Many are far beyond what a unit test can
 * sieve: each user picks the entries it can afford by hi - lo. */
typedef struct {
    uint64_t lo, hi, count;
    const char *what;
} ref_count;
extern const ref_count ref_counts[];
extern const size_t ref_counts_len;

#endif
