/* explain.c - the --explain plan (see explain.h). The pipeline it describes,
 * with every MPI call in order, is docs/architecture.md; keep the two true
 * together. */
#include "explain.h"

#include <inttypes.h>
#include <stdlib.h>

#include "decomp.h"
#include "estimate.h"
#include "patterns.h"
#include "rounds.h"
#include "sieve.h"

/* Chunks of one rank whose cost is summed; beyond, the cost is not shown. */
#define COST_CHUNKS 4096

static const char *const why[] = {
    /* block */
    "# why block: the simplest split, one MPI_Scatter and one equal block per rank.\n"
    "#   But equal numbers are not equal work. Trial division tests a prime x with\n"
    "#   about sqrt(x)/2 divisions, so the blocks higher up cost more and the ranks\n"
    "#   with the lower blocks finish early and wait; the sieve's cost per number\n"
    "#   grows only slowly (about ln x), so its blocks are nearly even. The report's\n"
    "#   bars show the difference; -d balanced or -d dynamic fix it.\n",
    /* balanced */
    "# why balanced: still one contiguous block per rank and one MPI_Scatter, but the\n"
    "#   boundaries come from a cost model of the method (trial division: about\n"
    "#   sqrt(x)/ln x per number; the sieve: its numbers plus finding the sieving\n"
    "#   primes up to sqrt(stop)), so that every block costs the same. As good as\n"
    "#   the model: it knows the method, not the machine.\n",
    /* cyclic */
    "# why cyclic: many small chunks dealt round-robin, so every rank gets chunks\n"
    "#   from all over the range and the differences in cost average out. No model\n"
    "#   and no messages beyond the MPI_Scatter; each chunk after the first is a\n"
    "#   jump (the sieve re-places its sieving primes), so chunks must not be tiny.\n",
    /* dynamic */
    "# why dynamic: chunks go to whichever rank asks first (manager/worker), so a\n"
    "#   rank with costlier chunks, a slower core or a busier node simply does\n"
    "#   fewer. It needs no model; it costs two small messages per chunk, and rank\n"
    "#   0 answers between its own chunks (a worker asks for its next chunk before\n"
    "#   starting the one in hand, so it does not wait).\n",
};

