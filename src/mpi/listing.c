/* listing.c - the round protocol of a listing (the default mode, --print,
 * --output): steps 2-4 repeated over stretches of the range, so that no
 * rank holds more than --buffer bytes of primes (rounds.h says how a round
 * is planned and judged).
 *
 * Each round: rank 0 scatters every rank its share of the round with the
 * verdict on the round before; each rank finds and encodes the primes of
 * its chunks (distribute.c); every rank says what it did (a summary and a
 * meta per chunk); rank 0 judges which chunks are committed
 * (mpp_commit_round), commits them (the commit event: progress) and plans
 * the next round; the outlet collects the bytes (outlets.c: for block and
 * balanced one rank at a time, rank 0 writing each rank's before the next
 * rank's come); then the committed chunks go where they go, and each rank
 * commits its own (the per-rank report).
 *
 * MPI calls: MPI_Allreduce (every rank has its buffer), then per round
 * MPI_Scatter (round messages), MPI_Gather (summaries), MPI_Gatherv (chunk
 * metas), and the outlet's calls.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memory.h"
#include "records.h"
#include "run.h"

static bool list_chunk(run *r, void *ctx, uint64_t index, mpp_block b)
{
    lister *L = ctx;
    if (L->nmine == CAP || r->failure)
        return false;
    uint64_t len0 = L->piece.len, count0 = L->piece.count;
    mpp_chunk_sink cs = {&L->piece, 0, false};
    mpp_tally t;
    if (L->kind > 1) {
        /* the tuplets that end in the chunk, after the primes before it
         * (patterns.h), from the sieve's bytes */
        uint64_t before[MPP_BEFORE_MAX];
        size_t nb = mpp_look_back(r, b.lo, before);
        mpp_tuplets tl;
        mpp_tuplets_begin(&tl, L->kind, before, nb, mpp_chunk_push_tuplets, &cs);
        mpp_wheel_sink ws = {mpp_tuplets_sink, mpp_tuplets_wheel, &tl};
        mpp_find_wheel_timed(r, b, &ws, &t);
    } else {
        mpp_sink sink = {mpp_chunk_push, &cs};
        mpp_find_timed(r, b, &sink, &t);
    }
    uint64_t count = L->piece.count - count0;
    L->mine[L->nmine] = (mpp_chunk_meta){.index = index,
                                         .bytes = L->piece.len - len0,
                                         .count = count,
                                         .first = count ? cs.first : 0,
                                         .last = count ? L->piece.last : 0,
                                         .full = L->piece.full};
    L->mine_b[L->nmine] = b;
    L->nmine++;
    return !L->piece.full && !r->failure && L->nmine < CAP;
}

/* What committed chunk meta M found, into RES: its primes, or its tuplets
 * of kind KIND. */
static void add_meta(mpp_result *res, const mpp_chunk_meta *m, int kind)
{
    if (kind > 1) {
        res->tuplets[kind] += m->count;
        return;
    }
    mpp_tally t = {.count = m->count, .first = m->first, .last = m->last};
    mpp_result_add(res, &t);
}

/* Rank 0: reads every rank's summary and metas of the round just done,
 * checks them, and judges the round. Returns false when it cannot be
 * committed (a failure, or the reader of --print left). */
static bool judge_round(run *r, lister *L, mpp_round_result *res)
{
    for (uint64_t j = 0; j < L->plan.nchunks; j++)
        L->by_index[j] = NULL;
    for (int i = 0; i < r->size; i++) {
        const mpp_round_summary *s = &L->summary[i];
        if (s->failure)
            mpp_note_failure(r, s->failure);
        uint64_t n = s->chunks < CAP ? s->chunks : CAP, at = 0;
        mpp_chunk_metas_unpack(L->all_w + (size_t)i * CAP * MPP_CHUNK_META_WORDS, n,
                               L->all + (size_t)i * CAP);
        for (uint64_t k = 0; k < n; k++) {
            size_t e = (size_t)i * CAP + k;
            const mpp_chunk_meta *m = &L->all[e];
            L->slot_at[e] = at;
            at += m->bytes;
            if (m->index >= L->plan.nchunks || L->by_index[m->index] != NULL ||
                at > L->budget)
                mpp_note_failure(r, FAILURE(FAIL_ORDER, EIO));
            else
                L->by_index[m->index] = m;
        }
    }
    if (!r->failure && !r->reader_gone &&
        !mpp_commit_round(&L->plan, L->blocks, L->by_index, r->opts.stop, res))
        mpp_note_failure(r, FAILURE(FAIL_STALL, EIO));
    return !r->failure && !r->reader_gone;
}

/* Rank 0: the round just done committed (RES): its commit event, and where
 * its chunks' bytes go in the file, in chunk order. */
