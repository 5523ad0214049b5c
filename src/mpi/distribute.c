/* distribute.c - the distribution of work: what a rank is given, and how it
 * works through it.
 *
 * Owns: step 3 on one chunk (the rank's finder, timed in wall clock and CPU
 * time); a static share's chunks in order; the dynamic manager (rank 0,
 * which works on chunks too) and its workers; the commit event of a chunk;
 * and --count, one round with no outlet: rank 0 scatters the shares, every
 * rank counts its chunks, and the results are reduced at rank 0 with their
 * merge rule (result.h). With tuplets or gaps asked, a chunk's primes go
 * through the patterns (patterns.h), built after the primes just before
 * the chunk (primality.h), so that every chunk counts what ends in it and
 * the results add up whatever the decomposition; the gaps are reduced
 * once, at the end.
 *
 * MPI calls: MPI_Scatter (shares), MPI_Send, MPI_Recv, MPI_Iprobe,
 * MPI_Probe (dynamic requests and answers), MPI_Reduce with user-defined
 * operations over packed results and gaps, MPI_Type_contiguous,
 * MPI_Op_create.
 */
#include <errno.h>
#include <stdlib.h>

#include "memory.h"
#include "primality.h"
#include "records.h"
#include "run.h"
#include "signals.h"

void mpp_run_commit(run *r, const mpp_commit *c)
{
    mpp_commit_notify(&r->hooks, c);
}

bool mpp_wants_patterns(const mpp_options *o)
{
    return o->count_only && ((o->kinds & ~(1u << 1)) != 0 || o->gaps);
}

/* mpp_find_timed(), the primes to SINK or, when WS is not NULL, to WS. */
static int find_timed(run *r, mpp_block b, const mpp_sink *sink, const mpp_wheel_sink *ws,
                      mpp_tally *t)
{
    mpp_stop stop = {mpp_stop_flag(), 0};
    double t0 = MPI_Wtime(), c0 = mpp_thread_cpu_s();
    int rc = !r->finder ? MPP_ENOMEM
             : ws       ? mpp_finder_find_wheel(r->finder, b.lo, b.hi, ws, t, &stop)
                        : mpp_finder_find(r->finder, b.lo, b.hi, sink, t, &stop);
    double t1 = MPI_Wtime();
    r->cpu_s += mpp_thread_cpu_s() - c0;
    r->compute_s += t1 - t0;
    mpp_span_note(r, MPP_SPAN_COMPUTE, mpp_method_name(r->opts.method), t0, t1, b.lo, b.hi);
    r->swept += (double)stop.done;
    if (rc == MPP_STOPPED)
        mpp_note_failure(r, FAILURE(FAIL_STOP, mpp_stop_signal()));
    else if (rc != MPP_OK && rc != MPP_PIECE_FULL)
        mpp_note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    return rc;
}

int mpp_find_timed(run *r, mpp_block b, const mpp_sink *sink, mpp_tally *t)
{
    return find_timed(r, b, sink, NULL, t);
}

int mpp_find_wheel_timed(run *r, mpp_block b, const mpp_wheel_sink *ws, mpp_tally *t)
{
    return find_timed(r, b, NULL, ws, t);
}

size_t mpp_look_back(run *r, uint64_t lo, uint64_t *before)
{
    double t0 = MPI_Wtime(), c0 = mpp_thread_cpu_s();
    size_t n = mpp_primes_before(r->opts.start, lo, MPP_SPAN, before);
    r->cpu_s += mpp_thread_cpu_s() - c0;
    r->compute_s += MPI_Wtime() - t0;
    return n;
}

/* Every chunk of a static share, in order, until FN says stop. */
static void static_work(run *r, const mpp_share *s, mpp_chunk_fn fn, void *ctx)
{
    uint64_t j = UINT64_MAX, index;
    mpp_block b;
    while (mpp_share_next(s, &j, &b, &index))
        if (!fn(r, ctx, index, b))
            break;
}

