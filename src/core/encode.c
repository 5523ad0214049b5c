/* encode.c - encoding primes into bounded buffers.
 *
 * Decimal text is the costly format: the primes up to 1e9 are 500 MB of it.
 * Dividing every prime by 10 once per digit costs more than sieving it. The
 * encoder splits a prime v into v / 10^8 and its last 8 digits: neighbouring
 * primes share the first part, whose digits are kept as text and copied as
 * one 16-byte word; the last 8 digits come from three rounds of splitting
 * inside one 64-bit word (digits8()), a few multiplications and no loop, and
 * are stored as one 8-byte word. About 4 ns a prime here, 4x faster than
 * adding each gap to the previous prime's digits, which stalled on reading
 * back the bytes it had just written.
 */
#include "encode.h"

#include <string.h>

#define E8 100000000u

/* The 8 decimal digits of X < 10^8 as ASCII, the first one in the lowest
 * byte so that a little-endian store writes them in order. SIMD within a
 * register: X / 10^4 and X % 10^4 go to the two 32-bit lanes, each lane is
 * split into its two 2-digit halves in 16-bit lanes, and each of those into
 * two digits in bytes; every quotient is a multiplication and a shift, exact
 * in its range (v / 100 = v * 5243 >> 19 below 43699, v / 10 = v * 103 >> 10
 * below 179), and the masks drop what the shifts bring over from the lane
 * above. */
static inline uint64_t digits8(uint32_t x)
{
    uint64_t v = (x / 10000) | (uint64_t)(x % 10000) << 32;
    uint64_t h = ((v * 5243) >> 19) & 0x0000007f0000007fULL;
    v = h | (v - h * 100) << 16;
    uint64_t t = ((v * 103) >> 10) & 0x000f000f000f000fULL;
    v = t | (v - t * 10) << 8;
    return v + 0x3030303030303030ULL;
}

static inline void store8(char *o, uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    memcpy(o, &w, sizeof w);
}

size_t mpp_u64_to_dec(uint64_t v, char *buf)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

const char *mpp_format_name(mpp_format f)
{
    switch (f) {
    case MPP_FORMAT_TEXT:
        return "text";
    case MPP_FORMAT_BINARY:
        return "binary";
    case MPP_FORMAT_NATIVE:
        return "native";
    }
    return NULL;
}

static size_t decimal_digits(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

size_t mpp_format_max_bytes(mpp_format f, uint64_t hi)
{
    return mpp_item_max_bytes(f, 1, hi);
}

size_t mpp_item_max_bytes(mpp_format f, int kind, uint64_t hi)
{
    if (f != MPP_FORMAT_TEXT)
        return sizeof(uint64_t);
    if (kind <= 1)
        return decimal_digits(hi) + 1;
    /* "(" and K members, ", " between them, ")\n" */
    return (size_t)kind * (decimal_digits(hi) + 2) + 1;
}

void mpp_piece_init(mpp_piece *p, char *buf, size_t cap, mpp_format fmt)
{
    memset(p, 0, sizeof *p);
    p->buf = buf;
    p->cap = cap;
    p->fmt = fmt;
    p->kind = 1;
}

void mpp_piece_reset(mpp_piece *p)
{
    p->len = 0;
    p->count = 0;
    p->first = p->last = 0;
    p->full = false;
}

/* The leading part of the text encoder: the digits of a value / 10^8,
 * kept while neighbouring values share it. */
typedef struct {
    uint64_t base; /* that quotient times 10^8 */
    char top[16];  /* its digits, len of them, zeros after */
    int len;       /* 0: none held */
} text_top;

/* Writes V in decimal at O (room for 15 bytes beyond its digits: whole 8-
 * and 16-byte words are stored) with the leading part T; returns the end. */
static inline char *put_dec(char *o, uint64_t v, text_top *t)
{
    if (v < E8) { /* no leading part: the digits of v without its zeros */
        uint32_t x = (uint32_t)v;
        int nd = 1 + (x >= 10) + (x >= 100) + (x >= 1000) + (x >= 10000) + (x >= 100000) +
                 (x >= 1000000) + (x >= 10000000);
        char tmp[16] = {0};
        store8(tmp, digits8(x));
        memcpy(o, tmp + 8 - nd, 8);
        return o + nd;
    }
    /* (below base the difference wraps round to a large number) */
    if (t->len == 0 || v - t->base >= E8) {
        uint64_t hi = v / E8;
        memset(t->top, 0, sizeof t->top);
        t->len = (int)mpp_u64_to_dec(hi, t->top);
        t->base = hi * E8;
    }
    memcpy(o, t->top, sizeof t->top);
    o += t->len;
    store8(o, digits8((uint32_t)(v - t->base)));
    return o + 8;
}

/* P's leading part, to be kept in locals while encoding, and back. */
static text_top top_of(const mpp_piece *p)
{
    text_top t;
    memcpy(t.top, p->top, sizeof t.top);
    t.len = p->toplen;
    t.base = p->top_base;
    return t;
}

static void keep_top(mpp_piece *p, const text_top *t)
{
    memcpy(p->top, t->top, sizeof t->top);
    p->toplen = t->len;
    p->top_base = t->base;
}

/* Encodes PRIMES[0..N-1] as text at OUT; returns the bytes written. The
 * caller guarantees the room (each line plus 15 bytes: a line is written as
 * whole 8- and 16-byte words). */
static size_t encode_text(mpp_piece *p, const uint64_t *primes, size_t n, char *out)
{
    char *o = out;
    /* The leading part in locals: the stores through O may alias P, and
     * would make the compiler read it back from memory for every prime. */
    text_top t = top_of(p);
    for (size_t i = 0; i < n; i++) {
        o = put_dec(o, primes[i], &t);
        *o++ = '\n';
    }
    keep_top(p, &t);
    return (size_t)(o - out);
}

static size_t encode_binary(const uint64_t *primes, size_t n, char *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, primes, n * sizeof *primes);
#else
    unsigned char *o = (unsigned char *)out;
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            *o++ = (unsigned char)(primes[i] >> (8 * b));
#endif
    return n * sizeof *primes;
}

