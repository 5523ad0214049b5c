/* tracking.c - following a long run: the progress line and the checkpoint
 * (--progress, --checkpoint; docs/reference.md, "Long runs").
 *
 * Both need rank 0 to know, while the work goes on, what every rank has
 * committed. A listing's rounds already bring that to rank 0 (listing.c:
 * its commit events). --count has no rounds: each rank counts its share
 * alone and the results meet in one MPI_Reduce at the end. So, when it is
 * tracked, a rank counts its share in pieces of about a fifth of a second
 * (the sieve goes on from one to the next as from segment to segment),
 * and after each sends rank 0 the piece and what it found there (its
 * numbers, its result, with --checkpoint and --gaps its gaps) with
 * MPI_Isend: no rank waits for rank 0. Rank 0 takes them between its own
 * pieces (MPI_Iprobe), and, once its share is done, until every rank has
 * said it is done. Every piece is found after the primes just before it
 * (patterns.h), so what the pieces found merges in any order: the
 * checkpoint is the set of numbers settled and the merge of their results
 * (checkpoint.h), and a run resumed from it, at any rank count and
 * decomposition, does only what is left and adds the two.
 *
 * The checkpoint is written (files.h: whole or not at all, synced) before
 * any work, then at most every --checkpoint-every seconds after committed
 * work, and once more in the settling: finished, or where a signal or a
 * failure stopped the run. The progress line goes to rank 0's stderr
 * (straight to mpirun's when it can): on a terminal rewritten in place,
 * else a timestamped line every --progress seconds.
 *
 * MPI calls: MPI_Isend, MPI_Wait (the pieces, by every rank
 * but 0), MPI_Iprobe, MPI_Probe, MPI_Get_count, MPI_Recv (rank 0).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "run.h"
#include "status.h"

#define RING 8                            /* pieces a rank may have in flight */
#define HEAD (2 + MPP_RESULT_WORDS + 1)   /* lo, hi, the result, the gaps' words */
#define LINE_S 0.5                        /* a terminal's line, at most this often */

typedef struct tracker {
    /* rank 0 */
    int fd;                /* the progress line's, or -1 */
    bool tty;              /* rewritten in place */
    double every;          /* seconds between lines */
    double t0, last_line, last_write;
    double before, all;    /* numbers settled before this run; in the range */
    double mine;           /* numbers this run has settled */
    bool shown;            /* a line was written (on a terminal: it is there) */
    bool dirty;            /* the checkpoint changed since it was written */
    bool warned;           /* a checkpoint could not be written: said once */
    int fins;              /* ranks done */
    uint64_t *in;          /* a message received */
    mpp_gaps *gaps;        /* its gaps */
    /* every rank but 0 */
    uint64_t *out[RING];
    MPI_Request req[RING];
    int next;
    size_t words;          /* a message's most */
} tracker;

/* ======================================================================
 * the checkpoint file
 * ====================================================================== */

static int write_checkpoint(run *r)
{
    size_t len;
    double t0 = MPI_Wtime();
    char *text = mpp_checkpoint_encode(r->ck, &len);
    int e = text ? mpp_write_atomic(r->opts.checkpoint, text, len) : ENOMEM;
    free(text);
    r->io_s += MPI_Wtime() - t0;
    if (r->tk) {
        r->tk->last_write = MPI_Wtime();
        if (!e)
            r->tk->dirty = false;
    }
    return e;
}

/* Rank 0: where the progress line goes (a descriptor to close, or -1) and
 * whether it is a terminal. */
static int progress_fd(run *r, bool *tty)
{
    int fd = mpp_direct_stderr();
    if (fd < 0)
        fd = dup(fileno(r->err));
    *tty = fd >= 0 && isatty(fd);
    return fd;
}