static void steps(FILE *f, const mpp_options *o, int nranks, mpp_plan_outlet outlet,
                  bool rounds)
{
    int n = 1;
    fprintf(f, "#\n# the MPI calls, in order\n");
    fprintf(f, "#   %d. MPI_Bcast      rank 0 parsed and checked the request; every rank learns\n"
               "#                     it (on bad input they all stop here, together)\n", n++);
    uint64_t above;
    if (o->method == MPP_METHOD_SIEVE && mpp_sieve_share_plan(o->start, o->stop, nranks, &above))
        fprintf(f, "#      MPI_Allgatherv the sieving primes' set-up, shared: each rank finds which\n"
                   "#                     primes of its slice of (%" PRIu64 ", sqrt(STOP)] have a multiple\n"
                   "#                     in the range, and every rank gets them all (it then\n"
                   "#                     generates its own only up to %" PRIu64 ")\n",
                above, above);
    if (rounds)
        fprintf(f, "#   steps %d-%d repeat once per round, over the next stretch of the range\n",
                n, n + 2);
    fprintf(f, "#   %d. MPI_Scatter    each rank receives its share: %s\n", n++,
            o->decomposition <= MPP_DECOMP_BALANCED ? "the bounds of its block"
            : o->decomposition == MPP_DECOMP_CYCLIC ? "which chunks are its own"
                                                    : "its first chunk");
    if (o->decomposition == MPP_DECOMP_DYNAMIC)
        fprintf(f, "#   %d. local work     each rank finds the primes of its chunk on its own core;\n"
                   "#      MPI_Send/Recv  a worker asks rank 0 for its next chunk and gets its\n"
                   "#                     number; rank 0 answers between its own chunks\n"
                   "#                     (MPI_Iprobe), until no chunk is left\n",
                n++);
    else
        fprintf(f, "#   %d. local work     each rank finds the primes of its share on its own core\n"
                   "#                     (no MPI: the time the report calls compute_s)\n", n++);
    bool patterns = outlet == MPP_PLAN_COUNT && (o->gaps || (o->kinds & ~(1u << 1)) != 0);
    if (patterns)
        fprintf(f, "#                     with its tuplets and gaps: each chunk first finds the\n"
                   "#                     primes just before it (Miller-Rabin), so it counts\n"
                   "#                     what ends in it, whoever has the numbers before\n");
    switch (outlet) {
    case MPP_PLAN_COUNT:
        fprintf(f, "#   %d. MPI_Reduce     the ranks' counts are summed at rank 0\n", n++);
        if (o->gaps)
            fprintf(f, "#   %d. MPI_Reduce     the ranks' gaps are merged at rank 0: histograms\n"
                       "#                     summed, the maximal gaps of all kept in order\n",
                    n++);
        if (o->nth)
            fprintf(f, "#      local work     --nth-prime: rank 0 goes on from the count, past the\n"
                       "#                     range counted or back into it, to the Nth prime\n"
                       "#                     (about sqrt(x) numbers, while the others wait)\n");
        break;
    case MPP_PLAN_GATHER:
        fprintf(f, "#   %d. MPI_Gather     each rank's chunk summaries (count, first, last, bytes)\n"
                   "#      MPI_Gatherv    then the primes themselves, into rank 0's buffer,\n"
                   "#                     which checks they arrived in order\n", n++);
        if (mpp_round_turns(o->decomposition, nranks))
            fprintf(f, "#                     (one call per rank, in turns: the buffer holds one\n"
                       "#                     rank's primes at a time)\n");
        break;
    case MPP_PLAN_PRINT:
        fprintf(f, "#   %d. MPI_Gather     each rank's chunk summaries\n"
                   "#      MPI_Gatherv    then the primes as text or binary, which rank 0\n"
                   "#                     writes in order while the others go on\n", n++);
        if (mpp_round_turns(o->decomposition, nranks))
            fprintf(f, "#                     (one call per rank, in turns: rank 0 writes each\n"
                       "#                     rank's before the next rank's take their place)\n");
        break;
    case MPP_PLAN_FILE:
        fprintf(f, "#   %d. MPI_Gather     each rank's chunk summaries (bytes of each chunk)\n"
                   "#      MPI_Scatterv   rank 0 sends every rank the file offsets of its\n"
                   "#                     chunks; MPI_File_write_at: each writes its own\n", n++);
        break;
    }
    fprintf(f, "#   %d. MPI_Allreduce  any rank's failure reaches every rank\n", n++);
    fprintf(f, "#   %d. MPI_Gather     every rank's times, memory and host to rank 0, which\n"
               "#                     prints the report (only rank 0 prints)\n", n++);
    if (o->compare)
        fprintf(f, "#   %d. --compare      rank 0 alone finds the primes of the whole range again\n"
                   "#                     while the others wait (MPI_Ibarrier), for the real\n"
                   "#                     speedup\n", n++);
}

/* Modeled cost of a share (negative when it has too many chunks to sum). */
static double share_cost(mpp_method m, const mpp_share *s, uint64_t *chunks,
                         uint64_t *numbers)
{
    mpp_share_size(s, chunks, numbers);
    if (*chunks > COST_CHUNKS)
        return -1;
    double c = 0;
    uint64_t j = UINT64_MAX, index;
    mpp_block b;
    while (mpp_share_next(s, &j, &b, &index))
        c += mpp_cost(m, b.lo, b.hi);
    return c;
}

