/* outlets.c - where the primes of a listing go, behind one interface
 * (run.h: mpp_outlet_*), and where the report goes.
 *
 *   gather  (default)  the primes (MPI_UINT64_T) are gathered at rank 0,
 *                      which checks that they arrive in order, each in its
 *                      chunk, and counts them
 *   print   (--print, or --output to a device or FIFO) each rank encodes
 *                      its primes as text (or binary); rank 0 gathers the
 *                      bytes and writes them in order
 *   file    (--output to a regular file) every rank writes its bytes
 *                      itself with MPI-IO, at the offsets rank 0 scatters,
 *                      into a temporary file that rank 0 renames once every
 *                      rank has closed it without error
 *
 * Every difference between the three is a row of the table OUTLETS or a
 * decision of mpp_outlet_preflight(), which chooses the outlet: nowhere
 * else. Owns also rank 0's checks before any work (the buffer's memory, the
 * output and CSV files), and where the report goes (straight to mpirun's
 * stdout when possible: launcher.h).
 *
 * MPI calls: MPI_Gatherv (the bytes, gathering outlets), MPI_Scatterv (the
 * file offsets), MPI_File_open on MPI_COMM_SELF, MPI_File_write_at,
 * MPI_File_close, MPI_Get_count.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher.h"
#include "memory.h"
#include "run.h"

/* ---- delivering a round's committed chunks ---- */

/* Which rank did chunk meta M (an entry of L->all). */
static int rank_of(const lister *L, const mpp_chunk_meta *m)
{
    return (int)((size_t)(m - L->all) / CAP);
}

/* Where chunk meta M's bytes are in rank 0's buffer: in its rank's slot,
 * or at the start in turns (one rank's bytes at a time). */
static const char *chunk_bytes(const lister *L, const mpp_chunk_meta *m)
{
    size_t rank = L->turns ? 0 : (size_t)rank_of(L, m);
    return L->buf + rank * L->budget + L->slot_at[m - L->all];
}

/* Rank 0, gather: committed chunk J's primes arrived where its rank said,
 * beginning and ending with the primes it reported, inside the chunk and
 * after the previous chunk's. (Per chunk, not per prime: a serial pass over
 * every prime would cost rank 0 a fifth of the run.) */
static bool check_chunk(run *r, lister *L, uint64_t j, const mpp_chunk_meta *m)
{
    if (m->count == 0)
        return true;
    const uint64_t *p = (const uint64_t *)chunk_bytes(L, m);
    mpp_block b = mpp_round_chunk(&L->done_plan, L->done_blocks, j);
    if (m->bytes != m->count * 8 || p[0] != m->first || p[m->count - 1] != m->last ||
        m->first < b.lo || m->last > b.hi || m->first > m->last ||
        (L->any_prime && m->first <= L->last_prime)) {
        mpp_note_failure(r, FAILURE(FAIL_ORDER, EIO));
        return false;
    }
    L->last_prime = m->last;
    L->any_prime = true;
    return true;
}

/* Rank 0, print: writes committed chunk M. */
static bool write_chunk(run *r, lister *L, uint64_t j, const mpp_chunk_meta *m)
{
    (void)j;
    int e = mpp_write_all(r->stream_fd, chunk_bytes(L, m), (size_t)m->bytes);
    if (e == EPIPE && r->opts.print) {
        r->reader_gone = true; /* `| head` has what it wanted */
        return false;
    }
    if (e) {
        mpp_note_failure(r, FAILURE(FAIL_WRITE, e));
        return false;
    }
    return true;
}

/* Every rank, file: writes LEN bytes from P at offset AT. A short write (a
 * disk filling up) is followed by another, which then fails with the
 * reason. */
static void write_at(run *r, lister *L, uint64_t at, const char *p, uint64_t len)
{
    while (len > 0 && !r->failure) {
        MPI_Status st;
        int written = 0;
        errno = 0;
        int rc = MPI_File_write_at(L->fh, (MPI_Offset)at, p, (int)len, MPI_BYTE, &st);
        int e = errno;
        if (rc != MPI_SUCCESS) {
            mpp_note_failure(r, FAILURE(FAIL_WRITE, mpp_mpi_io_errno(rc, e)));
            break;
        }
        if (MPI_Get_count(&st, MPI_BYTE, &written) != MPI_SUCCESS || written <= 0) {
            mpp_note_failure(r, FAILURE(FAIL_WRITE, e ? e : EIO));
            break;
        }
        at += (uint64_t)written;
        p += written;
        len -= (uint64_t)written;
    }
}

