/* test_encode.c - unit tests of the prime encoders (src/core/encode.c), every
 * result compared with an independent reference (snprintf "%" PRIu64, bytes
 * decoded by hand):
 *
 *   mpp_u64_to_dec        edge and pseudo-random values against snprintf.
 *   mpp_format_name, mpp_format_max_bytes.
 *   mpp_piece             TEXT: the decimal encoder (v / 10^8 kept as text,
 *                         the last 8 digits made in one word), in batches of
 *                         1 to 4096 values, byte for byte against snprintf:
 *                         every power of ten up to 10^19, every number of
 *                         digits below 10^8, each multiple of 10^8 crossed
 *                         (the kept part changing, also downwards), 20-digit
 *                         values up to UINT64_MAX, gaps of every magnitude,
 *                         first values 0 and 1, and mpp_piece_reset between
 *                         ranges. BINARY (little-
 *                         endian bytes decoded by hand) and NATIVE. Capacity:
 *                         only whole values are stored, MPP_PIECE_FULL and
 *                         FULL when one is refused (and on every push after),
 *                         COUNT / FIRST / LAST / LEN describe exactly what was
 *                         stored, as many values as fit when they are pushed
 *                         one at a time or with lines of one length, and guard
 *                         bytes before the buffer and past CAP +
 *                         MPP_PIECE_SLACK are never touched.
 */
#define _DEFAULT_SOURCE /* realpath, setgroups */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "encode.h"
#include "testutil.h"

/* ---- helpers ---- */



/* Pseudo-random values of every magnitude: a random value shifted right by a
 * random amount, so that short numbers are as common as long ones. */
static uint64_t any_magnitude(uint64_t *state)
{
    uint64_t v = test_xorshift(state);
    return v >> (test_xorshift(state) % 64);
}

/* Converts V with mpp_u64_to_dec and compares with snprintf. The bytes of the
 * buffer past the digits must be left alone (no NUL is written). */
static void expect_dec(uint64_t v)
{
    char want[32], got[32];
    memset(got, '#', sizeof got);
    int wn = snprintf(want, sizeof want, "%" PRIu64, v);
    size_t n = mpp_u64_to_dec(v, got);
    REQUIRE(n == (size_t)wn, "%" PRIu64 ": %zu digits, expected %d", v, n, wn);
    REQUIRE(memcmp(got, want, n) == 0, "%" PRIu64 ": got \"%.*s\"", v, (int)n, got);
    for (size_t i = n; i < sizeof got; i++)
        REQUIRE(got[i] == '#', "%" PRIu64 ": byte %zu past the digits written", v, i);
}

/* The length of V's line, "V\n", by snprintf. */
static size_t line_len(uint64_t v)
{
    char b[32];
    return (size_t)snprintf(b, sizeof b, "%" PRIu64 "\n", v);
}

/* ---- mpp_u64_to_dec ---- */

START_TEST(test_dec_edges)
{
    expect_dec(0);
    expect_dec(1);
    expect_dec(9);
    expect_dec(10);
    expect_dec(11);
    expect_dec(99);
    expect_dec(100);
    uint64_t p = 1;
    for (int k = 0; k <= 19; k++) { /* 10^k - 1, 10^k, 10^k + 1 */
        expect_dec(p - 1);
        expect_dec(p);
        expect_dec(p + 1);
        if (k < 19)
            p *= 10;
    }
    for (int k = 0; k < 64; k++) {
        expect_dec((uint64_t)1 << k);
        expect_dec(((uint64_t)1 << k) - 1);
    }
    expect_dec(UINT64_MAX);
    expect_dec(UINT64_MAX - 1);
    expect_dec(18446744073709551557ULL);

    /* Spelled out once: the longest output, all 20 digits. */
    char buf[20];
    ck_assert_uint_eq(mpp_u64_to_dec(UINT64_MAX, buf), 20);
    ck_assert(memcmp(buf, "18446744073709551615", 20) == 0);
    ck_assert_uint_eq(mpp_u64_to_dec(0, buf), 1);
    ck_assert_int_eq(buf[0], '0');
}
END_TEST

START_TEST(test_dec_random)
{
    uint64_t state = 88172645463325252ULL;
    for (int i = 0; i < 5000; i++) {
        expect_dec(test_xorshift(&state));
        expect_dec(any_magnitude(&state));
    }
}
END_TEST

/* ---- mpp_write_all ---- */

/* mpp_chunk_push: chunks one after another into one piece; each chunk's
 * sink notes the first prime the piece took for it, and nothing when the
 * piece took none of its primes. */
START_TEST(test_chunk_push)
{
    static char buf[3 * 8 + MPP_PIECE_SLACK];
    mpp_piece p;
    mpp_piece_init(&p, buf, 3 * 8, MPP_FORMAT_NATIVE); /* room for 3 primes */
    const uint64_t a[] = {2, 3}, b[] = {5, 7}, c[] = {11};
    mpp_chunk_sink s1 = {&p, 0, false}, s2 = {&p, 0, false}, s3 = {&p, 0, false};
    ck_assert_int_eq(mpp_chunk_push(&s1, a, 2), 0);
    ck_assert(s1.any);
    ck_assert_uint_eq(s1.first, 2);
    ck_assert_int_eq(mpp_chunk_push(&s2, b, 2), MPP_PIECE_FULL); /* takes 5 only */
    ck_assert(s2.any);
    ck_assert_uint_eq(s2.first, 5);
    ck_assert_uint_eq(p.count, 3);
    ck_assert_uint_eq(p.first, 2); /* the piece's first is its first chunk's */
    ck_assert_uint_eq(p.last, 5);
    ck_assert_int_eq(mpp_chunk_push(&s3, c, 1), MPP_PIECE_FULL);
    ck_assert(!s3.any);
    ck_assert_uint_eq(p.count, 3);
    mpp_chunk_sink s4 = {&p, 0, false};
    ck_assert_int_eq(mpp_chunk_push(&s4, c, 0), MPP_PIECE_FULL); /* an empty batch */
    ck_assert(!s4.any);
}
END_TEST

/* ---- formats ---- */

