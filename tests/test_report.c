/* test_report.c - unit tests of the run report (src/report.c): reports built
 * by hand (one rank; three ranks with an empty block; no primes at all; the
 * whole 64-bit range) rendered into memory as text and as JSON. The text is
 * checked line by line (the "#" header, one 8-field table row per rank, which
 * is what gnuplot reads); the JSON by exact substrings, by Python's json
 * module (syntax) and by a Python script that checks every value read back.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"
#include "testutil.h"

#define MAX64 "18446744073709551615"
#define NFIELDS 9 /* rank host start stop primes compute_s comm_s io_s max_rss_kib */

/* ---- rendering and small text helpers ---- */

typedef void (*render_fn)(FILE *f, const mpp_report *r);

/* Renders R with FN into a malloc'd, NUL-terminated string. */
static char *render(render_fn fn, const mpp_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    fn(f, r);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(strlen(buf), len); /* no NUL byte inside */
    return buf;
}

/* snprintf into a fixed buffer, failing the test on truncation. */
static void fmt(char *buf, size_t size, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(buf, size, format, ap);
    va_end(ap);
    ck_assert_msg(n >= 0 && (size_t)n < size, "test buffer too small for \"%s\"", format);
}

static void expect_contains(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) != NULL, "\"%s\" not found in:\n%s", needle, text);
}

static void expect_absent(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) == NULL, "unexpected \"%s\" in:\n%s", needle, text);
}

/* Copies the value of the header line "# KEY   VALUE" (KEY followed by at
 * least one blank), without surrounding blanks, into OUT (SIZE bytes). Fails
 * unless TEXT has exactly one such line. */
static void header_value(const char *text, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    int found = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        ck_assert_msg(end != NULL, "last line not terminated by a newline:\n%s", text);
        if (line[0] == '#' && line[1] == ' ' && strncmp(line + 2, key, klen) == 0 &&
            (line[2 + klen] == ' ' || line[2 + klen] == '\t')) {
            const char *v = line + 2 + klen;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            const char *e = end;
            while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            ck_assert_msg((size_t)(e - v) < size, "header \"%s\" too long", key);
            memcpy(out, v, (size_t)(e - v));
            out[e - v] = '\0';
            found++;
        }
        line = end + 1;
    }
    ck_assert_msg(found == 1, "header \"# %s\" found %d times in:\n%s", key, found, text);
}

/* One table row, split into its whitespace-separated fields. */
typedef struct {
    char field[NFIELDS][80];
} table_row;

/* Splits every non-comment line of TEXT into a row, asserting that each has
 * exactly NFIELDS fields; returns the number of rows (at most MAX). */
static int table_rows(const char *text, table_row *rows, int max)
{
    int n = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        ck_assert_msg(end != NULL, "last line not terminated by a newline:\n%s", text);
        if (line[0] != '#') {
            char copy[512];
            ck_assert_msg((size_t)(end - line) < sizeof copy, "table row too long");
            memcpy(copy, line, (size_t)(end - line));
            copy[end - line] = '\0';
            ck_assert_msg(n < max, "more table rows than ranks:\n%s", text);
            int nf = 0;
            char *save = NULL;
            for (char *tok = strtok_r(copy, " \t", &save); tok;
                 tok = strtok_r(NULL, " \t", &save)) {
                ck_assert_msg(nf < NFIELDS, "row with more than %d fields: \"%s\"", NFIELDS,
                              copy);
                ck_assert_msg(strlen(tok) < sizeof rows[n].field[nf], "field too long");
                strcpy(rows[n].field[nf++], tok);
            }
            ck_assert_msg(nf == NFIELDS, "row %d has %d fields, not %d:\n%s", n, nf, NFIELDS,
                          text);
            n++;
        }
        line = end + 1;
    }
    return n;
}

/* Asserts that FIELD is a decimal number within 1e-6 of EXPECTED. */
static void expect_seconds(const char *field, double expected, const char *what)
{
    char *end;
    double v = strtod(field, &end);
    ck_assert_msg(end != field && *end == '\0', "%s: \"%s\" is not a number", what, field);
    ck_assert_msg(v > expected - 1.5e-6 && v < expected + 1.5e-6, "%s: %s, expected %.6f", what,
                  field, expected);
}

