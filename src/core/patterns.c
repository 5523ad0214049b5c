/* patterns.c - k-tuplets and gaps of the pieces of a range, and their
 * merge (see patterns.h for the conventions and why any split and any
 * order of merging give the range's). */
#include "patterns.h"

#include <string.h>

/* The forms of each kind, as offset masks (bit d: p + d is a member). */
static const uint32_t FORMS[MPP_KINDS + 1][2] = {
    [2] = {(1u << 0) | (1u << 2), 0},
    [3] = {(1u << 0) | (1u << 2) | (1u << 6), (1u << 0) | (1u << 4) | (1u << 6)},
    [4] = {(1u << 0) | (1u << 2) | (1u << 6) | (1u << 8), 0},
    [5] = {(1u << 0) | (1u << 2) | (1u << 6) | (1u << 8) | (1u << 12),
           (1u << 0) | (1u << 4) | (1u << 6) | (1u << 10) | (1u << 12)},
    [6] = {(1u << 0) | (1u << 4) | (1u << 6) | (1u << 10) | (1u << 12) | (1u << 16), 0},
};
static const unsigned SPANS[MPP_KINDS + 1] = {0, 0, 2, 6, 8, 12, 16};
static const char *const NAMES[MPP_KINDS + 1] = {
    NULL, "primes", "twins", "triplets", "quadruplets", "quintuplets", "sextuplets"};

const char *mpp_pattern_name(int k)
{
    return k >= 1 && k <= MPP_KINDS ? NAMES[k] : NULL;
}

unsigned mpp_pattern_forms(int k, uint32_t masks[2])
{
    if (k < 2 || k > MPP_KINDS)
        return 0;
    masks[0] = FORMS[k][0];
    masks[1] = FORMS[k][1];
    return FORMS[k][1] ? 2 : 1;
}

unsigned mpp_pattern_span(int k)
{
    return k >= 1 && k <= MPP_KINDS ? SPANS[k] : 0;
}

static bool has_form(int k, uint32_t mask)
{
    return (mask & FORMS[k][0]) == FORMS[k][0] ||
           (FORMS[k][1] && (mask & FORMS[k][1]) == FORMS[k][1]);
}

/* ---- gaps ---- */

void mpp_gaps_clear(mpp_gaps *g)
{
    memset(g, 0, sizeof *g);
}

/* The record (GAP, AFTER) into the staircase, unless a record before it is
 * as large; the records after it that it beats leave. */
static void insert_record(mpp_gaps *g, uint64_t gap, uint64_t after)
{
    unsigned lo = 0, hi = g->nrecords;
    while (lo < hi) { /* the first record after AFTER */
        unsigned mid = lo + (hi - lo) / 2;
        if (g->records[mid].after <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && g->records[lo - 1].gap >= gap)
        return;
    unsigned end = lo;
    while (end < g->nrecords && g->records[end].gap <= gap)
        end++;
    if (end == lo && g->nrecords == MPP_RECORDS_MAX)
        return; /* (cannot happen: the gaps strictly grow) */
    memmove(&g->records[lo + 1], &g->records[end],
            (g->nrecords - end) * sizeof g->records[0]);
    g->records[lo] = (mpp_gap){.gap = gap, .after = after};
    g->nrecords = g->nrecords - (end - lo) + 1;
}

void mpp_gaps_add(mpp_gaps *g, uint64_t gap, uint64_t after, bool record)
{
    g->hist[gap < MPP_GAP_LIMIT ? gap : MPP_GAP_LIMIT - 1]++;
    if (record)
        insert_record(g, gap, after);
}

void mpp_gaps_merge(mpp_gaps *a, const mpp_gaps *b)
{
    for (unsigned i = 0; i < MPP_GAP_LIMIT; i++)
        a->hist[i] += b->hist[i];
    for (unsigned i = 0; i < b->nrecords; i++)
        insert_record(a, b->records[i].gap, b->records[i].after);
}

uint64_t mpp_gaps_total(const mpp_gaps *g)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < MPP_GAP_LIMIT; i++)
        n += g->hist[i];
    return n;
}