int mpp_checkpoint_preflight(run *r)
{
    const mpp_options *o = &r->opts;
    bool tty = false;
    int fd = o->progress == MPP_PROGRESS_OFF ? -1 : progress_fd(r, &tty);
    if (fd >= 0)
        close(fd);
    if (tty && o->print && o->progress == MPP_PROGRESS_AUTO) {
        /* the primes printed on the same terminal: no line between them */
        int out = mpp_direct_stdout();
        tty = !isatty(out >= 0 ? out : fileno(r->out));
        if (out >= 0)
            close(out);
    }
    if (o->progress == MPP_PROGRESS_ON || (o->progress == MPP_PROGRESS_AUTO && tty))
        r->track |= TRACK_PROGRESS;
    r->list_from = o->start;
    if (o->checkpoint == NULL)
        return EXIT_DONE;
    r->track |= TRACK_CHECKPOINT;
    mpp_checkpoint *ck = r->ck;
    char *text = NULL;
    size_t len = 0;
    int e = mpp_read_file(o->checkpoint, (size_t)1 << 30, &text, &len);
    if (e && e != ENOENT) {
        fprintf(r->err, "mpprimes: cannot read checkpoint '%s': %s\n", o->checkpoint,
                strerror(e));
        return EXIT_USAGE;
    }
    if (e == 0) {
        char why[512];
        int rc = mpp_checkpoint_decode(text, len, ck->command, ck, why, sizeof why);
        free(text);
        if (rc == MPP_CKPT_NOMEM) {
            fprintf(r->err, "mpprimes: out of memory reading checkpoint '%s'\n",
                    o->checkpoint);
            return EXIT_RUNTIME;
        }
        if (rc != MPP_CKPT_OK) {
            fprintf(r->err, "mpprimes: checkpoint '%s' %s; remove it to start afresh, or "
                            "name another --checkpoint FILE\n", o->checkpoint, why);
            return EXIT_USAGE;
        }
        r->base = ck->result;
        if (!o->count_only) { /* a listing: a prefix of the range is done */
            r->finished = ck->finished;
            r->list_from = ck->next;
            r->listed_bytes = ck->bytes;
            r->ck_before = r->finished ? 1 : (double)(ck->next - o->start) /
                                                 ((double)(o->stop - o->start) + 1);
            return EXIT_DONE;
        }
        if (o->gaps) {
            r->base_gaps = mpp_xmalloc(r, sizeof *r->base_gaps);
            *r->base_gaps = ck->gaps;
        }
        if (!mpp_spans_complement(&ck->done, o->start, o->stop, &r->todo)) {
            fprintf(r->err, "mpprimes: out of memory reading checkpoint '%s'\n",
                    o->checkpoint);
            return EXIT_RUNTIME;
        }
        r->finished = r->todo.n == 0;
        uint64_t all = o->stop - o->start, done = mpp_spans_numbers(&ck->done);
        r->ck_before = r->finished ? 1 : (double)done / ((double)all + 1);
        if (r->todo.n == 1 && r->todo.at[0].lo == o->start && r->todo.at[0].hi == o->stop)
            r->todo.n = 0; /* nothing done yet: the whole range, as a fresh run */
    }
    return EXIT_DONE;
}

int mpp_checkpoint_begin(run *r)
{
    if (r->ck == NULL)
        return EXIT_DONE;
    /* (re)written now, with --output's temporary file: a FILE that cannot
     * be written fails before any work; what a run killed while writing it
     * left goes */
    mpp_remove_leftovers(r->opts.checkpoint);
    int e = write_checkpoint(r);
    if (e) {
        fprintf(r->err, "mpprimes: cannot write checkpoint '%s': %s\n", r->opts.checkpoint,
                strerror(e));
        return EXIT_USAGE;
    }
    return EXIT_DONE;
}

/* ======================================================================
 * the progress line
 * ====================================================================== */