/* Every rank, file: rank 0 sends each rank the file offsets of its chunks
 * (every chunk's; only the committed ones' are defined and used); each
 * writes its committed chunks there. */
static void write_file(run *r, lister *L, uint64_t committed)
{
    if (r->rank == 0)
        for (int i = 0; i < r->size; i++) {
            L->counts[i] = (int)L->summary[i].chunks;
            L->displs[i] = i * CAP;
        }
    MPI_TIMED(r, MPI_Scatterv(L->file_at, L->counts, L->displs, MPI_UINT64_T, L->mine_at,
                              (int)L->nmine, MPI_UINT64_T, 0, r->comm));
    if (!L->fh_open || r->failure)
        return;
    double t0 = MPI_Wtime();
    const char *p = L->piece.buf;
    for (uint64_t k = 0; k < L->nmine; k++) {
        if (L->mine[k].index < committed)
            write_at(r, L, L->mine_at[k], p, L->mine[k].bytes);
        p += L->mine[k].bytes;
    }
    double t1 = MPI_Wtime();
    r->io_s += t1 - t0;
    mpp_span_note(r, MPP_SPAN_IO, "MPI_File_write_at", t0, t1, 0, 0);
}

/* ---- the table ---- */

typedef struct {
    bool gathers;    /* the bytes come to rank 0 in an MPI_Gatherv */
    bool native;     /* the primes as MPI_UINT64_T, not in --format */
    bool whole;      /* each rank has the whole --buffer (else a 1/size share) */
    /* gathering: rank 0's work on a committed chunk; else: every rank's on
     * its committed chunks */
    bool (*chunk)(run *r, lister *L, uint64_t j, const mpp_chunk_meta *m);
    void (*deliver)(run *r, lister *L, uint64_t committed);
} outlet_kind;

static const outlet_kind OUTLETS[] = {
    [MPP_PLAN_COUNT] = {.gathers = false, .native = false, .whole = false},
    [MPP_PLAN_GATHER] = {.gathers = true, .native = true, .whole = false,
                         .chunk = check_chunk},
    [MPP_PLAN_PRINT] = {.gathers = true, .native = false, .whole = false,
                        .chunk = write_chunk},
    [MPP_PLAN_FILE] = {.gathers = false, .native = false, .whole = true,
                       .deliver = write_file},
};

/* Whether rank 0 gathers the round in turns (rounds.h). */
static bool in_turns(const mpp_options *o, mpp_plan_outlet where, int size)
{
    return OUTLETS[where].gathers && mpp_round_turns(o->decomposition, size);
}

/* Bytes of a rank's share of --buffer: in the gathering outlets rank 0
 * receives every rank's primes, so at least a line for each rank must fit
 * in the buffer at once (the smallest --buffer, in turns too). */
static uint64_t share_of(const mpp_options *o, mpp_plan_outlet where, int size)
{
    const outlet_kind *k = &OUTLETS[where];
    uint64_t b = k->whole ? o->buffer : o->buffer / (unsigned)size;
    return k->native ? b / 8 * 8 : b;
}

/* Bytes of primes each rank may hold per round: its share, or in turns the
 * whole buffer (rank 0 holds one rank's at a time), as if alone. */
static uint64_t budget_of(const mpp_options *o, mpp_plan_outlet where, int size)
{
    return share_of(o, where, in_turns(o, where, size) ? 1 : size);
}

/* Rank 0, gathering outlets: the committed chunks from L->next_j on whose
 * bytes are in the buffer (rank ONLY's, in turns; every rank's when ONLY <
 * 0), in chunk order: checked or written. After the round's last call every
 * committed chunk has been (or a failure stopped it). */
static void deliver_chunks(run *r, lister *L, int only)
{
    if (r->rank != 0 || r->failure || r->reader_gone)
        return;
    double t0 = MPI_Wtime();
    for (; L->next_j < L->committed; L->next_j++) {
        const mpp_chunk_meta *m = L->by_index[L->next_j];
        if (only >= 0 && rank_of(L, m) != only)
            break;
        if (!OUTLETS[r->where].chunk(r, L, L->next_j, m))
            break;
    }
    if (r->where == MPP_PLAN_PRINT) {
        double t1 = MPI_Wtime();
        r->io_s += t1 - t0;
        mpp_span_note(r, MPP_SPAN_IO, "write", t0, t1, 0, 0);
    }
}