/* ---- dynamic: chunks handed out on request (manager/worker) ----
 *
 * Rank r starts with chunk r. A worker keeps two questions ahead of its
 * work: before it starts on a chunk it has asked rank 0 (TAG_WANT, 1) for
 * the next two, so that an answer is there when it needs it even when rank
 * 0, which works on chunks too and answers only between its own, is in the
 * middle of a long one and the worker's chunk was short (a chunk inside a
 * segment already sieved takes no time). Rank 0 answers each question with
 * the next chunk of the worker's span or, that used up, of half of
 * another's (mpp_deal, decomp.h) (TAG_CHUNK), or NO_CHUNK when there is none
 * left; answers arrive in the order asked. A worker stops asking at the
 * first NO_CHUNK, or when it can take no more (its buffer is full, or it
 * has CAPACITY chunks done, in hand or asked for); it then collects the
 * answers still due (a chunk handed to it then is not done, which the
 * commit rule of the round handles) and says it is done (TAG_WANT, 0).
 * Rank 0 is done when every worker has said so. */
enum { TAG_WANT = 101, TAG_CHUNK = 102 };
#define NO_CHUNK UINT64_MAX

typedef struct {
    mpp_deal_span *spans; /* the chunks not yet handed out, one span per rank */
    int nranks;
    int active;           /* workers not yet finished */
} manager;

static uint64_t hand_out(manager *m, int rank)
{
    if (mpp_stop_signal()) /* interrupted: no new chunks */
        return NO_CHUNK;
    uint64_t j = mpp_deal(m->spans, m->nranks, rank);
    return j == MPP_DEAL_NONE ? NO_CHUNK : j;
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
    j = hand_out(m, src);
    MPI_TIMED(r, MPI_Send(&j, 1, MPI_UINT64_T, src, TAG_CHUNK, r->comm));
}

static void manage(run *r, const mpp_share *s, uint64_t capacity, mpp_chunk_fn fn, void *ctx)
{
    uint64_t last = mpp_chunk_last(s->lo, s->hi, s->chunk), done = 0;
    manager m = {.spans = mpp_xmalloc(r, (size_t)r->size * sizeof *m.spans),
                 .nranks = r->size, .active = r->size - 1};
    mpp_deal_init(m.spans, r->size, (uint64_t)r->size, last);
    uint64_t mine = s->empty ? NO_CHUNK : s->first;
    for (;;) {
        int flag = 0, misses = 0;
        MPI_Status st;
        /* Every question waiting. One MPI_Iprobe may only move an arrived
         * message into MPI's queue and answer no (Open MPI 4.1 does), so it
         * takes two misses in a row to stop. */
        while (m.active > 0 && misses < 2) {
            MPI_TIMED(r, MPI_Iprobe(MPI_ANY_SOURCE, TAG_WANT, r->comm, &flag, &st));
            if (flag)
                serve(r, &m, st.MPI_SOURCE);
            misses = flag ? 0 : misses + 1;
        }
        if (mine != NO_CHUNK) {
            bool more = fn(r, ctx, mine, mpp_share_chunk(s, mine));
            done++;
            mine = more && done < capacity ? hand_out(&m, 0) : NO_CHUNK;
            continue;
        }
        if (m.active == 0)
            break;
        /* tracked (tracking.c): the pieces the workers commit come too */
        MPI_TIMED(r, MPI_Probe(MPI_ANY_SOURCE, r->tk ? MPI_ANY_TAG : TAG_WANT, r->comm, &st));
        if (!mpp_track_serve(r, &st))
            serve(r, &m, st.MPI_SOURCE);
    }
    free(m.spans);
}

/* Questions a worker keeps ahead of its work (answered or not). */
#define AHEAD 2

typedef struct {
    uint64_t held[AHEAD]; /* chunks received, not started: a queue */
    unsigned first, n;
    unsigned asked;       /* questions not yet answered */
    uint64_t taken;       /* chunks done, held or asked for */
    bool told_none;
} worker;

static void ask_ahead(run *r, worker *w, uint64_t capacity)
{
    const uint64_t want = 1;
    while (!w->told_none && w->n + w->asked < AHEAD && w->taken < capacity) {
        MPI_TIMED(r, MPI_Send(&want, 1, MPI_UINT64_T, 0, TAG_WANT, r->comm));
        w->asked++;
        w->taken++;
    }
}

