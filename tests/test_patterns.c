/* test_patterns.c - k-tuplets and gaps (patterns.h) against a plain
 * reference written here from the definitions, against the tables of
 * ../shared/reference/patterns.md, and the pieces of random splits (tiny
 * pieces included, so that a tuplet or a gap crosses several), each built
 * after the primes before it, merged in random orders and groupings:
 * always the whole range's patterns. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finder.h"
#include "sieve.h"
#include "patterns.h"
#include "primality.h"
#include "testutil.h"

/* The forms, written again from patterns.md (not read from the module). */
static const int FORM_OFFSETS[][7] = {
    /* kind, then the offsets, -1 ended */
    {2, 0, 2, -1},
    {3, 0, 2, 6, -1},
    {3, 0, 4, 6, -1},
    {4, 0, 2, 6, 8, -1},
    {5, 0, 2, 6, 8, 12, -1},
    {5, 0, 4, 6, 10, 12, -1},
    {6, 0, 4, 6, 10, 12, 16},
};
#define NFORMS (sizeof FORM_OFFSETS / sizeof FORM_OFFSETS[0])

static bool in_list(const uint64_t *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x;
}

/* What a user sees of the patterns of a stretch: its counts, least and
 * greatest prime, and gaps. */
typedef struct {
    uint64_t count[MPP_KINDS + 1];
    uint64_t first, last;
    mpp_gaps gaps;
} summary;

/* The patterns of [LO, HI] from its primes V[0..N-1], by the definitions:
 * every prime tried as the first member of every form; consecutive primes
 * for the gaps, a record when larger than every gap before it. */
static void reference(uint64_t lo, uint64_t hi, const uint64_t *v, size_t n, summary *r)
{
    memset(r, 0, sizeof *r);
    size_t i0 = 0, i1 = 0;
    while (i0 < n && v[i0] < lo)
        i0++;
    for (i1 = i0; i1 < n && v[i1] <= hi;)
        i1++;
    r->count[1] = i1 - i0;
    for (size_t i = i0; i < i1; i++) {
        bool kind[MPP_KINDS + 1] = {false};
        for (size_t f = 0; f < NFORMS; f++) {
            bool all = true;
            for (int j = 1; j < 7 && FORM_OFFSETS[f][j] >= 0; j++) {
                uint64_t off = (uint64_t)FORM_OFFSETS[f][j];
                all = all && v[i] <= hi - off && in_list(v + i0, i1 - i0, v[i] + off);
            }
            if (all)
                kind[FORM_OFFSETS[f][0]] = true;
        }
        for (int k = 2; k <= MPP_KINDS; k++)
            r->count[k] += kind[k];
        if (i > i0) {
            uint64_t g = v[i] - v[i - 1];
            r->gaps.hist[g]++;
            if (g > (r->gaps.nrecords ? r->gaps.records[r->gaps.nrecords - 1].gap : 0))
                r->gaps.records[r->gaps.nrecords++] = (mpp_gap){g, v[i - 1]};
        }
    }
    if (i1 > i0) {
        r->first = v[i0];
        r->last = v[i1 - 1];
    }
}

static void expect_gaps(const mpp_gaps *got, const mpp_gaps *want, const char *what)
{
    REQUIRE(got->nrecords == want->nrecords, "%s: %u records, want %u", what, got->nrecords,
            want->nrecords);
    for (unsigned i = 0; i < want->nrecords; i++)
        REQUIRE(got->records[i].gap == want->records[i].gap &&
                    got->records[i].after == want->records[i].after,
                "%s: record %u is %" PRIu64 " after %" PRIu64 ", want %" PRIu64
                " after %" PRIu64,
                what, i, got->records[i].gap, got->records[i].after, want->records[i].gap,
                want->records[i].after);
    for (unsigned g = 0; g < MPP_GAP_LIMIT; g++)
        REQUIRE(got->hist[g] == want->hist[g], "%s: %" PRIu64 " gaps of %u, want %" PRIu64,
                what, got->hist[g], g, want->hist[g]);
}

static void expect_same(const summary *got, const summary *want, const char *what)
{
    for (int k = 1; k <= MPP_KINDS; k++)
        REQUIRE(got->count[k] == want->count[k], "%s: %d-tuplets %" PRIu64 ", want %" PRIu64,
                what, k, got->count[k], want->count[k]);
    if (want->count[1])
        REQUIRE(got->first == want->first && got->last == want->last,
                "%s: first %" PRIu64 " last %" PRIu64 ", want %" PRIu64 " %" PRIu64, what,
                got->first, got->last, want->first, want->last);
    expect_gaps(&got->gaps, &want->gaps, what);
}

/* The primes of V[0..N-1] that the piece starting at LO of the range
 * starting at START is built after, by the definition (not by
 * mpp_primes_before): those of [START, LO) within MPP_SPAN of LO, or else
 * the greatest of [START, LO). */