/* ---- Python checks of the JSON ---- */

/* Writes TEXT to a new temporary file; its name goes to NAME (>= 32 bytes). */
static void write_temp(const char *text, char *name)
{
    strcpy(name, "/tmp/mpp_test_report_XXXXXX");
    int fd = mkstemp(name);
    ck_assert_msg(fd >= 0, "mkstemp failed");
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

/* Runs COMMAND through the shell; returns its exit status (-1 if it did not
 * exit normally). */
static int shell(const char *command)
{
    fflush(NULL);
    int st = system(command);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Asserts that JSON parses with Python's json module and that the Python
 * statements CHECKS (which see the parsed object as d) all pass. */
static void python_check(const char *json, const char *checks)
{
    char data[32], script[32], cmd[256];
    write_temp(json, data);
    fmt(cmd, sizeof cmd, "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' %s", data);
    int st = shell(cmd);
    ck_assert_msg(st == 0, "python3 json.load failed (status %d) on:\n%s", st, json);
    if (checks) {
        char *code = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&code, &len);
        ck_assert_ptr_nonnull(f);
        fprintf(f, "import json, sys\nd = json.load(open(sys.argv[1]))\n%s\n", checks);
        ck_assert_int_eq(fclose(f), 0);
        write_temp(code, script);
        fmt(cmd, sizeof cmd, "python3 %s %s", script, data);
        st = shell(cmd);
        unlink(script);
        ck_assert_msg(st == 0, "python3 checks failed (status %d):\n%s\non:\n%s", st, code,
                      json);
        free(code);
    }
    unlink(data);
}

/* ---- the reports ---- */

static mpp_rank_stats rank_stats(int rank, const char *host, bool empty, uint64_t lo,
                                 uint64_t hi, uint64_t count, uint64_t first, uint64_t last,
                                 double compute_s, double comm_s, long rss)
{
    mpp_rank_stats s;
    memset(&s, 0, sizeof s);
    s.rank = rank;
    fmt(s.host, sizeof s.host, "%s", host);
    s.empty = empty;
    s.lo = lo;
    s.hi = hi;
    s.count = count;
    s.first = first;
    s.last = last;
    s.compute_s = compute_s;
    s.comm_s = comm_s;
    s.io_s = (compute_s + comm_s) / 4; /* distinct from both */
    s.max_rss_kib = rss;
    return s;
}

static mpp_report report(uint64_t start, uint64_t stop, int ranks, mpp_method method,
                         uint64_t count, double elapsed_s, const mpp_rank_stats *per_rank)
{
    /* A --count run: one round, no buffer. */
    mpp_report r = {start, stop, ranks, method, "block", 1, 0, count, elapsed_s, per_rank};
    return r;
}

/* One rank over [0, 100]. */
static mpp_rank_stats one_rank_stats[1];
static mpp_report one_rank(void)
{
    one_rank_stats[0] = rank_stats(0, "node01", false, 0, 100, 25, 2, 97, 0.25, 0.125, 4096);
    return report(0, 100, 1, MPP_METHOD_SIEVE, 25, 1.5, one_rank_stats);
}

/* Three ranks over [96, 97]: the first rank holds no prime (its first/last
 * fields hold junk that must not show), the third has an empty block. */
static mpp_rank_stats three_rank_stats[3];
static mpp_report three_ranks(void)
{
    three_rank_stats[0] = rank_stats(0, "alpha", false, 96, 96, 0, 12345, 54321, 0.5, 0.25, 1000);
    three_rank_stats[1] = rank_stats(1, "beta", false, 97, 97, 1, 97, 97, 1.0, 0.0, 2000);
    three_rank_stats[2] = rank_stats(2, "gamma", true, 777, 888, 0, 0, 0, 0.0, 0.5, 3000);
    return report(96, 97, 3, MPP_METHOD_TRIAL, 1, 2.0, three_rank_stats);
}

/* No prime at all: [2^64 - 2, 2^64 - 1] on three ranks, the last empty. */
static mpp_rank_stats no_prime_stats[3];
static mpp_report no_primes(void)
{
    no_prime_stats[0] =
        rank_stats(0, "n0", false, UINT64_MAX - 1, UINT64_MAX - 1, 0, 5, 6, 0.001, 0.002, 10);
    no_prime_stats[1] = rank_stats(1, "n1", false, UINT64_MAX, UINT64_MAX, 0, 7, 8, 0.003,
                                   0.004, 20);
    no_prime_stats[2] = rank_stats(2, "n2", true, 0, 0, 0, 0, 0, 0.0, 0.0, 30);
    return report(UINT64_MAX - 1, UINT64_MAX, 3, MPP_METHOD_SIEVE, 0, 0.25, no_prime_stats);
}

/* The whole 64-bit range on two ranks: the largest numbers there are. */
static mpp_rank_stats whole_stats[2];
static mpp_report whole_range(void)
{
    whole_stats[0] = rank_stats(0, "big0", false, 0, UINT64_MAX / 2, 216289611853439384ULL, 2,
                                9223372036854775783ULL, 123456.5, 0.75, 987654321L);
    whole_stats[1] = rank_stats(1, "big1", false, UINT64_MAX / 2 + 1, UINT64_MAX,
                                209366672181778359ULL, 9223372036854775837ULL,
                                18446744073709551557ULL, 130000.25, 1.5, 987654322L);
    return report(0, UINT64_MAX, 2, MPP_METHOD_SIEVE, 425656284035217743ULL, 130001.0,
                  whole_stats);
}

/* ---- generic checks, from the report's fields ---- */

/* The first and last prime of R computed here (not by the code under test);
 * false when no rank has any. */
static bool expected_first_last(const mpp_report *r, uint64_t *first, uint64_t *last)
{
    /* The least first and greatest last over the ranks with primes. */
    bool any = false;
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        if (s->count == 0)
            continue;
        *first = !any || s->first < *first ? s->first : *first;
        *last = !any || s->last > *last ? s->last : *last;
        any = true;
    }
    return any;
}

