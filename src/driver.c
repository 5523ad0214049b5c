/* driver.c - the MPI pipeline of mpprimes, one function per step:
 *
 *   1. rank 0 parses and validates the request; the verdict is broadcast so
 *      that on bad input every rank leaves together          MPI_Bcast
 *   2. rank 0 splits the range into one block per rank and
 *      hands the blocks out                                   MPI_Scatter
 *   3. each rank finds the primes of its block (core library, no MPI)
 *   4. the results come back: the counts are summed
 *      (--count), or the primes are gathered at rank 0 in
 *      order, or written to --output at exact offsets        MPI_Reduce /
 *                                                              MPI_Gatherv /
 *                                                              MPI_Exscan +
 *                                                              MPI_File_write_at
 *   5. the per-rank figures are gathered and rank 0 reports    MPI_Gather
 *
 * With --count, steps 2-4 happen once. When the primes themselves are
 * wanted they repeat in rounds (rounds.h): each round scatters the blocks of
 * the next stretch of the range, and no rank holds more than --buffer bytes
 * of primes (rank 0's share of the gather included), whatever the range.
 * Three outlets:
 *   default   the primes (MPI_UINT64_T) are gathered at rank 0, which checks
 *             that they arrive in order, each in its rank's block, and
 *             counts them
 *   stream    --print, or --output to a device or FIFO: each rank encodes its
 *             primes as text (or binary); rank 0 gathers the bytes and
 *             writes them in order while the other ranks sieve the next round
 *   file      --output to a regular file: every rank writes its bytes itself
 *             with MPI-IO, at the offset given by an exclusive scan of the
 *             ranks' byte counts, into a temporary file that rank 0 renames
 *             once every rank has closed it without error
 *
 * Only rank 0 prints. Every rank returns the same exit status. MPI errors
 * are returned to us (MPI_ERRORS_RETURN) and turned into one message with
 * file, line and rank by MPI_CHECK, then MPI_Abort.
 *
 * Timing (MPI_Wtime): compute_s is step 3 (finding and encoding the primes);
 * comm_s the time inside the MPI calls of steps 1-4 (waiting for slower
 * ranks included, which is how load imbalance shows); io_s the time writing
 * the primes; elapsed_s the largest, over the ranks, of the time from entry
 * to the end of the work. Per-rank durations avoid comparing clocks of
 * different hosts.
 */
#include "driver.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decomp.h"
#include "memory.h"
#include "mpienv.h"
#include "options.h"
#include "output.h"
#include "primes.h"
#include "report.h"
#include "rounds.h"

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

/* Where the listed primes go. */
typedef enum { OUT_NONE, OUT_GATHER, OUT_STREAM, OUT_FILE } outlet;

/* A failure during the listing, as one int: WHAT << 16 | errno. */
enum { FAIL_FIND = 1, FAIL_WRITE = 2, FAIL_ORDER = 3, FAIL_STALL = 4 };
#define FAILURE(what, e) ((what) << 16 | ((e) & 0xffff))

