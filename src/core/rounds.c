/* rounds.c - planning and committing the rounds of a listing (see rounds.h). */
#include "rounds.h"

#include "estimate.h"

typedef unsigned __int128 u128;

/* The share of a buffer a rank's chunks are expected to fill. */
#define FILL 0.75
/* Chunks per rank and round the planner aims at for cyclic and dynamic. */
#define ROUND_CHUNKS (MPP_ROUND_RANK_CHUNKS / 4)

bool mpp_round_turns(mpp_decomposition d, int nranks)
{
    return nranks > 1 && (d == MPP_DECOMP_BLOCK || d == MPP_DECOMP_BALANCED);
}

static uint64_t end_of(uint64_t from, u128 len, uint64_t stop)
{
    u128 end = (u128)from + len - 1;
    return end > stop ? stop : (uint64_t)end;
}

/* The expected bytes of the items of KIND (primes, or tuplets) in [LO, LO +
 * LEN - 1] in format FMT, each taking its largest size below LAST. */
static double expected_bytes(uint64_t lo, uint64_t len, uint64_t last, mpp_format fmt, int kind)
{
    u128 hi = (u128)lo + len - 1;
    uint64_t h = hi > UINT64_MAX ? UINT64_MAX : (uint64_t)hi;
    double n = kind > 1 ? mpp_tuplet_count_expected(kind, lo, h) : mpp_prime_count_expected(lo, h);
    return n * (double)mpp_item_max_bytes(fmt, kind, last);
}

/* Whether blocks of LEN numbers from FROM are expected to fit in LIMIT
 * bytes when a stretch of NPIECES of them (capped at STOP) is planned. The
 * density of primes falls from 2 on, so the densest block is the one
 * starting at FROM, or at 2 when FROM is 0 or 1 (which are not prime); the
 * stretch's last number is the longest. */
static bool fits(uint64_t from, uint64_t stop, u128 npieces, uint64_t len, double limit,
                 mpp_format fmt, int kind)
{
    uint64_t last = end_of(from, (u128)len * npieces, stop);
    return expected_bytes(from < 2 ? 2 : from, len, last, fmt, kind) <= limit;
}

/* The longest LEN in [1, MOST] for which fits() holds (1 always does: one
 * number is at most one prime, and the budget holds one). */