static void commit_round(run *r, lister *L, const mpp_round_result *res)
{
    mpp_commit c = {.scope = MPP_COMMIT_ROUND,
                    .lo = L->plan.from,
                    .hi = res->done ? r->opts.stop : res->next - 1,
                    .done = res->done};
    mpp_result_clear(&c.result);
    for (uint64_t j = 0; j < res->committed; j++) {
        const mpp_chunk_meta *m = L->by_index[j];
        add_meta(&c.result, m, L->kind);
        L->file_at[m - L->all] = L->file_base;
        L->file_base += m->bytes;
    }
    mpp_run_commit(r, &c);
}

/* Rank 0: the verdict on the round just done (unless FIRST) and the
 * messages of the next. */
static void plan_next(run *r, lister *L, bool first)
{
    const mpp_options *o = &r->opts;
    uint64_t flags = 0, from = r->list_from; /* (a resumed run: after what is done) */
    mpp_round_result res = {.committed = 0, .count = 0, .bytes = 0, .done = false, .next = 0};
    if (!first) {
        /* every rank has delivered the rounds before this one: what they
         * settled is what a checkpoint may keep (tracking.c) */
        mpp_track_listing(r);
        if (judge_round(r, L, &res)) {
            commit_round(r, L, &res);
            r->listed_bytes = L->file_base;
            flags = res.done ? MPP_ROUND_DONE : 0;
            from = res.next;
        } else {
            flags = MPP_ROUND_STOP;
            res.committed = 0; /* nothing of it counts */
        }
        L->done_plan = L->plan;
        memcpy(L->done_blocks, L->blocks, (size_t)r->size * sizeof *L->blocks);
    }
    L->committed = res.committed;
    if (!flags)
        mpp_plan_round(o->decomposition, o->method, from, o->stop, r->size, L->budget,
                       L->fmt, L->kind, o->chunk ? o->chunk : 1, L->blocks, &L->plan);
    const mpp_share none = {.lo = 0, .hi = 0, .chunk = 0, .first = 0, .step = 1, .index = 0,
                            .empty = 1};
    for (int i = 0; i < r->size; i++) {
        mpp_round_msg m = {.flags = flags,
                           .committed = res.committed,
                           .share = flags ? none
                                          : mpp_round_share(o->decomposition, &L->plan,
                                                            L->blocks, r->size, i)};
        mpp_round_msg_pack(&m, L->msgs_w + (size_t)i * MPP_ROUND_MSG_WORDS);
    }
}

/* Every rank: the next round's message from rank 0. */
static void scatter_round(run *r, lister *L, mpp_round_msg *m)
{
    uint64_t w[MPP_ROUND_MSG_WORDS];
    MPI_TIMED(r, MPI_Scatter(L->msgs_w, MPP_ROUND_MSG_WORDS, MPI_UINT64_T, w,
                             MPP_ROUND_MSG_WORDS, MPI_UINT64_T, 0, r->comm));
    mpp_round_msg_unpack(w, m);
}

/* Every rank: what it did this round, to rank 0. */
static void gather_round(run *r, lister *L)
{
    uint64_t w[MPP_ROUND_SUMMARY_WORDS];
    mpp_round_summary s = {.chunks = L->nmine, .bytes = L->piece.len, .failure = r->failure};
    mpp_round_summary_pack(&s, w);
    MPI_TIMED(r, MPI_Gather(w, MPP_ROUND_SUMMARY_WORDS, MPI_UINT64_T, L->summary_w,
                            MPP_ROUND_SUMMARY_WORDS, MPI_UINT64_T, 0, r->comm));
    if (r->rank == 0)
        for (int i = 0; i < r->size; i++) { /* each rank's metas */
            mpp_round_summary_unpack(L->summary_w + (size_t)i * MPP_ROUND_SUMMARY_WORDS,
                                     &L->summary[i]);
            uint64_t n = L->summary[i].chunks;
            L->counts[i] = (int)((n < CAP ? n : CAP) * MPP_CHUNK_META_WORDS);
            L->displs[i] = i * CAP * MPP_CHUNK_META_WORDS;
        }
    mpp_chunk_metas_pack(L->mine, L->nmine, L->mine_w);
    MPI_TIMED(r, MPI_Gatherv(L->mine_w, (int)(L->nmine * MPP_CHUNK_META_WORDS), MPI_UINT64_T,
                             L->all_w, L->counts, L->displs, MPI_UINT64_T, 0, r->comm));
}

