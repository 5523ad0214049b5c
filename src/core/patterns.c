/* patterns.c - k-tuplets and gaps of the pieces of a range, and their
 * merge (see patterns.h for the conventions and why any split and any
 * order of merging give the range's). */
#include "patterns.h"

#include <string.h>

#include "sink.h"

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

/* ---- the sieve's bytes ---- */

#define ONES 0x0101010101010101ULL
#define INBYTE_MAX 28 /* the widest gap within a byte: 1 to 29 */

/* The tuplets of N words at BYTES into C[2..6], and the primes into C[1].
 * Every tuplet but the twins lies within a byte: for a word W, bit j of
 * W & W >> 1 & ... & W >> (m - 1) is set when bits j .. j + m - 1 are,
 * and the masks keep the j where a form starts (bit 1: 7, bit 2: 11, ...).
 * The twins (11, 13), (17, 19) and (29, 31), the last across two bytes
 * (bit 7 and the next byte's bit 0), the one across two words apart. */
static inline __attribute__((always_inline)) void count_words_body(const uint8_t *bytes,
                                                                   size_t nw, uint64_t *c)
{
    uint64_t c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0;
    uint64_t next = nw ? mpp_wheel_word(bytes) : 0;
    for (size_t i = 0; i < nw; i++) {
        uint64_t w = next;
        next = i + 1 < nw ? mpp_wheel_word(bytes + 8 * (i + 1)) : 0;
        uint64_t w1 = w & w >> 1, w2 = w1 & w >> 2, w3 = w2 & w >> 3;
        uint64_t w4 = w3 & w >> 4, w5 = w4 & w >> 5;
        c1 += (uint64_t)__builtin_popcountll(w);
        c2 += (uint64_t)__builtin_popcountll(w1 & ONES * 0x94) + (w >> 63 & next & 1);
        c3 += (uint64_t)__builtin_popcountll(w2 & ONES * 0x1e);
        c4 += (uint64_t)__builtin_popcountll(w3 & ONES * 0x04);
        c5 += (uint64_t)__builtin_popcountll(w4 & ONES * 0x06);
        c6 += (uint64_t)__builtin_popcountll(w5 & ONES * 0x02);
    }
    c[1] += c1;
    c[2] += c2;
    c[3] += c3;
    c[4] += c4;
    c[5] += c5;
    c[6] += c6;
}

static void count_words_plain(const uint8_t *bytes, size_t nw, uint64_t *c)
{
    count_words_body(bytes, nw, c);
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("popcnt"))) static void count_words_hw(const uint8_t *bytes, size_t nw,
                                                             uint64_t *c)
{
    count_words_body(bytes, nw, c);
}
#endif

static void count_words(const uint8_t *bytes, size_t nw, uint64_t *c)
{
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("popcnt")) {
        count_words_hw(bytes, nw, c);
        return;
    }
#endif
    count_words_plain(bytes, nw, c);
}

/* The tuplets that end at one of the primes Q[0..N-1] of the stretch
 * whose first prime is F0 and have a member before it (the byte counts
 * hold the others), from B's mask of the primes before. */
static void count_edge(mpp_patterns *b, const uint64_t *q, size_t n, uint64_t f0)
{
    uint64_t recent = b->recent, prev = b->prev;
    for (size_t i = 0; i < n; i++) {
        uint64_t g = q[i] - prev;
        recent = g < 64 ? recent << g | 1 : 1;
        prev = q[i];
        for (int k = 2; k <= MPP_KINDS; k++)
            b->count[k] += q[i] - f0 < SPANS[k] && has_form(k, (uint32_t)recent);
    }
}

/* The gaps within the bytes whose values INBYTE counts (a byte of one
 * prime has none), into HIST. */
static void inbyte_gaps(uint64_t *hist, const uint32_t *inbyte)
{
    for (unsigned x = 3; x < 256; x++) {
        if (!inbyte[x] || !(x & (x - 1)))
            continue;
        int last = -1;
        for (int j = 0; j < 8; j++)
            if (x >> j & 1) {
                if (last >= 0)
                    hist[mpp_wheel_residue(j) - mpp_wheel_residue(last)] += inbyte[x];
                last = j;
            }
    }
}

/* The least and the greatest number of a byte X of the wheel (0 for none),
 * as tables: a bit scan is slower than a load on some cores. */
