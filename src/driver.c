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
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decomp.h"
#include "explain.h"
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

/* A failure during the work, as one int: WHAT << 16 | errno (or, for
 * FAIL_STOP, the signal). The greatest is reported: an interruption first. */
enum { FAIL_FIND = 1, FAIL_WRITE = 2, FAIL_ORDER = 3, FAIL_STALL = 4, FAIL_STOP = 5 };
#define FAILURE(what, e) ((what) << 16 | ((e) & 0xffff))

/* Everything one rank knows about the run. */
typedef struct {
    MPI_Comm comm;
    int rank, size;
    FILE *out, *err;
    FILE *report;      /* rank 0: out, or err when the primes go to out */
    FILE *direct;      /* rank 0: the report, straight to mpirun's stdout */
    mpp_options opts;  /* all of it on rank 0; what the work needs elsewhere */
    outlet where;
    mpp_outfile file;  /* rank 0, with --output */
    bool file_open;
    mpp_appendfile csv; /* rank 0, with --csv */
    bool csv_open;
    char *tmpname;     /* OUT_FILE: the temporary file every rank writes */
    int stream_fd;     /* rank 0, OUT_STREAM: where the bytes go */
    mpp_share share;   /* --count: this rank's numbers */
    mpp_tally tally;   /* what this rank found (committed rounds only) */
    bool spanned;      /* a chunk of this rank was done (and committed) */
    uint64_t span_lo, span_hi;         /* its least and greatest number */
    uint64_t chunks_given, numbers_given;
    uint64_t total;    /* rank 0: number of primes */
    uint64_t rounds;   /* rank 0: rounds of the listing */
    uint64_t next;     /* rank 0, listing: the first number not committed */
    bool listed_all;   /* rank 0, listing: every round was committed */
    double swept;      /* numbers this rank's finders went through */
    double committed;  /* rank 0, listing: numbers of the committed rounds */
    double t_start, compute_s, cpu_s, comm_s, io_s, elapsed_s;
    double serial_s;   /* rank 0, --compare: the range on rank 0 alone; else -1 */
    int failure;       /* FAILURE(...) seen by this rank, or 0 */
    bool reader_gone;  /* rank 0: --print's reader closed the pipe */
    int status;        /* exit status so far */
} run;

/* ---- signals ----
 *
 * SIGTERM is what Slurm sends at a time limit (to every task) and what
 * mpirun passes on to every rank when it gets one itself (then SIGKILL a
 * second later); SIGINT is Ctrl-C, SIGHUP a closed terminal. The handler
 * only records the signal: the finders poll it every few milliseconds
 * (mpp_stop), the ranks stop at the next chunk, and the run ends through
 * the ordinary failure path, so rank 0 can say how far it got. A second
 * SIGINT (an impatient Ctrl-C) ends the process at once; other repeats are
 * ignored. With --output, every rank also removes
 * the temporary file right in the handler: if the job is then killed (a
 * rank died, or the grace period ran out), no partial file stays behind. */
static volatile sig_atomic_t stop_signal;
static char *volatile remove_on_signal; /* the temporary output file */
static const int stop_signals[] = {SIGTERM, SIGINT, SIGHUP};
#define NSTOP (sizeof stop_signals / sizeof stop_signals[0])

static void on_stop_signal(int sig)
{
    if (stop_signal && sig != SIGINT)
        return; /* Slurm sends SIGTERM twice at a time limit (limit, then kill) */
    if (stop_signal) { /* a second Ctrl-C: leave now, as the signal would */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
    char *tmp = remove_on_signal;
    if (tmp)
        unlink(tmp); /* async-signal-safe */
}

static void catch_stop_signals(struct sigaction saved[NSTOP])
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    stop_signal = 0;
    for (size_t i = 0; i < NSTOP; i++)
        sigaction(stop_signals[i], &sa, &saved[i]);
}

static void restore_signals(const struct sigaction saved[NSTOP])
{
    remove_on_signal = NULL;
    for (size_t i = 0; i < NSTOP; i++)
        sigaction(stop_signals[i], &saved[i], NULL);
}

static const char *signal_name(int sig)
{
    return sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP"
                                                                                 : "a signal";
}

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

/* Rank 0: where the report goes. On standard output, it is written
 * straight to mpirun's own standard output when possible (mpienv.h), as
 * --print's primes are: forwarded by mpirun, a write error (a full disk
 * under a batch job's output file) would be lost and the run would end 0. */
