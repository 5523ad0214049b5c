/* test_options.c - unit tests of the command-line parser (src/core/options.c):
 * every option in every spelling, grouping, ordering, "--", the operands,
 * each error and conflict with its message, help and version, the --help
 * text, and random command lines; --format and --buffer with their values,
 * limits and messages, and mpp_parse_size() with its overflow checks.
 * --csv FILE: NULL by default (init and parse), both spellings pointing
 * into argv, a later one overriding, a value taken whatever it looks like,
 * independent of --output, combined with --count, --print, --output,
 * --json, --quiet, --format, --buffer; "needs a value", "needs a non-empty
 * file name" and their place in the error order; no short form or
 * abbreviation; no state kept between calls; the help text; random lines.
 * --timeline FILE: NULL by default, both spellings pointing into argv, a
 * later one overriding, beside every other option, "needs a value" and
 * "needs a non-empty file name".
 * --checkpoint FILE, --checkpoint-every SECONDS (not without --checkpoint),
 * --progress[=SECONDS] and --no-progress (the last wins): defaults, values,
 * ranges, and the same file for --checkpoint and --output refused.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "options.h"
#include "testutil.h"

#define MAX64 "18446744073709551615"

/* Runs the parser on "mpprimes" followed by the NULL-terminated ARGS;
 * *O starts as a sentinel so that untouched fields can be detected. */
static mpp_opt_status parse_args(mpp_options *o, char *err, size_t errlen, const char *const *args)
{
    const char *argv[32] = {"mpprimes"};
    int argc = 1;
    while (args[argc - 1] != NULL) {
        ck_assert_int_lt(argc, 31);
        argv[argc] = args[argc - 1];
        argc++;
    }
    argv[argc] = NULL;
    memset(o, 0xA5, sizeof *o);
    return mpp_parse_options(argc, (char *const *)argv, o, err, errlen);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Parses the arguments, expecting MPP_OPT_RUN; the options land in O. */
#define EXPECT_RUN(o, ...) expect_run(&(o), ARGS(__VA_ARGS__))
/* Parses the arguments, expecting MPP_OPT_ERROR with exactly MESSAGE. */
#define EXPECT_ERROR(message, ...) expect_error(message, ARGS(__VA_ARGS__))
/* Parses the arguments, expecting STATUS (help or version). */
#define EXPECT_STATUS(status, ...) expect_status(status, ARGS(__VA_ARGS__))

static void expect_run(mpp_options *o, const char *const *args)
{
    char err[256] = "junk";
    mpp_opt_status st = parse_args(o, err, sizeof err, args);
    ck_assert_msg(st == MPP_OPT_RUN, "'%s ...': status %d, message \"%s\"", args[0], (int)st, err);
    ck_assert_str_eq(err, "");
    ck_assert_uint_le(o->start, o->stop);
}

/* Checks that ERR is a one-line message without prefix or newline. */
static void check_message(const char *err)
{
    ck_assert_msg(err[0] != '\0', "empty message");
    ck_assert_msg(strchr(err, '\n') == NULL, "newline in: %s", err);
    ck_assert_msg(strchr(err, '\r') == NULL, "CR in: %s", err);
    ck_assert_msg(strncmp(err, "mpprimes", 8) != 0, "prefix in: %s", err);
}

static void expect_error(const char *message, const char *const *args)
{
    mpp_options o;
    char err[256] = "junk";
    mpp_opt_status st = parse_args(&o, err, sizeof err, args);
    ck_assert_msg(st == MPP_OPT_ERROR, "'%s ...': status %d, expected an error (%s)",
                  args[0] ? args[0] : "", (int)st, message);
    check_message(err);
    ck_assert_str_eq(err, message);
    /* *opts is left alone on failure */
    unsigned char sentinel[sizeof o];
    memset(sentinel, 0xA5, sizeof sentinel);
    ck_assert_int_eq(memcmp(&o, sentinel, sizeof o), 0);
}

static void expect_status(mpp_opt_status status, const char *const *args)
{
    mpp_options o;
    char err[256] = "junk";
    mpp_opt_status st = parse_args(&o, err, sizeof err, args);
    ck_assert_msg(st == status, "'%s ...': status %d, expected %d", args[0], (int)st, (int)status);
    ck_assert_str_eq(err, "");
}

/* --- kinds to count (--count=KINDS) and --gaps --- */

#define K(k) (1u << (k))

START_TEST(test_kinds)
{
    mpp_options o;
    EXPECT_RUN(o, "10");
    ck_assert_uint_eq(o.kinds, K(1));
    ck_assert(!o.gaps);
    EXPECT_RUN(o, "-c", "10");
    ck_assert(o.count_only);
    ck_assert_uint_eq(o.kinds, K(1));
    EXPECT_RUN(o, "--count", "10");
    ck_assert_uint_eq(o.kinds, K(1));
    EXPECT_RUN(o, "-c123", "10");
    ck_assert(o.count_only);
    ck_assert_uint_eq(o.kinds, K(1) | K(2) | K(3));
    EXPECT_RUN(o, "--count=26", "10");
    ck_assert_uint_eq(o.kinds, K(2) | K(6));
    EXPECT_RUN(o, "--count=2", "--count=5", "10"); /* they add up */
    ck_assert_uint_eq(o.kinds, K(2) | K(5));
    EXPECT_RUN(o, "--count=22", "10");
    ck_assert_uint_eq(o.kinds, K(2));
    EXPECT_RUN(o, "-c2q", "10"); /* digits, then other flags */
    ck_assert(o.count_only && o.quiet);
    ck_assert_uint_eq(o.kinds, K(2));
    EXPECT_RUN(o, "-cq", "10");
    ck_assert(o.count_only && o.quiet);
    ck_assert_uint_eq(o.kinds, K(1));
    EXPECT_RUN(o, "-qc456", "10");
    ck_assert_uint_eq(o.kinds, K(4) | K(5) | K(6));
    EXPECT_RUN(o, "-c", "3", "10"); /* a separate argument is an operand */
    ck_assert_uint_eq(o.kinds, K(1));
    ck_assert_uint_eq(o.start, 3);
    ck_assert_uint_eq(o.stop, 10);
    EXPECT_RUN(o, "--gaps", "10");
    ck_assert(o.gaps && o.count_only);
    ck_assert_uint_eq(o.kinds, K(1));
    EXPECT_RUN(o, "--gaps", "-c2", "1e6");
    ck_assert(o.gaps && o.count_only);
    ck_assert_uint_eq(o.kinds, K(2));
}
END_TEST

/* --print=K: the kind listed, in KINDS alone; with --output, K says what
 * goes to the file and PRINT is false. */
START_TEST(test_print_kind)
{
    mpp_options o;
    EXPECT_RUN(o, "--print", "10");
    ck_assert(o.print && o.kinds == K(1) && mpp_list_kind(&o) == 1);
    EXPECT_RUN(o, "10");
    ck_assert(!o.print && mpp_list_kind(&o) == 1);
    for (int k = 1; k <= 6; k++) {
        char eq[16], attached[16], grouped[16];
        snprintf(eq, sizeof eq, "--print=%d", k);
        snprintf(attached, sizeof attached, "-p%d", k);
        snprintf(grouped, sizeof grouped, "-qp%dm", k);
        EXPECT_RUN(o, eq, "100");
        ck_assert(o.print && !o.count_only && o.kinds == K(k) && mpp_list_kind(&o) == k);
        EXPECT_RUN(o, attached, "100");
        ck_assert(o.print && o.kinds == K(k) && mpp_list_kind(&o) == k);
        EXPECT_RUN(o, grouped, "trial", "100");
        ck_assert(o.print && o.quiet && o.kinds == K(k) && o.method == MPP_METHOD_TRIAL);
        EXPECT_RUN(o, eq, "-o", "t.txt", "100");
        ck_assert(!o.print && o.output != NULL && o.kinds == K(k) && mpp_list_kind(&o) == k);
        EXPECT_RUN(o, "--output=t.bin", "--format=binary", attached, "100");
        ck_assert(!o.print && o.format == MPP_FORMAT_BINARY && mpp_list_kind(&o) == k);
    }
    /* a later --print overrides, as any option */
    EXPECT_RUN(o, "-p2", "--print=5", "100");
    ck_assert(o.kinds == K(5));
    EXPECT_RUN(o, "-p3", "-p", "100");
    ck_assert(o.kinds == K(1));
    /* -p then digits is the kind; a separate digit is an operand */
    EXPECT_RUN(o, "-p", "3", "100");
    ck_assert(o.kinds == K(1) && o.start == 3 && o.stop == 100);
    const char *why = "(one digit 1-6: 1 primes, 2 twins, 3 triplets, 4 quadruplets, "
                      "5 quintuplets, 6 sextuplets)";
    static const char *const bad[] = {"7", "0", "9", "23", "2a", "-1", " 2", "22"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char arg[32], want[256];
        snprintf(arg, sizeof arg, "--print=%s", bad[i]);
        snprintf(want, sizeof want, "invalid kind '%s' for --print %s", bad[i], why);
        EXPECT_ERROR(want, arg, "10");
    }
    char want[256];
    snprintf(want, sizeof want, "invalid kind '9' for --print %s", why);
    EXPECT_ERROR(want, "-p9", "10");
    snprintf(want, sizeof want, "invalid kind '23' for --print %s", why);
    EXPECT_ERROR(want, "-p23q", "10");
    EXPECT_ERROR("--count cannot be combined with --print", "-c2", "-p2", "10");
    EXPECT_ERROR("--gaps cannot be combined with --print", "--gaps", "-p3", "10");
    EXPECT_ERROR("--nth-prime cannot be combined with --print", "-n", "5", "-p2");
}
END_TEST

START_TEST(test_kinds_rejected)
{
    const char *why = "(digits 1-6: 1 primes, 2 twins, 3 triplets, 4 quadruplets, "
                      "5 quintuplets, 6 sextuplets)";
    char want[256];
    static const char *const bad[] = {"7", "0", "", "12a", "9", "1 2", "-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char arg[32];
        snprintf(arg, sizeof arg, "--count=%s", bad[i]);
        snprintf(want, sizeof want, "invalid kinds '%s' for --count %s", bad[i], why);
        EXPECT_ERROR(want, arg, "10");
    }
    snprintf(want, sizeof want, "invalid kinds '7' for --count %s", why);
    EXPECT_ERROR(want, "-c7", "10");
    snprintf(want, sizeof want, "invalid kinds '120' for --count %s", why);
    EXPECT_ERROR(want, "-c120q", "10");
    EXPECT_ERROR("--count cannot be combined with --print", "--count=2", "-p", "10");
    EXPECT_ERROR("--gaps cannot be combined with --print", "--gaps", "-p", "10");
    EXPECT_ERROR("--gaps cannot be combined with --output", "--gaps", "-o", "f", "10");
    EXPECT_ERROR("--count cannot be combined with --output", "--gaps", "-c3", "-o", "f", "10");
}
END_TEST

/* --- --nth-prime N [START] --- */

START_TEST(test_nth_prime)
{
    mpp_options o;
    EXPECT_RUN(o, "--nth-prime", "1e10");
    ck_assert(o.nth && !o.nth_neg && o.count_only);
    ck_assert_uint_eq(o.nth_n, 10000000000ULL);
    ck_assert_uint_eq(o.start, 0);
    ck_assert_uint_eq(o.stop, 0);
    EXPECT_RUN(o, "-n", "10", "1e15");
    ck_assert_uint_eq(o.nth_n, 10);
    ck_assert_uint_eq(o.start, 1000000000000000ULL);
    ck_assert_uint_eq(o.stop, o.start);
    EXPECT_RUN(o, "--nth-prime=-10", "1e15");
    ck_assert(o.nth && o.nth_neg);
    ck_assert_uint_eq(o.nth_n, 10);
    EXPECT_RUN(o, "-n", "-10", "1e15"); /* the value, whatever it looks like */
    ck_assert(o.nth_neg);
    EXPECT_RUN(o, "-n0", MAX64);
    ck_assert(o.nth && !o.nth_neg);
    ck_assert_uint_eq(o.nth_n, 0);
    ck_assert_uint_eq(o.start, UINT64_MAX);
    EXPECT_RUN(o, "--nth-prime=-0", "5"); /* -0 is 0 */
    ck_assert(!o.nth_neg);
    EXPECT_RUN(o, "--nth-prime", MAX64, "-q", "-d", "cyclic", "--chunk", "1000");
    ck_assert_uint_eq(o.nth_n, UINT64_MAX);
    EXPECT_ERROR("option '--nth-prime' needs a value", "10", "--nth-prime");
    EXPECT_ERROR("option '-n' needs a value", "-n");
    EXPECT_ERROR("--nth-prime takes one operand, START (or none): '20'", "-n", "5", "10", "20");
    EXPECT_ERROR("--nth-prime: '2^64' is larger than 2^64 - 1 (18446744073709551615)", "-n",
                 "2^64");
    EXPECT_ERROR("--nth-prime: '2^64' is larger than 2^64 - 1 (18446744073709551615)",
                 "--nth-prime=-2^64"); /* |N| is what is out of range */
    EXPECT_ERROR("--nth-prime cannot be combined with --print", "-n", "5", "-p");
    EXPECT_ERROR("--nth-prime cannot be combined with --gaps", "-n", "5", "--gaps");
    EXPECT_ERROR("--nth-prime cannot be combined with --count", "-n", "5", "-c2");
    EXPECT_ERROR("--nth-prime cannot be combined with --output", "-n", "5", "-o", "f");
}
END_TEST

/* --- defaults and operands --- */

START_TEST(test_init)
{
    mpp_options o;
    memset(&o, 0xA5, sizeof o);
    mpp_options_init(&o);
    ck_assert_uint_eq(o.start, 2);
    ck_assert_uint_eq(o.stop, 0);
    ck_assert_int_eq(o.method, MPP_METHOD_SIEVE);
    ck_assert(!o.count_only);
    ck_assert(!o.print);
    ck_assert_ptr_null(o.output);
    ck_assert(!o.json);
    ck_assert(!o.quiet);
    ck_assert_ptr_null(o.csv);
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_BLOCK);
    ck_assert_uint_eq(o.chunk, 0);
    ck_assert(!o.explain);
    ck_assert(!o.compare);
    ck_assert_ptr_null(o.timeline);
}
END_TEST