START_TEST(test_format_names)
{
    ck_assert_str_eq(mpp_format_name(MPP_FORMAT_TEXT), "text");
    ck_assert_str_eq(mpp_format_name(MPP_FORMAT_BINARY), "binary");
    ck_assert_str_eq(mpp_format_name(MPP_FORMAT_NATIVE), "native");
    ck_assert_ptr_null(mpp_format_name((mpp_format)3));
    ck_assert_ptr_null(mpp_format_name((mpp_format)99));
    ck_assert_int_eq(MPP_FORMAT_TEXT, 0); /* the zero value is the default */
    ck_assert_int_gt(MPP_PIECE_FULL, 0); /* a sink's stop value is positive */
}
END_TEST

START_TEST(test_format_max_bytes)
{
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 0), 2);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 2), 2);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 9), 2);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 10), 3);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 99), 3);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 100), 4);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, UINT64_MAX), 21);
    /* Every power of ten and its neighbours, and every power of two. */
    uint64_t p = 1;
    for (int k = 0; k <= 19; k++) {
        uint64_t vs[3] = {p - 1, p, p + 1};
        for (int j = 0; j < 3; j++)
            ck_assert_msg(mpp_format_max_bytes(MPP_FORMAT_TEXT, vs[j]) == line_len(vs[j]),
                          "%" PRIu64, vs[j]);
        if (k < 19)
            p *= 10;
    }
    for (int k = 0; k < 64; k++) {
        uint64_t v = (uint64_t)1 << k;
        ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, v), line_len(v));
        ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, v - 1), line_len(v - 1));
    }
    uint64_t state = 77;
    for (int i = 0; i < 2000; i++) {
        uint64_t v = any_magnitude(&state);
        ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, v), line_len(v));
    }
    static const uint64_t his[] = {0, 1, 2, 255, 256, 1000000007, UINT64_MAX};
    for (size_t i = 0; i < sizeof his / sizeof his[0]; i++) {
        ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_BINARY, his[i]), 8);
        ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_NATIVE, his[i]), 8);
    }
}
END_TEST

/* ---- mpp_piece ---- */

/* Pieces are tested inside a larger allocation: GUARD bytes before the
 * buffer and after its CAP + MPP_PIECE_SLACK bytes, which must never
 * change. The buffer itself starts filled with another pattern, which the
 * encoder may overwrite anywhere up to CAP + MPP_PIECE_SLACK. */
#define GUARD 64
#define GUARD_BYTE ((char)0xA5)
#define FILL_BYTE ((char)0x5A)

static char *guarded_alloc(size_t cap)
{
    size_t total = GUARD + cap + MPP_PIECE_SLACK + GUARD;
    char *mem = malloc(total);
    REQUIRE(mem != NULL, "out of memory");
    memset(mem, GUARD_BYTE, total);
    memset(mem + GUARD, FILL_BYTE, cap + MPP_PIECE_SLACK);
    return mem;
}

static void check_guards(const char *mem, size_t cap)
{
    for (size_t i = 0; i < GUARD; i++)
        REQUIRE(mem[i] == GUARD_BYTE, "byte %zu before the buffer written", (size_t)GUARD - i);
    const char *end = mem + GUARD + cap + MPP_PIECE_SLACK;
    for (size_t i = 0; i < GUARD; i++)
        REQUIRE(end[i] == GUARD_BYTE, "byte cap + MPP_PIECE_SLACK + %zu written (cap %zu)", i,
                cap);
}

/* Checks that P holds exactly V[0..COUNT-1] in its format: the count, first,
 * last and len fields and the bytes. Text is compared with snprintf's;
 * binary bytes are decoded by hand, little-endian; native words with
 * memcpy. */
static void expect_stored(const mpp_piece *p, const uint64_t *v, size_t count)
{
    REQUIRE(p->count == count, "count %" PRIu64 ", expected %zu", p->count, count);
    if (count > 0) {
        REQUIRE(p->first == v[0], "first %" PRIu64 ", expected %" PRIu64, p->first, v[0]);
        REQUIRE(p->last == v[count - 1], "last %" PRIu64 ", expected %" PRIu64, p->last,
                v[count - 1]);
    }
    REQUIRE(p->len <= p->cap, "len %zu beyond cap %zu", p->len, p->cap);
    switch (p->fmt) {
    case MPP_FORMAT_TEXT: {
        size_t want_len;
        char *want = test_text_of(v, count, &want_len);
        REQUIRE(p->len == want_len, "len %zu, expected %zu", p->len, want_len);
        test_expect_bytes(p->buf, want, want_len, "text");
        free(want);
        break;
    }
    case MPP_FORMAT_BINARY: {
        REQUIRE(p->len == count * 8, "len %zu for %zu values", p->len, count);
        const unsigned char *b = (const unsigned char *)p->buf;
        for (size_t i = 0; i < count; i++) {
            uint64_t x = 0;
            for (int k = 7; k >= 0; k--)
                x = x << 8 | b[8 * i + (size_t)k];
            REQUIRE(x == v[i], "value %zu: %" PRIu64 ", expected %" PRIu64, i, x, v[i]);
        }
        break;
    }
    case MPP_FORMAT_NATIVE:
        REQUIRE(p->len == count * 8, "len %zu for %zu values", p->len, count);
        for (size_t i = 0; i < count; i++) {
            uint64_t x;
            memcpy(&x, p->buf + 8 * i, 8);
            REQUIRE(x == v[i], "value %zu: %" PRIu64 ", expected %" PRIu64, i, x, v[i]);
        }
        break;
    default:
        ck_abort_msg("format %d", (int)p->fmt);
    }
}

static size_t bytes_of(mpp_format fmt, uint64_t v)
{
    return fmt == MPP_FORMAT_TEXT ? line_len(v) : 8;
}

/* Pushes V[0..N-1] (ascending) into the empty piece P (whose buffer lies in
 * MEM, see guarded_alloc) in batches of BATCH, and checks each push: 0 while
 * everything fits, else MPP_PIECE_FULL with FULL set and only a prefix of
 * the batch taken, at least as many values as fit at the length of the
 * batch's longest ("when the next prime might not fit it stops"). Returns
 * how many values were stored; *SAW_FULL tells whether one was refused. */
