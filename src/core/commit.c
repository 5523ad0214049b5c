/* commit.c - see commit.h. */
#include "commit.h"

bool mpp_commit_hook(mpp_commit_hooks *h, mpp_commit_fn fn, void *ctx)
{
    if (h->n >= MPP_COMMIT_OBSERVERS)
        return false;
    h->at[h->n].fn = fn;
    h->at[h->n].ctx = ctx;
    h->n++;
    return true;
}

void mpp_commit_notify(const mpp_commit_hooks *h, const mpp_commit *c)
{
    for (int i = 0; i < h->n; i++)
        h->at[i].fn(h->at[i].ctx, c);
}

void mpp_rank_work_on_commit(void *work, const mpp_commit *c)
{
    mpp_rank_work *w = work;
    if (c->scope != MPP_COMMIT_CHUNK)
        return;
    uint64_t n = c->hi - c->lo + 1; /* 0 for the whole 64-bit range: 2^64 numbers */
    w->chunks++;
    w->numbers = n == 0 || w->numbers > UINT64_MAX - n ? UINT64_MAX : w->numbers + n;
    if (!w->spanned || c->lo < w->lo)
        w->lo = c->lo;
    if (!w->spanned || c->hi > w->hi)
        w->hi = c->hi;
    w->spanned = true;
    mpp_result_merge(&w->result, &c->result);
}

void mpp_progress_init(mpp_progress *p, uint64_t start, uint64_t stop)
{
    *p = (mpp_progress){.start = start, .stop = stop, .rounds = 0, .next = start,
                        .numbers = 0, .done = false};
    mpp_result_clear(&p->result);
}

void mpp_progress_on_commit(void *progress, const mpp_commit *c)
{
    mpp_progress *p = progress;
    if (c->scope != MPP_COMMIT_ROUND)
        return;
    p->rounds++;
    mpp_result_merge(&p->result, &c->result);
    p->done = c->done;
    p->next = c->done ? p->stop : c->hi + 1;
    p->numbers = c->done ? (double)(p->stop - p->start) + 1 : (double)(p->next - p->start);
}
