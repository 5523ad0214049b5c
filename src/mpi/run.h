/* run.h - what the files of the MPI layer share: one rank's state of the run
 * (struct run), the error and timing macros, and each protocol's entry
 * points. Internal to src/mpi/; docs/architecture.md walks through them.
 *
 *   pipeline.c    the steps in order: parse and broadcast, the work, the
 *                 settling, --compare, the report, the teardown
 *   distribute.c  the work of a share: static chunks, or dynamic ones from
 *                 the manager; --count's scatter and reduce
 *   listing.c     the round protocol of a listing
 *   outlets.c     where listed primes go: gathered, streamed, or MPI-IO
 *   failure.c     MPI errors, failures and interruptions, and the settling
 *   reporting.c   every rank's row to rank 0; the report and the CSV row
 *   timeline.c    --timeline: the ranks' clocks aligned, their spans
 *                 recorded, gathered and written by rank 0
 *   selftest.c    --self-test: the checks on every rank, the verdicts
 *   tracking.c    --progress and --checkpoint: committed pieces to rank 0,
 *                 the progress line, the checkpoint written and resumed
 */
#ifndef MPP_RUN_H
#define MPP_RUN_H

#include <mpi.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "checkpoint.h"
#include "commit.h"
#include "decomp.h"
#include "encode.h"
#include "explain.h"
#include "files.h"
#include "finder.h"
#include "launcher.h"
#include "mpprimes.h"
#include "nth.h"
#include "options.h"
#include "records.h"
#include "result.h"
#include "rounds.h"
#include "timeline.h"

/* A duplicate of mpirun's standard output (error) for rank 0 to write to
 * directly (launcher.h), or -1: always -1 unless built against Open MPI
 * (MPP_OPEN_MPI, mpprimes.h). */
static inline int mpp_direct_stdout(void)
{
    return MPP_OPEN_MPI ? mpp_launcher_stdout() : -1;
}

static inline int mpp_direct_stderr(void)
{
    return MPP_OPEN_MPI ? mpp_launcher_stderr() : -1;
}

/* An MPI call whose error is fatal: one line with file, line and rank, then
 * MPI_Abort (errors are returned to us: MPI_ERRORS_RETURN). */
