/* rounds.h - listing primes in rounds, with bounded buffers.
 *
 * When the primes themselves are wanted (the default mode, --print,
 * --output), [START, STOP] is worked through in rounds. Each round takes the
 * next stretch of the range and splits it into one block per rank (the block
 * decomposition of decomp.h, applied to the stretch); every rank encodes the
 * primes of its block into a buffer of BUDGET bytes; then the round's output
 * is gathered (or written) in rank order, which is ascending order. When the
 * whole range fits in one round this is exactly the one-Scatter,
 * one-Gatherv pipeline.
 *
 * The stretch is sized from the expected number of primes (li(x)), so that
 * the densest block fills about 3/4 of its buffer. The primes are irregular,
 * so a block can still overflow: its rank then stops at the last prime that
 * fit. The round is committed up to there (the ranks before it whole, that
 * rank's stored primes), the later ranks' work is dropped, and the next
 * round starts right after the last committed prime. No prime is lost or
 * repeated, and no estimate needs to be exact. Every rank stores at least
 * one prime per round, so every round makes progress.
 */
#ifndef MPP_ROUNDS_H
#define MPP_ROUNDS_H

#include <stdbool.h>
#include <stdint.h>

#include "decomp.h"
#include "output.h"

/* Fills BLOCKS[0..NRANKS-1] with the next round: the stretch from FROM
 * (FROM <= STOP), cut in equal blocks for the NRANKS ranks, each expected
 * to need at most 3/4 of BUDGET bytes in format FMT. Returns the stretch's
 * last number (<= STOP). BUDGET must be at least
 * mpp_format_max_bytes(FMT, STOP). */
uint64_t mpp_plan_round(uint64_t from, uint64_t stop, int nranks, uint64_t budget,
                        mpp_format fmt, mpp_block *blocks);

/* What a rank reports about its block after a round. */
typedef struct {
    uint64_t bytes;  /* encoded bytes stored */
    uint64_t count;  /* primes stored */
    uint64_t first;  /* smallest stored (count > 0) */
    uint64_t last;   /* largest stored (count > 0) */
    uint64_t full;   /* 1: the buffer filled before the block's end */
    uint64_t error;  /* an errno (0: none), e.g. ENOMEM or a write error */
} mpp_piece_meta;

#define MPP_META_WORDS 6

/* The outcome of a round. */
typedef struct {
    int committed;     /* ranks 0..committed-1 count (the last one perhaps in part) */
    uint64_t count;    /* committed primes */
    uint64_t bytes;    /* committed bytes */
    bool done;         /* the committed part reaches STOP */
    uint64_t next;     /* where the next round starts (when not done) */
} mpp_round_result;

/* Applies the rule above to a round whose stretch ended at STRETCH_END,
 * given each rank's META (in rank order). Returns false when
 * the round made no progress (a rank's buffer cannot take one prime), which
 * mpp_plan_round's BUDGET requirement rules out. */
bool mpp_commit_round(const mpp_piece_meta *meta, int nranks,
                      uint64_t stretch_end, uint64_t stop, mpp_round_result *res);

#endif