/* This rank's committed chunks of the round just done, as commit events. */
static void commit_mine(run *r, const lister *L, uint64_t committed)
{
    for (uint64_t k = 0; k < L->nmine; k++) {
        const mpp_chunk_meta *m = &L->mine[k];
        if (m->index >= committed)
            continue;
        mpp_commit c = {.scope = MPP_COMMIT_CHUNK,
                        .lo = L->mine_b[k].lo,
                        .hi = m->full ? m->last : L->mine_b[k].hi,
                        .done = false};
        mpp_result_clear(&c.result);
        add_meta(&c.result, m, L->kind);
        mpp_run_commit(r, &c);
    }
}

static bool lister_setup(run *r, lister *L)
{
    memset(L, 0, sizeof *L);
    L->budget = mpp_outlet_budget(r);
    L->fmt = mpp_outlet_format(r);
    L->kind = mpp_list_kind(&r->opts);
    bool gathers = mpp_outlet_gathers(r);
    L->turns = mpp_outlet_turns(r);
    size_t bytes =
        (size_t)L->budget * (r->rank == 0 && gathers && !L->turns ? (unsigned)r->size : 1u);
    L->buf = mpp_buffer_alloc(bytes + MPP_PIECE_SLACK);
    if (!L->buf)
        mpp_note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    else
        mpp_piece_init(&L->piece, L->buf, (size_t)L->budget, L->fmt);
    L->piece.kind = L->kind;
    if (r->rank == 0) {
        size_t n = (size_t)r->size, entries = n * CAP;
        L->blocks = mpp_xmalloc(r, n * sizeof *L->blocks);
        L->done_blocks = mpp_xmalloc(r, n * sizeof *L->done_blocks);
        L->summary = mpp_xmalloc(r, n * sizeof *L->summary);
        L->summary_w = mpp_xmalloc(r, n * MPP_ROUND_SUMMARY_WORDS * sizeof *L->summary_w);
        L->all = mpp_xmalloc(r, entries * sizeof *L->all);
        L->all_w = mpp_xmalloc(r, entries * MPP_CHUNK_META_WORDS * sizeof *L->all_w);
        L->slot_at = mpp_xmalloc(r, entries * sizeof *L->slot_at);
        L->file_at = mpp_xmalloc(r, entries * sizeof *L->file_at);
        L->by_index = mpp_xmalloc(r, entries * sizeof *L->by_index);
        L->msgs_w = mpp_xmalloc(r, n * MPP_ROUND_MSG_WORDS * sizeof *L->msgs_w);
        L->counts = mpp_xmalloc(r, n * sizeof *L->counts);
        L->displs = mpp_xmalloc(r, n * sizeof *L->displs);
        for (size_t e = 0; e < entries; e++) /* sent for every chunk, written */
            L->file_at[e] = UINT64_MAX;          /* for the committed ones only */
        L->file_base = r->listed_bytes;          /* a resumed run's: after the earlier's */
    }
    if (!r->failure)
        mpp_outlet_open(r, L);
    return L->buf != NULL;
}

static void lister_free(run *r, lister *L)
{
    mpp_outlet_close(r, L);
    free(L->buf);
    free(L->blocks);
    free(L->done_blocks);
    free(L->summary);
    free(L->summary_w);
    free(L->all);
    free(L->all_w);
    free(L->slot_at);
    free(L->file_at);
    free(L->by_index);
    free(L->msgs_w);
    free(L->counts);
    free(L->displs);
}

void mpp_list_in_rounds(run *r)
{
    lister *L = calloc(1, sizeof *L);
    if (L == NULL)
        mpp_note_failure(r, FAILURE(FAIL_FIND, ENOMEM));
    int ready = L != NULL && lister_setup(r, L), all_ready = 0;
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
    mpp_round_msg m;
    r->round = 1; /* what the timeline's spans belong to */
    scatter_round(r, L, &m);
    while (!(m.flags & (MPP_ROUND_DONE | MPP_ROUND_STOP))) {
        /* Step 3: find and encode this rank's primes of the round. */
        mpp_piece_reset(&L->piece);
        L->nmine = 0;
        /* Also after a failure: a dynamic round needs every rank in it
         * (list_chunk then does nothing and stops). */
        mpp_do_share(r, &m.share, CAP, list_chunk, L);

        /* Step 4: what each rank did; rank 0 judges it and plans step 2
         * of the next round; then the primes themselves. */
        gather_round(r, L);
        if (r->rank == 0)
            plan_next(r, L, false);
        mpp_outlet_collect(r, L);
        scatter_round(r, L, &m);
        if (m.flags & MPP_ROUND_STOP)
            break;
        commit_mine(r, L, m.committed);
        mpp_outlet_deliver(r, L, m.committed);
        r->round++;
    }
    r->round = 0;
    lister_free(r, L);
    free(L);
}