#define LOW_OF(x)                                                                         \
    ((x) & 1 ? 1 : (x) & 2 ? 7 : (x) & 4 ? 11 : (x) & 8 ? 13 : (x) & 16 ? 17                \
     : (x) & 32 ? 19 : (x) & 64 ? 23 : (x) & 128 ? 29 : 0)
#define HIGH_OF(x)                                                                        \
    ((x) & 128 ? 29 : (x) & 64 ? 23 : (x) & 32 ? 19 : (x) & 16 ? 17 : (x) & 8 ? 13         \
     : (x) & 4 ? 11 : (x) & 2 ? 7 : (x) & 1 ? 1 : 0)
#define T4(f, b) f(b), f((b) + 1), f((b) + 2), f((b) + 3)
#define T16(f, b) T4(f, b), T4(f, (b) + 4), T4(f, (b) + 8), T4(f, (b) + 12)
#define T64(f, b) T16(f, b), T16(f, (b) + 16), T16(f, (b) + 32), T16(f, (b) + 48)
#define T256(f) T64(f, 0), T64(f, 64), T64(f, 128), T64(f, 192)
static const uint8_t LOW[256] = {T256(LOW_OF)}, HIGH[256] = {T256(HIGH_OF)};

/* Gaps below this are counted in 32-bit counters per stretch (a stretch,
 * a sieve segment, is at most 2^23 bytes), two sets of them taken in turn
 * so that a run of equal gaps does not wait on one counter. */
#define NEAR 512

/* The gaps into and within the N bytes from byte B0 (see mpp_patterns_wheel):
 * B's previous prime, largest gap and histogram move on. */
static void wheel_gaps(mpp_patterns *b, const uint8_t *bytes, size_t n, uint64_t b0)
{
    mpp_gaps *gaps = b->gaps;
    uint64_t prev = b->prev, largest = b->largest;
    bool have_prev = b->have_prev;
    size_t i = 0;
    /* one by one while a gap within a byte may be a record */
    for (; i < n && (!have_prev || largest < INBYTE_MAX); i++) {
        unsigned x = bytes[i];
        if (!x)
            continue;
        uint64_t base = 30 * (b0 + i);
        for (unsigned j = 0; j < 8; j++)
            if (x >> j & 1) {
                uint64_t p = base + mpp_wheel_residue(j);
                if (have_prev) {
                    mpp_gaps_add(gaps, p - prev, prev, p - prev > largest);
                    largest = p - prev > largest ? p - prev : largest;
                }
                prev = p;
                have_prev = true;
            }
    }
    /* then without a branch per byte: a byte with no prime adds 0 to
     * counter 0 and leaves PREV; the rare gap that is a record or too wide
     * for the counters goes one by one */
    uint32_t near[2][NEAR] = {{0}}, inbyte[2][256] = {{0}};
    uint64_t base = 30 * (b0 + i);
    for (; i < n; i++, base += 30) {
        unsigned x = bytes[i];
        uint64_t keep = (uint64_t)(x != 0) - 1; /* all ones when X holds no prime */
        uint64_t g = base + LOW[x] - prev, at = g & ~keep;
        if (__builtin_expect(at > largest || at >= NEAR, 0)) {
            mpp_gaps_add(gaps, g, prev, g > largest);
            largest = g > largest ? g : largest;
        } else {
            near[i & 1][at] += (uint32_t)(~keep & 1);
        }
        inbyte[i & 1][x]++;
        prev = (prev & keep) | ((base + HIGH[x]) & ~keep);
    }
    for (unsigned g = 1; g < NEAR; g++)
        gaps->hist[g] += (uint64_t)near[0][g] + near[1][g];
    for (unsigned x = 0; x < 256; x++)
        inbyte[0][x] += inbyte[1][x];
    inbyte_gaps(gaps->hist, inbyte[0]);
    b->largest = largest;
}

/* A stretch of N bytes from B0 begins: its first prime F0, in byte I0;
 * false when it holds none (B then notes it as gone by). */
static bool stretch_begin(mpp_patterns *b, const uint8_t *bytes, size_t n, uint64_t b0,
                          size_t *i0, uint64_t *f0)
{
    size_t i = 0;
    while (i < n && !bytes[i])
        i++;
    if (i == n) { /* no prime */
        b->wheel_on = true;
        b->wheel_next = b0 + n;
        b->carry = false;
        return false;
    }
    *i0 = i;
    *f0 = 30 * (b0 + i) + mpp_wheel_residue((unsigned)__builtin_ctz(bytes[i]));
    return true;
}

