/* fuzz_numparse.c - fuzz target for mpp_parse_u64 and mpp_quote (numparse.h).
 *
 * The input up to its first NUL byte is the text. For every input:
 * - status, value and the whole message equal those of a reference parser
 *   written here from the grammar in numparse.h and the message list in
 *   numparse.c, with other arithmetic (digit strings compared as strings,
 *   overflow by __builtin_mul_overflow, exponents shifted as strings);
 * - on failure *OUT is untouched and the message is one non-empty printable
 *   line of fewer than 256 bytes (the callers' buffers are 256 bytes); on
 *   success ERR is "" and *OUT is set;
 * - with ERRLEN 0, 1, 2, 3, 4 and the message's length - 1, + 0 and + 1,
 *   nothing is written past ERRLEN bytes, ERR is NUL-terminated and is the
 *   full message cut short (ERRLEN 0: ERR untouched); ERR = NULL and
 *   OUT = NULL give the same status; TEXT = NULL is the empty string;
 * - on success the value reads back: its decimal form, with blanks around,
 *   as a sum and as a difference; " TEXT ", "TEXT+0" and "0+TEXT" give the
 *   same value, "TEXT+1", "TEXT-1" and "TEXT+TEXT" the value computed here
 *   or a range error exactly when it leaves [0, 2^64 - 1];
 * - mpp_quote of the raw input (any bytes, any length) is one printable
 *   line of at most MPP_QUOTE_MAX bytes: the input with blanks as spaces and
 *   control bytes as '?', or, beyond MPP_QUOTE_MAX bytes, its first at most
 *   MPP_QUOTE_MAX - 3 bytes, not cut inside a UTF-8 sequence, and "...".
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "numparse.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

#define TWO64 ((u128)1 << 64)
#define MAX64 "18446744073709551615"
#define MSG_MAX 512 /* room for any message, whole */

/* ---- the reference parser ---- */

typedef enum { REF_OK, REF_BIG, REF_FRACTION } ref_kind;

typedef struct {
    ref_kind kind;
    u128 value; /* when REF_OK: at most 2^64 */
} ref_term;

typedef struct {
    mpp_num_status status;
    uint64_t value;     /* when MPP_NUM_OK */
    char msg[MSG_MAX];  /* "" when MPP_NUM_OK */
} ref_result;

static bool ref_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool ref_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The decimal digits S[0..LEN): exact when at most 2^64, compared as strings. */
static ref_term ref_digits(const char *s, size_t len)
{
    static const char two64[] = "18446744073709551616";
    while (len > 0 && *s == '0') {
        s++;
        len--;
    }
    if (len > 20 || (len == 20 && memcmp(s, two64, 20) > 0))
        return (ref_term){REF_BIG, 0};
    u128 v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (u128)(s[i] - '0');
    return (ref_term){REF_OK, v};
}

/* The digits S[0..LEN) as a count, saturated at one billion (more than the
 * length of any input, so a saturated shift is always far beyond 20). */
static long long ref_count(const char *s, size_t len)
{
    const long long limit = 1000000000;
    while (len > 0 && *s == '0') {
        s++;
        len--;
    }
    if (len > 9)
        return limit;
    long long v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static ref_term ref_power(ref_term base, const char *exp, size_t len)
{
    long long n = ref_count(exp, len);
    if (n == 0)
        return (ref_term){REF_OK, 1}; /* 0^0 = 1, and any base^0 */
    if (base.kind != REF_OK || base.value <= 1)
        return base;
    u128 r = 1;
    for (long long i = 0; i < n; i++) /* base >= 2: at most 65 rounds */
        if (__builtin_mul_overflow(r, base.value, &r) || r > TWO64)
            return (ref_term){REF_BIG, 0};
    return (ref_term){REF_OK, r};
}

/* WHOLE.FRAC e EXP: the mantissa's significant digits, the decimal point
 * moved by EXP - FRACLEN places as a string, then read as digits. */
static ref_term ref_scientific(const char *whole, size_t wlen, const char *frac, size_t flen,
                               const char *exp, size_t elen)
{
    size_t n = wlen + flen;
    char *m = malloc(n + 1);
    if (m == NULL)
        abort();
    memcpy(m, whole, wlen);
    memcpy(m + wlen, frac, flen);
    size_t lead = 0;
    while (lead < n && m[lead] == '0')
        lead++;
    ref_term t = {REF_OK, 0};
    const char *sig = m + lead;
    size_t slen = n - lead;
    long long shift = ref_count(exp, elen) - (long long)flen;
    if (slen == 0) {
        t = (ref_term){REF_OK, 0};
    } else if (shift >= 0) {
        if ((long long)slen + shift > 20) {
            t = (ref_term){REF_BIG, 0};
        } else {
            char digits[21];
            memcpy(digits, sig, slen);
            memset(digits + slen, '0', (size_t)shift);
            t = ref_digits(digits, slen + (size_t)shift);
        }
    } else {
        size_t drop = (size_t)-shift; /* these last digits must be zeros */
        bool zeros = drop < slen;
        for (size_t i = 0; zeros && i < drop; i++)
            zeros = sig[slen - 1 - i] == '0';
        t = zeros ? ref_digits(sig, slen - drop) : (ref_term){REF_FRACTION, 0};
    }
    free(m);
    return t;
}

/* Sets the status and the message "'TEXT'" + FMT. */
__attribute__((format(printf, 4, 5)))
static void ref_fail(ref_result *r, mpp_num_status st, const char *text, const char *fmt, ...)
{
    char q[MPP_QUOTE_MAX + 1];
    r->status = st;
    int n = snprintf(r->msg, sizeof r->msg, "'%s'", mpp_quote(q, text, strlen(text)));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg + n, sizeof r->msg - (size_t)n, fmt, ap);
    va_end(ap);
}

