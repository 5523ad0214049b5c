/* decomp.c - the decompositions, the cost model and the shares. Ranges may
 * hold 2^64 numbers ([0, 2^64 - 1]), so sizes are computed in 128 bits. */
#include "decomp.h"

#include <math.h>
#include <string.h>

#include "estimate.h"

typedef unsigned __int128 u128;

static const char *const names[] = {"block", "balanced", "cyclic", "dynamic"};
enum { N_NAMES = sizeof names / sizeof names[0] };

const char *mpp_decomposition_name(mpp_decomposition d)
{
    return (unsigned)d < N_NAMES ? names[d] : NULL;
}

bool mpp_decomposition_from_name(const char *name, mpp_decomposition *d)
{
    for (int i = 0; i < N_NAMES; i++)
        if (strcmp(name, names[i]) == 0) {
            *d = (mpp_decomposition)i;
            return true;
        }
    return false;
}

mpp_block mpp_block_of(uint64_t start, uint64_t stop, int nranks, int rank)
{
    u128 n = (u128)(stop - start) + 1;
    u128 q = n / (unsigned)nranks, r = n % (unsigned)nranks;
    u128 k = (unsigned)rank;
    /* The first r ranks get q + 1 numbers, the others q. */
    u128 offset = k * q + (k < r ? k : r);
    u128 size = q + (k < r ? 1 : 0);
    mpp_block b = {0, 0, 1};
    if (size > 0) {
        b.lo = start + (uint64_t)offset;
        b.hi = b.lo + (uint64_t)(size - 1);
        b.empty = 0;
    }
    return b;
}

void mpp_block_decompose(uint64_t start, uint64_t stop, int nranks, mpp_block *blocks)
{
    for (int rank = 0; rank < nranks; rank++)
        blocks[rank] = mpp_block_of(start, stop, nranks, rank);
}

/* ---- the cost model ----
 * Coefficients in seconds, fitted to blocks timed on one core of the
 * reference machine (an AMD EPYC VM, docs/tutorial.md):
 *   trial  f(x) = B1 sqrt(x)/ln x + B2 sqrt(x)/(ln x)^2 per number: the
 *          primes' sqrt(x)/2 divisions and the composites' (which stop at
 *          their smallest factor); within 2% from 1e4 to 1e12.
 *   sieve  A len x^K (the numbers, crossed off by more primes higher up), plus
 *          C0 + C1 pi(sqrt(hi)) to find the sieving primes, plus C2
 *          pi(min(len, sqrt(hi))) to start the small ones in the block;
 *          within about 20% from 1e9 to 2^64. */
#define TRIAL_B1 1.018e-9
#define TRIAL_B2 6.244e-9
#define SIEVE_A 3.02e-11
#define SIEVE_K 0.075
#define SIEVE_C0 1.22e-3
#define SIEVE_C1 8.22e-9
#define SIEVE_C2 1.5e-8

/* The integral of a positive, non-decreasing density F over [LO, HI + 1],
 * by Simpson's rule on PANELS equal panels: a sum of positive terms (no
 * difference of two large antiderivatives to lose in rounding, near 2^64
 * too), and non-decreasing in HI, as a cost must be. */
#define PANELS 32
static double integral(double (*f)(double), uint64_t lo, uint64_t hi)
{
    /* The length exactly (lo and hi + 1 may round to one double). */
    double a = (double)lo, h = ((double)(hi - lo) + 1) / (2 * PANELS);
    double sum = f(a) + f(a + 2 * PANELS * h);
    for (int i = 1; i < 2 * PANELS; i++)
        sum += (i % 2 ? 4 : 2) * f(a + i * h);
    return sum * h / 3;
}

/* Trial division's cost density: the primes' sqrt(x)/2 divisions and the
 * composites'; held at its value at 8 below 8, where sqrt(x)/ln x would
 * fall and then blow up (the few numbers there cost next to nothing). */
static double trial_density(double x)
{
    if (x < 8)
        x = 8;
    double l = log(x), q = sqrt(x) / l;
    return TRIAL_B1 * q + TRIAL_B2 * q / l;
}

static double sieve_density(double x)
{
    return SIEVE_A * pow(x < 1 ? 1 : x, SIEVE_K);
}

