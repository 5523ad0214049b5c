/* setup.c - the sieving primes' set-up shared among the ranks.
 *
 * Near 1e19 a short range is sieved by every prime up to sqrt(STOP) (3.2e9:
 * 152 million primes), and most of them have no multiple in it; every rank
 * used to generate all of them and divide each to find out, which more
 * ranks did not shorten. When mpp_sieve_share_plan() says so, the primes
 * above ABOVE (the range's length) are shared out: each rank generates
 * those of its slice of (ABOVE, sqrt(STOP)] and keeps the ones that have a
 * multiple in [START, STOP] (mpp_sieve_hits: a division each), and
 * MPI_Allgatherv gives every rank all of them, in ascending order, for its
 * finder (mpp_finder_share). A rank's own sieve then generates its sieving
 * primes only up to ABOVE. If any rank lacks the memory, none shares.
 *
 * MPI calls: MPI_Allgather (each rank's count), MPI_Allreduce (every rank
 * has room for all), MPI_Allgatherv (the primes, MPI_UINT32_T).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "memory.h"
#include "run.h"

void mpp_share_setup(run *r)
{
    const mpp_options *o = &r->opts;
    uint64_t above;
    /* the same decision on every rank: the options are the same */
    if (o->method != MPP_METHOD_SIEVE || !mpp_sieve_share_plan(o->start, o->stop, r->size, &above))
        return;
    /* This rank's slice of (ABOVE, ROOT]. */
    uint64_t root = mpp_isqrt(o->stop), span = root - above;
    uint64_t plo = above + span / (unsigned)r->size * (unsigned)r->rank;
    uint64_t phi = r->rank == r->size - 1 ? root
                                          : above + span / (unsigned)r->size * (unsigned)(r->rank + 1);
    double t0 = MPI_Wtime(), c0 = mpp_thread_cpu_s();
    uint32_t *mine = NULL;
    size_t n = 0;
    int count = -1; /* a rank that cannot take part says so */
    if (!r->failure && r->finder &&
        mpp_sieve_hits(plo, phi, o->start, o->stop, &mine, &n) == MPP_OK && n <= INT_MAX)
        count = (int)n;
    double t1 = MPI_Wtime();
    r->compute_s += t1 - t0;
    r->cpu_s += mpp_thread_cpu_s() - c0;
    mpp_span_note(r, MPP_SPAN_COMPUTE, "shared set-up", t0, t1, plo, phi);

    int *counts = mpp_xmalloc(r, (size_t)r->size * sizeof *counts);
    int *displs = mpp_xmalloc(r, (size_t)r->size * sizeof *displs);
    MPI_TIMED(r, MPI_Allgather(&count, 1, MPI_INT, counts, 1, MPI_INT, r->comm));
    uint64_t total = 0;
    int ok = 1;
    for (int i = 0; i < r->size; i++) {
        ok &= counts[i] >= 0;
        displs[i] = (int)total;
        total += counts[i] > 0 ? (uint64_t)counts[i] : 0;
    }
    ok &= total <= INT_MAX;
    uint32_t *all = ok ? mpp_buffer_alloc((total ? total : 1) * sizeof *all) : NULL;
    int have = all != NULL, all_have = 0;
    MPI_TIMED(r, MPI_Allreduce(&have, &all_have, 1, MPI_INT, MPI_MIN, r->comm));
    if (all_have) {
        MPI_TIMED(r, MPI_Allgatherv(mine, count, MPI_UINT32_T, all, counts, displs,
                                    MPI_UINT32_T, r->comm));
        /* block and balanced pieces only go forward: the list can go once read */
        bool keep = o->decomposition == MPP_DECOMP_CYCLIC ||
                    o->decomposition == MPP_DECOMP_DYNAMIC;
        mpp_finder_share(r->finder, above, o->start, o->stop, all, (size_t)total, keep);
        all = NULL;
    }
    free(all);
    free(mine);
    free(counts);
    free(displs);
}
