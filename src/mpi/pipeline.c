/* pipeline.c - the MPI pipeline of mpprimes: the steps of a run in order,
 * on one communicator (docs/architecture.md tells the whole flow):
 *
 *   1. rank 0 parses and checks the request; the verdict and what the work
 *      needs are broadcast, so that on bad input every rank leaves
 *      together                                      MPI_Bcast (here)
 *   2-4. the work: --count scatters the shares, counts and reduces the
 *      results (distribute.c); a listing does it in rounds (listing.c)
 *      through its outlet (outlets.c)
 *   then the settling: every rank's failure or interruption reaches rank 0,
 *      which says what happened (failure.c)
 *   --compare: rank 0 alone does the whole range again, timed (here)
 *   5. every rank's row to rank 0, which prints the report (reporting.c)
 *   --timeline: every rank's spans to rank 0, which writes them (timeline.c)
 *   then rank 0's exit status to every rank               MPI_Bcast (here)
 *
 * Owns also the run's state from its start to its teardown: the signals
 * caught for the run (signals.h), the rank's finder, the observers of the
 * commit events (commit.h), the files rank 0 opened.
 *
 * MPI calls here: MPI_Comm_set_errhandler (MPI_ERRORS_RETURN: every error
 * comes back to MPI_CHECK), MPI_Comm_rank, MPI_Comm_size, MPI_Bcast,
 * MPI_Ibarrier and MPI_Test (--compare's wait without spinning).
 *
 * Timing (MPI_Wtime): compute_s is step 3 (finding and encoding the primes);
 * comm_s the time inside the MPI calls of steps 1-4 (waiting for slower
 * ranks included, which is how load imbalance shows); io_s the time writing
 * the primes; elapsed_s the largest, over the ranks, of the time from entry
 * to the end of the work. Per-rank durations avoid comparing clocks of
 * different hosts.
 */
#include "mpprimes.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memory.h"
#include "records.h"
#include "run.h"
#include "sieve.h"
#include "signals.h"

/* --version: the program's, then what it was built with and runs on: the
 * MPI library (the first line of MPI_Get_library_version), the compiler,
 * and the CPU features the sieve uses. */
static void print_version(FILE *out)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int len = 0;
    if (MPI_Get_library_version(lib, &len) != MPI_SUCCESS)
        snprintf(lib, sizeof lib, "unknown");
    lib[strcspn(lib, "\n")] = '\0';
    /* One line, its blanks single spaces (MPICH: "MPICH Version:\t4.0.2"). */
    size_t w = 0;
    for (size_t i = 0; lib[i]; i++) {
        bool blank = lib[i] == ' ' || lib[i] == '\t' || lib[i] == '\r';
        if (!blank)
            lib[w++] = lib[i];
        else if (w > 0 && lib[w - 1] != ' ')
            lib[w++] = ' ';
    }
    while (w > 0 && lib[w - 1] == ' ')
        w--;
    lib[w] = '\0';
    fprintf(out, "mpprimes %s\n", MPPRIMES_VERSION);
    fprintf(out, "MPI: %s\n", lib);
#if defined(__clang__)
    fprintf(out, "compiler: %s\n", __VERSION__);
#elif defined(__GNUC__)
    fprintf(out, "compiler: GCC %s\n", __VERSION__);
#else
    fprintf(out, "compiler: unknown\n");
#endif
    fprintf(out, "CPU features: %s\n",
            mpp_sieve_uses_popcnt() ? "POPCNT (the sieve counts with it)"
                                    : "none used (the sieve counts without POPCNT)");
}

/* Rank 0, --nth-prime: why there is no answer (RC: MPP_NTH_BEYOND or
 * MPP_NTH_BELOW). */