START_TEST(test_defaults)
{
    mpp_options o;
    EXPECT_RUN(o, "1000000");
    ck_assert_uint_eq(o.start, 2);
    ck_assert_uint_eq(o.stop, 1000000);
    ck_assert_int_eq(o.method, MPP_METHOD_SIEVE);
    ck_assert(!o.count_only);
    ck_assert(!o.print);
    ck_assert_ptr_null(o.output);
    ck_assert(!o.json);
    ck_assert(!o.quiet);
    ck_assert_ptr_null(o.csv);
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_BLOCK);
    ck_assert_uint_eq(o.chunk, 0);
    ck_assert(!o.explain);
    ck_assert(!o.compare);
}
END_TEST

START_TEST(test_one_operand)
{
    mpp_options o;
    EXPECT_RUN(o, "2");
    ck_assert_uint_eq(o.start, 2);
    ck_assert_uint_eq(o.stop, 2);
    EXPECT_RUN(o, "1");
    ck_assert_uint_eq(o.start, 0);
    ck_assert_uint_eq(o.stop, 1);
    EXPECT_RUN(o, "0");
    ck_assert_uint_eq(o.start, 0);
    ck_assert_uint_eq(o.stop, 0);
    EXPECT_RUN(o, "2^64-1");
    ck_assert_uint_eq(o.start, 2);
    ck_assert_uint_eq(o.stop, UINT64_MAX);
    EXPECT_RUN(o, " 1e10 ");
    ck_assert_uint_eq(o.start, 2);
    ck_assert_uint_eq(o.stop, 10000000000ULL);
}
END_TEST

START_TEST(test_two_operands)
{
    mpp_options o;
    EXPECT_RUN(o, "100", "200");
    ck_assert_uint_eq(o.start, 100);
    ck_assert_uint_eq(o.stop, 200);
    EXPECT_RUN(o, "5", "5");
    ck_assert_uint_eq(o.start, 5);
    ck_assert_uint_eq(o.stop, 5);
    EXPECT_RUN(o, "0", "0");
    ck_assert_uint_eq(o.start, 0);
    ck_assert_uint_eq(o.stop, 0);
    EXPECT_RUN(o, "1e12", "1e12+1e9");
    ck_assert_uint_eq(o.start, 1000000000000ULL);
    ck_assert_uint_eq(o.stop, 1001000000000ULL);
    EXPECT_RUN(o, "2^64-1e9", MAX64);
    ck_assert_uint_eq(o.start, UINT64_MAX - 999999999ULL);
    ck_assert_uint_eq(o.stop, UINT64_MAX);
    EXPECT_RUN(o, "2^64 - 1", "2^64 - 1");
    ck_assert_uint_eq(o.start, UINT64_MAX);
    ck_assert_uint_eq(o.stop, UINT64_MAX);
}
END_TEST

/* --- each option --- */

START_TEST(test_flags)
{
    mpp_options o;
    EXPECT_RUN(o, "-c", "10");
    ck_assert(o.count_only && !o.print && !o.json && !o.quiet);
    EXPECT_RUN(o, "--count", "10");
    ck_assert(o.count_only);
    EXPECT_RUN(o, "-p", "10");
    ck_assert(o.print && !o.count_only);
    EXPECT_RUN(o, "--print", "10");
    ck_assert(o.print);
    EXPECT_RUN(o, "--json", "10");
    ck_assert(o.json && !o.quiet);
    EXPECT_RUN(o, "-q", "10");
    ck_assert(o.quiet && !o.json);
    EXPECT_RUN(o, "--quiet", "10");
    ck_assert(o.quiet);
    EXPECT_RUN(o, "-c", "-c", "--count", "10");
    ck_assert(o.count_only);
}
END_TEST

START_TEST(test_method)
{
    mpp_options o;
    EXPECT_RUN(o, "-m", "trial", "10");
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
    EXPECT_RUN(o, "-mtrial", "10");
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
    EXPECT_RUN(o, "--method", "trial", "10");
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
    EXPECT_RUN(o, "--method=trial", "10");
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
    EXPECT_RUN(o, "-m", "sieve", "10");
    ck_assert_int_eq(o.method, MPP_METHOD_SIEVE);
    EXPECT_RUN(o, "--method=sieve", "10");
    ck_assert_int_eq(o.method, MPP_METHOD_SIEVE);
    /* the last one wins */
    EXPECT_RUN(o, "-m", "trial", "--method=sieve", "10");
    ck_assert_int_eq(o.method, MPP_METHOD_SIEVE);
    EXPECT_RUN(o, "-msieve", "-mtrial", "10");
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
}
END_TEST

START_TEST(test_output)
{
    mpp_options o;
    const char *const a1[] = {"-o", "primes.txt", "10", NULL};
    expect_run(&o, a1);
    ck_assert_ptr_eq(o.output, a1[1]); /* points into argv */
    const char *const a2[] = {"-oprimes.txt", "10", NULL};
    expect_run(&o, a2);
    ck_assert_ptr_eq(o.output, a2[0] + 2);
    const char *const a3[] = {"--output", "p.txt", "10", NULL};
    expect_run(&o, a3);
    ck_assert_ptr_eq(o.output, a3[1]);
    const char *const a4[] = {"--output=p.txt", "10", NULL};
    expect_run(&o, a4);
    ck_assert_ptr_eq(o.output, a4[0] + 9);
    ck_assert_str_eq(o.output, "p.txt");
    EXPECT_RUN(o, "--output=a=b", "10");
    ck_assert_str_eq(o.output, "a=b");
    EXPECT_RUN(o, "-o", "a", "-o", "b", "10");
    ck_assert_str_eq(o.output, "b");
    /* a separate value is taken whatever it looks like */
    EXPECT_RUN(o, "-o", "-h", "10");
    ck_assert_str_eq(o.output, "-h");
    EXPECT_RUN(o, "--output", "--json", "10");
    ck_assert_str_eq(o.output, "--json");
    ck_assert(!o.json);
    EXPECT_RUN(o, "-o", "-", "10");
    ck_assert_str_eq(o.output, "-");
    EXPECT_RUN(o, "-o", "20", "10");
    ck_assert_str_eq(o.output, "20");
    ck_assert_uint_eq(o.stop, 10);
}
END_TEST

START_TEST(test_grouping)
{
    mpp_options o;
    EXPECT_RUN(o, "-cq", "10");
    ck_assert(o.count_only && o.quiet);
    EXPECT_RUN(o, "-qc", "10");
    ck_assert(o.count_only && o.quiet);
    EXPECT_RUN(o, "-pq", "10");
    ck_assert(o.print && o.quiet);
    EXPECT_RUN(o, "-qmtrial", "10");
    ck_assert(o.quiet);
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
    EXPECT_RUN(o, "-cqm", "trial", "10");
    ck_assert(o.quiet && o.count_only);
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
    EXPECT_RUN(o, "-qofile", "10");
    ck_assert(o.quiet);
    ck_assert_str_eq(o.output, "file");
    EXPECT_RUN(o, "-qo", "file", "10");
    ck_assert_str_eq(o.output, "file");
    /* the value swallows the rest of the group */
    EXPECT_RUN(o, "-ocq", "10");
    ck_assert_str_eq(o.output, "cq");
    ck_assert(!o.count_only && !o.quiet);
}
END_TEST

START_TEST(test_ordering)
{
    mpp_options o;
    EXPECT_RUN(o, "100", "200", "-c");
    ck_assert(o.count_only);
    ck_assert_uint_eq(o.start, 100);
    ck_assert_uint_eq(o.stop, 200);
    EXPECT_RUN(o, "100", "-mtrial", "200", "--json");
    ck_assert(o.json);
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
    ck_assert_uint_eq(o.start, 100);
    ck_assert_uint_eq(o.stop, 200);
    EXPECT_RUN(o, "-q", "100", "-c", "200");
    ck_assert(o.quiet && o.count_only);
    ck_assert_uint_eq(o.start, 100);
    ck_assert_uint_eq(o.stop, 200);
    EXPECT_RUN(o, "50", "--print");
    ck_assert(o.print);
    ck_assert_uint_eq(o.start, 2);
    ck_assert_uint_eq(o.stop, 50);
}
END_TEST

START_TEST(test_double_dash)
{
    mpp_options o;
    EXPECT_RUN(o, "--", "5", "10");
    ck_assert_uint_eq(o.start, 5);
    ck_assert_uint_eq(o.stop, 10);
    EXPECT_RUN(o, "-c", "--", "10");
    ck_assert(o.count_only);
    ck_assert_uint_eq(o.stop, 10);
    EXPECT_RUN(o, "5", "--", "10");
    ck_assert_uint_eq(o.start, 5);
    ck_assert_uint_eq(o.stop, 10);
    /* after "--", options are operands */
    EXPECT_ERROR("STOP: '-c': negative numbers are not allowed", "--", "-c");
    EXPECT_ERROR("START: '--': negative numbers are not allowed", "--", "--", "10");
    EXPECT_ERROR("STOP: '-h': negative numbers are not allowed", "--", "-h");
    EXPECT_ERROR("missing STOP (try --help)", "--");
}
END_TEST

START_TEST(test_dash_operands)
{
    EXPECT_ERROR("STOP: '-': negative numbers are not allowed", "-");
    EXPECT_ERROR("STOP: '-5': negative numbers are not allowed", "-5");
    EXPECT_ERROR("START: '-1e9': negative numbers are not allowed", "-1e9", "10");
    EXPECT_ERROR("START: '-': negative numbers are not allowed", "-", "10");
}
END_TEST

/* --- errors --- */

START_TEST(test_unknown)
{
    EXPECT_ERROR("unknown option '--foo'", "--foo", "10");
    EXPECT_ERROR("unknown option '--foo'", "--foo=3", "10");
    EXPECT_ERROR("unknown option '-x'", "-x", "10");
    EXPECT_ERROR("unknown option '-x'", "-cx", "10");
    EXPECT_ERROR("unknown option '-j'", "-j", "10");
    EXPECT_ERROR("unknown option '--COUNT'", "--COUNT", "10");
    EXPECT_ERROR("unknown option '--coun'", "--coun", "10");
    EXPECT_ERROR("unknown option '--counts'", "--counts", "10");
    EXPECT_ERROR("unknown option '---count'", "---count", "10");
    EXPECT_ERROR("unknown option '-?'", "-\x01", "10");
    EXPECT_ERROR("unknown option '-\xc3\xa9'", "-\xc3\xa9", "10");
    EXPECT_ERROR("unknown option '--a b'", "--a\nb", "10"); /* blanks shown as spaces */
    /* the first error wins */
    EXPECT_ERROR("unknown option '-x'", "-x", "-y", "--zz", "10");
    EXPECT_ERROR("unknown option '--zz'", "--zz", "-x", "10");
}
END_TEST