static void ref_unexpected(ref_result *r, const char *s, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    if (c == '\0')
        ref_fail(r, MPP_NUM_SYNTAX, s, ": unexpected end (a digit is missing)");
    else if (c >= 0x20 && c < 0x7f)
        ref_fail(r, MPP_NUM_SYNTAX, s, ": unexpected '%c' at position %zu", (char)c, i + 1);
    else
        ref_fail(r, MPP_NUM_SYNTAX, s, ": unexpected byte 0x%02X at position %zu", (unsigned)c,
                 i + 1);
}

static size_t skip_digits(const char *s, size_t i)
{
    while (ref_digit(s[i]))
        i++;
    return i;
}

static size_t skip_blanks(const char *s, size_t i)
{
    while (ref_blank(s[i]))
        i++;
    return i;
}

static void ref_parse(const char *s, ref_result *r)
{
    memset(r, 0, sizeof *r);
    size_t i = skip_blanks(s, 0);
    if (s[i] == '\0') {
        ref_fail(r, MPP_NUM_EMPTY, s, " is empty");
        return;
    }
    if (s[i] == '-') {
        ref_fail(r, MPP_NUM_SYNTAX, s, ": negative numbers are not allowed");
        return;
    }
    i128 sum = 0;
    size_t nterms = 0, bad_start = 0, bad_len = 0;
    ref_kind bad = REF_OK;
    bool negate = false;
    for (;;) {
        size_t start = i;
        if (!ref_digit(s[i])) {
            ref_unexpected(r, s, i);
            return;
        }
        i = skip_digits(s, i);
        size_t wlen = i - start;
        ref_term t;
        if (s[i] == '.' || s[i] == 'e' || s[i] == 'E') {
            size_t frac = i, flen = 0;
            if (s[i] == '.') {
                frac = ++i;
                if (!ref_digit(s[i])) {
                    ref_unexpected(r, s, i);
                    return;
                }
                i = skip_digits(s, i);
                flen = i - frac;
                if (s[i] != 'e' && s[i] != 'E') {
                    if (s[i] == '\0' || ref_blank(s[i]) || s[i] == '+' || s[i] == '-')
                        ref_fail(r, MPP_NUM_SYNTAX, s,
                                 ": a decimal point needs an exponent (as in 2.5e9)");
                    else
                        ref_unexpected(r, s, i);
                    return;
                }
            }
            size_t exp = ++i;
            if (!ref_digit(s[i])) {
                ref_unexpected(r, s, i);
                return;
            }
            i = skip_digits(s, i);
            t = ref_scientific(s + start, wlen, s + frac, flen, s + exp, i - exp);
        } else {
            size_t j = skip_blanks(s, i);
            if (s[j] == '^') {
                j = skip_blanks(s, j + 1);
                if (!ref_digit(s[j])) {
                    ref_unexpected(r, s, j);
                    return;
                }
                size_t exp = j;
                i = skip_digits(s, j);
                t = ref_power(ref_digits(s + start, wlen), s + exp, i - exp);
            } else {
                t = ref_digits(s + start, wlen);
            }
        }
        nterms++;
        if (t.kind == REF_OK)
            sum += negate ? -(i128)t.value : (i128)t.value;
        else if (bad == REF_OK) {
            bad = t.kind;
            bad_start = start;
            bad_len = i - start;
        }
        i = skip_blanks(s, i);
        if (s[i] == '\0')
            break;
        if (s[i] != '+' && s[i] != '-') {
            ref_unexpected(r, s, i);
            return;
        }
        negate = s[i] == '-';
        i = skip_blanks(s, i + 1);
    }
    char q[MPP_QUOTE_MAX + 1];
    mpp_quote(q, s + bad_start, bad_len);
    if (bad == REF_FRACTION && nterms == 1)
        ref_fail(r, MPP_NUM_SYNTAX, s, " is not an integer");
    else if (bad == REF_FRACTION)
        ref_fail(r, MPP_NUM_SYNTAX, s, ": the term '%s' is not an integer", q);
    else if (bad == REF_BIG && nterms == 1)
        ref_fail(r, MPP_NUM_RANGE, s, " is larger than 2^64 - 1 (" MAX64 ")");
    else if (bad == REF_BIG)
        ref_fail(r, MPP_NUM_RANGE, s, ": the term '%s' is larger than 2^64", q);
    else if (sum < 0)
        ref_fail(r, MPP_NUM_RANGE, s, " is negative");
    else if (sum > (i128)UINT64_MAX)
        ref_fail(r, MPP_NUM_RANGE, s, " is larger than 2^64 - 1 (" MAX64 ")");
    else {
        r->status = MPP_NUM_OK;
        r->value = (uint64_t)sum;
    }
}

