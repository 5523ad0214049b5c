/* numparse.c - overflow-checked parsing of the numbers users type (see
 * numparse.h for the grammar).
 *
 * The text is scanned once, left to right. Syntax errors stop the scan at
 * once; a term that is too big or not an integer is remembered and reported
 * only when the whole text has turned out to be well formed, so that a typo
 * is pointed out before a range problem.
 *
 * Values are exact: a term is held in an unsigned __int128 and clamped to
 * TOO_BIG (2^64 + 1) as soon as it exceeds 2^64, so no digit string or
 * exponent, however long, can wrap around or make the work grow beyond one
 * pass (powers take at most 65 multiplications). The sum of the terms is a
 * signed __int128: a text shorter than 2^63 bytes has fewer than 2^62 terms
 * of at most 2^64 each, so the sum stays below 2^126 in magnitude.
 *
 * Besides "^" (which may have blanks around it, like "+" and "-"), nothing
 * inside a term may be separated by blanks: "1 e9" and "1 000" are errors.
 *
 * Messages (no trailing newline; INPUT is the text, quoted as described at
 * mpp_quote()):
 *   'INPUT' is empty
 *   'INPUT': negative numbers are not allowed      (text starts with '-')
 *   'INPUT': unexpected 'C' at position N          (N counts bytes from 1)
 *   'INPUT': unexpected byte 0xNN at position N    (C not printable)
 *   'INPUT': unexpected end (a digit is missing)
 *   'INPUT': a decimal point needs an exponent (as in 2.5e9)
 *   'INPUT' is not an integer                      (one term, as 1.5e0)
 *   'INPUT': the term 'T' is not an integer        (several terms)
 *   'INPUT' is larger than 2^64 - 1 (18446744073709551615)
 *   'INPUT': the term 'T' is larger than 2^64      (several terms)
 *   'INPUT' is negative                            (as 5-6)
 */
#include "numparse.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

#define TWO64 ((u128)1 << 64)
#define TOO_BIG (TWO64 + 1)

/* At most this many bytes of the input are quoted in a message. */
enum { QUOTE_BUF = MPP_QUOTE_MAX + 1 };

typedef enum { TERM_OK, TERM_BIG, TERM_FRACTION } term_kind;

typedef struct {
    size_t start, len; /* where the term lies in the text */
    u128 value;        /* exact when kind is TERM_OK */
    term_kind kind;
} term;

typedef struct {
    const char *begin; /* first digit */
    size_t len;        /* number of digits */
} digits;

typedef struct {
    const char *text;
    size_t pos; /* next byte to look at */
    char *err;
    size_t errlen;
} parser;

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

