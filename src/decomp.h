/* decomp.h - block decomposition of [START, STOP] over NRANKS ranks.
 *
 * Rank r gets a contiguous block; the blocks cover [START, STOP] exactly once,
 * in rank order, and their sizes differ by at most one (the first
 * (N mod NRANKS) ranks get one number more, N = STOP - START + 1, which may be
 * 2^64). With more ranks than numbers the last ranks get empty blocks.
 */
#ifndef MPP_DECOMP_H
#define MPP_DECOMP_H

#include <stdint.h>

/* Three 64-bit words, so a block array is sent with MPI_Scatter as
 * 3 x MPI_UINT64_T per rank. */
typedef struct {
    uint64_t lo;    /* first number (inclusive); 0 when empty */
    uint64_t hi;    /* last number (inclusive); 0 when empty */
    uint64_t empty; /* 1 when the block holds no number, else 0 */
} mpp_block;

#define MPP_BLOCK_WORDS 3

/* Block of RANK (0 <= RANK < NRANKS, START <= STOP). */
mpp_block mpp_block_of(uint64_t start, uint64_t stop, int nranks, int rank);

/* Fills BLOCKS[0..NRANKS-1]. */
void mpp_block_decompose(uint64_t start, uint64_t stop, int nranks, mpp_block *blocks);

#endif