/* ---- the properties ---- */

/* TEXT must parse as EXPECT (an exact value when ok, else a range error). */
static void expect_value(const char *text, bool ok, uint64_t expect, const char *why)
{
    uint64_t v = 0;
    char err[MSG_MAX];
    mpp_num_status st = mpp_parse_u64(text, &v, err, sizeof err);
    if (ok)
        FUZZ_CHECK(st == MPP_NUM_OK && v == expect,
                   "%s: '%s' gives status %d, value %" PRIu64 ", want %" PRIu64 " (%s)", why,
                   text, (int)st, v, expect, err);
    else
        FUZZ_CHECK(st == MPP_NUM_RANGE, "%s: '%s' gives status %d, want a range error (%s)",
                   why, text, (int)st, err);
}

/* The properties of a successful parse of TEXT into V. */
static void check_value(const char *text, uint64_t v)
{
    size_t len = strlen(text);
    char *buf = malloc(2 * len + 64);
    if (buf == NULL)
        abort();
    char num[96];
    snprintf(num, sizeof num, "%" PRIu64, v);
    expect_value(num, true, v, "decimal form");
    snprintf(num, sizeof num, " \t%" PRIu64 "\n ", v);
    expect_value(num, true, v, "decimal form with blanks");
    snprintf(num, sizeof num, "%" PRIu64 "+%" PRIu64, v / 3, v - v / 3);
    expect_value(num, true, v, "sum");
    snprintf(num, sizeof num, "%" PRIu64 " - %" PRIu64 " + %" PRIu64, v / 2, v / 2,
             v);
    expect_value(num, true, v, "sum and difference");
    if (v < UINT64_MAX) {
        snprintf(num, sizeof num, "%" PRIu64 "-1", v + 1);
        expect_value(num, true, v, "difference");
    }
    sprintf(buf, " %s ", text);
    expect_value(buf, true, v, "blanks around");
    sprintf(buf, "%s+0", text);
    expect_value(buf, true, v, "TEXT+0");
    sprintf(buf, "0+%s", text);
    expect_value(buf, true, v, "0+TEXT");
    sprintf(buf, "%s+1", text);
    expect_value(buf, v < UINT64_MAX, v + 1, "TEXT+1");
    sprintf(buf, "%s - 1", text);
    expect_value(buf, v > 0, v - 1, "TEXT - 1");
    sprintf(buf, "%s+%s", text, text);
    expect_value(buf, v <= UINT64_MAX / 2, v * 2, "TEXT+TEXT");
    free(buf);
}

/* With ERRLEN bytes for the message: the same status, and FULL cut short. */
static void check_errlen(const char *text, size_t errlen, mpp_num_status want, const char *full)
{
    char *err = fuzz_buffer(errlen);
    mpp_num_status st = mpp_parse_u64(text, NULL, err, errlen);
    FUZZ_CHECK(st == want, "errlen %zu changes the status of '%s': %d, not %d", errlen, text,
               (int)st, (int)want);
    FUZZ_CHECK(fuzz_guard_intact(err, errlen), "errlen %zu: written past the end", errlen);
    if (errlen == 0) {
        FUZZ_CHECK((unsigned char)err[0] == FUZZ_CANARY, "errlen 0: err was written");
    } else {
        size_t n = strnlen(err, errlen);
        size_t want_n = strlen(full) < errlen - 1 ? strlen(full) : errlen - 1;
        FUZZ_CHECK(n < errlen, "errlen %zu: no NUL within errlen", errlen);
        FUZZ_CHECK(n == want_n && memcmp(err, full, n) == 0,
                   "errlen %zu: '%.*s' is not the message '%s' cut to %zu bytes", errlen,
                   (int)n, err, full, want_n);
    }
    free(err);
}

static char quote_byte(unsigned char c)
{
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
        return ' ';
    return c < 0x20 || c == 0x7f ? '?' : (char)c;
}

