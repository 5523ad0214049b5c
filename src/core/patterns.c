/* patterns.c - k-tuplets and gaps of a piece, and the merge of adjacent
 * pieces (see patterns.h for the conventions and why the merge is exact). */
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

/* The members of P's window among V[0..N-1] (ascending, all >= P): bit d
 * set when P + d is one of them, d <= SPAN. */
static uint32_t window_mask(uint64_t p, const uint64_t *v, unsigned n)
{
    uint32_t m = 0;
    for (unsigned i = 0; i < n && v[i] - p <= MPP_SPAN; i++)
        m |= 1u << (v[i] - p);
    return m;
}

static bool has_form(int k, uint32_t mask)
{
    return (mask & FORMS[k][0]) == FORMS[k][0] ||
           (FORMS[k][1] && (mask & FORMS[k][1]) == FORMS[k][1]);
}

static uint64_t largest_gap(const mpp_patterns *r)
{
    return r->nrecords ? r->records[r->nrecords - 1].gap : 0;
}

/* A gap G after the prime AFTER: into the histogram, and a record when it
 * beats every gap before it. */
static void add_gap(mpp_patterns *r, uint64_t g, uint64_t after)
{
    r->hist[g < MPP_GAP_LIMIT ? g : MPP_GAP_LIMIT - 1]++;
    if (g > largest_gap(r) && r->nrecords < MPP_GAP_LIMIT)
        r->records[r->nrecords++] = (mpp_gap){.gap = g, .after = after};
}

void mpp_patterns_clear(mpp_patterns *r)
{
    memset(r, 0, sizeof *r);
}

void mpp_patterns_begin(mpp_patterns *r, uint64_t lo, uint64_t hi)
{
    mpp_patterns_clear(r);
    r->covered = true;
    r->lo = lo;
    r->hi = hi;
}

void mpp_patterns_push(mpp_patterns *r, const uint64_t *primes, size_t n)
{
    /* A tuplet is counted when its last member Q arrives: RECENT has bit
     * d set when Q - d is a prime of the piece (d < 64), and a member below
     * the piece is never set. Seen from Q a form is its mirror image, and
     * each kind's forms are symmetric or each other's mirror image, so the
     * forms themselves are what RECENT is tested against. */
    uint64_t recent = r->recent, prev = r->last, lo = r->lo, hi = r->hi;
    uint64_t count = r->count[1];
    for (size_t i = 0; i < n; i++) {
        uint64_t q = primes[i];
        if (count) {
            uint64_t g = q - prev;
            recent = g < 64 ? recent << g | 1 : 1;
            add_gap(r, g, prev);
            uint32_t m = (uint32_t)recent;
            for (int k = 2; k <= MPP_KINDS; k++)
                r->count[k] += has_form(k, m);
        } else {
            r->first = q;
            recent = 1;
        }
        count++;
        prev = q;
        if (q - lo < MPP_SPAN && r->nhead < MPP_EDGE)
            r->head[r->nhead++] = q;
        if (hi - q < MPP_SPAN && r->ntail < MPP_EDGE)
            r->tail[r->ntail++] = q;
    }
    r->recent = recent;
    r->last = prev;
    r->count[1] = count;
}

int mpp_patterns_sink(void *ctx, const uint64_t *primes, size_t n)
{
    mpp_patterns_push(ctx, primes, n);
    return 0;
}

void mpp_patterns_end(mpp_patterns *r)
{
    r->recent = 0; /* (every tuplet was counted at its last member) */
}

mpp_gap mpp_patterns_largest(const mpp_patterns *r)
{
    mpp_gap none = {0, 0};
    return r->nrecords ? r->records[r->nrecords - 1] : none;
}

/* The primes of A[0..NA-1] and then B[0..NB-1] (ascending together) that
 * KEEP accepts, into OUT (at most MPP_EDGE); returns how many. */
static unsigned keep_edge(const uint64_t *a, unsigned na, const uint64_t *b, unsigned nb,
                          uint64_t base, bool from_lo, uint64_t *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < na + nb; i++) {
        uint64_t x = i < na ? a[i] : b[i - na];
        bool in = from_lo ? x - base < MPP_SPAN : base - x < MPP_SPAN;
        if (in && n < MPP_EDGE)
            out[n++] = x;
    }
    return n;
}