static size_t before_of(uint64_t start, uint64_t lo, const uint64_t *v, size_t n,
                        uint64_t *out)
{
    size_t m = 0, last = SIZE_MAX;
    for (size_t i = 0; i < n && v[i] < lo; i++)
        if (v[i] >= start) {
            last = i;
            if (lo - v[i] <= MPP_SPAN)
                out[m++] = v[i];
        }
    if (m == 0 && last != SIZE_MAX)
        out[m++] = v[last];
    return m;
}

/* Piece [LO, HI] of the range starting at START, built by the module from
 * the primes V (those of the piece among them, pushed in batches of random
 * sizes, after the primes before it): its summary. */
static void build(summary *r, uint64_t start, uint64_t lo, uint64_t hi, const uint64_t *v,
                  size_t n, uint64_t *seed)
{
    uint64_t before[MPP_BEFORE_MAX];
    size_t nb = before_of(start, lo, v, n, before);
    size_t i = 0;
    while (i < n && v[i] < lo)
        i++;
    size_t j = i;
    while (j < n && v[j] <= hi)
        j++;
    mpp_patterns b;
    memset(r, 0, sizeof *r);
    mpp_gaps_clear(&r->gaps);
    mpp_patterns_begin(&b, before, nb, &r->gaps);
    while (i < j) {
        size_t batch = 1 + (size_t)(test_splitmix(seed) % 9);
        if (batch > j - i)
            batch = j - i;
        mpp_patterns_push(&b, v + i, batch);
        i += batch;
    }
    memcpy(r->count, b.count, sizeof r->count);
    r->first = b.first;
    r->last = b.last;
}

/* B merged into A, as a run merges pieces: counts add, the least first and
 * greatest last, the gaps by mpp_gaps_merge. */
static void merge(summary *a, const summary *b)
{
    if (b->count[1] && (!a->count[1] || b->first < a->first))
        a->first = b->first;
    if (b->count[1] && (!a->count[1] || b->last > a->last))
        a->last = b->last;
    for (int k = 1; k <= MPP_KINDS; k++)
        a->count[k] += b->count[k];
    mpp_gaps_merge(&a->gaps, &b->gaps);
}

START_TEST(forms_as_defined)
{
    for (int k = 2; k <= MPP_KINDS; k++) {
        uint32_t masks[2];
        unsigned n = mpp_pattern_forms(k, masks), seen = 0;
        for (size_t f = 0; f < NFORMS; f++) {
            if (FORM_OFFSETS[f][0] != k)
                continue;
            uint32_t m = 0;
            int last = 0;
            for (int j = 1; j < 7 && FORM_OFFSETS[f][j] >= 0; j++) {
                m |= 1u << FORM_OFFSETS[f][j];
                last = FORM_OFFSETS[f][j];
            }
            ck_assert(m == masks[0] || (n == 2 && m == masks[1]));
            ck_assert_uint_eq(mpp_pattern_span(k), (unsigned)last);
            seen++;
        }
        ck_assert_uint_eq(n, seen);
        /* the module counts a tuplet at its last member, testing the forms
         * themselves: each form's mirror image must be a form of its kind */
        for (unsigned f = 0; f < n; f++) {
            uint32_t mirror = 0;
            for (unsigned d = 0; d <= mpp_pattern_span(k); d++)
                if (masks[f] >> d & 1)
                    mirror |= 1u << (mpp_pattern_span(k) - d);
            ck_assert(mirror == masks[0] || (n == 2 && mirror == masks[1]));
        }
    }
    uint32_t masks[2];
    ck_assert_uint_eq(mpp_pattern_forms(1, masks), 0);
    ck_assert_uint_eq(mpp_pattern_forms(7, masks), 0);
}
END_TEST

/* Whole pieces against the reference, low, around 2^32 and near 2^64;
 * and a piece of a range that starts before it. */