static void expect_header(const char *text, const char *key, const char *expected)
{
    char v[256];
    header_value(text, key, v, sizeof v);
    ck_assert_msg(strcmp(v, expected) == 0, "\"# %s\" is \"%s\", expected \"%s\"", key, v,
                  expected);
}

/* Checks the text rendering of R against R's fields; returns the text. */
static char *check_text(const mpp_report *r)
{
    char *text = render(mpp_report_text, r);
    char want[256], got[256];

    fmt(want, sizeof want, "# mpprimes %s\n", MPPRIMES_VERSION);
    ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "first line is not %s", want);
    fmt(want, sizeof want, "[%" PRIu64 ", %" PRIu64 "]", r->start, r->stop);
    expect_header(text, "range", want);
    fmt(want, sizeof want, "%d", r->ranks);
    expect_header(text, "ranks", want);
    header_value(text, "method", got, sizeof got);
    fmt(want, sizeof want, "%s ", mpp_method_name(r->method));
    ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "method \"%s\", expected %s...", got,
                  want);
    expect_header(text, "decomposition", r->decomposition);
    fmt(want, sizeof want, "%" PRIu64, r->count);
    expect_header(text, "primes", want);
    uint64_t first = 0, last = 0;
    if (expected_first_last(r, &first, &last)) {
        fmt(want, sizeof want, "%" PRIu64, first);
        expect_header(text, "first", want);
        fmt(want, sizeof want, "%" PRIu64, last);
        expect_header(text, "last", want);
    } else {
        expect_header(text, "first", "-");
        expect_header(text, "last", "-");
    }
    header_value(text, "elapsed_s", got, sizeof got);
    expect_seconds(got, r->elapsed_s, "elapsed_s");
    if (r->buffer_bytes) {
        fmt(want, sizeof want, "%" PRIu64, r->rounds);
        expect_header(text, "rounds", want);
        fmt(want, sizeof want, "%" PRIu64, r->buffer_bytes);
        expect_header(text, "buffer_bytes", want);
    } else {
        expect_absent(text, "# rounds");
        expect_absent(text, "# buffer_bytes");
    }

    table_row rows[16];
    ck_assert_int_eq(table_rows(text, rows, 16), r->ranks);
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        const table_row *row = &rows[i];
        fmt(want, sizeof want, "%d", s->rank);
        ck_assert_str_eq(row->field[0], want);
        ck_assert_str_eq(row->field[1], s->host);
        if (s->empty) {
            ck_assert_str_eq(row->field[2], "-");
            ck_assert_str_eq(row->field[3], "-");
        } else {
            fmt(want, sizeof want, "%" PRIu64, s->lo);
            ck_assert_str_eq(row->field[2], want);
            fmt(want, sizeof want, "%" PRIu64, s->hi);
            ck_assert_str_eq(row->field[3], want);
        }
        fmt(want, sizeof want, "%" PRIu64, s->count);
        ck_assert_str_eq(row->field[4], want);
        expect_seconds(row->field[5], s->compute_s, "compute_s");
        expect_seconds(row->field[6], s->comm_s, "comm_s");
        expect_seconds(row->field[7], s->io_s, "io_s");
        fmt(want, sizeof want, "%ld", s->max_rss_kib);
        ck_assert_str_eq(row->field[8], want);
    }
    return text;
}