static void check_quote(const uint8_t *data, size_t size)
{
    char *q = fuzz_buffer(MPP_QUOTE_MAX + 1);
    const char *ret = mpp_quote(q, (const char *)data, size);
    FUZZ_CHECK(ret == q, "mpp_quote returns another pointer");
    FUZZ_CHECK(fuzz_guard_intact(q, MPP_QUOTE_MAX + 1), "mpp_quote writes past its buffer");
    size_t len = strnlen(q, MPP_QUOTE_MAX + 1);
    FUZZ_CHECK(len <= MPP_QUOTE_MAX, "mpp_quote: no NUL within MPP_QUOTE_MAX + 1 bytes");
    FUZZ_CHECK(fuzz_one_line(q), "mpp_quote: '%s' is not one printable line", q);
    size_t n = size;
    if (size > MPP_QUOTE_MAX) {
        FUZZ_CHECK(len >= 3 && memcmp(q + len - 3, "...", 3) == 0,
                   "mpp_quote: %zu bytes cut without '...': '%s'", size, q);
        n = len - 3;
        FUZZ_CHECK(n <= MPP_QUOTE_MAX - 3, "mpp_quote keeps %zu bytes", n);
        FUZZ_CHECK(n == 0 || (data[n] & 0xC0) != 0x80, "mpp_quote cuts inside UTF-8: '%s'", q);
        for (size_t k = n + 1; k <= MPP_QUOTE_MAX - 3; k++)
            FUZZ_CHECK((data[k] & 0xC0) == 0x80, "mpp_quote cuts %zu bytes early", k - n);
    } else {
        FUZZ_CHECK(len == size, "mpp_quote: %zu bytes quoted as %zu", size, len);
    }
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(q[i] == quote_byte(data[i]), "mpp_quote: byte %zu is 0x%02X, not 0x%02X", i,
                   (unsigned char)q[i], (unsigned char)quote_byte(data[i]));
    free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_quote(data, size);

    char *text = malloc(size + 1);
    if (text == NULL)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';

    ref_result want;
    ref_parse(text, &want);

    char full[MSG_MAX];
    uint64_t out = 0x0123456789abcdefu, out2 = ~out;
    mpp_num_status st = mpp_parse_u64(text, &out, full, sizeof full);
    FUZZ_CHECK(st == want.status, "'%s': status %d, want %d ('%s')", text, (int)st,
               (int)want.status, want.msg);
    FUZZ_CHECK(strcmp(full, want.msg) == 0, "'%s': message\n    '%s', want\n    '%s'", text,
               full, want.msg);
    mpp_num_status st2 = mpp_parse_u64(text, &out2, NULL, 0);
    FUZZ_CHECK(st2 == st, "'%s': status %d without err, %d with", text, (int)st2, (int)st);
    FUZZ_CHECK(mpp_parse_u64(text, NULL, NULL, 100) == st, "'%s': another status", text);
    FUZZ_CHECK(mpp_parse_u64(text, NULL, full, sizeof full) == st, "'%s': another status",
               text);
    if (st == MPP_NUM_OK) {
        FUZZ_CHECK(out == want.value && out2 == want.value,
                   "'%s' = %" PRIu64 " (and %" PRIu64 "), want %" PRIu64, text, out, out2,
                   want.value);
        FUZZ_CHECK(full[0] == '\0', "'%s': success with a message '%s'", text, full);
        check_value(text, out);
    } else {
        FUZZ_CHECK(st == MPP_NUM_EMPTY || st == MPP_NUM_SYNTAX || st == MPP_NUM_RANGE,
                   "'%s': status %d", text, (int)st);
        FUZZ_CHECK(out == 0x0123456789abcdefu && out2 == ~(uint64_t)0x0123456789abcdefu,
                   "'%s': failure wrote *out", text);
        size_t len = strlen(full);
        FUZZ_CHECK(len > 0 && len < 256, "'%s': message of %zu bytes", text, len);
        FUZZ_CHECK(fuzz_one_line(full), "'%s': message '%s' is not one printable line", text,
                   full);
    }

    /* TEXT = NULL is the empty string. */
    char none[MSG_MAX];
    uint64_t untouched = 42;
    FUZZ_CHECK(mpp_parse_u64(NULL, &untouched, none, sizeof none) == MPP_NUM_EMPTY &&
                   untouched == 42 && strcmp(none, "'' is empty") == 0,
               "NULL text: '%s'", none);

    size_t len = strlen(full);
    const size_t errlens[] = {0, 1, 2, 3, 4, len > 0 ? len - 1 : 5, len, len + 1};
    for (size_t i = 0; i < sizeof errlens / sizeof errlens[0]; i++)
        check_errlen(text, errlens[i], st, full);

    free(text);
    return 0;
}