/* Everything one rank knows about the run. */
typedef struct {
    MPI_Comm comm;
    int rank, size;
    FILE *out, *err;
    FILE *report;      /* rank 0: out, or err when the primes go to out */
    mpp_options opts;  /* all of it on rank 0; what the work needs elsewhere */
    outlet where;
    mpp_outfile file;  /* rank 0, with --output */
    bool file_open;
    mpp_appendfile csv; /* rank 0, with --csv */
    bool csv_open;
    char *tmpname;     /* OUT_FILE: the temporary file every rank writes */
    int stream_fd;     /* rank 0, OUT_STREAM: where the bytes go */
    mpp_block block;   /* --count: this rank's numbers */
    mpp_tally tally;   /* what this rank found (committed rounds only) */
    bool spanned;      /* listing: a block of this rank was committed */
    uint64_t span_lo, span_hi;
    uint64_t total;    /* rank 0: number of primes */
    uint64_t rounds;   /* rank 0: rounds of the listing */
    double t_start, compute_s, comm_s, io_s, elapsed_s;
    int failure;       /* FAILURE(...) seen by this rank, or 0 */
    bool reader_gone;  /* rank 0: --print's reader closed the pipe */
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

/* The errno closest to an MPI-IO error code. Open MPI's ompio reports
 * most system errors as a plain MPI_ERR_IO or MPI_ERR_OTHER; the errno of
 * the failed system call (SAVED, read right after the MPI call) then says
 * more. */
static int mpi_io_errno(int code, int saved)
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

/* Bytes of primes each rank may hold per round. In the gathering outlets
 * rank 0 receives every rank's share, so the buffer is split among them. */
static uint64_t rank_budget(const mpp_options *o, outlet where, int size)
{
    uint64_t b = where == OUT_FILE ? o->buffer : o->buffer / (unsigned)size;
    return where == OUT_GATHER ? b / 8 * 8 : b;
}

static mpp_format outlet_format(const mpp_options *o, outlet where)
{
    return where == OUT_GATHER ? MPP_FORMAT_NATIVE : o->format;
}

/* Rank 0, before any work: can the buffers be had, and the output file be
 * created? Returns the exit status (EXIT_DONE to go on). */
static int preflight(run *r)
{
    const mpp_options *o = &r->opts;
    r->report = o->print ? r->err : r->out;
    if (o->csv) {
        int e = mpp_appendfile_open(&r->csv, o->csv);
        if (e) {
            fprintf(r->err, "mpprimes: cannot open CSV file '%s': %s\n", o->csv, strerror(e));
            return EXIT_RUNTIME;
        }
        r->csv_open = true;
    }
    if (o->count_only) {
        r->where = OUT_NONE;
        return EXIT_DONE;
    }
    r->where = o->print ? OUT_STREAM : o->output ? OUT_FILE : OUT_GATHER;
    uint64_t avail = mpp_available_memory();
    if (o->buffer > avail) {
        fprintf(r->err,
                "mpprimes: --buffer %llu needs %.1f MiB, but only %.1f MiB is available\n",
                (unsigned long long)o->buffer, (double)o->buffer / 1048576.0,
                (double)avail / 1048576.0);
        return EXIT_RUNTIME;
    }
    if (o->output) {
        int e = mpp_outfile_open(&r->file, o->output);
        if (e) {
            fprintf(r->err, "mpprimes: cannot create output file '%s': %s\n", o->output,
                    strerror(e));
            return EXIT_RUNTIME;
        }
        r->file_open = true;
        if (mpp_outfile_is_direct(&r->file)) {
            r->where = OUT_STREAM; /* a device or FIFO: written in order */
            r->stream_fd = r->file.fd;
        } else {
            mpp_outfile_close_fd(&r->file); /* every rank opens it with MPI-IO */
        }
    }
    uint64_t budget = rank_budget(o, r->where, r->size);
    size_t need = mpp_format_max_bytes(outlet_format(o, r->where), o->stop);
    if (budget < need) {
        uint64_t least = r->where == OUT_FILE ? need : need * (unsigned)r->size;
        fprintf(r->err,
                "mpprimes: --buffer %llu is too small for %d ranks: each rank needs room "
                "for one prime (%zu bytes); use --buffer %llu or more\n",
                (unsigned long long)o->buffer, r->size, need, (unsigned long long)least);
        if (r->file_open)
            mpp_outfile_abandon(&r->file);
        r->file_open = false;
        return EXIT_USAGE;
    }
    if (o->print) {
        int fd = mpp_launcher_stdout();
        r->stream_fd = fd >= 0 ? fd : fileno(r->out);
    }
    if (r->where == OUT_STREAM)
        signal(SIGPIPE, SIG_IGN); /* a closed pipe or FIFO is EPIPE, handled below */
    return EXIT_DONE;
}

/* Step 1. Returns false when the run ends here (help, version, an error). */
static bool step1_parse_and_broadcast(run *r, int argc, char **argv)
{
    enum { GO, STATUS, START, STOP, METHOD, COUNT, WHERE, FORMAT, BUFFER, NAMELEN, WORDS };
    uint64_t msg[WORDS] = {0};
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
        msg[GO] = go;
        msg[STATUS] = (uint64_t)status;
        msg[START] = r->opts.start;
        msg[STOP] = r->opts.stop;
        msg[METHOD] = (uint64_t)r->opts.method;
        msg[COUNT] = r->opts.count_only;
        msg[WHERE] = (uint64_t)r->where;
        msg[FORMAT] = (uint64_t)r->opts.format;
        msg[BUFFER] = r->opts.buffer;
        msg[NAMELEN] = go && r->where == OUT_FILE ? strlen(r->file.tmp) + 1 : 0;
    }
    MPI_TIMED(r, MPI_Bcast(msg, WORDS, MPI_UINT64_T, 0, r->comm));
    r->status = (int)msg[STATUS];
    if (!msg[GO])
        return false;
    if (r->rank != 0) {
        mpp_options_init(&r->opts);
        r->opts.start = msg[START];
        r->opts.stop = msg[STOP];
        r->opts.method = (mpp_method)msg[METHOD];
        r->opts.count_only = msg[COUNT] != 0;
        r->where = (outlet)msg[WHERE];
        r->opts.format = (mpp_format)msg[FORMAT];
        r->opts.buffer = msg[BUFFER];
    }
    if (msg[NAMELEN]) {
        r->tmpname = xmalloc(r, msg[NAMELEN]);
        if (r->rank == 0)
            memcpy(r->tmpname, r->file.tmp, msg[NAMELEN]);
        MPI_TIMED(r, MPI_Bcast(r->tmpname, (int)msg[NAMELEN], MPI_CHAR, 0, r->comm));
    }
    return true;
}