/* Checks the JSON rendering of R: exact substrings for every key and value,
 * then Python's reading of it. Returns the JSON. */
static char *check_json(const mpp_report *r)
{
    char *json = render(mpp_report_json, r);
    char want[512];

    ck_assert_msg(json[0] == '{', "JSON does not start with '{'");
    fmt(want, sizeof want, "\"version\": \"%s\"", MPPRIMES_VERSION);
    expect_contains(json, want);
    fmt(want, sizeof want, "\"start\": %" PRIu64 ", \"stop\": %" PRIu64 ", \"ranks\": %d",
        r->start, r->stop, r->ranks);
    expect_contains(json, want);
    fmt(want, sizeof want, "\"method\": \"%s\"", mpp_method_name(r->method));
    expect_contains(json, want);
    if (r->buffer_bytes)
        fmt(want, sizeof want,
            "\"decomposition\": \"%s\", \"rounds\": %" PRIu64 ", \"buffer_bytes\": %" PRIu64
            ", \"count\": %" PRIu64 ", \"first\"",
            r->decomposition, r->rounds, r->buffer_bytes, r->count);
    else
        fmt(want, sizeof want,
            "\"decomposition\": \"%s\", \"rounds\": %" PRIu64 ", \"buffer_bytes\": null"
            ", \"count\": %" PRIu64 ", \"first\"",
            r->decomposition, r->rounds, r->count);
    expect_contains(json, want);
    uint64_t first = 0, last = 0;
    if (expected_first_last(r, &first, &last))
        fmt(want, sizeof want, "\"first\": %" PRIu64 ", \"last\": %" PRIu64, first, last);
    else
        fmt(want, sizeof want, "\"first\": null, \"last\": null");
    expect_contains(json, want);
    fmt(want, sizeof want, "\"elapsed_s\": %.6f", r->elapsed_s);
    expect_contains(json, want);
    expect_contains(json, "\"per_rank\": [");
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        fmt(want, sizeof want, "{\"rank\": %d, \"host\": \"%s\", ", s->rank, s->host);
        expect_contains(json, want);
        if (s->empty)
            fmt(want, sizeof want,
                "\"host\": \"%s\", \"start\": null, \"stop\": null, \"empty\": true", s->host);
        else
            fmt(want, sizeof want,
                "\"host\": \"%s\", \"start\": %" PRIu64 ", \"stop\": %" PRIu64
                ", \"empty\": false",
                s->host, s->lo, s->hi);
        expect_contains(json, want);
        fmt(want, sizeof want,
            "\"empty\": %s, \"count\": %" PRIu64 ", \"compute_s\": %.6f",
            s->empty ? "true" : "false", s->count, s->compute_s);
        expect_contains(json, want);
        fmt(want, sizeof want, "\"comm_s\": %.6f", s->comm_s);
        expect_contains(json, want);
        fmt(want, sizeof want, "\"io_s\": %.6f", s->io_s);
        expect_contains(json, want);
        fmt(want, sizeof want, "\"max_rss_kib\": %ld}", s->max_rss_kib);
        expect_contains(json, want);
    }
    size_t len = strlen(json);
    ck_assert_msg(len >= 2 && strcmp(json + len - 2, "}\n") == 0,
                  "JSON does not end with \"}\\n\"");
    return json;
}

