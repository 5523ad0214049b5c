/* test_numparse.c - unit tests of mpp_parse_u64 (src/core/numparse.c): every
 * accepted form with its exact value, every kind of error with its status and
 * message, the edges of the range, hostile inputs, and randomly generated
 * expressions checked against values computed here independently.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "testutil.h"

#define MAX64 "18446744073709551615"

typedef unsigned __int128 u128;
typedef __int128 i128;

/* Parses TEXT, expecting success with VALUE and an empty message. */
static void expect_ok(const char *text, uint64_t value)
{
    uint64_t out = 12345;
    char err[256] = "junk";
    mpp_num_status st = mpp_parse_u64(text, &out, err, sizeof err);
    ck_assert_msg(st == MPP_NUM_OK, "'%.100s': status %d, message \"%s\"", text, (int)st, err);
    ck_assert_msg(out == value, "'%.100s': got %" PRIu64 ", expected %" PRIu64, text, out, value);
    ck_assert_msg(err[0] == '\0', "'%.100s': message \"%s\" on success", text, err);
}

/* Checks that ERR is a plausible one-line message about TEXT. */
static void check_message(const char *text, const char *err)
{
    ck_assert_msg(err[0] != '\0', "'%.100s': empty message", text);
    ck_assert_msg(strchr(err, '\n') == NULL, "'%.100s': message has a newline: %s", text, err);
    ck_assert_msg(strchr(err, '\r') == NULL, "'%.100s': message has a CR: %s", text, err);
    ck_assert_msg(err[0] == '\'', "'%.100s': message does not start with a quote: %s", text, err);
    bool plain = strlen(text) <= 50;
    for (const char *c = text; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            plain = false;
    if (plain) {
        char quoted[64];
        snprintf(quoted, sizeof quoted, "'%s'", text);
        ck_assert_msg(strstr(err, quoted) != NULL, "'%.100s': input not quoted in: %s", text, err);
    }
}

/* Parses TEXT, expecting STATUS, an untouched output and a good message;
 * returns the message in ERR (ERRLEN bytes). */
static void expect_fail_msg(const char *text, mpp_num_status status, char *err, size_t errlen)
{
    uint64_t out = 777;
    mpp_num_status st = mpp_parse_u64(text, &out, err, errlen);
    ck_assert_msg(st == status, "'%.100s': status %d, expected %d (message \"%s\")", text, (int)st,
                  (int)status, err);
    ck_assert_msg(out == 777, "'%.100s': output changed on failure", text);
    check_message(text, err);
}

static void expect_fail(const char *text, mpp_num_status status)
{
    char err[256];
    expect_fail_msg(text, status, err, sizeof err);
}

static void expect_message(const char *text, mpp_num_status status, const char *message)
{
    char err[256];
    expect_fail_msg(text, status, err, sizeof err);
    ck_assert_str_eq(err, message);
}

START_TEST(test_decimal)
{
    expect_ok("0", 0);
    expect_ok("1", 1);
    expect_ok("42", 42);
    expect_ok("1000000", 1000000);
    expect_ok("007", 7);
    expect_ok("0000000000000000000000000000000000000000000000000000000000000001", 1);
    expect_ok("4294967296", 4294967296ULL);
    expect_ok("9223372036854775808", 9223372036854775808ULL);
    expect_ok("10000000000000000000", 10000000000000000000ULL);
    expect_ok("18446744073709551614", UINT64_MAX - 1);
    expect_ok(MAX64, UINT64_MAX);
    expect_ok("000" MAX64, UINT64_MAX);
}
END_TEST

START_TEST(test_blanks)
{
    expect_ok(" 42 ", 42);
    expect_ok("\t42\n", 42);
    expect_ok("   1e3", 1000);
    expect_ok("2^10   ", 1024);
    expect_ok("2 ^ 10", 1024);
    expect_ok("2^64 - 1", UINT64_MAX);
    expect_ok(" 1e12 + 1e9 ", 1001000000000ULL);
    expect_ok("1\t+\t2", 3);
}
END_TEST

START_TEST(test_scientific)
{
    expect_ok("1e0", 1);
    expect_ok("1E0", 1);
    expect_ok("1e1", 10);
    expect_ok("1e10", 10000000000ULL);
    expect_ok("1E10", 10000000000ULL);
    expect_ok("1e19", 10000000000000000000ULL);
    expect_ok("18e18", 18000000000000000000ULL);
    expect_ok("1.8e19", 18000000000000000000ULL);
    expect_ok("2.5e9", 2500000000ULL);
    expect_ok("1.5e1", 15);
    expect_ok("1.50e1", 15);
    expect_ok("1.0e0", 1);
    expect_ok("0.5e1", 5);
    expect_ok("00.5e1", 5);
    expect_ok("0e0", 0);
    expect_ok("0e999", 0);
    expect_ok("0.000e99999999999999999999999", 0);
    expect_ok("12.345e3", 12345);
    expect_ok("1.8446744073709551615e19", UINT64_MAX);
    expect_ok("18446744073709551615e0", UINT64_MAX);
    expect_ok("100e1", 1000);
    expect_ok("1.00000000000000000000000000000000e0", 1);
    expect_ok("0.0000000000000000000000000001e28", 1);
    expect_ok("0.0000000000000000000000000001e47", 10000000000000000000ULL);
}
END_TEST

START_TEST(test_powers)
{
    expect_ok("0^0", 1);
    expect_ok("10^0", 1);
    expect_ok("0^5", 0);
    expect_ok("1^0", 1);
    expect_ok("1^99999999999999999999999999", 1);
    expect_ok("0^99999999999999999999999999", 0);
    expect_ok("99999999999999999999999^0", 1);
    expect_ok("2^0", 1);
    expect_ok("2^1", 2);
    expect_ok("2^32", 4294967296ULL);
    expect_ok("2^63", 9223372036854775808ULL);
    expect_ok("3^40", 12157665459056928801ULL);
    expect_ok("10^19", 10000000000000000000ULL);
    expect_ok("4294967296^1", 4294967296ULL);
    expect_ok("65536^4-1", UINT64_MAX);
    expect_ok("002^010", 1024);
    for (unsigned k = 0; k < 64; k++) {
        char text[32];
        snprintf(text, sizeof text, "2^%u", k);
        expect_ok(text, (uint64_t)1 << k);
        snprintf(text, sizeof text, "2^%u-1", k);
        expect_ok(text, ((uint64_t)1 << k) - 1);
    }
}
END_TEST

START_TEST(test_sums)
{
    expect_ok("2^64-1", UINT64_MAX);
    expect_ok("2^64-2", UINT64_MAX - 1);
    expect_ok("2^64-1e9", UINT64_MAX - 999999999ULL);
    expect_ok("1e12+1e9", 1001000000000ULL);
    expect_ok("1e12-1e9", 999000000000ULL);
    expect_ok("1+2+3", 6);
    expect_ok("10-3-2", 5);
    expect_ok("10-3+2", 9);
    expect_ok("5-5", 0);
    expect_ok("2^64-2^64", 0);
    expect_ok("2^64+2^64-2^64-2^64+5", 5);
    expect_ok("18446744073709551616-1", UINT64_MAX);
    expect_ok(MAX64 "-" MAX64, 0);
    expect_ok("0-0", 0);
    expect_ok("2^63+2^63-1", UINT64_MAX);
    expect_ok("1.5e1+2^4-1", 30);
}
END_TEST

START_TEST(test_exact_messages)
{
    expect_message("1e20", MPP_NUM_RANGE, "'1e20' is larger than 2^64 - 1 (" MAX64 ")");
    expect_message("2^64", MPP_NUM_RANGE, "'2^64' is larger than 2^64 - 1 (" MAX64 ")");
    expect_message("12abc", MPP_NUM_SYNTAX, "'12abc': unexpected 'a' at position 3");
    expect_message("", MPP_NUM_EMPTY, "'' is empty");
    expect_message("5-6", MPP_NUM_RANGE, "'5-6' is negative");
    expect_message("1.5e0", MPP_NUM_SYNTAX, "'1.5e0' is not an integer");
    expect_message("-5", MPP_NUM_SYNTAX, "'-5': negative numbers are not allowed");
    expect_message("1e", MPP_NUM_SYNTAX, "'1e': unexpected end (a digit is missing)");
    expect_message("1.5", MPP_NUM_SYNTAX, "'1.5': a decimal point needs an exponent (as in 2.5e9)");
    expect_message("1e20-1e19", MPP_NUM_RANGE, "'1e20-1e19': the term '1e20' is larger than 2^64");
    expect_message("1+1.5e0", MPP_NUM_SYNTAX, "'1+1.5e0': the term '1.5e0' is not an integer");
    expect_message("1\x01", MPP_NUM_SYNTAX, "'1?': unexpected byte 0x01 at position 2");
}
END_TEST

START_TEST(test_empty)
{
    expect_fail("", MPP_NUM_EMPTY);
    expect_fail(" ", MPP_NUM_EMPTY);
    expect_fail("   ", MPP_NUM_EMPTY);
    expect_fail("\t \n", MPP_NUM_EMPTY);
    char err[64];
    uint64_t out = 5;
    ck_assert_int_eq(mpp_parse_u64(NULL, &out, err, sizeof err), MPP_NUM_EMPTY);
    ck_assert_uint_eq(out, 5);
    ck_assert_str_eq(err, "'' is empty");
}
END_TEST

START_TEST(test_syntax)
{
    static const char *const bad[] = {
        "12abc", "1e", "1E", "^3", "1..2", "0x10", "1,000", "1 000", "1 e9", "1e 9",
        "abc", "+5", "-5", "-0", " -1", "1+", "1-", "1 +", "1++2", "1+-2", "1--2",
        "1e+5", "1e-5", "1e5.5", ".5e1", "1.e5", "1.", "1.5", "1.0", "1.5 ", "1.5+1",
        "2^", "2^^3", "2^-1", "2^3^2", "2^1e3", "2^1.5", "1e3^2", "e5", "E", ".", "^",
        "+", "-", "1 2", "1e2e3", "1x", "x1", "0b101", "1_000", "1'000", "inf", "nan",
        "1e99999999999999999999999abc", "99999999999999999999999x", "(1)", "1*2", "4/2",
        "1.5e0x", "\xc3\xa9", "1\xc3\xa9", "1\x7f", "\x01", "1 \x01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_fail(bad[i], MPP_NUM_SYNTAX);
}
END_TEST

START_TEST(test_not_integer)
{
    expect_fail("1.5e0", MPP_NUM_SYNTAX);
    expect_fail("1.05e1", MPP_NUM_SYNTAX);
    expect_fail("0.1e0", MPP_NUM_SYNTAX);
    expect_fail("1.23456789e7", MPP_NUM_SYNTAX);
    expect_fail("12345678901234567890123.5e0", MPP_NUM_SYNTAX);
    expect_fail("1+0.5e0", MPP_NUM_SYNTAX);
    expect_fail("1.00000000000000000000000000001e0", MPP_NUM_SYNTAX);
}
END_TEST

START_TEST(test_range)
{
    static const char *const big[] = {
        "18446744073709551616", "18446744073709551617", "99999999999999999999",
        "99999999999999999999999", "100000000000000000000", "2^64", "2^65", "2^64+0",
        "2^64-1+1", "2^63+2^63", "1e20", "1e999", "1e400", "10^400", "10^20", "2^100",
        "3^41", "1.8446744073709551616e19", "18446744073709551616e0", "2e19",
        "1e99999999999999999999999999999", "99999999999999999999999^2", "4294967296^2",
        "2^99999999999999999999999999", MAX64 "+1", "2^64+2^64", "5-6", "0-1", "1-2^64",
        "1e20-1e19", "1-1e20", "1e20-1e20",
    };
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
        expect_fail(big[i], MPP_NUM_RANGE);
    expect_message("0-1", MPP_NUM_RANGE, "'0-1' is negative");
    expect_message("2^64+1", MPP_NUM_RANGE, "'2^64+1' is larger than 2^64 - 1 (" MAX64 ")");
}
END_TEST

START_TEST(test_syntax_before_range)
{
    /* a malformed text is reported as such even when a term is too big */
    expect_fail("1e400abc", MPP_NUM_SYNTAX);
    expect_fail("1e400+", MPP_NUM_SYNTAX);
    expect_fail("1.5e0 x", MPP_NUM_SYNTAX);
    char err[256];
    expect_fail_msg("1e400+x", MPP_NUM_SYNTAX, err, sizeof err);
    ck_assert_str_eq(err, "'1e400+x': unexpected 'x' at position 7");
}
END_TEST

START_TEST(test_err_buffer)
{
    uint64_t out = 1;
    /* err may be NULL, errlen may be 0 */
    ck_assert_int_eq(mpp_parse_u64("1e20", &out, NULL, 0), MPP_NUM_RANGE);
    ck_assert_int_eq(mpp_parse_u64("abc", &out, NULL, 100), MPP_NUM_SYNTAX);
    ck_assert_int_eq(mpp_parse_u64("77", &out, NULL, 0), MPP_NUM_OK);
    ck_assert_uint_eq(out, 77);
    char buf[16];
    memset(buf, 'Z', sizeof buf);
    ck_assert_int_eq(mpp_parse_u64("abc", &out, buf, 0), MPP_NUM_SYNTAX);
    ck_assert_int_eq(buf[0], 'Z');
    /* short buffers are filled, NUL-terminated and never overrun */
    for (size_t len = 1; len <= 8; len++) {
        memset(buf, 'Z', sizeof buf);
        ck_assert_int_eq(mpp_parse_u64("1e20", &out, buf, len), MPP_NUM_RANGE);
        ck_assert_uint_eq(strlen(buf), len - 1);
        ck_assert_int_eq(buf[len], 'Z');
        ck_assert_int_eq(strncmp(buf, "'1e20' is larger", len - 1), 0);
    }
    ck_assert_uint_eq(out, 77);
}
END_TEST

START_TEST(test_long_input)
{
    size_t n = 5000;
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    memset(text, '9', n);
    text[n] = '\0';
    char err[512];
    expect_fail_msg(text, MPP_NUM_RANGE, err, sizeof err);
    ck_assert_msg(strlen(err) < 140, "message too long: %s", err);
    ck_assert_ptr_nonnull(strstr(err, "...'"));
    /* a long well-formed sum: 1+1+...+1 */
    for (size_t i = 0; i < n; i++)
        text[i] = i % 2 ? '+' : '1';
    text[n - 1] = '\0';
    expect_ok(text, n / 2);
    text[n - 1] = '+';
    /* a long exponent and a long fraction */
    memset(text, '9', n);
    text[1] = 'e';
    expect_fail(text, MPP_NUM_RANGE);
    text[1] = '.';
    text[n - 2] = 'e';
    text[n - 1] = '0';
    expect_fail(text, MPP_NUM_SYNTAX);
    /* 1.000...0e0 with thousands of zeros is exactly 1 */
    memset(text, '0', n);
    text[0] = '1';
    text[1] = '.';
    text[n - 2] = 'e';
    text[n - 1] = '0';
    expect_ok(text, 1);
    /* 0.000...01e(n-4) = 1: the exponent cancels the fraction */
    char *big = malloc(n + 32);
    ck_assert_ptr_nonnull(big);
    memset(big, '0', n);
    big[1] = '.';
    big[n - 1] = '1';
    snprintf(big + n, 32, "e%zu", n - 2);
    expect_ok(big, 1);
    free(big);
    free(text);
}
END_TEST

START_TEST(test_long_message_utf8)
{
    /* a long input of two-byte characters is not cut inside one */
    char text[301];
    for (int i = 0; i < 300; i += 2) {
        text[i] = (char)0xc3;
        text[i + 1] = (char)0xa9;
    }
    text[300] = '\0';
    char err[256];
    expect_fail_msg(text, MPP_NUM_SYNTAX, err, sizeof err);
    const char *dots = strstr(err, "...'");
    ck_assert_ptr_nonnull(dots);
    ck_assert_int_eq((unsigned char)dots[-1], 0xa9);
    ck_assert_int_eq((dots - err - 1) % 2, 0);
}
END_TEST

START_TEST(test_round_trip)
{
    /* every value printed in decimal reads back, and so does value + 0 */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < (int)test_iters(20000); i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t v = x >> (i % 64);
        char text[64];
        snprintf(text, sizeof text, "%" PRIu64, v);
        expect_ok(text, v);
        snprintf(text, sizeof text, " %" PRIu64 " + 0 ", v);
        expect_ok(text, v);
        if (v > 0) {
            snprintf(text, sizeof text, "%" PRIu64 "-1", v);
            expect_ok(text, v - 1);
        }
    }
    for (unsigned k = 0; k <= 19; k++) {
        char text[32];
        uint64_t p = 1;
        for (unsigned j = 0; j < k; j++)
            p *= 10;
        snprintf(text, sizeof text, "1e%u", k);
        expect_ok(text, p);
        snprintf(text, sizeof text, "10^%u", k);
        expect_ok(text, p);
    }
}
END_TEST

/* --- random expressions, valued independently --- */

#define LIMIT ((u128)1 << 64)
#define OVER (LIMIT + 1)

typedef struct {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    r->s += 0x9E3779B97F4A7C15ULL;
    uint64_t z = r->s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A * B, or OVER when above 2^64 (A and B at most OVER). */
static u128 cap_mul(u128 a, u128 b)
{
    if (a == 0 || b == 0)
        return 0;
    if (a > LIMIT || b > LIMIT || a > LIMIT / b)
        return OVER;
    return a * b;
}

__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

/* Appends a random term to BUF and returns its value, OVER if above 2^64. */
static u128 random_term(rng *r, char *buf, size_t size)
{
    switch (next(r) % 4) {
    case 0: { /* a decimal number, maybe with leading zeros */
        uint64_t v = next(r) >> (next(r) % 64);
        append(buf, size, "%s%" PRIu64, next(r) % 4 ? "" : "00", v);
        return v;
    }
    case 1: { /* a power */
        uint64_t b = next(r) % 40, e = next(r) % 70;
        append(buf, size, "%" PRIu64 "^%" PRIu64, b, e);
        u128 v = 1;
        for (uint64_t i = 0; i < e; i++)
            v = cap_mul(v, b);
        return v;
    }
    case 2: { /* M e K */
        uint64_t m = next(r) % 100000, k = next(r) % 22;
        append(buf, size, "%" PRIu64 "e%" PRIu64, m, k);
        u128 v = m;
        for (uint64_t i = 0; i < k; i++)
            v = cap_mul(v, 10);
        return v;
    }
    default: { /* W.FFF e K with K >= 3: an integer */
        uint64_t w = next(r) % 1000, f = next(r) % 1000, k = 3 + next(r) % 18;
        append(buf, size, "%" PRIu64 ".%03" PRIu64 "e%" PRIu64, w, f, k);
        u128 v = (u128)w * 1000 + f;
        for (uint64_t i = 3; i < k; i++)
            v = cap_mul(v, 10);
        return v;
    }
    }
}

START_TEST(test_random_expressions)
{
    rng r = {(uint64_t)_i * 7919 + 1};
    for (int iter = 0; iter < (int)test_iters(20000); iter++) {
        char text[512] = "";
        int nterms = 1 + (int)(next(&r) % 4);
        i128 sum = 0;
        bool over = false;
        for (int t = 0; t < nterms; t++) {
            bool minus = t > 0 && next(&r) % 2;
            if (t > 0)
                append(text, sizeof text, next(&r) % 2 ? "%c" : " %c ", minus ? '-' : '+');
            u128 v = random_term(&r, text, sizeof text);
            if (v > LIMIT)
                over = true;
            else
                sum += minus ? -(i128)v : (i128)v;
        }
        uint64_t out = 3;
        char err[256];
        mpp_num_status st = mpp_parse_u64(text, &out, err, sizeof err);
        if (over || sum < 0 || sum > (i128)UINT64_MAX) {
            ck_assert_msg(st == MPP_NUM_RANGE, "'%.100s': status %d (%s)", text, (int)st, err);
            ck_assert_uint_eq(out, 3);
            check_message(text, err);
        } else {
            ck_assert_msg(st == MPP_NUM_OK, "'%.100s': status %d (%s)", text, (int)st, err);
            ck_assert_msg(out == (uint64_t)sum, "'%.100s': got %" PRIu64 ", expected %" PRIu64, text,
                          out, (uint64_t)sum);
        }
    }
}
END_TEST

START_TEST(test_random_bytes)
{
    /* garbage from a hostile alphabet: any status, but always a sane one */
    static const char alphabet[] = "0123456789eE.^+- \t\nx\x01\xc3";
    rng r = {12345};
    for (int iter = 0; iter < (int)test_iters(100000); iter++) {
        char text[40];
        size_t len = next(&r) % (sizeof text);
        for (size_t i = 0; i < len; i++)
            text[i] = alphabet[next(&r) % (sizeof alphabet - 1)];
        text[len] = '\0';
        uint64_t out = 99;
        char err[128];
        mpp_num_status st = mpp_parse_u64(text, &out, err, sizeof err);
        ck_assert(st == MPP_NUM_OK || st == MPP_NUM_EMPTY || st == MPP_NUM_SYNTAX ||
                  st == MPP_NUM_RANGE);
        if (st == MPP_NUM_OK) {
            ck_assert_str_eq(err, "");
            continue;
        }
        ck_assert_uint_eq(out, 99);
        ck_assert(err[0] == '\'');
        ck_assert_ptr_null(strpbrk(err, "\n\r\t\x01"));
    }
}
END_TEST

static Suite *numparse_suite(void)
{
    Suite *s = suite_create("numparse");
    TCase *tc = tcase_create("accepted");
    tcase_add_test(tc, test_decimal);
    tcase_add_test(tc, test_blanks);
    tcase_add_test(tc, test_scientific);
    tcase_add_test(tc, test_powers);
    tcase_add_test(tc, test_sums);
    tcase_add_test(tc, test_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("rejected");
    tcase_add_test(tc, test_exact_messages);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_syntax);
    tcase_add_test(tc, test_not_integer);
    tcase_add_test(tc, test_range);
    tcase_add_test(tc, test_syntax_before_range);
    tcase_add_test(tc, test_err_buffer);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_long_input);
    tcase_add_test(tc, test_long_message_utf8);
    tcase_add_loop_test(tc, test_random_expressions, 0, 4);
    tcase_add_test(tc, test_random_bytes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(numparse_suite());
}