START_TEST(whole_pieces)
{
    static const struct {
        uint64_t lo, hi;
    } ranges[] = {
        {0, 0},
        {0, 1},
        {0, 2},
        {2, 3},
        {0, 100},
        {1, 1013},
        {0, 100000},
        {1000000000, 1000100000},
        {4294967296ULL - 20000, 4294967296ULL + 20000},
        {UINT64_MAX - 30000, UINT64_MAX},
    };
    uint64_t seed = 7;
    static summary got, want;
    for (size_t c = 0; c < sizeof ranges / sizeof ranges[0]; c++) {
        size_t n;
        uint64_t lo = ranges[c].lo, hi = ranges[c].hi;
        uint64_t *v = ref_primes(lo, hi, &n);
        reference(lo, hi, v, n, &want);
        build(&got, lo, lo, hi, v, n, &seed);
        char what[80];
        snprintf(what, sizeof what, "[%" PRIu64 ", %" PRIu64 "]", lo, hi);
        expect_same(&got, &want, what);
        free(v);
    }
    /* [0, 30] from 20 on, after the primes of [0, 19]: its primes 23 and
     * 29; the tuplets ending there: (17, 19, 23), (13, 17, 19, 23)...; the
     * gaps 4 after 19 and 6 after 23 */
    size_t n;
    uint64_t *v = ref_primes(0, 30, &n);
    build(&got, 0, 20, 30, v, n, &seed);
    static const uint64_t c30[MPP_KINDS + 1] = {0, 2, 0, 1, 0, 1, 1};
    for (int k = 1; k <= MPP_KINDS; k++)
        ck_assert_uint_eq(got.count[k], c30[k]);
    ck_assert_uint_eq(mpp_gaps_total(&got.gaps), 2);
    ck_assert_uint_eq(got.gaps.nrecords, 2);
    ck_assert_uint_eq(got.gaps.records[0].gap, 4);
    ck_assert_uint_eq(got.gaps.records[0].after, 19);
    ck_assert_uint_eq(got.gaps.records[1].gap, 6);
    /* the same piece of a range that starts at 18: (13, 17, 19, 23) and
     * the others reaching below 18 are not the range's */
    build(&got, 18, 20, 30, v, n, &seed);
    static const uint64_t c18[MPP_KINDS + 1] = {0, 2, 0, 0, 0, 0, 0};
    for (int k = 1; k <= MPP_KINDS; k++)
        ck_assert_uint_eq(got.count[k], c18[k]);
    free(v);
}
END_TEST

/* ../shared/reference/patterns.md: tuplet counts in [0, x] and in an
 * interval near 2^32; the maximal gaps below 10^6. */
START_TEST(reference_tables)
{
    static const struct {
        uint64_t lo, hi, c[MPP_KINDS + 1];
    } rows[] = {
        {0, 10, {0, 4, 2, 0, 0, 0, 0}},
        {0, 30, {0, 10, 4, 5, 2, 3, 1}},
        {0, 100, {0, 25, 8, 8, 2, 3, 1}},
        {0, 1000, {0, 168, 35, 30, 5, 5, 2}},
        {0, 10000, {0, 1229, 205, 112, 12, 9, 2}},
        {0, 100000, {0, 9592, 1224, 507, 38, 21, 5}},
        {0, 1000000, {0, 78498, 8169, 2837, 166, 65, 5}},
        {0, 10000000, {0, 664579, 58980, 17220, 899, 321, 18}},
        {4294967000ULL, 4294968000ULL, {0, 47, 2, 0, 0, 0, 0}},
    };
    uint64_t seed = 11;
    static summary r;
    for (size_t c = 0; c < sizeof rows / sizeof rows[0]; c++) {
        size_t n;
        uint64_t *v = ref_primes(rows[c].lo, rows[c].hi, &n);
        build(&r, rows[c].lo, rows[c].lo, rows[c].hi, v, n, &seed);
        for (int k = 1; k <= MPP_KINDS; k++)
            ck_assert_msg(r.count[k] == rows[c].c[k],
                          "[%" PRIu64 ", %" PRIu64 "]: %d-tuplets %" PRIu64
                          ", the table says %" PRIu64,
                          rows[c].lo, rows[c].hi, k, r.count[k], rows[c].c[k]);
        free(v);
    }
    static const uint64_t gaps[][2] = {
        {1, 2},      {2, 3},      {4, 7},       {6, 23},      {8, 89},       {14, 113},
        {18, 523},   {20, 887},   {22, 1129},   {34, 1327},   {36, 9551},    {44, 15683},
        {52, 19609}, {72, 31397}, {86, 155921}, {96, 360653}, {112, 370261}, {114, 492113},
    };
    size_t n;
    uint64_t *v = ref_primes(0, 1000000, &n);
    build(&r, 0, 0, 1000000, v, n, &seed);
    ck_assert_uint_eq(r.gaps.nrecords, sizeof gaps / sizeof gaps[0]);
    for (unsigned i = 0; i < r.gaps.nrecords; i++) {
        ck_assert_uint_eq(r.gaps.records[i].gap, gaps[i][0]);
        ck_assert_uint_eq(r.gaps.records[i].after, gaps[i][1]);
    }
    mpp_gap big = mpp_gaps_largest(&r.gaps);
    ck_assert_uint_eq(big.gap, 114);
    ck_assert_uint_eq(big.after, 492113);
    ck_assert_uint_eq(mpp_gaps_total(&r.gaps), 78497);
    free(v);
}
END_TEST

/* Cuts [LO, HI] into pieces of random lengths (a third of them 1 to 40
 * numbers, shorter than a tuplet's reach, so that tuplets and gaps cross
 * several), builds each, and merges them in a random order, one by one,
 * and in a random grouping: always the whole range's patterns. */