/* ---- tests ---- */

START_TEST(test_text_one_rank)
{
    mpp_report r = one_rank();
    char *text = check_text(&r);
    /* The same facts, spelled out once by hand. */
    expect_header(text, "range", "[0, 100]");
    expect_header(text, "ranks", "1");
    expect_header(text, "decomposition", "block");
    expect_header(text, "primes", "25");
    expect_header(text, "first", "2");
    expect_header(text, "last", "97");
    char method[128];
    header_value(text, "method", method, sizeof method);
    ck_assert_msg(strncmp(method, "sieve", 5) == 0, "method \"%s\"", method);
    table_row rows[2];
    ck_assert_int_eq(table_rows(text, rows, 2), 1);
    ck_assert_str_eq(rows[0].field[0], "0");
    ck_assert_str_eq(rows[0].field[1], "node01");
    ck_assert_str_eq(rows[0].field[2], "0");
    ck_assert_str_eq(rows[0].field[3], "100");
    ck_assert_str_eq(rows[0].field[4], "25");
    ck_assert_str_eq(rows[0].field[5], "0.250000");
    ck_assert_str_eq(rows[0].field[6], "0.125000");
    ck_assert_str_eq(rows[0].field[7], "0.093750");
    ck_assert_str_eq(rows[0].field[8], "4096");
    free(text);
}
END_TEST

START_TEST(test_text_three_ranks)
{
    mpp_report r = three_ranks();
    char *text = check_text(&r);
    char method[128];
    header_value(text, "method", method, sizeof method);
    ck_assert_msg(strncmp(method, "trial", 5) == 0, "method \"%s\"", method);
    expect_header(text, "first", "97");
    expect_header(text, "last", "97");
    /* Junk in the prime-less rank's first/last must not leak out. */
    expect_absent(text, "12345");
    expect_absent(text, "54321");
    /* The empty rank: "-" for both ends, its (meaningless) lo/hi unseen. */
    table_row rows[4];
    ck_assert_int_eq(table_rows(text, rows, 4), 3);
    ck_assert_str_eq(rows[2].field[1], "gamma");
    ck_assert_str_eq(rows[2].field[2], "-");
    ck_assert_str_eq(rows[2].field[3], "-");
    ck_assert_str_eq(rows[2].field[4], "0");
    expect_absent(text, "777");
    expect_absent(text, "888");
    /* Totals: compute 0.5, 1.0, 0.0; comm 0.25, 0.0, 0.5. */
    char v[128];
    header_value(text, "compute_s", v, sizeof v);
    ck_assert_str_eq(v, "max 1.000000  mean 0.500000");
    header_value(text, "comm_s", v, sizeof v);
    ck_assert_str_eq(v, "max 0.500000  mean 0.250000");
    free(text);
}
END_TEST

START_TEST(test_text_no_primes)
{
    mpp_report r = no_primes();
    char *text = check_text(&r);
    expect_header(text, "primes", "0");
    expect_header(text, "first", "-");
    expect_header(text, "last", "-");
    expect_header(text, "range", "[18446744073709551614, " MAX64 "]");
    table_row rows[4];
    ck_assert_int_eq(table_rows(text, rows, 4), 3);
    ck_assert_str_eq(rows[1].field[2], MAX64);
    ck_assert_str_eq(rows[1].field[3], MAX64);
    ck_assert_str_eq(rows[2].field[2], "-");
    free(text);
}
END_TEST