static size_t push_batches(mpp_piece *p, const char *mem, const uint64_t *v, size_t n,
                           size_t batch, bool *saw_full)
{
    size_t i = 0;
    *saw_full = false;
    while (i < n) {
        size_t k = n - i < batch ? n - i : batch;
        size_t len0 = p->len;
        uint64_t count0 = p->count;
        int rc = mpp_piece_push(p, v + i, k);
        check_guards(mem, p->cap);
        REQUIRE(p->len <= p->cap, "len %zu beyond cap %zu", p->len, p->cap);
        REQUIRE(p->count >= count0 && p->count - count0 <= k, "count %" PRIu64 " after %" PRIu64,
                p->count, count0);
        size_t taken = (size_t)(p->count - count0);
        if (rc == 0) {
            REQUIRE(taken == k, "push of %zu returned 0 but took %zu", k, taken);
            REQUIRE(!p->full, "full set, but the push returned 0");
            i += k;
            continue;
        }
        REQUIRE(rc == MPP_PIECE_FULL, "push returned %d", rc);
        REQUIRE(p->full, "push returned MPP_PIECE_FULL without setting full");
        REQUIRE(taken < k, "push returned MPP_PIECE_FULL but took all %zu", k);
        size_t longest = 0;
        for (size_t j = i; j < i + k; j++)
            if (bytes_of(p->fmt, v[j]) > longest)
                longest = bytes_of(p->fmt, v[j]);
        REQUIRE(taken >= (p->cap - len0) / longest,
                "took %zu of %zu with %zu bytes free, lines of up to %zu bytes", taken, k,
                p->cap - len0, longest);
        i += taken;
        *saw_full = true;
        break;
    }
    return i;
}

/* After a refusal: more pushes are refused too and change nothing, neither
 * the fields nor any byte of the buffer (V[0..N-1]: the values refused). */
static void expect_stays_full(mpp_piece *p, const char *mem, const uint64_t *v, size_t n)
{
    size_t total = GUARD + p->cap + MPP_PIECE_SLACK + GUARD;
    char *snap = malloc(total);
    REQUIRE(snap != NULL, "out of memory");
    memcpy(snap, mem, total);
    mpp_piece before = *p;
    REQUIRE(mpp_piece_push(p, v, 1) == MPP_PIECE_FULL, "a full piece took a value");
    REQUIRE(mpp_piece_push(p, v, n) == MPP_PIECE_FULL, "a full piece took values");
    static const uint64_t small[] = {0};
    REQUIRE(mpp_piece_push(p, small, 1) == MPP_PIECE_FULL, "a full piece took 0");
    mpp_piece_push(p, v, 0); /* whatever it returns, it changes nothing */
    REQUIRE(p->full, "full cleared");
    REQUIRE(p->len == before.len && p->count == before.count && p->first == before.first &&
                p->last == before.last,
            "a full piece changed: len %zu -> %zu, count %" PRIu64 " -> %" PRIu64, before.len,
            p->len, before.count, p->count);
    REQUIRE(memcmp(snap, mem, total) == 0, "a full piece's buffer changed");
    free(snap);
}

/* Pushes V[0..N-1] into a fresh piece of format FMT and capacity CAP in
 * batches of BATCH, and checks everything: each push, the guards, what is
 * stored, that a full piece stays as it is. When the values are pushed one
 * at a time, or are all of one length, the piece must take exactly as many
 * as fit. Returns how many were stored. */
static size_t feed(mpp_format fmt, const uint64_t *v, size_t n, size_t batch, size_t cap)
{
    char *mem = guarded_alloc(cap);
    mpp_piece p;
    mpp_piece_init(&p, mem + GUARD, cap, fmt);
    bool full;
    size_t stored = push_batches(&p, mem, v, n, batch, &full);
    REQUIRE(p.full == full, "full is %d", (int)p.full);
    expect_stored(&p, v, stored);

    bool uniform = true;
    for (size_t i = 1; i < n && uniform; i++)
        uniform = bytes_of(fmt, v[i]) == bytes_of(fmt, v[0]);
    if (batch == 1 || uniform) {
        size_t fit = 0, used = 0;
        while (fit < n && used + bytes_of(fmt, v[fit]) <= cap)
            used += bytes_of(fmt, v[fit++]);
        REQUIRE(stored == fit, "stored %zu of %zu values, %zu fit in %zu bytes (batch %zu)",
                stored, n, fit, cap, batch);
    }
    if (full)
        expect_stays_full(&p, mem, v + stored, n - stored);
    check_guards(mem, cap);
    free(mem);
    return stored;
}

static const size_t batches[] = {1, 2, 3, 7, 64, 4096};
#define NBATCHES (sizeof batches / sizeof batches[0])

/* Feeds V[0..N-1] as text with room for all of it, in every batch size and
 * in a single batch; everything must be stored. One at a time, the exact
 * room suffices; a batch may need room for as many lines as it has at the
 * length of its longest (21 bytes at most). */
static void expect_text(const uint64_t *v, size_t n)
{
    size_t len;
    free(test_text_of(v, n, &len));
    ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, v, n, 1, len), n);
    for (size_t b = 0; b <= NBATCHES; b++) {
        size_t batch = b < NBATCHES ? batches[b] : (n ? n : 1);
        ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, v, n, batch, 21 * n), n);
    }
}

/* A growable list of ascending values. */
typedef struct {
    uint64_t *v;
    size_t n, cap;
} vlist;

static void vadd(vlist *l, uint64_t x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        REQUIRE(l->v != NULL, "out of memory");
    }
    REQUIRE(l->n == 0 || x > l->v[l->n - 1], "test values not ascending at %zu", l->n);
    l->v[l->n++] = x;
}