/* After a stretch of N bytes from B0 with a prime: B's last prime, and the
 * primes within 64 below it (those of the stretch: enough for what follows,
 * a stretch going on from here). */
static void wheel_tail(mpp_patterns *b, const uint8_t *bytes, size_t n, uint64_t b0)
{
    size_t i1 = n - 1;
    while (!bytes[i1])
        i1--;
    uint64_t last = 30 * (b0 + i1) + mpp_wheel_residue(31 - (unsigned)__builtin_clz(bytes[i1]));
    uint64_t recent = 0;
    for (size_t i = i1 + 1; i-- > 0 && last - 30 * (b0 + i) < 64 + 30;) {
        for (unsigned j = 0; j < 8; j++) {
            uint64_t v = 30 * (b0 + i) + mpp_wheel_residue(j);
            if (bytes[i] >> j & 1 && v <= last && last - v < 64)
                recent |= (uint64_t)1 << (last - v);
        }
    }
    b->last = b->prev = last;
    b->recent = recent;
    b->have_prev = true;
    b->wheel_on = true;
    b->wheel_next = b0 + n;
    b->carry = bytes[n - 1] >> 7;
}

int mpp_patterns_wheel(void *ctx, const uint8_t *bytes, size_t n, uint64_t b0)
{
    mpp_patterns *b = ctx;
    bool go_on = b->wheel_on && b->wheel_next == b0;
    size_t i0;
    uint64_t f0;
    if (!stretch_begin(b, bytes, n, b0, &i0, &f0))
        return 0;
    if (go_on) { /* a twin across the two stretches */
        b->count[2] += b->carry && (bytes[0] & 1);
    } else if (b->have_prev) { /* tuplets with members before the stretch */
        uint64_t q[MPP_SPAN];
        size_t nq = 0;
        for (size_t i = i0; i < n && 30 * (i - i0) < f0 % 30 + MPP_SPAN; i++)
            for (unsigned j = 0; j < 8; j++) {
                uint64_t v = 30 * (b0 + i) + mpp_wheel_residue(j);
                if (bytes[i] >> j & 1 && v - f0 < MPP_SPAN && nq < MPP_SPAN)
                    q[nq++] = v;
            }
        count_edge(b, q, nq, f0);
    }
    uint64_t c[MPP_KINDS + 1] = {0};
    count_words(bytes, (n + 7) / 8, c);
    if (b->count[1] == 0)
        b->first = f0;
    for (int k = 1; k <= MPP_KINDS; k++)
        b->count[k] += c[k];
    if (b->gaps)
        wheel_gaps(b, bytes, n, b0);
    wheel_tail(b, bytes, n, b0);
    return 0;
}

/* ---- listing one kind's tuplets ---- */

/* Tuplets handed to EMIT at a time. */
#define BATCH 256

typedef struct {
    uint64_t firsts[BATCH];
    uint32_t forms[BATCH];
    size_t n;
    int rc; /* EMIT's first non-zero return */
} batch;

static void flush(mpp_tuplets *t, batch *q)
{
    if (q->n && !q->rc)
        q->rc = t->emit(t->ctx, q->firsts, q->forms, q->n);
    q->n = 0;
}

static inline void add(mpp_tuplets *t, batch *q, uint64_t first, uint32_t form)
{
    q->firsts[q->n] = first;
    q->forms[q->n] = form;
    if (++q->n == BATCH)
        flush(t, q);
}

/* The form of kind K that the mask RECENT (bit d: the newest prime less d
 * seen) ends, as offsets from its least member; 0 for none. Seen from the
 * last member a form is its mirror image. */
static uint32_t ended_form(int k, uint32_t recent)
{
    for (int f = 0; f < 2 && FORMS[k][f]; f++)
        if ((recent & FORMS[k][f]) == FORMS[k][f]) {
            uint32_t mirror = 0;
            for (uint32_t m = FORMS[k][f]; m; m &= m - 1)
                mirror |= 1u << (SPANS[k] - (unsigned)__builtin_ctz(m));
            return mirror;
        }
    return 0;
}

void mpp_tuplets_begin(mpp_tuplets *t, int kind, const uint64_t *before, size_t nbefore,
                       mpp_tuplet_fn emit, void *ctx)
{
    t->kind = kind;
    t->emit = emit;
    t->ctx = ctx;
    mpp_patterns_begin(&t->seen, before, nbefore, NULL);
}