START_TEST(test_text_whole_range)
{
    mpp_report r = whole_range();
    char *text = check_text(&r);
    expect_header(text, "range", "[0, " MAX64 "]");
    expect_header(text, "primes", "425656284035217743");
    expect_header(text, "first", "2");
    expect_header(text, "last", "18446744073709551557");
    table_row rows[3];
    ck_assert_int_eq(table_rows(text, rows, 3), 2);
    ck_assert_str_eq(rows[0].field[3], "9223372036854775807");
    ck_assert_str_eq(rows[1].field[2], "9223372036854775808");
    ck_assert_str_eq(rows[1].field[3], MAX64);
    ck_assert_str_eq(rows[1].field[5], "130000.250000");
    free(text);
}
END_TEST

/* A long host name (63 bytes, the most kept) stays one field. */
START_TEST(test_text_long_host)
{
    mpp_rank_stats s[2];
    char host[MPP_HOST_MAX];
    memset(host, 'h', sizeof host - 1);
    host[sizeof host - 1] = '\0';
    s[0] = rank_stats(0, host, false, 10, 19, 4, 11, 19, 0.1, 0.2, 5);
    s[1] = rank_stats(1, "a-very-long-host-name.example.org", false, 20, 29, 2, 23, 29, 0.3,
                      0.4, 6);
    mpp_report r = report(10, 29, 2, MPP_METHOD_SIEVE, 6, 0.5, s);
    free(check_text(&r));
}
END_TEST

/* A listing in rounds: the rounds and the buffer appear, in both forms. */
START_TEST(test_listing_rounds)
{
    mpp_rank_stats s[2];
    /* Rank 1's last prime comes from an earlier round than rank 0's. */
    s[0] = rank_stats(0, "n0", false, 2, 999, 165, 2, 997, 0.5, 0.25, 100);
    s[1] = rank_stats(1, "n1", false, 40, 1000, 3, 41, 991, 0.75, 0.125, 200);
    mpp_report r = report(2, 1000, 2, MPP_METHOD_SIEVE, 168, 2.0, s);
    r.rounds = 12;
    r.buffer_bytes = 4096;
    char *text = check_text(&r);
    expect_contains(text, "# rounds         12\n# buffer_bytes   4096\n");
    expect_contains(text, "# first          2\n# last           997\n");
    expect_contains(text, "# io_s           max 0.218750  mean 0.203125\n");
    free(text);
    char *json = check_json(&r);
    python_check(json, "assert d['rounds'] == 12 and d['buffer_bytes'] == 4096\n"
                       "assert [x['io_s'] for x in d['per_rank']] == [0.1875, 0.21875]");
    free(json);
}
END_TEST

START_TEST(test_json_one_rank)
{
    mpp_report r = one_rank();
    char *json = check_json(&r);
    /* Spelled out by hand once, key by key. */
    expect_contains(json, "\"version\": \"" MPPRIMES_VERSION "\"");
    expect_contains(json, "\"start\": 0, \"stop\": 100, \"ranks\": 1, \"method\": \"sieve\"");
    expect_contains(json, "\"decomposition\": \"block\", \"rounds\": 1, "
                          "\"buffer_bytes\": null, \"count\": 25");
    expect_contains(json, "\"first\": 2, \"last\": 97");
    expect_contains(json, "\"elapsed_s\": 1.500000");
    expect_contains(json, "{\"rank\": 0, \"host\": \"node01\", \"start\": 0, \"stop\": 100, "
                          "\"empty\": false, \"count\": 25, \"compute_s\": 0.250000");
    expect_contains(json, "\"comm_s\": 0.125000000, \"io_s\": 0.093750000, ");
    expect_contains(json, "\"max_rss_kib\": 4096}");
    python_check(json, "assert d['version'] == '" MPPRIMES_VERSION "'\n"
                       "assert (d['start'], d['stop'], d['ranks']) == (0, 100, 1)\n"
                       "assert d['method'] == 'sieve' and d['decomposition'] == 'block'\n"
                       "assert (d['count'], d['first'], d['last']) == (25, 2, 97)\n"
                       "assert d['elapsed_s'] == 1.5\n"
                       "p = d['per_rank']\n"
                       "assert len(p) == 1\n"
                       "assert p[0] == {'rank': 0, 'host': 'node01', 'start': 0, 'stop': 100,"
                       " 'empty': False, 'count': 25, 'compute_s': 0.25, 'comm_s': 0.125,"
                       " 'io_s': 0.09375, 'max_rss_kib': 4096}, p[0]\n"
                       "assert d['rounds'] == 1 and d['buffer_bytes'] is None");
    free(json);
}
END_TEST

