/* rounds.h - listing primes in rounds, with bounded buffers.
 *
 * When the primes themselves are wanted (the default mode, --print,
 * --output), [START, STOP] is worked through in rounds. Each round takes the
 * next stretch of the range and cuts it into chunks, shared among the ranks
 * by the decomposition (decomp.h): for block and balanced one chunk per
 * rank (the rank's block of the stretch); for cyclic and dynamic a grid of
 * equal chunks, several per rank, dealt round-robin or handed out on request.
 * Every rank encodes the primes of its chunks, in ascending order, into a
 * buffer of BUDGET bytes; then the round's output is put together in chunk
 * order, which is ascending order. When the whole range fits in one round
 * this is exactly the one-Scatter, one-Gatherv pipeline.
 *
 * The stretch is sized from the expected number of primes (li(x)), so that
 * the densest chunk of a rank fills its share of about 3/4 of its buffer.
 * The primes are irregular, so a buffer can still fill up: its rank then
 * stops at the last prime that fit. The round is committed up to there: the
 * chunks before it whole, that chunk's stored primes; the later chunks' work
 * is dropped, and the next round starts right after the last committed
 * prime. A chunk that was handed out but not done (its rank's buffer filled
 * on an earlier chunk) cuts the round the same way, at its first number. No
 * prime is lost or repeated, and no estimate needs to be exact. Chunk 0 is
 * the first chunk of an empty buffer, so every round makes progress.
 */
#ifndef MPP_ROUNDS_H
#define MPP_ROUNDS_H

#include <stdbool.h>
#include <stdint.h>

#include "decomp.h"
#include "encode.h"

/* Whether rank 0 of a gathering outlet (the default mode, --print)
 * receives the round's primes one rank at a time ("in turns") rather than
 * all at once: for block and balanced over several ranks, whose chunks are
 * one per rank and in rank order, so that rank 0 can write (or check) each
 * rank's bytes before the next rank's arrive in the same buffer. Each rank
 * then holds a whole --buffer of primes a round, not a 1/NRANKS share, and
 * a range takes NRANKS times fewer rounds: fewer jumps of each rank's sieve
 * from its block of one round to its block of the next (rank 0's memory is
 * the same). Cyclic and dynamic interleave the ranks' chunks, so rank 0
 * needs them all at once. */
bool mpp_round_turns(mpp_decomposition d, int nranks);

/* Chunks a rank may do in one round (dynamic: a rank that has done this
 * many asks for no more; the planner deals at most a quarter of it per rank
 * on average). */
#define MPP_ROUND_RANK_CHUNKS 256

/* How a round's stretch [FROM, END] is cut. */
typedef struct {
    uint64_t from, end;
    uint64_t chunk;   /* cyclic, dynamic: chunk j is [FROM + j CHUNK, ...] capped at
                         END; 0 (block, balanced): chunk j is BLOCKS[j] */
    uint64_t nchunks; /* chunks in the round (block: the non-empty blocks) */
} mpp_round_plan;

/* Plans the round that starts at FROM (FROM <= STOP) for decomposition D of
 * METHOD over NRANKS ranks with BUDGET bytes each of items of KIND (1:
 * primes; 2..6: tuplets, encode.h) in format FMT: fills
 * *PLAN, and for block and balanced BLOCKS[0..NRANKS-1]. CHUNK (>= 1) is
 * the chunk length for cyclic and dynamic; it is shortened when one chunk's
 * primes are not expected to fit. Returns the stretch's last number
 * (<= STOP). BUDGET must be at least mpp_item_max_bytes(FMT, KIND, STOP). */
uint64_t mpp_plan_round(mpp_decomposition d, mpp_method method, uint64_t from,
                        uint64_t stop, int nranks, uint64_t budget, mpp_format fmt,
                        int kind, uint64_t chunk, mpp_block *blocks, mpp_round_plan *plan);

/* The bounds of chunk J (< PLAN->nchunks) of the round. */
mpp_block mpp_round_chunk(const mpp_round_plan *plan, const mpp_block *blocks, uint64_t j);

/* What RANK is given in the round. */
mpp_share mpp_round_share(mpp_decomposition d, const mpp_round_plan *plan,
                          const mpp_block *blocks, int nranks, int rank);

/* What a rank reports about one chunk it did in a round. */
typedef struct {
    uint64_t index; /* the chunk's number in the round */
    uint64_t bytes; /* encoded bytes stored */
    uint64_t count; /* primes stored */
    uint64_t first; /* smallest stored (count > 0) */
    uint64_t last;  /* largest stored (count > 0) */
    uint64_t full;  /* 1: the buffer filled before the chunk's end */
} mpp_chunk_meta;

#define MPP_CHUNK_META_WORDS 6

/* The outcome of a round. */
typedef struct {
    uint64_t committed; /* chunks 0..committed-1 count (the last one perhaps in part) */
    uint64_t count;     /* committed primes */
    uint64_t bytes;     /* committed bytes */
    bool done;          /* the committed part reaches STOP */
    uint64_t next;      /* where the next round starts (when not done) */
} mpp_round_result;

/* Applies the rule above to the round PLAN (and BLOCKS), given the meta of
 * each chunk by its number (BY_INDEX[j], NULL for a chunk not done).
 * Returns false when the round made no progress, which the rules above
 * rule out. */
bool mpp_commit_round(const mpp_round_plan *plan, const mpp_block *blocks,
                      const mpp_chunk_meta *const *by_index, uint64_t stop,
                      mpp_round_result *res);

#endif