/* The oldest answer due. */
static void collect_answer(run *r, worker *w)
{
    uint64_t j;
    MPI_TIMED(r, MPI_Recv(&j, 1, MPI_UINT64_T, 0, TAG_CHUNK, r->comm, MPI_STATUS_IGNORE));
    w->asked--;
    if (j == NO_CHUNK)
        w->told_none = true;
    else
        w->held[(w->first + w->n++) % AHEAD] = j;
}

static void work_for_manager(run *r, const mpp_share *s, uint64_t capacity, mpp_chunk_fn fn,
                             void *ctx)
{
    const uint64_t quit = 0;
    uint64_t have = s->empty ? NO_CHUNK : s->first;
    worker w = {.first = 0, .n = 0, .asked = 0, .taken = have != NO_CHUNK, .told_none = false};
    for (;;) {
        if (have == NO_CHUNK) {
            ask_ahead(r, &w, capacity);
            if (w.n == 0 && w.asked == 0)
                break;
            if (w.n == 0) {
                collect_answer(r, &w);
                continue;
            }
            have = w.held[w.first];
            w.first = (w.first + 1) % AHEAD;
            w.n--;
        }
        ask_ahead(r, &w, capacity);
        bool more = fn(r, ctx, have, mpp_share_chunk(s, have));
        have = NO_CHUNK;
        if (!more || w.taken - w.n - w.asked >= capacity)
            break;
    }
    while (w.asked > 0)
        collect_answer(r, &w);
    MPI_TIMED(r, MPI_Send(&quit, 1, MPI_UINT64_T, 0, TAG_WANT, r->comm));
}

void mpp_do_share(run *r, const mpp_share *s, uint64_t capacity, mpp_chunk_fn fn, void *ctx)
{
    if (r->opts.decomposition != MPP_DECOMP_DYNAMIC)
        static_work(r, s, fn, ctx);
    else if (r->rank == 0)
        manage(r, s, capacity, fn, ctx);
    else
        work_for_manager(r, s, capacity, fn, ctx);
}

/* ---- --count ---- */

/* Step 2: rank 0 decomposes the range and scatters every rank its share.
 * A resumed run decomposes the numbers left as one virtual range
 * (checkpoint.h: mpp_todo_pieces maps its chunks back). */
static void scatter_shares(run *r)
{
    uint64_t *words = NULL, mine[MPP_SHARE_WORDS];
    if (r->rank == 0) {
        const mpp_options *o = &r->opts;
        mpp_block *blocks = NULL;
        uint64_t lo = r->todo.n ? r->todo.at[0].lo : o->start;
        uint64_t hi = r->todo.n ? mpp_todo_vstop(&r->todo) : o->stop;
        words = mpp_xmalloc(r, (size_t)r->size * MPP_SHARE_WORDS * sizeof *words);
        if (o->decomposition == MPP_DECOMP_BALANCED) {
            blocks = mpp_xmalloc(r, (size_t)r->size * sizeof *blocks);
            mpp_balanced_decompose(o->method, lo, hi, r->size, blocks);
        }
        for (int i = 0; i < r->size; i++) {
            mpp_share s = mpp_share_of(o->decomposition, blocks, lo, hi, o->chunk, r->size, i);
            mpp_share_pack(&s, words + (size_t)i * MPP_SHARE_WORDS);
        }
        free(blocks);
    }
    MPI_TIMED(r, MPI_Scatter(words, MPP_SHARE_WORDS, MPI_UINT64_T, mine, MPP_SHARE_WORDS,
                             MPI_UINT64_T, 0, r->comm));
    mpp_share_unpack(mine, &r->share);
    free(words);
}

/* The primes of chunk B through the patterns, after the primes of the
 * range just before B (found by a primality test: the chunk before may be
 * another rank's), into R's result: its tuplets into *RES, its gaps into
 * r->gaps. The look back counts as compute. */
static int find_patterns(run *r, mpp_block b, mpp_tally *t, mpp_result *res)
{
    uint64_t before[MPP_BEFORE_MAX];
    size_t nb = mpp_look_back(r, b.lo, before);
    mpp_patterns p;
    mpp_patterns_begin(&p, before, nb, r->gaps);
    mpp_wheel_sink ws = {mpp_patterns_sink, mpp_patterns_wheel, &p};
    int rc = find_timed(r, b, NULL, &ws, t);
    mpp_result_add_tuplets(res, &p);
    return rc;
}