static mpp_format format_of(const mpp_options *o, mpp_plan_outlet where)
{
    return OUTLETS[where].native ? MPP_FORMAT_NATIVE : o->format;
}

uint64_t mpp_outlet_budget(const run *r)
{
    return budget_of(&r->opts, r->where, r->size);
}

mpp_format mpp_outlet_format(const run *r)
{
    return format_of(&r->opts, r->where);
}

bool mpp_outlet_gathers(const run *r)
{
    return OUTLETS[r->where].gathers;
}

bool mpp_outlet_turns(const run *r)
{
    return in_turns(&r->opts, r->where, r->size);
}

void mpp_outlet_open(run *r, lister *L)
{
    if (r->where != MPP_PLAN_FILE)
        return;
    /* Each rank opens the file alone (MPI_COMM_SELF): a rank that cannot
     * see it (a directory not shared with its host) fails alone and says
     * so, instead of a collective open half-failing. */
    errno = 0;
    int rc = MPI_File_open(MPI_COMM_SELF, r->tmpname, MPI_MODE_WRONLY, MPI_INFO_NULL, &L->fh);
    int e = errno;
    if (rc == MPI_SUCCESS)
        L->fh_open = true;
    else
        mpp_note_failure(r, FAILURE(FAIL_WRITE, mpp_mpi_io_errno(rc, e)));
}

void mpp_outlet_collect(run *r, lister *L)
{
    if (!OUTLETS[r->where].gathers)
        return;
    MPI_Datatype type = L->fmt == MPP_FORMAT_NATIVE ? MPI_UINT64_T : MPI_BYTE;
    int unit = L->fmt == MPP_FORMAT_NATIVE ? 8 : 1;
    if (r->rank == 0)
        L->next_j = 0;
    if (!L->turns) {
        if (r->rank == 0)
            for (int i = 0; i < r->size; i++) {
                L->counts[i] = (int)(L->summary[i].bytes / (unsigned)unit);
                L->displs[i] = (int)((uint64_t)i * L->budget / (unsigned)unit);
            }
        MPI_TIMED(r, MPI_Gatherv(r->rank == 0 ? MPI_IN_PLACE : L->piece.buf,
                                 (int)(L->piece.len / (unsigned)unit), type, L->buf, L->counts,
                                 L->displs, type, 0, r->comm));
        return;
    }
    /* In turns: rank 0's own bytes are in its buffer; each other rank's
     * take their place once they are written, in rank order. A rank whose
     * turn is past calls the rest with nothing to send, which returns at
     * once. */
    for (int t = 1; t < r->size; t++) {
        if (r->rank == 0) {
            deliver_chunks(r, L, t - 1);
            for (int i = 0; i < r->size; i++) {
                L->counts[i] = i == t ? (int)(L->summary[i].bytes / (unsigned)unit) : 0;
                L->displs[i] = 0;
            }
        }
        MPI_TIMED(r, MPI_Gatherv(r->rank == 0 ? MPI_IN_PLACE : L->piece.buf,
                                 r->rank == t ? (int)(L->piece.len / (unsigned)unit) : 0, type,
                                 L->buf, L->counts, L->displs, type, 0, r->comm));
    }
}

void mpp_outlet_deliver(run *r, lister *L, uint64_t committed)
{
    if (!OUTLETS[r->where].gathers) {
        OUTLETS[r->where].deliver(r, L, committed);
        return;
    }
    deliver_chunks(r, L, L->turns ? r->size - 1 : -1); /* (in turns: the last rank's) */
    /* In turns, a committed chunk not written by now came out of order. */
    if (r->rank == 0 && !r->failure && !r->reader_gone && L->next_j != L->committed)
        mpp_note_failure(r, FAILURE(FAIL_ORDER, EIO));
}

void mpp_outlet_close(run *r, lister *L)
{
    if (!L->fh_open)
        return;
    errno = 0;
    int rc = MPI_File_close(&L->fh), e = errno;
    L->fh_open = false;
    if (rc != MPI_SUCCESS)
        mpp_note_failure(r, FAILURE(FAIL_WRITE, mpp_mpi_io_errno(rc, e)));
}