START_TEST(test_json_three_ranks)
{
    mpp_report r = three_ranks();
    char *json = check_json(&r);
    expect_contains(json, "\"method\": \"trial\"");
    expect_contains(json, "\"first\": 97, \"last\": 97");
    expect_contains(json, "\"host\": \"gamma\", \"start\": null, \"stop\": null, "
                          "\"empty\": true, \"count\": 0");
    expect_absent(json, "12345");
    expect_absent(json, "777");
    python_check(json, "p = d['per_rank']\n"
                       "assert [x['rank'] for x in p] == [0, 1, 2]\n"
                       "assert [x['host'] for x in p] == ['alpha', 'beta', 'gamma']\n"
                       "assert [x['empty'] for x in p] == [False, False, True]\n"
                       "assert [(x['start'], x['stop']) for x in p] =="
                       " [(96, 96), (97, 97), (None, None)]\n"
                       "assert [x['count'] for x in p] == [0, 1, 0]\n"
                       "assert [x['max_rss_kib'] for x in p] == [1000, 2000, 3000]\n"
                       "assert (d['count'], d['first'], d['last']) == (1, 97, 97)\n"
                       "assert d['method'] == 'trial'");
    free(json);
}
END_TEST

START_TEST(test_json_no_primes)
{
    mpp_report r = no_primes();
    char *json = check_json(&r);
    expect_contains(json, "\"count\": 0, \"first\": null, \"last\": null");
    expect_contains(json, "\"start\": 18446744073709551614, \"stop\": " MAX64);
    expect_contains(json, "\"start\": " MAX64 ", \"stop\": " MAX64 ", \"empty\": false");
    python_check(json, "assert d['first'] is None and d['last'] is None\n"
                       "assert d['count'] == 0\n"
                       "assert (d['start'], d['stop']) == (2**64 - 2, 2**64 - 1)\n"
                       "p = d['per_rank']\n"
                       "assert (p[1]['start'], p[1]['stop']) == (2**64 - 1, 2**64 - 1)\n"
                       "assert p[2]['start'] is None and p[2]['stop'] is None\n"
                       "assert p[2]['empty'] is True");
    free(json);
}
END_TEST

START_TEST(test_json_whole_range)
{
    mpp_report r = whole_range();
    char *json = check_json(&r);
    expect_contains(json, "\"start\": 0, \"stop\": " MAX64);
    expect_contains(json, "\"count\": 425656284035217743, \"first\": 2, "
                          "\"last\": 18446744073709551557");
    expect_contains(json, "\"start\": 9223372036854775808, \"stop\": " MAX64);
    python_check(json, "assert d['stop'] == 2**64 - 1\n"
                       "assert d['count'] == 425656284035217743\n"
                       "assert d['last'] == 18446744073709551557\n"
                       "p = d['per_rank']\n"
                       "assert p[0]['stop'] == 2**63 - 1 and p[1]['start'] == 2**63\n"
                       "assert p[1]['stop'] == 2**64 - 1\n"
                       "assert p[0]['count'] + p[1]['count'] == d['count']\n"
                       "assert abs(p[1]['compute_s'] - 130000.25) < 1e-9\n"
                       "assert p[1]['max_rss_kib'] == 987654322");
    free(json);
}
END_TEST

/* Quote, backslash and control characters in a host name come out escaped,
 * and read back as the original bytes. */
