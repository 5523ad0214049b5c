/* test_explain.c - unit tests of the --explain plan (src/core/explain.c), rendered
 * into memory: only '#'-prefixed lines, for every decomposition, outlet and
 * method; the plan line names the range, the ranks, the method and the
 * decomposition; in count mode the block and balanced listings give every
 * rank's block exactly as mpp_block_decompose / mpp_balanced_decompose do
 * (and "nothing" for the ranks beyond the numbers); the modeled imbalance of
 * trial division over [2, 1e7] on 4 ranks (block about 1.34, balanced about
 * 1.00); cyclic's chunk counts per rank, dealt round-robin, summing to all
 * the chunks; dynamic's chunk count and size; the ranks beyond
 * MPP_EXPLAIN_RANKS summed up in one line; the MPI calls of each outlet and
 * decomposition, in order, and --compare only when asked for; the "why"
 * paragraph of the decomposition alone; the listing outlets' rounds and
 * buffer, the round-1 blocks covering the round's stretch.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decomp.h"
#include "explain.h"
#include "testutil.h"

static const mpp_decomposition all_decomps[] = {MPP_DECOMP_BLOCK, MPP_DECOMP_BALANCED,
                                                MPP_DECOMP_CYCLIC, MPP_DECOMP_DYNAMIC};
static const mpp_plan_outlet all_outlets[] = {MPP_PLAN_COUNT, MPP_PLAN_GATHER, MPP_PLAN_PRINT,
                                              MPP_PLAN_FILE};
static const char *const decomp_names[] = {"block", "balanced", "cyclic", "dynamic"};

/* Options as the driver has them: the chunk resolved for cyclic and dynamic. */
static mpp_options options(uint64_t start, uint64_t stop, int nranks, mpp_method m,
                           mpp_decomposition d)
{
    mpp_options o;
    mpp_options_init(&o);
    o.start = start;
    o.stop = stop;
    o.method = m;
    o.decomposition = d;
    if (d == MPP_DECOMP_CYCLIC || d == MPP_DECOMP_DYNAMIC)
        o.chunk = mpp_default_chunk(m, start, stop, nranks);
    return o;
}

/* The plan, in a malloc'd string; every line '#'-prefixed and complete. */
static char *explain(const mpp_options *o, int nranks, mpp_plan_outlet outlet,
                     uint64_t budget, mpp_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    mpp_explain(f, o, nranks, outlet, budget, fmt);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(strlen(buf), len);
    ck_assert_msg(len > 0 && buf[len - 1] == '\n', "plan empty or not ending in a newline:\n%s",
                  buf);
    for (const char *line = buf; *line;) {
        ck_assert_msg(line[0] == '#', "a line without '#':\n%s\nin:\n%s", line, buf);
        line = strchr(line, '\n') + 1;
    }
    return buf;
}

/* A plan in count mode (no buffer, no format). */
static char *explain_count(const mpp_options *o, int nranks)
{
    return explain(o, nranks, MPP_PLAN_COUNT, 0, MPP_FORMAT_TEXT);
}

static void expect_contains(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) != NULL, "\"%s\" not found in:\n%s", needle, text);
}

static void expect_absent(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) == NULL, "unexpected \"%s\" in:\n%s", needle, text);
}

static int occurrences(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The rest of the line "#   rank R ..." (after the rank and its blanks),
 * copied into OUT; false when there is no such line. Fails when there are
 * several. */
static bool rank_line(const char *text, int r, char *out, size_t size)
{
    char head[32];
    snprintf(head, sizeof head, "#   rank %d ", r);
    size_t hl = strlen(head);
    int found = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        if (strncmp(line, head, hl) == 0) {
            const char *v = line + hl;
            while (*v == ' ')
                v++;
            ck_assert_uint_lt((size_t)(end - v), size);
            memcpy(out, v, (size_t)(end - v));
            out[end - v] = '\0';
            found++;
        }
        line = end + 1;
    }
    ck_assert_msg(found <= 1, "rank %d listed %d times in:\n%s", r, found, text);
    return found == 1;
}

/* The value of "# modeled imbalance X"; false when there is none. */
static bool modeled_imbalance(const char *text, double *v)
{
    const char *p = strstr(text, "#   modeled imbalance ");
    if (p == NULL)
        return false;
    ck_assert_int_eq(occurrences(text, "modeled imbalance"), 1);
    ck_assert_int_eq(sscanf(p, "#   modeled imbalance %lf", v), 1);
    return true;
}