void mpp_outlet_finish(run *r, bool ok)
{
    if (!r->file_open)
        return;
    r->file_open = false;
    if (!ok && r->ck) { /* kept for the run that resumes */
        mpp_outfile_keep(&r->file);
        return;
    }
    if (!ok) {
        mpp_outfile_abandon(&r->file);
        return;
    }
    int e = mpp_outfile_commit(&r->file);
    if (e) {
        fprintf(r->err, "mpprimes: cannot write output file '%s': %s\n", r->opts.output,
                strerror(e));
        r->status = EXIT_RUNTIME;
    }
}

/* ---- before any work (rank 0) ---- */

/* Where the report goes. On standard output, it is written straight to
 * mpirun's own standard output when possible (launcher.h), as --print's
 * primes are: forwarded by mpirun, a write error (a full disk under a batch
 * job's output file) would be lost and the run would end 0. */
static void choose_report(run *r)
{
    r->report = r->opts.print ? r->err : r->out;
    if (r->opts.print || (r->opts.quiet && !r->opts.explain))
        return;
    int fd = mpp_direct_stdout();
    if (fd < 0)
        return;
    fflush(r->out);
    if ((r->direct = fdopen(fd, "w")) != NULL) {
        r->report = r->direct;
        signal(SIGPIPE, SIG_IGN); /* a reader gone (`| head`) is EPIPE */
    } else {
        close(fd);
    }
}

/* True when the file open at FD is this process's standard output: -o
 * /dev/stdout, which is then written as --print writes. */
static bool is_our_stdout(int fd)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* The chunk length of cyclic and dynamic, when not given: dynamic has four
 * times as many chunks, since its chunks cost only messages, and the last
 * chunks handed out decide how evenly the ranks finish. A given one is no
 * longer than the range. */
static void resolve_chunk(run *r)
{
    mpp_options *o = &r->opts;
    if (o->decomposition != MPP_DECOMP_CYCLIC && o->decomposition != MPP_DECOMP_DYNAMIC)
        return;
    int per = o->decomposition == MPP_DECOMP_DYNAMIC ? 4 : 1;
    if (o->chunk == 0)
        o->chunk = mpp_default_chunk(o->method, o->start, o->stop,
                                     r->size > INT_MAX / per ? INT_MAX : r->size * per);
    else if (o->chunk - 1 > o->stop - o->start)
        o->chunk = o->stop - o->start + 1;
}

/* --output of a finished checkpoint that still names its temporary file:
 * every prime was written, but the run was stopped before the rename, or
 * right after it. Renamed now (or found renamed). Returns the exit status. */
static int finish_output(run *r)
{
    mpp_options *o = &r->opts;
    mpp_checkpoint *ck = r->ck;
    mpp_outfile f;
    int e = mpp_outfile_resume(&f, o->output, ck->tmp, ck->bytes);
    if (e == 0)
        e = mpp_outfile_commit(&f);
    else if (e == ENOENT && access(o->output, F_OK) == 0)
        e = 0; /* renamed before the checkpoint could say so */
    if (e) {
        fprintf(r->err, "mpprimes: cannot finish output file '%s' from its temporary file "
                        "'%s': %s\n", o->output, ck->tmp, strerror(e));
        return EXIT_RUNTIME;
    }
    ck->tmp[0] = '\0';
    return EXIT_DONE;
}

/* --output: opens the file, and chooses how it is written. Returns the
 * exit status. */