START_TEST(test_missing_value)
{
    EXPECT_ERROR("option '-o' needs a value", "10", "-o");
    EXPECT_ERROR("option '--output' needs a value", "10", "--output");
    EXPECT_ERROR("option '-m' needs a value", "10", "-m");
    EXPECT_ERROR("option '--method' needs a value", "10", "--method");
    EXPECT_ERROR("option '-m' needs a value", "10", "-cqm");
}
END_TEST

START_TEST(test_bad_method)
{
    EXPECT_ERROR("invalid method 'x' (choose sieve or trial)", "-m", "x", "10");
    EXPECT_ERROR("invalid method 'x' (choose sieve or trial)", "-mx", "10");
    EXPECT_ERROR("invalid method 'x' (choose sieve or trial)", "--method=x", "10");
    EXPECT_ERROR("invalid method 'Trial' (choose sieve or trial)", "--method", "Trial", "10");
    EXPECT_ERROR("invalid method '' (choose sieve or trial)", "--method=", "10");
    EXPECT_ERROR("invalid method 'sieve ' (choose sieve or trial)", "-m", "sieve ", "10");
    EXPECT_ERROR("invalid method '10' (choose sieve or trial)", "-m", "10");
}
END_TEST

START_TEST(test_value_to_flag)
{
    EXPECT_ERROR("option '--gaps' takes no value", "--gaps=3", "10");
    EXPECT_ERROR("invalid kind '' for --print (one digit 1-6: 1 primes, 2 twins, 3 triplets, "
                 "4 quadruplets, 5 quintuplets, 6 sextuplets)",
                 "--print=", "10");
    EXPECT_ERROR("option '--json' takes no value", "--json=yes", "10");
    EXPECT_ERROR("option '--quiet' takes no value", "--quiet=1", "10");
    EXPECT_ERROR("option '--help' takes no value", "--help=1", "10");
    EXPECT_ERROR("option '--version' takes no value", "--version=1", "10");
}
END_TEST

START_TEST(test_empty_output)
{
    EXPECT_ERROR("option '-o' needs a non-empty file name", "-o", "", "10");
    EXPECT_ERROR("option '--output' needs a non-empty file name", "--output=", "10");
    EXPECT_ERROR("option '--output' needs a non-empty file name", "--output", "", "10");
}
END_TEST

START_TEST(test_operand_count)
{
    EXPECT_ERROR("missing STOP (try --help)", "-c");
    EXPECT_ERROR("missing STOP (try --help)", "--json", "-c");
    EXPECT_ERROR("too many operands: '3' (at most START and STOP)", "1", "2", "3");
    EXPECT_ERROR("too many operands: '3' (at most START and STOP)", "1", "2", "3", "4");
    EXPECT_ERROR("too many operands: 'x' (at most START and STOP)", "1", "-c", "2", "x");

    mpp_options o;
    char err[128] = "junk";
    const char *argv0[] = {"mpprimes", NULL};
    ck_assert_int_eq(mpp_parse_options(1, (char *const *)argv0, &o, err, sizeof err),
                     MPP_OPT_ERROR);
    ck_assert_str_eq(err, "missing STOP (try --help)");
    const char *none[] = {NULL};
    ck_assert_int_eq(mpp_parse_options(0, (char *const *)none, &o, err, sizeof err),
                     MPP_OPT_ERROR);
    ck_assert_str_eq(err, "missing STOP (try --help)");
}
END_TEST

START_TEST(test_operand_values)
{
    EXPECT_ERROR("STOP: '1e20' is larger than 2^64 - 1 (" MAX64 ")", "1e20");
    EXPECT_ERROR("STOP: '2^64' is larger than 2^64 - 1 (" MAX64 ")", "2^64");
    EXPECT_ERROR("STOP: '18446744073709551616' is larger than 2^64 - 1 (" MAX64 ")",
                 "18446744073709551616");
    EXPECT_ERROR("START: 'abc': unexpected 'a' at position 1", "abc", "10");
    EXPECT_ERROR("STOP: '10x': unexpected 'x' at position 3", "1", "10x");
    EXPECT_ERROR("STOP: '' is empty", "");
    EXPECT_ERROR("START: '' is empty", "", "5");
    EXPECT_ERROR("STOP: '5-6' is negative", "5-6");
    EXPECT_ERROR("STOP: '1.5e0' is not an integer", "1", "1.5e0");
    /* START is checked first */
    EXPECT_ERROR("START: 'a': unexpected 'a' at position 1", "a", "b");
}
END_TEST

START_TEST(test_start_after_stop)
{
    EXPECT_ERROR("START (10) is greater than STOP (5)", "10", "5");
    EXPECT_ERROR("START (1) is greater than STOP (0)", "1", "0");
    EXPECT_ERROR("START (" MAX64 ") is greater than STOP (18446744073709551614)", "2^64-1",
                 "2^64-2");
    EXPECT_ERROR("START (1000000000000) is greater than STOP (1000)", "1e12", "1e3");
}
END_TEST

START_TEST(test_conflicts)
{
    EXPECT_ERROR("--count cannot be combined with --print", "-c", "-p", "10");
    EXPECT_ERROR("--count cannot be combined with --print", "-pc", "10");
    EXPECT_ERROR("--count cannot be combined with --print", "--print", "--count", "10");
    EXPECT_ERROR("--count cannot be combined with --output", "-c", "-o", "f", "10");
    EXPECT_ERROR("--count cannot be combined with --output", "--output=f", "--count", "10");
    EXPECT_ERROR("--quiet cannot be combined with --json", "-q", "--json", "10");
    EXPECT_ERROR("--quiet cannot be combined with --json", "--json", "--quiet", "10");
    /* all compatible pairs are accepted */
    mpp_options o;
    EXPECT_RUN(o, "-c", "--json", "10");
    EXPECT_RUN(o, "-c", "-q", "10");
    EXPECT_RUN(o, "-p", "-q", "10");
    EXPECT_RUN(o, "-p", "--json", "10");
    EXPECT_RUN(o, "-o", "f", "--json", "10");
    EXPECT_RUN(o, "-o", "f", "-q", "-mtrial", "10");
    ck_assert_str_eq(o.output, "f");
    ck_assert(o.quiet);
}
END_TEST

START_TEST(test_error_order)
{
    /* option errors, then conflicts, then operands */
    EXPECT_ERROR("unknown option '--foo'", "-c", "-p", "--foo");
    EXPECT_ERROR("unknown option '--foo'", "1e20", "--foo");
    EXPECT_ERROR("--count cannot be combined with --print", "-c", "-p");
    EXPECT_ERROR("--count cannot be combined with --print", "-c", "-p", "10", "5");
    EXPECT_ERROR("too many operands: '1e99' (at most START and STOP)", "x", "y", "1e99");
    EXPECT_ERROR("START: 'x': unexpected 'x' at position 1", "x", "1e99");
    EXPECT_ERROR("STOP: '1e99' is larger than 2^64 - 1 (" MAX64 ")", "10", "1e99");
}
END_TEST

/* --- help and version --- */

START_TEST(test_help_version)
{
    EXPECT_STATUS(MPP_OPT_HELP, "-h");
    EXPECT_STATUS(MPP_OPT_HELP, "--help");
    EXPECT_STATUS(MPP_OPT_HELP, "-ch");
    EXPECT_STATUS(MPP_OPT_HELP, "10", "-h");
    EXPECT_STATUS(MPP_OPT_VERSION, "-V");
    EXPECT_STATUS(MPP_OPT_VERSION, "--version");
    EXPECT_STATUS(MPP_OPT_VERSION, "100", "200", "-qV");
    /* help wins over version, and both over errors anywhere */
    EXPECT_STATUS(MPP_OPT_HELP, "-V", "-h");
    EXPECT_STATUS(MPP_OPT_HELP, "--version", "--help");
    EXPECT_STATUS(MPP_OPT_HELP, "--foo", "-h");
    EXPECT_STATUS(MPP_OPT_HELP, "-h", "--foo");
    EXPECT_STATUS(MPP_OPT_HELP, "-xh");
    EXPECT_STATUS(MPP_OPT_HELP, "1", "2", "3", "--help");
    EXPECT_STATUS(MPP_OPT_HELP, "1e99", "--help");
    EXPECT_STATUS(MPP_OPT_HELP, "-c", "-p", "-h");
    EXPECT_STATUS(MPP_OPT_HELP, "10", "5", "-h");
    EXPECT_STATUS(MPP_OPT_HELP, "-m", "bad", "-h");
    EXPECT_STATUS(MPP_OPT_VERSION, "--foo", "-V");
    EXPECT_STATUS(MPP_OPT_VERSION, "-V", "10", "5");
    EXPECT_STATUS(MPP_OPT_VERSION, "-V", "--count=1");
    /* but not as an option's value, and not after "--" */
    EXPECT_ERROR("missing STOP (try --help)", "-o", "-h");
    EXPECT_ERROR("missing STOP (try --help)", "-o", "--version");
    EXPECT_ERROR("invalid method '-h' (choose sieve or trial)", "-m", "-h", "10");
    EXPECT_ERROR("STOP: '-V': negative numbers are not allowed", "--", "-V");
    mpp_options o;
    EXPECT_RUN(o, "-mtrial", "-oh", "10");
    ck_assert_str_eq(o.output, "h");
}
END_TEST

/* --- --self-test --- */

START_TEST(test_self_test)
{
    mpp_options o;
    EXPECT_RUN(o, "--self-test");
    ck_assert(o.self_test);
    EXPECT_RUN(o, "--self-test", "--self-test");
    ck_assert(o.self_test);
    EXPECT_RUN(o, "10");
    ck_assert(!o.self_test);
    /* alone: no operand, no other option */
    EXPECT_ERROR("--self-test takes no other option and no operand", "--self-test", "1e6");
    EXPECT_ERROR("--self-test takes no other option and no operand", "1", "2", "--self-test");
    EXPECT_ERROR("--self-test takes no other option and no operand", "-q", "--self-test");
    EXPECT_ERROR("--self-test takes no other option and no operand", "--self-test", "--json");
    EXPECT_ERROR("--self-test takes no other option and no operand", "--self-test", "-mtrial");
    /* errors in the options themselves still come first */
    EXPECT_ERROR("unknown option '--foo'", "--self-test", "--foo");
    EXPECT_ERROR("option '--self-test' takes no value", "--self-test=1");
    /* help and version still win */
    EXPECT_STATUS(MPP_OPT_HELP, "--self-test", "-h");
    EXPECT_STATUS(MPP_OPT_VERSION, "--self-test", "-V");
    EXPECT_ERROR("missing STOP (try --help)", "-o", "--self-test");
}
END_TEST

START_TEST(test_opts_untouched)
{
    /* *opts is written only on MPP_OPT_RUN */
    mpp_options o;
    unsigned char sentinel[sizeof o];
    memset(sentinel, 0xA5, sizeof sentinel);
    char err[64];
    ck_assert_int_eq(parse_args(&o, err, sizeof err, ARGS("-c", "-h", "10")), MPP_OPT_HELP);
    ck_assert_int_eq(memcmp(&o, sentinel, sizeof o), 0);
    ck_assert_int_eq(parse_args(&o, err, sizeof err, ARGS("-V", "10")), MPP_OPT_VERSION);
    ck_assert_int_eq(memcmp(&o, sentinel, sizeof o), 0);
    ck_assert_int_eq(parse_args(&o, err, sizeof err, ARGS("-c", "10", "5")), MPP_OPT_ERROR);
    ck_assert_int_eq(memcmp(&o, sentinel, sizeof o), 0);
}
END_TEST