static void nth_error(run *r, int rc)
{
    if (rc == MPP_NTH_BEYOND)
        fprintf(r->err, "mpprimes: --nth-prime %" PRIu64 " %" PRIu64 ": the answer lies beyond "
                        "2^64 - 1 (18446744073709551615)\n",
                r->nth.n, r->nth.start);
    else
        fprintf(r->err, "mpprimes: --nth-prime -%" PRIu64 " %" PRIu64 ": fewer than %" PRIu64
                        " primes lie below %" PRIu64 "\n",
                r->nth.n, r->nth.start, r->nth.n, r->nth.start);
}

/* Rank 0, --nth-prime, before any work: the plan, whose interval the ranks
 * count instead of [START, STOP]. Returns the exit status. */
static int plan_nth(run *r)
{
    mpp_options *o = &r->opts;
    int rc = mpp_nth_plan_make(o->nth_neg, o->nth_n, o->start, &r->nth);
    if (rc != MPP_NTH_OK) {
        nth_error(r, rc);
        return EXIT_USAGE;
    }
    o->start = r->nth.lo;
    o->stop = r->nth.hi;
    return EXIT_DONE;
}

/* Rank 0, --nth-prime, after the count: the last stretch, timed as
 * compute. */
static void finish_nth(run *r)
{
    mpp_stop stop = {mpp_stop_flag(), 0};
    double t0 = MPI_Wtime(), c0 = mpp_thread_cpu_s();
    int rc = r->finder ? mpp_nth_finish(r->finder, &r->nth, r->reduced.primes.count,
                                        &r->nth_prime, &stop)
                       : MPP_ENOMEM;
    r->cpu_s += mpp_thread_cpu_s() - c0;
    r->compute_s += MPI_Wtime() - t0;
    if (rc == MPP_NTH_BEYOND || rc == MPP_NTH_BELOW) {
        nth_error(r, rc);
        r->status = EXIT_USAGE;
    } else if (rc == MPP_STOPPED) {
        fprintf(r->err, "mpprimes: interrupted by %s after %.1f s, during --nth-prime's last "
                        "stretch; no answer\n",
                mpp_signal_name(mpp_stop_signal()), MPI_Wtime() - r->t_start);
        r->status = 128 + mpp_stop_signal();
    } else if (rc != MPP_NTH_OK) {
        fprintf(r->err, "mpprimes: --nth-prime: rank 0 ran out of memory for the last "
                        "stretch\n");
        r->status = EXIT_RUNTIME;
    }
}

