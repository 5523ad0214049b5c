/* decomp.c - block decomposition. The range may hold 2^64 numbers
 * ([0, 2^64 - 1]), so sizes are computed in 128 bits. */
#include "decomp.h"

mpp_block mpp_block_of(uint64_t start, uint64_t stop, int nranks, int rank)
{
    unsigned __int128 n = (unsigned __int128)(stop - start) + 1;
    unsigned __int128 q = n / (unsigned)nranks, r = n % (unsigned)nranks;
    unsigned __int128 k = (unsigned)rank;
    /* The first r ranks get q + 1 numbers, the others q. */
    unsigned __int128 offset = k * q + (k < r ? k : r);
    unsigned __int128 size = q + (k < r ? 1 : 0);
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