START_TEST(test_err_buffer)
{
    mpp_options o;
    /* err may be NULL */
    ck_assert_int_eq(parse_args(&o, NULL, 0, ARGS("--foo")), MPP_OPT_ERROR);
    ck_assert_int_eq(parse_args(&o, NULL, 100, ARGS("1e20")), MPP_OPT_ERROR);
    ck_assert_int_eq(parse_args(&o, NULL, 0, ARGS("7")), MPP_OPT_RUN);
    ck_assert_uint_eq(o.stop, 7);
    /* a short buffer is filled, NUL-terminated and never overrun */
    char buf[16];
    for (size_t len = 1; len <= 8; len++) {
        memset(buf, 'Z', sizeof buf);
        ck_assert_int_eq(parse_args(&o, buf, len, ARGS("10", "5")), MPP_OPT_ERROR);
        ck_assert_uint_eq(strlen(buf), len - 1);
        ck_assert_int_eq(buf[len], 'Z');
        ck_assert_int_eq(strncmp(buf, "START (10)", len - 1), 0);
    }
    memset(buf, 'Z', sizeof buf);
    ck_assert_int_eq(parse_args(&o, buf, 0, ARGS("-x")), MPP_OPT_ERROR);
    ck_assert_int_eq(buf[0], 'Z');
    /* a long argument is quoted in part */
    char arg[400];
    memset(arg, 'y', sizeof arg - 1);
    arg[0] = '-';
    arg[1] = '-';
    arg[sizeof arg - 1] = '\0';
    char err[512];
    ck_assert_int_eq(parse_args(&o, err, sizeof err, ARGS(arg, "10")), MPP_OPT_ERROR);
    check_message(err);
    ck_assert_uint_lt(strlen(err), 100);
    ck_assert_ptr_nonnull(strstr(err, "...'"));
    ck_assert_int_eq(strncmp(err, "unknown option '--yyy", 21), 0);
    ck_assert_int_eq(parse_args(&o, err, sizeof err, ARGS("-m", arg, "10")), MPP_OPT_ERROR);
    check_message(err);
    ck_assert_uint_lt(strlen(err), 120);
    ck_assert_int_eq(parse_args(&o, err, sizeof err, ARGS(arg + 2, "10")), MPP_OPT_ERROR);
    check_message(err);
    ck_assert_uint_lt(strlen(err), 140);
    ck_assert_msg(strncmp(err, "START: 'yyy", 11) == 0, "%s", err);
}
END_TEST

START_TEST(test_reentrant)
{
    /* no state survives a call: an error then a good line, twice */
    mpp_options o;
    for (int i = 0; i < 2; i++) {
        EXPECT_ERROR("unknown option '--foo'", "--foo", "-c", "-q", "7");
        EXPECT_RUN(o, "7");
        ck_assert(!o.count_only && !o.quiet);
        ck_assert_uint_eq(o.stop, 7);
        EXPECT_STATUS(MPP_OPT_HELP, "-h");
        EXPECT_RUN(o, "3", "7");
        ck_assert_uint_eq(o.start, 3);
    }
    /* argv is not modified */
    char a0[] = "mpprimes", a1[] = "-qmtrial", a2[] = "--output=x", a3[] = "9";
    char *argv[] = {a0, a1, a2, a3, NULL};
    ck_assert_int_eq(mpp_parse_options(4, argv, &o, NULL, 0), MPP_OPT_RUN);
    ck_assert_str_eq(a1, "-qmtrial");
    ck_assert_str_eq(a2, "--output=x");
    ck_assert_ptr_eq(o.output, a2 + 9);
}
END_TEST

/* --- usage text --- */

START_TEST(test_usage)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    mpp_print_usage(f);
    long size = ftell(f);
    ck_assert_int_gt(size, 500);
    rewind(f);
    char *text = calloc((size_t)size + 1, 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    ck_assert_int_eq(text[size - 1], '\n');
    int line = 1;
    size_t col = 0;
    for (long i = 0; i < size; i++, col++) {
        ck_assert_msg(text[i] != '\t', "tab on line %d", line);
        if (text[i] == '\n') {
            ck_assert_msg(col < 80, "line %d has %zu columns", line, col);
            line++;
            col = (size_t)-1;
        }
    }
    static const char *const needles[] = {
        "mpprimes [OPTIONS] STOP\n", "mpprimes [OPTIONS] START STOP\n", "MPI_Scatter",
        "MPI_Gatherv", "rank 0", "segmented sieve of Eratosthenes", "trial division",
        "1000000", "1e10", "2.5e9", "2^32", "1e12+1e9", "2^64-1", "-c, --count[=KINDS]",
        "--gaps", "-c123456 --gaps 1e10", "-n, --nth-prime N", "--nth-prime 1e10",
        "-p, --print", "-o, --output FILE", "-m, --method", "--json", "-q, --quiet",
        "-h, --help", "-V, --version", "stdout", "stderr", "temporary", "JSON", "0  ",
        "MPPRIMES_KEEP_MPI_ENV=1", "OMPI_MCA_pml=ob1",
        "1  ", "2  ", "mpirun -np 4 mpprimes 1000000\n",
        "mpirun -np 4 mpprimes --count 1e12 1e12+1e9\n",
        "mpirun -np 2 mpprimes --print 100 200 > primes.txt\n",
    };
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
        ck_assert_msg(strstr(text, needles[i]) != NULL, "usage lacks \"%s\"", needles[i]);
    free(text);
}
END_TEST

/* --- --format and --buffer --- */

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

START_TEST(test_format_buffer_defaults)
{
    ck_assert_uint_eq(MPP_BUFFER_DEFAULT, 64 * MIB);
    ck_assert_uint_eq(MPP_BUFFER_MIN, 64);
    ck_assert_uint_eq(MPP_BUFFER_MAX, GIB);
    mpp_options o;
    memset(&o, 0xA5, sizeof o);
    mpp_options_init(&o);
    ck_assert_int_eq(o.format, MPP_FORMAT_TEXT);
    ck_assert_uint_eq(o.buffer, 64 * MIB);
    EXPECT_RUN(o, "1000000");
    ck_assert_int_eq(o.format, MPP_FORMAT_TEXT);
    ck_assert_uint_eq(o.buffer, 64 * MIB);
    EXPECT_RUN(o, "-p", "10");
    ck_assert_int_eq(o.format, MPP_FORMAT_TEXT);
    ck_assert_uint_eq(o.buffer, 64 * MIB);
    EXPECT_RUN(o, "-c", "10");
    ck_assert_uint_eq(o.buffer, 64 * MIB);
}
END_TEST

START_TEST(test_format)
{
    mpp_options o;
    EXPECT_RUN(o, "--format=binary", "--print", "10");
    ck_assert_int_eq(o.format, MPP_FORMAT_BINARY);
    ck_assert(o.print);
    EXPECT_RUN(o, "-p", "--format", "binary", "10");
    ck_assert_int_eq(o.format, MPP_FORMAT_BINARY);
    EXPECT_RUN(o, "--format", "binary", "-o", "primes.bin", "10");
    ck_assert_int_eq(o.format, MPP_FORMAT_BINARY);
    ck_assert_str_eq(o.output, "primes.bin");
    EXPECT_RUN(o, "--output=p.bin", "1e9", "--format=binary", "2e9");
    ck_assert_int_eq(o.format, MPP_FORMAT_BINARY);
    ck_assert_uint_eq(o.start, 1000000000);
    ck_assert_uint_eq(o.stop, 2000000000);
    EXPECT_RUN(o, "--format=text", "-p", "10");
    ck_assert_int_eq(o.format, MPP_FORMAT_TEXT);
    EXPECT_RUN(o, "-qo", "f", "--format", "text", "10");
    ck_assert_int_eq(o.format, MPP_FORMAT_TEXT);
    /* the last one wins */
    EXPECT_RUN(o, "--format=binary", "--format=text", "-p", "10");
    ck_assert_int_eq(o.format, MPP_FORMAT_TEXT);
    EXPECT_RUN(o, "--format=text", "--format", "binary", "-p", "10");
    ck_assert_int_eq(o.format, MPP_FORMAT_BINARY);
    /* with --json, and with the trial method */
    EXPECT_RUN(o, "--json", "-mtrial", "--format=binary", "-p", "10");
    ck_assert_int_eq(o.format, MPP_FORMAT_BINARY);
    ck_assert(o.json);
}
END_TEST

START_TEST(test_format_needs_a_listing)
{
    /* --format without --print or --output: the default mode gathers
     * native words, --count writes nothing */
    EXPECT_ERROR("--format applies to --print and --output only", "--format=binary", "10");
    EXPECT_ERROR("--format applies to --print and --output only", "--format", "text", "10");
    EXPECT_ERROR("--format applies to --print and --output only", "--format=text", "5", "7");
    EXPECT_ERROR("--format applies to --print and --output only", "--json", "--format=binary",
                 "10");
    EXPECT_ERROR("--format applies to --print and --output only", "-c", "--format=binary",
                 "10");
    EXPECT_ERROR("--format applies to --print and --output only", "--count", "--format", "text",
                 "10");
    /* after the other conflicts, before the operands */
    EXPECT_ERROR("--count cannot be combined with --print", "-c", "-p", "--format=binary", "10");
    EXPECT_ERROR("--quiet cannot be combined with --json", "-q", "--json", "--format=binary",
                 "10");
    EXPECT_ERROR("--format applies to --print and --output only", "--format=binary", "1e99");
    EXPECT_ERROR("--format applies to --print and --output only", "--format=binary");
}
END_TEST

START_TEST(test_bad_format)
{
    EXPECT_ERROR("invalid format 'xml' (choose text or binary)", "--format=xml", "-p", "10");
    EXPECT_ERROR("invalid format 'xml' (choose text or binary)", "-p", "--format", "xml", "10");
    /* an option error comes before the conflict it would also make */
    EXPECT_ERROR("invalid format 'xml' (choose text or binary)", "--format", "xml", "10");
    EXPECT_ERROR("invalid format '' (choose text or binary)", "--format=", "-p", "10");
    EXPECT_ERROR("invalid format 'BINARY' (choose text or binary)", "--format=BINARY", "-p",
                 "10");
    EXPECT_ERROR("invalid format 'Text' (choose text or binary)", "--format=Text", "-p", "10");
    EXPECT_ERROR("invalid format 'text ' (choose text or binary)", "--format", "text ", "-p",
                 "10");
    /* the default mode's internal format is not for the command line */
    EXPECT_ERROR("invalid format 'native' (choose text or binary)", "--format=native", "-p",
                 "10");
    EXPECT_ERROR("invalid format '-p' (choose text or binary)", "--format", "-p", "10");
    EXPECT_ERROR("option '--format' needs a value", "-p", "10", "--format");
    /* no short form */
    EXPECT_ERROR("unknown option '-f'", "-f", "binary", "-p", "10");
}
END_TEST

START_TEST(test_buffer_sizes)
{
    static const struct {
        const char *arg;
        uint64_t bytes;
    } sizes[] = {
        {"64", 64},
        {"65", 65},
        {"1000", 1000},
        {"4K", 4096},
        {"4KiB", 4096},
        {"64K", 65536},
        {"64M", 64 * MIB},
        {"64MiB", 64 * MIB},
        {"1M", MIB},
        {"1G", GIB},
        {"1GiB", GIB},
        {"1024M", GIB},
        {"1048576K", GIB},
        {"1073741824", GIB},
        {"2^20", MIB},
        {"2^30", GIB},
        {"1e6", 1000000},
        {"1e9", 1000000000},
        {"1048576", MIB},
        {"1e3K", 1024000},
        {"2^10K", MIB},
        {" 64M", 64 * MIB},
        {"64 M", 64 * MIB},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        mpp_options o;
        EXPECT_RUN(o, "--buffer", sizes[i].arg, "10");
        ck_assert_msg(o.buffer == sizes[i].bytes, "--buffer '%s': %" PRIu64 " bytes, want %" PRIu64,
                      sizes[i].arg, o.buffer, sizes[i].bytes);
        char arg[64];
        snprintf(arg, sizeof arg, "--buffer=%s", sizes[i].arg);
        EXPECT_RUN(o, "-p", arg, "10");
        ck_assert_uint_eq(o.buffer, sizes[i].bytes);
        uint64_t v = 0;
        ck_assert_msg(mpp_parse_size(sizes[i].arg, &v), "mpp_parse_size('%s')", sizes[i].arg);
        ck_assert_uint_eq(v, sizes[i].bytes);
    }
    /* with every outlet, and with --count (which then holds no primes) */
    mpp_options o;
    EXPECT_RUN(o, "-c", "--buffer", "1M", "10");
    ck_assert(o.count_only);
    ck_assert_uint_eq(o.buffer, MIB);
    EXPECT_RUN(o, "-o", "f", "--buffer=64", "--format=binary", "10");
    ck_assert_uint_eq(o.buffer, 64);
    EXPECT_RUN(o, "--buffer", "1G", "--json", "10", "20");
    ck_assert_uint_eq(o.buffer, GIB);
    /* the last one wins */
    EXPECT_RUN(o, "--buffer=1M", "--buffer", "2M", "10");
    ck_assert_uint_eq(o.buffer, 2 * MIB);
}
END_TEST

