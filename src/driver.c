/* driver.c - the MPI pipeline of mpprimes, one function per step:
 *
 *   1. rank 0 parses and validates the request; the verdict is broadcast so
 *      that on bad input every rank leaves together          MPI_Bcast
 *   2. rank 0 splits [START, STOP] into one block per rank     MPI_Scatter
 *   3. each rank finds the primes of its block (core library, no MPI)
 *   4. the results come back to rank 0: the counts are reduced
 *      (--count), or the primes are gathered in order          MPI_Reduce /
 *                                                              MPI_Gatherv
 *   5. the per-rank figures are gathered and rank 0 reports    MPI_Gather
 *
 * Only rank 0 prints. Every rank returns the same exit status. MPI errors
 * are returned to us (MPI_ERRORS_RETURN) and turned into one message with
 * file, line and rank by MPI_CHECK, then MPI_Abort.
 *
 * Timing (MPI_Wtime): compute_s is step 3; comm_s is the time spent inside
 * the MPI calls of steps 1-4 (waiting for slower ranks included, which is
 * how load imbalance shows); elapsed_s is the largest, over the ranks, of
 * the time from entry to the end of the work (rank 0's includes writing the
 * primes). Per-rank durations avoid comparing clocks of different hosts.
 */
#include "driver.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decomp.h"
#include "memory.h"
#include "options.h"
#include "output.h"
#include "primes.h"
#include "report.h"

#define MPI_CHECK(r, call)                                                              \
    do {                                                                                \
        int rc_ = (call);                                                               \
        if (rc_ != MPI_SUCCESS)                                                         \
            mpi_fail((r), rc_, #call, __FILE__, __LINE__);                              \
    } while (0)

/* An MPI call of the pipeline: checked, and its time added to comm_s. */
#define MPI_TIMED(r, call)                                                              \
    do {                                                                                \
        double t0_ = MPI_Wtime();                                                       \
        MPI_CHECK(r, call);                                                             \
        (r)->comm_s += MPI_Wtime() - t0_;                                               \
    } while (0)

enum { EXIT_DONE = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* Everything one rank knows about the run. */
typedef struct {
    MPI_Comm comm;
    int rank, size;
    FILE *out, *err;
    FILE *report;      /* rank 0: out, or err when the primes go to out */
    mpp_options opts;  /* all of it on rank 0; range, method, mode elsewhere */
    mpp_outfile file;  /* rank 0, with --output */
    bool file_open;
    mpp_block block;   /* this rank's numbers */
    mpp_tally tally;   /* and what it found there */
    mpp_vec local;     /* its primes, unless --count */
    uint64_t *all;     /* rank 0: every prime, in order */
    uint64_t total;    /* rank 0: number of primes */
    double t_start, compute_s, comm_s, elapsed_s;
    int status;        /* exit status so far */
} run;

static void mpi_fail(run *r, int code, const char *call, const char *file, int line)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(code, msg, &len);
    fprintf(r->err, "mpprimes: MPI error in %s at %s:%d on rank %d: %s\n", call, file,
            line, r->rank, msg);
    MPI_Abort(r->comm, EXIT_RUNTIME);
}

/* For small allocations whose failure leaves nothing sensible to do. */
static void *xmalloc(run *r, size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        fprintf(r->err, "mpprimes: out of memory on rank %d\n", r->rank);
        MPI_Abort(r->comm, EXIT_RUNTIME);
    }
    return p;
}

/* Rank 0: the message for N primes (ABOUT: an estimate) that one
 * MPI_Gatherv, with int counts and displacements, cannot carry. */
static int refuse_gather_count(run *r, uint64_t n, bool about)
{
    fprintf(r->err,
            "mpprimes: [%llu, %llu] holds %s%llu primes, more than one MPI_Gatherv can "
            "carry (2^31 - 1); use --count to count them\n",
            (unsigned long long)r->opts.start, (unsigned long long)r->opts.stop,
            about ? "about " : "", (unsigned long long)n);
    return EXIT_RUNTIME;
}

/* Rank 0, before any work: will the gather fit, and can the output file
 * be created? Returns the exit status (EXIT_DONE to go on). */