static void shares(FILE *f, const mpp_options *o, int nranks, const mpp_round_plan *plan,
                   const mpp_block *blocks)
{
    mpp_decomposition d = o->decomposition;
    if (d == MPP_DECOMP_DYNAMIC) {
        uint64_t last = plan->chunk ? mpp_chunk_last(plan->from, plan->end, plan->chunk) : 0;
        mpp_block first = mpp_round_chunk(plan, blocks, 0);
        mpp_block final = mpp_round_chunk(plan, blocks, last);
        fprintf(f, "#   %" PRIu64 " chunks of %" PRIu64 " numbers; rank r starts with chunk r,\n"
                   "#   the rest go to whichever rank asks first\n",
                last + 1, plan->chunk);
        double c0 = mpp_cost(o->method, first.lo, first.hi);
        double c1 = mpp_cost(o->method, final.lo, final.hi);
        if (c0 > 0)
            fprintf(f, "#   modeled cost: the last chunk costs %.2fx the first\n", c1 / c0);
        return;
    }
    double *cost = malloc((size_t)nranks * sizeof *cost);
    double total = 0, worst = 0;
    bool modeled = cost != NULL;
    for (int r = 0; r < nranks && cost; r++) {
        mpp_share s = mpp_round_share(d, plan, blocks, nranks, r);
        uint64_t chunks, numbers;
        cost[r] = share_cost(o->method, &s, &chunks, &numbers);
        modeled = modeled && cost[r] >= 0;
        total += cost[r] > 0 ? cost[r] : 0;
        worst = cost[r] > worst ? cost[r] : worst;
    }
    for (int r = 0; r < nranks; r++) {
        if (r == MPP_EXPLAIN_RANKS && nranks > MPP_EXPLAIN_RANKS + 1) {
            fprintf(f, "#   ... and %d more ranks\n", nranks - r);
            break;
        }
        mpp_share s = mpp_round_share(d, plan, blocks, nranks, r);
        uint64_t chunks, numbers, j = UINT64_MAX, index;
        mpp_block b;
        mpp_share_size(&s, &chunks, &numbers);
        fprintf(f, "#   rank %-4d ", r);
        if (!mpp_share_next(&s, &j, &b, &index))
            fprintf(f, "nothing (more ranks than %s)", s.chunk ? "chunks" : "numbers");
        else if (chunks == 1)
            fprintf(f, "[%" PRIu64 ", %" PRIu64 "]", b.lo, b.hi);
        else
            fprintf(f, "%" PRIu64 " chunks: %" PRIu64 ", %" PRIu64 " + %" PRIu64 ", ...",
                    chunks, b.lo, b.lo, s.step * s.chunk);
        fprintf(f, "  %" PRIu64 " numbers", numbers);
        if (modeled && total > 0)
            fprintf(f, "  modeled cost %.1f%%", 100 * cost[r] / total);
        fputc('\n', f);
    }
    if (modeled && total > 0)
        fprintf(f, "#   modeled imbalance %.2f (the costliest rank / the mean)\n",
                worst / (total / nranks));
    free(cost);
}

void mpp_explain(FILE *f, const mpp_options *o, int nranks, mpp_plan_outlet outlet,
                 uint64_t budget, mpp_format fmt)
{
    fprintf(f, "# plan           [%" PRIu64 ", %" PRIu64 "] on %d rank%s, method %s, "
               "decomposition %s\n",
            o->start, o->stop, nranks, nranks == 1 ? "" : "s", mpp_method_name(o->method),
            mpp_decomposition_name(o->decomposition));
    mpp_block *blocks = malloc((size_t)nranks * sizeof *blocks);
    if (blocks == NULL) {
        fprintf(f, "# (no memory to work out the plan)\n");
        return;
    }
    mpp_round_plan plan;
    bool rounds = outlet != MPP_PLAN_COUNT;
    if (!rounds) {
        plan.from = o->start;
        plan.end = o->stop;
        plan.chunk = o->decomposition >= MPP_DECOMP_CYCLIC ? o->chunk : 0;
        plan.nchunks = 0;
        if (o->decomposition == MPP_DECOMP_BALANCED)
            mpp_balanced_decompose(o->method, o->start, o->stop, nranks, blocks);
        else
            mpp_block_decompose(o->start, o->stop, nranks, blocks);
        fprintf(f, "#\n# what each rank gets (--count: the whole range at once)\n");
    } else {
        int kind = mpp_list_kind(o);
        mpp_plan_round(o->decomposition, o->method, o->start, o->stop, nranks, budget, fmt,
                       kind, o->chunk ? o->chunk : 1, blocks, &plan);
        double items = kind > 1 ? mpp_tuplet_count_expected(kind, o->start, o->stop)
                                : mpp_prime_count_expected(o->start, o->stop);
        double bytes = items * (double)mpp_item_max_bytes(fmt, kind, o->stop);
        double per_round = 0.75 * (double)budget * nranks;
        fprintf(f, "#\n# the %s are listed in rounds: each rank holds at most %" PRIu64
                   " bytes of\n# them at a time (--buffer); about %.0f round%s\n",
                mpp_pattern_name(kind), budget, bytes / per_round + 1,
                bytes / per_round + 1 < 2 ? "" : "s");
        fprintf(f, "#\n# what each rank gets in round 1: [%" PRIu64 ", %" PRIu64 "]\n",
                plan.from, plan.end);
    }
    shares(f, o, nranks, &plan, blocks);
    free(blocks);
    steps(f, o, nranks, outlet, rounds && plan.end != o->stop);
    fprintf(f, "#\n%s", why[o->decomposition]);
    fprintf(f, "#\n");
}
