/* rounds.c - sizing and committing the rounds of a listing (see rounds.h). */
#include "rounds.h"

#include "memory.h"

typedef unsigned __int128 u128;

/* The share of a buffer the densest block is expected to fill. */
#define FILL 0.75

/* Whether blocks of LEN numbers from FROM are expected to fit in BUDGET. */
static bool fits(uint64_t from, uint64_t stop, int nranks, uint64_t len, uint64_t budget,
                 mpp_format fmt)
{
    u128 end = (u128)from + (u128)len * (unsigned)nranks - 1;
    uint64_t last = end > stop ? stop : (uint64_t)end;
    /* The density of primes falls from 2 on, so the densest block is the
     * one starting at FROM, or at 2 when FROM is 0 or 1 (which are not
     * prime); the stretch's last number is the longest. */
    uint64_t dense = from < 2 ? 2 : from;
    u128 dense_end = (u128)dense + len - 1;
    double primes = mpp_prime_count_expected(
        dense, dense_end > UINT64_MAX ? UINT64_MAX : (uint64_t)dense_end);
    double bytes = primes * (double)mpp_format_max_bytes(fmt, last);
    return bytes <= FILL * (double)budget;
}

uint64_t mpp_plan_round(uint64_t from, uint64_t stop, int nranks, uint64_t budget,
                        mpp_format fmt, mpp_block *blocks)
{
    u128 remaining = (u128)(stop - from) + 1;
    /* The longest useful block: the rest of the range in one round (at
     * most 2^64 - 1 numbers: all 2^64 on one rank take two rounds). */
    u128 most = (remaining + (unsigned)nranks - 1) / (unsigned)nranks;
    if (most > UINT64_MAX)
        most = UINT64_MAX;
    uint64_t len;
    if (fits(from, stop, nranks, (uint64_t)most, budget, fmt)) {
        len = (uint64_t)most;
    } else {
        /* Largest len in [1, most) that fits; 1 always does (one number is
         * at most one prime, and BUDGET holds one). */
        uint64_t lo = 1, hi = (uint64_t)(most - 1);
        while (lo < hi) {
            uint64_t mid = lo + (hi - lo + 1) / 2;
            if (fits(from, stop, nranks, mid, budget, fmt))
                lo = mid;
            else
                hi = mid - 1;
        }
        len = lo;
    }
    u128 end = (u128)from + (u128)len * (unsigned)nranks - 1;
    uint64_t last = end > stop ? stop : (uint64_t)end;
    mpp_block_decompose(from, last, nranks, blocks);
    return last;
}

bool mpp_commit_round(const mpp_piece_meta *meta, int nranks,
                      uint64_t stretch_end, uint64_t stop, mpp_round_result *res)
{
    res->committed = nranks;
    res->count = res->bytes = 0;
    for (int i = 0; i < nranks; i++) {
        res->count += meta[i].count;
        res->bytes += meta[i].bytes;
        if (!meta[i].full)
            continue;
        /* Rank i stopped at its last stored prime; primes of its block
         * remain after it, so the range goes on from there. */
        res->committed = i + 1;
        res->done = false;
        res->next = meta[i].last + 1;
        return meta[i].count > 0;
    }
    res->done = stretch_end == stop;
    res->next = res->done ? stop : stretch_end + 1;
    return true;
}