START_TEST(test_json_escapes)
{
    mpp_rank_stats s[2];
    s[0] = rank_stats(0, "we\"ird\\host\x01\n\t\x1f.", false, 2, 3, 2, 2, 3, 0.0, 0.0, 1);
    s[1] = rank_stats(1, "\"\\", false, 4, 5, 1, 5, 5, 0.0, 0.0, 1);
    mpp_report r = report(2, 5, 2, MPP_METHOD_SIEVE, 3, 0.0, s);
    char *json = render(mpp_report_json, &r);
    expect_contains(json, "\"host\": \"we\\\"ird\\\\host\\u0001\\u000a\\u0009\\u001f.\"");
    expect_contains(json, "\"host\": \"\\\"\\\\\"");
    /* No raw control character may remain inside the strings. */
    for (const char *p = json; *p; p++)
        ck_assert_msg((unsigned char)*p >= 0x20 || *p == '\n', "raw control byte 0x%02x",
                      (unsigned)(unsigned char)*p);
    python_check(json, "p = d['per_rank']\n"
                       "assert p[0]['host'] == 'we\"ird\\\\host\\x01\\n\\t\\x1f.', p[0]['host']\n"
                       "assert p[1]['host'] == '\"\\\\', p[1]['host']");
    free(json);
}
END_TEST

static void expect_first_last(const mpp_rank_stats *s, int n, bool any, uint64_t first,
                              uint64_t last)
{
    mpp_report r = report(0, 1000, n, MPP_METHOD_SIEVE, 0, 0.0, s);
    uint64_t f = 424242, l = 434343;
    ck_assert_int_eq(mpp_report_first_last(&r, &f, &l), any);
    if (any) {
        ck_assert_uint_eq(f, first);
        ck_assert_uint_eq(l, last);
    }
}

START_TEST(test_first_last)
{
    mpp_rank_stats s[5];
    /* Ranks 0 and 1 hold no prime (junk in their fields), then 2 and 4 do. */
    s[0] = rank_stats(0, "a", false, 0, 1, 0, 999, 998, 0, 0, 0);
    s[1] = rank_stats(1, "b", false, 90, 96, 0, 997, 996, 0, 0, 0);
    s[2] = rank_stats(2, "c", false, 100, 115, 3, 101, 113, 0, 0, 0);
    s[3] = rank_stats(3, "d", false, 114, 126, 0, 995, 994, 0, 0, 0);
    s[4] = rank_stats(4, "e", false, 127, 140, 3, 127, 139, 0, 0, 0);
    expect_first_last(s, 5, true, 101, 139);
    expect_first_last(s, 4, true, 101, 113);  /* last rank with primes is not the last */
    expect_first_last(s, 2, false, 0, 0);     /* none */
    expect_first_last(s, 0, false, 0, 0);     /* no ranks at all */
    expect_first_last(s + 4, 1, true, 127, 139);
    s[3].empty = true;
    expect_first_last(s + 3, 2, true, 127, 139);
    s[4] = rank_stats(4, "e", false, UINT64_MAX - 58, UINT64_MAX, 1, UINT64_MAX - 58,
                      UINT64_MAX - 58, 0, 0, 0);
    expect_first_last(s, 5, true, 101, UINT64_MAX - 58);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, test_text_one_rank);
    tcase_add_test(tc, test_text_three_ranks);
    tcase_add_test(tc, test_text_no_primes);
    tcase_add_test(tc, test_text_whole_range);
    tcase_add_test(tc, test_text_long_host);
    suite_add_tcase(s, tc);

    tc = tcase_create("json");
    tcase_set_timeout(tc, 30); /* each test starts python3 a few times */
    tcase_add_test(tc, test_json_one_rank);
    tcase_add_test(tc, test_listing_rounds);
    tcase_add_test(tc, test_json_three_ranks);
    tcase_add_test(tc, test_json_no_primes);
    tcase_add_test(tc, test_json_whole_range);
    tcase_add_test(tc, test_json_escapes);
    suite_add_tcase(s, tc);

    tc = tcase_create("first_last");
    tcase_add_test(tc, test_first_last);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(report_suite());
}