/* ---- --count: one block per rank, counted, the counts summed ---- */

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

/* Steps 3 and 4 of --count; a rank's failure is settled afterwards. */
static void count_and_reduce(run *r)
{
    double t0 = MPI_Wtime();
    int rc = MPP_OK;
    memset(&r->tally, 0, sizeof r->tally);
    if (!r->block.empty)
        rc = mpp_find_primes(r->opts.method, r->block.lo, r->block.hi, NULL, &r->tally);
    r->compute_s = MPI_Wtime() - t0;
    r->spanned = !r->block.empty;
    r->span_lo = r->block.lo;
    r->span_hi = r->block.hi;
    r->failure = rc == MPP_OK ? 0 : FAILURE(FAIL_FIND, ENOMEM);
    MPI_TIMED(r, MPI_Reduce(&r->tally.count, &r->total, 1, MPI_UINT64_T, MPI_SUM, 0,
                            r->comm));
    r->rounds = 1;
}

/* ---- the listing, in rounds ---- */

/* What rank 0 scatters every round: the rank's block of the next round, and
 * what became of the round just done. */
typedef struct {
    uint64_t flags;     /* ROUND_* */
    uint64_t lo, hi, empty;
    uint64_t committed; /* ranks 0..committed-1 of the round just done count */
    uint64_t base;      /* OUT_FILE: the file offset of the round just done */
} round_msg;
#define ROUND_MSG_WORDS 6
enum { ROUND_DONE = 1, ROUND_STOP = 2 };

typedef struct {
    uint64_t budget;   /* bytes per rank per round */
    mpp_format fmt;
    char *buf;         /* rank 0 (gathering outlets): one slot of BUDGET per rank */
    mpp_piece piece;   /* this rank's primes of the round */
    MPI_File fh;       /* OUT_FILE */
    bool fh_open;
    /* rank 0 */
    mpp_block *blocks;
    mpp_piece_meta *meta;
    round_msg *msgs;
    int *counts, *displs;
    uint64_t stretch_end, file_base, last_prime;
    bool any_prime;
} lister;

static void note_failure(run *r, int failure)
{
    if (!r->failure)
        r->failure = failure;
}