/* Step 1. Returns false when the run ends here (help, version, an error). */
static bool parse_and_broadcast(run *r, int argc, char **argv)
{
    uint64_t words[MPP_START_WORDS];
    mpp_start_msg m = {.go = false, .status = EXIT_DONE, .outlet = MPP_PLAN_COUNT,
                       .namelen = 0, .timeline = 0};
    if (r->rank == 0) {
        char why[256];
        mpp_options_init(&r->opts);
        switch (mpp_parse_options(argc, argv, &r->opts, why, sizeof why)) {
        case MPP_OPT_HELP:
            mpp_print_usage(r->out);
            break;
        case MPP_OPT_VERSION:
            print_version(r->out);
            break;
        case MPP_OPT_ERROR:
            fprintf(r->err, "mpprimes: %s\n", why);
            m.status = EXIT_USAGE;
            break;
        case MPP_OPT_RUN:
            if (r->opts.self_test) { /* no range, no outlet */
                m.go = true;
                break;
            }
            if (r->opts.checkpoint) { /* its command: the options as given */
                r->ck = mpp_xmalloc(r, sizeof *r->ck);
                mpp_checkpoint_init(r->ck, &r->opts);
            }
            if (r->opts.nth)
                m.status = plan_nth(r);
            if (m.status == EXIT_DONE && r->opts.timeline &&
                (m.timeline = mpp_timeline_events(r)) == 0)
                m.status = EXIT_USAGE;
            if (m.status == EXIT_DONE)
                m.status = mpp_checkpoint_preflight(r);
            if (m.status == EXIT_DONE)
                m.status = mpp_outlet_preflight(r);
            if (m.status == EXIT_DONE)
                m.status = mpp_timeline_preflight(r);
            if (m.status == EXIT_DONE)
                m.status = mpp_checkpoint_begin(r);
            m.go = m.status == EXIT_DONE;
            if (m.go && r->opts.explain)
                mpp_outlet_explain(r);
            break;
        }
        m.opts = r->opts;
        m.outlet = r->where;
        m.namelen = m.go && r->where == MPP_PLAN_FILE ? strlen(r->file.tmp) + 1 : 0;
        m.track = r->track;
        m.todo = r->todo.n;
        m.finished = r->finished;
        mpp_start_pack(&m, words);
    }
    MPI_TIMED(r, MPI_Bcast(words, MPP_START_WORDS, MPI_UINT64_T, 0, r->comm));
    if (r->rank != 0) {
        mpp_start_unpack(words, &m);
        r->opts = m.opts;
        r->where = m.outlet;
        r->track = (unsigned)m.track;
        r->finished = m.finished;
    }
    r->status = m.status;
    if (!m.go)
        return false;
    if (m.namelen) {
        r->tmpname = mpp_xmalloc(r, m.namelen);
        if (r->rank == 0)
            memcpy(r->tmpname, r->file.tmp, m.namelen);
        MPI_TIMED(r, MPI_Bcast(r->tmpname, (int)m.namelen, MPI_CHAR, 0, r->comm));
        if (!(r->track & TRACK_CHECKPOINT)) /* (else kept for the resume) */
            mpp_remove_on_signal(r->tmpname); /* by any rank: rank 0 may be gone */
    }
    if (m.todo) { /* resumed: the numbers left, to every rank */
        if (r->rank != 0) {
            r->todo.at = mpp_xmalloc(r, m.todo * sizeof *r->todo.at);
            r->todo.n = r->todo.cap = m.todo;
        }
        MPI_TIMED(r, MPI_Bcast(r->todo.at, (int)(m.todo * MPP_BLOCK_WORDS), MPI_UINT64_T, 0,
                               r->comm));
    }
    if (m.timeline)
        mpp_timeline_start(r, m.timeline);
    return true;
}

/* A sink for --compare's serial run: encodes the primes into a piece as
 * the listing does, and empties it whenever it fills. */
static int discard_push(void *ctx, const uint64_t *primes, size_t n)
{
    mpp_piece *p = ctx;
    while (n > 0) {
        uint64_t before = p->count;
        int rc = mpp_piece_push(p, primes, n);
        if (rc != MPP_PIECE_FULL)
            return rc;
        size_t took = (size_t)(p->count - before);
        primes += took;
        n -= took;
        mpp_piece_reset(p);
    }
    return 0;
}

/* The same for tuplets (an mpp_tuplet_fn), counting them: the piece's own
 * count restarts whenever it is emptied. */
typedef struct {
    mpp_piece *piece;
    uint64_t total; /* tuplets encoded */
} discard_tuplets_ctx;

static int discard_tuplets(void *ctx, const uint64_t *firsts, const uint32_t *forms, size_t n)
{
    discard_tuplets_ctx *d = ctx;
    while (n > 0) {
        uint64_t before = d->piece->count;
        int rc = mpp_piece_push_tuplets(d->piece, firsts, forms, n);
        size_t took = (size_t)(d->piece->count - before);
        d->total += took;
        if (rc != MPP_PIECE_FULL)
            return rc;
        firsts += took;
        forms += took;
        n -= took;
        mpp_piece_reset(d->piece);
    }
    return 0;
}