static double trial_cost(uint64_t lo, uint64_t hi)
{
    return integral(trial_density, lo, hi);
}

/* pi(x), estimated. */
static double pi_of(double x)
{
    return x < 2 ? 0 : mpp_prime_count_expected(2, (uint64_t)x);
}

static double sieve_fixed(uint64_t hi)
{
    return SIEVE_C0 + SIEVE_C1 * pi_of(sqrt((double)hi));
}

static double sieve_cost(uint64_t lo, uint64_t hi)
{
    double len = (double)(hi - lo) + 1, root = sqrt((double)hi);
    return integral(sieve_density, lo, hi) + sieve_fixed(hi) +
           SIEVE_C2 * pi_of(len < root ? len : root);
}

double mpp_cost(mpp_method method, uint64_t lo, uint64_t hi)
{
    if (lo > hi)
        return 0;
    return method == MPP_METHOD_TRIAL ? trial_cost(lo, hi) : sieve_cost(lo, hi);
}

/* The fixed part of a block's cost ending at HI (the sieve's start-up). */
static double fixed_cost(mpp_method method, uint64_t hi)
{
    return method == MPP_METHOD_TRIAL ? 0 : sieve_fixed(hi);
}

void mpp_balanced_decompose(mpp_method method, uint64_t start, uint64_t stop, int nranks,
                            mpp_block *blocks)
{
    uint64_t lo = start;
    bool done = false;
    for (int k = 0; k < nranks; k++) {
        if (done) {
            blocks[k] = (mpp_block){0, 0, 1};
            continue;
        }
        int left = nranks - k; /* ranks for [lo, stop], this one included */
        uint64_t hi = stop;
        if (left > 1) {
            /* Equal shares of what remains, each later block paying its own
             * fixed cost too; then the shortest block from LO that costs
             * at least that (bisection: the cost grows with HI). */
            double target = (mpp_cost(method, lo, stop) +
                             (left - 1) * fixed_cost(method, stop)) / left;
            /* Leave at least one number for each later rank, when there
             * are enough: no rank idles while another has two numbers. */
            uint64_t a = lo, b = stop - lo >= (uint64_t)(left - 1) ? stop - (left - 1) : lo;
            while (a < b) {
                uint64_t mid = a + (b - a) / 2;
                if (mpp_cost(method, lo, mid) >= target)
                    b = mid;
                else
                    a = mid + 1;
            }
            hi = a;
        }
        blocks[k] = (mpp_block){lo, hi, 0};
        if (hi == stop)
            done = true;
        else
            lo = hi + 1;
    }
}

/* ---- chunks ---- */

uint64_t mpp_default_chunk(mpp_method method, uint64_t start, uint64_t stop, int nranks)
{
    u128 n = (u128)(stop - start) + 1;
    u128 want = (u128)(unsigned)nranks * MPP_CHUNKS_PER_RANK;
    u128 chunk = (n + want - 1) / want;
    if (method == MPP_METHOD_SIEVE) {
        /* A rank's sieve persists across its chunks (sieve.h): a chunk that
         * does not follow the rank's last one is a jump, which re-places
         * the sieving primes, about sqrt(STOP) / ln(sqrt(STOP)) of them at
         * some 10 ns each. At 32 sqrt(STOP) numbers a chunk sieves for about
         * ten times that (measured: -d dynamic --chunk 1e7 counts [2, 1e10]
         * at 2 ranks in 1.07x the time of -d block). The floor of 2^27
         * numbers that a sieve set up afresh for every chunk needed is gone. */
        u128 least = (u128)(32 * sqrt((double)stop));
        if (chunk < least)
            chunk = least;
    }
    if (chunk > n)
        chunk = n;
    if (chunk > UINT64_MAX)
        chunk = UINT64_MAX;
    return chunk ? (uint64_t)chunk : 1;
}

uint64_t mpp_chunk_last(uint64_t start, uint64_t stop, uint64_t chunk)
{
    return (stop - start) / chunk;
}

mpp_block mpp_chunk_of(uint64_t start, uint64_t stop, uint64_t chunk, uint64_t j)
{
    u128 lo = (u128)start + (u128)j * chunk;
    if (lo > stop)
        return (mpp_block){0, 0, 1};
    u128 hi = lo + chunk - 1;
    return (mpp_block){(uint64_t)lo, hi > stop ? stop : (uint64_t)hi, 0};
}

