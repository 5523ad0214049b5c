/* report.h - the report rank 0 prints: text (#-prefixed header lines and a
 * fixed-width per-rank table that gnuplot reads as is) or one JSON object. */
#ifndef MPP_REPORT_H
#define MPP_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "primes.h"

#define MPP_HOST_MAX 64 /* host names are cut to 63 bytes */

typedef struct {
    int rank;
    char host[MPP_HOST_MAX];
    bool empty;        /* no numbers in this rank's block */
    uint64_t lo, hi;   /* the block, inclusive (meaningless when empty); over
                          several rounds, from its first block's start to its
                          last block's stop */
    uint64_t count;    /* primes found in the block */
    uint64_t first;    /* smallest prime of the block (when count > 0) */
    uint64_t last;     /* largest prime of the block (when count > 0) */
    double compute_s;  /* local prime finding */
    double comm_s;     /* time inside MPI calls */
    double io_s;       /* time writing the primes (rank 0's stdout, or MPI-IO) */
    long max_rss_kib;  /* peak resident memory of the rank process */
} mpp_rank_stats;

typedef struct {
    uint64_t start, stop;
    int ranks;
    mpp_method method;
    const char *decomposition;      /* "block" */
    uint64_t rounds;                /* rounds of the listing; 1 with --count */
    uint64_t buffer_bytes;          /* --buffer; 0 with --count (none used) */
    uint64_t count;                 /* total primes (reduced or gathered) */
    double elapsed_s;               /* the whole run, max end - min start */
    const mpp_rank_stats *per_rank; /* ranks entries, in rank order */
} mpp_report;

/* The least and greatest prime of the per-rank figures (false when none). */
bool mpp_report_first_last(const mpp_report *r, uint64_t *first, uint64_t *last);

void mpp_report_text(FILE *f, const mpp_report *r);
void mpp_report_json(FILE *f, const mpp_report *r);

#endif