/* Counts the piece B and commits it (tracked: to rank 0, with its own
 * gaps when the checkpoint needs them). */
static bool count_piece(run *r, mpp_block b)
{
    mpp_tally t;
    mpp_commit c = {.scope = MPP_COMMIT_CHUNK, .lo = b.lo, .hi = b.hi, .done = false};
    mpp_result_clear(&c.result);
    mpp_gaps *all = r->gaps, *own = r->piece_gaps;
    if (own) {
        mpp_gaps_clear(own);
        r->gaps = own;
    }
    int rc = r->patterns ? find_patterns(r, b, &t, &c.result) : mpp_find_timed(r, b, NULL, &t);
    r->gaps = all;
    if (rc != MPP_OK)
        return false;
    if (own)
        mpp_gaps_merge(all, own);
    mpp_result_add(&c.result, &t);
    mpp_run_commit(r, &c);
    mpp_track_piece(r, b, &c.result, own);
    return true;
}

/* Seconds a tracked piece should take: the progress line's grain, and the
 * most a stop signal loses of each rank's work. */
#define PIECE_S 0.2

/* Counts the real block B: at once, or, tracked, in pieces of about
 * PIECE_S seconds (the step grows and shrinks to that). */
static bool count_block(run *r, mpp_block b)
{
    if (r->tk == NULL)
        return count_piece(r, b);
    for (uint64_t lo = b.lo;; lo++) {
        uint64_t hi = b.hi - lo < r->step ? b.hi : lo + r->step - 1;
        double t0 = MPI_Wtime();
        if (!count_piece(r, (mpp_block){.lo = lo, .hi = hi, .empty = 0}))
            return false;
        double dt = MPI_Wtime() - t0;
        if (dt < PIECE_S / 2 && r->step < (uint64_t)1 << 62)
            r->step *= 2;
        else if (dt > PIECE_S * 2 && r->step > 1024)
            r->step /= 2;
        if (hi == b.hi)
            return true;
        lo = hi;
    }
}

static bool count_chunk(run *r, void *ctx, uint64_t index, mpp_block b)
{
    (void)ctx;
    (void)index;
    if (r->todo.n == 0)
        return count_block(r, b);
    /* resumed: B is virtual; its real pieces, a few at a time */
    mpp_block real[8];
    for (uint64_t v = b.lo;;) {
        size_t n = mpp_todo_pieces(&r->todo, v, b.hi, real, 8), k = n < 8 ? n : 8;
        for (size_t i = 0; i < k; i++) {
            if (!count_block(r, real[i]))
                return false;
            if (n > 8 || i + 1 < k) /* (after the last piece of B, V may not wrap) */
                v += real[i].hi - real[i].lo + 1;
        }
        if (n <= 8)
            return true;
    }
}

/* The reduction of packed results: INOUT = IN merged with INOUT (IN comes
 * from lower ranks). */
static void merge_results(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    const uint64_t *a = in;
    uint64_t *b = inout;
    for (int i = 0; i < *len; i++, a += MPP_RESULT_WORDS, b += MPP_RESULT_WORDS) {
        mpp_result x, y;
        mpp_result_unpack(a, &x);
        mpp_result_unpack(b, &y);
        mpp_result_merge(&x, &y);
        mpp_result_pack(&x, b);
    }
}

/* The reduction of packed gaps (fixed MPP_GAPS_MAX_WORDS records):
 * INOUT = IN merged with INOUT, in any order. */
static void merge_gaps(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    mpp_gaps *a = malloc(2 * sizeof *a), *b = a + 1;
    if (a == NULL)
        abort(); /* (no way to report it from here; 64 KiB) */
    const uint64_t *x = in;
    uint64_t *y = inout;
    for (int i = 0; i < *len; i++, x += MPP_GAPS_MAX_WORDS, y += MPP_GAPS_MAX_WORDS) {
        if (!mpp_gaps_unpack(x, MPP_GAPS_MAX_WORDS, a) ||
            !mpp_gaps_unpack(y, MPP_GAPS_MAX_WORDS, b))
            abort(); /* packed by mpp_gaps_pack on every rank: cannot happen */
        mpp_gaps_merge(b, a);
        mpp_gaps_pack(b, y);
    }
    free(a);
}