static void split_and_merge(uint64_t lo, uint64_t hi, uint64_t seed, uint64_t longest)
{
    size_t n;
    uint64_t *v = ref_primes(lo, hi, &n);
    summary *want = malloc(sizeof *want);
    ck_assert_ptr_nonnull(want);
    reference(lo, hi, v, n, want);
    size_t cap = 64, np = 0;
    summary *p = malloc(cap * sizeof *p);
    ck_assert_ptr_nonnull(p);
    for (uint64_t a = lo;;) {
        uint64_t draw = test_splitmix(&seed);
        uint64_t len = draw % 3 == 0 ? 1 + (draw >> 8) % 40 : 1 + (draw >> 8) % longest;
        uint64_t b = hi - a < len - 1 ? hi : a + len - 1;
        if (np == cap) {
            cap *= 2;
            p = realloc(p, cap * sizeof *p);
            ck_assert_ptr_nonnull(p);
        }
        build(&p[np++], lo, a, b, v, n, &seed);
        if (b == hi)
            break;
        a = b + 1;
    }
    char what[120];
    snprintf(what, sizeof what, "[%" PRIu64 ", %" PRIu64 "] in %zu pieces (seed %" PRIu64 ")",
             lo, hi, np, seed);
    for (size_t i = np - 1; i > 0; i--) { /* shuffled */
        size_t j = (size_t)(test_splitmix(&seed) % (i + 1));
        summary t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
    summary *acc = malloc(sizeof *acc);
    ck_assert_ptr_nonnull(acc);
    memset(acc, 0, sizeof *acc);
    for (size_t i = 0; i < np; i++)
        merge(acc, &p[i]);
    expect_same(acc, want, what);
    while (np > 1) { /* any two merged until one is left */
        size_t i = (size_t)(test_splitmix(&seed) % np), j = (size_t)(test_splitmix(&seed) % np);
        if (i == j)
            continue;
        merge(&p[i], &p[j]);
        p[j] = p[np - 1];
        np--;
    }
    expect_same(&p[0], want, what);
    free(acc);
    free(p);
    free(want);
    free(v);
}

START_TEST(random_splits)
{
    uint64_t seed = 2026;
    for (uint64_t t = 0; t < test_iters(12); t++) {
        split_and_merge(0, 3000, test_splitmix(&seed), 200);
        split_and_merge(1, 1013, test_splitmix(&seed), 100);
        split_and_merge(18, 600, test_splitmix(&seed), 50);
        split_and_merge(1000000007ULL, 1000000007ULL + 20000, test_splitmix(&seed), 3000);
        split_and_merge(4294967296ULL - 3000, 4294967296ULL + 3000, test_splitmix(&seed), 500);
        split_and_merge(UINT64_MAX - 4000, UINT64_MAX, test_splitmix(&seed), 700);
    }
    split_and_merge(0, 200000, 99, 20000);
}
END_TEST

/* The staircase of records: a record dominated by one before it stays
 * out, one that beats later ones removes them, merging is commutative, and
 * merging the same gaps twice changes only the histogram. */
START_TEST(merge_rules)
{
    static mpp_gaps a, b, ab, ba;
    mpp_gaps_clear(&a);
    mpp_gaps_clear(&b);
    mpp_gaps_add(&a, 4, 100, true);
    mpp_gaps_add(&a, 10, 500, true);
    mpp_gaps_add(&a, 12, 900, true);
    mpp_gaps_add(&a, 2, 901, false); /* not a record of its piece: histogram only */
    mpp_gaps_add(&b, 6, 50, true);   /* beats the 4 after 100 */
    mpp_gaps_add(&b, 8, 700, true);  /* beaten by the 10 after 500 */
    mpp_gaps_add(&b, 20, 1000, true);
    ab = a;
    mpp_gaps_merge(&ab, &b);
    ba = b;
    mpp_gaps_merge(&ba, &a);
    static const uint64_t want[][2] = {{6, 50}, {10, 500}, {12, 900}, {20, 1000}};
    ck_assert_uint_eq(ab.nrecords, 4);
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(ab.records[i].gap, want[i][0]);
        ck_assert_uint_eq(ab.records[i].after, want[i][1]);
    }
    ck_assert(!memcmp(&ab, &ba, sizeof ab));
    ck_assert_uint_eq(mpp_gaps_total(&ab), 7);
    mpp_gap big = mpp_gaps_largest(&ab);
    ck_assert_uint_eq(big.gap, 20);
    ck_assert_uint_eq(big.after, 1000);
    mpp_gaps_merge(&ab, &b);
    ck_assert_uint_eq(ab.nrecords, 4);
    ck_assert_uint_eq(mpp_gaps_total(&ab), 10);
    mpp_gaps_clear(&a);
    ck_assert_uint_eq(mpp_gaps_largest(&a).gap, 0);
    mpp_gaps_merge(&a, &ba); /* into nothing: a copy */
    ck_assert(!memcmp(&a, &ba, sizeof a));
    /* a piece without primes: nothing, and the gap crosses it (the piece
     * after it is built after the prime before both) */
    size_t n;
    uint64_t *v = ref_primes(0, 200, &n);
    uint64_t seed = 3;
    static summary s;
    build(&s, 0, 114, 126, v, n, &seed);
    ck_assert_uint_eq(s.count[1], 0);
    ck_assert_uint_eq(mpp_gaps_total(&s.gaps), 0);
    build(&s, 0, 127, 200, v, n, &seed);
    ck_assert_uint_eq(s.gaps.records[0].gap, 14);
    ck_assert_uint_eq(s.gaps.records[0].after, 113);
    free(v);
}
END_TEST