START_TEST(test_buffer_out_of_range)
{
#define RANGE(arg) "buffer size '" arg "' is out of range (64 bytes to 1G)"
    EXPECT_ERROR(RANGE("63"), "--buffer", "63", "10");
    EXPECT_ERROR(RANGE("0"), "--buffer", "0", "10");
    EXPECT_ERROR(RANGE("0K"), "--buffer=0K", "10");
    EXPECT_ERROR(RANGE("2G"), "--buffer", "2G", "10");
    EXPECT_ERROR(RANGE("1025M"), "--buffer=1025M", "10");
    EXPECT_ERROR(RANGE("1073741825"), "--buffer", "1073741825", "10");
    EXPECT_ERROR(RANGE("1048577K"), "--buffer", "1048577K", "10");
    EXPECT_ERROR(RANGE("2^30+1"), "--buffer", "2^30+1", "10");
    EXPECT_ERROR(RANGE("4G"), "-c", "--buffer", "4G", "10");
    EXPECT_ERROR(RANGE(MAX64), "--buffer", MAX64, "10");
    EXPECT_ERROR(RANGE("16777215G"), "--buffer", "16777215G", "10");
#undef RANGE
}
END_TEST

START_TEST(test_buffer_invalid)
{
#define INVALID(arg) "invalid buffer size '" arg "' (bytes, or a NUMBER with K, M or G, e.g. 64M)"
    EXPECT_ERROR(INVALID("abc"), "--buffer", "abc", "10");
    EXPECT_ERROR(INVALID(""), "--buffer", "", "10");
    EXPECT_ERROR(INVALID(""), "--buffer=", "10");
    EXPECT_ERROR(INVALID("4X"), "--buffer", "4X", "10");
    EXPECT_ERROR(INVALID("K"), "--buffer", "K", "10");
    EXPECT_ERROR(INVALID("-5"), "--buffer", "-5", "10");
    EXPECT_ERROR(INVALID("1.5K"), "--buffer", "1.5K", "10"); /* NUMBER must be integral */
    EXPECT_ERROR(INVALID("64KB"), "--buffer", "64KB", "10");
    EXPECT_ERROR(INVALID("64k"), "--buffer", "64k", "10"); /* units are capitals */
    EXPECT_ERROR(INVALID("64m"), "--buffer", "64m", "10");
    EXPECT_ERROR(INVALID("64Mi"), "--buffer", "64Mi", "10");
    EXPECT_ERROR(INVALID("64MM"), "--buffer", "64MM", "10");
    EXPECT_ERROR(INVALID("64T"), "--buffer", "64T", "10");
    EXPECT_ERROR(INVALID("M64"), "--buffer", "M64", "10");
    EXPECT_ERROR(INVALID("64M "), "--buffer", "64M ", "10");
    EXPECT_ERROR(INVALID("1e"), "--buffer", "1e", "10");
    EXPECT_ERROR(INVALID("0x40"), "--buffer", "0x40", "10");
    EXPECT_ERROR(INVALID("64-128"), "--buffer", "64-128", "10");
    /* too large to compute at all: reported as invalid, not out of range */
    EXPECT_ERROR(INVALID("1e20"), "--buffer", "1e20", "10");
    EXPECT_ERROR(INVALID("2^64-1G"), "--buffer", "2^64-1G", "10");
    EXPECT_ERROR(INVALID("17179869184G"), "--buffer", "17179869184G", "10");
    /* a value is taken whatever it looks like */
    EXPECT_ERROR(INVALID("-p"), "--buffer", "-p", "10");
    EXPECT_ERROR(INVALID("--count"), "--buffer", "--count", "10");
    EXPECT_ERROR("option '--buffer' needs a value", "10", "--buffer");
    EXPECT_ERROR("option '--buffer' needs a value", "-p", "10", "--buffer");
    /* no short form; no value for a flag */
    EXPECT_ERROR("unknown option '-b'", "-b", "64M", "10");
    /* the option errors come first */
    EXPECT_ERROR(INVALID("x"), "--buffer=x", "-c", "-p", "10", "5");
#undef INVALID
}
END_TEST

START_TEST(test_parse_size)
{
    uint64_t v;
    /* accepted */
    v = 7;
    ck_assert(mpp_parse_size("0", &v));
    ck_assert_uint_eq(v, 0);
    ck_assert(mpp_parse_size("1", &v));
    ck_assert_uint_eq(v, 1);
    ck_assert(mpp_parse_size("5K", &v));
    ck_assert_uint_eq(v, 5120);
    ck_assert(mpp_parse_size("3MiB", &v));
    ck_assert_uint_eq(v, 3 * MIB);
    ck_assert(mpp_parse_size("2G", &v));
    ck_assert_uint_eq(v, 2 * GIB);
    ck_assert(mpp_parse_size("8GiB", &v));
    ck_assert_uint_eq(v, 8 * GIB);
    ck_assert(mpp_parse_size(MAX64, &v));
    ck_assert_uint_eq(v, UINT64_MAX);
    ck_assert(mpp_parse_size("2^64-1", &v));
    ck_assert_uint_eq(v, UINT64_MAX);
    /* the largest multiples that fit */
    ck_assert(mpp_parse_size("18014398509481983K", &v)); /* (2^54 - 1) * 2^10 */
    ck_assert_uint_eq(v, UINT64_MAX - 1023);
    ck_assert(mpp_parse_size("2^54-1K", &v));
    ck_assert_uint_eq(v, UINT64_MAX - 1023);
    ck_assert(mpp_parse_size("17592186044415MiB", &v)); /* (2^44 - 1) * 2^20 */
    ck_assert_uint_eq(v, UINT64_MAX - (MIB - 1));
    ck_assert(mpp_parse_size("17179869183G", &v)); /* (2^34 - 1) * 2^30 */
    ck_assert_uint_eq(v, UINT64_MAX - (GIB - 1));
    /* overflow: false, *out untouched */
    v = 12345;
    ck_assert(!mpp_parse_size("18446744073709551615K", &v));
    ck_assert(!mpp_parse_size("2^64-1G", &v));
    ck_assert(!mpp_parse_size("2^54K", &v));
    ck_assert(!mpp_parse_size("18014398509481984K", &v));
    ck_assert(!mpp_parse_size("17592186044416M", &v));
    ck_assert(!mpp_parse_size("17179869184GiB", &v));
    ck_assert(!mpp_parse_size("2^64", &v));
    ck_assert(!mpp_parse_size("18446744073709551616", &v));
    ck_assert(!mpp_parse_size("1e20", &v));
    /* syntax */
    static const char *const bad[] = {
        "", "K", "KiB", "abc", "4X", "-5", "-0", "1.5K", "1.5", "K4", "4KK", "4KiBB", "4kib",
        "4k", "4B", "4KB", "4 KB", "1e", "e", "4e", "0x10", "4Ki", "4i", "4iB", "+",
        "1e3.5", "5-6",
        "999999999999999999999999999999999999999999999999999999999999999999999", /* > 64 chars */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!mpp_parse_size(bad[i], &v), "mpp_parse_size('%s') accepted: %" PRIu64,
                      bad[i], v);
        ck_assert_uint_eq(v, 12345);
    }
}
END_TEST

