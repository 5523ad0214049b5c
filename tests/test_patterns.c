/* test_patterns.c - k-tuplets and gaps of a piece (patterns.h) against a
 * plain reference written here from the definitions, against the tables of
 * ../shared/reference/patterns.md, and the merge of pieces over random
 * splits (tiny pieces included, so that a tuplet crosses several) in random
 * groupings: always the whole range's patterns. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finder.h"
#include "patterns.h"
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

/* The patterns of [LO, HI] from its primes V[0..N-1], by the definitions:
 * every prime tried as the first member of every form; consecutive primes
 * for the gaps. Only the fields a user sees, plus the edges. */
static void reference(uint64_t lo, uint64_t hi, const uint64_t *v, size_t n, mpp_patterns *r)
{
    memset(r, 0, sizeof *r);
    r->covered = true;
    r->lo = lo;
    r->hi = hi;
    r->count[1] = n;
    for (size_t i = 0; i < n; i++) {
        bool kind[MPP_KINDS + 1] = {false};
        for (size_t f = 0; f < NFORMS; f++) {
            bool all = true;
            for (int j = 1; j < 7 && FORM_OFFSETS[f][j] >= 0; j++) {
                uint64_t off = (uint64_t)FORM_OFFSETS[f][j];
                all = all && v[i] <= hi - off && in_list(v, n, v[i] + off);
            }
            if (all)
                kind[FORM_OFFSETS[f][0]] = true;
        }
        for (int k = 2; k <= MPP_KINDS; k++)
            r->count[k] += kind[k];
        if (i > 0) {
            uint64_t g = v[i] - v[i - 1];
            r->hist[g]++;
            if (g > (r->nrecords ? r->records[r->nrecords - 1].gap : 0))
                r->records[r->nrecords++] = (mpp_gap){g, v[i - 1]};
        }
        if (v[i] - lo < 16)
            r->head[r->nhead++] = v[i];
        if (hi - v[i] < 16)
            r->tail[r->ntail++] = v[i];
    }
    if (n) {
        r->first = v[0];
        r->last = v[n - 1];
    }
}