/* The block ("[lo, hi]  N numbers") or "nothing" a rank line gives; asserts
 * its numbers field. Returns false for "nothing". */
static bool listed_block(const char *rest, uint64_t *lo, uint64_t *hi)
{
    uint64_t numbers;
    if (strncmp(rest, "nothing", 7) == 0) {
        const char *n = strstr(rest, "  ");
        ck_assert_ptr_nonnull(n);
        ck_assert_int_eq(sscanf(n, " %" SCNu64 " numbers", &numbers), 1);
        ck_assert_uint_eq(numbers, 0);
        return false;
    }
    ck_assert_msg(sscanf(rest, "[%" SCNu64 ", %" SCNu64 "] %" SCNu64 " numbers", lo, hi,
                         &numbers) == 3,
                  "not a block: \"%s\"", rest);
    ck_assert_uint_le(*lo, *hi);
    ck_assert_uint_eq(numbers, *hi - *lo + 1);
    return true;
}

/* In count mode, the listing of D (block or balanced) over NRANKS ranks
 * (all listed: NRANKS <= MPP_EXPLAIN_RANKS + 1) equals BLOCKS. */
static void expect_blocks(const char *text, int nranks, const mpp_block *blocks)
{
    char rest[256];
    for (int r = 0; r < nranks; r++) {
        ck_assert_msg(rank_line(text, r, rest, sizeof rest), "rank %d not listed in:\n%s", r,
                      text);
        uint64_t lo = 0, hi = 0;
        bool some = listed_block(rest, &lo, &hi);
        ck_assert_msg(some == !blocks[r].empty, "rank %d: \"%s\", expected %s", r, rest,
                      blocks[r].empty ? "nothing" : "a block");
        if (some) {
            ck_assert_msg(lo == blocks[r].lo && hi == blocks[r].hi,
                          "rank %d: [%" PRIu64 ", %" PRIu64 "], expected [%" PRIu64
                          ", %" PRIu64 "]",
                          r, lo, hi, blocks[r].lo, blocks[r].hi);
        }
    }
    ck_assert_msg(!rank_line(text, nranks, rest, sizeof rest), "rank %d listed", nranks);
}

/* ---- tests ---- */

/* Every plan, whatever its inputs, is '#'-prefixed lines only (checked by
 * explain()), names its decomposition once in the plan line and ends with
 * the "why" paragraph. */
START_TEST(test_only_comment_lines)
{
    static const int nranks[] = {1, 2, 4, 17, 100};
    static const struct {
        uint64_t start, stop;
    } ranges[] = {{2, 3}, {2, 1000000}, {1000000000000ULL, 1000000100000ULL}, {0, 100}};
    for (size_t d = 0; d < 4; d++)
        for (size_t w = 0; w < 4; w++)
            for (size_t n = 0; n < sizeof nranks / sizeof nranks[0]; n++)
                for (size_t g = 0; g < sizeof ranges / sizeof ranges[0]; g++)
                    for (int m = 0; m < 2; m++) {
                        if (!test_sample())
                            continue;
                        mpp_options o = options(ranges[g].start, ranges[g].stop, nranks[n],
                                                m ? MPP_METHOD_TRIAL : MPP_METHOD_SIEVE,
                                                all_decomps[d]);
                        o.compare = (n + g) % 2;
                        char *t = explain(&o, nranks[n], all_outlets[w], 1 << 16,
                                          MPP_FORMAT_TEXT);
                        ck_assert_int_eq(strncmp(t, "# plan ", 7), 0);
                        char why[32];
                        snprintf(why, sizeof why, "# why %s:", decomp_names[d]);
                        expect_contains(t, why);
                        free(t);
                    }
}
END_TEST