/* ---- shares ---- */

mpp_share mpp_share_of(mpp_decomposition d, const mpp_block *blocks, uint64_t start,
                       uint64_t stop, uint64_t chunk, int nranks, int rank)
{
    mpp_share s = {.lo = 0, .hi = 0, .chunk = 0, .first = 0, .step = 1, .index = (uint64_t)rank,
                   .empty = 1};
    if (d == MPP_DECOMP_BLOCK || d == MPP_DECOMP_BALANCED) {
        mpp_block b = blocks ? blocks[rank] : mpp_block_of(start, stop, nranks, rank);
        if (!b.empty) {
            s.lo = b.lo;
            s.hi = b.hi;
            s.empty = 0;
        }
        return s;
    }
    s.lo = start;
    s.hi = stop;
    s.chunk = chunk;
    s.first = (uint64_t)rank;
    s.step = d == MPP_DECOMP_CYCLIC ? (uint64_t)nranks : 0;
    s.index = 0;
    s.empty = (uint64_t)rank > mpp_chunk_last(start, stop, chunk);
    return s;
}

mpp_block mpp_share_chunk(const mpp_share *s, uint64_t index)
{
    return mpp_chunk_of(s->lo, s->hi, s->chunk, index);
}

bool mpp_share_next(const mpp_share *s, uint64_t *j, mpp_block *b, uint64_t *index)
{
    if (s->empty)
        return false;
    if (s->chunk == 0) {
        if (*j != UINT64_MAX)
            return false;
        *j = 0;
        *b = (mpp_block){s->lo, s->hi, 0};
        *index = s->index;
        return true;
    }
    uint64_t last = mpp_chunk_last(s->lo, s->hi, s->chunk), next;
    if (*j == UINT64_MAX)
        next = s->first;
    else if (s->step == 0 || last - *j < s->step)
        return false;
    else
        next = *j + s->step;
    if (next > last)
        return false;
    *j = next;
    *b = mpp_share_chunk(s, next);
    *index = next;
    return true;
}

void mpp_share_size(const mpp_share *s, uint64_t *chunks, uint64_t *numbers)
{
    *chunks = *numbers = 0;
    if (s->empty)
        return;
    u128 n;
    if (s->chunk == 0) {
        *chunks = 1;
        n = (u128)(s->hi - s->lo) + 1;
    } else {
        uint64_t last = mpp_chunk_last(s->lo, s->hi, s->chunk);
        if (s->first > last)
            return;
        uint64_t step = s->step ? s->step : UINT64_MAX; /* dynamic: the first only */
        u128 k = (u128)((last - s->first) / step) + 1;
        *chunks = (uint64_t)k;
        n = k * s->chunk;
        if ((last - s->first) % step == 0) { /* the last chunk is ours: it may be short */
            mpp_block b = mpp_share_chunk(s, last);
            n -= s->chunk - ((b.hi - b.lo) + 1);
        }
    }
    *numbers = n > UINT64_MAX ? UINT64_MAX : (uint64_t)n;
}

/* ---- the dynamic hand-out ---- */

void mpp_deal_init(mpp_deal_span *spans, int nranks, uint64_t from, uint64_t last)
{
    u128 total = from > last ? 0 : (u128)(last - from) + 1, at = from;
    for (int r = 0; r < nranks; r++) {
        u128 n = total / (unsigned)nranks + ((u128)r < total % (unsigned)nranks);
        spans[r].next = n ? (uint64_t)at : 0;
        spans[r].left = (uint64_t)n;
        at += n;
    }
}

uint64_t mpp_deal(mpp_deal_span *spans, int nranks, int rank)
{
    mpp_deal_span *mine = &spans[rank];
    if (mine->left == 0) {
        int v = -1;
        for (int r = 0; r < nranks; r++)
            if (spans[r].left > 0 && (v < 0 || spans[r].left > spans[v].left))
                v = r;
        if (v < 0)
            return MPP_DEAL_NONE;
        uint64_t keep = spans[v].left / 2;
        mine->next = spans[v].next + keep;
        mine->left = spans[v].left - keep;
        spans[v].left = keep;
    }
    mine->left--;
    return mine->next++;
}
