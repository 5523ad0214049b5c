/* testutil.c - independent references for the unit tests: nothing here calls
 * the code under test. */
#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    return (uint64_t)(((unsigned __int128)a * b) % m);
}

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m)
{
    uint64_t r = 1 % m;
    b %= m;
    while (e) {
        if (e & 1)
            r = mulmod(r, b, m);
        b = mulmod(b, b, m);
        e >>= 1;
    }
    return r;
}

bool ref_is_prime(uint64_t n)
{
    static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    if (n < 2)
        return false;
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        if (n == bases[i])
            return true;
        if (n % bases[i] == 0)
            return false;
    }
    uint64_t d = n - 1;
    int s = 0;
    while ((d & 1) == 0) {
        d >>= 1;
        s++;
    }
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        uint64_t x = powmod(bases[i], d, n);
        if (x == 1 || x == n - 1)
            continue;
        bool composite = true;
        for (int r = 1; r < s; r++) {
            x = mulmod(x, x, n);
            if (x == n - 1) {
                composite = false;
                break;
            }
        }
        if (composite)
            return false;
    }
    return true;
}

unsigned char *ref_sieve(uint64_t n)
{
    unsigned char *a = malloc(n + 1);
    ck_assert_ptr_nonnull(a);
    memset(a, 1, n + 1);
    a[0] = 0;
    if (n >= 1)
        a[1] = 0;
    for (uint64_t i = 2; i * i <= n; i++)
        if (a[i])
            for (uint64_t j = i * i; j <= n; j += i)
                a[j] = 0;
    return a;
}

/* ref_sieve() of the largest HI asked for so far, kept for the next call. */
static const unsigned char *cached_table(uint64_t hi)
{
    static unsigned char *table;
    static uint64_t size;
    if (!table || size < hi) {
        free(table);
        size = size * 2 > hi ? size * 2 : hi; /* grow geometrically */
        if (size < (1u << 20))
            size = 1u << 20;
        table = ref_sieve(size);
    }
    return table;
}

uint64_t *ref_primes(uint64_t lo, uint64_t hi, size_t *n)
{
    size_t cap = 1024, len = 0;
    uint64_t *out = malloc(cap * sizeof *out);
    ck_assert_ptr_nonnull(out);
    const unsigned char *table = hi <= 50000000 ? cached_table(hi) : NULL;
    for (uint64_t x = lo; lo <= hi; x++) { /* ends at x == hi (HI may be 2^64 - 1) */
        if (table ? table[x] : ref_is_prime(x)) {
            if (len == cap) {
                cap *= 2;
                out = realloc(out, cap * sizeof *out);
                ck_assert_ptr_nonnull(out);
            }
            out[len++] = x;
        }
        if (x == hi)
            break;
    }
    *n = len;
    return out;
}

