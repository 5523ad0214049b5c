/* selftest.c - see selftest.h. */
#include "selftest.h"

#include <math.h>

static const char *const KIND_NAMES[MPP_KINDS] = {"primes",      "twins",       "triplets",
                                                  "quadruplets", "quintuplets", "sextuplets"};

const char *mpp_kind_name(int kind)
{
    return kind >= 0 && kind < MPP_KINDS ? KIND_NAMES[kind] : "?";
}

/* ==================================================================== */
/* Published values                                                      */
/* ==================================================================== */

/* pi(10^k) and the k-tuplet counts in [0, 10^k] (OEIS A006880, A007508;
 * ../shared/reference/patterns.md, computed there with primesieve 12.16). */
const uint64_t mpp_known_counts[MPP_KNOWN_DECADES][MPP_KINDS] = {
    {4, 2, 0, 0, 0, 0},
    {25, 8, 8, 2, 3, 1},
    {168, 35, 30, 5, 5, 2},
    {1229, 205, 112, 12, 9, 2},
    {9592, 1224, 507, 38, 21, 5},
    {78498, 8169, 2837, 166, 65, 5},
    {664579, 58980, 17220, 899, 321, 18},
    {5761455, 440312, 111156, 4768, 1383, 82},
    {50847534, 3424506, 759256, 28388, 7221, 317},
    {455052511, 27412679, 5425573, 180529, 40414, 1613},
};

/* ==================================================================== */
/* Tuplets over a stream                                                 */
/* ==================================================================== */

typedef struct {
    int kind;
    int n;                 /* members */
    uint8_t offsets[6];    /* from the first member; the last is the span */
} pattern;

static const pattern PATTERNS[] = {
    {1, 2, {0, 2}},
    {2, 3, {0, 2, 6}},
    {2, 3, {0, 4, 6}},
    {3, 4, {0, 2, 6, 8}},
    {4, 5, {0, 2, 6, 8, 12}},
    {4, 5, {0, 4, 6, 10, 12}},
    {5, 6, {0, 4, 6, 10, 12, 16}},
};

bool mpp_tuplet_counter_init(mpp_tuplet_counter *c, uint64_t lo, uint64_t hi,
                             const uint64_t *limits, size_t nlimits)
{
    if (nlimits == 0 || nlimits > MPP_PATTERN_LIMITS)
        return false;
    *c = (mpp_tuplet_counter){.lo = lo, .hi = hi, .nlimits = nlimits};
    for (size_t i = 0; i < nlimits; i++) {
        if (i > 0 && limits[i] < limits[i - 1])
            return false;
        c->limits[i] = limits[i];
    }
    return true;
}

/* The index of the first limit at or above X, or nlimits. */
static size_t bin_of(const mpp_tuplet_counter *c, uint64_t x)
{
    size_t i = 0;
    while (i < c->nlimits && c->limits[i] < x)
        i++;
    return i;
}

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static bool recent_has(const mpp_tuplet_counter *c, uint64_t p)
{
    for (size_t i = 0; i < c->nrecent; i++)
        if (c->recent[i] == p)
            return true;
    return false;
}

/* Q, the newest prime, closes the tuplets whose last member it is. */
static void close_tuplets(mpp_tuplet_counter *c, uint64_t q, size_t bin)
{
    for (size_t k = 0; k < sizeof PATTERNS / sizeof PATTERNS[0]; k++) {
        const pattern *pt = &PATTERNS[k];
        uint64_t span = pt->offsets[pt->n - 1];
        if (q < span)
            continue;
        uint64_t p = q - span;
        if (p < c->lo || p > c->hi)
            continue;
        bool all = true;
        for (int m = 0; m < pt->n - 1 && all; m++)
            all = recent_has(c, p + pt->offsets[m]);
        if (all)
            c->counts[bin][pt->kind]++;
    }
}

int mpp_tuplet_counter_push(void *ctx, const uint64_t *primes, size_t n)
{
    mpp_tuplet_counter *c = ctx;
    for (size_t i = 0; i < n; i++) {
        uint64_t q = primes[i];
        size_t bin = bin_of(c, q);
        if (bin == c->nlimits)
            continue; /* beyond every limit */
        size_t keep = 0; /* the recent primes within the widest span of Q */
        for (size_t j = 0; j < c->nrecent; j++)
            if (q - c->recent[j] <= MPP_SPAN)
                c->recent[keep++] = c->recent[j];
        c->nrecent = keep;
        if (q >= c->lo && q <= c->hi) {
            c->counts[bin][0]++;
            c->hash += mix(q);
        }
        close_tuplets(c, q, bin);
        if (c->nrecent < sizeof c->recent / sizeof c->recent[0])
            c->recent[c->nrecent++] = q;
    }
    return 0;
}

uint64_t mpp_tuplet_counter_count(const mpp_tuplet_counter *c, size_t i, int kind)
{
    uint64_t sum = 0;
    for (size_t b = 0; b <= i && b < c->nlimits; b++)
        sum += c->counts[b][kind];
    return sum;
}

/* ==================================================================== */
/* Random ranges                                                         */
/* ==================================================================== */

static uint64_t next(uint64_t *state)
{
    *state += 0x9e3779b97f4a7c15u;
    return mix(*state);
}

/* A number in [0, N) (N > 0); the slight bias of the modulo does not matter. */
static uint64_t below(uint64_t *state, uint64_t n)
{
    return next(state) % n;
}

static mpp_test_range window(uint64_t lo, uint64_t len)
{
    uint64_t hi = lo > UINT64_MAX - (len - 1) ? UINT64_MAX : lo + (len - 1);
    return (mpp_test_range){.lo = lo, .hi = hi};
}

void mpp_selftest_ranges(uint64_t seed, int rank, int size,
                         mpp_test_range out[MPP_SELFTEST_RANGES])
{
    uint64_t st = seed ^ mix((uint64_t)rank + 1);
    out[0] = window(below(&st, 1ull << 32), 20000 + below(&st, 20000));
    out[1] = window(below(&st, 1ull << 40), 5000 + below(&st, 5000));
    double e = 40.0 + 24.0 * (double)(next(&st) >> 11) / 9007199254740992.0;
    uint64_t height = e >= 64.0 ? UINT64_MAX - 20000 : (uint64_t)ldexp(1.0, (int)e);
    height += below(&st, height / 2 + 1) / 2;
    if (height > UINT64_MAX - 20000)
        height = UINT64_MAX - 20000;
    out[2] = window(height, 10000 + below(&st, 10000));
    if (rank == size - 1) {
        uint64_t len = 10000 + below(&st, 10000);
        out[3] = (mpp_test_range){.lo = UINT64_MAX - (len - 1), .hi = UINT64_MAX};
    } else {
        out[3] = window(below(&st, 1ull << 50), 10000 + below(&st, 10000));
    }
}