/* The plan line: range, ranks (singular for one), method, decomposition. */
START_TEST(test_names)
{
    for (size_t d = 0; d < 4; d++) {
        mpp_options o = options(2, 10000000, 4, MPP_METHOD_TRIAL, all_decomps[d]);
        char *t = explain_count(&o, 4);
        char want[160];
        snprintf(want, sizeof want,
                 "# plan           [2, 10000000] on 4 ranks, method trial, decomposition %s\n",
                 decomp_names[d]);
        ck_assert_msg(strncmp(t, want, strlen(want)) == 0, "first line not \"%s\":\n%s", want,
                      t);
        free(t);
    }
    mpp_options o = options(17, 123456789, 1, MPP_METHOD_SIEVE, MPP_DECOMP_BALANCED);
    char *t = explain_count(&o, 1);
    expect_contains(t, "[17, 123456789] on 1 rank, method sieve, decomposition balanced\n");
    free(t);
    o = options(0, UINT64_MAX, 7, MPP_METHOD_SIEVE, MPP_DECOMP_CYCLIC);
    t = explain_count(&o, 7);
    expect_contains(t, "[0, 18446744073709551615] on 7 ranks, method sieve, "
                       "decomposition cyclic\n");
    free(t);
}
END_TEST

/* Count mode, block: every rank's block, as mpp_block_decompose has it. */
START_TEST(test_block_listing)
{
    static const struct {
        uint64_t start, stop;
        int nranks;
    } cases[] = {
        {2, 10000000, 4}, {2, 3, 5},   {0, 100, 1},   {10, 29, 3},
        {2, 1000003, 7},  {5, 5, 2},   {0, UINT64_MAX, 17}, {1000, 1015, 16},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int m = 0; m < 2; m++) {
            int n = cases[i].nranks;
            mpp_options o = options(cases[i].start, cases[i].stop, n,
                                    m ? MPP_METHOD_TRIAL : MPP_METHOD_SIEVE, MPP_DECOMP_BLOCK);
            mpp_block blocks[32];
            mpp_block_decompose(cases[i].start, cases[i].stop, n, blocks);
            char *t = explain_count(&o, n);
            expect_contains(t, "(--count: the whole range at once)");
            expect_blocks(t, n, blocks);
            free(t);
        }
    }
}
END_TEST

/* Count mode, balanced: the cost model's blocks, for both methods. */
START_TEST(test_balanced_listing)
{
    static const struct {
        uint64_t start, stop;
        int nranks;
    } cases[] = {
        {2, 10000000, 4}, {2, 3, 5}, {0, 100, 1}, {2, 100000000, 16}, {1000000, 2000000, 3},
        {2, 1000, 17},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int m = 0; m < 2; m++) {
            int n = cases[i].nranks;
            mpp_method method = m ? MPP_METHOD_TRIAL : MPP_METHOD_SIEVE;
            mpp_options o = options(cases[i].start, cases[i].stop, n, method,
                                    MPP_DECOMP_BALANCED);
            mpp_block blocks[32];
            mpp_balanced_decompose(method, cases[i].start, cases[i].stop, n, blocks);
            char *t = explain_count(&o, n);
            expect_blocks(t, n, blocks);
            free(t);
        }
    }
    /* and not the block decomposition, where the two differ */
    mpp_options o = options(2, 10000000, 4, MPP_METHOD_TRIAL, MPP_DECOMP_BALANCED);
    mpp_block blocks[4];
    mpp_block_decompose(2, 10000000, 4, blocks);
    char *t = explain_count(&o, 4);
    char rest[256];
    ck_assert(rank_line(t, 0, rest, sizeof rest));
    uint64_t lo, hi;
    ck_assert(listed_block(rest, &lo, &hi));
    ck_assert_uint_ne(hi, blocks[0].hi);
    free(t);
}
END_TEST

/* The modeled imbalance: trial division over [2, 1e7] on 4 ranks is about
 * 1.34 with block, 1.00 with balanced; the cost shares add up to 100%,
 * growing with the block for trial division. */