/* The usage text holds each of the N NEEDLES. */
static void usage_has(const char *const *needles, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    mpp_print_usage(f);
    ck_assert_int_eq(fclose(f), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(strstr(text, needles[i]) != NULL, "usage lacks \"%s\"", needles[i]);
    free(text);
}

START_TEST(test_usage_new_options)
{
    static const char *const needles[] = {
        "--format FORMAT", "text", "binary", "little-endian", "--buffer SIZE", "64M",
        "64 to\n", "1G", "K, M, G are powers of 1024", "in rounds", "MPPRIMES_DIRECT_STDOUT=0",
        "mpprimes --output primes.bin --format binary 1e10\n",
    };
    usage_has(needles, sizeof needles / sizeof needles[0]);
}
END_TEST

/* --- random command lines --- */

static uint64_t next(uint64_t *s)
{
    *s += 0x9E3779B97F4A7C15ULL;
    uint64_t z = *s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Up to 7 tokens drawn from TOKENS[0..N-1] into ARGS, NULL-terminated. */
static void random_args(uint64_t *seed, const char *const *tokens, size_t n,
                        const char *args[9])
{
    int count = (int)(next(seed) % 8);
    for (int i = 0; i < count; i++)
        args[i] = tokens[next(seed) % n];
    args[count] = NULL;
}

/* ITERS random command lines from TOKENS (seed SEED): every error message
 * is checked (and counted in *ERRORS when not NULL), help and version leave
 * ERR empty, and each line that parses to RUN goes to ON_RUN (with its
 * iteration, for messages). Returns the number of RUN lines. */
typedef void (*run_check)(void *ctx, int iter, const char *const *args, const mpp_options *o);
static int random_runs(uint64_t seed, const char *const *tokens, size_t ntokens, int iters,
                       run_check on_run, void *ctx, int *errors)
{
    int runs = 0;
    /* under MPP_TEST_SCALE, 5000 at least: a valid --chunk comes in about
     * one line in a thousand */
    uint64_t scaled = test_iters((uint64_t)iters);
    iters = scaled < 5000 && iters > 5000 ? 5000 : (int)scaled;
    for (int iter = 0; iter < iters; iter++) {
        const char *args[9];
        random_args(&seed, tokens, ntokens, args);
        mpp_options o;
        char err[256] = "junk";
        mpp_opt_status st = parse_args(&o, err, sizeof err, args);
        if (st == MPP_OPT_ERROR) {
            check_message(err);
            if (errors)
                (*errors)++;
            continue;
        }
        ck_assert_str_eq(err, "");
        if (st != MPP_OPT_RUN)
            continue;
        runs++;
        on_run(ctx, iter, args, &o);
    }
    return runs;
}

START_TEST(test_random_lines)
{
    static const char *const tokens[] = {
        "-c", "-p", "-q", "-o", "-m", "--json", "--count", "--print", "--quiet",
        "--output", "--output=", "--output=f", "--method", "--method=trial", "-mtrial",
        "-msieve", "-cq", "-qo", "-ofile", "--", "-", "-x", "--foo", "--count=1", "trial",
        "sieve", "0", "1", "2", "10", "1e20", "2^64-1", "5-6", "", "abc", "-5", "1e3",
        "-h", "-V", "--help", "--version", "\x01", "-\x02",
    };
    enum { NTOKENS = sizeof tokens / sizeof tokens[0] };
    uint64_t seed = 42;
    for (int iter = 0; iter < (int)test_iters(50000); iter++) {
        const char *args[9];
        random_args(&seed, tokens, NTOKENS, args);
        mpp_options o;
        char err[256] = "junk";
        mpp_opt_status st = parse_args(&o, err, sizeof err, args);
        switch (st) {
        case MPP_OPT_RUN:
            ck_assert_str_eq(err, "");
            ck_assert_uint_le(o.start, o.stop);
            ck_assert(!(o.count_only && o.print));
            ck_assert(!(o.count_only && o.output));
            ck_assert(!(o.print && o.output)); /* --output takes the listing */
            ck_assert(!(o.quiet && o.json));
            ck_assert(o.output == NULL || o.output[0] != '\0');
            ck_assert(o.method == MPP_METHOD_SIEVE || o.method == MPP_METHOD_TRIAL);
            break;
        case MPP_OPT_HELP:
        case MPP_OPT_VERSION:
            ck_assert_str_eq(err, "");
            break;
        case MPP_OPT_ERROR:
            check_message(err);
            ck_assert_ptr_null(strchr(err, '\x01'));
            ck_assert_ptr_null(strchr(err, '\x02'));
            break;
        default:
            ck_abort_msg("status %d", (int)st);
        }
    }
}
END_TEST

static void check_format_buffer(void *ctx, int iter, const char *const *args,
                                const mpp_options *o)
{
    (void)ctx;
    (void)args;
    ck_assert_msg(o->format == MPP_FORMAT_TEXT || o->format == MPP_FORMAT_BINARY,
                  "seed 4242 iteration %d: format %d", iter, (int)o->format);
    ck_assert_msg(o->format == MPP_FORMAT_TEXT || o->print || o->output,
                  "seed 4242 iteration %d: binary without a listing", iter);
    ck_assert_msg(o->buffer >= MPP_BUFFER_MIN && o->buffer <= MPP_BUFFER_MAX,
                  "seed 4242 iteration %d: buffer %" PRIu64, iter, o->buffer);
}

START_TEST(test_random_lines_format_buffer)
{
    static const char *const tokens[] = {
        "-c", "-p", "-o", "f", "--json", "-q", "--format", "--format=text", "--format=binary",
        "--format=xml", "--format=", "text", "binary", "--buffer", "--buffer=64", "--buffer=63",
        "--buffer=1G", "--buffer=2G", "--buffer=64M", "--buffer=", "64M", "4K", "abc", "1.5K",
        "2^20", "1e6", "--", "10", "1e20", "5", "-h",
    };
    enum { NTOKENS = sizeof tokens / sizeof tokens[0] };
    int runs = random_runs(4242, tokens, NTOKENS, 30000, check_format_buffer, NULL, NULL);
    ck_assert_int_gt(runs, 100 / (int)test_scale());
}
END_TEST

/* --- --csv --- */

START_TEST(test_csv)
{
    mpp_options o;
    EXPECT_RUN(o, "10");
    ck_assert_ptr_null(o.csv);
    /* both spellings; the value points into argv */
    const char *const a1[] = {"--csv", "runs.csv", "10", NULL};
    expect_run(&o, a1);
    ck_assert_ptr_eq(o.csv, a1[1]);
    ck_assert_uint_eq(o.stop, 10);
    const char *const a2[] = {"--csv=runs.csv", "10", NULL};
    expect_run(&o, a2);
    ck_assert_ptr_eq(o.csv, a2[0] + 6);
    ck_assert_str_eq(o.csv, "runs.csv");
    const char *const a3[] = {"5", "10", "--csv", "/tmp/a b,c.csv", NULL};
    expect_run(&o, a3);
    ck_assert_ptr_eq(o.csv, a3[3]);
    ck_assert_uint_eq(o.start, 5);
    ck_assert_uint_eq(o.stop, 10);
    EXPECT_RUN(o, "--csv=a=b", "10");
    ck_assert_str_eq(o.csv, "a=b");
    /* a later one overrides an earlier one */
    EXPECT_RUN(o, "--csv", "a.csv", "--csv=b.csv", "10");
    ck_assert_str_eq(o.csv, "b.csv");
    EXPECT_RUN(o, "--csv=b.csv", "10", "--csv", "a.csv");
    ck_assert_str_eq(o.csv, "a.csv");
    /* a separate value is taken whatever it looks like */
    EXPECT_RUN(o, "--csv", "--json", "10");
    ck_assert_str_eq(o.csv, "--json");
    ck_assert(!o.json);
    EXPECT_RUN(o, "--csv", "-c", "10");
    ck_assert_str_eq(o.csv, "-c");
    ck_assert(!o.count_only);
    EXPECT_RUN(o, "--csv", "-h", "10");
    ck_assert_str_eq(o.csv, "-h");
    EXPECT_RUN(o, "--csv", "-", "10");
    ck_assert_str_eq(o.csv, "-");
    EXPECT_RUN(o, "--csv", "20", "10");
    ck_assert_str_eq(o.csv, "20");
    ck_assert_uint_eq(o.start, 2);
    ck_assert_uint_eq(o.stop, 10);
    EXPECT_RUN(o, "--csv", "--", "10");
    ck_assert_str_eq(o.csv, "--");
    /* after "--" it is an operand */
    EXPECT_ERROR("STOP: '--csv': negative numbers are not allowed", "--", "--csv");
    /* --csv is not --output, and --output is not --csv */
    EXPECT_RUN(o, "--csv", "f.csv", "10");
    ck_assert_ptr_null(o.output);
    ck_assert(!o.count_only && !o.print && !o.json && !o.quiet);
    EXPECT_RUN(o, "-o", "f.csv", "10");
    ck_assert_ptr_null(o.csv);
    ck_assert_str_eq(o.output, "f.csv");
}
END_TEST

/* --- --timeline --- */

START_TEST(test_timeline)
{
    mpp_options o;
    EXPECT_RUN(o, "10");
    ck_assert_ptr_null(o.timeline);
    const char *const a1[] = {"--timeline", "t.json", "10", NULL};
    expect_run(&o, a1);
    ck_assert_ptr_eq(o.timeline, a1[1]);
    const char *const a2[] = {"--timeline=t.json", "10", NULL};
    expect_run(&o, a2);
    ck_assert_ptr_eq(o.timeline, a2[0] + 11);
    EXPECT_RUN(o, "--timeline", "a.json", "--timeline=b.json", "10");
    ck_assert_str_eq(o.timeline, "b.json");
    /* with every outlet and decomposition, and not another file option */
    EXPECT_RUN(o, "-c", "-d", "dynamic", "--timeline", "t.json", "--csv", "s.csv", "1e9");
    ck_assert(o.count_only);
    ck_assert_str_eq(o.timeline, "t.json");
    ck_assert_str_eq(o.csv, "s.csv");
    ck_assert_ptr_null(o.output);
    EXPECT_RUN(o, "-o", "p.txt", "--timeline=t.json", "-q", "10");
    ck_assert_str_eq(o.output, "p.txt");
    ck_assert_str_eq(o.timeline, "t.json");
    EXPECT_RUN(o, "-p", "--timeline", "-", "--json", "10");
    ck_assert(o.print && o.json);
    ck_assert_str_eq(o.timeline, "-");
    EXPECT_ERROR("option '--timeline' needs a value", "10", "--timeline");
    EXPECT_ERROR("option '--timeline' needs a non-empty file name", "--timeline=", "10");
    EXPECT_ERROR("option '--timeline' needs a non-empty file name", "--timeline", "", "10");
    EXPECT_ERROR("unknown option '--timelin'", "--timelin", "t.json", "10");
}
END_TEST

/* --- --checkpoint, --checkpoint-every, --progress, --no-progress --- */

START_TEST(test_checkpoint_progress)
{
    mpp_options o;
    EXPECT_RUN(o, "-c", "1e11");
    ck_assert_ptr_null(o.checkpoint);
    ck_assert_uint_eq(o.checkpoint_every, 5);
    ck_assert_int_eq(o.progress, MPP_PROGRESS_AUTO);
    ck_assert_uint_eq(o.progress_every, 60);
    const char *const a1[] = {"--checkpoint", "run.ckpt", "-c", "1e11", NULL};
    expect_run(&o, a1);
    ck_assert_ptr_eq(o.checkpoint, a1[1]);
    EXPECT_RUN(o, "--checkpoint=a.ckpt", "--checkpoint-every", "0", "-p2", "1e9");
    ck_assert_str_eq(o.checkpoint, "a.ckpt");
    ck_assert_uint_eq(o.checkpoint_every, 0);
    EXPECT_RUN(o, "--checkpoint", "c", "--checkpoint-every=1e3", "-o", "p.txt", "1e9");
    ck_assert_uint_eq(o.checkpoint_every, 1000);
    EXPECT_RUN(o, "--progress", "-c", "1e11");
    ck_assert_int_eq(o.progress, MPP_PROGRESS_ON);
    ck_assert_uint_eq(o.progress_every, 60);
    EXPECT_RUN(o, "--progress=10", "1e9");
    ck_assert_int_eq(o.progress, MPP_PROGRESS_ON);
    ck_assert_uint_eq(o.progress_every, 10);
    EXPECT_RUN(o, "--progress=10", "--no-progress", "1e9");
    ck_assert_int_eq(o.progress, MPP_PROGRESS_OFF);
    EXPECT_RUN(o, "--no-progress", "--progress", "1e9"); /* the last wins */
    ck_assert_int_eq(o.progress, MPP_PROGRESS_ON);
    EXPECT_ERROR("option '--checkpoint' needs a value", "1e9", "--checkpoint");
    EXPECT_ERROR("option '--checkpoint' needs a non-empty file name", "--checkpoint=", "10");
    EXPECT_ERROR("--checkpoint-every applies to --checkpoint only", "--checkpoint-every=9",
                 "10");
    EXPECT_ERROR("--checkpoint and --output name the same file", "--checkpoint", "f", "-o",
                 "f", "10");
    EXPECT_ERROR("--progress must be at least 1 second", "--progress=0", "10");
    EXPECT_ERROR("--progress: at most a year of seconds (31536000)", "--progress=1e9", "10");
    EXPECT_ERROR("--checkpoint-every: at most a year of seconds (31536000)", "--checkpoint",
                 "c", "--checkpoint-every=1e12", "10");
    EXPECT_ERROR("option '--no-progress' takes no value", "--no-progress=1", "10");
    EXPECT_ERROR("--self-test takes no other option and no operand", "--self-test",
                 "--progress");
}
END_TEST

/* --csv goes with every outlet and report style. */
START_TEST(test_csv_combined)
{
    mpp_options o;
    EXPECT_RUN(o, "--count", "--csv", "s.csv", "1e10");
    ck_assert(o.count_only);
    ck_assert_str_eq(o.csv, "s.csv");
    ck_assert_uint_eq(o.stop, 10000000000ULL);
    EXPECT_RUN(o, "-cq", "--csv", "strong.csv", "1e10");
    ck_assert(o.count_only && o.quiet);
    ck_assert_str_eq(o.csv, "strong.csv");
    EXPECT_RUN(o, "--csv=s.csv", "-p", "100", "200");
    ck_assert(o.print);
    ck_assert_str_eq(o.csv, "s.csv");
    EXPECT_RUN(o, "-o", "primes.txt", "--csv", "s.csv", "10");
    ck_assert_str_eq(o.output, "primes.txt");
    ck_assert_str_eq(o.csv, "s.csv");
    EXPECT_RUN(o, "--output=p.bin", "--format=binary", "--csv=s.csv", "--buffer=1M", "10");
    ck_assert_str_eq(o.output, "p.bin");
    ck_assert_str_eq(o.csv, "s.csv");
    ck_assert_int_eq(o.format, MPP_FORMAT_BINARY);
    EXPECT_RUN(o, "--json", "--csv", "s.csv", "-mtrial", "10");
    ck_assert(o.json);
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
    ck_assert_str_eq(o.csv, "s.csv");
    EXPECT_RUN(o, "--quiet", "--csv=s.csv", "10");
    ck_assert(o.quiet);
    ck_assert_str_eq(o.csv, "s.csv");
    EXPECT_RUN(o, "-qp", "--csv", "s.csv", "10");
    ck_assert(o.quiet && o.print);
    ck_assert_str_eq(o.csv, "s.csv");
    /* the same file as --output is the user's business */
    EXPECT_RUN(o, "-o", "same", "--csv", "same", "10");
    ck_assert_str_eq(o.output, "same");
    ck_assert_str_eq(o.csv, "same");
    /* the existing conflicts stand */
    EXPECT_ERROR("--count cannot be combined with --print", "--csv", "s.csv", "-c", "-p", "10");
    EXPECT_ERROR("--quiet cannot be combined with --json", "-q", "--json", "--csv=s.csv", "10");
    EXPECT_ERROR("--format applies to --print and --output only", "--csv", "s.csv",
                 "--format=binary", "10");
    /* help and version win; a value named like them is a value */
    EXPECT_STATUS(MPP_OPT_HELP, "--csv", "s.csv", "-h");
    EXPECT_STATUS(MPP_OPT_HELP, "--csv=", "--help");
    EXPECT_STATUS(MPP_OPT_VERSION, "--csv", "s.csv", "-V");
    EXPECT_ERROR("missing STOP (try --help)", "--csv", "--help");
    EXPECT_ERROR("missing STOP (try --help)", "--csv", "-V");
}
END_TEST

START_TEST(test_csv_errors)
{
    EXPECT_ERROR("option '--csv' needs a value", "10", "--csv");
    EXPECT_ERROR("option '--csv' needs a value", "-c", "10", "--csv");
    EXPECT_ERROR("option '--csv' needs a non-empty file name", "--csv=", "10");
    EXPECT_ERROR("option '--csv' needs a non-empty file name", "--csv", "", "10");
    /* an empty --csv is not rescued by a later good one: the first error wins */
    EXPECT_ERROR("option '--csv' needs a non-empty file name", "--csv=", "--csv=a", "10");
    /* option errors come before conflicts and operands */
    EXPECT_ERROR("option '--csv' needs a non-empty file name", "-c", "-p", "--csv=", "10", "5");
    EXPECT_ERROR("option '--csv' needs a non-empty file name", "--csv=", "1e99");
    EXPECT_ERROR("unknown option '--foo'", "--foo", "--csv=");
    EXPECT_ERROR("option '--csv' needs a non-empty file name", "--csv=", "--foo");
    /* no short form, no abbreviation, no other spelling */
    EXPECT_ERROR("unknown option '-s'", "-csv", "f", "10");
    EXPECT_ERROR("unknown option '--cs'", "--cs", "f", "10");
    EXPECT_ERROR("unknown option '--CSV'", "--CSV", "f", "10");
    EXPECT_ERROR("unknown option '--csvfile'", "--csvfile=f", "10");
    EXPECT_ERROR("unknown option '--csv-file'", "--csv-file", "f", "10");
    /* the value is not an operand: a missing STOP stays missing */
    EXPECT_ERROR("missing STOP (try --help)", "--csv", "10");
    EXPECT_ERROR("missing STOP (try --help)", "--csv=10");
}
END_TEST

START_TEST(test_csv_reentrant)
{
    /* no --csv survives into the next call, nor after an error */
    mpp_options o;
    for (int i = 0; i < 2; i++) {
        EXPECT_RUN(o, "--csv", "a.csv", "7");
        ck_assert_str_eq(o.csv, "a.csv");
        EXPECT_RUN(o, "7");
        ck_assert_ptr_null(o.csv);
        EXPECT_ERROR("option '--csv' needs a non-empty file name", "--csv=", "7");
        EXPECT_RUN(o, "-c", "7");
        ck_assert_ptr_null(o.csv);
    }
    /* argv is not modified */
    char a0[] = "mpprimes", a1[] = "--csv=x.csv", a2[] = "9";
    char *argv[] = {a0, a1, a2, NULL};
    ck_assert_int_eq(mpp_parse_options(3, argv, &o, NULL, 0), MPP_OPT_RUN);
    ck_assert_str_eq(a1, "--csv=x.csv");
    ck_assert_ptr_eq(o.csv, a1 + 6);
}
END_TEST

START_TEST(test_usage_csv)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    mpp_print_usage(f);
    ck_assert_int_eq(fclose(f), 0);
    static const char *const needles[] = {
        "      --csv FILE  ", "CSV", "header", "SLURM_JOB_ID", "SLURM_JOB_NODELIST",
        "job_id", "job_nodelist", "--csv strong.csv",
    };
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
        ck_assert_msg(strstr(text, needles[i]) != NULL, "usage lacks \"%s\"", needles[i]);
    /* listed among the options, before the environment */
    char *csv = strstr(text, "--csv FILE");
    char *env = strstr(text, "SLURM_JOB_ID");
    ck_assert_ptr_nonnull(csv);
    ck_assert_ptr_nonnull(env);
    ck_assert_msg(csv < env, "--csv is not listed before the environment");
    free(text);
}
END_TEST

static void check_csv_line(void *ctx, int iter, const char *const *args, const mpp_options *o)
{
    int *with_csv = ctx;
    if (o->csv == NULL)
        return;
    (*with_csv)++;
    ck_assert_msg(o->csv[0] != '\0', "seed 777 iteration %d: empty --csv", iter);
    /* it points into one of the arguments: a whole one, or after "--csv=" */
    bool inside = false;
    for (int i = 0; args[i] != NULL; i++)
        inside = inside || o->csv == args[i] ||
                 (strncmp(args[i], "--csv=", 6) == 0 && o->csv == args[i] + 6);
    ck_assert_msg(inside, "seed 777 iteration %d: --csv '%s' not in argv", iter, o->csv);
}

START_TEST(test_random_lines_csv)
{
    static const char *const tokens[] = {
        "-c", "-p", "-q", "-o", "f", "--json", "--csv", "--csv=", "--csv=a.csv", "--csv=b",
        "a.csv", "", "--output=o", "--", "10", "5", "1e20", "-h", "--foo", "-x",
    };
    enum { NTOKENS = sizeof tokens / sizeof tokens[0] };
    int with_csv = 0;
    int runs = random_runs(777, tokens, NTOKENS, 30000, check_csv_line, &with_csv, NULL);
    ck_assert_int_gt(runs, 100 / (int)test_scale());
    ck_assert_int_gt(with_csv, 20 / (int)test_scale());
}
END_TEST

/* --- -d/--decomposition, --chunk, --explain, --compare --- */

START_TEST(test_decomposition)
{
    static const struct {
        const char *name;
        mpp_decomposition d;
    } all[] = {{"block", MPP_DECOMP_BLOCK},
               {"balanced", MPP_DECOMP_BALANCED},
               {"cyclic", MPP_DECOMP_CYCLIC},
               {"dynamic", MPP_DECOMP_DYNAMIC}};
    mpp_options o;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        char attached[40], eq[60];
        snprintf(attached, sizeof attached, "-d%s", all[i].name);
        snprintf(eq, sizeof eq, "--decomposition=%s", all[i].name);
        EXPECT_RUN(o, "-d", all[i].name, "10");
        ck_assert_int_eq(o.decomposition, all[i].d);
        ck_assert_uint_eq(o.chunk, 0); /* no --chunk: the default */
        EXPECT_RUN(o, attached, "10");
        ck_assert_int_eq(o.decomposition, all[i].d);
        EXPECT_RUN(o, "--decomposition", all[i].name, "10");
        ck_assert_int_eq(o.decomposition, all[i].d);
        EXPECT_RUN(o, eq, "10");
        ck_assert_int_eq(o.decomposition, all[i].d);
        /* after the operands, and grouped after flags */
        EXPECT_RUN(o, "5", "10", "-d", all[i].name);
        ck_assert_int_eq(o.decomposition, all[i].d);
        ck_assert_uint_eq(o.start, 5);
        ck_assert_uint_eq(o.stop, 10);
        EXPECT_RUN(o, "-cq", "-d", all[i].name, "10");
        ck_assert_int_eq(o.decomposition, all[i].d);
        ck_assert(o.count_only && o.quiet);
        /* the other options keep their defaults */
        ck_assert_int_eq(o.method, MPP_METHOD_SIEVE);
        ck_assert(!o.explain && !o.compare);
    }
    EXPECT_RUN(o, "-dcyclic", "10");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_CYCLIC);
    EXPECT_RUN(o, "-qdcyclic", "10");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_CYCLIC);
    ck_assert(o.quiet);
    EXPECT_RUN(o, "-cdbalanced", "-mtrial", "10");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_BALANCED);
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
    ck_assert(o.count_only);
    /* the last one wins */
    EXPECT_RUN(o, "-d", "cyclic", "--decomposition=dynamic", "10");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_DYNAMIC);
    EXPECT_RUN(o, "-ddynamic", "-dblock", "10");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_BLOCK);
    /* a separate value is taken whatever it looks like: "-d -c" is an
     * invalid decomposition, not --count */
    EXPECT_ERROR("invalid decomposition '-c' (choose block, balanced, cyclic or dynamic)",
                 "-d", "-c", "10");
}
END_TEST