/* Rank 0, --compare: the serial run. */
static void serial_run(run *r)
{
    enum { PIECE = 1 << 20 };
    const mpp_options *o = &r->opts;
    mpp_tally t = {.count = 0, .first = 0, .last = 0};
    /* a fresh finder, as rank 0's at the start */
    mpp_finder *finder = mpp_finder_new(o->method, o->stop);
    char *buf = o->count_only ? NULL : malloc(PIECE + MPP_PIECE_SLACK);
    mpp_piece piece;
    mpp_sink sink = {discard_push, &piece};
    int rc = MPP_ENOMEM;
    mpp_stop stop = {mpp_stop_flag(), 0};
    mpp_gaps *gaps = o->gaps ? malloc(sizeof *gaps) : NULL;
    int kind = o->count_only ? 1 : mpp_list_kind(o);
    double t0 = MPI_Wtime();
    bool room = gaps || !o->gaps; /* (no room: ENOMEM stays) */
    if (finder && room && mpp_wants_patterns(o)) {
        mpp_patterns p; /* the whole range is one piece: nothing before it */
        if (gaps)
            mpp_gaps_clear(gaps);
        mpp_patterns_begin(&p, NULL, 0, gaps);
        mpp_wheel_sink patterns = {mpp_patterns_sink, mpp_patterns_wheel, &p};
        rc = mpp_finder_find_wheel(finder, o->start, o->stop, &patterns, &t, &stop);
    } else if (finder && o->count_only && !o->gaps) {
        rc = mpp_finder_find(finder, o->start, o->stop, NULL, &t, &stop);
    } else if (finder && buf && kind > 1) {
        mpp_piece_init(&piece, buf, PIECE, mpp_outlet_format(r));
        piece.kind = kind;
        discard_tuplets_ctx d = {&piece, 0};
        mpp_tuplets tl; /* the whole range is one piece */
        mpp_tuplets_begin(&tl, kind, NULL, 0, discard_tuplets, &d);
        mpp_wheel_sink ws = {mpp_tuplets_sink, mpp_tuplets_wheel, &tl};
        rc = mpp_finder_find_wheel(finder, o->start, o->stop, &ws, &t, &stop);
        t.count = d.total; /* what is compared below */
    } else if (finder && buf) {
        mpp_piece_init(&piece, buf, PIECE, mpp_outlet_format(r));
        rc = mpp_finder_find(finder, o->start, o->stop, &sink, &t, &stop);
    }
    r->serial_s = MPI_Wtime() - t0;
    free(gaps);
    free(buf);
    mpp_finder_free(finder);
    if (rc == MPP_STOPPED) {
        fprintf(r->err, "mpprimes: interrupted by %s after %.1f s, during --compare's "
                        "serial run (%.1f%% done); no report\n",
                mpp_signal_name(mpp_stop_signal()), MPI_Wtime() - r->t_start,
                100.0 * (double)stop.done / ((double)(o->stop - o->start) + 1));
        r->status = 128 + mpp_stop_signal();
    } else if (rc != MPP_OK) {
        fprintf(r->err, "mpprimes: --compare: rank 0 ran out of memory for the serial run\n");
        r->status = EXIT_RUNTIME;
    } else if (t.count != (kind > 1 ? r->progress.result.tuplets[kind]
                                     : r->progress.result.primes.count)) {
        fprintf(r->err, "mpprimes: internal error: the serial run found %" PRIu64
                        " %s, the parallel run %" PRIu64 "\n",
                t.count, mpp_pattern_name(kind),
                kind > 1 ? r->progress.result.tuplets[kind] : r->progress.result.primes.count);
        r->status = EXIT_RUNTIME;
    }
}

/* --compare: rank 0 alone finds the primes of the whole range again, the
 * same way (counting, or encoding them as the listing does, without
 * output), timed; the other ranks wait without spinning, so as not to take
 * its core. Its count must be the run's. */