static uint64_t longest_fit(uint64_t from, uint64_t stop, u128 npieces, uint64_t most,
                            double limit, mpp_format fmt, int kind)
{
    if (fits(from, stop, npieces, most, limit, fmt, kind))
        return most;
    uint64_t lo = 1, hi = most - 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (fits(from, stop, npieces, mid, limit, fmt, kind))
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Block: equal blocks as long as the densest one fits. */
static uint64_t plan_blocks(uint64_t from, uint64_t stop, int nranks, double limit,
                            mpp_format fmt, int kind, mpp_block *blocks)
{
    u128 remaining = (u128)(stop - from) + 1;
    /* The longest useful block: the rest of the range in one round (at
     * most 2^64 - 1 numbers: all 2^64 on one rank take two rounds). */
    u128 most = (remaining + (unsigned)nranks - 1) / (unsigned)nranks;
    if (most > UINT64_MAX)
        most = UINT64_MAX;
    uint64_t len = longest_fit(from, stop, (unsigned)nranks, (uint64_t)most, limit, fmt, kind);
    uint64_t last = end_of(from, (u128)len * (unsigned)nranks, stop);
    mpp_block_decompose(from, last, nranks, blocks);
    return last;
}

/* Balanced: the block plan's stretch, split by cost, shortened until every
 * block is expected to fit (balanced blocks are unequal: with trial
 * division the first, densest ones are the longest). */
static uint64_t plan_balanced(mpp_method method, uint64_t from, uint64_t stop, int nranks,
                              double limit, mpp_format fmt, int kind, mpp_block *blocks)
{
    uint64_t last = plan_blocks(from, stop, nranks, limit, fmt, kind, blocks);
    for (int tries = 0; tries < 60; tries++) {
        mpp_balanced_decompose(method, from, last, nranks, blocks);
        double worst = 0;
        for (int k = 0; k < nranks && !blocks[k].empty; k++) {
            double b = expected_bytes(blocks[k].lo < 2 ? 2 : blocks[k].lo,
                                      blocks[k].hi - blocks[k].lo + 1, last, fmt, kind);
            worst = b > worst ? b : worst;
        }
        if (worst <= limit || last == from)
            return last;
        double keep = 0.9 * limit / worst;
        uint64_t len = (uint64_t)((double)(last - from) * keep);
        last = from + len;
    }
    /* The model never settled: the plain blocks, which fit. */
    return plan_blocks(from, last, nranks, limit, fmt, kind, blocks);
}

uint64_t mpp_plan_round(mpp_decomposition d, mpp_method method, uint64_t from,
                        uint64_t stop, int nranks, uint64_t budget, mpp_format fmt, int kind,
                        uint64_t chunk, mpp_block *blocks, mpp_round_plan *plan)
{
    double limit = FILL * (double)budget;
    plan->from = from;
    plan->chunk = 0;
    if (d == MPP_DECOMP_BLOCK || d == MPP_DECOMP_BALANCED) {
        plan->end = d == MPP_DECOMP_BLOCK
                        ? plan_blocks(from, stop, nranks, limit, fmt, kind, blocks)
                        : plan_balanced(method, from, stop, nranks, limit, fmt, kind, blocks);
        plan->nchunks = 0;
        while (plan->nchunks < (uint64_t)nranks && !blocks[plan->nchunks].empty)
            plan->nchunks++;
        return plan->end;
    }
    /* Cyclic, dynamic: chunks no longer than fits one buffer (dynamic:
     * half of one, so that a rank may take twice its share), then as many
     * per rank as fit, up to ROUND_CHUNKS. */
    if (d == MPP_DECOMP_DYNAMIC)
        limit /= 2;
    u128 remaining = (u128)(stop - from) + 1;
    uint64_t most = remaining < chunk ? (uint64_t)remaining : chunk;
    uint64_t len = longest_fit(from, stop, 1, most, limit, fmt, kind);
    uint64_t m = ROUND_CHUNKS;
    for (int pass = 0; pass < 2; pass++) {
        /* The chunks' count per rank for this length; then, since the
         * stretch's later chunks hold longer primes (more digits), the
         * length again with the bytes of a prime at the stretch's end. */
        u128 stretch = (u128)len * m * (unsigned)nranks;
        uint64_t last = end_of(from, stretch, stop);
        double one = expected_bytes(from < 2 ? 2 : from, len, last, fmt, kind);
        double per_rank = one > 0 ? limit / one : ROUND_CHUNKS;
        m = per_rank < 1 ? 1 : per_rank > ROUND_CHUNKS ? ROUND_CHUNKS : (uint64_t)per_rank;
        if (one > limit)
            len = longest_fit(from, stop, (u128)m * (unsigned)nranks, len, limit, fmt, kind);
    }
    u128 want = (u128)m * (unsigned)nranks;
    u128 have = (remaining - 1) / len + 1;
    plan->chunk = len;
    plan->nchunks = (uint64_t)(want < have ? want : have);
    plan->end = end_of(from, (u128)len * plan->nchunks, stop);
    return plan->end;
}

mpp_block mpp_round_chunk(const mpp_round_plan *plan, const mpp_block *blocks, uint64_t j)
{
    return plan->chunk ? mpp_chunk_of(plan->from, plan->end, plan->chunk, j) : blocks[j];
}

mpp_share mpp_round_share(mpp_decomposition d, const mpp_round_plan *plan,
                          const mpp_block *blocks, int nranks, int rank)
{
    return mpp_share_of(d, blocks, plan->from, plan->end, plan->chunk, nranks, rank);
}

bool mpp_commit_round(const mpp_round_plan *plan, const mpp_block *blocks,
                      const mpp_chunk_meta *const *by_index, uint64_t stop,
                      mpp_round_result *res)
{
    res->committed = res->count = res->bytes = 0;
    res->done = false;
    for (uint64_t j = 0; j < plan->nchunks; j++) {
        const mpp_chunk_meta *m = by_index[j];
        if (m == NULL || (m->full && m->count == 0)) {
            /* Not done, or nothing of it stored: the next round starts
             * at its first number. */
            res->committed = j;
            res->next = mpp_round_chunk(plan, blocks, j).lo;
            return j > 0;
        }
        res->committed = j + 1;
        res->count += m->count;
        res->bytes += m->bytes;
        if (m->full) {
            /* Primes of the chunk remain after the last one stored. */
            res->next = m->last + 1;
            return true;
        }
    }
    res->done = plan->end == stop;
    res->next = res->done ? stop : plan->end + 1;
    return true;
}