/* On the wire and back: every field as it was; and words that are not
 * gaps are refused. */
START_TEST(wire_round_trip)
{
    static summary a;
    static mpp_gaps back;
    static uint64_t w[MPP_GAPS_MAX_WORDS + 1];
    uint64_t seed = 5;
    size_t nlow;
    uint64_t *low = ref_primes(0, 100000, &nlow);
    for (int c = 0; c < 3; c++) {
        if (c == 0)
            memset(&a, 0, sizeof a); /* nothing yet */
        else if (c == 1)
            build(&a, 24, 24, 28, low, nlow, &seed); /* no prime */
        else
            build(&a, 0, 0, 100000, low, nlow, &seed);
        size_t words = mpp_gaps_pack(&a.gaps, w);
        ck_assert(words <= MPP_GAPS_MAX_WORDS);
        ck_assert(mpp_gaps_unpack(w, words, &back));
        expect_gaps(&back, &a.gaps, "unpacked");
        w[words] = 12345; /* a word more: ignored */
        ck_assert(mpp_gaps_unpack(w, words + 1, &back));
        expect_gaps(&back, &a.gaps, "unpacked from more words");
        /* one word short, or a count out of bounds: refused */
        ck_assert(!mpp_gaps_unpack(w, words - 1, &back));
        ck_assert_uint_eq(back.nrecords, 0);
        uint64_t keep = w[0];
        w[0] = MPP_RECORDS_MAX + 1;
        ck_assert(!mpp_gaps_unpack(w, MPP_GAPS_MAX_WORDS, &back));
        w[0] = keep;
        if (c == 2) {
            /* a histogram slot beyond the limit, or twice */
            size_t last = words - 2;
            uint64_t g = w[last];
            w[last] = MPP_GAP_LIMIT;
            ck_assert(!mpp_gaps_unpack(w, words, &back));
            w[last] = w[last - 2];
            ck_assert(!mpp_gaps_unpack(w, words, &back));
            w[last] = g;
            /* records that do not grow */
            uint64_t r1 = w[4];
            w[4] = w[2];
            ck_assert(!mpp_gaps_unpack(w, words, &back));
            w[4] = r1;
            ck_assert(mpp_gaps_unpack(w, words, &back));
        }
    }
    free(low);
}
END_TEST

/* A rank's finder hands the patterns their primes: pieces of a range given
 * to one finder in a shuffled order (jumps back and forth, as dynamic's
 * chunks may come), by the sieve and by trial division, each built after
 * what mpp_primes_before finds, merged as they come: the whole range's
 * patterns. */