static int preflight(run *r)
{
    const mpp_options *o = &r->opts;
    r->report = o->print ? r->err : r->out;
    if (!o->count_only) {
        uint64_t est = mpp_prime_count_estimate(o->start, o->stop);
        if (est > INT_MAX)
            return refuse_gather_count(r, est, true);
        /* Rank 0 holds the gathered primes and its own block's. */
        double need = (double)est * sizeof(uint64_t) * (1.0 + 1.0 / r->size);
        double avail = (double)mpp_available_memory();
        if (need > avail) {
            fprintf(r->err,
                    "mpprimes: gathering about %llu primes needs about %.1f GiB at rank 0, "
                    "but only %.1f GiB is available; use --count to count them\n",
                    (unsigned long long)est, need / 1073741824.0, avail / 1073741824.0);
            return EXIT_RUNTIME;
        }
    }
    if (o->output) {
        int e = mpp_outfile_open(&r->file, o->output);
        if (e) {
            fprintf(r->err, "mpprimes: cannot create output file '%s': %s\n", o->output,
                    strerror(e));
            return EXIT_RUNTIME;
        }
        r->file_open = true;
    }
    return EXIT_DONE;
}

/* Step 1. Returns false when the run ends here (help, version, an error). */
static bool step1_parse_and_broadcast(run *r, int argc, char **argv)
{
    /* go?, exit status, start, stop, method, count_only */
    uint64_t msg[6] = {0};
    if (r->rank == 0) {
        char why[256];
        mpp_options_init(&r->opts);
        int status = EXIT_DONE;
        bool go = false;
        switch (mpp_parse_options(argc, argv, &r->opts, why, sizeof why)) {
        case MPP_OPT_HELP:
            mpp_print_usage(r->out);
            break;
        case MPP_OPT_VERSION:
            fprintf(r->out, "mpprimes %s\n", MPPRIMES_VERSION);
            break;
        case MPP_OPT_ERROR:
            fprintf(r->err, "mpprimes: %s\n", why);
            status = EXIT_USAGE;
            break;
        case MPP_OPT_RUN:
            status = preflight(r);
            go = status == EXIT_DONE;
            break;
        }
        msg[0] = go;
        msg[1] = (uint64_t)status;
        msg[2] = r->opts.start;
        msg[3] = r->opts.stop;
        msg[4] = (uint64_t)r->opts.method;
        msg[5] = r->opts.count_only;
    }
    MPI_TIMED(r, MPI_Bcast(msg, 6, MPI_UINT64_T, 0, r->comm));
    r->status = (int)msg[1];
    if (!msg[0])
        return false;
    if (r->rank != 0) {
        mpp_options_init(&r->opts);
        r->opts.start = msg[2];
        r->opts.stop = msg[3];
        r->opts.method = (mpp_method)msg[4];
        r->opts.count_only = msg[5] != 0;
    }
    return true;
}

/* Step 2: one contiguous block per rank, computed on rank 0 and scattered. */
static void step2_decompose_and_scatter(run *r)
{
    mpp_block *blocks = NULL;
    if (r->rank == 0) {
        blocks = xmalloc(r, (size_t)r->size * sizeof *blocks);
        mpp_block_decompose(r->opts.start, r->opts.stop, r->size, blocks);
    }
    MPI_TIMED(r, MPI_Scatter(blocks, MPP_BLOCK_WORDS, MPI_UINT64_T, &r->block,
                             MPP_BLOCK_WORDS, MPI_UINT64_T, 0, r->comm));
    free(blocks);
}

/* Step 3: the local work. Returns false (on every rank) when a rank failed. */
static bool step3_find_local_primes(run *r)
{
    double t0 = MPI_Wtime();
    int rc = MPP_OK;
    mpp_sink keep = {mpp_vec_push, &r->local};
    memset(&r->tally, 0, sizeof r->tally);
    if (!r->block.empty)
        rc = mpp_find_primes(r->opts.method, r->block.lo, r->block.hi,
                             r->opts.count_only ? NULL : &keep, &r->tally);
    r->compute_s = MPI_Wtime() - t0;

    struct {
        int failed, rank;
    } mine = {rc != MPP_OK, r->rank}, worst;
    MPI_TIMED(r, MPI_Allreduce(&mine, &worst, 1, MPI_2INT, MPI_MAXLOC, r->comm));
    if (!worst.failed)
        return true;
    if (r->rank == 0)
        fprintf(r->err,
                "mpprimes: rank %d ran out of memory holding the primes of its block; "
                "use --count, or more ranks\n",
                worst.rank);
    r->status = EXIT_RUNTIME;
    return false;
}