static void show(run *r, double now, bool last)
{
    tracker *tk = r->tk;
    mpp_status s = {.done = tk->before + tk->mine, .all = tk->all, .before = tk->before,
                    .elapsed = now - tk->t0, .now = time(NULL)};
    char line[256];
    size_t n = mpp_status_line(line, sizeof line, &s, tk->tty);
    if (last && tk->tty) /* the line is erased before the report */
        return;
    mpp_write_all(tk->fd, line, n);
    tk->shown = !last;
    tk->last_line = now;
}

/* Rank 0: the progress line and the checkpoint, when they are due. */
static void tick(run *r)
{
    tracker *tk = r->tk;
    double now = MPI_Wtime();
    if (tk->fd >= 0 && now - tk->last_line >= tk->every)
        show(r, now, false);
    if (r->ck && tk->dirty && now - tk->last_write >= (double)r->opts.checkpoint_every) {
        int e = write_checkpoint(r);
        if (e && !tk->warned) {
            fprintf(r->err, "mpprimes: warning: cannot write checkpoint '%s': %s; trying "
                            "again later\n", r->opts.checkpoint, strerror(e));
            tk->warned = true;
        }
    }
}

/* ======================================================================
 * the pieces
 * ====================================================================== */

void mpp_track_start(run *r)
{
    if (!r->track)
        return;
    tracker *tk = calloc(1, sizeof *tk);
    if (tk == NULL) {
        mpp_note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
        r->track = 0; /* (rank 0 then waits for no piece: none is sent) */
        return;
    }
    r->tk = tk;
    r->step = (uint64_t)1 << 20;
    bool gaps = r->opts.gaps && (r->track & TRACK_CHECKPOINT);
    tk->words = HEAD + (gaps ? MPP_GAPS_MAX_WORDS : 0);
    if (gaps)
        r->piece_gaps = mpp_xmalloc(r, sizeof *r->piece_gaps);
    tk->fd = -1;
    for (int i = 0; i < RING; i++)
        tk->req[i] = MPI_REQUEST_NULL;
    if (r->rank != 0) {
        for (int i = 0; i < RING; i++)
            tk->out[i] = mpp_xmalloc(r, tk->words * sizeof(uint64_t));
        return;
    }
    tk->in = mpp_xmalloc(r, tk->words * sizeof(uint64_t));
    if (gaps)
        tk->gaps = mpp_xmalloc(r, sizeof *tk->gaps);
    tk->t0 = tk->last_line = tk->last_write = MPI_Wtime();
    tk->all = (double)(r->opts.stop - r->opts.start) + 1;
    tk->before = r->ck ? (double)mpp_spans_numbers(&r->ck->done) : 0;
    if (r->track & TRACK_PROGRESS) {
        tk->fd = progress_fd(r, &tk->tty);
        tk->every = tk->tty ? LINE_S : (double)r->opts.progress_every;
    }
}

/* Rank 0: a piece [LO, HI] settled, with RES and G (or NULL). */
static void absorb(run *r, uint64_t lo, uint64_t hi, const mpp_result *res, const mpp_gaps *g)
{
    tracker *tk = r->tk;
    tk->mine += (double)(hi - lo) + 1;
    if (r->ck == NULL)
        return;
    if (!mpp_spans_add(&r->ck->done, lo, hi))
        mpp_note_failure(r, FAILURE(FAIL_ORDER, EIO)); /* settled twice: a bug */
    mpp_result_merge(&r->ck->result, res);
    if (g)
        mpp_gaps_merge(&r->ck->gaps, g);
    tk->dirty = true;
}

void mpp_track_piece(run *r, mpp_block b, const mpp_result *res, const mpp_gaps *g)
{
    tracker *tk = r->tk;
    if (tk == NULL)
        return;
    if (r->rank == 0) {
        absorb(r, b.lo, b.hi, res, g);
        mpp_track_poll(r);
        return;
    }
    int i = tk->next;
    tk->next = (i + 1) % RING;
    MPI_TIMED(r, MPI_Wait(&tk->req[i], MPI_STATUS_IGNORE));
    uint64_t *w = tk->out[i];
    w[0] = b.lo;
    w[1] = b.hi;
    mpp_result_pack(res, w + 2);
    size_t n = g && tk->words > HEAD ? mpp_gaps_pack(g, w + HEAD) : 0;
    w[HEAD - 1] = n;
    MPI_TIMED(r, MPI_Isend(w, (int)(HEAD + n), MPI_UINT64_T, 0, TAG_TRACK, r->comm,
                           &tk->req[i]));
}

