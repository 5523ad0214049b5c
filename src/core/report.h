/* report.h - the report rank 0 prints: text (#-prefixed header lines and a
 * fixed-width per-rank table that gnuplot reads as is) or one JSON object;
 * and the one-line CSV summary that --csv appends to a file. */
#ifndef MPP_REPORT_H
#define MPP_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "finder.h"
#include "patterns.h"

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
    uint64_t chunks;   /* chunks it was given and did (block, balanced: 1) */
    uint64_t numbers;  /* numbers in them (saturates at UINT64_MAX) */
    double compute_s;  /* local prime finding (wall clock) */
    double cpu_s;      /* the same, in CPU time of the rank's thread: its work,
                          also when ranks share a core */
    double comm_s;     /* time inside MPI calls */
    double io_s;       /* time writing the primes (rank 0's stdout, or MPI-IO) */
    long max_rss_kib;  /* peak resident memory of the rank process */
    uint64_t tuplets[MPP_KINDS + 1]; /* --count=KINDS: k-tuplets ending in its
                                        chunks (patterns.h), k = 2..6 */
} mpp_rank_stats;

typedef struct {
    uint64_t start, stop;
    int ranks;
    mpp_method method;
    const char *decomposition;      /* "block", "balanced", "cyclic", "dynamic" */
    uint64_t chunk;                 /* cyclic, dynamic: numbers per chunk; else 0 */
    uint64_t rounds;                /* rounds of the listing; 1 with --count */
    uint64_t buffer_bytes;          /* --buffer; 0 with --count (none used) */
    uint64_t count;                 /* total primes (reduced or gathered) */
    double elapsed_s;               /* the whole run, max end - min start */
    const mpp_rank_stats *per_rank; /* ranks entries, in rank order */
    double serial_s;                /* --compare: rank 0 alone over the range; < 0: not run */
    unsigned kinds;                 /* --count=KINDS: bit k for kind k; 0 as bit 1 alone */
    bool no_primes;                 /* a listing of tuplets (--print=K): the primes are
                                       not counted (text "-", JSON null, CSV empty) */
    uint64_t tuplets[MPP_KINDS + 1]; /* the range's k-tuplets, k = 2..6 (when asked) */
    const mpp_gaps *gaps;           /* --gaps: the range's; else NULL */
    bool nth;                       /* --nth-prime: the request and the answer */
    bool nth_neg;
    uint64_t nth_n, nth_start, nth_prime;
    const char *checkpoint;         /* --checkpoint FILE, or NULL */
    double resumed;                 /* of the range, the fraction earlier runs had
                                       settled (a checkpoint resumed); else 0 */
    bool whole;                     /* FIRST and LAST are the range's least and greatest
                                       primes (a resumed run: the ranks' rows are this
                                       run's work only) */
    uint64_t first, last;
} mpp_report;

/* The load balance of the compute step, from the ranks' cpu_s: IMBALANCE
 * is max / mean (1 when perfectly even; 1 when no rank computed), and
 * 1 / IMBALANCE the parallel efficiency the compute step allows. */
typedef struct {
    double cpu_max, cpu_mean, imbalance;
} mpp_balance;
mpp_balance mpp_report_balance(const mpp_report *r);

/* The per-rank cpu_s as a text bar chart of #-prefixed lines, WIDTH
 * characters for the longest bar, then the imbalance and what it costs. */
void mpp_report_bars(FILE *f, const mpp_report *r, int width);

/* The least and greatest prime of the per-rank figures (false when none). */
bool mpp_report_first_last(const mpp_report *r, uint64_t *first, uint64_t *last);

/* The number of distinct strings among NAMES[0..N-1] (0 when N <= 0);
 * sorts NAMES. */
int mpp_distinct_strings(const char **names, int n);

/* The number of distinct host names among the ranks (-1 when memory for
 * sorting them cannot be had; the CSV field is then empty). */
int mpp_report_hosts(const mpp_report *r);

/* S as a JSON string: quoted, with quotes, backslashes and control
 * characters escaped. */
void mpp_json_string(FILE *f, const char *s);

void mpp_report_text(FILE *f, const mpp_report *r);
void mpp_report_json(FILE *f, const mpp_report *r);

/* What a CSV row says beyond the report; NULL fields are left empty. */
typedef struct {
    const char *timestamp;    /* when the run ended, e.g. 2026-11-21T10:00:00Z */
    const char *job_id;       /* SLURM_JOB_ID */
    const char *job_nodelist; /* SLURM_JOB_NODELIST */
} mpp_csv_context;

/* The CSV header line and one data row (RFC 4180: comma-separated, a field
 * with a comma, quote or line break quoted; each line ends in "\n"). The
 * columns are listed in MPP_CSV_COLUMNS, in order; a kind of tuplet not
 * counted, and the largest gap without --gaps, are empty fields. */
#define MPP_CSV_COLUMNS                                                                 \
    "timestamp,version,start,stop,ranks,hosts,method,decomposition,rounds,"            \
    "buffer_bytes,count,first,last,elapsed_s,compute_max_s,compute_mean_s,"            \
    "comm_max_s,comm_mean_s,io_max_s,max_rss_kib,job_id,job_nodelist,chunk,"          \
    "cpu_max_s,cpu_mean_s,imbalance,serial_s,twins,triplets,quadruplets,"              \
    "quintuplets,sextuplets,largest_gap,largest_gap_after,nth_prime"
void mpp_report_csv_header(FILE *f);
void mpp_report_csv_row(FILE *f, const mpp_report *r, const mpp_csv_context *c);

#endif