static int open_output(run *r)
{
    mpp_options *o = &r->opts;
    mpp_checkpoint *ck = r->ck;
    char other[512];
    /* (looked for before this run makes its own) */
    size_t left = ck && ck->tmp[0] ? 0 : mpp_outfile_leftovers(o->output, other, sizeof other);
    int e;
    if (ck && ck->tmp[0]) { /* resumed: the file written so far */
        e = mpp_outfile_resume(&r->file, o->output, ck->tmp, ck->bytes);
        if (e) {
            fprintf(r->err, "mpprimes: cannot resume output file '%s': its temporary file "
                            "'%s' %s; remove checkpoint '%s' to start afresh\n", o->output,
                    ck->tmp, e == ENOENT  ? "is gone"
                             : e == ERANGE ? "holds less than the checkpoint says was written"
                                           : strerror(e), o->checkpoint);
            return EXIT_USAGE;
        }
        r->file_resumed = true;
    } else if ((e = mpp_outfile_open(&r->file, o->output)) != 0) {
        fprintf(r->err, "mpprimes: cannot create output file '%s': %s\n", o->output,
                strerror(e));
        return EXIT_RUNTIME;
    } else {
        if (left)
            fprintf(r->err, "mpprimes: note: '%s' is a temporary file left by an earlier run "
                            "of --output '%s' that was killed%s; remove it%s\n", other,
                    o->output, left > 1 ? " (there are more)" : "",
                    ck ? "" : " (with --checkpoint a run takes its own up again)");
        if (ck && r->file.tmp)
            snprintf(ck->tmp, sizeof ck->tmp, "%s", r->file.tmp);
    }
    r->file_open = true;
    if (mpp_outfile_is_direct(&r->file) && is_our_stdout(r->file.fd)) {
        /* Through mpirun's forwarding, a reader that went away would make
         * mpirun abort (or crash): write as --print does. */
        mpp_outfile_abandon(&r->file);
        r->file_open = false;
        o->print = true;
        o->output = NULL;
        r->where = MPP_PLAN_PRINT;
    } else if (mpp_outfile_is_direct(&r->file)) {
        r->where = MPP_PLAN_PRINT; /* a device or FIFO: written in order */
        r->stream_fd = r->file.fd;
    } else {
        r->where = MPP_PLAN_FILE;
        mpp_outfile_close_fd(&r->file); /* every rank opens it with MPI-IO */
    }
    return EXIT_DONE;
}

int mpp_outlet_preflight(run *r)
{
    mpp_options *o = &r->opts;
    r->report = o->print ? r->err : r->out;
    resolve_chunk(r);
    if (o->csv) {
        int e = mpp_appendfile_open(&r->csv, o->csv);
        if (e) {
            fprintf(r->err, "mpprimes: cannot open CSV file '%s': %s\n", o->csv, strerror(e));
            return EXIT_RUNTIME;
        }
        r->csv_open = true;
    }
    if (o->count_only) {
        r->where = MPP_PLAN_COUNT;
        choose_report(r);
        return EXIT_DONE;
    }
    r->where = o->print ? MPP_PLAN_PRINT : MPP_PLAN_GATHER;
    int e;
    uint64_t avail = mpp_available_memory();
    if (o->buffer > avail) {
        fprintf(r->err,
                "mpprimes: --buffer %llu needs %.1f MiB, but only %.1f MiB is available\n",
                (unsigned long long)o->buffer, (double)o->buffer / 1048576.0,
                (double)avail / 1048576.0);
        return EXIT_RUNTIME;
    }
    if (o->output && r->finished && r->ck->tmp[0] && (e = finish_output(r)) != EXIT_DONE)
        return e;
    if (o->output && !r->finished && (e = open_output(r)) != EXIT_DONE)
        return e;
    uint64_t share = share_of(o, r->where, r->size);
    int kind = mpp_list_kind(o);
    size_t need = mpp_item_max_bytes(mpp_outlet_format(r), kind, o->stop);
    if (share < need) {
        uint64_t least = OUTLETS[r->where].whole ? need : need * (unsigned)r->size;
        fprintf(r->err,
                "mpprimes: --buffer %llu is too small for %d rank%s: each rank needs room "
                "for one %s (%zu bytes); use --buffer %llu or more\n",
                (unsigned long long)o->buffer, r->size, r->size == 1 ? "" : "s",
                kind > 1 ? "tuplet" : "prime", need, (unsigned long long)least);
        if (r->file_open)
            mpp_outfile_abandon(&r->file);
        r->file_open = false;
        return EXIT_USAGE;
    }
    if (o->print) {
        int fd = mpp_direct_stdout();
        r->stream_fd = fd >= 0 ? fd : fileno(r->out);
    }
    choose_report(r);
    if (r->where == MPP_PLAN_PRINT)
        signal(SIGPIPE, SIG_IGN); /* a closed pipe or FIFO is EPIPE, handled above */
    return EXIT_DONE;
}

void mpp_outlet_explain(run *r)
{
    mpp_explain(r->report, &r->opts, r->size, r->where, mpp_outlet_budget(r),
                mpp_outlet_format(r));
    fflush(r->report);
}
