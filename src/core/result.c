/* result.c - see result.h. */
#include "result.h"

void mpp_result_clear(mpp_result *r)
{
    *r = (mpp_result){.primes = {.count = 0, .first = 0, .last = 0}, .tuplets = {0}};
}

void mpp_result_add(mpp_result *r, const mpp_tally *t)
{
    mpp_result piece = {.primes = *t};
    mpp_result_merge(r, &piece);
}

void mpp_result_add_tuplets(mpp_result *r, const mpp_patterns *b)
{
    for (int k = 2; k <= MPP_KINDS; k++)
        r->tuplets[k] += b->count[k];
}

void mpp_result_merge(mpp_result *a, const mpp_result *b)
{
    for (int k = 2; k <= MPP_KINDS; k++)
        a->tuplets[k] += b->tuplets[k];
    const mpp_tally *t = &b->primes;
    if (t->count == 0)
        return;
    if (a->primes.count == 0 || t->first < a->primes.first)
        a->primes.first = t->first;
    if (a->primes.count == 0 || t->last > a->primes.last)
        a->primes.last = t->last;
    a->primes.count += t->count;
}

void mpp_result_pack(const mpp_result *r, uint64_t *w)
{
    w[0] = r->primes.count;
    w[1] = r->primes.first;
    w[2] = r->primes.last;
    for (int k = 2; k <= MPP_KINDS; k++)
        w[1 + k] = r->tuplets[k];
}

void mpp_result_unpack(const uint64_t *w, mpp_result *r)
{
    mpp_result_clear(r);
    r->primes = (mpp_tally){.count = w[0], .first = w[1], .last = w[2]};
    for (int k = 2; k <= MPP_KINDS; k++)
        r->tuplets[k] = w[1 + k];
}