mpp_gap mpp_gaps_largest(const mpp_gaps *g)
{
    mpp_gap none = {0, 0};
    return g->nrecords ? g->records[g->nrecords - 1] : none;
}

/* ---- building a piece ---- */

void mpp_patterns_begin(mpp_patterns *b, const uint64_t *before, size_t nbefore,
                        mpp_gaps *gaps)
{
    memset(b, 0, sizeof *b);
    b->gaps = gaps;
    for (size_t i = 0; i < nbefore; i++) {
        uint64_t g = b->have_prev ? before[i] - b->prev : 64;
        b->recent = (g < 64 ? b->recent << g : 0) | 1;
        b->prev = before[i];
        b->have_prev = true;
    }
}

void mpp_patterns_push(mpp_patterns *b, const uint64_t *primes, size_t n)
{
    /* A tuplet is counted when its last member Q arrives: RECENT has bit
     * d set when Q - d is a prime of the range seen (d < 64): of the piece,
     * or one of the primes before it. Seen from Q a form is its mirror
     * image, and each kind's forms are symmetric or each other's mirror
     * image, so the forms themselves are what RECENT is tested against. */
    uint64_t recent = b->recent, prev = b->prev, largest = b->largest;
    bool have_prev = b->have_prev;
    mpp_gaps *gaps = b->gaps;
    if (n > 0 && b->count[1] == 0)
        b->first = primes[0];
    for (size_t i = 0; i < n; i++) {
        uint64_t q = primes[i];
        if (have_prev) {
            uint64_t g = q - prev;
            recent = g < 64 ? recent << g | 1 : 1;
            if (gaps) {
                mpp_gaps_add(gaps, g, prev, g > largest);
                largest = g > largest ? g : largest;
            }
            uint32_t m = (uint32_t)recent;
            for (int k = 2; k <= MPP_KINDS; k++)
                b->count[k] += has_form(k, m);
        } else {
            recent = 1;
            have_prev = true;
        }
        prev = q;
    }
    if (n > 0)
        b->last = prev;
    b->count[1] += n;
    b->recent = recent;
    b->prev = prev;
    b->have_prev = have_prev;
    b->largest = largest;
}

int mpp_patterns_sink(void *ctx, const uint64_t *primes, size_t n)
{
    mpp_patterns_push(ctx, primes, n);
    return 0;
}

/* ---- on the wire ---- */

size_t mpp_gaps_pack(const mpp_gaps *g, uint64_t *w)
{
    size_t i = 2;
    uint64_t slots = 0;
    for (unsigned j = 0; j < g->nrecords; j++) {
        w[i++] = g->records[j].gap;
        w[i++] = g->records[j].after;
    }
    for (unsigned s = 0; s < MPP_GAP_LIMIT; s++)
        if (g->hist[s]) {
            w[i++] = s;
            w[i++] = g->hist[s];
            slots++;
        }
    w[0] = g->nrecords;
    w[1] = slots;
    return i;
}

bool mpp_gaps_unpack(const uint64_t *w, size_t n, mpp_gaps *g)
{
    mpp_gaps_clear(g);
    if (n < 2 || w[0] > MPP_RECORDS_MAX || w[1] > MPP_GAP_LIMIT ||
        n - 2 < 2 * (w[0] + w[1]))
        return false;
    size_t i = 2;
    for (unsigned j = 0; j < w[0]; j++, i += 2) {
        mpp_gap r = {.gap = w[i], .after = w[i + 1]};
        if (r.gap == 0 || (j > 0 && (r.gap <= g->records[j - 1].gap ||
                                     r.after <= g->records[j - 1].after))) {
            mpp_gaps_clear(g);
            return false;
        }
        g->records[g->nrecords++] = r;
    }
    for (unsigned j = 0; j < w[1]; j++, i += 2) {
        if (w[i] >= MPP_GAP_LIMIT || g->hist[w[i]] || !w[i + 1]) {
            mpp_gaps_clear(g);
            return false;
        }
        g->hist[w[i]] = w[i + 1];
    }
    return true;
}