/* Step 4, --count: the counts are summed at rank 0. */
static void step4_reduce_counts(run *r)
{
    MPI_TIMED(r, MPI_Reduce(&r->tally.count, &r->total, 1, MPI_UINT64_T, MPI_SUM, 0,
                            r->comm));
}

/* Rank 0, step 4: checks the per-rank counts and allocates the receive side
 * of the gather. Returns the exit status. */
static int prepare_gather(run *r, const uint64_t *counts, int *icounts, int *displs)
{
    uint64_t total = 0;
    for (int i = 0; i < r->size; i++)
        total += counts[i];
    if (total > INT_MAX)
        return refuse_gather_count(r, total, false);
    for (int i = 0, at = 0; i < r->size; i++) {
        icounts[i] = (int)counts[i];
        displs[i] = at;
        at += icounts[i];
    }
    r->total = total;
    r->all = malloc(total ? total * sizeof *r->all : 1);
    if (!r->all) {
        fprintf(r->err, "mpprimes: out of memory for %llu primes at rank 0; use --count\n",
                (unsigned long long)total);
        return EXIT_RUNTIME;
    }
    return EXIT_DONE;
}

/* Step 4, default: the primes are gathered at rank 0, in rank order, which
 * is ascending order. Returns false (on every rank) when it cannot be done. */
static bool step4_gather_primes(run *r)
{
    uint64_t n = r->local.len;
    uint64_t *counts = NULL;
    int *icounts = NULL, *displs = NULL;
    int verdict = EXIT_DONE;
    if (r->rank == 0) {
        counts = xmalloc(r, (size_t)r->size * sizeof *counts);
        icounts = xmalloc(r, (size_t)r->size * sizeof *icounts);
        displs = xmalloc(r, (size_t)r->size * sizeof *displs);
    }
    MPI_TIMED(r, MPI_Gather(&n, 1, MPI_UINT64_T, counts, 1, MPI_UINT64_T, 0, r->comm));
    if (r->rank == 0)
        verdict = prepare_gather(r, counts, icounts, displs);
    MPI_TIMED(r, MPI_Bcast(&verdict, 1, MPI_INT, 0, r->comm));
    if (verdict == EXIT_DONE)
        MPI_TIMED(r, MPI_Gatherv(r->local.data, (int)n, MPI_UINT64_T, r->all, icounts,
                                 displs, MPI_UINT64_T, 0, r->comm));
    mpp_vec_free(&r->local);
    free(counts);
    free(icounts);
    free(displs);
    r->status = verdict;
    return verdict == EXIT_DONE;
}

/* Rank 0: writes the gathered primes where they were asked for. */
static int write_primes(run *r)
{
    if (r->opts.print) {
        int e = mpp_write_primes(r->out, r->all, r->total);
        if (!e && fflush(r->out) != 0)
            e = errno ? errno : EIO;
        if (e) {
            fprintf(r->err, "mpprimes: cannot write the primes to standard output: %s\n",
                    strerror(e));
            return EXIT_RUNTIME;
        }
    }
    if (r->file_open) {
        int e = mpp_write_primes(r->file.f, r->all, r->total);
        r->file_open = false;
        if (e)
            mpp_outfile_abandon(&r->file);
        else
            e = mpp_outfile_commit(&r->file);
        if (e) {
            fprintf(r->err, "mpprimes: cannot write output file '%s': %s\n",
                    r->opts.output, strerror(e));
            return EXIT_RUNTIME;
        }
    }
    return EXIT_DONE;
}