const char *mpp_quote(char buf[MPP_QUOTE_MAX + 1], const char *s, size_t len)
{
    size_t n = len;
    bool cut = len > MPP_QUOTE_MAX;
    if (cut) {
        n = MPP_QUOTE_MAX - 3;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = is_blank((char)c) ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (cut) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* Writes "'INPUT'" followed by FMT into the caller's buffer, if any. */
__attribute__((format(printf, 2, 3)))
static void fail(const parser *p, const char *fmt, ...)
{
    if (p->err == NULL || p->errlen == 0)
        return;
    char q[QUOTE_BUF];
    mpp_quote(q, p->text, strlen(p->text));
    int n = snprintf(p->err, p->errlen, "'%s'", q);
    if (n < 0 || (size_t)n >= p->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Reports the byte at the current position as unexpected. */
static bool unexpected(const parser *p)
{
    unsigned char c = (unsigned char)p->text[p->pos];
    size_t at = p->pos + 1;
    if (c == '\0')
        fail(p, ": unexpected end (a digit is missing)");
    else if (c >= 0x20 && c < 0x7f)
        fail(p, ": unexpected '%c' at position %zu", (char)c, at);
    else
        fail(p, ": unexpected byte 0x%02X at position %zu", (unsigned)c, at);
    return false;
}

static void skip_blanks(parser *p)
{
    while (is_blank(p->text[p->pos]))
        p->pos++;
}

/* Scans one or more digits into *D; false (with a message) if there are none. */
static bool scan_digits(parser *p, digits *d)
{
    d->begin = p->text + p->pos;
    d->len = 0;
    while (is_digit(p->text[p->pos])) {
        p->pos++;
        d->len++;
    }
    return d->len > 0 || unexpected(p);
}

/* Value of the decimal digits S[0..LEN), clamped to TOO_BIG. */
static u128 digits_value(const char *s, size_t len)
{
    while (len > 0 && *s == '0') {
        s++;
        len--;
    }
    if (len > 20) /* at least 10^20 > 2^64 */
        return TOO_BIG;
    u128 v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (u128)(s[i] - '0');
    return v > TWO64 ? TOO_BIG : v;
}

/* BASE^EXP, clamped to TOO_BIG; 0^0 = 1. */
static u128 power(u128 base, u128 exp)
{
    if (exp == 0)
        return 1;
    if (base <= 1)
        return base;
    u128 r = 1;
    for (; exp > 0; exp--) { /* r at least doubles: at most 65 rounds */
        if (r > TWO64 / base)
            return TOO_BIG;
        r *= base;
    }
    return r;
}

/* The I-th digit of WHOLE followed by FRAC. */
static char mantissa_digit(const digits *whole, const digits *frac, size_t i)
{
    return i < whole->len ? whole->begin[i] : frac->begin[i - whole->len];
}

/* Sets T from WHOLE.FRAC e EXP. With the mantissa's digits stripped of
 * leading and trailing zeros, the value is SIG * 10^K where SIG has no
 * trailing zero: an integer exactly when K >= 0, and with SIG's digits plus K
 * above 20 it is at least 10^20 > 2^64. */
static void scientific(term *t, const digits *whole, const digits *frac, const digits *exp)
{
    size_t n = whole->len + frac->len, lead = 0, trail = 0;
    while (lead < n && mantissa_digit(whole, frac, lead) == '0')
        lead++;
    while (trail < n - lead && mantissa_digit(whole, frac, n - 1 - trail) == '0')
        trail++;
    size_t sig = n - lead - trail;
    t->kind = TERM_OK;
    t->value = 0;
    if (sig == 0)
        return;
    i128 k = (i128)digits_value(exp->begin, exp->len) - (i128)frac->len + (i128)trail;
    if (k < 0) {
        t->kind = TERM_FRACTION;
        return;
    }
    if ((i128)sig + k > 20) {
        t->kind = TERM_BIG;
        return;
    }
    u128 v = 0;
    for (size_t i = lead; i < n - trail; i++)
        v = v * 10 + (u128)(mantissa_digit(whole, frac, i) - '0');
    for (; k > 0; k--)
        v *= 10;
    t->value = v;
    if (v > TWO64)
        t->kind = TERM_BIG;
}

/* The rest of a term in scientific notation, after its whole part. */
static bool parse_scientific(parser *p, term *t, const digits *whole)
{
    digits frac = {p->text + p->pos, 0}, exp;
    if (p->text[p->pos] == '.') {
        p->pos++;
        if (!scan_digits(p, &frac))
            return false;
        char c = p->text[p->pos];
        if (c != 'e' && c != 'E') {
            if (c == '\0' || is_blank(c) || c == '+' || c == '-')
                fail(p, ": a decimal point needs an exponent (as in 2.5e9)");
            else
                unexpected(p);
            return false;
        }
    }
    p->pos++; /* the 'e' */
    if (!scan_digits(p, &exp))
        return false;
    scientific(t, whole, &frac, &exp);
    return true;
}

/* Sets T from the power or plain number that starts with WHOLE. */
static bool parse_power(parser *p, term *t, const digits *whole)
{
    u128 v = digits_value(whole->begin, whole->len);
    size_t after = p->pos;
    skip_blanks(p);
    if (p->text[p->pos] == '^') {
        p->pos++;
        skip_blanks(p);
        digits exp;
        if (!scan_digits(p, &exp))
            return false;
        v = power(v, digits_value(exp.begin, exp.len));
    } else {
        p->pos = after;
    }
    t->value = v;
    t->kind = v > TWO64 ? TERM_BIG : TERM_OK;
    return true;
}

/* Parses one term; false (with a message) on a syntax error. */
static bool parse_term(parser *p, term *t)
{
    t->start = p->pos;
    digits whole;
    if (!scan_digits(p, &whole))
        return false;
    char c = p->text[p->pos];
    bool ok = (c == '.' || c == 'e' || c == 'E') ? parse_scientific(p, t, &whole)
                                                  : parse_power(p, t, &whole);
    t->len = p->pos - t->start;
    return ok;
}

/* Reports BAD, the first term that is too big or not an integer. */
static mpp_num_status bad_term(const parser *p, const term *bad, bool alone)
{
    char q[QUOTE_BUF];
    mpp_quote(q, p->text + bad->start, bad->len);
    if (bad->kind == TERM_FRACTION) {
        if (alone)
            fail(p, " is not an integer");
        else
            fail(p, ": the term '%s' is not an integer", q);
        return MPP_NUM_SYNTAX;
    }
    if (alone)
        fail(p, " is larger than 2^64 - 1 (%llu)", (unsigned long long)UINT64_MAX);
    else
        fail(p, ": the term '%s' is larger than 2^64", q);
    return MPP_NUM_RANGE;
}

/* Checks that the text starts like a number; its status, MPP_NUM_OK if so. */
static mpp_num_status check_start(parser *p)
{
    skip_blanks(p);
    char c = p->text[p->pos];
    if (c == '\0') {
        fail(p, " is empty");
        return MPP_NUM_EMPTY;
    }
    if (c == '-') {
        fail(p, ": negative numbers are not allowed");
        return MPP_NUM_SYNTAX;
    }
    return MPP_NUM_OK;
}

/* Parses the terms and their signs into *SUM; the status (with a message). */
static mpp_num_status parse_sum(parser *p, i128 *sum)
{
    size_t nterms = 0;
    term bad = {.start = 0, .len = 0, .value = 0, .kind = TERM_OK};
    bool negate = false;
    *sum = 0;
    for (;;) {
        term t;
        if (!parse_term(p, &t))
            return MPP_NUM_SYNTAX;
        nterms++;
        if (t.kind == TERM_OK)
            *sum += negate ? -(i128)t.value : (i128)t.value;
        else if (bad.kind == TERM_OK)
            bad = t;
        skip_blanks(p);
        char c = p->text[p->pos];
        if (c == '\0')
            break;
        if (c != '+' && c != '-') {
            unexpected(p);
            return MPP_NUM_SYNTAX;
        }
        negate = c == '-';
        p->pos++;
        skip_blanks(p);
    }
    return bad.kind == TERM_OK ? MPP_NUM_OK : bad_term(p, &bad, nterms == 1);
}

mpp_num_status mpp_parse_u64(const char *text, uint64_t *out, char *err, size_t errlen)
{
    parser p = {.text = text ? text : "", .pos = 0, .err = err, .errlen = errlen};
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    mpp_num_status st = check_start(&p);
    i128 sum = 0;
    if (st == MPP_NUM_OK)
        st = parse_sum(&p, &sum);
    if (st != MPP_NUM_OK)
        return st;
    if (sum < 0) {
        fail(&p, " is negative");
        return MPP_NUM_RANGE;
    }
    if (sum > (i128)UINT64_MAX) {
        fail(&p, " is larger than 2^64 - 1 (%llu)", (unsigned long long)UINT64_MAX);
        return MPP_NUM_RANGE;
    }
    if (out != NULL)
        *out = (uint64_t)sum;
    return MPP_NUM_OK;
}
