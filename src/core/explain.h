/* explain.h - the plan --explain prints before a run: what each rank is
 * given (with the cost model's share of the work), the MPI calls in the
 * order they happen, and why the decomposition is built the way it is.
 * Pure: computed from the options alone, as rank 0 computes the real plan. */
#ifndef MPP_EXPLAIN_H
#define MPP_EXPLAIN_H

#include <stdint.h>
#include <stdio.h>

#include "options.h"

/* Where the primes go. */
typedef enum {
    MPP_PLAN_COUNT,  /* --count: counts summed */
    MPP_PLAN_GATHER, /* default: primes gathered at rank 0 */
    MPP_PLAN_PRINT,  /* --print, or --output to a device or FIFO: rank 0 writes */
    MPP_PLAN_FILE    /* --output to a file: every rank writes with MPI-IO */
} mpp_plan_outlet;

/* Ranks listed one by one; beyond this the rest are summed up. */
#define MPP_EXPLAIN_RANKS 16

/* Writes the plan of the run O (its chunk already resolved for cyclic and
 * dynamic) on NRANKS ranks as #-prefixed lines. BUDGET and FMT: the bytes
 * each rank holds per round and their format (listing outlets). */
void mpp_explain(FILE *f, const mpp_options *o, int nranks, mpp_plan_outlet outlet,
                 uint64_t budget, mpp_format fmt);

#endif