START_TEST(test_modeled_imbalance)
{
    mpp_options o = options(2, 10000000, 4, MPP_METHOD_TRIAL, MPP_DECOMP_BLOCK);
    char *t = explain_count(&o, 4);
    double v;
    ck_assert(modeled_imbalance(t, &v));
    ck_assert_msg(v > 1.25 && v < 1.45, "block imbalance %.3f", v);
    double sum = 0, prev = 0;
    char rest[256];
    for (int r = 0; r < 4; r++) {
        ck_assert(rank_line(t, r, rest, sizeof rest));
        const char *c = strstr(rest, "modeled cost ");
        ck_assert_ptr_nonnull(c);
        double pct;
        ck_assert_int_eq(sscanf(c, "modeled cost %lf%%", &pct), 1);
        ck_assert_msg(pct > prev, "rank %d: cost %.1f%% not above %.1f%%", r, pct, prev);
        /* the imbalance is the costliest share over the mean share */
        if (r == 3)
            ck_assert_msg(pct / 25.0 > v - 0.01 && pct / 25.0 < v + 0.01,
                          "costliest %.1f%% vs imbalance %.2f", pct, v);
        prev = pct;
        sum += pct;
    }
    ck_assert_msg(sum > 99.7 && sum < 100.3, "shares sum to %.2f%%", sum);
    free(t);

    o = options(2, 10000000, 4, MPP_METHOD_TRIAL, MPP_DECOMP_BALANCED);
    t = explain_count(&o, 4);
    ck_assert(modeled_imbalance(t, &v));
    ck_assert_msg(v >= 1.0 && v < 1.02, "balanced imbalance %.3f", v);
    free(t);

    /* cyclic evens it out too; dynamic has no per-rank shares to model */
    o = options(2, 10000000, 4, MPP_METHOD_TRIAL, MPP_DECOMP_CYCLIC);
    t = explain_count(&o, 4);
    ck_assert(modeled_imbalance(t, &v));
    ck_assert_msg(v >= 1.0 && v < 1.1, "cyclic imbalance %.3f", v);
    free(t);
    o = options(2, 10000000, 4, MPP_METHOD_TRIAL, MPP_DECOMP_DYNAMIC);
    t = explain_count(&o, 4);
    ck_assert(!modeled_imbalance(t, &v));
    free(t);

    /* one rank: perfectly even */
    o = options(2, 10000000, 1, MPP_METHOD_TRIAL, MPP_DECOMP_BLOCK);
    t = explain_count(&o, 1);
    ck_assert(modeled_imbalance(t, &v));
    ck_assert_msg(v > 0.995 && v < 1.005, "one rank: imbalance %.3f", v);
    expect_contains(t, "modeled cost 100.0%");
    free(t);
}
END_TEST

/* --count=KINDS and --gaps: the look-back in the local work, and a second
 * MPI_Reduce for the gaps only with --gaps; plain --count has neither. */
START_TEST(test_patterns_plan)
{
    mpp_options o;
    mpp_options_init(&o);
    o.count_only = true;
    o.stop = 1000000;
    char *t = explain_count(&o, 4);
    ck_assert_ptr_null(strstr(t, "Miller-Rabin"));
    ck_assert_ptr_null(strstr(t, "gaps are merged"));
    free(t);
    o.kinds = 1u << 2 | 1u << 6;
    t = explain_count(&o, 4);
    expect_contains(t, "primes just before it (Miller-Rabin)");
    ck_assert_ptr_null(strstr(t, "gaps are merged"));
    free(t);
    o.kinds = 1u << 1;
    o.gaps = true;
    t = explain_count(&o, 4);
    expect_contains(t, "primes just before it (Miller-Rabin)");
    expect_contains(t, "#   4. MPI_Reduce     the ranks' counts are summed at rank 0\n"
                       "#   5. MPI_Reduce     the ranks' gaps are merged at rank 0");
    expect_contains(t, "#   6. MPI_Allreduce");
    ck_assert_ptr_null(strstr(t, "--nth-prime"));
    free(t);
    o.gaps = false;
    o.nth = true;
    t = explain_count(&o, 4);
    expect_contains(t, "#   4. MPI_Reduce     the ranks' counts are summed at rank 0\n"
                       "#      local work     --nth-prime: rank 0 goes on from the count");
    free(t);
}
END_TEST

/* Cyclic in count mode: each rank's chunk count, dealt round-robin (rank r
 * gets chunks r, r + n, ...), summing to mpp_chunk_last + 1; its first
 * chunk starts at START + r CHUNK and the next one n CHUNK further. */