#define MPI_CHECK(r, call)                                                              \
    do {                                                                                \
        int rc_ = (call);                                                               \
        if (rc_ != MPI_SUCCESS)                                                         \
            mpp_mpi_fail((r), rc_, #call, __FILE__, __LINE__);                          \
    } while (0)

/* An MPI call of the pipeline: checked, its time added to comm_s, and with
 * --timeline recorded as a span named after the call. */
#define MPI_TIMED(r, call)                                                              \
    do {                                                                                \
        double t0_ = MPI_Wtime();                                                       \
        MPI_CHECK(r, call);                                                             \
        double t1_ = MPI_Wtime();                                                       \
        (r)->comm_s += t1_ - t0_;                                                       \
        if ((r)->tl_on)                                                                 \
            mpp_span_comm((r), #call, t0_, t1_);                                        \
    } while (0)

enum { EXIT_DONE = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* A failure during the work, as one int: WHAT << 16 | errno (or, for
 * FAIL_STOP, the signal). The greatest is reported: an interruption first. */
enum { FAIL_FIND = 1, FAIL_WRITE = 2, FAIL_ORDER = 3, FAIL_STALL = 4, FAIL_STOP = 5 };
#define FAILURE(what, e) ((what) << 16 | ((e) & 0xffff))

/* Everything one rank knows about the run. */
typedef struct run {
    MPI_Comm comm;
    int rank, size;
    FILE *out, *err;
    FILE *report;          /* rank 0: out, or err when the primes go to out */
    FILE *direct;          /* rank 0: the report, straight to mpirun's stdout */
    mpp_options opts;      /* all of it on rank 0; what the work needs elsewhere */
    mpp_plan_outlet where; /* where the primes go */
    mpp_outfile file;      /* rank 0, with --output */
    bool file_open;
    bool file_resumed;     /* rank 0: it is a resumed run's (--checkpoint) */
    mpp_appendfile csv;    /* rank 0, with --csv */
    bool csv_open;
    char *tmpname;         /* MPP_PLAN_FILE: the temporary file every rank writes */
    int stream_fd;         /* rank 0, MPP_PLAN_PRINT: where the bytes go */
    mpp_share share;       /* --count: this rank's numbers */
    mpp_finder *finder;    /* this rank's, for every piece it is given */
    mpp_commit_hooks hooks; /* the observers of every commit on this rank */
    mpp_rank_work work;    /* what this rank did and found (committed chunks) */
    mpp_progress progress; /* rank 0: how far the committed rounds reach */
    mpp_result reduced;    /* rank 0, --count: every rank's result, merged */
    bool patterns;         /* --count: tuplets or gaps asked (mpp_wants_patterns) */
    mpp_gaps *gaps;        /* --gaps: this rank's chunks' gaps; on rank 0, after the
                              count, every rank's merged */
    mpp_nth_plan nth;      /* rank 0, --nth-prime: the plan (the range counted) */
    uint64_t nth_prime;    /* rank 0, --nth-prime: the answer */
    double swept;          /* numbers this rank's finders went through */
    double t_start, compute_s, cpu_s, comm_s, io_s, elapsed_s;
    double serial_s;       /* rank 0, --compare: the range on rank 0 alone; else -1 */
    int failure;           /* FAILURE(...) seen by this rank, or 0 */
    bool reader_gone;      /* rank 0: --print's reader closed the pipe */
    int status;            /* exit status so far */
    bool tl_on;            /* --timeline: this rank records its spans */
    mpp_timeline tl;       /* them */
    double tl_offset;      /* this rank's clock + TL_OFFSET = rank 0's clock */
    bool tl_one_clock;     /* the clocks needed no alignment (MPI_WTIME_IS_GLOBAL, or
                              one rank) */
    uint64_t round;        /* the listing's round being done (from 1), for spans */
    /* tracking.c */
    unsigned track;        /* TRACK_*: what rank 0 follows of the committed work */
    mpp_spans todo;        /* a resumed run: the numbers left (every rank); empty:
                              the whole range */
    bool finished;         /* the checkpoint says the run was done: no work */
    mpp_checkpoint *ck;    /* rank 0, --checkpoint: the checkpoint (what the file
                              holds, then with every committed piece) */
    mpp_result base;       /* rank 0: what the checkpoint resumed from had found */
    double ck_before;      /* rank 0: the fraction of the range it had settled */
    mpp_gaps *base_gaps;   /* rank 0, --gaps: its gaps */
    mpp_gaps *piece_gaps;  /* --count --gaps --checkpoint: a piece's own gaps */
    struct tracker *tk;    /* tracking.c's state */
    uint64_t step;         /* --count, tracked: numbers per committed piece */
    uint64_t list_from;    /* rank 0, a listing: where its first round starts */
    uint64_t listed_bytes; /* rank 0, a listing: bytes of the committed rounds */
} run;

/* What rank 0 follows (run.track). */
enum { TRACK_PROGRESS = 1, TRACK_CHECKPOINT = 2 };
/* The tag of the committed pieces' messages to rank 0. */
enum { TAG_TRACK = 103 };

/* ---- failure.c ---- */

void mpp_mpi_fail(run *r, int code, const char *call, const char *file, int line);
/* For small allocations whose failure leaves nothing sensible to do. */
void *mpp_xmalloc(run *r, size_t size);
/* The errno closest to an MPI-IO error CODE (SAVED: errno right after it). */
int mpp_mpi_io_errno(int code, int saved);
/* Notes this rank's first failure. */
void mpp_note_failure(run *r, int failure);
/* After the work: every rank's failure reaches rank 0, which reports it (or
 * the interruption) and finishes or removes the output file. */
void mpp_settle(run *r);

/* ---- distribute.c ---- */

/* Does one chunk (its number in the round INDEX, its bounds B); returns
 * false when the rank can take no more. */
typedef bool (*mpp_chunk_fn)(run *r, void *ctx, uint64_t index, mpp_block b);
/* Step 3 over a share, static or dynamic (at most CAPACITY chunks). */
void mpp_do_share(run *r, const mpp_share *s, uint64_t capacity, mpp_chunk_fn fn, void *ctx);
/* Step 3 for one chunk: the primes of B (into SINK when listing), timed. */
int mpp_find_timed(run *r, mpp_block b, const mpp_sink *sink, mpp_tally *t);
/* The same, the primes as the sieve's bytes to WS (finder.h:
 * mpp_finder_find_wheel). */
int mpp_find_wheel_timed(run *r, mpp_block b, const mpp_wheel_sink *ws, mpp_tally *t);
/* The primes of the range just before LO that a piece from LO looks back
 * at (patterns.h), into BEFORE (MPP_BEFORE_MAX); their number. Timed as
 * compute. */
size_t mpp_look_back(run *r, uint64_t lo, uint64_t *before);
/* --count: rank 0 scatters the shares, every rank counts its own, and the
 * results are reduced at rank 0 (r->reduced). */
void mpp_count(run *r);
/* Hands one commit event to the run's observers. */
void mpp_run_commit(run *r, const mpp_commit *c);
/* Whether a count with options O needs the primes' patterns (patterns.h):
 * a kind beyond the primes, or --gaps. */
bool mpp_wants_patterns(const mpp_options *o);

/* ---- setup.c ---- */

/* Every rank, before the work: the sieving primes' set-up shared among the
 * ranks when mpp_sieve_share_plan() says it pays (collective). */
void mpp_share_setup(run *r);

/* ---- listing.c ---- */

/* Steps 2-4 of a listing, in rounds. */
void mpp_list_in_rounds(run *r);

/* ---- outlets.c ---- */

/* One rank's state of a listing (listing.c), and rank 0's view of every
 * rank's round. */
#define CAP MPP_ROUND_RANK_CHUNKS
typedef struct lister {
    uint64_t budget;          /* bytes per rank per round */
    mpp_format fmt;
    int kind;                 /* what is listed: 1 primes, 2..6 tuplets (encode.h) */
    char *buf;                /* rank 0 (gathering outlets): one slot of BUDGET per rank */
    mpp_piece piece;          /* this rank's primes of the round */
    MPI_File fh;              /* MPP_PLAN_FILE */
    bool fh_open;
    mpp_chunk_meta mine[CAP]; /* this rank's chunks of the round, in order */
    mpp_block mine_b[CAP];
    uint64_t mine_at[CAP];    /* MPP_PLAN_FILE: where each goes in the file */
    uint64_t nmine;
    uint64_t mine_w[CAP * MPP_CHUNK_META_WORDS]; /* MINE, packed */
    /* rank 0 */
    mpp_round_plan plan, done_plan;
    mpp_block *blocks, *done_blocks;
    mpp_round_summary *summary; /* per rank */
    uint64_t *summary_w;        /* per rank, packed */
    mpp_chunk_meta *all;        /* CAP per rank */
    uint64_t *all_w;            /* ALL, packed */
    uint64_t *slot_at;          /* per entry of ALL: its bytes' offset in the rank's slot */
    uint64_t *file_at;          /* per entry of ALL: its bytes' offset in the file */
    const mpp_chunk_meta **by_index; /* the round's chunks by number */
    uint64_t *msgs_w;           /* the next round's message to each rank, packed */
    int *counts, *displs;
    uint64_t file_base, last_prime;
    bool any_prime;
    /* gathering outlets */
    bool turns;                 /* rank 0 receives one rank's bytes at a time (rounds.h) */
    uint64_t committed;         /* rank 0: chunks committed in the round just done */
    uint64_t next_j;            /* rank 0: the next of them to write or check */
} lister;

/* Rank 0, before any work: checks what the run needs (memory, the output
 * and CSV files), chooses where the primes and the report go. Returns the
 * exit status (EXIT_DONE to go on). */
int mpp_outlet_preflight(run *r);
/* Rank 0, --explain: the plan, before any work. */
void mpp_outlet_explain(run *r);
/* Bytes of primes each rank holds per round, and their encoding. */
uint64_t mpp_outlet_budget(const run *r);
mpp_format mpp_outlet_format(const run *r);
/* Whether the round's bytes are gathered at rank 0 (not written by every
 * rank itself). */
bool mpp_outlet_gathers(const run *r);
/* Whether rank 0 gathers each round in turns, one rank's bytes at a time
 * (rounds.h: mpp_round_turns). */
bool mpp_outlet_turns(const run *r);
/* Every rank, before the first round: MPI-IO opens the file. */
void mpp_outlet_open(run *r, lister *L);
/* Every rank, each round, after rank 0 has judged it (L->committed): the
 * encoded bytes to rank 0 (gathering outlets). In turns, rank 0 writes or
 * checks each rank's committed chunks before the next rank's arrive, all
 * but the last rank's, which mpp_outlet_deliver() does. */
void mpp_outlet_collect(run *r, lister *L);
/* Every rank, each round: the committed chunks to where they go. */
void mpp_outlet_deliver(run *r, lister *L, uint64_t committed);
/* Every rank, after the last round: MPI-IO closes the file. */
void mpp_outlet_close(run *r, lister *L);
/* Rank 0, after the settling: the output file renamed into place (OK) or
 * removed. */
void mpp_outlet_finish(run *r, bool ok);

/* ---- timeline.c ---- */

/* Rank 0, before any work: can the --timeline file be created? Returns the
 * exit status. */
int mpp_timeline_preflight(run *r);
/* Rank 0: the events the ranks may record together (--timeline): the
 * default, or MPPRIMES_TIMELINE_EVENTS; 0 and a message on ERR when that
 * is not a NUMBER of at least 1. */
uint64_t mpp_timeline_events(run *r);
/* Every rank, when the start message says so: the clocks aligned to rank
 * 0's, and recording on, at most this rank's share of TOTAL events. */
void mpp_timeline_start(run *r, uint64_t total);
/* A span of this rank, from T0 to T1 on its own clock (MPI_Wtime). */
void mpp_span_note(run *r, mpp_span_cat cat, const char *what, double t0, double t1,
                   uint64_t lo, uint64_t hi);
/* The span of the MPI call CALL (its text: the name is what comes before
 * the parenthesis). */
void mpp_span_comm(run *r, const char *call, double t0, double t1);
/* Every rank, after the report: the spans to rank 0, which writes the file
 * when the run succeeded. */
void mpp_timeline_finish(run *r);

/* ---- tracking.c ---- */

/* Rank 0, before any work, --checkpoint: reads the checkpoint (or, when
 * there is none, writes a fresh one: FILE must be writable), checks that
 * it belongs to this command, and works out what is left (r->todo,
 * r->finished). Returns the exit status. */
int mpp_checkpoint_preflight(run *r);
/* Every rank, after the start message: what it needs to report its
 * committed pieces, and rank 0's progress line. */
void mpp_track_start(run *r);
/* Every rank, --count: a piece B committed, with what was found there
 * (its gaps G, or NULL): to rank 0 (there, into the checkpoint). */
void mpp_track_piece(run *r, mpp_block b, const mpp_result *res, const mpp_gaps *g);
/* Rank 0: takes the pieces other ranks committed, then writes the
 * progress line and the checkpoint when they are due. */
void mpp_track_poll(run *r);
/* Rank 0, in a blocking wait for messages of any tag: handles ST's
 * message when it is a tracked piece (true). */
bool mpp_track_serve(run *r, const MPI_Status *st);
/* Every rank, --count, after its share: the last pieces to rank 0, which
 * takes every rank's. */
void mpp_track_finish(run *r);
/* Rank 0, a listing, when round K is judged (every rank has delivered the
 * rounds before it): the checkpoint and progress from the committed rounds
 * before K. */
void mpp_track_listing(run *r);
/* Rank 0, in the settling, before the output file is renamed or kept: the
 * progress line erased; a listing's checkpoint brought up to its committed
 * rounds (unless a write failed: WORST, the run's failure), and written
 * when they are all of it. */
void mpp_track_prepare(run *r, int worst);
/* Rank 0, in the settling, after the output file was renamed or kept: the
 * log's last progress line, and the final checkpoint written (finished when
 * the run succeeded; with every committed round unless a write failed:
 * WORST, the run's failure). Returns false when it could not be written (a
 * message is printed). */
bool mpp_track_settle(run *r, int worst);
/* Rank 0, after the checks before any work: the first checkpoint written
 * (FILE must be writable). Returns the exit status. */
int mpp_checkpoint_begin(run *r);
/* Every rank, at the end: frees the tracking state. */
void mpp_track_free(run *r);

/* ---- reporting.c ---- */

/* Step 5: every rank's row to rank 0, which prints the report and appends
 * the CSV row. */
void mpp_report_step(run *r);

/* ---- selftest.c ---- */

/* --self-test instead of a range (every rank); sets r->status on every rank. */
void mpp_self_test(run *r);

#endif