int run_suite(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

unsigned test_scale(void)
{
    static unsigned scale; /* 0: not read yet */
    if (scale == 0) {
        const char *text = getenv("MPP_TEST_SCALE");
        char *end;
        unsigned long v = text ? strtoul(text, &end, 10) : 0;
        scale = text && *text && *end == '\0' && v >= 1 ? (unsigned)(v < 1000 ? v : 1000) : 1;
    }
    return scale;
}

uint64_t test_iters(uint64_t n)
{
    uint64_t k = n / test_scale();
    return k ? k : 1;
}

bool test_sample(void)
{
    static uint64_t state = 0x2545F4914F6CDD1DULL;
    if (test_scale() == 1)
        return true;
    state ^= state << 13; /* xorshift64 */
    state ^= state >> 7;
    state ^= state << 17;
    return state % test_scale() == 0;
}

#define P2(k) ((uint64_t)1 << (k))
const ref_count ref_counts[] = {
    {0, 10, 4, "pi(10^1)"},
    {0, 100, 25, "pi(10^2)"},
    {0, 1000, 168, "pi(10^3)"},
    {0, 10000, 1229, "pi(10^4)"},
    {0, 100000, 9592, "pi(10^5)"},
    {0, 1000000, 78498, "pi(10^6)"},
    {0, 10000000, 664579, "pi(10^7)"},
    {0, 100000000, 5761455, "pi(10^8)"},
    {0, 1000000000, 50847534, "pi(10^9)"},
    {0, 10000000000ULL, 455052511, "pi(10^10)"},
    {0, P2(16), 6542, "pi(2^16)"},
    {0, P2(20), 82025, "pi(2^20)"},
    {0, P2(24), 1077871, "pi(2^24)"},
    {0, P2(28), 14630843, "pi(2^28)"},
    {0, P2(30), 54400028, "pi(2^30)"},
    {0, P2(31) - 1, 105097565, "pi(2^31 - 1)"},
    {0, P2(31), 105097565, "pi(2^31)"},
    {0, P2(32), 203280221, "pi(2^32)"},
    {0, P2(33), 393615806, "pi(2^33)"},
    {0, 20000000000ULL, 882206716, "pi(2 * 10^10)"},
    {0, 50000000000ULL, 2119654578, "pi(5 * 10^10)"},
    {0, 50500000000ULL, 2139945263, "pi(5.05 * 10^10)"},
    {0, 51000000000ULL, 2160230408, "pi(5.1 * 10^10)"},
    {0, 100000000000ULL, 4118054813ULL, "pi(10^11)"},
    {0, 1000000000000ULL, 37607912018ULL, "pi(10^12)"},
    {0, 10000000000000ULL, 346065536839ULL, "pi(10^13)"},
    {0, 100000000000000ULL, 3204941750802ULL, "pi(10^14)"},
    {0, 1000000000000000ULL, 29844570422669ULL, "pi(10^15)"},
    {0, 10000000000000000ULL, 279238341033925ULL, "pi(10^16)"},
    {0, 100000000000000000ULL, 2623557157654233ULL, "pi(10^17)"},
    {0, 1000000000000000000ULL, 24739954287740860ULL, "pi(10^18)"},
    {0, 10000000000000000000ULL, 234057667276344607ULL, "pi(10^19)"},
    {0, UINT64_MAX, 425656284035217743ULL, "pi(2^64)"},
    {1000000000000ULL, 1010000000000ULL, 361840208, "[10^12, 10^12 + 10^10]"},
    {10000000000000ULL, 10010000000000ULL, 334067230, "[10^13, 10^13 + 10^10]"},
    {1000000000000000ULL, 1000010000000000ULL, 289531946, "[10^15, 10^15 + 10^10]"},
    {100000000000000000ULL, 100000010000000000ULL, 255481287, "[10^17, 10^17 + 10^10]"},
    {UINT64_MAX - 999999999ULL, UINT64_MAX, 22537866, "[2^64 - 10^9, 2^64 - 1]"},
    {10000000000000000ULL, 10000100000000000ULL, 2714336584ULL, "[10^16, 10^16 + 10^11]"},
    {UINT64_MAX - 999ULL, UINT64_MAX, 21, "[2^64 - 1000, 2^64 - 1]"},
    {18446744073709551557ULL, UINT64_MAX, 1, "[largest prime below 2^64, 2^64 - 1]"},
};
const size_t ref_counts_len = sizeof ref_counts / sizeof ref_counts[0];

uint64_t test_xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

uint64_t test_splitmix(uint64_t *state)
{
    *state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = *state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The text of V[0..N-1], one per line, built with snprintf (malloc'd,
 * NUL-terminated); *LEN receives its length. */
char *test_text_of(const uint64_t *v, size_t n, size_t *len)
{
    char *buf = malloc(n * 21 + 1);
    ck_assert_msg(buf != NULL, "out of memory");
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, 22, "%" PRIu64 "\n", v[i]);
    buf[used] = '\0';
    *len = used;
    return buf;
}

/* Fails, naming WHAT and the first differing offset, unless GOT[0..N-1]
 * equals WANT[0..N-1]. */
void test_expect_bytes(const char *got, const char *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
            size_t from = i >= 24 ? i - 24 : 0;
            size_t to = i + 24 < n ? i + 24 : n;
            ck_abort_msg("%s: byte %zu of %zu is 0x%02x, expected 0x%02x; got \"%.*s\", "
                         "expected \"%.*s\" (from byte %zu)",
                         what, i, n, (unsigned char)got[i], (unsigned char)want[i],
                         (int)(to - from), got + from, (int)(to - from), want + from, from);
        }
}