/* 10^K, 0 <= K <= 19. */
static uint64_t pow10u(int k)
{
    uint64_t p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

/* Carries: single steps across every power of ten (carrying through all the
 * digits, 19 of them from 10^19 - 1 to 10^19), and the examples. */
START_TEST(test_text_carries)
{
    static const uint64_t examples[][2] = {
        {999, 1000},
        {99999999, 100000001},
        {9, 10},
        {99, 101},
        {1999, 2000},
        {9999999999ULL, 10000000000ULL},
        {99999999999999999ULL, 100000000000000003ULL},
        {9999999999999999999ULL, 10000000000000000000ULL},
        {9999999999999999999ULL, 10000000000000000009ULL},
        {12345678999999999ULL, 12345679000000000ULL},
        {18446744073709551599ULL, UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
        expect_text(examples[i], 2);

    /* Spelled out once. */
    char mem[64 + MPP_PIECE_SLACK];
    mpp_piece p;
    mpp_piece_init(&p, mem, 64, MPP_FORMAT_TEXT);
    static const uint64_t v[] = {99999999, 100000001, 100000010};
    ck_assert_int_eq(mpp_piece_push(&p, v, 3), 0);
    ck_assert_uint_eq(p.len, 29);
    ck_assert(memcmp(mem, "99999999\n100000001\n100000010\n", 29) == 0);

    /* 0, 1, 2, then around each power of ten 10^k - 2 ... 10^k + 1, and
     * the last four values below 2^64. */
    vlist l = {0};
    for (uint64_t x = 0; x < 4; x++)
        vadd(&l, x);
    for (int k = 1; k <= 19; k++)
        for (int d = -2; d <= 1; d++)
            if (pow10u(k) + (uint64_t)d > l.v[l.n - 1])
                vadd(&l, pow10u(k) + (uint64_t)d);
    for (uint64_t x = UINT64_MAX - 3; x != 0; x++)
        vadd(&l, x);
    ck_assert_uint_eq(l.v[l.n - 1], UINT64_MAX);
    expect_text(l.v, l.n);
    free(l.v);

    /* Runs of small steps (1 to 300) through each power of ten, each run
     * pushed into a piece of its own (gaps below 2^32: the digits are added
     * to, with carries). */
    uint64_t state = 0xfeedbeef;
    for (int k = 1; k <= 19; k++) {
        vlist r = {0};
        uint64_t lo = pow10u(k) > 3000 ? pow10u(k) - 3000 : 0;
        for (uint64_t x = lo; x <= pow10u(k) + 3000; x += 1 + test_xorshift(&state) % 300)
            vadd(&r, x);
        expect_text(r.v, r.n);
        free(r.v);
    }
}
END_TEST

/* 20-digit values: from 2^64 - 100000 up to UINT64_MAX itself, in gaps of
 * 1 to 1500 (the largest prime gaps below 2^64), and some steps of 1. */
START_TEST(test_text_top)
{
    uint64_t state = 0x5eed;
    vlist l = {0};
    uint64_t x = UINT64_MAX - 100000;
    while (x < UINT64_MAX - 1600) {
        vadd(&l, x);
        x += 1 + test_xorshift(&state) % 1500;
    }
    for (x = UINT64_MAX - 20; x != 0; x++)
        vadd(&l, x);
    expect_text(l.v, l.n);
    free(l.v);

    static const uint64_t top[] = {UINT64_MAX};
    expect_text(top, 1);
    static const uint64_t top2[] = {18446744073709551557ULL, UINT64_MAX};
    expect_text(top2, 2);
    /* From a short number straight to the longest. */
    static const uint64_t jump[] = {2, 3, UINT64_MAX - 1, UINT64_MAX};
    expect_text(jump, 4);
}
END_TEST

/* Around multiples of 10^8, where the part kept as text changes: steps
 * across k * 10^8 for k of every length, a piece reset and used again for
 * lower values (the kept part going down), and every last-8-digit pattern
 * of one nonzero digit (digits8's lanes). */
START_TEST(test_text_tops)
{
    static const uint64_t ks[] = {1, 2, 9, 10, 99, 100, 12345, 99999999, 100000000,
                                  184467440735ULL}; /* the last b with b + 10^8 + 1 < 2^64 */
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        uint64_t b = ks[i] * 100000000ULL;
        const uint64_t v[] = {b - 100000000ULL, b - 2, b - 1, b, b + 1, b + 99999999ULL,
                              b + 100000000ULL, b + 100000001ULL};
        expect_text(v, sizeof v / sizeof v[0]);
        /* down again: B + 10^8 + 1, then after a reset B - 10^8 - 1 and B */
        char mem[64 + MPP_PIECE_SLACK], want[64];
        mpp_piece p;
        mpp_piece_init(&p, mem, 64, MPP_FORMAT_TEXT);
        ck_assert_int_eq(mpp_piece_push(&p, &v[7], 1), 0);
        mpp_piece_reset(&p);
        const uint64_t down[] = {b - 100000001ULL, b};
        ck_assert_int_eq(mpp_piece_push(&p, down, 2), 0);
        int n = snprintf(want, sizeof want, "%" PRIu64 "\n%" PRIu64 "\n", down[0], down[1]);
        ck_assert_uint_eq(p.len, (size_t)n);
        ck_assert(memcmp(mem, want, (size_t)n) == 0);
    }
    static const uint64_t bases[] = {0, 700000000ULL, 18446744000000000000ULL};
    for (size_t i = 0; i < 3; i++) {
        vlist l = {0};
        for (uint64_t unit = 1; unit < 100000000ULL; unit *= 10)
            for (uint64_t d = unit == 1 ? 0 : 1; d <= 9; d++)
                vadd(&l, bases[i] + d * unit);
        expect_text(l.v, l.n);
        free(l.v);
    }
}
END_TEST

/* First values 0 and 1, and single values. */
START_TEST(test_text_first)
{
    static const uint64_t a[] = {0, 1, 2, 3, 5, 7, 11};
    expect_text(a, 7);
    expect_text(a + 1, 6);
    expect_text(a, 1);
    expect_text(a + 1, 1);
    static const uint64_t b[] = {0, 10, 100, 1000};
    expect_text(b, 4);
    static const uint64_t c[] = {0, 4294967295ULL, 4294967296ULL};
    expect_text(c, 3);
    static const uint64_t d[] = {1, 4294967297ULL};
    expect_text(d, 2);
    static const uint64_t e[] = {0, UINT64_MAX};
    expect_text(e, 2);
    expect_text(a, 0);
}
END_TEST

/* Gaps around 2^32: up to UINT32_MAX the digits are added to, beyond it they
 * are written afresh; both must give the same text, also when the gap
 * changes the number of digits. */
START_TEST(test_text_big_gaps)
{
    const uint64_t g = UINT32_MAX;
    static const uint64_t starts[] = {
        0,
        1,
        7,
        999999,
        10000000000ULL - 4294967295ULL, /* + UINT32_MAX = 10^10: 11 digits */
        9999999999ULL - 4294967295ULL,  /* + UINT32_MAX = 10^10 - 1 */
        10000000000000000000ULL - 4294967295ULL, /* + UINT32_MAX = 10^19 */
        9999999999999999999ULL - 2 * 4294967295ULL,
        UINT64_MAX - 5 * 4294967296ULL, /* up to the top of the range */
    };
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        uint64_t steps[] = {g, g + 1, g - 1, 1, g + 2, 2, g, (uint64_t)1 << 40, 3};
        vlist l = {0};
        uint64_t x = starts[s];
        vadd(&l, x);
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
            if (x > UINT64_MAX - steps[i])
                break;
            x += steps[i];
            vadd(&l, x);
        }
        expect_text(l.v, l.n);
        free(l.v);
    }
}
END_TEST

