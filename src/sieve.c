/* sieve.c - segmented sieve of Eratosthenes over the odd numbers.
 *
 * Design, for the next reader:
 *
 * - Only odd numbers are stored: bit i of the sieve stands for first + 2i,
 *   where first is the first odd number >= max(LO, 3). The prime 2 is
 *   handled apart. A set bit means "no prime factor found yet".
 *
 * - The sieving primes are the odd primes up to sqrt(HI). They come in two
 *   sizes:
 *     small  p <= SMALL_MAX (2^20): found once by a plain sieve and kept, each
 *            with the offset of its next odd multiple, so that every segment
 *            continues where the previous one stopped;
 *     large  SMALL_MAX < p <= sqrt(HI), present only when HI > 2^40: too many
 *            to keep near 2^64 (203 million primes below 2^32), so they are
 *            regenerated for each window by this same sieve (a recursive
 *            call over [SMALL_MAX + 1, sqrt(window end)], which itself needs
 *            only small primes) and crossed off as they stream past.
 *
 * - The primes 3 to 31 are not crossed off one multiple at a time: each
 *   segment starts from precomputed 64-bit word patterns (a word's pattern
 *   for p depends only on the word's first value mod p), one AND per word
 *   and prime instead of 64 / p bit clears. They remove about half of all
 *   crossing off. The primes themselves, when in the range, are put back.
 *
 * - The range is walked in segments of SEGMENT_BITS odd numbers (256 KiB of
 *   bits, sized for a typical L2 cache), and the small primes are crossed
 *   off one segment at a time while it is hot in cache. When large primes
 *   exist, segments are grouped into windows of WINDOW_SEGMENTS segments
 *   (32 MiB of bits) so that regenerating the large primes is paid once per
 *   window, not once per segment.
 *
 * - Each finished segment is either counted with popcount (count-only mode)
 *   or its set bits are turned into primes and handed to the sink in batches.
 *
 * - Memory is bounded whatever the range: one window (at most 32 MiB, and a
 *   single segment when HI <= 2^40), the small primes (at most 82025 entries)
 *   and a batch buffer.
 *
 * - 64-bit edges: p * p fits because p <= 2^32 - 1; the first multiple of a
 *   prime at or above a bound is computed in 128 bits; positions inside the
 *   sieve are indexes (never values) so nothing runs past 2^64 - 1.
 *
 * A later stage of the project replaces the inner loops with the faster
 * techniques (mod-30 wheel, pre-sieving, bucket sieve for large primes); the
 * contract of mpp_sieve() stays.
 */
#include "sieve.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENT_BITS ((uint64_t)1 << 21) /* odd numbers per segment */
#define WINDOW_SEGMENTS 128              /* segments per window with large primes */
#define SMALL_MAX ((uint64_t)1 << 20)    /* largest "small" sieving prime */
#define BATCH 4096                       /* primes handed to a sink at once */
#define PRESIEVE_MAX 31                  /* primes up to this are pre-sieved */

static const uint64_t presieve_primes[] = {3, 5, 7, 11, 13, 17, 19, 23, 29, 31};
#define NPRESIEVE (sizeof presieve_primes / sizeof presieve_primes[0])

uint64_t mpp_isqrt(uint64_t n)
{
    /* Newton's method from above, in integers: exact for every 64-bit n. */
    if (n < 2)
        return n;
    uint64_t x = (uint64_t)1 << ((64 - __builtin_clzll(n) + 1) / 2); /* >= sqrt(n) */
    for (;;) {
        uint64_t y = (x + n / x) / 2;
        if (y >= x)
            return x;
        x = y;
    }
}

/* Smallest odd multiple of P (odd) that is >= max(P * P, FROM); it may
 * exceed 2^64 - 1, hence the 128-bit result. */
static unsigned __int128 first_odd_multiple(uint64_t p, uint64_t from)
{
    uint64_t start = p * p; /* p < 2^32, so this fits */
    if (from > start)
        start = from;
    uint64_t q = start / p + (start % p != 0);
    if ((q & 1) == 0)
        q++;
    return (unsigned __int128)q * p;
}

/* The odd primes up to LIMIT (small: at most SMALL_MAX), by a plain sieve. */
static uint64_t *odd_primes_upto(uint64_t limit, size_t *n)
{
    *n = 0;
    if (limit < 3)
        return malloc(1); /* an empty, freeable list */
    unsigned char *composite = calloc(limit + 1, 1);
    /* pi(x) < 1.26 x / ln x; x / 4 + 8 is a simple bound for x < 2^20. */
    uint64_t *primes = malloc((limit / 4 + 8) * sizeof *primes);
    if (!composite || !primes) {
        free(composite);
        free(primes);
        return NULL;
    }
    for (uint64_t i = 3; i <= limit; i += 2) {
        if (composite[i])
            continue;
        primes[(*n)++] = i;
        for (uint64_t j = i * i; j <= limit; j += 2 * i)
            composite[j] = 1;
    }
    free(composite);
    return primes;
}