/* Prime Q arrives: the mask of the last primes moves on, and the tuplet it
 * ends, if any, is added (when WHEN holds: Q - F0 < the kind's span, for a
 * stretch's first primes; always for pushed ones). */
static inline void arrive(mpp_tuplets *t, batch *q, uint64_t v, bool when)
{
    mpp_patterns *b = &t->seen;
    if (b->have_prev) {
        uint64_t g = v - b->prev;
        b->recent = g < 64 ? b->recent << g | 1 : 1;
        uint32_t form = when ? ended_form(t->kind, (uint32_t)b->recent) : 0;
        if (form)
            add(t, q, v - SPANS[t->kind], form);
    } else {
        b->recent = 1;
        b->have_prev = true;
    }
    b->prev = v;
}

int mpp_tuplets_sink(void *ctx, const uint64_t *primes, size_t n)
{
    mpp_tuplets *t = ctx;
    batch q;
    q.n = 0;
    q.rc = 0;
    for (size_t i = 0; i < n && !q.rc; i++)
        arrive(t, &q, primes[i], true);
    flush(t, &q);
    return q.rc;
}

/* Which bits of a word of wheel bytes start a tuplet of kind K that lies
 * in it (see count_words_body), NEXT the word after it (the twin 30 k +
 * 29, 30 k + 31 across two words). */
static inline uint64_t starts(int k, uint64_t w, uint64_t next)
{
    uint64_t w1 = w & (w >> 1 | next << 63);
    if (k == 2)
        return w1 & ONES * 0x94;
    uint64_t w2 = w1 & w >> 2, w3 = w2 & w >> 3;
    if (k == 3)
        return w2 & ONES * 0x1e;
    if (k == 4)
        return w3 & ONES * 0x04;
    uint64_t w4 = w3 & w >> 4;
    return k == 5 ? w4 & ONES * 0x06 : w4 & w >> 5 & ONES * 0x02;
}

/* The form of the tuplet of kind K starting at bit J of a wheel byte. */
static uint32_t form_at(int k, unsigned j)
{
    uint32_t form = 0;
    for (unsigned m = j; m < j + (unsigned)k; m++)
        form |= 1u << (30 * (m / 8) + mpp_wheel_residue(m % 8) - mpp_wheel_residue(j));
    return form;
}

int mpp_tuplets_wheel(void *ctx, const uint8_t *bytes, size_t n, uint64_t b0)
{
    mpp_tuplets *t = ctx;
    mpp_patterns *b = &t->seen;
    int k = t->kind;
    batch q;
    q.n = 0;
    q.rc = 0;
    bool go_on = b->wheel_on && b->wheel_next == b0;
    size_t i0;
    uint64_t f0;
    if (!stretch_begin(b, bytes, n, b0, &i0, &f0))
        return 0;
    if (go_on) { /* a twin across the two stretches */
        if (k == 2 && b->carry && (bytes[0] & 1))
            add(t, &q, 30 * b0 - 1, 1u | 1u << 2);
    } else if (b->have_prev) { /* tuplets with members before the stretch */
        for (size_t i = i0; i < n && 30 * (i - i0) < f0 % 30 + MPP_SPAN; i++)
            for (unsigned j = 0; j < 8; j++) {
                uint64_t v = 30 * (b0 + i) + mpp_wheel_residue(j);
                if (bytes[i] >> j & 1 && v - f0 < MPP_SPAN)
                    arrive(t, &q, v, v - f0 < SPANS[k]);
            }
    }
    uint32_t form[8] = {0};
    for (unsigned j = 0; j < 8; j++)
        form[j] = form_at(k, j);
    size_t nw = (n + 7) / 8;
    uint64_t next = mpp_wheel_word(bytes);
    for (size_t i = 0; i < nw && !q.rc; i++) {
        uint64_t w = next;
        next = i + 1 < nw ? mpp_wheel_word(bytes + 8 * (i + 1)) : 0;
        for (uint64_t m = starts(k, w, next); m; m &= m - 1) {
            unsigned bit = (unsigned)__builtin_ctzll(m);
            add(t, &q, 30 * (b0 + 8 * i + bit / 8) + mpp_wheel_residue(bit % 8),
                form[bit % 8]);
        }
    }
    flush(t, &q);
    if (q.rc)
        return q.rc;
    wheel_tail(b, bytes, n, b0);
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