/* Random gaps of random magnitudes (1 to 2^44, so about one in four beyond
 * 2^32), from several starting points up to the top of the range. */
START_TEST(test_text_random_gaps)
{
    uint64_t state = 0xabcdef12345ULL;
    static const uint64_t starts[] = {0, 1, 1000000, 1000000000000ULL, 1000000000000000000ULL,
                                      UINT64_MAX - ((uint64_t)1 << 55)};
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        vlist l = {0};
        uint64_t x = starts[s];
        for (int i = 0; i < 3000; i++) {
            vadd(&l, x);
            uint64_t gap = 1 + (test_xorshift(&state) >> (20 + test_xorshift(&state) % 44));
            if (x > UINT64_MAX - gap)
                break;
            x += gap;
        }
        expect_text(l.v, l.n);
        free(l.v);
    }
}
END_TEST

/* The common case, prime-sized gaps (2 to 300), many values in batches as
 * the finder delivers them, at several magnitudes; plus real primes. */
START_TEST(test_text_prime_gaps)
{
    uint64_t state = 0x31415926;
    for (int k = 1; k <= 19; k += 3) {
        vlist l = {0};
        uint64_t x = pow10u(k) - (k > 5 ? 60000 : pow10u(k) - 1);
        for (int i = 0; i < 20000; i++) {
            vadd(&l, x);
            x += 2 + test_xorshift(&state) % 299;
        }
        size_t len;
        free(test_text_of(l.v, l.n, &len));
        ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, l.v, l.n, 1, len), l.n);
        /* A batch crossing a power of ten may want a byte more per line. */
        ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, l.v, l.n, 4096, len + 4096), l.n);
        ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, l.v, l.n, 1000, len + 1000), l.n);
        free(l.v);
    }
    size_t n;
    uint64_t *primes = ref_primes(0, 300000, &n);
    size_t len;
    free(test_text_of(primes, n, &len));
    ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, primes, n, 1, len), n);
    ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, primes, n, 4096, len + 4096), n);
    free(primes);
}
END_TEST

/* A piece reused for the next range starts afresh, whatever the previous
 * range held: a lower first value, a first value just above the previous
 * range's last, after a refusal. The buffer, capacity and format stay. */
START_TEST(test_piece_reset)
{
    size_t cap = 4096;
    char *mem = guarded_alloc(cap);
    char *buf = mem + GUARD;
    mpp_piece p;
    mpp_piece_init(&p, buf, cap, MPP_FORMAT_TEXT);

    vlist a = {0};
    for (uint64_t x = 1000; x <= 2000; x += 7)
        vadd(&a, x);
    ck_assert_int_eq(mpp_piece_push(&p, a.v, a.n), 0);
    expect_stored(&p, a.v, a.n);

    static const uint64_t ranges[][3] = {
        {5, 6, 100},                                  /* lower, shorter */
        {25, 26, 27},                                 /* after 100: a gap of -75 */
        {28, 29, 31},                                 /* just above the previous last */
        {7, 8, 9},                                    /* after 31 */
        {999999, 1000000, 1000003},                   /* longer */
        {7, 11, 13},                                  /* after 1000003 */
        {UINT64_MAX - 2, UINT64_MAX - 1, UINT64_MAX}, /* 20 digits */
        {0, 1, 2},                                    /* and back to 0 */
        {3, 4, 5},
    };
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        mpp_piece_reset(&p);
        ck_assert_uint_eq(p.len, 0);
        ck_assert_uint_eq(p.count, 0);
        ck_assert(!p.full);
        ck_assert_ptr_eq(p.buf, buf);
        ck_assert_uint_eq(p.cap, cap);
        ck_assert_int_eq(p.fmt, MPP_FORMAT_TEXT);
        ck_assert_int_eq(mpp_piece_push(&p, ranges[r], 1), 0);
        ck_assert_int_eq(mpp_piece_push(&p, ranges[r] + 1, 2), 0);
        expect_stored(&p, ranges[r], 3);
        check_guards(mem, cap);
    }

    /* Reset after a refusal: the piece takes values again. */
    mpp_piece_init(&p, buf, 40, MPP_FORMAT_TEXT);
    ck_assert_int_eq(mpp_piece_push(&p, a.v, a.n), MPP_PIECE_FULL); /* 5-byte lines */
    ck_assert(p.full);
    expect_stored(&p, a.v, 8);
    mpp_piece_reset(&p);
    ck_assert(!p.full);
    ck_assert_uint_eq(p.cap, 40);
    static const uint64_t three[] = {3, 1000};
    ck_assert_int_eq(mpp_piece_push(&p, three, 1), 0);
    ck_assert_int_eq(mpp_piece_push(&p, three + 1, 1), 0);
    expect_stored(&p, three, 2);
    ck_assert(memcmp(buf, "3\n1000\n", 7) == 0);
    check_guards(mem, cap);
    free(a.v);
    free(mem);

    /* Binary and native pieces too. */
    for (int f = MPP_FORMAT_BINARY; f <= MPP_FORMAT_NATIVE; f++) {
        mem = guarded_alloc(cap);
        mpp_piece_init(&p, mem + GUARD, cap, (mpp_format)f);
        ck_assert_int_eq(mpp_piece_push(&p, ranges[4], 3), 0);
        expect_stored(&p, ranges[4], 3);
        mpp_piece_reset(&p);
        ck_assert_int_eq(p.fmt, f);
        ck_assert_int_eq(mpp_piece_push(&p, ranges[0], 3), 0);
        expect_stored(&p, ranges[0], 3);
        check_guards(mem, cap);
        free(mem);
    }
}
END_TEST

/* mpp_piece_init sets every field, whatever was there; a push of no values
 * changes nothing and returns 0. */