static void expect_same(const mpp_patterns *got, const mpp_patterns *want, const char *what)
{
    REQUIRE(got->covered == want->covered && got->lo == want->lo && got->hi == want->hi,
            "%s: stretch [%" PRIu64 ", %" PRIu64 "], want [%" PRIu64 ", %" PRIu64 "]", what,
            got->lo, got->hi, want->lo, want->hi);
    for (int k = 1; k <= MPP_KINDS; k++)
        REQUIRE(got->count[k] == want->count[k], "%s: %d-tuplets %" PRIu64 ", want %" PRIu64,
                what, k, got->count[k], want->count[k]);
    if (want->count[1])
        REQUIRE(got->first == want->first && got->last == want->last,
                "%s: first %" PRIu64 " last %" PRIu64 ", want %" PRIu64 " %" PRIu64, what,
                got->first, got->last, want->first, want->last);
    REQUIRE(got->nhead == want->nhead &&
                !memcmp(got->head, want->head, want->nhead * sizeof *want->head),
            "%s: head of %u primes, want %u", what, got->nhead, want->nhead);
    REQUIRE(got->ntail == want->ntail &&
                !memcmp(got->tail, want->tail, want->ntail * sizeof *want->tail),
            "%s: tail of %u primes, want %u", what, got->ntail, want->ntail);
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

/* The patterns of [LO, HI] built by the module from the primes V (those of
 * the piece among them), pushed in batches of random sizes. */
static void build(mpp_patterns *r, uint64_t lo, uint64_t hi, const uint64_t *v, size_t n,
                  uint64_t *seed)
{
    size_t i = 0;
    while (i < n && v[i] < lo)
        i++;
    size_t j = i;
    while (j < n && v[j] <= hi)
        j++;
    mpp_patterns_begin(r, lo, hi);
    while (i < j) {
        size_t batch = 1 + (size_t)(test_splitmix(seed) % 9);
        if (batch > j - i)
            batch = j - i;
        mpp_patterns_push(r, v + i, batch);
        i += batch;
    }
    mpp_patterns_end(r);
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

/* Whole pieces against the reference, low, around 2^32 and near 2^64. */
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
        {1, 1013}, /* 17 and 997: primes at the edges' last places */
        {0, 100000},
        {1000000000, 1000100000},
        {4294967296ULL - 20000, 4294967296ULL + 20000},
        {UINT64_MAX - 30000, UINT64_MAX},
    };
    uint64_t seed = 7;
    for (size_t c = 0; c < sizeof ranges / sizeof ranges[0]; c++) {
        size_t n;
        uint64_t *v = ref_primes(ranges[c].lo, ranges[c].hi, &n);
        mpp_patterns got, want;
        reference(ranges[c].lo, ranges[c].hi, v, n, &want);
        build(&got, ranges[c].lo, ranges[c].hi, v, n, &seed);
        char what[80];
        snprintf(what, sizeof what, "[%" PRIu64 ", %" PRIu64 "]", ranges[c].lo, ranges[c].hi);
        expect_same(&got, &want, what);
        free(v);
    }
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
    for (size_t c = 0; c < sizeof rows / sizeof rows[0]; c++) {
        size_t n;
        uint64_t *v = ref_primes(rows[c].lo, rows[c].hi, &n);
        mpp_patterns r;
        build(&r, rows[c].lo, rows[c].hi, v, n, &seed);
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
    mpp_patterns r;
    build(&r, 0, 1000000, v, n, &seed);
    ck_assert_uint_eq(r.nrecords, sizeof gaps / sizeof gaps[0]);
    for (unsigned i = 0; i < r.nrecords; i++) {
        ck_assert_uint_eq(r.records[i].gap, gaps[i][0]);
        ck_assert_uint_eq(r.records[i].after, gaps[i][1]);
    }
    mpp_gap big = mpp_patterns_largest(&r);
    ck_assert_uint_eq(big.gap, 114);
    ck_assert_uint_eq(big.after, 492113);
    free(v);
}
END_TEST

/* Cuts [LO, HI] into pieces of random lengths (a third of them 1 to 40
 * numbers, shorter than a tuplet's reach, so that tuplets and gaps cross
 * several), builds each, and merges them left to right and in a random
 * grouping: both must equal the whole range's patterns. */
static void split_and_merge(uint64_t lo, uint64_t hi, uint64_t seed, uint64_t longest)
{
    size_t n;
    uint64_t *v = ref_primes(lo, hi, &n);
    mpp_patterns *want = malloc(sizeof *want);
    ck_assert_ptr_nonnull(want);
    reference(lo, hi, v, n, want);
    size_t cap = 64, np = 0;
    mpp_patterns *p = malloc(cap * sizeof *p);
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
        build(&p[np++], a, b, v, n, &seed);
        if (b == hi)
            break;
        a = b + 1;
    }
    char what[120];
    snprintf(what, sizeof what, "[%" PRIu64 ", %" PRIu64 "] in %zu pieces (seed %" PRIu64 ")",
             lo, hi, np, seed);
    /* left to right, from the identity */
    mpp_patterns *acc = malloc(sizeof *acc);
    ck_assert_ptr_nonnull(acc);
    mpp_patterns_clear(acc);
    for (size_t i = 0; i < np; i++)
        REQUIRE(mpp_patterns_merge(acc, &p[i]), "%s: piece %zu does not meet", what, i);
    expect_same(acc, want, what);
    /* a random grouping: adjacent pairs merged until one is left */
    while (np > 1) {
        size_t i = (size_t)(test_splitmix(&seed) % (np - 1));
        REQUIRE(mpp_patterns_merge(&p[i], &p[i + 1]), "%s: grouping", what);
        memmove(&p[i + 1], &p[i + 2], (np - i - 2) * sizeof *p);
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
        /* 17 = 1 + 16 and 997 = 1013 - 16 prime: the edges' last places */
        split_and_merge(1, 1013, test_splitmix(&seed), 100);
        split_and_merge(1000000007ULL, 1000000007ULL + 20000, test_splitmix(&seed), 3000);
        split_and_merge(4294967296ULL - 3000, 4294967296ULL + 3000, test_splitmix(&seed), 500);
        split_and_merge(UINT64_MAX - 4000, UINT64_MAX, test_splitmix(&seed), 700);
    }
    split_and_merge(0, 200000, 99, 20000);
}
END_TEST

/* The identity, pieces that do not meet, and pieces without primes. */
START_TEST(merge_rules)
{
    static mpp_patterns a, b, c, before;
    size_t n;
    uint64_t *v = ref_primes(0, 200, &n);
    uint64_t seed = 3;
    build(&a, 0, 99, v, n, &seed);
    build(&b, 100, 200, v, n, &seed);
    mpp_patterns_clear(&c);
    before = a;
    ck_assert(mpp_patterns_merge(&a, &c)); /* nothing: no change */
    ck_assert(!memcmp(&a, &before, sizeof a));
    ck_assert(mpp_patterns_merge(&c, &a)); /* into nothing: a copy */
    ck_assert(!memcmp(&c, &a, sizeof a));
    ck_assert(!mpp_patterns_merge(&b, &a)); /* out of order */
    build(&c, 150, 200, v, n, &seed);
    ck_assert(!mpp_patterns_merge(&a, &c)); /* a hole */
    ck_assert(!memcmp(&a, &before, sizeof a));
    /* a stretch without primes between two with: the gap crosses it */
    build(&a, 0, 113, v, n, &seed);
    build(&b, 114, 126, v, n, &seed);
    build(&c, 127, 200, v, n, &seed);
    ck_assert_uint_eq(b.count[1], 0);
    ck_assert_uint_eq(mpp_patterns_largest(&b).gap, 0);
    ck_assert(mpp_patterns_merge(&a, &b) && mpp_patterns_merge(&a, &c));
    mpp_gap big = mpp_patterns_largest(&a);
    ck_assert_uint_eq(big.gap, 14);
    ck_assert_uint_eq(big.after, 113);
    /* the top of the 64-bit range has no piece after it */
    build(&a, UINT64_MAX - 10, UINT64_MAX, v, 0, &seed);
    mpp_patterns_clear(&b);
    b.covered = true;
    b.lo = 0;
    ck_assert(!mpp_patterns_merge(&a, &b));
    free(v);
}
END_TEST