START_TEST(pieces_from_a_finder)
{
    static const struct {
        uint64_t lo, hi;
    } ranges[] = {{0, 200000},
                  {1000000000000ULL, 1000000000000ULL + 60000},
                  {4294967296ULL - 30000, 4294967296ULL + 30000}};
    /* (not near 2^64: a piece before the one last sieved opens a new
     * window there, every prime up to 2^32 made again, seconds each) */
    uint64_t seed = 17;
    for (size_t c = 0; c < sizeof ranges / sizeof ranges[0]; c++)
        for (int m = 0; m < 2; m++) {
            uint64_t lo = ranges[c].lo, hi = ranges[c].hi;
            if (m == MPP_METHOD_TRIAL && lo > 0)
                continue; /* trial division up there: long for a unit test */
            size_t n;
            uint64_t *v = ref_primes(lo, hi, &n);
            static summary want, acc;
            reference(lo, hi, v, n, &want);
            enum { NP = 13 };
            /* piece i is [cut[i], cut[i + 1] - 1], the last one up to HI;
             * the cuts ascend by random steps, some of a few numbers */
            uint64_t cut[NP];
            cut[0] = lo;
            for (int i = 1; i < NP; i++)
                cut[i] = cut[i - 1] + 1 +
                         (i % 4 == 0 ? test_splitmix(&seed) % 20
                                     : test_splitmix(&seed) % ((hi - lo) / NP));
            int order[NP];
            for (int i = 0; i < NP; i++)
                order[i] = i;
            for (int i = NP - 1; i > 0; i--) {
                int j = (int)(test_splitmix(&seed) % (uint64_t)(i + 1)), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            mpp_finder *f = mpp_finder_new((mpp_method)m, hi);
            ck_assert_ptr_nonnull(f);
            memset(&acc, 0, sizeof acc);
            for (int k = 0; k < NP; k++) {
                int i = order[k];
                uint64_t a = cut[i], b = i + 1 < NP ? cut[i + 1] - 1 : hi;
                uint64_t before[MPP_BEFORE_MAX];
                size_t nb = mpp_primes_before(lo, a, MPP_SPAN, before);
                mpp_patterns p;
                mpp_patterns_begin(&p, before, nb, &acc.gaps);
                mpp_sink sink = {mpp_patterns_sink, &p};
                mpp_tally t;
                ck_assert_int_eq(mpp_finder_find(f, a, b, &sink, &t, NULL), MPP_OK);
                ck_assert_uint_eq(t.count, p.count[1]);
                static summary piece;
                memset(&piece, 0, sizeof piece);
                memcpy(piece.count, p.count, sizeof p.count);
                piece.first = p.first;
                piece.last = p.last;
                merge(&acc, &piece); /* (its gaps went into ACC's already) */
            }
            mpp_finder_free(f);
            expect_same(&acc, &want, m ? "trial division's pieces" : "the sieve's pieces");
            free(v);
        }
}
END_TEST

/* The sieve's bytes (mpp_patterns_wheel) against the reference: a range
 * cut into pieces at random points (mid-byte, a few numbers long, or
 * long), each sieved after what mpp_primes_before finds, through a sieve
 * state with segments of 64 to 4096 bytes (so a piece is many stretches,
 * and a twin (30 k + 29, 30 k + 31) falls across two of them), in a
 * shuffled order; the counts and the gaps merged must be the range's. */
static void wheel_pieces(uint64_t lo, uint64_t hi, uint32_t segment, uint64_t *seed,
                         bool shuffle)
{
    size_t n;
    uint64_t *v = ref_primes(lo, hi, &n);
    static summary want, acc, piece;
    reference(lo, hi, v, n, &want);
    enum { NP = 9 };
    uint64_t cut[NP + 1];
    cut[0] = lo;
    for (int i = 1; i < NP; i++) {
        uint64_t room = (hi - lo) / NP;
        uint64_t step = test_splitmix(seed) % 3 == 0 ? test_splitmix(seed) % 40
                                                     : test_splitmix(seed) % (room + 1);
        cut[i] = cut[i - 1] + 1 + step;
        if (cut[i] > hi)
            cut[i] = hi;
    }
    cut[NP] = hi + 1; /* (may wrap at 2^64: only compared as cut[i + 1] - 1) */
    int order[NP];
    for (int i = 0; i < NP; i++)
        order[i] = i;
    for (int i = NP - 1; shuffle && i > 0; i--) {
        int j = (int)(test_splitmix(seed) % (uint64_t)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    mpp_sieve_config cfg = {.segment_bytes = segment, .chunk_bytes = 0, .no_presieve = 0,
                            .window = 0};
    mpp_sieve_state *st = mpp_sieve_state_new(hi, &cfg);
    ck_assert_ptr_nonnull(st);
    memset(&acc, 0, sizeof acc);
    for (int k = 0; k < NP; k++) {
        int i = order[k];
        uint64_t a = cut[i], b = cut[i + 1] - 1;
        if (a > b)
            continue; /* empty: its cuts were clamped at HI */
        uint64_t before[MPP_BEFORE_MAX];
        size_t nb = mpp_primes_before(lo, a, MPP_SPAN, before);
        mpp_patterns p;
        mpp_patterns_begin(&p, before, nb, &acc.gaps);
        mpp_wheel_sink ws = {mpp_patterns_sink, mpp_patterns_wheel, &p};
        mpp_tally t;
        ck_assert_int_eq(mpp_sieve_state_find_wheel(st, a, b, &ws, &t, NULL), MPP_OK);
        REQUIRE(t.count == p.count[1], "[%" PRIu64 ", %" PRIu64 "]: tally %" PRIu64
                ", patterns %" PRIu64, a, b, t.count, p.count[1]);
        REQUIRE(!t.count || (t.first == p.first && t.last == p.last),
                "[%" PRIu64 ", %" PRIu64 "]: first/last", a, b);
        memset(&piece, 0, sizeof piece);
        memcpy(piece.count, p.count, sizeof p.count);
        piece.first = p.first;
        piece.last = p.last;
        merge(&acc, &piece);
    }
    mpp_sieve_state_free(st);
    char what[120];
    snprintf(what, sizeof what, "bytes of [%" PRIu64 ", %" PRIu64 "], segments of %u", lo, hi,
             segment);
    expect_same(&acc, &want, what);
    free(v);
}

START_TEST(the_sieves_bytes)
{
    uint64_t seed = 31;
    static const uint32_t segments[] = {64, 256, 4096};
    for (uint64_t t = 0; t < test_iters(4); t++)
        for (size_t s = 0; s < 3; s++) {
            wheel_pieces(0, 30000, segments[s], &seed, true);
            wheel_pieces(0, 40, segments[s], &seed, false);
            wheel_pieces(5, 29, segments[s], &seed, false);
            wheel_pieces(29, 2000, segments[s], &seed, true);
            wheel_pieces(1000000000000ULL - 7, 1000000000000ULL + 50000, segments[s], &seed,
                         false);
            wheel_pieces(4294967296ULL - 20000, 4294967296ULL + 20000, segments[s], &seed,
                         false);
        }
    /* near 2^64: one state, pieces in order (a piece before the last one
     * sieved there opens a new window: seconds) */
    wheel_pieces(UINT64_MAX - 30000, UINT64_MAX, 4096, &seed, false);
    wheel_pieces(0, 1000000, 0, &seed, true);
}
END_TEST

/* ---- listing tuplets (mpp_tuplets) ---- */

/* A listing's tuplets: least members and forms (bit d: p + d a member). */
typedef struct {
    uint64_t *first;
    uint32_t *form;
    size_t n, cap;
    size_t refuse_after; /* the emit function refuses the tuplet after this many (SIZE_MAX: none) */
} tuplet_list;

static void list_add(tuplet_list *l, uint64_t first, uint32_t form)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->first = realloc(l->first, l->cap * sizeof *l->first);
        l->form = realloc(l->form, l->cap * sizeof *l->form);
        ck_assert(l->first != NULL && l->form != NULL);
    }
    l->first[l->n] = first;
    l->form[l->n] = form;
    l->n++;
}

/* The tuplet function under test: keeps them, and refuses (as a full
 * buffer does, returning a positive code) once REFUSE_AFTER are kept. */
static int list_emit(void *ctx, const uint64_t *first, const uint32_t *form, size_t n)
{
    tuplet_list *l = ctx;
    ck_assert_uint_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        if (l->n >= l->refuse_after)
            return 28;
        list_add(l, first[i], form[i]);
    }
    return 0;
}

