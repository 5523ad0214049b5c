/* failure.c - the failure path of a run, and the interruption path.
 *
 * Owns: MPI errors (one line with file, line and rank, then MPI_Abort);
 * the failures a rank notes during its work (out of memory, a write that
 * failed, an internal check, a stop signal: FAILURE(what, errno)); and the
 * settling after the work, where every rank's failure reaches rank 0, which
 * says in one line what went wrong, or how far an interrupted run got, and
 * finishes or removes the output file. The signals themselves are caught
 * by the system layer (signals.h); the finders poll its flag.
 *
 * MPI calls: MPI_Error_string, MPI_Abort, MPI_Error_class; MPI_Allreduce
 * (MPI_MAXLOC: the worst failure and its rank), MPI_Reduce (how far the
 * ranks of an interrupted --count got).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "launcher.h"
#include "run.h"
#include "signals.h"

void mpp_mpi_fail(run *r, int code, const char *call, const char *file, int line)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(code, msg, &len);
    fprintf(r->err, "mpprimes: MPI error in %s at %s:%d on rank %d: %s\n", call, file,
            line, r->rank, msg);
    MPI_Abort(r->comm, EXIT_RUNTIME);
}

void *mpp_xmalloc(run *r, size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        fprintf(r->err, "mpprimes: out of memory on rank %d\n", r->rank);
        MPI_Abort(r->comm, EXIT_RUNTIME);
    }
    return p;
}

/* Open MPI's ompio reports most system errors as a plain MPI_ERR_IO or
 * MPI_ERR_OTHER; the errno of the failed system call (SAVED, read right
 * after the MPI call) then says more. */
int mpp_mpi_io_errno(int code, int saved)
{
    int cls = MPI_ERR_OTHER;
    MPI_Error_class(code, &cls);
    if (cls == MPI_ERR_NO_SPACE)
        return ENOSPC;
    if (cls == MPI_ERR_QUOTA)
        return EDQUOT;
    if (cls == MPI_ERR_ACCESS)
        return EACCES;
    if (cls == MPI_ERR_READ_ONLY)
        return EROFS;
    if (cls == MPI_ERR_NO_SUCH_FILE)
        return ENOENT;
    return saved > 0 && saved <= 0xffff ? saved : EIO;
}

void mpp_note_failure(run *r, int failure)
{
    if (!r->failure)
        r->failure = failure;
}

/* The end of a listing's interruption line (FOUND: what it listed): what
 * became of the output, and what a checkpoint keeps. */
static void listing_tail(FILE *f, const run *r, uint64_t found)
{
    const mpp_options *o = &r->opts;
    if (o->print && r->ck)
        fprintf(f, "; they were printed, and no more; checkpoint '%s' keeps them: run the "
                   "same command again, appending (>>) to what it printed, to resume\n",
                o->checkpoint);
    else if (o->print)
        fprintf(f, found ? "; they were printed, and no more\n" : "; none was printed\n");
    else if (o->output && r->ck)
        fprintf(f, "; checkpoint '%s' keeps them, and the %" PRIu64 " bytes of output file "
                   "'%s' written so far: run the same command again to resume\n",
                o->checkpoint, r->ck->bytes, o->output);
    else if (o->output)
        fprintf(f, "; output file '%s' was not written\n", o->output);
    else if (r->ck)
        fprintf(f, "; checkpoint '%s' keeps them: run the same command again to resume\n",
                o->checkpoint);
    else
        fprintf(f, "; no report\n");
}

/* Rank 0: the one-line message for an interruption by SIG: how far the
 * run got (DONE numbers of the range) and what became of its output.
 * Under mpirun, which was likely signalled too and forwards no more output
 * from its ranks, the line goes straight to mpirun's own stderr. */