static void compare_serial(run *r)
{
    MPI_Request req;
    if (r->rank == 0 && r->status == EXIT_DONE && !r->reader_gone)
        serial_run(r);
    MPI_CHECK(r, MPI_Ibarrier(r->comm, &req));
    int done = 0;
    while (!done) {
        MPI_CHECK(r, MPI_Test(&req, &done, MPI_STATUS_IGNORE));
        if (!done) {
            struct timespec pause = {0, 1000000}; /* 1 ms */
            nanosleep(&pause, NULL);
        }
    }
}

/* Rank 0, a finished checkpoint: its results are the run's. */
static void take_finished(run *r)
{
    if (r->rank != 0)
        return;
    r->reduced = r->base;
    if (r->base_gaps) {
        r->gaps = mpp_xmalloc(r, sizeof *r->gaps);
        *r->gaps = *r->base_gaps;
    }
}

/* Steps 2-4 and the settling. */
static void work(run *r)
{
    r->finder = mpp_finder_new(r->opts.method, r->opts.stop);
    if (r->finder == NULL)
        mpp_note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    mpp_progress_init(&r->progress, r->opts.start, r->opts.stop);
    if (r->rank == 0 && !r->opts.count_only && r->ck) { /* a listing resumed */
        r->progress.next = r->list_from;
        r->progress.numbers = (double)(r->list_from - r->opts.start);
        r->progress.result = r->base;
    }
    mpp_commit_hook(&r->hooks, mpp_rank_work_on_commit, &r->work);
    if (r->rank == 0)
        mpp_commit_hook(&r->hooks, mpp_progress_on_commit, &r->progress);
    mpp_track_start(r);
    if (r->finished) /* the checkpoint's results, without sieving */
        take_finished(r);
    else
        mpp_share_setup(r);
    if (!r->finished && r->opts.count_only)
        mpp_count(r);
    else if (!r->finished)
        mpp_list_in_rounds(r);
    mpp_settle(r);
    if (r->opts.count_only && r->rank == 0 && r->status == EXIT_DONE) {
        /* --count is one round: the merged results settle the range. */
        mpp_commit c = {.scope = MPP_COMMIT_ROUND, .lo = r->opts.start, .hi = r->opts.stop,
                        .result = r->reduced, .done = true};
        mpp_run_commit(r, &c);
        if (r->opts.nth)
            finish_nth(r);
    }
}

int mpprimes_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err)
{
    run r;
    memset(&r, 0, sizeof r);
    r.t_start = MPI_Wtime();
    r.comm = comm;
    r.out = out;
    r.err = err;
    r.report = out;
    r.stream_fd = -1;
    r.serial_s = -1;
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
    MPI_CHECK(&r, MPI_Comm_rank(comm, &r.rank));
    MPI_CHECK(&r, MPI_Comm_size(comm, &r.size));
    mpp_signals_catch();

    bool go = parse_and_broadcast(&r, argc, argv);
    if (go && r.opts.self_test) {
        mpp_self_test(&r);
    } else if (go) {
        work(&r);
        r.elapsed_s = MPI_Wtime() - r.t_start;
        if (r.opts.compare)
            compare_serial(&r);
        mpp_report_step(&r);
        mpp_timeline_finish(&r);
        /* Rank 0 alone knows whether the report was written: share it. */
        MPI_CHECK(&r, MPI_Bcast(&r.status, 1, MPI_INT, 0, comm));
    }
    if (r.file_open && r.file_resumed)
        mpp_outfile_keep(&r.file); /* what an earlier run wrote stays */
    else if (r.file_open)
        mpp_outfile_abandon(&r.file);
    if (r.csv_open) /* a file made for a run that wrote no row is removed */
        mpp_appendfile_close(&r.csv, false);
    if (r.rank == 0 && r.stream_fd > 2 && r.opts.print)
        close(r.stream_fd);
    if (r.direct)
        fclose(r.direct); /* flushed, and any error reported, with the report */
    mpp_finder_free(r.finder);
    mpp_track_free(&r);
    free(r.gaps);
    free(r.tmpname);
    mpp_signals_restore();
    return r.status;
}