/* Rank 0: plans round messages after the round whose metas are in L->meta
 * (or the first round when FIRST). */
static void plan_next(run *r, lister *L, bool first)
{
    const mpp_options *o = &r->opts;
    uint64_t flags = 0, from = o->start;
    mpp_round_result res = {0, 0, 0, false, 0};
    if (!first) {
        for (int i = 0; i < r->size; i++)
            if (L->meta[i].error)
                note_failure(r, (int)L->meta[i].error);
        if (!r->failure && !r->reader_gone &&
            !mpp_commit_round(L->meta, r->size, L->stretch_end, o->stop, &res))
            note_failure(r, FAILURE(FAIL_STALL, EIO));
        if (r->failure || r->reader_gone) {
            flags = ROUND_STOP;
            res = (mpp_round_result){0, 0, 0, false, 0}; /* nothing of it counts */
        } else {
            r->rounds++;
            r->total += res.count;
            flags = res.done ? ROUND_DONE : 0;
            from = res.next;
        }
    }
    mpp_block none = {0, 0, 1};
    if (!flags)
        L->stretch_end =
            mpp_plan_round(from, o->stop, r->size, L->budget, L->fmt, L->blocks);
    for (int i = 0; i < r->size; i++) {
        const mpp_block *b = flags ? &none : &L->blocks[i];
        L->msgs[i] = (round_msg){flags, b->lo, b->hi, b->empty, (uint64_t)res.committed,
                                 L->file_base};
    }
    L->file_base += res.bytes;
}

/* Rank 0, default outlet: each committed rank's primes arrived in its slot,
 * beginning and ending with the primes it reported, inside its block and
 * after the previous rank's. (Per slot, not per prime: a serial pass over
 * every prime would cost rank 0 a fifth of the run.) */
static void check_gathered(run *r, lister *L, const mpp_block *blocks, int committed)
{
    for (int i = 0; i < committed; i++) {
        const uint64_t *p = (const uint64_t *)(L->buf + (size_t)i * L->budget);
        const mpp_piece_meta *m = &L->meta[i];
        if (m->count == 0)
            continue;
        if (p[0] != m->first || p[m->count - 1] != m->last || m->first < blocks[i].lo ||
            m->last > blocks[i].hi || m->first > m->last ||
            (L->any_prime && m->first <= L->last_prime)) {
            note_failure(r, FAILURE(FAIL_ORDER, EIO));
            return;
        }
        L->last_prime = m->last;
        L->any_prime = true;
    }
}

/* Rank 0, stream outlet: writes the committed slots in rank order. */
static void write_stream(run *r, lister *L, int committed)
{
    if (r->failure || r->reader_gone)
        return;
    double t0 = MPI_Wtime();
    for (int i = 0; i < committed; i++) {
        int e = mpp_write_all(r->stream_fd, L->buf + (size_t)i * L->budget,
                              (size_t)L->meta[i].bytes);
        if (e == EPIPE && r->opts.print) {
            r->reader_gone = true; /* `| head` has what it wanted */
            break;
        }
        if (e) {
            note_failure(r, FAILURE(FAIL_WRITE, e));
            break;
        }
    }
    r->io_s += MPI_Wtime() - t0;
}

/* Every rank, file outlet: writes its committed bytes at BASE plus the sum
 * of the lower ranks' bytes. */
