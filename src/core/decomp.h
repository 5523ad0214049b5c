/* decomp.h - how [START, STOP] is shared among NRANKS ranks.
 *
 * Four decompositions (-d, --decomposition):
 *
 *   block     one contiguous block per rank, sizes differing by at most one
 *             (the first (N mod NRANKS) ranks get one number more, N = STOP -
 *             START + 1, which may be 2^64); with more ranks than numbers the
 *             last ranks get empty blocks. The default.
 *   balanced  one contiguous block per rank, the boundaries chosen so that
 *             every block has the same modeled cost (mpp_cost) for the method.
 *   cyclic    the range cut into chunks of CHUNK numbers, dealt round-robin:
 *             rank r gets chunks r, r + NRANKS, r + 2 NRANKS, ...
 *   dynamic   the same chunks, handed out at run time to whichever rank asks
 *             first (manager/worker); rank r starts with chunk r, then takes
 *             the chunks of its own span of the rest while it has any
 *             (mpp_deal).
 *
 * What a rank is given is an mpp_share: a fixed-size record (sent with
 * MPI_Scatter) from which the rank enumerates its chunks in ascending order.
 */
#ifndef MPP_DECOMP_H
#define MPP_DECOMP_H

#include <stdbool.h>
#include <stdint.h>

#include "finder.h"

typedef enum {
    MPP_DECOMP_BLOCK = 0,
    MPP_DECOMP_BALANCED = 1,
    MPP_DECOMP_CYCLIC = 2,
    MPP_DECOMP_DYNAMIC = 3
} mpp_decomposition;

/* "block", "balanced", "cyclic", "dynamic"; NULL for an invalid value. */
const char *mpp_decomposition_name(mpp_decomposition d);

/* The decomposition called NAME; false when there is none. */
bool mpp_decomposition_from_name(const char *name, mpp_decomposition *d);

/* Three 64-bit words. */
typedef struct {
    uint64_t lo;    /* first number (inclusive); 0 when empty */
    uint64_t hi;    /* last number (inclusive); 0 when empty */
    uint64_t empty; /* 1 when the block holds no number, else 0 */
} mpp_block;

#define MPP_BLOCK_WORDS 3

/* Block of RANK (0 <= RANK < NRANKS, START <= STOP). */
mpp_block mpp_block_of(uint64_t start, uint64_t stop, int nranks, int rank);

/* Fills BLOCKS[0..NRANKS-1] with the block decomposition. */
void mpp_block_decompose(uint64_t start, uint64_t stop, int nranks, mpp_block *blocks);

/* ---- the cost model ---- */

/* The modeled time, in seconds on one core of the reference machine
 * (docs/tutorial.md), that METHOD takes over [LO, HI] (0 when LO > HI):
 *   trial  about sqrt(x)/ln x per number x: a prime x costs sqrt(x)/2 odd
 *          divisions, a composite stops at its smallest factor;
 *   sieve  its numbers (each a little dearer higher up: more sieving primes
 *          cross it off), plus finding the sieving primes up to sqrt(HI).
 * A model, calibrated on one machine: good for the shape of the cost, not
 * for a forecast. */
double mpp_cost(mpp_method method, uint64_t lo, uint64_t hi);

/* Fills BLOCKS[0..NRANKS-1] with contiguous blocks, in rank order, that
 * cover [START, STOP] and have (nearly) equal mpp_cost for METHOD. Empty
 * blocks come last, and only when there are more ranks than numbers. */
void mpp_balanced_decompose(mpp_method method, uint64_t start, uint64_t stop, int nranks,
                            mpp_block *blocks);

/* ---- chunks ---- */

/* Chunks per rank the default chunk length aims at. */
#define MPP_CHUNKS_PER_RANK 16

/* The default chunk length for cyclic and dynamic: about
 * MPP_CHUNKS_PER_RANK chunks per rank, but for the sieve no shorter than
 * 32 sqrt(STOP) (a chunk that does not follow a rank's last one re-places
 * the sieving primes up to sqrt(STOP), which must stay a small part of its
 * cost), never longer than the range, and never 0. */