/* On the wire and back: every field as it was; and words that are not a
 * result are refused. */
START_TEST(wire_round_trip)
{
    static mpp_patterns a, b, back;
    static uint64_t w[MPP_PATTERNS_MAX_WORDS + 1];
    uint64_t seed = 5;
    size_t n;
    uint64_t *v = ref_primes(UINT64_MAX - 3000, UINT64_MAX, &n);
    uint64_t *low = NULL;
    size_t nlow;
    low = ref_primes(0, 100000, &nlow);
    for (int c = 0; c < 4; c++) {
        if (c == 0)
            mpp_patterns_clear(&a); /* nothing yet */
        else if (c == 1)
            build(&a, 24, 28, low, nlow, &seed); /* no prime */
        else if (c == 2)
            build(&a, 0, 100000, low, nlow, &seed);
        else {
            build(&a, UINT64_MAX - 3000, UINT64_MAX - 1001, v, n, &seed);
            build(&b, UINT64_MAX - 1000, UINT64_MAX, v, n, &seed);
            ck_assert(mpp_patterns_merge(&a, &b));
        }
        size_t words = mpp_patterns_pack(&a, w);
        ck_assert_uint_eq(words, mpp_patterns_words(&a));
        ck_assert(words <= MPP_PATTERNS_MAX_WORDS);
        ck_assert(mpp_patterns_unpack(w, words, &back));
        expect_same(&back, &a, "unpacked");
        ck_assert_int_eq(back.covered, a.covered);
        /* one word short or long, or a count out of bounds: refused */
        ck_assert(!mpp_patterns_unpack(w, words - 1, &back));
        ck_assert(!back.covered);
        ck_assert(!mpp_patterns_unpack(w, words + 1, &back));
        uint64_t keep = w[0];
        w[0] = keep | (uint64_t)(MPP_EDGE + 1) << 8;
        ck_assert(!mpp_patterns_unpack(w, words, &back));
        w[0] = keep;
        if (c == 2) { /* a histogram slot beyond the limit, or twice */
            size_t last = words - 2;
            uint64_t g = w[last];
            w[last] = MPP_GAP_LIMIT;
            ck_assert(!mpp_patterns_unpack(w, words, &back));
            w[last] = w[last - 2];
            ck_assert(!mpp_patterns_unpack(w, words, &back));
            w[last] = g;
            ck_assert(mpp_patterns_unpack(w, words, &back));
        }
    }
    free(v);
    free(low);
}
END_TEST

/* A rank's finder hands the patterns their primes: pieces of a range given
 * to one finder in a shuffled order (jumps back and forth, as dynamic's
 * chunks may come), by the sieve and by trial division, then merged in
 * range order: the whole range's patterns. */
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
            static mpp_patterns want, acc;
            reference(lo, hi, v, n, &want);
            enum { NP = 13 };
            static mpp_patterns part[NP];
            /* piece i is [cut[i], cut[i + 1] - 1], the last one up to HI;
             * the cuts ascend by random steps, some of a few numbers */
            uint64_t cut[NP];
            cut[0] = lo;
            for (int i = 1; i < NP; i++)
                cut[i] = cut[i - 1] + 1 + test_splitmix(&seed) % ((hi - lo) / NP);
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
            for (int k = 0; k < NP; k++) {
                int i = order[k];
                uint64_t a = cut[i], b = i + 1 < NP ? cut[i + 1] - 1 : hi;
                mpp_patterns_begin(&part[i], a, b);
                mpp_sink sink = {mpp_patterns_sink, &part[i]};
                mpp_tally t;
                ck_assert_int_eq(mpp_finder_find(f, a, b, &sink, &t, NULL), MPP_OK);
                mpp_patterns_end(&part[i]);
                ck_assert_uint_eq(t.count, part[i].count[1]);
            }
            mpp_finder_free(f);
            mpp_patterns_clear(&acc);
            for (int i = 0; i < NP; i++)
                ck_assert(mpp_patterns_merge(&acc, &part[i]));
            expect_same(&acc, &want, m ? "trial division's pieces" : "the sieve's pieces");
            free(v);
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
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(patterns_suite());
}