int mpp_piece_push(void *piece, const uint64_t *primes, size_t n)
{
    mpp_piece *p = piece;
    if (n == 0 || p->full)
        return p->full ? MPP_PIECE_FULL : 0;
    /* Every line of this batch is at most as long as its largest prime's. */
    size_t per = mpp_format_max_bytes(p->fmt, primes[n - 1]);
    size_t room = p->cap - p->len, take = n;
    if (room / per < n)
        take = room / per;
    char *out = p->buf + p->len;
    switch (p->fmt) {
    case MPP_FORMAT_TEXT:
        p->len += encode_text(p, primes, take, out);
        break;
    case MPP_FORMAT_BINARY:
        p->len += encode_binary(primes, take, out);
        break;
    case MPP_FORMAT_NATIVE:
        memcpy(out, primes, take * sizeof *primes);
        p->len += take * sizeof *primes;
        break;
    }
    if (take > 0) {
        if (p->count == 0)
            p->first = primes[0];
        p->last = primes[take - 1];
        p->count += take;
    }
    if (take < n) {
        p->full = true;
        return MPP_PIECE_FULL;
    }
    return 0;
}

/* Encodes N tuplets (FIRSTS[i], FORMS[i]) as text at OUT, one per line as
 * primesieve prints them: "(p, p + d1, ..., p + dk)". */
static size_t encode_tuplets_text(mpp_piece *p, const uint64_t *firsts, const uint32_t *forms,
                                  size_t n, char *out)
{
    char *o = out;
    text_top t = top_of(p);
    for (size_t i = 0; i < n; i++) {
        *o++ = '(';
        o = put_dec(o, firsts[i], &t);
        for (uint32_t rest = forms[i] & (forms[i] - 1); rest; rest &= rest - 1) {
            memcpy(o, ", ", 2);
            o = put_dec(o + 2, firsts[i] + (unsigned)__builtin_ctz(rest), &t);
        }
        memcpy(o, ")\n", 2);
        o += 2;
    }
    keep_top(p, &t);
    return (size_t)(o - out);
}

/* The last member of tuplet (FIRST, FORM). */
static uint64_t last_member(uint64_t first, uint32_t form)
{
    return first + (31u - (unsigned)__builtin_clz(form));
}

int mpp_piece_push_tuplets(mpp_piece *p, const uint64_t *firsts, const uint32_t *forms,
                           size_t n)
{
    if (n == 0 || p->full)
        return p->full ? MPP_PIECE_FULL : 0;
    size_t per = mpp_item_max_bytes(p->fmt, p->kind, last_member(firsts[n - 1], forms[n - 1]));
    size_t room = p->cap - p->len, take = n;
    if (room / per < n)
        take = room / per;
    char *out = p->buf + p->len;
    if (p->fmt == MPP_FORMAT_TEXT) {
        p->len += encode_tuplets_text(p, firsts, forms, take, out);
    } else if (p->fmt == MPP_FORMAT_BINARY) {
        p->len += encode_binary(firsts, take, out);
    } else {
        memcpy(out, firsts, take * sizeof *firsts);
        p->len += take * sizeof *firsts;
    }
    if (take > 0) {
        if (p->count == 0)
            p->first = firsts[0];
        p->last = last_member(firsts[take - 1], forms[take - 1]);
        p->count += take;
    }
    if (take < n) {
        p->full = true;
        return MPP_PIECE_FULL;
    }
    return 0;
}

int mpp_chunk_push_tuplets(void *ctx, const uint64_t *firsts, const uint32_t *forms, size_t n)
{
    mpp_chunk_sink *c = ctx;
    uint64_t before = c->piece->count;
    int rc = mpp_piece_push_tuplets(c->piece, firsts, forms, n);
    if (!c->any && c->piece->count > before) {
        c->first = firsts[0];
        c->any = true;
    }
    return rc;
}

int mpp_chunk_push(void *ctx, const uint64_t *primes, size_t n)
{
    mpp_chunk_sink *c = ctx;
    uint64_t before = c->piece->count;
    int rc = mpp_piece_push(c->piece, primes, n);
    if (!c->any && c->piece->count > before) {
        c->first = primes[0];
        c->any = true;
    }
    return rc;
}