uint64_t mpp_default_chunk(mpp_method method, uint64_t start, uint64_t stop, int nranks);

/* The index of the last chunk when [START, STOP] is cut into chunks of
 * CHUNK (>= 1) numbers from START: chunk j is
 * [START + j CHUNK, min(START + (j + 1) CHUNK - 1, STOP)]. */
uint64_t mpp_chunk_last(uint64_t start, uint64_t stop, uint64_t chunk);
mpp_block mpp_chunk_of(uint64_t start, uint64_t stop, uint64_t chunk, uint64_t j);

/* ---- the dynamic hand-out ----
 *
 * Which chunk a rank that asks is given (rank 0's manager decides; see
 * src/mpi/distribute.c). Rank r starts with chunk r (its share); the chunks
 * after those, FROM to LAST, are cut into NRANKS contiguous spans, one per
 * rank, and a rank that asks is given the next chunk of its own span, so
 * that its chunks follow one another (a chunk that follows the rank's last
 * one costs its sieve no jump). A rank whose span is used up takes the
 * upper half of the span with the most chunks left (affinity scheduling,
 * Markatos and LeBlanc 1994): ranks that are faster, or were given
 * cheaper numbers, take over the work of the others, as with chunks handed
 * out in order, at a cost of one scan of the spans per such steal. */
typedef struct {
    uint64_t next; /* the span's next chunk */
    uint64_t left; /* chunks left in it, from NEXT on */
} mpp_deal_span;

#define MPP_DEAL_NONE UINT64_MAX

/* Cuts chunks FROM..LAST (none when FROM > LAST; FROM >= 1) into SPANS[0..
 * NRANKS-1], span r before span r + 1, sizes differing by at most one. */
void mpp_deal_init(mpp_deal_span *spans, int nranks, uint64_t from, uint64_t last);

/* The chunk RANK is given next, or MPP_DEAL_NONE when none is left. */
uint64_t mpp_deal(mpp_deal_span *spans, int nranks, int rank);

/* ---- what a rank is given ---- */

/* A rank's share: the chunks j = FIRST, FIRST + STEP, FIRST + 2 STEP, ... of
 * [LO, HI] cut into chunks of CHUNK numbers (CHUNK 0: the whole of [LO, HI]
 * is chunk 0; then INDEX is the chunk's number in the round, e.g. the rank).
 * STEP 0 (dynamic): the rank starts with chunk FIRST and asks for more.
 * EMPTY: nothing at all. Sent as MPP_SHARE_WORDS x MPI_UINT64_T. */
typedef struct {
    uint64_t lo, hi, chunk, first, step, index, empty;
} mpp_share;

#define MPP_SHARE_WORDS 7

/* The share of RANK when [START, STOP] is decomposed by D over NRANKS
 * (CHUNK for cyclic and dynamic; BLOCKS, when not NULL, is the block or
 * balanced decomposition already computed). */
mpp_share mpp_share_of(mpp_decomposition d, const mpp_block *blocks, uint64_t start,
                       uint64_t stop, uint64_t chunk, int nranks, int rank);

/* Iterates over a static share's chunks: *J starts at UINT64_MAX (before
 * the first); each call moves to the next chunk, stores its bounds in *B and
 * its number in the round in *INDEX, and returns false after the last.
 * For a dynamic share only the first chunk is enumerated. */
bool mpp_share_next(const mpp_share *s, uint64_t *j, mpp_block *b, uint64_t *index);

/* The bounds of chunk INDEX of a share's grid (CHUNK > 0). */
mpp_block mpp_share_chunk(const mpp_share *s, uint64_t index);

/* Chunks and numbers of a static share (numbers saturate at UINT64_MAX: only
 * the whole of [0, 2^64 - 1] on one rank holds more). */
void mpp_share_size(const mpp_share *s, uint64_t *chunks, uint64_t *numbers);

#endif
