/* encode.c - encoding primes into bounded buffers.
 *
 * Decimal text is the costly format: the primes up to 1e9 are 500 MB of it.
 * Dividing every prime by 10 once per digit costs more than sieving it, so
 * the encoder keeps the previous prime's digits as text and adds the gap to
 * them, digit by digit with carry: gaps are small (below 1,500 anywhere
 * below 2^64), so that touches two or three digits, and a line is then
 * stored as three 8-byte words whatever its length.
 */
#include "encode.h"

#include <string.h>

/* The digits of mpp_piece.dec end here (exclusive); a line is copied as
 * the 24 bytes from its first digit, which stay inside dec[64]. */
#define DEC_END 40
#define LINE_STORE 24

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
    return f == MPP_FORMAT_TEXT ? decimal_digits(hi) + 1 : sizeof(uint64_t);
}

void mpp_piece_init(mpp_piece *p, char *buf, size_t cap, mpp_format fmt)
{
    memset(p, 0, sizeof *p);
    p->buf = buf;
    p->cap = cap;
    p->fmt = fmt;
}

void mpp_piece_reset(mpp_piece *p)
{
    p->len = 0;
    p->count = 0;
    p->first = p->last = 0;
    p->full = false;
    p->declen = 0;
}

/* Sets the decimal state to V. */
static void dec_set(mpp_piece *p, uint64_t v)
{
    char tmp[20];
    size_t n = mpp_u64_to_dec(v, tmp);
    memset(p->dec, '0', sizeof p->dec);
    memcpy(p->dec + DEC_END - n, tmp, n);
    p->declen = (int)n;
}

/* Adds GAP to the decimal state. The positions before the digits hold '0',
 * so a carry out of the top digit simply lengthens the number. */
static inline void dec_add(mpp_piece *p, uint32_t gap)
{
    char *q = p->dec + DEC_END - 1;
    while (gap) {
        unsigned d = (unsigned)(*q - '0') + gap % 10;
        gap /= 10;
        if (d >= 10) {
            d -= 10;
            gap++;
        }
        *q-- = (char)('0' + d);
    }
    int len = (int)(p->dec + DEC_END - (q + 1));
    if (len > p->declen)
        p->declen = len;
}

/* Encodes PRIMES[0..N-1] as text at OUT; returns the bytes written. The
 * caller guarantees the room (each line plus LINE_STORE - 1 bytes). */
static size_t encode_text(mpp_piece *p, const uint64_t *primes, size_t n, char *out)
{
    char *o = out;
    uint64_t prev = p->count ? p->last : 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = primes[i];
        if (p->declen == 0 || v - prev > UINT32_MAX)
            dec_set(p, v);
        else
            dec_add(p, (uint32_t)(v - prev));
        prev = v;
        memcpy(o, p->dec + DEC_END - p->declen, LINE_STORE);
        o[p->declen] = '\n';
        o += p->declen + 1;
    }
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