START_TEST(test_piece_init_empty)
{
    char mem[100 + MPP_PIECE_SLACK];
    memset(mem, FILL_BYTE, sizeof mem);
    for (int f = MPP_FORMAT_TEXT; f <= MPP_FORMAT_NATIVE; f++) {
        mpp_piece p;
        memset(&p, 0xff, sizeof p);
        mpp_piece_init(&p, mem, 100, (mpp_format)f);
        ck_assert_ptr_eq(p.buf, mem);
        ck_assert_uint_eq(p.cap, 100);
        ck_assert_int_eq(p.fmt, f);
        ck_assert_uint_eq(p.len, 0);
        ck_assert_uint_eq(p.count, 0);
        ck_assert(!p.full);

        static const uint64_t v[] = {2, 3};
        ck_assert_int_eq(mpp_piece_push(&p, v, 0), 0);
        ck_assert_uint_eq(p.len, 0);
        ck_assert_uint_eq(p.count, 0);
        ck_assert(!p.full);
        ck_assert_int_eq(mpp_piece_push(&p, v, 2), 0);
        ck_assert_int_eq(mpp_piece_push(&p, v, 0), 0);
        expect_stored(&p, v, 2);
        if (f != MPP_FORMAT_TEXT) /* text may scribble in the slack */
            for (size_t i = p.len; i < sizeof mem; i++)
                ck_assert(mem[i] == FILL_BYTE);
        memset(mem, FILL_BYTE, sizeof mem);
    }
}
END_TEST

/* Binary: 8 bytes per value, least significant first; spelled out, then
 * values of every magnitude in batches. Native: this machine's words. */
START_TEST(test_binary_native)
{
    char mem[64 + MPP_PIECE_SLACK];
    mpp_piece p;
    mpp_piece_init(&p, mem, 64, MPP_FORMAT_BINARY);
    static const uint64_t v[] = {0x0102030405060708ULL, 2, UINT64_MAX, 0x8000000000000001ULL};
    ck_assert_int_eq(mpp_piece_push(&p, v, 1), 0);
    ck_assert_int_eq(mpp_piece_push(&p, v + 1, 1), 0);
    ck_assert_int_eq(mpp_piece_push(&p, v + 2, 1), 0);
    ck_assert_int_eq(mpp_piece_push(&p, v + 3, 1), 0);
    static const unsigned char want[32] = {
        8, 7, 6, 5, 4, 3, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0x80};
    ck_assert_uint_eq(p.len, 32);
    ck_assert(memcmp(mem, want, 32) == 0);
    ck_assert_uint_eq(p.count, 4);
    ck_assert_uint_eq(p.first, v[0]);
    ck_assert_uint_eq(p.last, v[3]);

    mpp_piece_init(&p, mem, 64, MPP_FORMAT_NATIVE);
    ck_assert_int_eq(mpp_piece_push(&p, v, 4), 0);
    ck_assert_uint_eq(p.len, 32);
    ck_assert(memcmp(mem, v, 32) == 0);

    uint64_t state = 0x2468ace;
    vlist l = {0};
    uint64_t x = 0;
    for (int i = 0; i < 5000; i++) {
        vadd(&l, x);
        uint64_t gap = 1 + (test_xorshift(&state) >> (1 + test_xorshift(&state) % 63));
        if (x > UINT64_MAX - gap)
            break;
        x += gap;
    }
    for (int f = MPP_FORMAT_BINARY; f <= MPP_FORMAT_NATIVE; f++)
        for (size_t b = 0; b < NBATCHES; b++) {
            ck_assert_uint_eq(feed((mpp_format)f, l.v, l.n, batches[b], 8 * l.n), l.n);
            ck_assert_uint_eq(feed((mpp_format)f, l.v, l.n, batches[b], 8 * l.n + 7), l.n);
        }
    free(l.v);
}
END_TEST

/* A small piece: cap = 50 holds "2\n3\n5\n7\n" and 14 two-digit primes
 * (8 + 42 bytes) when they come one at a time; in one batch, only as many
 * as fit at the length of the batch's largest. */
START_TEST(test_capacity_small)
{
    size_t n;
    uint64_t *primes = ref_primes(0, 1000, &n);
    ck_assert_uint_eq(n, 168);

    char *mem = guarded_alloc(50);
    mpp_piece p;
    mpp_piece_init(&p, mem + GUARD, 50, MPP_FORMAT_TEXT);
    size_t i = 0;
    int rc = 0;
    while (i < n && (rc = mpp_piece_push(&p, primes + i, 1)) == 0)
        i++;
    ck_assert_int_eq(rc, MPP_PIECE_FULL);
    ck_assert_uint_eq(i, 18);
    ck_assert(p.full);
    ck_assert_uint_eq(p.count, 18);
    ck_assert_uint_eq(p.first, 2);
    ck_assert_uint_eq(p.last, 61);
    ck_assert_uint_eq(p.len, 50);
    ck_assert(memcmp(p.buf, "2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n31\n37\n41\n43\n47\n53\n59\n61\n",
                     50) == 0);
    check_guards(mem, 50);
    expect_stays_full(&p, mem, primes + i, n - i);
    free(mem);

    for (size_t b = 0; b < NBATCHES; b++)
        for (size_t cap = 0; cap <= 120; cap++)
            feed(MPP_FORMAT_TEXT, primes, n, batches[b], cap);
    ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, primes, n, 1, 50), 18);
    /* All 168 in one batch: lines of up to 4 bytes ("997\n"), so at least
     * 50 / 4 of them, and no more than fit. */
    size_t k = feed(MPP_FORMAT_TEXT, primes, n, 200, 50);
    ck_assert_uint_ge(k, 50 / 4);
    ck_assert_uint_le(k, 18);
    free(primes);
}
END_TEST

/* Lines of one length L (every digit count from 1 to 20) and capacities
 * around multiples of L: exactly floor(cap / L) values are stored, in any
 * batch size. */