static void choose_report(run *r)
{
    r->report = r->opts.print ? r->err : r->out;
    if (r->opts.print || (r->opts.quiet && !r->opts.explain))
        return;
    int fd = mpp_launcher_stdout();
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

/* Rank 0, before any work: can the buffers be had, and the output file be
 * created? Returns the exit status (EXIT_DONE to go on). */
static int preflight(run *r)
{
    mpp_options *o = &r->opts;
    r->report = o->print ? r->err : r->out;
    if (o->decomposition == MPP_DECOMP_CYCLIC || o->decomposition == MPP_DECOMP_DYNAMIC) {
        /* Dynamic: four times as many chunks, since its chunks cost
         * only messages, and the last chunks handed out decide how evenly
         * the ranks finish. */
        int per = o->decomposition == MPP_DECOMP_DYNAMIC ? 4 : 1;
        if (o->chunk == 0)
            o->chunk = mpp_default_chunk(o->method, o->start, o->stop,
                                         r->size > INT_MAX / per ? INT_MAX : r->size * per);
        else if (o->chunk - 1 > o->stop - o->start) /* no longer than the range */
            o->chunk = o->stop - o->start + 1;
    }
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
        choose_report(r);
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
        if (mpp_outfile_is_direct(&r->file) && is_our_stdout(r->file.fd)) {
            /* Through mpirun's forwarding, a reader that went away would
             * make mpirun abort (or crash): write as --print does. */
            mpp_outfile_abandon(&r->file);
            r->file_open = false;
            o->print = true;
            o->output = NULL;
            r->where = OUT_STREAM;
        } else if (mpp_outfile_is_direct(&r->file)) {
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
    choose_report(r);
    if (r->where == OUT_STREAM)
        signal(SIGPIPE, SIG_IGN); /* a closed pipe or FIFO is EPIPE, handled below */
    return EXIT_DONE;
}

/* Rank 0, --explain: the plan, before any work. */
static void explain(run *r)
{
    static const mpp_plan_outlet plans[] = {MPP_PLAN_COUNT, MPP_PLAN_GATHER, MPP_PLAN_PRINT,
                                            MPP_PLAN_FILE};
    mpp_explain(r->report, &r->opts, r->size, plans[r->where],
                rank_budget(&r->opts, r->where, r->size), outlet_format(&r->opts, r->where));
    fflush(r->report);
}

/* Step 1. Returns false when the run ends here (help, version, an error). */
static bool step1_parse_and_broadcast(run *r, int argc, char **argv)
{
    enum {
        GO, STATUS, START, STOP, METHOD, COUNT, WHERE, FORMAT, BUFFER, DECOMP, CHUNK, COMPARE,
        NAMELEN, WORDS
    };
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
            if (go && r->opts.explain)
                explain(r);
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
        msg[DECOMP] = (uint64_t)r->opts.decomposition;
        msg[CHUNK] = r->opts.chunk;
        msg[COMPARE] = r->opts.compare;
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
        r->opts.decomposition = (mpp_decomposition)msg[DECOMP];
        r->opts.chunk = msg[CHUNK];
        r->opts.compare = msg[COMPARE] != 0;
    }
    if (msg[NAMELEN]) {
        r->tmpname = xmalloc(r, msg[NAMELEN]);
        if (r->rank == 0)
            memcpy(r->tmpname, r->file.tmp, msg[NAMELEN]);
        MPI_TIMED(r, MPI_Bcast(r->tmpname, (int)msg[NAMELEN], MPI_CHAR, 0, r->comm));
        remove_on_signal = r->tmpname; /* by any rank: rank 0 may be gone */
    }
    return true;
}

/* ---- step 3 on one chunk, and what a rank was given ---- */

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void note_failure(run *r, int failure)
{
    if (!r->failure)
        r->failure = failure;
}

/* Adds [LO, HI] to what this rank was given and did. */
static void given(run *r, uint64_t lo, uint64_t hi)
{
    uint64_t n = hi - lo + 1; /* 0 for the whole 64-bit range: 2^64 numbers */
    r->chunks_given++;
    r->numbers_given = n == 0 || r->numbers_given > UINT64_MAX - n ? UINT64_MAX
                                                                    : r->numbers_given + n;
    if (!r->spanned || lo < r->span_lo)
        r->span_lo = lo;
    if (!r->spanned || hi > r->span_hi)
        r->span_hi = hi;
    r->spanned = true;
}

/* Adds primes found in a later chunk to this rank's tally. */
static void add_tally(mpp_tally *to, const mpp_tally *t)
{
    if (t->count == 0)
        return;
    if (to->count == 0)
        to->first = t->first;
    to->last = t->last;
    to->count += t->count;
}

/* Step 3 for one chunk: finds the primes of B (into SINK, when listing),
 * timed in wall clock and in this thread's CPU time. */
static int find_timed(run *r, mpp_block b, const mpp_sink *sink, mpp_tally *t)
{
    mpp_stop stop = {&stop_signal, 0};
    double t0 = MPI_Wtime(), c0 = thread_cpu();
    int rc = mpp_find_primes_stoppable(r->opts.method, b.lo, b.hi, sink, t, &stop);
    r->cpu_s += thread_cpu() - c0;
    r->compute_s += MPI_Wtime() - t0;
    r->swept += (double)stop.done;
    if (rc == MPP_STOPPED)
        note_failure(r, FAILURE(FAIL_STOP, stop_signal));
    else if (rc != MPP_OK && rc != MPP_PIECE_FULL)
        note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    return rc;
}

/* Does one chunk (its number in the round INDEX, its bounds B); returns
 * false when the rank can take no more. */
typedef bool (*chunk_fn)(run *r, void *ctx, uint64_t index, mpp_block b);

/* Every chunk of a static share, in order, until FN says stop. */
static void static_work(run *r, const mpp_share *s, chunk_fn fn, void *ctx)
{
    uint64_t j = UINT64_MAX, index;
    mpp_block b;
    while (mpp_share_next(s, &j, &b, &index))
        if (!fn(r, ctx, index, b))
            break;
}

/* ---- dynamic: chunks handed out on request (manager/worker) ----
 *
 * Rank r starts with chunk r. A worker asks rank 0 for its next chunk
 * (TAG_WANT, 1) before it starts on the one in hand, so the answer is there
 * when it needs it; rank 0 answers with the next chunk not yet handed out
 * (TAG_CHUNK), or NO_CHUNK when there is none left. Rank 0 works on chunks
 * too, and answers between its own chunks. A worker that can take no more
 * (its buffer is full, or it has done CAPACITY chunks) says so (TAG_WANT,
 * 0), after collecting the answer to a question still open; a chunk handed
 * to it then is not done, which the commit rule of the round handles. Rank
 * 0 is done when every worker has been answered NO_CHUNK or has said it is
 * done. */
enum { TAG_WANT = 101, TAG_CHUNK = 102 };
#define NO_CHUNK UINT64_MAX

typedef struct {
    uint64_t next, last; /* the next chunk to hand out; the last chunk */
    bool exhausted;
    int active;          /* workers not yet finished */
} manager;

static uint64_t hand_out(manager *m)
{
    if (m->exhausted || stop_signal) /* interrupted: no new chunks */
        return NO_CHUNK;
    uint64_t j = m->next;
    if (j == m->last)
        m->exhausted = true;
    else
        m->next++;
    return j;
}

/* Rank 0: answers the message from worker SRC. */
static void serve(run *r, manager *m, int src)
{
    uint64_t want = 0, j;
    MPI_TIMED(r, MPI_Recv(&want, 1, MPI_UINT64_T, src, TAG_WANT, r->comm, MPI_STATUS_IGNORE));
    if (!want) {
        m->active--;
        return;
    }
    j = hand_out(m);
    MPI_TIMED(r, MPI_Send(&j, 1, MPI_UINT64_T, src, TAG_CHUNK, r->comm));
    if (j == NO_CHUNK)
        m->active--;
}

static void dynamic_work(run *r, const mpp_share *s, uint64_t capacity, chunk_fn fn, void *ctx)
{
    uint64_t last = mpp_chunk_last(s->lo, s->hi, s->chunk), done = 0;
    if (r->rank == 0) {
        manager m = {(uint64_t)r->size, last, (uint64_t)r->size > last, r->size - 1};
        uint64_t mine = s->empty ? NO_CHUNK : s->first;
        for (;;) {
            int flag = 0, src, misses = 0;
            MPI_Status st;
            /* Every question waiting. One MPI_Iprobe may only move an
             * arrived message into MPI's queue and answer no (Open MPI
             * 4.1 does), so it takes two misses in a row to stop. */
            while (m.active > 0 && misses < 2) {
                MPI_TIMED(r, MPI_Iprobe(MPI_ANY_SOURCE, TAG_WANT, r->comm, &flag, &st));
                if (flag)
                    serve(r, &m, st.MPI_SOURCE);
                misses = flag ? 0 : misses + 1;
            }
            if (mine != NO_CHUNK) {
                bool more = fn(r, ctx, mine, mpp_share_chunk(s, mine));
                done++;
                mine = more && done < capacity ? hand_out(&m) : NO_CHUNK;
                continue;
            }
            if (m.active == 0)
                break;
            MPI_TIMED(r, MPI_Probe(MPI_ANY_SOURCE, TAG_WANT, r->comm, &st));
            src = st.MPI_SOURCE;
            serve(r, &m, src);
        }
        return;
    }
    const uint64_t want = 1, quit = 0;
    uint64_t have = s->empty ? NO_CHUNK : s->first;
    bool asked = false, told_none = false;
    for (;;) {
        if (have == NO_CHUNK) {
            if (!asked)
                MPI_TIMED(r, MPI_Send(&want, 1, MPI_UINT64_T, 0, TAG_WANT, r->comm));
            MPI_TIMED(r, MPI_Recv(&have, 1, MPI_UINT64_T, 0, TAG_CHUNK, r->comm,
                                  MPI_STATUS_IGNORE));
            asked = false;
            if (have == NO_CHUNK) {
                told_none = true;
                break;
            }
        }
        if (!asked && done + 1 < capacity) { /* ask ahead */
            MPI_TIMED(r, MPI_Send(&want, 1, MPI_UINT64_T, 0, TAG_WANT, r->comm));
            asked = true;
        }
        bool more = fn(r, ctx, have, mpp_share_chunk(s, have));
        done++;
        have = NO_CHUNK;
        if (!more || done >= capacity)
            break;
    }
    if (!told_none) {
        uint64_t j = NO_CHUNK;
        if (asked)
            MPI_TIMED(r, MPI_Recv(&j, 1, MPI_UINT64_T, 0, TAG_CHUNK, r->comm,
                                  MPI_STATUS_IGNORE));
        if (!asked || j != NO_CHUNK) /* else rank 0 counted us out already */
            MPI_TIMED(r, MPI_Send(&quit, 1, MPI_UINT64_T, 0, TAG_WANT, r->comm));
    }
}

/* Step 3 over a share, static or dynamic. */
static void do_share(run *r, const mpp_share *s, uint64_t capacity, chunk_fn fn, void *ctx)
{
    if (r->opts.decomposition == MPP_DECOMP_DYNAMIC)
        dynamic_work(r, s, capacity, fn, ctx);
    else
        static_work(r, s, fn, ctx);
}

/* ---- --count: each rank counts its share, the counts are summed ---- */

/* Step 2: rank 0 decomposes the range and scatters every rank its share. */
static void step2_decompose_and_scatter(run *r)
{
    mpp_share *shares = NULL;
    if (r->rank == 0) {
        const mpp_options *o = &r->opts;
        mpp_block *blocks = NULL;
        shares = xmalloc(r, (size_t)r->size * sizeof *shares);
        if (o->decomposition == MPP_DECOMP_BALANCED) {
            blocks = xmalloc(r, (size_t)r->size * sizeof *blocks);
            mpp_balanced_decompose(o->method, o->start, o->stop, r->size, blocks);
        }
        for (int i = 0; i < r->size; i++)
            shares[i] = mpp_share_of(o->decomposition, blocks, o->start, o->stop, o->chunk,
                                     r->size, i);
        free(blocks);
    }
    MPI_TIMED(r, MPI_Scatter(shares, MPP_SHARE_WORDS, MPI_UINT64_T, &r->share,
                             MPP_SHARE_WORDS, MPI_UINT64_T, 0, r->comm));
    free(shares);
}

static bool count_chunk(run *r, void *ctx, uint64_t index, mpp_block b)
{
    (void)ctx;
    (void)index;
    mpp_tally t;
    if (find_timed(r, b, NULL, &t) != MPP_OK)
        return false;
    add_tally(&r->tally, &t);
    given(r, b.lo, b.hi);
    return true;
}

/* Steps 3 and 4 of --count; a rank's failure is settled afterwards. */
static void count_and_reduce(run *r)
{
    memset(&r->tally, 0, sizeof r->tally);
    do_share(r, &r->share, UINT64_MAX, count_chunk, NULL);
    MPI_TIMED(r, MPI_Reduce(&r->tally.count, &r->total, 1, MPI_UINT64_T, MPI_SUM, 0,
                            r->comm));
    r->rounds = 1;
}

/* ---- the listing, in rounds ---- */

/* What rank 0 scatters every round: what became of the round just done,
 * and the rank's share of the next round. */
typedef struct {
    uint64_t flags;     /* ROUND_* */
    uint64_t committed; /* chunks 0..committed-1 of the round just done count */
    mpp_share share;
} round_msg;
#define ROUND_MSG_WORDS (2 + MPP_SHARE_WORDS)
enum { ROUND_DONE = 1, ROUND_STOP = 2 };

/* What a rank says about its round besides the chunks' metas. */
enum { RM_CHUNKS, RM_BYTES, RM_ERROR, RM_WORDS };

#define CAP MPP_ROUND_RANK_CHUNKS

typedef struct {
    uint64_t budget;   /* bytes per rank per round */
    mpp_format fmt;
    char *buf;         /* rank 0 (gathering outlets): one slot of BUDGET per rank */
    mpp_piece piece;   /* this rank's primes of the round */
    MPI_File fh;       /* OUT_FILE */
    bool fh_open;
    mpp_chunk_meta mine[CAP]; /* this rank's chunks of the round, in order */
    mpp_block mine_b[CAP];
    uint64_t mine_at[CAP];    /* OUT_FILE: where each goes in the file */
    uint64_t nmine;
    /* rank 0 */
    mpp_round_plan plan, done_plan;
    mpp_block *blocks, *done_blocks;
    uint64_t *rank_meta;      /* RM_WORDS per rank */
    mpp_chunk_meta *all;      /* CAP per rank */
    uint64_t *slot_at;        /* per entry of ALL: its bytes' offset in the rank's slot */
    uint64_t *file_at;        /* per entry of ALL: its bytes' offset in the file */
    const mpp_chunk_meta **by_index; /* the round's chunks by number */
    round_msg *msgs;
    int *counts, *displs;
    uint64_t file_base, last_prime;
    bool any_prime;
} lister;


static bool list_chunk(run *r, void *ctx, uint64_t index, mpp_block b)
{
    lister *L = ctx;
    if (L->nmine == CAP || r->failure)
        return false;
    uint64_t len0 = L->piece.len, count0 = L->piece.count;
    mpp_chunk_sink cs = {&L->piece, 0, false};
    mpp_sink sink = {mpp_chunk_push, &cs};
    mpp_tally t;
    find_timed(r, b, &sink, &t);
    uint64_t count = L->piece.count - count0;
    L->mine[L->nmine] = (mpp_chunk_meta){index, L->piece.len - len0, count,
                                         count ? cs.first : 0, count ? L->piece.last : 0,
                                         L->piece.full};
    L->mine_b[L->nmine] = b;
    L->nmine++;
    return !L->piece.full && !r->failure && L->nmine < CAP;
}

/* Rank 0: the verdict on the round just done (unless FIRST) and the
 * messages of the next. */
static void plan_next(run *r, lister *L, bool first)
{
    const mpp_options *o = &r->opts;
    uint64_t flags = 0, from = o->start;
    mpp_round_result res = {0, 0, 0, false, 0};
    if (first)
        r->next = o->start;
    if (!first) {
        for (uint64_t j = 0; j < L->plan.nchunks; j++)
            L->by_index[j] = NULL;
        for (int i = 0; i < r->size; i++) {
            const uint64_t *rm = L->rank_meta + (size_t)i * RM_WORDS;
            if (rm[RM_ERROR])
                note_failure(r, (int)rm[RM_ERROR]);
            uint64_t at = 0;
            for (uint64_t k = 0; k < rm[RM_CHUNKS] && k < CAP; k++) {
                size_t e = (size_t)i * CAP + k;
                const mpp_chunk_meta *m = &L->all[e];
                L->slot_at[e] = at;
                at += m->bytes;
                if (m->index >= L->plan.nchunks || L->by_index[m->index] != NULL ||
                    at > L->budget)
                    note_failure(r, FAILURE(FAIL_ORDER, EIO));
                else
                    L->by_index[m->index] = m;
            }
        }
        if (!r->failure && !r->reader_gone &&
            !mpp_commit_round(&L->plan, L->blocks, L->by_index, o->stop, &res))
            note_failure(r, FAILURE(FAIL_STALL, EIO));
        if (r->failure || r->reader_gone) {
            flags = ROUND_STOP;
            res = (mpp_round_result){0, 0, 0, false, 0}; /* nothing of it counts */
        } else {
            r->rounds++;
            r->total += res.count;
            flags = res.done ? ROUND_DONE : 0;
            from = res.next;
            r->next = res.done ? o->stop : res.next;
            r->listed_all = res.done;
            r->committed = res.done ? (double)(o->stop - o->start) + 1
                                    : (double)(res.next - o->start);
            for (uint64_t j = 0; j < res.committed; j++) { /* the file, in chunk order */
                const mpp_chunk_meta *m = L->by_index[j];
                L->file_at[m - L->all] = L->file_base;
                L->file_base += m->bytes;
            }
        }
        L->done_plan = L->plan;
        memcpy(L->done_blocks, L->blocks, (size_t)r->size * sizeof *L->blocks);
    }
    if (!flags)
        mpp_plan_round(o->decomposition, o->method, from, o->stop, r->size, L->budget,
                       L->fmt, o->chunk ? o->chunk : 1, L->blocks, &L->plan);
    mpp_share none = {0, 0, 0, 0, 1, 0, 1};
    for (int i = 0; i < r->size; i++)
        L->msgs[i] = (round_msg){flags, res.committed,
                                 flags ? none
                                       : mpp_round_share(o->decomposition, &L->plan,
                                                         L->blocks, r->size, i)};
}

/* The committed chunks of the round just done, in chunk order: their
 * meta, and where their bytes are in rank 0's buffer. */
static const char *chunk_bytes(const lister *L, const mpp_chunk_meta *m)
{
    size_t e = (size_t)(m - L->all), rank = e / CAP;
    return L->buf + rank * L->budget + L->slot_at[e];
}

/* Rank 0, default outlet: each committed chunk's primes arrived where its
 * rank said, beginning and ending with the primes it reported, inside the
 * chunk and after the previous chunk's. (Per chunk, not per prime: a serial
 * pass over every prime would cost rank 0 a fifth of the run.) */
static void check_gathered(run *r, lister *L, uint64_t committed)
{
    for (uint64_t j = 0; j < committed; j++) {
        const mpp_chunk_meta *m = L->by_index[j];
        if (m->count == 0)
            continue;
        const uint64_t *p = (const uint64_t *)chunk_bytes(L, m);
        mpp_block b = mpp_round_chunk(&L->done_plan, L->done_blocks, j);
        if (m->bytes != m->count * 8 || p[0] != m->first || p[m->count - 1] != m->last ||
            m->first < b.lo || m->last > b.hi || m->first > m->last ||
            (L->any_prime && m->first <= L->last_prime)) {
            note_failure(r, FAILURE(FAIL_ORDER, EIO));
            return;
        }
        L->last_prime = m->last;
        L->any_prime = true;
    }
}

/* Rank 0, stream outlet: writes the committed chunks in order. */
static void write_stream(run *r, lister *L, uint64_t committed)
{
    if (r->failure || r->reader_gone)
        return;
    double t0 = MPI_Wtime();
    for (uint64_t j = 0; j < committed; j++) {
        const mpp_chunk_meta *m = L->by_index[j];
        int e = mpp_write_all(r->stream_fd, chunk_bytes(L, m), (size_t)m->bytes);
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

/* Every rank, file outlet: writes LEN bytes from P at offset AT. A short
 * write (a disk filling up) is followed by another, which then fails with
 * the reason. */
static void write_at(run *r, lister *L, uint64_t at, const char *p, uint64_t len)
{
    while (len > 0 && !r->failure) {
        MPI_Status st;
        int written = 0;
        errno = 0;
        int rc = MPI_File_write_at(L->fh, (MPI_Offset)at, p, (int)len, MPI_BYTE, &st);
        int e = errno;
        if (rc != MPI_SUCCESS) {
            note_failure(r, FAILURE(FAIL_WRITE, mpi_io_errno(rc, e)));
            break;
        }
        if (MPI_Get_count(&st, MPI_BYTE, &written) != MPI_SUCCESS || written <= 0) {
            note_failure(r, FAILURE(FAIL_WRITE, e ? e : EIO));
            break;
        }
        at += (uint64_t)written;
        p += written;
        len -= (uint64_t)written;
    }
}

/* Every rank, file outlet: rank 0 sends each rank the file offsets of its
 * chunks; each writes its committed chunks there. */
static void write_file(run *r, lister *L, uint64_t committed)
{
    if (r->rank == 0)
        for (int i = 0; i < r->size; i++) {
            L->counts[i] = (int)L->rank_meta[(size_t)i * RM_WORDS + RM_CHUNKS];
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
        size_t n = (size_t)r->size, entries = n * CAP;
        L->blocks = xmalloc(r, n * sizeof *L->blocks);
        L->done_blocks = xmalloc(r, n * sizeof *L->done_blocks);
        L->rank_meta = xmalloc(r, n * RM_WORDS * sizeof *L->rank_meta);
        L->all = xmalloc(r, entries * sizeof *L->all);
        L->slot_at = xmalloc(r, entries * sizeof *L->slot_at);
        L->file_at = xmalloc(r, entries * sizeof *L->file_at);
        L->by_index = xmalloc(r, entries * sizeof *L->by_index);
        L->msgs = xmalloc(r, n * sizeof *L->msgs);
        L->counts = xmalloc(r, n * sizeof *L->counts);
        L->displs = xmalloc(r, n * sizeof *L->displs);
        for (size_t e = 0; e < entries; e++) /* sent for every chunk, written */
            L->file_at[e] = UINT64_MAX;          /* for the committed ones only */
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
    free(L->done_blocks);
    free(L->rank_meta);
    free(L->all);
    free(L->slot_at);
    free(L->file_at);
    free(L->by_index);
    free(L->msgs);
    free(L->counts);
    free(L->displs);
}

/* This rank's committed chunks of the round just done, into its tally. */
static void account_round(run *r, const lister *L, uint64_t committed)
{
    for (uint64_t k = 0; k < L->nmine; k++) {
        const mpp_chunk_meta *m = &L->mine[k];
        if (m->index >= committed)
            continue;
        mpp_tally t = {m->count, m->first, m->last};
        add_tally(&r->tally, &t);
        given(r, L->mine_b[k].lo, m->full ? m->last : L->mine_b[k].hi);
    }
}

/* Steps 2-4, in rounds. */
static void list_in_rounds(run *r)
{
    lister *L = calloc(1, sizeof *L);
    if (L == NULL)
        note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    int ready = L != NULL && lister_setup(r, L), all_ready = 0;
    memset(&r->tally, 0, sizeof r->tally);
    /* A rank without its buffer could not take part in a Gatherv. */
    MPI_TIMED(r, MPI_Allreduce(&ready, &all_ready, 1, MPI_INT, MPI_MIN, r->comm));
    if (!all_ready) {
        if (L)
            lister_free(r, L);
        free(L);
        return;
    }
    if (r->rank == 0)
        plan_next(r, L, true);
    round_msg m;
    MPI_TIMED(r, MPI_Scatter(L->msgs, ROUND_MSG_WORDS, MPI_UINT64_T, &m, ROUND_MSG_WORDS,
                             MPI_UINT64_T, 0, r->comm));
    while (!(m.flags & (ROUND_DONE | ROUND_STOP))) {
        /* Step 3: find and encode this rank's primes of the round. */
        mpp_piece_reset(&L->piece);
        L->nmine = 0;
        /* Also after a failure: a dynamic round needs every rank in it
         * (list_chunk then does nothing and stops). */
        do_share(r, &m.share, CAP, list_chunk, L);

        /* Step 4: what each rank did, then the primes themselves. */
        uint64_t rm[RM_WORDS] = {L->nmine, L->piece.len, (uint64_t)r->failure};
        MPI_TIMED(r, MPI_Gather(rm, RM_WORDS, MPI_UINT64_T, L->rank_meta, RM_WORDS,
                                MPI_UINT64_T, 0, r->comm));
        if (r->rank == 0)
            for (int i = 0; i < r->size; i++) {
                uint64_t n = L->rank_meta[(size_t)i * RM_WORDS + RM_CHUNKS];
                L->counts[i] = (int)((n < CAP ? n : CAP) * MPP_CHUNK_META_WORDS);
                L->displs[i] = i * CAP * MPP_CHUNK_META_WORDS;
            }
        MPI_TIMED(r, MPI_Gatherv(L->mine, (int)(L->nmine * MPP_CHUNK_META_WORDS),
                                 MPI_UINT64_T, L->all, L->counts, L->displs, MPI_UINT64_T, 0,
                                 r->comm));
        if (r->where != OUT_FILE) {
            MPI_Datatype type = L->fmt == MPP_FORMAT_NATIVE ? MPI_UINT64_T : MPI_BYTE;
            int unit = L->fmt == MPP_FORMAT_NATIVE ? 8 : 1;
            if (r->rank == 0)
                for (int i = 0; i < r->size; i++) {
                    L->counts[i] =
                        (int)(L->rank_meta[(size_t)i * RM_WORDS + RM_BYTES] / (unsigned)unit);
                    L->displs[i] = (int)((uint64_t)i * L->budget / (unsigned)unit);
                }
            MPI_TIMED(r, MPI_Gatherv(r->rank == 0 ? MPI_IN_PLACE : L->piece.buf,
                                     (int)(L->piece.len / (unsigned)unit), type, L->buf,
                                     L->counts, L->displs, type, 0, r->comm));
        }
        /* Step 2 of the next round, with the verdict on this one. */
        if (r->rank == 0)
            plan_next(r, L, false);
        MPI_TIMED(r, MPI_Scatter(L->msgs, ROUND_MSG_WORDS, MPI_UINT64_T, &m, ROUND_MSG_WORDS,
                                 MPI_UINT64_T, 0, r->comm));
        if (m.flags & ROUND_STOP)
            break;
        account_round(r, L, m.committed);
        if (r->where == OUT_FILE)
            write_file(r, L, m.committed);
        else if (r->rank == 0 && r->where == OUT_STREAM)
            write_stream(r, L, m.committed);
        else if (r->rank == 0)
            check_gathered(r, L, m.committed);
    }
    lister_free(r, L);
    free(L);
}

/* Rank 0: the one-line message for an interruption by SIG: how far the
 * run got (DONE numbers of the range) and what became of its output.
 * Under mpirun, which was likely signalled too and forwards no more output
 * from its ranks, the line goes straight to mpirun's own stderr. */
static void report_interrupt(run *r, int sig, double done)
{
    const mpp_options *o = &r->opts;
    double all = (double)(o->stop - o->start) + 1;
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    if (f == NULL)
        return;
    fprintf(f, "mpprimes: interrupted by %s after %.1f s", signal_name(sig),
            MPI_Wtime() - r->t_start);
    if (o->count_only)
        fprintf(f, ": %.1f%% of the range [%" PRIu64 ", %" PRIu64 "] was counted; no count is "
                   "reported\n", 100.0 * done / all, o->start, o->stop);
    else if (r->listed_all) /* just before the output file was renamed */
        fprintf(f, ": every prime was found");
    else if (r->next == o->start)
        fprintf(f, ", in round %" PRIu64 ": no round was finished", r->rounds + 1);
    else
        fprintf(f, ", in round %" PRIu64 ": the primes below %" PRIu64 " were found (%" PRIu64
                   ", %.1f%% of the range [%" PRIu64 ", %" PRIu64 "])", r->rounds + 1, r->next,
                r->total, 100.0 * done / all, o->start, o->stop);
    if (o->print)
        fprintf(f, r->total ? "; they were printed, and no more\n" : "; none was printed\n");
    else if (o->output)
        fprintf(f, "; output file '%s' was not written\n", o->output);
    else if (!o->count_only)
        fprintf(f, "; no report\n");
    if (fclose(f) != 0) {
        free(line);
        return;
    }
    int fd = mpp_launcher_stderr();
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

/* After the work: every rank's failure (if any) reaches rank 0, which
 * reports it and finishes or removes the output file. */
static void settle(run *r)
{
    /* From here on only rank 0 renames or removes the temporary file. A
     * signal seen before interrupts the run, even when this rank's own work
     * was done: it may have removed that file, or (rank 0, dynamic) stopped
     * handing out chunks that no rank then did. */
    remove_on_signal = NULL;
    if (stop_signal)
        note_failure(r, FAILURE(FAIL_STOP, stop_signal));
    struct {
        int failure, rank;
    } mine = {r->failure, r->rank}, worst;
    MPI_TIMED(r, MPI_Allreduce(&mine, &worst, 1, MPI_2INT, MPI_MAXLOC, r->comm));
    double done = r->committed;
    if (worst.failure >> 16 == FAIL_STOP && r->opts.count_only) /* how far the ranks got */
        MPI_TIMED(r, MPI_Reduce(&r->swept, &done, 1, MPI_DOUBLE, MPI_SUM, 0, r->comm));
    if (r->rank != 0)
        return;
    if (worst.failure >> 16 == FAIL_STOP) {
        int sig = worst.failure & 0xffff;
        report_interrupt(r, sig, done);
        r->status = 128 + sig;
        if (r->file_open)
            mpp_outfile_abandon(&r->file);
        r->file_open = false;
        return;
    }
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

/* --compare: rank 0 alone finds the primes of the whole range again, the
 * same way (counting, or encoding them as the listing does, without
 * output), timed; the other ranks wait without spinning, so as not to take
 * its core. Its count must be the run's. */
static void compare_serial(run *r)
{
    MPI_Request req;
    if (r->rank == 0 && r->status == EXIT_DONE && !r->reader_gone) {
        enum { PIECE = 1 << 20 };
        mpp_tally t = {0, 0, 0};
        char *buf = r->opts.count_only ? NULL : malloc(PIECE + MPP_PIECE_SLACK);
        mpp_piece piece;
        mpp_sink sink = {discard_push, &piece};
        int rc = MPP_ENOMEM;
        mpp_stop stop = {&stop_signal, 0};
        double t0 = MPI_Wtime();
        if (r->opts.count_only) {
            rc = mpp_find_primes_stoppable(r->opts.method, r->opts.start, r->opts.stop, NULL,
                                           &t, &stop);
        } else if (buf) {
            mpp_piece_init(&piece, buf, PIECE, outlet_format(&r->opts, r->where));
            rc = mpp_find_primes_stoppable(r->opts.method, r->opts.start, r->opts.stop, &sink,
                                           &t, &stop);
        }
        r->serial_s = MPI_Wtime() - t0;
        free(buf);
        if (rc == MPP_STOPPED) {
            fprintf(r->err, "mpprimes: interrupted by %s after %.1f s, during --compare's "
                            "serial run (%.1f%% done); no report\n",
                    signal_name(stop_signal), MPI_Wtime() - r->t_start,
                    100.0 * (double)stop.done / ((double)(r->opts.stop - r->opts.start) + 1));
            r->status = 128 + stop_signal;
        } else if (rc != MPP_OK) {
            fprintf(r->err, "mpprimes: --compare: rank 0 ran out of memory for the serial "
                            "run\n");
            r->status = EXIT_RUNTIME;
        } else if (t.count != r->total) {
            fprintf(r->err, "mpprimes: internal error: the serial run found %" PRIu64
                            " primes, the parallel run %" PRIu64 "\n", t.count, r->total);
            r->status = EXIT_RUNTIME;
        }
    }
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
    enum { WORDS = 9, TIMES = 5 };
    char host[MPP_HOST_MAX] = {0};
    char name[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    MPI_CHECK(r, MPI_Get_processor_name(name, &len));
    snprintf(host, sizeof host, "%.*s", len, name);
    uint64_t words[WORDS] = {!r->spanned,        r->span_lo,      r->span_hi,
                             r->tally.count,     r->tally.first,  r->tally.last,
                             (uint64_t)mpp_max_rss_kib(), r->chunks_given, r->numbers_given};
    double times[TIMES] = {r->compute_s, r->comm_s, r->io_s, r->elapsed_s, r->cpu_s};

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
            s->chunks = w[7];
            s->numbers = w[8];
            s->cpu_s = t[4];
            s->compute_s = t[0];
            s->comm_s = t[1];
            s->io_s = t[2];
            elapsed = t[3] > elapsed ? t[3] : elapsed;
        }
        const mpp_options *o = &r->opts;
        mpp_report rep = {o->start,
                          o->stop,
                          r->size,
                          o->method,
                          mpp_decomposition_name(o->decomposition),
                          o->decomposition >= MPP_DECOMP_CYCLIC ? o->chunk : 0,
                          r->rounds,
                          o->count_only ? 0 : o->buffer,
                          r->total,
                          elapsed,
                          stats,
                          r->serial_s};
        if (!r->opts.quiet) {
            if (r->opts.json)
                mpp_report_json(r->report, &rep);
            else
                mpp_report_text(r->report, &rep);
            if ((fflush(r->report) != 0 || ferror(r->report)) && errno != EPIPE) {
                /* (EPIPE: a reader that left early, `| head`, is no error) */
                fprintf(r->err, "mpprimes: cannot write the report%s: %s\n",
                        r->report == r->err ? " to standard error" : " to standard output",
                        strerror(errno));
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
    struct sigaction saved[NSTOP];
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
    catch_stop_signals(saved);

    if (step1_parse_and_broadcast(&r, argc, argv)) {
        if (r.opts.count_only) {
            step2_decompose_and_scatter(&r);
            count_and_reduce(&r);
        } else {
            list_in_rounds(&r);
        }
        settle(&r);
        r.elapsed_s = MPI_Wtime() - r.t_start;
        if (r.opts.compare)
            compare_serial(&r);
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
    if (r.direct)
        fclose(r.direct); /* flushed, and any error reported, with the report */
    free(r.tmpname);
    restore_signals(saved);
    return r.status;
}
