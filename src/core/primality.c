/* primality.c - see primality.h. */
#include "primality.h"

__extension__ typedef unsigned __int128 u128;

/* The primes below 64: a division by them rejects most composites. */
static const uint8_t SMALL[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61};
#define SMALL_LIMIT (64u * 64u) /* below it, no small factor means prime */

/* N < 2^32: products fit in 64 bits. */
static uint64_t pow32(uint64_t a, uint64_t e, uint64_t n)
{
    uint64_t r = 1;
    a %= n;
    for (; e; e >>= 1) {
        if (e & 1)
            r = r * a % n;
        a = a * a % n;
    }
    return r;
}

static bool strong32(uint64_t n, uint64_t a)
{
    uint64_t d = n - 1;
    unsigned s = 0;
    while ((d & 1) == 0) {
        d >>= 1;
        s++;
    }
    uint64_t x = pow32(a, d, n);
    if (x == 1 || x == n - 1)
        return true;
    for (unsigned i = 1; i < s; i++) {
        x = x * x % n;
        if (x == n - 1)
            return true;
    }
    return false;
}

/* ---- Montgomery arithmetic modulo an odd N, R = 2^64 ---- */

typedef struct {
    uint64_t n, inv; /* N * INV = 1 (mod 2^64) */
    uint64_t one;    /* R mod N: 1 in Montgomery form */
    uint64_t r2;     /* R^2 mod N */
} mont;

static uint64_t redc(const mont *m, u128 t)
{
    uint64_t q = (uint64_t)t * m->inv;
    uint64_t qh = (uint64_t)(((u128)q * m->n) >> 64), th = (uint64_t)(t >> 64);
    /* T - Q N is a multiple of R: its low words cancel */
    return th >= qh ? th - qh : th - qh + m->n;
}

static uint64_t mont_mul(const mont *m, uint64_t a, uint64_t b)
{
    return redc(m, (u128)a * b);
}

static void mont_init(mont *m, uint64_t n)
{
    uint64_t inv = n; /* right to 3 bits for odd N; each step doubles them */
    for (int i = 0; i < 5; i++)
        inv *= 2 - n * inv;
    m->n = n;
    m->inv = inv;
    m->one = (0 - n) % n;
    m->r2 = (uint64_t)((u128)m->one * m->one % n);
}

static bool strong64(const mont *m, uint64_t a)
{
    uint64_t n = m->n;
    a %= n;
    if (a == 0)
        return true; /* the base says nothing about N */
    uint64_t d = n - 1;
    unsigned s = 0;
    while ((d & 1) == 0) {
        d >>= 1;
        s++;
    }
    uint64_t minus1 = n - m->one; /* N - 1 in Montgomery form */
    uint64_t b = mont_mul(m, a, m->r2), x = m->one;
    for (; d; d >>= 1) {
        if (d & 1)
            x = mont_mul(m, x, b);
        b = mont_mul(m, b, b);
    }
    if (x == m->one || x == minus1)
        return true;
    for (unsigned i = 1; i < s; i++) {
        x = mont_mul(m, x, x);
        if (x == minus1)
            return true;
    }
    return false;
}

bool mpp_is_prime(uint64_t n)
{
    if (n < 2)
        return false;
    for (unsigned i = 0; i < sizeof SMALL; i++) {
        if (n == SMALL[i])
            return true;
        if (n % SMALL[i] == 0)
            return false;
    }
    if (n < SMALL_LIMIT)
        return true;
    if (n < ((uint64_t)1 << 32))
        return strong32(n, 2) && strong32(n, 7) && strong32(n, 61);
    static const uint64_t BASES[] = {2, 325, 9375, 28178, 450775, 9780504, 1795265022};
    mont m;
    mont_init(&m, n);
    for (unsigned i = 0; i < sizeof BASES / sizeof BASES[0]; i++)
        if (!strong64(&m, BASES[i]))
            return false;
    return true;
}

size_t mpp_primes_before(uint64_t start, uint64_t lo, unsigned span, uint64_t *out)
{
    if (lo <= start)
        return 0;
    uint64_t from = lo - start > span ? lo - span : start;
    size_t n = 0;
    for (uint64_t x = from; x < lo; x++)
        if (mpp_is_prime(x))
            out[n++] = x;
    for (uint64_t x = from; n == 0 && x-- > start;)
        if (mpp_is_prime(x))
            out[n++] = x;
    return n;
}