static void report_interrupt(run *r, int sig, double done)
{
    const mpp_options *o = &r->opts;
    const mpp_progress *p = &r->progress;
    double all = (double)(o->stop - o->start) + 1;
    int kind = mpp_list_kind(o);
    uint64_t found = kind > 1 ? p->result.tuplets[kind] : p->result.primes.count;
    const char *what = kind > 1 ? mpp_pattern_name(kind) : "primes";
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (f == NULL)
        return;
    fprintf(f, "mpprimes: interrupted by %s after %.1f s", mpp_signal_name(sig),
            MPI_Wtime() - r->t_start);
    if (o->count_only && r->ck)
        fprintf(f, ": checkpoint '%s' keeps %.1f%% of the range [%" PRIu64 ", %" PRIu64 "] "
                   "counted; run the same command again to resume\n", o->checkpoint,
                100.0 * (double)mpp_spans_numbers(&r->ck->done) / all, o->start, o->stop);
    else if (o->count_only)
        fprintf(f, ": %.1f%% of the range [%" PRIu64 ", %" PRIu64 "] was counted; no count is "
                   "reported\n", 100.0 * done / all, o->start, o->stop);
    else if (p->done) /* just before the output file was renamed */
        fprintf(f, ": every prime was found");
    else if (p->next == o->start)
        fprintf(f, ", in round %" PRIu64 ": no round was finished", p->rounds + 1);
    else
        fprintf(f, ", in round %" PRIu64 ": the %s below %" PRIu64 " were found (%" PRIu64
                   ", %.1f%% of the range [%" PRIu64 ", %" PRIu64 "])", p->rounds + 1, what,
                p->next, found, 100.0 * done / all, o->start, o->stop);
    if (!o->count_only) /* (a count's line is whole) */
        listing_tail(f, r, found);
    if (fclose(f) != 0) {
        free(line);
        return;
    }
    int fd = mpp_direct_stderr();
    if (fd < 0 || mpp_write_all(fd, line, len) != 0) {
        fputs(line, r->err);
        fflush(r->err);
    }
    if (fd >= 0)
        close(fd);
    free(line);
}

/* Rank 0: the one-line message for FAILURE on rank WHO. */
static void report_failure(run *r, int failure, int who)
{
    int what = failure >> 16, e = failure & 0xffff;
    char on[32] = "";
    if (who != 0)
        snprintf(on, sizeof on, " on rank %d", who);
    if (what == FAIL_FIND)
        fprintf(r->err, "mpprimes: rank %d ran out of memory finding its primes; use a "
                        "smaller --buffer or more ranks\n", who);
    else if (what == FAIL_WRITE && r->opts.output)
        fprintf(r->err, "mpprimes: cannot write output file '%s'%s: %s%s\n", r->opts.output,
                on, strerror(e),
                e == ENOENT && who ? " (is its directory shared with every host?)" : "");
    else if (what == FAIL_WRITE)
        fprintf(r->err, "mpprimes: cannot write the primes to standard output: %s\n",
                strerror(e));
    else if (what == FAIL_ORDER)
        fprintf(r->err, "mpprimes: internal error: the primes gathered at rank 0 are not "
                        "where and as their ranks reported them\n");
    else
        fprintf(r->err, "mpprimes: internal error: a round of the listing made no "
                        "progress\n");
}

void mpp_settle(run *r)
{
    /* From here on only rank 0 renames or removes the temporary file. A
     * signal seen before interrupts the run, even when this rank's own work
     * was done: it may have removed that file, or (rank 0, dynamic) stopped
     * handing out chunks that no rank then did. */
    mpp_remove_on_signal(NULL);
    if (mpp_stop_signal())
        mpp_note_failure(r, FAILURE(FAIL_STOP, mpp_stop_signal()));
    struct {
        int failure, rank;
    } mine = {r->failure, r->rank}, worst;
    MPI_TIMED(r, MPI_Allreduce(&mine, &worst, 1, MPI_2INT, MPI_MAXLOC, r->comm));
    double done = r->progress.numbers;
    if (worst.failure >> 16 == FAIL_STOP && r->opts.count_only) /* how far the ranks got */
        MPI_TIMED(r, MPI_Reduce(&r->swept, &done, 1, MPI_DOUBLE, MPI_SUM, 0, r->comm));
    if (r->rank != 0)
        return;
    mpp_track_prepare(r, worst.failure);
    mpp_outlet_finish(r, worst.failure == 0); /* renamed (or kept) before it says so */
    if (!mpp_track_settle(r, r->status == EXIT_DONE ? worst.failure : FAILURE(FAIL_WRITE, EIO)) &&
        !worst.failure)
        r->status = EXIT_RUNTIME;
    if (worst.failure >> 16 == FAIL_STOP) {
        int sig = worst.failure & 0xffff;
        report_interrupt(r, sig, done);
        r->status = 128 + sig;
    } else if (worst.failure) {
        report_failure(r, worst.failure, worst.rank);
        r->status = EXIT_RUNTIME;
    }
}