/* --gaps: every rank's gaps merged at rank 0 (into r->gaps there). */
static void reduce_gaps(run *r)
{
    uint64_t *mine = calloc(2 * MPP_GAPS_MAX_WORDS, sizeof *mine);
    if (mine == NULL)
        mpp_note_failure(r, FAILURE(FAIL_FIND, ENOMEM)); /* (then the reduction is skipped) */
    /* every rank must agree to reduce: one allocation failing anywhere
     * would leave the others waiting, so the failure is shared first */
    int ok = mine != NULL && r->gaps != NULL, all = 0;
    MPI_TIMED(r, MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, r->comm));
    if (all) {
        MPI_Datatype type;
        MPI_Op merge;
        mpp_gaps_pack(r->gaps, mine);
        MPI_CHECK(r, MPI_Type_contiguous(MPP_GAPS_MAX_WORDS, MPI_UINT64_T, &type));
        MPI_CHECK(r, MPI_Type_commit(&type));
        MPI_CHECK(r, MPI_Op_create(merge_gaps, 1, &merge));
        MPI_TIMED(r, MPI_Reduce(mine, mine + MPP_GAPS_MAX_WORDS, 1, type, merge, 0, r->comm));
        MPI_CHECK(r, MPI_Op_free(&merge));
        MPI_CHECK(r, MPI_Type_free(&type));
        if (r->rank == 0 && !mpp_gaps_unpack(mine + MPP_GAPS_MAX_WORDS, MPP_GAPS_MAX_WORDS,
                                             r->gaps))
            mpp_note_failure(r, FAILURE(FAIL_FIND, EPROTO));
    } else if (r->failure == 0) {
        mpp_note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    }
    free(mine);
}

void mpp_count(run *r)
{
    r->patterns = mpp_wants_patterns(&r->opts);
    if (r->opts.gaps) {
        r->gaps = malloc(sizeof *r->gaps);
        if (r->gaps)
            mpp_gaps_clear(r->gaps);
        else
            r->patterns = false; /* nothing counted: the failure is the run's */
    }
    if (r->opts.gaps && r->gaps == NULL)
        mpp_note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    scatter_shares(r);
    if (r->finder && !r->share.empty && r->opts.decomposition != MPP_DECOMP_DYNAMIC)
        mpp_finder_set_horizon(r->finder, r->todo.n ? mpp_todo_real(&r->todo, r->share.hi)
                                                    : r->share.hi); /* its chunks end there */
    mpp_do_share(r, &r->share, UINT64_MAX, count_chunk, NULL);
    mpp_track_finish(r);
    uint64_t mine[MPP_RESULT_WORDS], all[MPP_RESULT_WORDS];
    MPI_Datatype type;
    MPI_Op merge;
    mpp_result_pack(&r->work.result, mine);
    MPI_CHECK(r, MPI_Type_contiguous(MPP_RESULT_WORDS, MPI_UINT64_T, &type));
    MPI_CHECK(r, MPI_Type_commit(&type));
    /* Not commutative: MPI then merges in rank order, which block and
     * balanced keep as the order of the range. */
    MPI_CHECK(r, MPI_Op_create(merge_results, 0, &merge));
    MPI_TIMED(r, MPI_Reduce(mine, all, 1, type, merge, 0, r->comm));
    MPI_CHECK(r, MPI_Op_free(&merge));
    MPI_CHECK(r, MPI_Type_free(&type));
    if (r->rank == 0) {
        mpp_result_unpack(all, &r->reduced);
        mpp_result_merge(&r->reduced, &r->base); /* a resumed run's earlier runs */
    }
    if (r->opts.gaps)
        reduce_gaps(r);
    if (r->rank == 0 && r->gaps && r->base_gaps)
        mpp_gaps_merge(r->gaps, r->base_gaps);
}