/* The K-tuplets of [LO, HI] from its primes V[0..N-1], by the definitions:
 * every prime of the range as the first member of each of kind K's forms
 * (FORM_OFFSETS), all members in the range. */
static void reference_list(int k, uint64_t lo, uint64_t hi, const uint64_t *v, size_t n,
                           tuplet_list *out)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] < lo || v[i] > hi)
            continue;
        for (size_t f = 0; f < NFORMS; f++) {
            if (FORM_OFFSETS[f][0] != k)
                continue;
            uint32_t form = 0;
            bool all = true;
            for (int j = 1; j < 7 && FORM_OFFSETS[f][j] >= 0; j++) {
                uint64_t m = v[i] + (uint64_t)FORM_OFFSETS[f][j];
                all = all && m >= v[i] && m <= hi && in_list(v, n, m);
                form |= 1u << FORM_OFFSETS[f][j];
            }
            if (all) {
                list_add(out, v[i], form);
                break;
            }
        }
    }
}

/* Lists kind K of [LO, HI] as a listing does: pieces from LO on, each
 * after the primes before it, from the sieve's bytes (segments of SEGMENT
 * bytes) or, when PUSH, from its primes pushed in random batches; when
 * REFUSE, the emit function refuses after a random number of tuplets now
 * and then,
 * and the next piece starts right after the last member of the last
 * tuplet kept (a round cut short by a full buffer). The list must be the
 * reference's, in order. */