/* A sieving prime and the index of its next odd multiple, counted from the
 * start of the segment being sieved. */
typedef struct {
    uint64_t p;
    uint64_t next;
} sieving_prime;

/* Clears bit I of BITS. */
static inline void cross_off(uint64_t *bits, uint64_t i)
{
    bits[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

/* The state of one mpp_sieve() call. */
typedef struct {
    uint64_t first;      /* value of bit 0 of the whole odd range */
    uint64_t *bits;      /* the current window */
    sieving_prime *small;
    size_t nsmall;
    const mpp_sink *sink;
    mpp_tally *tally;
    uint64_t batch[BATCH];
    size_t nbatch;
    uint64_t pattern[NPRESIEVE][PRESIEVE_MAX]; /* see build_patterns() */
} sieve_state;

/* Large primes crossing off one window: the context of cross_off_large(). */
typedef struct {
    uint64_t *bits;
    uint64_t lo; /* value of bit 0 of the window */
    uint64_t nbits;
} window_ref;

static int cross_off_large(void *ctx, const uint64_t *primes, size_t n)
{
    const window_ref *w = ctx;
    uint64_t hi = w->lo + 2 * (w->nbits - 1);
    for (size_t k = 0; k < n; k++) {
        uint64_t p = primes[k];
        unsigned __int128 m = first_odd_multiple(p, w->lo);
        if (m > hi)
            continue;
        for (uint64_t i = (uint64_t)(m - w->lo) / 2; i < w->nbits; i += p)
            cross_off(w->bits, i);
    }
    return MPP_OK;
}

static int flush(sieve_state *s)
{
    int rc = MPP_OK;
    if (s->nbatch)
        rc = s->sink->fn(s->sink->ctx, s->batch, s->nbatch);
    s->nbatch = 0;
    return rc;
}

static int emit(sieve_state *s, uint64_t prime)
{
    if (s->tally->count == 0)
        s->tally->first = prime;
    s->tally->count++;
    s->tally->last = prime;
    if (!s->sink)
        return MPP_OK;
    s->batch[s->nbatch++] = prime;
    return s->nbatch == BATCH ? flush(s) : MPP_OK;
}

/* pattern[k][r]: the word whose first bit stands for a value v with
 * v mod presieve_primes[k] == r, with the odd multiples of that prime
 * cleared (bit j stands for v + 2j). Built per call (microseconds), so the
 * library keeps no global state. */
static void build_patterns(uint64_t pattern[NPRESIEVE][PRESIEVE_MAX])
{
    for (size_t k = 0; k < NPRESIEVE; k++) {
        uint64_t p = presieve_primes[k];
        for (uint64_t r = 0; r < p; r++) {
            uint64_t word = ~(uint64_t)0;
            for (uint64_t j = 0; j < 64; j++)
                if ((r + 2 * j) % p == 0)
                    word &= ~((uint64_t)1 << j);
            pattern[k][r] = word;
        }
    }
}

/* Applies the patterns to bits [FROM, FROM + N) of a window whose bit 0
 * stands for LO (FROM is a multiple of 64), then puts back the pre-sieved
 * primes that lie in those bits. */
static void presieve(const sieve_state *s, uint64_t lo, uint64_t from, uint64_t n)
{
    uint64_t *w = s->bits + from / 64, nwords = (n + 63) / 64;
    uint64_t v = lo + 2 * from; /* value of the segment's first bit */
    for (size_t k = 0; k < NPRESIEVE; k++) {
        uint64_t p = presieve_primes[k], r = v % p, step = 128 % p;
        const uint64_t *pat = s->pattern[k];
        for (uint64_t i = 0; i < nwords; i++) {
            w[i] &= pat[r];
            r += step;
            if (r >= p)
                r -= p;
        }
        if (p >= v && (p - v) / 2 < n) /* p itself is prime */
            w[(p - v) / 128] |= (uint64_t)1 << ((p - v) / 2 % 64);
    }
}

/* Crosses off the small primes in bits [FROM, FROM + N) of the window. */
static void sieve_segment(sieve_state *s, uint64_t from, uint64_t n)
{
    for (size_t k = 0; k < s->nsmall; k++) {
        sieving_prime *sp = &s->small[k];
        uint64_t i = sp->next;
        for (; i < n; i += sp->p)
            cross_off(s->bits, from + i);
        sp->next = i - n;
    }
}

/* Reports the primes left in bits [FROM, FROM + N) of a window whose bit 0
 * stands for LO. FROM is a multiple of 64. */
static int collect_segment(sieve_state *s, uint64_t lo, uint64_t from, uint64_t n)
{
    uint64_t *w = s->bits + from / 64;
    uint64_t nwords = (n + 63) / 64;
    if (n % 64)
        w[nwords - 1] &= ((uint64_t)1 << (n % 64)) - 1; /* bits past the end */
    if (!s->sink) {
        /* Count with popcount; only the first and last word holding a prime
         * are looked at bit by bit. */
        uint64_t found = 0;
        for (uint64_t k = 0; k < nwords; k++)
            found += (uint64_t)__builtin_popcountll(w[k]);
        if (found == 0)
            return MPP_OK;
        uint64_t k = 0, j = nwords - 1;
        while (!w[k])
            k++;
        while (!w[j])
            j--;
        uint64_t base = lo + 2 * from;
        uint64_t first = base + 2 * (64 * k + (uint64_t)__builtin_ctzll(w[k]));
        uint64_t last = base + 2 * (64 * j + 63 - (uint64_t)__builtin_clzll(w[j]));
        if (s->tally->count == 0)
            s->tally->first = first;
        s->tally->count += found;
        s->tally->last = last;
        return MPP_OK;
    }
    for (uint64_t k = 0; k < nwords; k++) {
        uint64_t word = w[k];
        uint64_t base = lo + 2 * (from + 64 * k);
        while (word) {
            int rc = emit(s, base + 2 * (uint64_t)__builtin_ctzll(word));
            if (rc != MPP_OK)
                return rc;
            word &= word - 1;
        }
    }
    return MPP_OK;
}

/* Sieves bits [W0, W0 + N) of the odd range as one window. */
static int sieve_window(sieve_state *s, uint64_t w0, uint64_t n)
{
    uint64_t lo = s->first + 2 * w0;
    uint64_t hi = lo + 2 * (n - 1);
    memset(s->bits, 0xff, ((n + 63) / 64) * sizeof *s->bits);

    uint64_t root = mpp_isqrt(hi);
    if (root > SMALL_MAX) {
        window_ref w = {s->bits, lo, n};
        mpp_sink large = {cross_off_large, &w};
        mpp_tally ignored;
        int rc = mpp_sieve(SMALL_MAX + 1, root, &large, &ignored);
        if (rc != MPP_OK)
            return rc;
    }
    for (uint64_t from = 0; from < n; from += SEGMENT_BITS) {
        uint64_t len = n - from < SEGMENT_BITS ? n - from : SEGMENT_BITS;
        presieve(s, lo, from, len);
        sieve_segment(s, from, len);
        int rc = collect_segment(s, lo, from, len);
        if (rc != MPP_OK)
            return rc;
    }
    return MPP_OK;
}

/* Sets up the small sieving primes for the odd range starting at FIRST and
 * ending at LAST. */
static int init_small_primes(sieve_state *s, uint64_t last)
{
    uint64_t root = mpp_isqrt(last);
    size_t n;
    uint64_t *primes = odd_primes_upto(root < SMALL_MAX ? root : SMALL_MAX, &n);
    if (!primes)
        return MPP_ENOMEM;
    s->small = malloc((n ? n : 1) * sizeof *s->small);
    if (!s->small) {
        free(primes);
        return MPP_ENOMEM;
    }
    s->nsmall = 0;
    for (size_t k = 0; k < n; k++) {
        if (primes[k] <= PRESIEVE_MAX)
            continue; /* done by presieve() */
        unsigned __int128 m = first_odd_multiple(primes[k], s->first);
        if (m > last)
            continue; /* no multiple of it to cross off in the range */
        s->small[s->nsmall].p = primes[k];
        s->small[s->nsmall].next = (uint64_t)(m - s->first) / 2;
        s->nsmall++;
    }
    free(primes);
    return MPP_OK;
}

int mpp_sieve(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally)
{
    sieve_state *s = calloc(1, sizeof *s);
    if (!s)
        return MPP_ENOMEM;
    tally->count = tally->first = tally->last = 0;
    s->sink = sink;
    s->tally = tally;

    int rc = MPP_OK;
    if (lo <= 2 && 2 <= hi)
        rc = emit(s, 2);
    if (rc == MPP_OK && hi >= 3 && lo <= hi) {
        s->first = lo <= 3 ? 3 : (lo | 1);
        uint64_t last = (hi & 1) ? hi : hi - 1;
        if (s->first <= last) {
            uint64_t nbits = (last - s->first) / 2 + 1; /* odd numbers in range */
            bool large = mpp_isqrt(last) > SMALL_MAX;
            uint64_t window = SEGMENT_BITS * (large ? WINDOW_SEGMENTS : 1);
            if (window > nbits)
                window = nbits;
            s->bits = malloc(((window + 63) / 64) * sizeof *s->bits);
            build_patterns(s->pattern);
            rc = s->bits ? init_small_primes(s, last) : MPP_ENOMEM;
            for (uint64_t w0 = 0; rc == MPP_OK && w0 < nbits; w0 += window) {
                uint64_t n = nbits - w0 < window ? nbits - w0 : window;
                rc = sieve_window(s, w0, n);
            }
        }
    }
    if (rc == MPP_OK && sink)
        rc = flush(s);
    free(s->bits);
    free(s->small);
    free(s);
    return rc;
}