START_TEST(test_cyclic_chunks)
{
    static const struct {
        uint64_t start, stop;
        int nranks;
        mpp_method m;
        uint64_t chunk; /* 0: the default */
    } cases[] = {
        {2, 10000000, 4, MPP_METHOD_TRIAL, 0},
        {2, 10000000, 4, MPP_METHOD_SIEVE, 0},
        {2, 1000, 3, MPP_METHOD_TRIAL, 0},
        {2, 1000, 3, MPP_METHOD_TRIAL, 7},   /* 143 chunks: 48, 48, 47 */
        {0, 99, 16, MPP_METHOD_TRIAL, 10},   /* 10 chunks on 16 ranks */
        {2, 1000000, 5, MPP_METHOD_SIEVE, 0}, /* sieve: long chunks, few of them */
        {100, 100, 2, MPP_METHOD_TRIAL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = cases[i].nranks;
        mpp_options o = options(cases[i].start, cases[i].stop, n, cases[i].m,
                                MPP_DECOMP_CYCLIC);
        if (cases[i].chunk)
            o.chunk = cases[i].chunk;
        uint64_t nchunks = mpp_chunk_last(o.start, o.stop, o.chunk) + 1;
        char *t = explain_count(&o, n);
        uint64_t sum = 0;
        char rest[256];
        for (int r = 0; r < n; r++) {
            ck_assert_msg(rank_line(t, r, rest, sizeof rest), "rank %d not listed:\n%s", r, t);
            uint64_t want = nchunks > (uint64_t)r ? (nchunks - (uint64_t)r - 1) / n + 1 : 0;
            uint64_t got, lo, hi, lo2, step, numbers;
            if (strncmp(rest, "nothing", 7) == 0) {
                got = 0;
            } else if (rest[0] == '[') {
                ck_assert(listed_block(rest, &lo, &hi));
                got = 1;
                ck_assert_uint_eq(lo, o.start + (uint64_t)r * o.chunk);
                mpp_block b = mpp_chunk_of(o.start, o.stop, o.chunk, (uint64_t)r);
                ck_assert_uint_eq(hi, b.hi);
            } else {
                ck_assert_msg(sscanf(rest,
                                     "%" SCNu64 " chunks: %" SCNu64 ", %" SCNu64 " + %" SCNu64
                                     ", ... %" SCNu64 " numbers",
                                     &got, &lo, &lo2, &step, &numbers) == 5,
                              "rank %d: \"%s\"", r, rest);
                ck_assert_uint_eq(lo, o.start + (uint64_t)r * o.chunk);
                ck_assert_uint_eq(lo2, lo);
                ck_assert_uint_eq(step, (uint64_t)n * o.chunk);
                /* numbers: its chunks, all full but perhaps the range's last */
                uint64_t full = got * o.chunk, j_last = (uint64_t)r + (got - 1) * (uint64_t)n;
                mpp_block b = mpp_chunk_of(o.start, o.stop, o.chunk, j_last);
                ck_assert_uint_eq(numbers, full - o.chunk + (b.hi - b.lo + 1));
            }
            ck_assert_msg(got == want, "case %zu rank %d: %" PRIu64 " chunks, expected %" PRIu64
                          " (\"%s\")", i, r, got, want, rest);
            sum += got;
        }
        ck_assert_uint_eq(sum, nchunks);
        ck_assert(!rank_line(t, n, rest, sizeof rest));
        free(t);
    }
}
END_TEST

/* Dynamic: no per-rank listing, but the number of chunks and their size. */
START_TEST(test_dynamic_chunks)
{
    static const struct {
        uint64_t start, stop;
        int nranks;
        mpp_method m;
    } cases[] = {
        {2, 10000000, 4, MPP_METHOD_TRIAL},
        {2, 10000000, 4, MPP_METHOD_SIEVE},
        {2, 1000, 3, MPP_METHOD_TRIAL},
        {2, 1000000000, 64, MPP_METHOD_SIEVE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mpp_options o = options(cases[i].start, cases[i].stop, cases[i].nranks, cases[i].m,
                                MPP_DECOMP_DYNAMIC);
        char *t = explain_count(&o, cases[i].nranks);
        char want[128];
        snprintf(want, sizeof want, "#   %" PRIu64 " chunks of %" PRIu64 " numbers;",
                 mpp_chunk_last(o.start, o.stop, o.chunk) + 1, o.chunk);
        expect_contains(t, want);
        expect_contains(t, "whichever rank asks first");
        char rest[256];
        ck_assert(!rank_line(t, 0, rest, sizeof rest));
        free(t);
    }
    /* a chunk given by hand */
    mpp_options o = options(2, 1001, 3, MPP_METHOD_TRIAL, MPP_DECOMP_DYNAMIC);
    o.chunk = 100;
    char *t = explain_count(&o, 3);
    expect_contains(t, "#   10 chunks of 100 numbers;");
    free(t);
    /* trial division: the last chunk costs more than the first */
    o = options(2, 10000000, 4, MPP_METHOD_TRIAL, MPP_DECOMP_DYNAMIC);
    t = explain_count(&o, 4);
    const char *p = strstr(t, "the last chunk costs ");
    ck_assert_ptr_nonnull(p);
    double x;
    ck_assert_int_eq(sscanf(p, "the last chunk costs %lfx the first", &x), 1);
    ck_assert_msg(x > 2, "last/first %.2f", x);
    free(t);
}
END_TEST

/* Beyond MPP_EXPLAIN_RANKS ranks the rest are summed up in one line (but a
 * single extra rank is listed rather than summed up). */
START_TEST(test_many_ranks)
{
    static const int nranks[] = {100, 17, 16, 18, 1000};
    for (size_t d = 0; d < 3; d++)
        for (size_t i = 0; i < sizeof nranks / sizeof nranks[0]; i++) {
            int n = nranks[i];
            mpp_options o = options(2, 100000000, n, MPP_METHOD_TRIAL, all_decomps[d]);
            char *t = explain_count(&o, n);
            int listed = n > MPP_EXPLAIN_RANKS + 1 ? MPP_EXPLAIN_RANKS : n;
            char rest[256];
            for (int r = 0; r < listed; r++)
                ck_assert_msg(rank_line(t, r, rest, sizeof rest), "rank %d of %d not listed", r,
                              n);
            for (int r = listed; r <= n; r++)
                ck_assert_msg(!rank_line(t, r, rest, sizeof rest), "rank %d of %d listed", r, n);
            if (listed < n) {
                char want[64];
                snprintf(want, sizeof want, "#   ... and %d more ranks\n", n - listed);
                expect_contains(t, want);
            } else {
                expect_absent(t, "more ranks");
            }
            /* the modeled imbalance still covers every rank */
            double v;
            ck_assert(modeled_imbalance(t, &v));
            ck_assert_msg(v >= 1.0 && v < 1.5, "%s on %d ranks: imbalance %.3f",
                          decomp_names[d], n, v);
            free(t);
        }
    /* 100 ranks, block: the listed blocks are the first 16 of the 100 */
    mpp_options o = options(2, 1000000, 100, MPP_METHOD_SIEVE, MPP_DECOMP_BLOCK);
    mpp_block blocks[100];
    mpp_block_decompose(2, 1000000, 100, blocks);
    char *t = explain_count(&o, 100);
    expect_blocks(t, MPP_EXPLAIN_RANKS, blocks); /* and rank 16 absent */
    expect_contains(t, "... and 84 more ranks");
    free(t);
}
END_TEST

/* Where the text S first occurs in T (fails when absent). */
static size_t at(const char *t, const char *s)
{
    const char *p = strstr(t, s);
    ck_assert_msg(p != NULL, "\"%s\" not found in:\n%s", s, t);
    return (size_t)(p - t);
}

/* The MPI calls of each outlet and decomposition, in order. */
START_TEST(test_mpi_calls)
{
    for (size_t d = 0; d < 4; d++)
        for (size_t w = 0; w < 4; w++)
            for (int compare = 0; compare < 2; compare++) {
                mpp_plan_outlet outlet = all_outlets[w];
                mpp_options o = options(2, 1000000, 4, MPP_METHOD_SIEVE, all_decomps[d]);
                o.compare = compare;
                char *t = explain(&o, 4, outlet, 1 << 20, MPP_FORMAT_TEXT);
                const char *calls = strstr(t, "# the MPI calls, in order\n");
                ck_assert_ptr_nonnull(calls);
                /* present in every plan, in this order */
                size_t bcast = at(calls, "1. MPI_Bcast"), scatter = at(calls, "2. MPI_Scatter ");
                size_t work = at(calls, "3. local work"), allreduce = at(calls, "MPI_Allreduce");
                ck_assert(bcast < scatter && scatter < work && work < allreduce);
                ck_assert(at(calls, "MPI_Gather     every rank's times") > allreduce);
                ck_assert_int_eq(occurrences(t, "MPI_Reduce"), outlet == MPP_PLAN_COUNT);
                bool gatherv = outlet == MPP_PLAN_GATHER || outlet == MPP_PLAN_PRINT;
                ck_assert_int_eq(occurrences(t, "MPI_Gatherv"), gatherv);
                /* block and balanced gather one rank at a time */
                ck_assert_int_eq(occurrences(t, "in turns"), gatherv && d <= 1);
                ck_assert_int_eq(occurrences(t, "MPI_File_write_at"), outlet == MPP_PLAN_FILE);
                ck_assert_int_eq(occurrences(t, "MPI_Scatterv"), outlet == MPP_PLAN_FILE);
                const char *outcall = outlet == MPP_PLAN_COUNT ? "4. MPI_Reduce"
                                      : outlet == MPP_PLAN_FILE
                                          ? "MPI_File_write_at"
                                          : "MPI_Gatherv";
                size_t out = at(calls, outcall);
                ck_assert(work < out && out < allreduce);
                bool dynamic = all_decomps[d] == MPP_DECOMP_DYNAMIC;
                ck_assert_int_eq(occurrences(t, "MPI_Send/Recv"), dynamic);
                ck_assert_int_eq(occurrences(t, "MPI_Send"), dynamic);
                ck_assert_int_eq(occurrences(t, "MPI_Iprobe"), dynamic);
                ck_assert_int_eq(occurrences(t, "--compare"), compare);
                if (compare)
                    ck_assert(at(calls, "--compare") > at(calls, "every rank's times"));
                /* what the scatter carries */
                const char *carries = d <= 1   ? "its share: the bounds of its block"
                                      : d == 2 ? "its share: which chunks are its own"
                                               : "its share: its first chunk";
                expect_contains(calls, carries);
                free(t);
            }
}
END_TEST

/* The shared set-up of the sieving primes is in the plan exactly when the
 * run does it: the sieve, several ranks, a range short beside sqrt(STOP);
 * between the MPI_Bcast and the MPI_Scatter, with its threshold. */
START_TEST(test_shared_setup)
{
    const uint64_t e19 = 10000000000000000000ull;
    mpp_options o = options(e19, e19 + 500000000, 2, MPP_METHOD_SIEVE, MPP_DECOMP_BLOCK);
    char *t = explain_count(&o, 2);
    size_t at_share = at(t, "MPI_Allgatherv the sieving primes' set-up");
    ck_assert(at(t, "1. MPI_Bcast") < at_share && at_share < at(t, "2. MPI_Scatter "));
    expect_contains(t, "(500000000, sqrt(STOP)]");
    free(t);
    t = explain_count(&o, 1); /* one rank: nothing to share */
    ck_assert_int_eq(occurrences(t, "MPI_Allgatherv"), 0);
    free(t);
    o = options(e19, e19 + 500000000, 4, MPP_METHOD_TRIAL, MPP_DECOMP_BLOCK);
    t = explain_count(&o, 4); /* trial division has no sieving primes */
    ck_assert_int_eq(occurrences(t, "MPI_Allgatherv"), 0);
    free(t);
    o = options(2, 1000000000, 4, MPP_METHOD_SIEVE, MPP_DECOMP_BLOCK);
    t = explain_count(&o, 4); /* a long range low down */
    ck_assert_int_eq(occurrences(t, "MPI_Allgatherv"), 0);
    free(t);
}
END_TEST

/* The "why" paragraph is that of the decomposition, and no other. */
START_TEST(test_why)
{
    static const char *const says[] = {"equal numbers are not equal work", "cost model",
                                       "round-robin", "manager/worker"};
    for (size_t d = 0; d < 4; d++) {
        mpp_options o = options(2, 1000000, 4, MPP_METHOD_TRIAL, all_decomps[d]);
        char *t = explain_count(&o, 4);
        for (size_t e = 0; e < 4; e++) {
            char why[32];
            snprintf(why, sizeof why, "# why %s:", decomp_names[e]);
            ck_assert_int_eq(occurrences(t, why), d == e);
            if (d == e)
                ck_assert(strstr(t, says[e]) > strstr(t, why));
        }
        ck_assert_int_eq(occurrences(t, "# why "), 1);
        free(t);
    }
}
END_TEST

/* The listing outlets: rounds and the buffer; the round-1 blocks (block,
 * balanced) cover the round's stretch; a small buffer repeats steps. */
START_TEST(test_listing_rounds)
{
    for (size_t d = 0; d < 4; d++)
        for (size_t w = 1; w < 4; w++) {
            mpp_options o = options(2, 10000000, 4, MPP_METHOD_SIEVE, all_decomps[d]);
            /* a small buffer: many rounds */
            char *t = explain(&o, 4, all_outlets[w], 4096, MPP_FORMAT_TEXT);
            expect_contains(t, "listed in rounds");
            expect_contains(t, "at most 4096 bytes");
            expect_contains(t, "(--buffer)");
            expect_contains(t, "repeat once per round");
            expect_absent(t, "--count");
            const char *p = strstr(t, "# what each rank gets in round 1: [");
            ck_assert_ptr_nonnull(p);
            uint64_t from, end;
            ck_assert_int_eq(sscanf(p, "# what each rank gets in round 1: [%" SCNu64
                                       ", %" SCNu64 "]",
                                    &from, &end),
                             2);
            ck_assert_uint_eq(from, 2);
            ck_assert_uint_lt(end, 10000000);
            const char *r = strstr(t, "about ");
            ck_assert_ptr_nonnull(r);
            double rounds;
            ck_assert_int_eq(sscanf(r, "about %lf rounds", &rounds), 1);
            ck_assert_msg(rounds > 10, "about %.0f rounds", rounds);
            if (d <= 1) {
                /* contiguous blocks from FROM to END */
                uint64_t next = from;
                char rest[256];
                for (int k = 0; k < 4; k++) {
                    uint64_t lo, hi;
                    ck_assert(rank_line(t, k, rest, sizeof rest));
                    ck_assert(listed_block(rest, &lo, &hi));
                    ck_assert_uint_eq(lo, next);
                    next = hi + 1;
                }
                ck_assert_uint_eq(next - 1, end);
            }
            free(t);
            /* a big buffer: one round, no step repeated */
            t = explain(&o, 4, all_outlets[w], 64u << 20, MPP_FORMAT_BINARY);
            expect_contains(t, "listed in rounds");
            expect_contains(t, "at most 67108864 bytes");
            expect_contains(t, "about 1 round\n");
            expect_contains(t, "round 1: [2, 10000000]");
            expect_absent(t, "repeat once per round");
            free(t);
        }
    /* count mode: no rounds, no buffer */
    mpp_options o = options(2, 10000000, 4, MPP_METHOD_SIEVE, MPP_DECOMP_BLOCK);
    char *t = explain_count(&o, 4);
    expect_absent(t, "round");
    expect_absent(t, "--buffer");
    free(t);
}
END_TEST

/* More ranks than numbers: the ranks beyond get "nothing". */
START_TEST(test_more_ranks_than_numbers)
{
    for (size_t d = 0; d < 3; d++) {
        mpp_options o = options(2, 3, 5, MPP_METHOD_SIEVE, all_decomps[d]);
        if (all_decomps[d] == MPP_DECOMP_CYCLIC)
            o.chunk = 1;
        char *t = explain_count(&o, 5);
        char rest[256];
        uint64_t lo, hi;
        for (int r = 0; r < 5; r++) {
            ck_assert(rank_line(t, r, rest, sizeof rest));
            if (r < 2) {
                ck_assert_msg(listed_block(rest, &lo, &hi), "rank %d: \"%s\"", r, rest);
                ck_assert_uint_eq(lo, 2 + (uint64_t)r);
                ck_assert_uint_eq(hi, lo);
            } else {
                ck_assert_msg(strncmp(rest, "nothing", 7) == 0, "rank %d: \"%s\"", r, rest);
            }
        }
        ck_assert_int_eq(occurrences(t, "nothing"), 3);
        free(t);
    }
}
END_TEST

static Suite *explain_suite(void)
{
    Suite *s = suite_create("explain");
    TCase *tc = tcase_create("explain");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_only_comment_lines);
    tcase_add_test(tc, test_patterns_plan);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_block_listing);
    tcase_add_test(tc, test_balanced_listing);
    tcase_add_test(tc, test_modeled_imbalance);
    tcase_add_test(tc, test_cyclic_chunks);
    tcase_add_test(tc, test_dynamic_chunks);
    tcase_add_test(tc, test_many_ranks);
    tcase_add_test(tc, test_mpi_calls);
    tcase_add_test(tc, test_why);
    tcase_add_test(tc, test_shared_setup);
    tcase_add_test(tc, test_listing_rounds);
    tcase_add_test(tc, test_more_ranks_than_numbers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(explain_suite());
}
