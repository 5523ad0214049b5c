/* records.c - see records.h. */
#include "records.h"

#include <string.h>

static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double double_of(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* ---- the start of a run ---- */

enum {
    S_GO, S_STATUS, S_START, S_STOP, S_METHOD, S_COUNT, S_OUTLET, S_FORMAT, S_BUFFER,
    S_DECOMP, S_CHUNK, S_COMPARE, S_NAMELEN, S_TIMELINE, S_SELF_TEST, S_KINDS, S_GAPS,
    S_TRACK, S_TODO, S_FINISHED, S_WORDS
};
_Static_assert(S_WORDS == MPP_START_WORDS, "MPP_START_WORDS");

void mpp_start_pack(const mpp_start_msg *m, uint64_t *w)
{
    w[S_GO] = m->go;
    w[S_STATUS] = (uint64_t)(int64_t)m->status;
    w[S_START] = m->opts.start;
    w[S_STOP] = m->opts.stop;
    w[S_METHOD] = (uint64_t)m->opts.method;
    w[S_COUNT] = m->opts.count_only;
    w[S_OUTLET] = (uint64_t)m->outlet;
    w[S_FORMAT] = (uint64_t)m->opts.format;
    w[S_BUFFER] = m->opts.buffer;
    w[S_DECOMP] = (uint64_t)m->opts.decomposition;
    w[S_CHUNK] = m->opts.chunk;
    w[S_COMPARE] = m->opts.compare;
    w[S_NAMELEN] = m->namelen;
    w[S_TIMELINE] = m->timeline;
    w[S_SELF_TEST] = m->opts.self_test;
    w[S_KINDS] = m->opts.kinds;
    w[S_GAPS] = m->opts.gaps;
    w[S_TRACK] = m->track;
    w[S_TODO] = m->todo;
    w[S_FINISHED] = m->finished;
}

void mpp_start_unpack(const uint64_t *w, mpp_start_msg *m)
{
    mpp_options_init(&m->opts);
    m->go = w[S_GO] != 0;
    m->status = (int)(int64_t)w[S_STATUS];
    m->opts.start = w[S_START];
    m->opts.stop = w[S_STOP];
    m->opts.method = (mpp_method)w[S_METHOD];
    m->opts.count_only = w[S_COUNT] != 0;
    m->outlet = (mpp_plan_outlet)w[S_OUTLET];
    m->opts.format = (mpp_format)w[S_FORMAT];
    m->opts.buffer = w[S_BUFFER];
    m->opts.decomposition = (mpp_decomposition)w[S_DECOMP];
    m->opts.chunk = w[S_CHUNK];
    m->opts.compare = w[S_COMPARE] != 0;
    m->namelen = w[S_NAMELEN];
    m->timeline = w[S_TIMELINE];
    m->opts.self_test = w[S_SELF_TEST] != 0;
    m->opts.kinds = (unsigned)w[S_KINDS];
    m->opts.gaps = w[S_GAPS] != 0;
    m->track = w[S_TRACK];
    m->todo = w[S_TODO];
    m->finished = w[S_FINISHED] != 0;
}

/* ---- shares ---- */

void mpp_share_pack(const mpp_share *s, uint64_t *w)
{
    const uint64_t v[MPP_SHARE_WORDS] = {s->lo,    s->hi,    s->chunk, s->first,
                                         s->step,  s->index, s->empty};
    memcpy(w, v, sizeof v);
}

void mpp_share_unpack(const uint64_t *w, mpp_share *s)
{
    *s = (mpp_share){.lo = w[0], .hi = w[1], .chunk = w[2], .first = w[3], .step = w[4],
                     .index = w[5], .empty = w[6]};
}

/* ---- rounds ---- */

void mpp_round_msg_pack(const mpp_round_msg *m, uint64_t *w)
{
    w[0] = m->flags;
    w[1] = m->committed;
    mpp_share_pack(&m->share, w + 2);
}

void mpp_round_msg_unpack(const uint64_t *w, mpp_round_msg *m)
{
    m->flags = w[0];
    m->committed = w[1];
    mpp_share_unpack(w + 2, &m->share);
}

void mpp_round_summary_pack(const mpp_round_summary *s, uint64_t *w)
{
    w[0] = s->chunks;
    w[1] = s->bytes;
    w[2] = (uint64_t)(int64_t)s->failure;
}

void mpp_round_summary_unpack(const uint64_t *w, mpp_round_summary *s)
{
    *s = (mpp_round_summary){.chunks = w[0], .bytes = w[1], .failure = (int)(int64_t)w[2]};
}

void mpp_chunk_metas_pack(const mpp_chunk_meta *m, uint64_t n, uint64_t *w)
{
    for (uint64_t k = 0; k < n; k++, w += MPP_CHUNK_META_WORDS) {
        w[0] = m[k].index;
        w[1] = m[k].bytes;
        w[2] = m[k].count;
        w[3] = m[k].first;
        w[4] = m[k].last;
        w[5] = m[k].full;
    }
}

void mpp_chunk_metas_unpack(const uint64_t *w, uint64_t n, mpp_chunk_meta *m)
{
    for (uint64_t k = 0; k < n; k++, w += MPP_CHUNK_META_WORDS)
        m[k] = (mpp_chunk_meta){.index = w[0], .bytes = w[1], .count = w[2], .first = w[3],
                                .last = w[4], .full = w[5]};
}

/* ---- the timeline (timeline.h) ---- */

void mpp_span_pack(const mpp_span *s, uint64_t *w)
{
    w[0] = bits_of(s->start);
    w[1] = bits_of(s->end);
    w[2] = (uint64_t)s->cat;
    w[3] = s->round;
    w[4] = s->lo;
    w[5] = s->hi;
    memcpy(w + 6, s->what, MPP_SPAN_NAME);
}

void mpp_span_unpack(const uint64_t *w, mpp_span *s)
{
    *s = (mpp_span){.start = double_of(w[0]), .end = double_of(w[1]),
                    .cat = (mpp_span_cat)w[2], .round = w[3], .lo = w[4], .hi = w[5]};
    memcpy(s->what, w + 6, MPP_SPAN_NAME);
    s->what[MPP_SPAN_NAME - 1] = '\0';
}

/* ---- the report ---- */

enum {
    R_EMPTY, R_LO, R_HI, R_COUNT, R_FIRST, R_LAST, R_RSS, R_CHUNKS, R_NUMBERS, R_COMPUTE,
    R_COMM, R_IO, R_ELAPSED, R_CPU, R_TUPLETS, R_HOST = R_TUPLETS + MPP_KINDS - 1
};
_Static_assert(R_HOST + MPP_HOST_MAX / 8 == MPP_RANK_ROW_WORDS, "MPP_RANK_ROW_WORDS");
_Static_assert(MPP_HOST_MAX % 8 == 0, "the host name fills whole words");

void mpp_rank_row_pack(const mpp_rank_stats *s, double elapsed_s, uint64_t *w)
{
    w[R_EMPTY] = s->empty;
    w[R_LO] = s->lo;
    w[R_HI] = s->hi;
    w[R_COUNT] = s->count;
    w[R_FIRST] = s->first;
    w[R_LAST] = s->last;
    w[R_RSS] = (uint64_t)(int64_t)s->max_rss_kib;
    w[R_CHUNKS] = s->chunks;
    w[R_NUMBERS] = s->numbers;
    w[R_COMPUTE] = bits_of(s->compute_s);
    w[R_COMM] = bits_of(s->comm_s);
    w[R_IO] = bits_of(s->io_s);
    w[R_ELAPSED] = bits_of(elapsed_s);
    w[R_CPU] = bits_of(s->cpu_s);
    for (int k = 2; k <= MPP_KINDS; k++)
        w[R_TUPLETS + k - 2] = s->tuplets[k];
    memcpy(w + R_HOST, s->host, MPP_HOST_MAX);
}

void mpp_rank_row_unpack(const uint64_t *w, int rank, mpp_rank_stats *s, double *elapsed_s)
{
    *s = (mpp_rank_stats){.rank = rank,
                          .empty = w[R_EMPTY] != 0,
                          .lo = w[R_LO],
                          .hi = w[R_HI],
                          .count = w[R_COUNT],
                          .first = w[R_FIRST],
                          .last = w[R_LAST],
                          .chunks = w[R_CHUNKS],
                          .numbers = w[R_NUMBERS],
                          .compute_s = double_of(w[R_COMPUTE]),
                          .cpu_s = double_of(w[R_CPU]),
                          .comm_s = double_of(w[R_COMM]),
                          .io_s = double_of(w[R_IO]),
                          .max_rss_kib = (long)(int64_t)w[R_RSS]};
    for (int k = 2; k <= MPP_KINDS; k++)
        s->tuplets[k] = w[R_TUPLETS + k - 2];
    memcpy(s->host, w + R_HOST, MPP_HOST_MAX);
    s->host[MPP_HOST_MAX - 1] = '\0';
    *elapsed_s = double_of(w[R_ELAPSED]);
}

/* ---- --self-test ---- */

enum { V_FAILURES, V_LO, V_HI, V_NUMBER, V_LISTED, V_REFERENCE, V_WORDS };
_Static_assert(V_WORDS == MPP_VERDICT_WORDS, "MPP_VERDICT_WORDS");

void mpp_selftest_verdict_pack(const mpp_selftest_verdict *v, uint64_t *w)
{
    w[V_FAILURES] = v->failures;
    w[V_LO] = v->lo;
    w[V_HI] = v->hi;
    w[V_NUMBER] = v->number;
    w[V_LISTED] = v->listed;
    w[V_REFERENCE] = v->reference;
}

void mpp_selftest_verdict_unpack(const uint64_t *w, mpp_selftest_verdict *v)
{
    *v = (mpp_selftest_verdict){.failures = w[V_FAILURES],
                                .lo = w[V_LO],
                                .hi = w[V_HI],
                                .number = w[V_NUMBER],
                                .listed = w[V_LISTED],
                                .reference = w[V_REFERENCE]};
}