START_TEST(test_capacity_uniform)
{
    for (int d = 1; d <= 20; d++) {
        uint64_t lo = d == 1 ? 0 : pow10u(d - 1);
        uint64_t hi = d == 20 ? UINT64_MAX : pow10u(d) - 1;
        vlist l = {0};
        for (uint64_t x = lo; l.n < 12 && x <= hi; x++)
            vadd(&l, x);
        if (d > 1) { /* and the largest of that length */
            l.n = 8;
            for (uint64_t x = hi - 3; x <= hi && x != 0; x++)
                vadd(&l, x);
        }
        size_t L = (size_t)d + 1;
        for (size_t m = 0; m <= l.n + 1; m++) {
            size_t caps[] = {m * L, m * L + 1, m * L + L - 1, m * L > 0 ? m * L - 1 : 0};
            for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
                size_t want = caps[c] / L < l.n ? caps[c] / L : l.n;
                static const size_t bs[] = {1, 2, 5, 100};
                for (size_t b = 0; b < sizeof bs / sizeof bs[0]; b++)
                    ck_assert_msg(feed(MPP_FORMAT_TEXT, l.v, l.n, bs[b], caps[c]) == want,
                                  "%d digits, cap %zu, batch %zu", d, caps[c], bs[b]);
            }
        }
        free(l.v);
    }
}
END_TEST

/* Lines of mixed lengths, the capacity running through every value from 0
 * to past the whole text: across 9 -> 10, 99 -> 100, 9999 -> 10000, and
 * 10^19 - 1 -> 10^19 with 19- and 20-digit values. */
START_TEST(test_capacity_mixed)
{
    static const uint64_t sets[][8] = {
        {5, 7, 9, 10, 11, 13, 97, 101},
        {89, 97, 99, 100, 101, 103, 997, 1009},
        {9973, 9991, 9999, 10000, 10007, 10009, 99991, 100003},
        {9999999999999999961ULL, 9999999999999999999ULL, 10000000000000000000ULL,
         10000000000000000051ULL, 18446744073709551557ULL, 18446744073709551558ULL,
         18446744073709551559ULL, UINT64_MAX},
        {2, 3, 1000000007ULL, 10000000019ULL, 100000000003ULL, 1000000000039ULL,
         10000000000000000051ULL, UINT64_MAX},
    };
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        size_t len;
        free(test_text_of(sets[s], 8, &len));
        for (size_t cap = 0; cap <= len + 25; cap++)
            for (size_t b = 1; b <= 8; b++)
                feed(MPP_FORMAT_TEXT, sets[s], 8, b, cap);
    }
}
END_TEST

/* Binary and native: 8 bytes each, floor(cap / 8) values. */
START_TEST(test_capacity_binary)
{
    static const uint64_t v[] = {2, 3, 5, 1000003, 4294967311ULL, UINT64_MAX - 58,
                                 UINT64_MAX};
    for (int f = MPP_FORMAT_BINARY; f <= MPP_FORMAT_NATIVE; f++)
        for (size_t cap = 0; cap <= 70; cap++)
            for (size_t b = 1; b <= 8; b++) {
                size_t want = cap / 8 < 7 ? cap / 8 : 7;
                ck_assert_uint_eq(feed((mpp_format)f, v, 7, b, cap), want);
            }
}
END_TEST

/* The capacity reached after several batches, at any point of a batch:
 * 7-digit primes in batches of up to 4096 (the driver's use). */
START_TEST(test_capacity_large)
{
    size_t n;
    uint64_t *primes = ref_primes(1000000, 1100000, &n);
    size_t len;
    free(test_text_of(primes, n, &len));
    static const size_t caps[] = {7, 8, 9, 4095, 4096, 65536, 100000, 100001};
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++)
        for (size_t b = 0; b < NBATCHES; b++) {
            /* 7-digit primes: 8 bytes each, exactly floor(cap / 8). */
            size_t want = caps[c] / 8 < n ? caps[c] / 8 : n;
            ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, primes, n, batches[b], caps[c]), want);
            ck_assert_uint_eq(feed(MPP_FORMAT_BINARY, primes, n, batches[b], caps[c]), want);
        }
    ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, primes, n, 4096, len - 1), n - 1);
    free(primes);
}
END_TEST

/* ---- mpp_outfile ---- */

/* ---- mpp_appendfile ---- */

/* What append_as_nobody's child does. */
typedef struct {
    const char *path, *text;
    bool keep;
} append_job;


/* ---- tuplets ---- */

/* The forms of each kind (bit d: p + d a member), written here again. */
static const uint32_t TFORMS[7][2] = {
    [2] = {0x5, 0},          /* 0 2 */
    [3] = {0x45, 0x51},      /* 0 2 6, 0 4 6 */
    [4] = {0x145, 0},        /* 0 2 6 8 */
    [5] = {0x1145, 0x1451},  /* 0 2 6 8 12, 0 4 6 10 12 */
    [6] = {0x11451, 0},      /* 0 4 6 10 12 16 */
};

/* Tuplet (P, FORM)'s line by snprintf: "(p, p + d1, ...)\n". */
static size_t tuplet_line(uint64_t p, uint32_t form, char *out, size_t room)
{
    size_t n = 0;
    for (unsigned d = 0; d < 32; d++)
        if (form >> d & 1)
            n += (size_t)snprintf(out + n, room - n, "%s%" PRIu64, n ? ", " : "(", p + d);
    n += (size_t)snprintf(out + n, room - n, ")\n");
    return n;
}

/* Tuplets of kind K (random forms of it) with least members from V, pushed
 * in batches of BATCH into a piece of CAP bytes in format FMT until it
 * refuses one: what it holds must be the first COUNT tuplets exactly (text
 * as snprintf writes them; binary the least members, little-endian; native
 * words), with no byte written past CAP + MPP_PIECE_SLACK, and FIRST, LAST
 * the least member of the first and the greatest of the last. */
