/* records.h - the records that cross ranks, as 64-bit words.
 *
 * Every record that one rank sends another is a struct here (or in the
 * module that owns it), sent as its WORDS count of MPI_UINT64_T, and packed
 * and unpacked only by these functions: never by index in the MPI layer.
 *
 *   record            words                     sent with
 *   mpp_start_msg     MPP_START_WORDS            MPI_Bcast    (rank 0: the verdict
 *                                                             on the request)
 *   mpp_share         MPP_SHARE_WORDS            MPI_Scatter  (--count)
 *   mpp_round_msg     MPP_ROUND_MSG_WORDS        MPI_Scatter  (each round)
 *   mpp_round_summary MPP_ROUND_SUMMARY_WORDS    MPI_Gather   (each round)
 *   mpp_chunk_meta    MPP_CHUNK_META_WORDS each  MPI_Gatherv  (each round)
 *   mpp_result        MPP_RESULT_WORDS           MPI_Reduce   (--count; result.h)
 *   a report row      MPP_RANK_ROW_WORDS         MPI_Gather   (the report)
 *   mpp_span          MPP_SPAN_WORDS each        MPI_Gatherv  (--timeline)
 *   mpp_selftest_verdict MPP_VERDICT_WORDS       MPI_Gather   (--self-test)
 *
 * Doubles travel as their bits, the host name as its bytes: the ranks of a
 * job share one byte order. Pure.
 */
#ifndef MPP_RECORDS_H
#define MPP_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "decomp.h"
#include "explain.h"
#include "options.h"
#include "report.h"
#include "rounds.h"
#include "selftest.h"
#include "timeline.h"

/* ---- the start of a run ---- */

/* What rank 0 broadcasts once it has parsed and checked the request: whether
 * the ranks go on, the exit status if not, and what every rank's work
 * needs of the options (start, stop, method, count_only, kinds, gaps,
 * format, buffer, decomposition, chunk, compare, self_test; the rest stay
 * at their defaults
 * elsewhere). */
typedef struct {
    bool go;
    int status;
    mpp_options opts;
    mpp_plan_outlet outlet; /* where the primes go */
    uint64_t namelen;       /* MPP_PLAN_FILE: bytes of the temporary file's name
                               and its NUL, broadcast next; else 0 */
    uint64_t timeline;      /* --timeline: the events the ranks may record
                               together (timeline.h); 0 without it */
    uint64_t track;         /* what rank 0 follows of the committed work (the
                               MPI layer's TRACK_ bits: progress, checkpoint) */
    uint64_t todo;          /* a resumed run: the blocks of the numbers left,
                               broadcast next; 0: the whole range */
    bool finished;          /* the checkpoint says the run was done */
} mpp_start_msg;

#define MPP_START_WORDS 20

void mpp_start_pack(const mpp_start_msg *m, uint64_t *w);
/* Unpacks into *M; M->opts gets the defaults, then the fields sent. */
void mpp_start_unpack(const uint64_t *w, mpp_start_msg *m);

/* ---- shares (decomp.h) ---- */

void mpp_share_pack(const mpp_share *s, uint64_t *w);
void mpp_share_unpack(const uint64_t *w, mpp_share *s);

/* ---- the rounds of a listing ---- */

/* What rank 0 scatters every round: what became of the round just done,
 * and the rank's share of the next. */
enum { MPP_ROUND_DONE = 1, MPP_ROUND_STOP = 2 };
typedef struct {
    uint64_t flags;     /* MPP_ROUND_*: the range is done, or the run stops */
    uint64_t committed; /* chunks 0..committed-1 of the round just done count */
    mpp_share share;    /* the next round's (empty with a flag) */
} mpp_round_msg;

#define MPP_ROUND_MSG_WORDS (2 + MPP_SHARE_WORDS)

void mpp_round_msg_pack(const mpp_round_msg *m, uint64_t *w);
void mpp_round_msg_unpack(const uint64_t *w, mpp_round_msg *m);

/* What a rank says of its round, besides its chunks' metas. */
typedef struct {
    uint64_t chunks; /* chunks it did (their metas follow) */
    uint64_t bytes;  /* encoded bytes it holds */
    int failure;     /* its failure so far (the MPI layer's code), or 0 */
} mpp_round_summary;

#define MPP_ROUND_SUMMARY_WORDS 3

void mpp_round_summary_pack(const mpp_round_summary *s, uint64_t *w);
void mpp_round_summary_unpack(const uint64_t *w, mpp_round_summary *s);

/* N chunk metas (rounds.h), one after another. */
void mpp_chunk_metas_pack(const mpp_chunk_meta *m, uint64_t n, uint64_t *w);
void mpp_chunk_metas_unpack(const uint64_t *w, uint64_t n, mpp_chunk_meta *m);

/* ---- the timeline ---- */

/* A span (timeline.h) as MPP_SPAN_WORDS words, and back. */
void mpp_span_pack(const mpp_span *s, uint64_t *w);
void mpp_span_unpack(const uint64_t *w, mpp_span *s);

/* ---- the report ---- */

/* A rank's row of the report: its mpp_rank_stats but the rank number (the
 * row's place says it), and its elapsed time. */
#define MPP_RANK_ROW_WORDS (14 + MPP_KINDS - 1 + MPP_HOST_MAX / 8)

void mpp_rank_row_pack(const mpp_rank_stats *s, double elapsed_s, uint64_t *w);
/* Unpacks the row of RANK; the host name is cut to end in a NUL. */
void mpp_rank_row_unpack(const uint64_t *w, int rank, mpp_rank_stats *s, double *elapsed_s);

/* ---- --self-test (selftest.h) ---- */

#define MPP_VERDICT_WORDS 6

void mpp_selftest_verdict_pack(const mpp_selftest_verdict *v, uint64_t *w);
void mpp_selftest_verdict_unpack(const uint64_t *w, mpp_selftest_verdict *v);

#endif