static void list_pieces(int k, uint64_t lo, uint64_t hi, uint32_t segment, bool push,
                        bool refuse, uint64_t *seed)
{
    size_t n;
    uint64_t *v = ref_primes(lo, hi, &n);
    tuplet_list want = {NULL, NULL, 0, 0, SIZE_MAX}, got = {NULL, NULL, 0, 0, SIZE_MAX};
    reference_list(k, lo, hi, v, n, &want);
    mpp_sieve_config cfg = {.segment_bytes = segment, .chunk_bytes = 0, .no_presieve = 0,
                            .window = 0};
    mpp_sieve_state *st = push ? NULL : mpp_sieve_state_new(hi, &cfg);
    ck_assert(push || st != NULL);
    uint64_t a = lo;
    int pieces = 0;
    for (;;) {
        uint64_t room = (hi - a) / 4;
        uint64_t step = test_splitmix(seed) % 3 == 0 ? test_splitmix(seed) % 40
                                                     : test_splitmix(seed) % (room + 1);
        uint64_t b = step >= hi - a ? hi : a + step;
        got.refuse_after = refuse && test_splitmix(seed) % 4 == 0
                               ? got.n + test_splitmix(seed) % 5 : SIZE_MAX;
        uint64_t before[MPP_BEFORE_MAX];
        size_t nb = mpp_primes_before(lo, a, MPP_SPAN, before);
        mpp_tuplets t;
        mpp_tuplets_begin(&t, k, before, nb, list_emit, &got);
        size_t had = got.n;
        int rc;
        if (push) {
            size_t i = 0, j;
            while (i < n && v[i] < a)
                i++;
            for (j = i; j < n && v[j] <= b; j++)
                ;
            rc = 0;
            while (i < j && rc == 0) {
                size_t batch = 1 + (size_t)(test_splitmix(seed) % 9);
                batch = batch > j - i ? j - i : batch;
                rc = mpp_tuplets_sink(&t, v + i, batch);
                i += batch;
            }
        } else {
            mpp_wheel_sink ws = {mpp_tuplets_sink, mpp_tuplets_wheel, &t};
            mpp_tally tally;
            rc = mpp_sieve_state_find_wheel(st, a, b, &ws, &tally, NULL);
        }
        pieces++;
        if (rc != 0) { /* refused: go on after the last tuplet kept */
            ck_assert_int_eq(rc, 28);
            ck_assert_uint_eq(got.n, got.refuse_after);
            if (got.n > had) {
                uint64_t end = got.first[got.n - 1] +
                               (31u - (unsigned)__builtin_clz(got.form[got.n - 1]));
                if (end == hi)
                    break;
                a = end + 1;
                continue;
            }
            /* nothing kept: the piece again, whole */
            got.refuse_after = SIZE_MAX;
            continue;
        }
        if (b == hi)
            break;
        a = b + 1;
    }
    mpp_sieve_state_free(st);
    char what[160];
    snprintf(what, sizeof what, "%d-tuplets of [%" PRIu64 ", %" PRIu64 "], %s, %d pieces", k,
             lo, hi, push ? "pushed" : "bytes", pieces);
    REQUIRE(got.n == want.n, "%s: %zu listed, %zu wanted", what, got.n, want.n);
    for (size_t i = 0; i < want.n; i++)
        REQUIRE(got.first[i] == want.first[i] && got.form[i] == want.form[i],
                "%s: tuplet %zu is (%" PRIu64 ", %#x), wanted (%" PRIu64 ", %#x)", what, i,
                got.first[i], got.form[i], want.first[i], want.form[i]);
    free(want.first);
    free(want.form);
    free(got.first);
    free(got.form);
    free(v);
}

START_TEST(listing_tuplets)
{
    uint64_t seed = 47;
    static const uint32_t segments[] = {64, 256, 4096};
    /* under valgrind (MPP_TEST_SCALE > 1) one segment size a kind, in turn */
    bool all = test_iters(2) > 1;
    for (int k = 2; k <= MPP_KINDS; k++)
        for (uint64_t t = 0; t < test_iters(2); t++)
            for (size_t s = 0; s < 3; s++) {
                if (!all && s != (size_t)k % 3)
                    continue;
                bool push = (s == 0 && t % 2) || (!all && k % 2);
                list_pieces(k, 0, 30000 / (all ? 1 : 10), segments[s], push, true, &seed);
                list_pieces(k, 0, 40, segments[s], push, true, &seed);
                list_pieces(k, 5, 29, segments[s], push, true, &seed);
                list_pieces(k, 8, 3000, segments[s], push, true, &seed);
                list_pieces(k, 12, 3000, segments[s], push, true, &seed);
                list_pieces(k, 1000000000000ULL - 7, 1000000000000ULL + 30000 / (all ? 1 : 10),
                            segments[s], push, true, &seed);
                list_pieces(k, 4294967296ULL - 2000, 4294967296ULL + 2000, segments[s], push, true,
                            &seed);
            }
}
END_TEST

/* Near 2^64 (the sieving primes to 2^32: seconds under valgrind) and a
 * long range with the default segments. */
START_TEST(listing_tuplets_far)
{
    uint64_t seed = 53;
    for (int k = 2; k <= MPP_KINDS; k++) {
        /* (a piece before the last one sieved there makes the state generate
         * the sieving primes to 2^32 again: no refusals) */
        if (k == 2 || k == 5) /* (the sieving primes to 2^32 take a second each) */
            list_pieces(k, UINT64_MAX - 20000, UINT64_MAX, 4096, false, false, &seed);
        list_pieces(k, 0, 2000000, 0, false, true, &seed);
    }
}
END_TEST

static Suite *patterns_suite(void)
{
    Suite *s = suite_create("patterns");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, forms_as_defined);
    tcase_add_test(tc, whole_pieces);
    tcase_add_test(tc, reference_tables);
    tcase_add_test(tc, random_splits);
    tcase_add_test(tc, merge_rules);
    tcase_add_test(tc, wire_round_trip);
    tcase_add_test(tc, pieces_from_a_finder);
    tcase_add_test(tc, the_sieves_bytes);
    tcase_add_test(tc, listing_tuplets);
    suite_add_tcase(s, tc);
    TCase *hc = tcase_create("heavy");
    tcase_set_tags(hc, "heavy");
    tcase_set_timeout(hc, 120);
    tcase_add_test(hc, listing_tuplets_far);
    suite_add_tcase(s, hc);
    return s;
}

int main(void)
{
    return run_suite(patterns_suite());
}