bool mpp_patterns_merge(mpp_patterns *a, const mpp_patterns *b)
{
    if (!b->covered)
        return true;
    if (!a->covered) {
        *a = *b;
        return true;
    }
    if (a->hi == UINT64_MAX || b->lo != a->hi + 1)
        return false;

    /* Tuplets with members on both sides: their first member is in A's
     * tail, the rest within SPAN of it, in A's tail or B's head (a member
     * past B is in neither, so no form reaching past B matches). */
    uint64_t u[2 * MPP_EDGE];
    unsigned nu = 0;
    for (unsigned i = 0; i < a->ntail; i++)
        u[nu++] = a->tail[i];
    for (unsigned i = 0; i < b->nhead; i++)
        u[nu++] = b->head[i];
    bool a_any = a->count[1] > 0, b_any = b->count[1] > 0;
    for (unsigned i = 0; i < a->ntail; i++) {
        uint64_t p = a->tail[i];
        uint32_t m = window_mask(p, u + i, nu - i);
        for (int k = 2; k <= MPP_KINDS; k++)
            if (SPANS[k] > a->hi - p && has_form(k, m))
                a->count[k]++;
    }
    for (int k = 1; k <= MPP_KINDS; k++)
        a->count[k] += b->count[k];

    uint64_t head[MPP_EDGE], tail[MPP_EDGE];
    unsigned nhead = keep_edge(a->head, a->nhead, b->head, b->nhead, a->lo, true, head);
    unsigned ntail = keep_edge(a->tail, a->ntail, b->tail, b->ntail, b->hi, false, tail);
    memcpy(a->head, head, sizeof head);
    memcpy(a->tail, tail, sizeof tail);
    a->nhead = nhead;
    a->ntail = ntail;

    /* Gaps: B's, the one between the two, and B's records that beat
     * everything before them now. */
    for (unsigned g = 0; g < MPP_GAP_LIMIT; g++)
        a->hist[g] += b->hist[g];
    if (a_any && b_any)
        add_gap(a, b->first - a->last, a->last);
    for (unsigned i = 0; i < b->nrecords; i++)
        if (b->records[i].gap > largest_gap(a) && a->nrecords < MPP_GAP_LIMIT)
            a->records[a->nrecords++] = b->records[i];
    if (!a_any)
        a->first = b->first;
    if (b_any)
        a->last = b->last;
    a->hi = b->hi;
    return true;
}

/* ---- on the wire ---- */

static unsigned hist_slots(const mpp_patterns *r)
{
    unsigned n = 0;
    for (unsigned g = 0; g < MPP_GAP_LIMIT; g++)
        n += r->hist[g] != 0;
    return n;
}

size_t mpp_patterns_words(const mpp_patterns *r)
{
    return MPP_PATTERNS_HEADER_WORDS + 2 * (size_t)r->nrecords + 2 * (size_t)hist_slots(r);
}

size_t mpp_patterns_pack(const mpp_patterns *r, uint64_t *w)
{
    size_t i = 0;
    unsigned slots = hist_slots(r);
    w[i++] = r->covered | (uint64_t)r->nhead << 8 | (uint64_t)r->ntail << 16;
    w[i++] = r->nrecords;
    w[i++] = slots;
    w[i++] = r->lo;
    w[i++] = r->hi;
    for (int k = 1; k <= MPP_KINDS; k++)
        w[i++] = r->count[k];
    w[i++] = r->first;
    w[i++] = r->last;
    for (unsigned e = 0; e < MPP_EDGE; e++)
        w[i++] = e < r->nhead ? r->head[e] : 0;
    for (unsigned e = 0; e < MPP_EDGE; e++)
        w[i++] = e < r->ntail ? r->tail[e] : 0;
    for (unsigned j = 0; j < r->nrecords; j++) {
        w[i++] = r->records[j].gap;
        w[i++] = r->records[j].after;
    }
    for (unsigned g = 0; g < MPP_GAP_LIMIT; g++)
        if (r->hist[g]) {
            w[i++] = g;
            w[i++] = r->hist[g];
        }
    return i;
}

bool mpp_patterns_unpack(const uint64_t *w, size_t n, mpp_patterns *r)
{
    mpp_patterns_clear(r);
    if (n < MPP_PATTERNS_HEADER_WORDS)
        return false;
    uint64_t flags = w[0], nrecords = w[1], slots = w[2];
    uint64_t nhead = flags >> 8 & 0xff, ntail = flags >> 16 & 0xff;
    if ((flags & ~(uint64_t)0xffff01) != 0 || nhead > MPP_EDGE || ntail > MPP_EDGE ||
        nrecords > MPP_GAP_LIMIT || slots > MPP_GAP_LIMIT ||
        n != MPP_PATTERNS_HEADER_WORDS + 2 * nrecords + 2 * slots)
        return false;
    size_t i = 3;
    r->covered = flags & 1;
    r->nhead = (unsigned)nhead;
    r->ntail = (unsigned)ntail;
    r->lo = w[i++];
    r->hi = w[i++];
    for (int k = 1; k <= MPP_KINDS; k++)
        r->count[k] = w[i++];
    r->first = w[i++];
    r->last = w[i++];
    for (unsigned e = 0; e < MPP_EDGE; e++, i++)
        if (e < nhead)
            r->head[e] = w[i];
    for (unsigned e = 0; e < MPP_EDGE; e++, i++)
        if (e < ntail)
            r->tail[e] = w[i];
    r->nrecords = (unsigned)nrecords;
    for (unsigned j = 0; j < nrecords; j++, i += 2)
        r->records[j] = (mpp_gap){.gap = w[i], .after = w[i + 1]};
    for (unsigned j = 0; j < slots; j++, i += 2) {
        if (w[i] >= MPP_GAP_LIMIT || r->hist[w[i]] || !w[i + 1]) {
            mpp_patterns_clear(r);
            return false;
        }
        r->hist[w[i]] = w[i + 1];
    }
    return true;
}
