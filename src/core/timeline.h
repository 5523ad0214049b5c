/* timeline.h - what each rank did when (--timeline), and the file that shows
 * it: the Chrome trace event format, which the Perfetto UI
 * (https://ui.perfetto.dev) and chrome://tracing open, one lane per rank.
 *
 * A rank records spans: its compute (one per chunk: "sieve [LO, HI]"), its
 * communication (one per MPI call of the pipeline: "MPI_Gatherv round 3")
 * and its I/O ("write round 3"), each with its start and end on one clock
 * (rank 0's, from its start; the MPI layer measures every rank's offset).
 * A rank keeps at most MAX spans and counts the ones it drops; the trace
 * says so. Pure: the trace is written to the stream it is handed.
 */
#ifndef MPP_TIMELINE_H
#define MPP_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { MPP_SPAN_COMPUTE = 0, MPP_SPAN_COMM = 1, MPP_SPAN_IO = 2 } mpp_span_cat;

/* "compute", "comm", "io"; NULL for an invalid value. */
const char *mpp_span_cat_name(mpp_span_cat c);

#define MPP_SPAN_NAME 24 /* bytes of what a span did, its NUL included */

typedef struct {
    double start, end;         /* seconds on the run's clock */
    mpp_span_cat cat;
    char what[MPP_SPAN_NAME];  /* "sieve", "trial", "MPI_Gatherv", "write" */
    uint64_t round;            /* the listing's round (from 1); 0: none */
    uint64_t lo, hi;           /* compute: the chunk, inclusive */
} mpp_span;

/* A span crosses ranks as MPP_SPAN_WORDS words (records.h). */
#define MPP_SPAN_WORDS (6 + MPP_SPAN_NAME / 8)

/* The events every rank may record together, by default
 * (MPPRIMES_TIMELINE_EVENTS sets it); each of NRANKS ranks gets its share
 * of TOTAL, and at least MPP_TIMELINE_RANK_MIN (TOTAL if less). */
#define MPP_TIMELINE_EVENTS 1000000
#define MPP_TIMELINE_RANK_MIN 100
size_t mpp_timeline_rank_max(uint64_t total, int nranks);

typedef struct {
    mpp_span *spans;
    size_t n, cap;
    size_t max;       /* spans kept at most */
    uint64_t dropped; /* spans past MAX, not kept */
} mpp_timeline;

/* An empty timeline that keeps at most MAX spans. */
void mpp_timeline_init(mpp_timeline *t, size_t max);
/* Keeps S (its name cut to fit); past MAX, or out of memory, counts it as
 * dropped. */
void mpp_timeline_add(mpp_timeline *t, const mpp_span *s);
void mpp_timeline_free(mpp_timeline *t);

/* One rank's lane of the trace. */
typedef struct {
    int rank;
    const char *host;
    const mpp_span *spans;
    size_t n;
    uint64_t dropped;
} mpp_trace_lane;

/* Writes the trace: {"traceEvents": [...], ...} with a process per rank
 * ("rank R (HOST)"), a complete event ("ph": "X", "ts" and "dur" in
 * microseconds) per span, named as it happened ("sieve [2, 250001]",
 * "MPI_Scatter round 2", "MPI_Reduce", "write round 1"), with "cat" its
 * category; MAX is each rank's cap, CLOCK says how the clocks were aligned.
 * A lane that dropped spans ends with an instant event saying so, and the
 * note in "otherData" counts them. Returns false on a write error. */
bool mpp_trace_write(FILE *f, const mpp_trace_lane *lanes, int nlanes, size_t max,
                     const char *clock);

/* The name of span S in the trace, into BUF (SIZE bytes). */
void mpp_span_title(const mpp_span *s, char *buf, size_t size);

#endif