/* Rank 0: the message from SRC (probed). */
static void receive(run *r, int src)
{
    tracker *tk = r->tk;
    MPI_Status st;
    int n = 0;
    MPI_TIMED(r, MPI_Recv(tk->in, (int)tk->words, MPI_UINT64_T, src, TAG_TRACK, r->comm, &st));
    MPI_CHECK(r, MPI_Get_count(&st, MPI_UINT64_T, &n));
    const uint64_t *w = tk->in;
    if (n == 2 && w[0] > w[1]) { /* done */
        tk->fins++;
        return;
    }
    if (n < HEAD || (size_t)n != HEAD + w[HEAD - 1]) {
        mpp_note_failure(r, FAILURE(FAIL_ORDER, EIO));
        return;
    }
    mpp_result res;
    mpp_result_unpack(w + 2, &res);
    bool gaps = w[HEAD - 1] > 0 && tk->gaps &&
                mpp_gaps_unpack(w + HEAD, (size_t)w[HEAD - 1], tk->gaps);
    absorb(r, w[0], w[1], &res, gaps ? tk->gaps : NULL);
}

void mpp_track_poll(run *r)
{
    if (r->tk == NULL || r->rank != 0)
        return;
    int flag = 0, misses = 0;
    MPI_Status st;
    while (misses < 2 && r->tk->fins < r->size - 1) { /* two misses: see manage() */
        MPI_TIMED(r, MPI_Iprobe(MPI_ANY_SOURCE, TAG_TRACK, r->comm, &flag, &st));
        if (flag)
            receive(r, st.MPI_SOURCE);
        misses = flag ? 0 : misses + 1;
    }
    tick(r);
}

bool mpp_track_serve(run *r, const MPI_Status *st)
{
    if (r->tk == NULL || st->MPI_TAG != TAG_TRACK)
        return false;
    receive(r, st->MPI_SOURCE);
    tick(r);
    return true;
}

void mpp_track_finish(run *r)
{
    tracker *tk = r->tk;
    if (tk == NULL)
        return;
    if (r->rank != 0) {
        int i = tk->next;
        MPI_TIMED(r, MPI_Wait(&tk->req[i], MPI_STATUS_IGNORE));
        tk->out[i][0] = 1; /* LO > HI: done */
        tk->out[i][1] = 0;
        MPI_TIMED(r, MPI_Isend(tk->out[i], 2, MPI_UINT64_T, 0, TAG_TRACK, r->comm,
                               &tk->req[i]));
        /* one by one: GCC 12 warns of MPICH's MPI_Waitall(.., MPI_STATUSES_IGNORE) */
        for (int k = 0; k < RING; k++)
            MPI_TIMED(r, MPI_Wait(&tk->req[k], MPI_STATUS_IGNORE));
        return;
    }
    while (tk->fins < r->size - 1) {
        MPI_Status st;
        MPI_TIMED(r, MPI_Probe(MPI_ANY_SOURCE, TAG_TRACK, r->comm, &st));
        receive(r, st.MPI_SOURCE);
        tick(r);
    }
}

/* Rank 0, a listing: the checkpoint as the committed rounds leave it
 * (BYTES of them written). */