static void write_file(run *r, lister *L, const round_msg *m, bool committed)
{
    uint64_t mine = committed ? L->piece.len : 0, before = 0;
    MPI_TIMED(r, MPI_Exscan(&mine, &before, 1, MPI_UINT64_T, MPI_SUM, r->comm));
    if (r->rank == 0)
        before = 0; /* MPI_Exscan leaves rank 0's result undefined */
    if (mine == 0 || !L->fh_open || r->failure)
        return;
    double t0 = MPI_Wtime();
    MPI_Offset at = (MPI_Offset)(m->base + before);
    const char *p = L->piece.buf;
    /* A short write (a disk filling up) is followed by another, which then
     * fails with the reason. */
    while (mine > 0) {
        MPI_Status st;
        int written = 0;
        errno = 0;
        int rc = MPI_File_write_at(L->fh, at, p, (int)mine, MPI_BYTE, &st), e = errno;
        if (rc != MPI_SUCCESS) {
            note_failure(r, FAILURE(FAIL_WRITE, mpi_io_errno(rc, e)));
            break;
        }
        if (MPI_Get_count(&st, MPI_BYTE, &written) != MPI_SUCCESS || written <= 0) {
            note_failure(r, FAILURE(FAIL_WRITE, e ? e : EIO));
            break;
        }
        at += written;
        p += written;
        mine -= (uint64_t)written;
    }
    r->io_s += MPI_Wtime() - t0;
}

static bool lister_setup(run *r, lister *L)
{
    memset(L, 0, sizeof *L);
    L->budget = rank_budget(&r->opts, r->where, r->size);
    L->fmt = outlet_format(&r->opts, r->where);
    bool gathers = r->where != OUT_FILE;
    size_t bytes = (size_t)L->budget * (r->rank == 0 && gathers ? (unsigned)r->size : 1u);
    L->buf = malloc(bytes + MPP_PIECE_SLACK);
    if (!L->buf)
        note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    else
        mpp_piece_init(&L->piece, L->buf, (size_t)L->budget, L->fmt);
    if (r->rank == 0) {
        L->blocks = xmalloc(r, (size_t)r->size * sizeof *L->blocks);
        L->meta = xmalloc(r, (size_t)r->size * sizeof *L->meta);
        L->msgs = xmalloc(r, (size_t)r->size * sizeof *L->msgs);
        L->counts = xmalloc(r, (size_t)r->size * sizeof *L->counts);
        L->displs = xmalloc(r, (size_t)r->size * sizeof *L->displs);
    }
    if (r->where == OUT_FILE && !r->failure) {
        /* Each rank opens the file alone (MPI_COMM_SELF): a rank that
         * cannot see it (a directory not shared with its host) fails alone
         * and says so, instead of a collective open half-failing. */
        errno = 0;
        int rc = MPI_File_open(MPI_COMM_SELF, r->tmpname, MPI_MODE_WRONLY, MPI_INFO_NULL,
                               &L->fh);
        int e = errno;
        if (rc == MPI_SUCCESS)
            L->fh_open = true;
        else
            note_failure(r, FAILURE(FAIL_WRITE, mpi_io_errno(rc, e)));
    }
    return L->buf != NULL;
}

static void lister_free(run *r, lister *L)
{
    if (L->fh_open) {
        errno = 0;
        int rc = MPI_File_close(&L->fh), e = errno;
        if (rc != MPI_SUCCESS)
            note_failure(r, FAILURE(FAIL_WRITE, mpi_io_errno(rc, e)));
    }
    free(L->buf);
    free(L->blocks);
    free(L->meta);
    free(L->msgs);
    free(L->counts);
    free(L->displs);
}