START_TEST(test_bad_decomposition)
{
#define BAD_D(x) "invalid decomposition '" x "' (choose block, balanced, cyclic or dynamic)"
    EXPECT_ERROR(BAD_D("x"), "-d", "x", "10");
    EXPECT_ERROR(BAD_D("x"), "-dx", "10");
    EXPECT_ERROR(BAD_D("x"), "--decomposition=x", "10");
    EXPECT_ERROR(BAD_D("x"), "--decomposition", "x", "10");
    EXPECT_ERROR(BAD_D("Block"), "-d", "Block", "10");
    EXPECT_ERROR(BAD_D("CYCLIC"), "-dCYCLIC", "10");
    EXPECT_ERROR(BAD_D(""), "--decomposition=", "10");
    EXPECT_ERROR(BAD_D(""), "-d", "", "10");
    EXPECT_ERROR(BAD_D("cyclic "), "-d", "cyclic ", "10");
    EXPECT_ERROR(BAD_D("dyn"), "-d", "dyn", "10");
    EXPECT_ERROR(BAD_D("blocks"), "-d", "blocks", "10");
    EXPECT_ERROR(BAD_D("10"), "-d", "10");
    EXPECT_ERROR(BAD_D("a b"), "-d", "a\nb", "10"); /* quoted as in numparse.c */
    EXPECT_ERROR("option '-d' needs a value", "10", "-d");
    EXPECT_ERROR("option '--decomposition' needs a value", "10", "--decomposition");
    EXPECT_ERROR("option '-d' needs a value", "10", "-cqd");
    EXPECT_ERROR("unknown option '--decomp'", "--decomp=cyclic", "10"); /* no abbreviation */
    /* an option error comes before conflicts and operands; the first wins */
    EXPECT_ERROR(BAD_D("x"), "-c", "-p", "-dx", "1e99");
    EXPECT_ERROR(BAD_D("x"), "-dx", "-m", "y", "10");
    EXPECT_ERROR("invalid method 'y' (choose sieve or trial)", "-m", "y", "-dx", "10");
    /* an invalid one after a valid one is still an error */
    EXPECT_ERROR(BAD_D("z"), "-dcyclic", "-dz", "10");
#undef BAD_D
}
END_TEST

START_TEST(test_chunk)
{
    mpp_options o;
    EXPECT_RUN(o, "-d", "cyclic", "--chunk", "1e6", "10");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_CYCLIC);
    ck_assert_uint_eq(o.chunk, 1000000);
    EXPECT_RUN(o, "-d", "dynamic", "--chunk=2^20", "10");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_DYNAMIC);
    ck_assert_uint_eq(o.chunk, 1048576);
    /* in any order: --chunk before -d, after the operands */
    EXPECT_RUN(o, "--chunk", "5", "-ddynamic", "10");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_DYNAMIC);
    ck_assert_uint_eq(o.chunk, 5);
    EXPECT_RUN(o, "--chunk=7", "100", "200", "--decomposition=cyclic");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_CYCLIC);
    ck_assert_uint_eq(o.chunk, 7);
    ck_assert_uint_eq(o.start, 100);
    ck_assert_uint_eq(o.stop, 200);
    EXPECT_RUN(o, "100", "-dcyclic", "200", "--chunk", "1");
    ck_assert_uint_eq(o.chunk, 1);
    /* NUMBER syntax, up to 2^64 - 1 */
    EXPECT_RUN(o, "-dcyclic", "--chunk", "2^64-1", "10");
    ck_assert_uint_eq(o.chunk, UINT64_MAX);
    EXPECT_RUN(o, "-dcyclic", "--chunk", " 1e3 + 5 ", "10");
    ck_assert_uint_eq(o.chunk, 1005);
    EXPECT_RUN(o, "-dcyclic", "--chunk", "2.5e3", "10");
    ck_assert_uint_eq(o.chunk, 2500);
    /* the last --chunk wins */
    EXPECT_RUN(o, "-dcyclic", "--chunk", "5", "--chunk=9", "10");
    ck_assert_uint_eq(o.chunk, 9);
    /* -d block later, then cyclic again: only the last -d counts */
    EXPECT_RUN(o, "-dblock", "--chunk=3", "-dcyclic", "10");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_CYCLIC);
    ck_assert_uint_eq(o.chunk, 3);
    /* with the other options */
    EXPECT_RUN(o, "-c", "-q", "-mtrial", "-ddynamic", "--chunk", "1e4", "--buffer=1M", "1e9");
    ck_assert(o.count_only && o.quiet);
    ck_assert_int_eq(o.method, MPP_METHOD_TRIAL);
    ck_assert_uint_eq(o.chunk, 10000);
    ck_assert_uint_eq(o.buffer, 1u << 20);
    /* a separate value is taken whatever it looks like */
    EXPECT_ERROR("--chunk: '-c': negative numbers are not allowed", "-dcyclic", "--chunk",
                 "-c", "10");
}
END_TEST

/* The message mpp_parse_u64 gives for TEXT, behind "--chunk: ". */
static void expect_chunk_syntax_error(const char *text, const char *const *args)
{
    char msg[256], want[300];
    uint64_t v;
    ck_assert_int_ne(mpp_parse_u64(text, &v, msg, sizeof msg), MPP_NUM_OK);
    snprintf(want, sizeof want, "--chunk: %s", msg);
    expect_error(want, args);
}