static void listing_state(run *r, uint64_t bytes)
{
    const mpp_progress *p = &r->progress;
    mpp_checkpoint *ck = r->ck;
    uint64_t next = p->done ? r->opts.stop : p->next;
    if (r->tk)
        r->tk->mine = (p->done ? r->tk->all : (double)(next - r->opts.start)) - r->tk->before;
    if (ck == NULL || (ck->next == next && !p->done))
        return;
    ck->next = next;
    ck->result = p->result;
    ck->bytes = bytes;
    ck->done.n = 0; /* [start, next - 1] */
    if (next > r->opts.start && !mpp_spans_add(&ck->done, r->opts.start, next - 1))
        mpp_note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    if (p->done && !mpp_spans_add(&ck->done, next, next))
        mpp_note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    /* every line listed and delivered: nothing is left to list, even when
     * a signal then stops the run before --output's rename (a resumed run
     * renames it: the checkpoint still names the temporary file) */
    ck->finished = p->done;
    if (r->tk)
        r->tk->dirty = true;
}

void mpp_track_listing(run *r)
{
    if (r->tk == NULL || r->progress.done)
        return; /* (the last round's state is the settling's) */
    listing_state(r, r->listed_bytes);
    tick(r);
}

void mpp_track_prepare(run *r, int worst)
{
    tracker *tk = r->tk;
    if (tk && tk->fd >= 0 && tk->shown && tk->tty) {
        mpp_write_all(tk->fd, MPP_STATUS_ERASE, sizeof MPP_STATUS_ERASE - 1);
        tk->shown = false;
    }
    /* every committed round was delivered, unless a write failed */
    if (!r->opts.count_only && !r->finished && (worst == 0 || worst >> 16 == FAIL_STOP))
        listing_state(r, r->listed_bytes);
    /* all listed: said before the rename, so that a run killed between the
     * two is resumed by renaming (or finding renamed) the file */
    if (r->ck && r->ck->finished && r->ck->tmp[0] && write_checkpoint(r) != 0)
        r->ck->tmp[0] = '\0'; /* (the write at the end says why) */
}

bool mpp_track_settle(run *r, int worst)
{
    tracker *tk = r->tk;
    bool ok = worst == 0;
    if (tk && tk->fd >= 0 && !tk->tty && ok)
        show(r, MPI_Wtime(), true); /* the log's last line: 100% */
    if (r->ck == NULL)
        return true;
    if (ok && r->opts.count_only && !r->finished) {
        /* what rank 0 followed must be what the reduction merged */
        uint64_t a[MPP_RESULT_WORDS], b[MPP_RESULT_WORDS];
        mpp_result_pack(&r->ck->result, a);
        mpp_result_pack(&r->reduced, b);
        uint64_t all = r->opts.stop - r->opts.start, done = mpp_spans_numbers(&r->ck->done);
        if (memcmp(a, b, sizeof a) != 0 || done != (all == UINT64_MAX ? all : all + 1)) {
            fprintf(r->err, "mpprimes: internal error: the pieces committed do not add up to "
                            "the counts reduced; checkpoint '%s' not marked finished\n",
                    r->opts.checkpoint);
            r->status = EXIT_RUNTIME;
            ok = false;
        }
    }
    if (ok)
        r->ck->tmp[0] = '\0'; /* renamed */
    r->ck->finished = ok || (!r->opts.count_only && r->ck->finished);
    int e = write_checkpoint(r);
    if (e) {
        fprintf(r->err, "mpprimes: cannot write checkpoint '%s': %s\n", r->opts.checkpoint,
                strerror(e));
        return false;
    }
    return true;
}

void mpp_track_free(run *r)
{
    tracker *tk = r->tk;
    if (tk) {
        if (tk->fd >= 0)
            close(tk->fd);
        for (int i = 0; i < RING; i++)
            free(tk->out[i]);
        free(tk->in);
        free(tk->gaps);
        free(tk);
        r->tk = NULL;
    }
    if (r->ck) {
        mpp_checkpoint_free(r->ck);
        free(r->ck);
        r->ck = NULL;
    }
    free(r->base_gaps);
    free(r->piece_gaps);
    mpp_spans_free(&r->todo);
}