/* Steps 2-4, in rounds. */
static void list_in_rounds(run *r)
{
    lister L;
    int ready = lister_setup(r, &L), all_ready = 0;
    memset(&r->tally, 0, sizeof r->tally);
    /* A rank without its buffer could not take part in a Gatherv. */
    MPI_TIMED(r, MPI_Allreduce(&ready, &all_ready, 1, MPI_INT, MPI_MIN, r->comm));
    if (!all_ready) {
        lister_free(r, &L);
        return;
    }
    if (r->rank == 0)
        plan_next(r, &L, true);
    round_msg m;
    MPI_TIMED(r, MPI_Scatter(L.msgs, ROUND_MSG_WORDS, MPI_UINT64_T, &m, ROUND_MSG_WORDS,
                             MPI_UINT64_T, 0, r->comm));
    mpp_block *done_blocks = r->rank == 0 ? xmalloc(r, (size_t)r->size * sizeof *done_blocks)
                                          : NULL;
    while (!(m.flags & (ROUND_DONE | ROUND_STOP))) {
        mpp_block mine = {m.lo, m.hi, m.empty};
        /* Step 3: find and encode this rank's primes of the round. */
        double t0 = MPI_Wtime();
        int rc = MPP_OK;
        mpp_piece_reset(&L.piece);
        mpp_sink sink = {mpp_piece_push, &L.piece};
        mpp_tally t;
        if (!mine.empty && !r->failure)
            rc = mpp_find_primes(r->opts.method, mine.lo, mine.hi, &sink, &t);
        if (rc != MPP_OK && rc != MPP_PIECE_FULL)
            note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
        r->compute_s += MPI_Wtime() - t0;

        /* Step 4: what each rank has, then the primes themselves. */
        mpp_piece_meta meta = {L.piece.len, L.piece.count, L.piece.first, L.piece.last,
                               L.piece.full, (uint64_t)r->failure};
        MPI_TIMED(r, MPI_Gather(&meta, MPP_META_WORDS, MPI_UINT64_T, L.meta, MPP_META_WORDS,
                                MPI_UINT64_T, 0, r->comm));
        if (r->where != OUT_FILE) {
            MPI_Datatype type = L.fmt == MPP_FORMAT_NATIVE ? MPI_UINT64_T : MPI_BYTE;
            int unit = L.fmt == MPP_FORMAT_NATIVE ? 8 : 1;
            if (r->rank == 0)
                for (int i = 0; i < r->size; i++) {
                    L.counts[i] = (int)(L.meta[i].bytes / (unsigned)unit);
                    L.displs[i] = (int)((uint64_t)i * L.budget / (unsigned)unit);
                }
            MPI_TIMED(r, MPI_Gatherv(r->rank == 0 ? MPI_IN_PLACE : L.piece.buf,
                                     (int)(L.piece.len / (unsigned)unit), type, L.buf,
                                     L.counts, L.displs, type, 0, r->comm));
        }
        /* Step 2 of the next round, with the verdict on this one. */
        if (r->rank == 0) {
            memcpy(done_blocks, L.blocks, (size_t)r->size * sizeof *done_blocks);
            plan_next(r, &L, false);
        }
        MPI_TIMED(r, MPI_Scatter(L.msgs, ROUND_MSG_WORDS, MPI_UINT64_T, &m, ROUND_MSG_WORDS,
                                 MPI_UINT64_T, 0, r->comm));
        if (m.flags & ROUND_STOP)
            break;
        bool committed = (uint64_t)r->rank < m.committed;
        if (committed && L.piece.count) {
            if (!r->tally.count)
                r->tally.first = L.piece.first;
            r->tally.last = L.piece.last;
            r->tally.count += L.piece.count;
        }
        if (committed && !mine.empty) {
            if (!r->spanned)
                r->span_lo = mine.lo;
            r->span_hi = L.piece.full ? L.piece.last : mine.hi;
            r->spanned = true;
        }
        if (r->where == OUT_FILE)
            write_file(r, &L, &m, committed);
        else if (r->rank == 0 && r->where == OUT_STREAM)
            write_stream(r, &L, (int)m.committed);
        else if (r->rank == 0)
            check_gathered(r, &L, done_blocks, (int)m.committed);
    }
    free(done_blocks);
    lister_free(r, &L);
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

/* After the work: every rank's failure (if any) reaches rank 0, which
 * reports it and finishes or removes the output file. */
static void settle(run *r)
{
    struct {
        int failure, rank;
    } mine = {r->failure, r->rank}, worst;
    MPI_TIMED(r, MPI_Allreduce(&mine, &worst, 1, MPI_2INT, MPI_MAXLOC, r->comm));
    if (r->rank != 0)
        return;
    if (worst.failure) {
        report_failure(r, worst.failure, worst.rank);
        r->status = EXIT_RUNTIME;
        if (r->file_open)
            mpp_outfile_abandon(&r->file);
        r->file_open = false;
        return;
    }
    if (r->file_open) {
        int e = mpp_outfile_commit(&r->file);
        r->file_open = false;
        if (e) {
            fprintf(r->err, "mpprimes: cannot write output file '%s': %s\n",
                    r->opts.output, strerror(e));
            r->status = EXIT_RUNTIME;
        }
    }
}

/* Rank 0, --csv: the run's row (after a header when the file is empty),
 * appended in one write. */
static void append_csv_row(run *r, const mpp_report *rep)
{
    char stamp[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) != NULL)
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    mpp_csv_context ctx = {stamp, getenv("SLURM_JOB_ID"), getenv("SLURM_JOB_NODELIST")};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int e = ENOMEM;
    if (f != NULL) {
        mpp_appendfile_lock(&r->csv); /* another run may be appending too */
        if (mpp_appendfile_empty(&r->csv))
            mpp_report_csv_header(f);
        mpp_report_csv_row(f, rep, &ctx);
        e = fclose(f) == 0 ? mpp_appendfile_write(&r->csv, text, len) : ENOMEM;
        mpp_appendfile_unlock(&r->csv);
    }
    free(text);
    if (e) {
        fprintf(r->err, "mpprimes: cannot write CSV file '%s': %s\n", r->opts.csv,
                strerror(e));
        r->status = EXIT_RUNTIME;
    }
}