static void expect_tuplets(int k, mpp_format fmt, const uint64_t *v, size_t n, size_t batch,
                           size_t cap, uint64_t *seed)
{
    uint32_t *forms = malloc(n * sizeof *forms);
    ck_assert_ptr_nonnull(forms);
    for (size_t i = 0; i < n; i++)
        forms[i] = TFORMS[k][TFORMS[k][1] && test_xorshift(seed) % 2];
    char *mem = guarded_alloc(cap);
    mpp_piece p;
    mpp_piece_init(&p, mem + GUARD, cap, fmt);
    p.kind = k;
    size_t i = 0;
    int rc = 0;
    while (i < n && rc == 0) {
        size_t b = batch < n - i ? batch : n - i;
        rc = mpp_piece_push_tuplets(&p, v + i, forms + i, b);
        i += b;
    }
    check_guards(mem, cap);
    ck_assert(rc == 0 || (rc == MPP_PIECE_FULL && p.full));
    ck_assert_uint_le(p.len, cap);
    size_t count = (size_t)p.count;
    ck_assert(rc != 0 || count == n);
    /* a refused tuplet did not fit the room left after the batch's */
    char *want = malloc(count * 140 + 1);
    ck_assert_ptr_nonnull(want);
    size_t wlen = 0;
    for (size_t j = 0; j < count; j++) {
        if (fmt == MPP_FORMAT_TEXT) {
            wlen += tuplet_line(v[j], forms[j], want + wlen, 140);
        } else if (fmt == MPP_FORMAT_BINARY) {
            for (int b = 0; b < 8; b++)
                want[wlen++] = (char)(v[j] >> (8 * b));
        } else {
            memcpy(want + wlen, &v[j], 8);
            wlen += 8;
        }
    }
    REQUIRE(p.len == wlen && memcmp(mem + GUARD, want, wlen) == 0,
            "kind %d, %s: %zu tuplets, %zu bytes, expected %zu", k, mpp_format_name(fmt), count,
            p.len, wlen);
    if (count) {
        ck_assert_uint_eq(p.first, v[0]);
        unsigned span = 31u - (unsigned)__builtin_clz(forms[count - 1]);
        ck_assert_uint_eq(p.last, v[count - 1] + span);
    }
    /* every line fits mpp_item_max_bytes of its greatest member */
    for (size_t j = 0; j < count && fmt == MPP_FORMAT_TEXT; j++) {
        char line[160];
        size_t len = tuplet_line(v[j], forms[j], line, sizeof line);
        ck_assert_uint_le(len, mpp_item_max_bytes(fmt, k, v[j] + 16));
    }
    /* once full, it stays full */
    if (rc) {
        size_t len = p.len;
        ck_assert_int_eq(mpp_piece_push_tuplets(&p, v, forms, 1), MPP_PIECE_FULL);
        ck_assert_uint_eq(p.len, len);
    }
    free(want);
    free(mem);
    free(forms);
}

START_TEST(test_tuplets_encoded)
{
    uint64_t seed = 77;
    enum { N = 3000 };
    static uint64_t v[N];
    for (int round = 0; round < 40; round++) {
        /* ascending least members of one magnitude, or across a power of 10 and
         * 10^8 multiples (the encoder's leading part), or near 2^64 */
        uint64_t base = round % 4 == 0 ? 0
                        : round % 4 == 1 ? 99999000ULL * (1 + test_xorshift(&seed) % 3)
                        : round % 4 == 2 ? any_magnitude(&seed) / 2
                                         : UINT64_MAX - 16 - (uint64_t)N * 40;
        uint64_t x = base;
        for (size_t i = 0; i < N; i++) {
            x += 1 + test_xorshift(&seed) % (round % 3 == 0 ? 3 : 40);
            v[i] = x;
        }
        int k = 2 + round % 5;
        static const size_t caps[] = {140, 1000, 1 << 20};
        for (int f = 0; f < 3; f++)
            for (size_t c = 0; c < 3; c++)
                expect_tuplets(k, (mpp_format)f, v, N, batches[round % 6], caps[c], &seed);
    }
}
END_TEST

START_TEST(test_tuplet_max_bytes)
{
    /* "(" and K members of at most digits(HI) digits, ", " between, ")\n" */
    ck_assert_uint_eq(mpp_item_max_bytes(MPP_FORMAT_TEXT, 2, 5), 7);        /* (3, 5)\n */
    ck_assert_uint_eq(mpp_item_max_bytes(MPP_FORMAT_TEXT, 6, 23), 6 * 4 + 1);
    ck_assert_uint_eq(mpp_item_max_bytes(MPP_FORMAT_TEXT, 6, UINT64_MAX), 6 * 22 + 1);
    ck_assert_uint_eq(mpp_item_max_bytes(MPP_FORMAT_TEXT, 1, 1000), 5);
    ck_assert_uint_eq(mpp_item_max_bytes(MPP_FORMAT_TEXT, 1, 1000),
                      mpp_format_max_bytes(MPP_FORMAT_TEXT, 1000));
    for (int k = 1; k <= 6; k++) {
        ck_assert_uint_eq(mpp_item_max_bytes(MPP_FORMAT_BINARY, k, UINT64_MAX), 8);
        ck_assert_uint_eq(mpp_item_max_bytes(MPP_FORMAT_NATIVE, k, 7), 8);
    }
    char line[160];
    ck_assert_uint_eq(tuplet_line(3, 0x5, line, sizeof line), 7);
    ck_assert_str_eq(line, "(3, 5)\n");
    ck_assert_uint_eq(tuplet_line(7, 0x11451, line, sizeof line), 24);
    ck_assert_str_eq(line, "(7, 11, 13, 17, 19, 23)\n");
    ck_assert_uint_le(24, mpp_item_max_bytes(MPP_FORMAT_TEXT, 6, 23));
}
END_TEST

static Suite *encode_suite(void)
{
    Suite *s = suite_create("encode");
    TCase *tc = tcase_create("decimal");
    tcase_add_test(tc, test_dec_edges);
    tcase_add_test(tc, test_dec_random);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_add_test(tc, test_format_names);
    tcase_add_test(tc, test_format_max_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("piece");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_chunk_push);
    tcase_add_test(tc, test_text_carries);
    tcase_add_test(tc, test_text_top);
    tcase_add_test(tc, test_text_tops);
    tcase_add_test(tc, test_text_first);
    tcase_add_test(tc, test_text_big_gaps);
    tcase_add_test(tc, test_text_random_gaps);
    tcase_add_test(tc, test_text_prime_gaps);
    tcase_add_test(tc, test_piece_reset);
    tcase_add_test(tc, test_piece_init_empty);
    tcase_add_test(tc, test_binary_native);
    tcase_add_test(tc, test_capacity_small);
    tcase_add_test(tc, test_capacity_uniform);
    tcase_add_test(tc, test_capacity_mixed);
    tcase_add_test(tc, test_capacity_binary);
    tcase_add_test(tc, test_capacity_large);
    tcase_add_test(tc, test_tuplets_encoded);
    tcase_add_test(tc, test_tuplet_max_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(encode_suite());
}