START_TEST(test_bad_chunk)
{
    EXPECT_ERROR("--chunk must be at least 1", "-dcyclic", "--chunk", "0", "10");
    EXPECT_ERROR("--chunk must be at least 1", "--chunk=0", "-ddynamic", "10");
    EXPECT_ERROR("--chunk must be at least 1", "-dcyclic", "--chunk", "5-5", "10");
    EXPECT_ERROR("--chunk: 'abc': unexpected 'a' at position 1", "-dcyclic", "--chunk",
                 "abc", "10");
    EXPECT_ERROR("--chunk: '' is empty", "-dcyclic", "--chunk=", "10");
    EXPECT_ERROR("--chunk: '1e20' is larger than 2^64 - 1 (" MAX64 ")", "-dcyclic",
                 "--chunk=1e20", "10");
    EXPECT_ERROR("--chunk: '1.5e0' is not an integer", "-ddynamic", "--chunk", "1.5e0", "10");
    static const char *const junk[] = {"x", "10x", "1e", "5-6", "2^", "1M", "64K", " ", "1,000",
                                       "0x10", "-1", "+5", "1e6.5"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        char eq[64];
        snprintf(eq, sizeof eq, "--chunk=%s", junk[i]);
        expect_chunk_syntax_error(junk[i], ARGS("-dcyclic", eq, "10"));
        expect_chunk_syntax_error(junk[i], ARGS("--chunk", junk[i], "-ddynamic", "10"));
        /* an option error comes before the conflict with block */
        expect_chunk_syntax_error(junk[i], ARGS("--chunk", junk[i], "10"));
    }
    EXPECT_ERROR("option '--chunk' needs a value", "-dcyclic", "10", "--chunk");
    EXPECT_ERROR("unknown option '--chunks'", "-dcyclic", "--chunks=5", "10");
    /* only with -d cyclic or -d dynamic */
#define NOT_HERE "--chunk applies to -d cyclic and -d dynamic only"
    EXPECT_ERROR(NOT_HERE, "--chunk", "5", "10");
    EXPECT_ERROR(NOT_HERE, "--chunk=1e6", "1", "10");
    EXPECT_ERROR(NOT_HERE, "-d", "block", "--chunk", "5", "10");
    EXPECT_ERROR(NOT_HERE, "--chunk", "5", "-dbalanced", "10");
    EXPECT_ERROR(NOT_HERE, "--decomposition=balanced", "--chunk=5", "10");
    EXPECT_ERROR(NOT_HERE, "-dcyclic", "--chunk", "5", "-dblock", "10"); /* the last -d */
    EXPECT_ERROR(NOT_HERE, "-ddynamic", "--chunk", "5", "-dbalanced", "10");
    /* a zero chunk is an option error, reported before the conflict */
    EXPECT_ERROR("--chunk must be at least 1", "--chunk", "0", "10");
    EXPECT_ERROR("--chunk must be at least 1", "-dblock", "--chunk", "0", "10");
    /* the conflict comes after option errors, in the order of the others,
     * and before the operands */
    EXPECT_ERROR("unknown option '--foo'", "--chunk", "5", "--foo", "10");
    EXPECT_ERROR("--count cannot be combined with --print", "--chunk", "5", "-c", "-p", "10");
    EXPECT_ERROR(NOT_HERE, "--chunk", "5", "1e99");
    EXPECT_ERROR(NOT_HERE, "--chunk", "5");
    EXPECT_ERROR(NOT_HERE, "--chunk", "5", "10", "5");
    /* a valid --chunk after an invalid one does not undo the error */
    EXPECT_ERROR("--chunk must be at least 1", "-dcyclic", "--chunk=0", "--chunk=5", "10");
    /* help still wins */
    EXPECT_STATUS(MPP_OPT_HELP, "--chunk", "0", "-h");
    EXPECT_STATUS(MPP_OPT_VERSION, "--chunk", "5", "-V");
#undef NOT_HERE
}
END_TEST

START_TEST(test_explain_compare)
{
    mpp_options o;
    EXPECT_RUN(o, "--explain", "10");
    ck_assert(o.explain && !o.compare);
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_BLOCK);
    EXPECT_RUN(o, "--compare", "10");
    ck_assert(o.compare && !o.explain);
    EXPECT_RUN(o, "10", "--compare", "--explain");
    ck_assert(o.compare && o.explain);
    EXPECT_RUN(o, "--explain", "--explain", "10");
    ck_assert(o.explain);
    /* with every mode and decomposition */
    EXPECT_RUN(o, "-c", "--explain", "--compare", "-ddynamic", "--chunk=100", "-q", "1e6");
    ck_assert(o.count_only && o.quiet && o.explain && o.compare);
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_DYNAMIC);
    ck_assert_uint_eq(o.chunk, 100);
    EXPECT_RUN(o, "-p", "--json", "--explain", "-dbalanced", "10");
    ck_assert(o.print && o.json && o.explain && !o.compare);
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_BALANCED);
    EXPECT_RUN(o, "-o", "f", "--compare", "-mtrial", "10");
    ck_assert(o.compare && !o.explain);
    ck_assert_str_eq(o.output, "f");
    /* as a separate value they are values */
    EXPECT_RUN(o, "-o", "--explain", "10");
    ck_assert(!o.explain);
    ck_assert_str_eq(o.output, "--explain");
    /* flags: no value, no short form, no abbreviation */
    EXPECT_ERROR("option '--explain' takes no value", "--explain=1", "10");
    EXPECT_ERROR("option '--compare' takes no value", "--compare=", "10");
    EXPECT_ERROR("unknown option '--explai'", "--explai", "10");
    EXPECT_ERROR("unknown option '--comp'", "--comp", "10");
    EXPECT_ERROR("unknown option '--Explain'", "--Explain", "10");
    /* they change no other rule */
    EXPECT_ERROR("missing STOP (try --help)", "--explain", "--compare");
    EXPECT_ERROR("--quiet cannot be combined with --json", "--compare", "-q", "--json", "10");
}
END_TEST

START_TEST(test_new_options_reentrant)
{
    /* nothing is kept between calls */
    mpp_options o;
    EXPECT_RUN(o, "-dcyclic", "--chunk=7", "--explain", "--compare", "10");
    ck_assert_uint_eq(o.chunk, 7);
    EXPECT_RUN(o, "10");
    ck_assert_int_eq(o.decomposition, MPP_DECOMP_BLOCK);
    ck_assert_uint_eq(o.chunk, 0);
    ck_assert(!o.explain && !o.compare);
    EXPECT_ERROR("--chunk applies to -d cyclic and -d dynamic only", "--chunk=7", "10");
    EXPECT_RUN(o, "-ddynamic", "10");
    ck_assert_uint_eq(o.chunk, 0);
}
END_TEST

static void check_decomposition_line(void *ctx, int iter, const char *const *args,
                                     const mpp_options *o)
{
    int *with_chunk = ctx;
    ck_assert_msg(mpp_decomposition_name(o->decomposition) != NULL,
                  "seed 9001 iteration %d: decomposition %d", iter, (int)o->decomposition);
    ck_assert(o->explain == true || o->explain == false);
    if (o->chunk != 0) {
        (*with_chunk)++;
        ck_assert_msg(o->decomposition == MPP_DECOMP_CYCLIC ||
                          o->decomposition == MPP_DECOMP_DYNAMIC,
                      "seed 9001 iteration %d: chunk with %s", iter,
                      mpp_decomposition_name(o->decomposition));
    }
    /* a RUN line naming --chunk has a valid one: every value in the
     * token list that parses is one of these */
    bool chunk_named = false;
    for (int i = 0; args[i] != NULL; i++)
        chunk_named = chunk_named || strncmp(args[i], "--chunk", 7) == 0;
    if (!chunk_named)
        ck_assert_uint_eq(o->chunk, 0);
}

START_TEST(test_random_lines_decomposition)
{
    static const char *const tokens[] = {
        "-d", "-dcyclic", "-ddynamic", "-dblock", "-dbalanced", "-dx", "--decomposition",
        "--decomposition=cyclic", "--decomposition=", "cyclic", "dynamic", "block",
        "balanced", "--chunk", "--chunk=0", "--chunk=1e6", "--chunk=2^20", "--chunk=x",
        "--explain", "--compare", "--explain=1", "-c", "-q", "--json", "0", "1", "5", "10",
        "1e20", "--", "-h",
    };
    enum { NTOKENS = sizeof tokens / sizeof tokens[0] };
    int with_chunk = 0, errors = 0;
    int runs = random_runs(9001, tokens, NTOKENS, 30000, check_decomposition_line, &with_chunk,
                           &errors);
    ck_assert_int_gt(runs, 100 / (int)test_scale());
    ck_assert_int_gt(with_chunk, 5 / (int)test_scale());
    ck_assert_int_gt(errors, 100 / (int)test_scale());
}
END_TEST

START_TEST(test_usage_decomposition)
{
    static const char *const needles[] = {
        "-d, --decomposition", "block", "balanced", "cyclic", "dynamic", "--chunk N",
        "--explain", "--compare",
    };
    usage_has(needles, sizeof needles / sizeof needles[0]);
}
END_TEST

static Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("accepted");
    tcase_add_test(tc, test_init);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_kinds);
    tcase_add_test(tc, test_kinds_rejected);
    tcase_add_test(tc, test_print_kind);
    tcase_add_test(tc, test_nth_prime);
    tcase_add_test(tc, test_one_operand);
    tcase_add_test(tc, test_two_operands);
    tcase_add_test(tc, test_flags);
    tcase_add_test(tc, test_method);
    tcase_add_test(tc, test_output);
    tcase_add_test(tc, test_grouping);
    tcase_add_test(tc, test_ordering);
    tcase_add_test(tc, test_double_dash);
    tcase_add_test(tc, test_format_buffer_defaults);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_buffer_sizes);
    tcase_add_test(tc, test_parse_size);
    suite_add_tcase(s, tc);

    tc = tcase_create("rejected");
    tcase_add_test(tc, test_dash_operands);
    tcase_add_test(tc, test_unknown);
    tcase_add_test(tc, test_missing_value);
    tcase_add_test(tc, test_bad_method);
    tcase_add_test(tc, test_value_to_flag);
    tcase_add_test(tc, test_empty_output);
    tcase_add_test(tc, test_operand_count);
    tcase_add_test(tc, test_operand_values);
    tcase_add_test(tc, test_start_after_stop);
    tcase_add_test(tc, test_conflicts);
    tcase_add_test(tc, test_error_order);
    tcase_add_test(tc, test_format_needs_a_listing);
    tcase_add_test(tc, test_bad_format);
    tcase_add_test(tc, test_buffer_out_of_range);
    tcase_add_test(tc, test_buffer_invalid);
    suite_add_tcase(s, tc);

    tc = tcase_create("contract");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_help_version);
    tcase_add_test(tc, test_self_test);
    tcase_add_test(tc, test_opts_untouched);
    tcase_add_test(tc, test_err_buffer);
    tcase_add_test(tc, test_reentrant);
    tcase_add_test(tc, test_usage);
    tcase_add_test(tc, test_usage_new_options);
    tcase_add_test(tc, test_random_lines);
    tcase_add_test(tc, test_random_lines_format_buffer);
    suite_add_tcase(s, tc);

    tc = tcase_create("csv");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_csv);
    tcase_add_test(tc, test_timeline);
    tcase_add_test(tc, test_checkpoint_progress);
    tcase_add_test(tc, test_csv_combined);
    tcase_add_test(tc, test_csv_errors);
    tcase_add_test(tc, test_csv_reentrant);
    tcase_add_test(tc, test_usage_csv);
    tcase_add_test(tc, test_random_lines_csv);
    suite_add_tcase(s, tc);

    tc = tcase_create("decomposition");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_decomposition);
    tcase_add_test(tc, test_bad_decomposition);
    tcase_add_test(tc, test_chunk);
    tcase_add_test(tc, test_bad_chunk);
    tcase_add_test(tc, test_explain_compare);
    tcase_add_test(tc, test_new_options_reentrant);
    tcase_add_test(tc, test_random_lines_decomposition);
    tcase_add_test(tc, test_usage_decomposition);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(options_suite());
}