/* Step 5: every rank's figures to rank 0, which prints the report. */
static void step5_report(run *r)
{
    enum { WORDS = 7, TIMES = 4 };
    char host[MPP_HOST_MAX] = {0};
    char name[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    MPI_CHECK(r, MPI_Get_processor_name(name, &len));
    snprintf(host, sizeof host, "%.*s", len, name);
    uint64_t words[WORDS] = {!r->spanned, r->span_lo, r->span_hi, r->tally.count,
                             r->tally.first, r->tally.last, (uint64_t)mpp_max_rss_kib()};
    double times[TIMES] = {r->compute_s, r->comm_s, r->io_s, r->elapsed_s};

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
    bool wanted = !r->opts.quiet || r->csv_open;
    if (r->rank == 0 && wanted && r->status == EXIT_DONE && !r->reader_gone) {
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
            s->io_s = t[2];
            elapsed = t[3] > elapsed ? t[3] : elapsed;
        }
        mpp_report rep = {r->opts.start, r->opts.stop, r->size, r->opts.method, "block",
                          r->rounds, r->opts.count_only ? 0 : r->opts.buffer, r->total,
                          elapsed, stats};
        if (!r->opts.quiet) {
            if (r->opts.json)
                mpp_report_json(r->report, &rep);
            else
                mpp_report_text(r->report, &rep);
            if (fflush(r->report) != 0) {
                fprintf(r->err, "mpprimes: cannot write the report\n");
                r->status = EXIT_RUNTIME;
            }
        }
        if (r->csv_open && r->status == EXIT_DONE)
            append_csv_row(r, &rep);
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
    r.stream_fd = -1;
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
    MPI_CHECK(&r, MPI_Comm_rank(comm, &r.rank));
    MPI_CHECK(&r, MPI_Comm_size(comm, &r.size));

    if (step1_parse_and_broadcast(&r, argc, argv)) {
        if (r.opts.count_only) {
            step2_decompose_and_scatter(&r);
            count_and_reduce(&r);
        } else {
            list_in_rounds(&r);
        }
        settle(&r);
        r.elapsed_s = MPI_Wtime() - r.t_start;
        step5_report(&r);
        /* Rank 0 alone knows whether the report was written: share it. */
        MPI_CHECK(&r, MPI_Bcast(&r.status, 1, MPI_INT, 0, comm));
    }
    if (r.file_open)
        mpp_outfile_abandon(&r.file);
    if (r.csv_open) /* a file made for a run that wrote no row is removed */
        mpp_appendfile_close(&r.csv, false);
    if (r.rank == 0 && r.stream_fd > 2 && r.opts.print)
        close(r.stream_fd);
    free(r.tmpname);
    return r.status;
}