/* Step 5: every rank's figures to rank 0, which prints the report. */
static void step5_report(run *r)
{
    enum { WORDS = 7, TIMES = 3 };
    char host[MPP_HOST_MAX] = {0};
    char name[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    MPI_CHECK(r, MPI_Get_processor_name(name, &len));
    snprintf(host, sizeof host, "%.*s", len, name);
    uint64_t words[WORDS] = {r->block.empty, r->block.lo, r->block.hi, r->tally.count,
                             r->tally.first, r->tally.last, (uint64_t)mpp_max_rss_kib()};
    double times[TIMES] = {r->compute_s, r->comm_s, r->elapsed_s};

    uint64_t *all_words = NULL;
    double *all_times = NULL;
    char *all_hosts = NULL;
    if (r->rank == 0) {
        all_words = xmalloc(r, (size_t)r->size * WORDS * sizeof *all_words);
        all_times = xmalloc(r, (size_t)r->size * TIMES * sizeof *all_times);
        all_hosts = xmalloc(r, (size_t)r->size * MPP_HOST_MAX);
    }
    MPI_CHECK(r, MPI_Gather(words, WORDS, MPI_UINT64_T, all_words, WORDS, MPI_UINT64_T, 0,
                            r->comm));
    MPI_CHECK(r, MPI_Gather(times, TIMES, MPI_DOUBLE, all_times, TIMES, MPI_DOUBLE, 0,
                            r->comm));
    MPI_CHECK(r, MPI_Gather(host, MPP_HOST_MAX, MPI_CHAR, all_hosts, MPP_HOST_MAX, MPI_CHAR,
                            0, r->comm));
    if (r->rank == 0 && !r->opts.quiet && r->status == EXIT_DONE) {
        mpp_rank_stats *stats = xmalloc(r, (size_t)r->size * sizeof *stats);
        double elapsed = 0;
        for (int i = 0; i < r->size; i++) {
            const uint64_t *w = all_words + (size_t)i * WORDS;
            const double *t = all_times + (size_t)i * TIMES;
            mpp_rank_stats *s = &stats[i];
            s->rank = i;
            memcpy(s->host, all_hosts + (size_t)i * MPP_HOST_MAX, MPP_HOST_MAX);
            s->host[MPP_HOST_MAX - 1] = '\0';
            s->empty = w[0] != 0;
            s->lo = w[1];
            s->hi = w[2];
            s->count = w[3];
            s->first = w[4];
            s->last = w[5];
            s->max_rss_kib = (long)w[6];
            s->compute_s = t[0];
            s->comm_s = t[1];
            elapsed = t[2] > elapsed ? t[2] : elapsed;
        }
        mpp_report rep = {r->opts.start, r->opts.stop, r->size, r->opts.method, "block",
                          r->total, elapsed, stats};
        if (r->opts.json)
            mpp_report_json(r->report, &rep);
        else
            mpp_report_text(r->report, &rep);
        if (fflush(r->report) != 0) {
            fprintf(r->err, "mpprimes: cannot write the report\n");
            r->status = EXIT_RUNTIME;
        }
        free(stats);
    }
    free(all_words);
    free(all_times);
    free(all_hosts);
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
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
    MPI_CHECK(&r, MPI_Comm_rank(comm, &r.rank));
    MPI_CHECK(&r, MPI_Comm_size(comm, &r.size));

    if (step1_parse_and_broadcast(&r, argc, argv)) {
        step2_decompose_and_scatter(&r);
        bool ok = step3_find_local_primes(&r);
        if (ok && r.opts.count_only)
            step4_reduce_counts(&r);
        else if (ok)
            ok = step4_gather_primes(&r);
        if (ok && r.rank == 0)
            r.status = write_primes(&r);
        r.elapsed_s = MPI_Wtime() - r.t_start;
        if (ok)
            step5_report(&r);
        /* Rank 0 alone knows whether writing succeeded: share the verdict. */
        MPI_CHECK(&r, MPI_Bcast(&r.status, 1, MPI_INT, 0, comm));
    }
    if (r.file_open)
        mpp_outfile_abandon(&r.file);
    mpp_vec_free(&r.local);
    free(r.all);
    return r.status;
}
