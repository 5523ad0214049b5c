/* test_report.c - unit tests of the run report (src/core/report.c): reports built
 * by hand (one rank; three ranks with an empty block; no primes at all; the
 * whole 64-bit range) rendered into memory as text and as JSON. The text is
 * checked line by line (the "#" header, one 12-field table row per rank, which
 * is what gnuplot reads, its column names; "# chunk" only when there is a
 * chunk; the serial_s/speedup/efficiency lines only with --compare, serial_s
 * >= 0); the JSON by exact substrings, by Python's json module (syntax) and
 * by a Python script that checks every value read back, the exact key sets,
 * null chunk and null --compare keys. The balance (mpp_report_balance, the
 * cpu_s max, mean and max / mean computed here; 1 with nothing computed or
 * no ranks) and the bar chart, in the text and alone at widths 1 to 100:
 * each bar round(width * cpu / max) '=' (the max rank exactly WIDTH), a '|'
 * at the mean where the bar stops at or before it, the imbalance and
 * balance_bound lines (100 / imbalance); all cpu_s zero; one rank.
 * The CSV summary (--csv): mpp_report_hosts (no ranks, one host, repeats,
 * names that are prefixes of one another, 1000 ranks); the header, exactly
 * MPP_CSV_COLUMNS and a newline, its 35 columns spelt out; the row of every
 * report, read back by Python's csv module (strict) as 35 fields equal to
 * values computed here (start/stop up to 2^64 - 1, first/last as the least
 * and greatest over the ranks with primes, empty without primes, hosts,
 * buffer_bytes empty for 0, times as "%.6f", max/mean, the max RSS over all
 * ranks; chunk empty for 0, serial_s empty when not compared, the cpu_s
 * max, mean and imbalance), and byte for byte once; the context fields
 * empty for NULL, and
 * quoted per RFC 4180 (quotes doubled) when they hold a comma, a quote or
 * a line break, as is otherwise, in first, middle and last position; and a
 * file of a header and five appended rows.
 */
#include <inttypes.h>
#include <math.h>
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
#define NFIELDS 12 /* rank host start stop primes compute_s comm_s io_s max_rss_kib
                      chunks numbers cpu_s */

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
    if (!test_sample()) /* under MPP_TEST_SCALE: see python_csv_check */
        return;
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
    /* the new fields, distinct from the others: chunks from the rank, the
     * block's numbers, and 3/4 of the wall-clock time as CPU time */
    s.chunks = (uint64_t)rank * 3 + 2;
    s.numbers = empty ? 0 : hi - lo == UINT64_MAX ? UINT64_MAX : hi - lo + 1;
    s.cpu_s = compute_s * 0.75;
    return s;
}

static mpp_report report(uint64_t start, uint64_t stop, int ranks, mpp_method method,
                         uint64_t count, double elapsed_s, const mpp_rank_stats *per_rank)
{
    /* A --count run: one round, no buffer. */
    mpp_report r = {.start = start, .stop = stop, .ranks = ranks, .method = method,
                    .decomposition = "block", .chunk = 0, .rounds = 1, .buffer_bytes = 0,
                    .count = count, .elapsed_s = elapsed_s, .per_rank = per_rank,
                    .serial_s = -1};
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
    mpp_report r = report(96, 97, 3, MPP_METHOD_TRIAL, 1, 2.0, three_rank_stats);
    r.decomposition = "cyclic"; /* chunks of one number, and --compare */
    r.chunk = 1;
    r.serial_s = 3.0; /* speedup 1.5, efficiency 0.5 */
    return r;
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
    mpp_report r =
        report(UINT64_MAX - 1, UINT64_MAX, 3, MPP_METHOD_SIEVE, 0, 0.25, no_prime_stats);
    r.serial_s = 0.0; /* --compare that took no time: still shown */
    return r;
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
    mpp_report r = report(0, UINT64_MAX, 2, MPP_METHOD_SIEVE, 425656284035217743ULL, 130001.0,
                          whole_stats);
    r.decomposition = "dynamic";
    r.chunk = (uint64_t)1 << 40;
    r.serial_s = 260002.0; /* speedup 2, efficiency 1 */
    return r;
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

/* The balance of R's cpu_s computed here: max, mean, and max / mean (1
 * when nothing was computed, or no rank). */
typedef struct {
    double max, mean, imbalance;
} balance;

static balance expected_balance(const mpp_report *r)
{
    balance b = {0, 0, 1};
    double sum = 0;
    for (int i = 0; i < r->ranks; i++) {
        double c = r->per_rank[i].cpu_s;
        b.max = c > b.max ? c : b.max;
        sum += c;
    }
    if (r->ranks > 0)
        b.mean = sum / r->ranks;
    if (b.mean > 0)
        b.imbalance = b.max / b.mean;
    return b;
}

/* Whether X and Y agree within TOL (relative beyond 1). */
static bool near(double x, double y, double tol)
{
    double m = y < 0 ? -y : y;
    return x > y - tol * (m > 1 ? m : 1) && x < y + tol * (m > 1 ? m : 1);
}

/* The bar length of CPU when the longest is MAX: WIDTH * CPU / MAX rounded
 * (none when MAX is 0). */
static int bar_length(double cpu, double max, int width)
{
    if (max <= 0)
        return 0;
    return (int)floor(cpu / max * width + 0.5);
}

/* Checks the bar chart in TEXT (WIDTH characters for the longest bar): one
 * line per rank "# RANK BAR CPU_S", the bar WIDTH * cpu / max '=' (the max
 * rank exactly WIDTH), then blanks but for a '|' at the mean when the bar
 * ends at or before it; then the imbalance and balance_bound lines, from
 * R's cpu_s computed here. */
static void check_bars(const char *text, const mpp_report *r, int width)
{
    const char *head = "# work per rank (cpu_s";
    const char *p = strstr(text, head);
    ck_assert_msg(p != NULL, "no bar chart in:\n%s", text);
    ck_assert_msg(strstr(p + 1, head) == NULL, "two bar charts in:\n%s", text);
    p = strchr(p, '\n') + 1;
    balance b = expected_balance(r);
    int mean_at = b.max > 0 ? bar_length(b.mean, b.max, width) : 0;
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        const char *end = strchr(p, '\n');
        ck_assert_ptr_nonnull(end);
        ck_assert_msg(p[0] == '#' && p[1] == ' ', "bar line %d: \"%.*s\"", i, (int)(end - p), p);
        ck_assert_msg(end - p > 9 + width, "bar line %d too short: \"%.*s\"", i, (int)(end - p),
                      p);
        char rank[8];
        memcpy(rank, p + 2, 5);
        rank[5] = '\0';
        ck_assert_int_eq(atoi(rank), s->rank);
        ck_assert_int_eq(p[7], ' ');
        const char *bar = p + 8;
        int n = bar_length(s->cpu_s, b.max, width);
        if (b.max > 0 && s->cpu_s == b.max)
            ck_assert_int_eq(n, width);
        for (int k = 0; k < width; k++) {
            char want = k < n ? '=' : k == mean_at ? '|' : ' ';
            ck_assert_msg(bar[k] == want, "rank %d, width %d: bar \"%.*s\", char %d is '%c', "
                          "expected '%c' (%d '=', mean at %d)",
                          s->rank, width, width, bar, k, bar[k], want, n, mean_at);
        }
        ck_assert_msg(bar[width] == ' ', "bar of rank %d longer than %d: \"%.*s\"", s->rank,
                      width, (int)(end - p), p);
        char *e;
        double v = strtod(bar + width, &e);
        ck_assert_msg(e == end && near(v, s->cpu_s, 1e-6), "rank %d cpu_s: \"%.*s\"", s->rank,
                      (int)(end - p), p);
        p = end + 1;
    }
    double imb, max, mean;
    ck_assert_msg(sscanf(p, "# imbalance %lf (max %lf / mean %lf cpu_s)\n", &imb, &max, &mean) ==
                      3,
                  "no imbalance line after the bars:\n%s", p);
    ck_assert_msg(near(imb, b.imbalance, 0.0051), "imbalance %.4f, expected %.4f", imb,
                  b.imbalance);
    ck_assert_msg(near(max, b.max, 1e-6), "cpu max %.6f, expected %.6f", max, b.max);
    ck_assert_msg(near(mean, b.mean, 1e-6), "cpu mean %.6f, expected %.6f", mean, b.mean);
    p = strchr(p, '\n') + 1;
    int bound;
    ck_assert_msg(sscanf(p, "# balance_bound %d%% parallel efficiency at most", &bound) == 1,
                  "no balance_bound line after the imbalance:\n%s", p);
    ck_assert_msg(near(bound, 100 / b.imbalance, 0.5 + 1e-9), "balance_bound %d%%, expected "
                  "%.2f%%", bound, 100 / b.imbalance);
    expect_absent(text, "nan");
    expect_absent(text, "inf");
}

/* Renders R's bar chart alone, WIDTH wide, into a malloc'd string. */
static char *render_bars(const mpp_report *r, int width)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    mpp_report_bars(f, r, width);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_ptr_nonnull(buf);
    for (const char *line = buf; *line; line = strchr(line, '\n') + 1) {
        ck_assert_msg(line[0] == '#', "bar chart line without '#':\n%s", buf);
        ck_assert_ptr_nonnull(strchr(line, '\n'));
    }
    return buf;
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
        fmt(want, sizeof want, "%" PRIu64, s->chunks);
        ck_assert_str_eq(row->field[9], want);
        fmt(want, sizeof want, "%" PRIu64, s->numbers);
        ck_assert_str_eq(row->field[10], want);
        expect_seconds(row->field[11], s->cpu_s, "cpu_s");
    }
    /* the column names, in that order, on the "#" line before the rows */
    expect_contains(text, "# rank host");
    header_value(text, "rank", got, sizeof got);
    ck_assert_msg(strncmp(got, "host ", 5) == 0, "table header \"%s\"", got);
    {
        static const char *const names[NFIELDS - 1] = {
            "host",   "start",       "stop",   "primes",  "compute_s", "comm_s",
            "io_s",   "max_rss_kib", "chunks", "numbers", "cpu_s"};
        char *save = NULL, *tok = strtok_r(got, " ", &save);
        for (int k = 0; k < NFIELDS - 1; k++, tok = strtok_r(NULL, " ", &save))
            ck_assert_msg(tok && strcmp(tok, names[k]) == 0, "table column %d: %s, not %s",
                          k + 1, tok ? tok : "(none)", names[k]);
        ck_assert_ptr_null(tok);
    }
    /* "# chunk" when the decomposition has chunks */
    if (r->chunk) {
        fmt(want, sizeof want, "%" PRIu64, r->chunk);
        expect_header(text, "chunk", want);
    } else {
        expect_absent(text, "# chunk");
    }
    check_bars(text, r, 40);
    /* --compare: serial time, speedup and efficiency */
    if (r->serial_s >= 0) {
        double serial, speedup, efficiency;
        int ranks;
        header_value(text, "serial_s", got, sizeof got);
        ck_assert_int_eq(sscanf(got, "%lf (rank 0 alone", &serial), 1);
        ck_assert_msg(near(serial, r->serial_s, 1e-6), "serial_s \"%s\"", got);
        header_value(text, "speedup", got, sizeof got);
        ck_assert_int_eq(sscanf(got, "%lf on %d ranks (serial_s / elapsed_s)", &speedup, &ranks),
                         2);
        ck_assert_int_eq(ranks, r->ranks);
        header_value(text, "efficiency", got, sizeof got);
        ck_assert_int_eq(sscanf(got, "%lf (speedup / ranks)", &efficiency), 1);
        if (r->elapsed_s > 0) {
            double s = r->serial_s / r->elapsed_s;
            ck_assert_msg(near(speedup, s, 0.0051), "speedup %.2f, expected %.4f", speedup, s);
            ck_assert_msg(near(efficiency, s / r->ranks, 0.0051),
                          "efficiency %.2f, expected %.4f", efficiency, s / r->ranks);
        }
        /* after the bars */
        ck_assert(strstr(text, "# serial_s") > strstr(text, "# balance_bound"));
    } else {
        expect_absent(text, "# serial_s");
        expect_absent(text, "# speedup");
        expect_absent(text, "# efficiency");
    }
    return text;
}

/* Python reads back the JSON keys of the decomposition, the balance and
 * --compare, and the per-rank chunks, numbers and cpu_s, against values
 * computed here; and the exact key sets (none missing, none extra). */
static void check_json_new_fields(const char *json, const mpp_report *r)
{
    char *code = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&code, &len);
    ck_assert_ptr_nonnull(f);
    fputs("def close(x, y, tol):\n"
          "    assert isinstance(x, float), (x, y)\n"
          "    assert abs(x - y) <= tol * max(1.0, abs(y)), (x, y)\n"
          "assert sorted(d) == sorted(['version', 'start', 'stop', 'ranks', 'method',"
          " 'decomposition', 'chunk', 'rounds', 'buffer_bytes', 'count', 'first', 'last',"
          " 'elapsed_s', 'cpu_max_s', 'cpu_mean_s', 'imbalance', 'serial_s', 'speedup',"
          " 'efficiency', 'per_rank', 'counts'] + (['gaps'] if 'gaps' in d else [])"
          " + (['nth_prime', 'nth'] if 'nth' in d else [])),"
          " sorted(d)\n"
          "for x in d['per_rank']:\n"
          "    assert sorted(x) == sorted(['rank', 'host', 'start', 'stop', 'empty', 'chunks',"
          " 'numbers', 'count', 'compute_s', 'cpu_s', 'comm_s', 'io_s', 'max_rss_kib',"
          " 'counts']), sorted(x)\n",
          f);
    fprintf(f, "assert %s ('gaps' in d), d.get('gaps')\n", r->gaps ? "" : "not");
    fprintf(f, "assert %s ('nth' in d), d.get('nth')\n", r->nth ? "" : "not");
    if (r->nth)
        fprintf(f, "assert d['nth_prime'] == %" PRIu64 " and d['nth'] == {'n': %s%" PRIu64
                   ", 'start': %" PRIu64 "}, (d['nth_prime'], d['nth'])\n",
                r->nth_prime, r->nth_neg ? "-" : "", r->nth_n, r->nth_start);
    /* the counts: the asked kinds (the primes alone when none was asked) */
    static const char *const names[MPP_KINDS + 1] = {
        NULL, "primes", "twins", "triplets", "quadruplets", "quintuplets", "sextuplets"};
    fputs("want = {", f);
    for (int k = 1; k <= MPP_KINDS; k++)
        if (k == 1 ? r->kinds == 0 || r->kinds & 2 : r->kinds >> k & 1)
            fprintf(f, "'%s': %" PRIu64 ", ", names[k], k == 1 ? r->count : r->tuplets[k]);
    fputs("}\nassert d['counts'] == want, (d['counts'], want)\n", f);
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        fputs("want = {", f);
        for (int k = 1; k <= MPP_KINDS; k++)
            if (k == 1 ? r->kinds == 0 || r->kinds & 2 : r->kinds >> k & 1)
                fprintf(f, "'%s': %" PRIu64 ", ", names[k], k == 1 ? s->count : s->tuplets[k]);
        fprintf(f, "}\nassert d['per_rank'][%d]['counts'] == want, d['per_rank'][%d]\n", i, i);
    }
    if (r->chunk)
        fprintf(f, "assert d['chunk'] == %" PRIu64 ", d['chunk']\n", r->chunk);
    else
        fputs("assert d['chunk'] is None, d['chunk']\n", f);
    balance b = expected_balance(r);
    fprintf(f, "close(d['cpu_max_s'], %.17g, 1e-9)\n", b.max);
    fprintf(f, "close(d['cpu_mean_s'], %.17g, 1e-9)\n", b.mean);
    fprintf(f, "close(d['imbalance'], %.17g, 1e-6)\n", b.imbalance);
    if (r->serial_s >= 0) {
        fprintf(f, "close(d['serial_s'], %.17g, 1e-9)\n", r->serial_s);
        if (r->elapsed_s > 0) {
            double sp = r->serial_s / r->elapsed_s;
            fprintf(f, "close(d['speedup'], %.17g, 1e-6)\n", sp);
            fprintf(f, "close(d['efficiency'], %.17g, 1e-6)\n", sp / r->ranks);
        } else {
            fputs("assert isinstance(d['speedup'], float)\n"
                  "assert isinstance(d['efficiency'], float)\n", f);
        }
    } else {
        fputs("assert d['serial_s'] is None and d['speedup'] is None"
              " and d['efficiency'] is None, d\n", f);
    }
    fputs("p = d['per_rank']\n", f);
    fprintf(f, "assert len(p) == %d\n", r->ranks);
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        fprintf(f, "assert (p[%d]['chunks'], p[%d]['numbers']) == (%" PRIu64 ", %" PRIu64
                   "), p[%d]\n",
                i, i, s->chunks, s->numbers, i);
        fprintf(f, "close(p[%d]['cpu_s'], %.17g, 1e-9)\n", i, s->cpu_s);
    }
    ck_assert_int_eq(fclose(f), 0);
    python_check(json, code);
    free(code);
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
    char chunk[32] = "null";
    if (r->chunk)
        fmt(chunk, sizeof chunk, "%" PRIu64, r->chunk);
    if (r->buffer_bytes)
        fmt(want, sizeof want,
            "\"decomposition\": \"%s\", \"chunk\": %s, \"rounds\": %" PRIu64
            ", \"buffer_bytes\": %" PRIu64 ", \"count\": %" PRIu64 ", \"first\"",
            r->decomposition, chunk, r->rounds, r->buffer_bytes, r->count);
    else
        fmt(want, sizeof want,
            "\"decomposition\": \"%s\", \"chunk\": %s, \"rounds\": %" PRIu64
            ", \"buffer_bytes\": null, \"count\": %" PRIu64 ", \"first\"",
            r->decomposition, chunk, r->rounds, r->count);
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
            "\"empty\": %s, \"chunks\": %" PRIu64 ", \"numbers\": %" PRIu64
            ", \"count\": %" PRIu64 ", \"compute_s\": %.6f",
            s->empty ? "true" : "false", s->chunks, s->numbers, s->count, s->compute_s);
        expect_contains(json, want);
        fmt(want, sizeof want, "\"cpu_s\": %.6f", s->cpu_s);
        expect_contains(json, want);
        fmt(want, sizeof want, "\"comm_s\": %.6f", s->comm_s);
        expect_contains(json, want);
        fmt(want, sizeof want, "\"io_s\": %.6f", s->io_s);
        expect_contains(json, want);
        fmt(want, sizeof want, "\"max_rss_kib\": %ld, \"counts\": {", s->max_rss_kib);
        expect_contains(json, want);
    }
    size_t len = strlen(json);
    ck_assert_msg(len >= 2 && strcmp(json + len - 2, "}\n") == 0,
                  "JSON does not end with \"}\\n\"");
    check_json_new_fields(json, r);
    return json;
}

/* ---- CSV: the expected fields, computed here, and Python's reading ---- */

#define NCSV 35 /* columns of the CSV summary */

/* The columns, spelt out by hand (the header must be exactly these). */
static const char *const csv_names[NCSV] = {
    "timestamp",      "version",        "start",      "stop",        "ranks",
    "hosts",          "method",         "decomposition", "rounds",   "buffer_bytes",
    "count",          "first",          "last",       "elapsed_s",   "compute_max_s",
    "compute_mean_s", "comm_max_s",     "comm_mean_s", "io_max_s",   "max_rss_kib",
    "job_id",         "job_nodelist",   "chunk",      "cpu_max_s",   "cpu_mean_s",
    "imbalance",      "serial_s",       "twins",      "triplets",    "quadruplets",
    "quintuplets",    "sextuplets",     "largest_gap", "largest_gap_after", "nth_prime",
};

/* The columns that hold seconds: "%.6f", compared within 1.5e-6. */
static bool csv_is_time(int column)
{
    return (column >= 13 && column <= 18) || (column >= 23 && column <= 26);
}

static void expect_ends_with(const char *text, const char *suffix)
{
    size_t tl = strlen(text), sl = strlen(suffix);
    ck_assert_msg(tl >= sl && strcmp(text + tl - sl, suffix) == 0,
                  "\"%s\" does not end with \"%s\"", text, suffix);
}

/* The context used by render_csv_row (render_fn has no room for it). */
static const mpp_csv_context *row_context;

static void render_csv_row(FILE *f, const mpp_report *r)
{
    mpp_report_csv_row(f, r, row_context);
}

static void render_csv_header(FILE *f, const mpp_report *r)
{
    (void)r;
    mpp_report_csv_header(f);
}

/* The header line followed by R's row with context C (malloc'd). */
static char *render_csv(const mpp_report *r, const mpp_csv_context *c)
{
    row_context = c;
    char *header = render(render_csv_header, r);
    char *row = render(render_csv_row, r);
    size_t hl = strlen(header), rl = strlen(row);
    char *text = malloc(hl + rl + 1);
    ck_assert_ptr_nonnull(text);
    memcpy(text, header, hl);
    memcpy(text + hl, row, rl + 1);
    free(header);
    free(row);
    return text;
}

/* The distinct host names of R, counted here by pairs. */
static int expected_hosts(const mpp_report *r)
{
    int distinct = 0;
    for (int i = 0; i < r->ranks; i++) {
        int j = 0;
        while (j < i && strcmp(r->per_rank[j].host, r->per_rank[i].host) != 0)
            j++;
        distinct += j == i;
    }
    return distinct;
}

/* The NCSV fields R's row with context C must hold, from R's fields. */
static void expected_csv(const mpp_report *r, const mpp_csv_context *c, char field[][512])
{
    double cmax = 0, csum = 0, mmax = 0, msum = 0, imax = 0;
    long rss = 0;
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        cmax = s->compute_s > cmax ? s->compute_s : cmax;
        mmax = s->comm_s > mmax ? s->comm_s : mmax;
        imax = s->io_s > imax ? s->io_s : imax;
        csum += s->compute_s;
        msum += s->comm_s;
        rss = s->max_rss_kib > rss ? s->max_rss_kib : rss;
    }
    int n = r->ranks > 0 ? r->ranks : 1;
    fmt(field[0], 512, "%s", c && c->timestamp ? c->timestamp : "");
    fmt(field[1], 512, "%s", MPPRIMES_VERSION);
    fmt(field[2], 512, "%" PRIu64, r->start);
    fmt(field[3], 512, "%" PRIu64, r->stop);
    fmt(field[4], 512, "%d", r->ranks);
    fmt(field[5], 512, "%d", expected_hosts(r));
    fmt(field[6], 512, "%s", mpp_method_name(r->method));
    fmt(field[7], 512, "%s", r->decomposition);
    fmt(field[8], 512, "%" PRIu64, r->rounds);
    if (r->buffer_bytes)
        fmt(field[9], 512, "%" PRIu64, r->buffer_bytes);
    else
        field[9][0] = '\0';
    fmt(field[10], 512, "%" PRIu64, r->count);
    uint64_t first = 0, last = 0;
    if (expected_first_last(r, &first, &last)) {
        fmt(field[11], 512, "%" PRIu64, first);
        fmt(field[12], 512, "%" PRIu64, last);
    } else {
        field[11][0] = field[12][0] = '\0';
    }
    fmt(field[13], 512, "%.6f", r->elapsed_s);
    fmt(field[14], 512, "%.6f", cmax);
    fmt(field[15], 512, "%.6f", csum / n);
    fmt(field[16], 512, "%.6f", mmax);
    fmt(field[17], 512, "%.6f", msum / n);
    fmt(field[18], 512, "%.6f", imax);
    fmt(field[19], 512, "%ld", rss);
    fmt(field[20], 512, "%s", c && c->job_id ? c->job_id : "");
    fmt(field[21], 512, "%s", c && c->job_nodelist ? c->job_nodelist : "");
    if (r->chunk)
        fmt(field[22], 512, "%" PRIu64, r->chunk);
    else
        field[22][0] = '\0';
    balance b = expected_balance(r);
    fmt(field[23], 512, "%.6f", b.max);
    fmt(field[24], 512, "%.6f", b.mean);
    fmt(field[25], 512, "%.6f", b.imbalance);
    if (r->serial_s >= 0)
        fmt(field[26], 512, "%.6f", r->serial_s);
    else
        field[26][0] = '\0';
    for (int k = 2; k <= MPP_KINDS; k++)
        if (r->kinds >> k & 1)
            fmt(field[25 + k], 512, "%" PRIu64, r->tuplets[k]);
        else
            field[25 + k][0] = '\0';
    field[32][0] = field[33][0] = '\0';
    if (r->gaps && r->gaps->nrecords) {
        const mpp_gap *big = &r->gaps->records[r->gaps->nrecords - 1];
        fmt(field[32], 512, "%" PRIu64, big->gap);
        fmt(field[33], 512, "%" PRIu64, big->after);
    }
    field[34][0] = '\0';
    if (r->nth)
        fmt(field[34], 512, "%" PRIu64, r->nth_prime);
}

/* The end of R's CSV row after job_nodelist: ",chunk,...,serial_s\n", from
 * the fields computed here, into OUT (SIZE bytes). */
static void csv_tail(const mpp_report *r, char *out, size_t size)
{
    char (*f)[512] = malloc(NCSV * sizeof *f);
    ck_assert_ptr_nonnull(f);
    expected_csv(r, NULL, f);
    fmt(out, size, ",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", f[22], f[23], f[24], f[25],
        f[26], f[27], f[28], f[29], f[30], f[31], f[32], f[33], f[34]);
    free(f);
}

/* TEXT as a Python expression: its UTF-8 bytes in hex, decoded. */
static void python_string(FILE *f, const char *text)
{
    fputs("bytes.fromhex('", f);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        fprintf(f, "%02x", *p);
    fputs("').decode()", f);
}

/* Asserts that Python's csv module (strict) reads CSV as a header of the
 * NCSV column names followed by NROWS rows of NCSV fields each; that row
 * I (when WANT[I] is given) holds exactly the fields WANT[I] (the seconds
 * as "%.6f" within 1.5e-6); and that the Python statements CHECKS pass
 * (they see the header as h, the rows as rows, the last row as r and as
 * the dict d, by column name). */
static void python_csv_check(const char *csv, int nrows, char (*const *want)[512],
                             const char *checks)
{
    char data[32], script[32], cmd[256];
    /* Under MPP_TEST_SCALE (memcheck) one check in about test_scale(): each
     * python3 costs a tenth of a second, and the C code under test has run
     * either way. */
    if (!test_sample())
        return;
    char *code = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&code, &len);
    ck_assert_ptr_nonnull(f);
    fputs("import csv, re, sys\n"
          "rows = list(csv.reader(open(sys.argv[1], encoding='utf-8', newline=''),"
          " strict=True))\n"
          "names = [",
          f);
    for (int i = 0; i < NCSV; i++)
        fprintf(f, "%s'%s'", i ? ", " : "", csv_names[i]);
    fprintf(f, "]\nassert len(rows) == %d, (len(rows), rows)\n", nrows + 1);
    fputs("h = rows[0]\n"
          "assert h == names, h\n"
          "rows = rows[1:]\n"
          "for x in rows:\n"
          "    assert len(x) == len(names), (len(x), x)\n"
          "r = rows[-1] if rows else None\n"
          "d = dict(zip(h, r)) if rows else None\n",
          f);
    fputs("times = [", f);
    for (int i = 0, k = 0; i < NCSV; i++)
        if (csv_is_time(i))
            fprintf(f, "%s'%s'", k++ ? ", " : "", csv_names[i]);
    fputs("]\n", f);
    for (int i = 0; i < nrows; i++) {
        if (want == NULL || want[i] == NULL)
            continue;
        fputs("want = [", f);
        for (int k = 0; k < NCSV; k++) {
            fputs(k ? ", " : "", f);
            python_string(f, want[i][k]);
        }
        fprintf(f, "]\nfor n, g, w in zip(names, rows[%d], want):\n", i);
        fprintf(f, "    if n in times and w != '':\n"
                   "        assert re.fullmatch(r'[0-9]+\\.[0-9]{6}', g), ('row %d', n, g)\n"
                   "        assert abs(float(g) - float(w)) < 1.5e-6, ('row %d', n, g, w)\n"
                   "    else:\n"
                   "        assert g == w, ('row %d', n, g, w)\n",
                i, i, i);
    }
    if (checks)
        fprintf(f, "%s\n", checks);
    ck_assert_int_eq(fclose(f), 0);
    write_temp(csv, data);
    write_temp(code, script);
    fmt(cmd, sizeof cmd, "python3 %s %s", script, data);
    int st = shell(cmd);
    unlink(script);
    unlink(data);
    if (st != 0) /* the script in full; Python has said which assertion failed */
        fprintf(stderr, "python3 CSV checks failed (status %d):\n%s\n", st, code);
    free(code);
    ck_assert_msg(st == 0, "python3 CSV checks failed (status %d) on:\n%.3000s", st, csv);
}

/* Checks the CSV header and R's row with context C: the header is exactly
 * MPP_CSV_COLUMNS and a newline, the row one line ending in a newline
 * (unless a context field holds a line break), and Python reads back every
 * field as computed here. CHECKS as for python_csv_check. Returns the row. */
static char *check_csv(const mpp_report *r, const mpp_csv_context *c, const char *checks)
{
    char *header = render(render_csv_header, r);
    ck_assert_str_eq(header, MPP_CSV_COLUMNS "\n");
    free(header);
    row_context = c;
    char *row = render(render_csv_row, r);
    size_t len = strlen(row);
    ck_assert_msg(len > 0 && row[len - 1] == '\n', "row does not end in a newline: %s", row);
    bool breaks = false;
    if (c)
        breaks = (c->timestamp && strpbrk(c->timestamp, "\r\n")) ||
                 (c->job_id && strpbrk(c->job_id, "\r\n")) ||
                 (c->job_nodelist && strpbrk(c->job_nodelist, "\r\n"));
    if (!breaks)
        ck_assert_msg(strpbrk(row, "\r\n") == row + len - 1, "a line break inside: %s", row);

    char (*want)[512] = malloc(NCSV * sizeof *want);
    ck_assert_ptr_nonnull(want);
    expected_csv(r, c, want);
    char *text = render_csv(r, c);
    python_csv_check(text, 1, (char (*const[])[512]){want}, checks);
    free(text);
    free(want);
    return row;
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
    ck_assert_str_eq(rows[0].field[9], "2");
    ck_assert_str_eq(rows[0].field[10], "101");
    ck_assert_str_eq(rows[0].field[11], "0.187500");
    /* block: no chunk line; no --compare; one rank: one full bar, even */
    expect_absent(text, "chunk ");
    expect_absent(text, "serial");
    expect_absent(text, "speedup");
    expect_contains(text, "\n#     0 ======================================== "
                          "  0.187500\n# imbalance      1.00 (max 0.187500 / mean 0.187500 "
                          "cpu_s)\n# balance_bound  100% parallel efficiency at most");
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
    /* The new columns: chunks 2, 5, 8; numbers 1, 1, 0; cpu 3/4 of compute. */
    ck_assert_str_eq(rows[0].field[9], "2");
    ck_assert_str_eq(rows[1].field[9], "5");
    ck_assert_str_eq(rows[2].field[9], "8");
    ck_assert_str_eq(rows[0].field[10], "1");
    ck_assert_str_eq(rows[2].field[10], "0");
    ck_assert_str_eq(rows[0].field[11], "0.375000");
    ck_assert_str_eq(rows[1].field[11], "0.750000");
    ck_assert_str_eq(rows[2].field[11], "0.000000");
    expect_header(text, "chunk", "1");
    /* The bars, 40 wide: the mean (0.375) half way, marked where the bar
     * stops short of it; max / mean = 2, so at most 50% efficiency. */
    expect_contains(text, "#\n# work per rank (cpu_s: CPU time of the compute step; | marks "
                          "the mean)\n"
                          "#     0 ====================|" "                   "
                          "   0.375000\n"
                          "#     1 ======================================== "
                          "  0.750000\n"
                          "#     2                     |" "                   "
                          "   0.000000\n"
                          "# imbalance      2.00 (max 0.750000 / mean 0.375000 cpu_s)\n"
                          "# balance_bound  50% parallel efficiency at most");
    /* --compare: 3 s alone, 2 s on 3 ranks */
    header_value(text, "serial_s", v, sizeof v);
    ck_assert(strncmp(v, "3.000000 ", 9) == 0);
    header_value(text, "speedup", v, sizeof v);
    ck_assert_str_eq(v, "1.50 on 3 ranks (serial_s / elapsed_s)");
    header_value(text, "efficiency", v, sizeof v);
    ck_assert_str_eq(v, "0.50 (speedup / ranks)");
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
    ck_assert_str_eq(rows[0].field[10], "9223372036854775808");
    ck_assert_str_eq(rows[1].field[10], "9223372036854775808");
    ck_assert_str_eq(rows[1].field[11], "97500.187500");
    expect_header(text, "chunk", "1099511627776");
    header_value(text, "speedup", rows[0].field[0], sizeof rows[0].field[0]);
    ck_assert_str_eq(rows[0].field[0], "2.00 on 2 ranks (serial_s / elapsed_s)");
    header_value(text, "efficiency", rows[0].field[0], sizeof rows[0].field[0]);
    ck_assert_str_eq(rows[0].field[0], "1.00 (speedup / ranks)");
    /* 92592.375 / 97500.1875 of 40 is 37.99: 38 '='; the mean 95046.28125
     * at 38.99: 39, one blank after the bar */
    expect_contains(text, "#     0 ====================================== | 92592.375000\n"
                          "#     1 ======================================== 97500.187500\n");
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
    expect_contains(json, "\"decomposition\": \"block\", \"chunk\": null, \"rounds\": 1, "
                          "\"buffer_bytes\": null, \"count\": 25");
    expect_contains(json, "\"elapsed_s\": 1.500000000, \"cpu_max_s\": 0.187500000, "
                          "\"cpu_mean_s\": 0.187500000, \"imbalance\": 1.000000, "
                          "\"serial_s\": null, \"speedup\": null, \"efficiency\": null, "
                          "\"per_rank\": [");
    expect_contains(json, "\"first\": 2, \"last\": 97");
    expect_contains(json, "\"elapsed_s\": 1.500000");
    expect_contains(json, "{\"rank\": 0, \"host\": \"node01\", \"start\": 0, \"stop\": 100, "
                          "\"empty\": false, \"chunks\": 2, \"numbers\": 101, \"count\": 25, "
                          "\"compute_s\": 0.250000000, \"cpu_s\": 0.187500000, ");
    expect_contains(json, "\"comm_s\": 0.125000000, \"io_s\": 0.093750000, ");
    expect_contains(json, "\"max_rss_kib\": 4096, \"counts\": {\"primes\": 25}}");
    python_check(json, "assert d['version'] == '" MPPRIMES_VERSION "'\n"
                       "assert (d['start'], d['stop'], d['ranks']) == (0, 100, 1)\n"
                       "assert d['method'] == 'sieve' and d['decomposition'] == 'block'\n"
                       "assert (d['count'], d['first'], d['last']) == (25, 2, 97)\n"
                       "assert d['elapsed_s'] == 1.5\n"
                       "p = d['per_rank']\n"
                       "assert len(p) == 1\n"
                       "assert p[0] == {'rank': 0, 'host': 'node01', 'start': 0, 'stop': 100,"
                       " 'empty': False, 'chunks': 2, 'numbers': 101, 'count': 25,"
                       " 'compute_s': 0.25, 'cpu_s': 0.1875, 'comm_s': 0.125,"
                       " 'io_s': 0.09375, 'max_rss_kib': 4096, 'counts': {'primes': 25}}, p[0]\n"
                       "assert d['rounds'] == 1 and d['buffer_bytes'] is None\n"
                       "assert d['chunk'] is None\n"
                       "assert (d['cpu_max_s'], d['cpu_mean_s'], d['imbalance']) =="
                       " (0.1875, 0.1875, 1.0)\n"
                       "assert d['serial_s'] is None and d['speedup'] is None\n"
                       "assert d['efficiency'] is None");
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
                          "\"empty\": true, \"chunks\": 8, \"numbers\": 0, \"count\": 0");
    expect_contains(json, "\"decomposition\": \"cyclic\", \"chunk\": 1, \"rounds\": 1");
    expect_contains(json, "\"cpu_max_s\": 0.750000000, \"cpu_mean_s\": 0.375000000, "
                          "\"imbalance\": 2.000000, \"serial_s\": 3.000000000, "
                          "\"speedup\": 1.500000, \"efficiency\": 0.500000");
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
                       "assert d['method'] == 'trial'\n"
                       "assert [x['chunks'] for x in p] == [2, 5, 8]\n"
                       "assert [x['numbers'] for x in p] == [1, 1, 0]\n"
                       "assert [x['cpu_s'] for x in p] == [0.375, 0.75, 0.0]\n"
                       "assert d['chunk'] == 1 and d['decomposition'] == 'cyclic'\n"
                       "assert (d['cpu_max_s'], d['cpu_mean_s'], d['imbalance']) =="
                       " (0.75, 0.375, 2.0)\n"
                       "assert (d['serial_s'], d['speedup'], d['efficiency']) == (3.0, 1.5, 0.5)");
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

/* ---- CSV ---- */

/* A report of N ranks with the given host names (nothing else matters). */
static int hosts_of(const char *const *names, int n)
{
    mpp_rank_stats s[64];
    ck_assert_int_le(n, 64);
    for (int i = 0; i < n; i++)
        s[i] = rank_stats(i, names[i], false, (uint64_t)i, (uint64_t)i, 0, 0, 0, 0, 0, 0);
    mpp_report r = report(0, 100, n, MPP_METHOD_SIEVE, 0, 0.0, s);
    int got = mpp_report_hosts(&r);
    ck_assert_int_eq(got, expected_hosts(&r));
    /* the same names counted directly (--self-test counts hosts so) */
    const char *copy[64];
    for (int i = 0; i < n; i++)
        copy[i] = names[i];
    ck_assert_int_eq(mpp_distinct_strings(copy, n), got);
    return got;
}

#define HOSTS(...)                                                                         \
    hosts_of((const char *const[]){__VA_ARGS__},                                            \
             (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)))

START_TEST(test_hosts)
{
    mpp_report r = report(0, 100, 0, MPP_METHOD_SIEVE, 0, 0.0, NULL);
    ck_assert_int_eq(mpp_report_hosts(&r), 0); /* no ranks: per_rank not read */
    ck_assert_int_eq(mpp_distinct_strings(NULL, 0), 0);
    ck_assert_int_eq(HOSTS("node01"), 1);
    ck_assert_int_eq(HOSTS("n", "n", "n", "n"), 1);
    ck_assert_int_eq(HOSTS("a", "b"), 2);
    ck_assert_int_eq(HOSTS("a", "b", "a", "c"), 3);
    ck_assert_int_eq(HOSTS("c", "b", "a", "a", "b", "c"), 3);
    /* prefixes of one another are different names */
    ck_assert_int_eq(HOSTS("n1", "n10"), 2);
    ck_assert_int_eq(HOSTS("n10", "n1"), 2);
    ck_assert_int_eq(HOSTS("n1", "n10", "n1", "n100", "n10"), 3);
    ck_assert_int_eq(HOSTS("", "a", ""), 2);
    ck_assert_int_eq(HOSTS("node-a.example.org", "node-b.example.org"), 2);
    /* the report's fixtures */
    r = one_rank();
    ck_assert_int_eq(mpp_report_hosts(&r), 1);
    r = three_ranks();
    ck_assert_int_eq(mpp_report_hosts(&r), 3);
    r = no_primes();
    ck_assert_int_eq(mpp_report_hosts(&r), 3);
    r = whole_range();
    ck_assert_int_eq(mpp_report_hosts(&r), 2);
    /* many ranks, names in no order: 1000 ranks on 37 hosts; then the same
     * with a 63-byte common prefix, so that only the last byte differs */
    enum { MANY = 1000 };
    mpp_rank_stats *s = calloc(MANY, sizeof *s);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < MANY; i++)
        fmt(s[i].host, sizeof s[i].host, "host%02d", (i * 7919) % 37);
    r = report(0, 100, MANY, MPP_METHOD_SIEVE, 0, 0.0, s);
    ck_assert_int_eq(mpp_report_hosts(&r), 37);
    r.ranks = 500;
    ck_assert_int_eq(mpp_report_hosts(&r), expected_hosts(&r));
    for (int i = 0; i < MANY; i++) {
        memset(s[i].host, 'x', MPP_HOST_MAX - 2);
        s[i].host[MPP_HOST_MAX - 2] = (char)('A' + (i * 7) % 26);
        s[i].host[MPP_HOST_MAX - 1] = '\0';
    }
    r.ranks = MANY;
    ck_assert_int_eq(mpp_report_hosts(&r), 26);
    ck_assert_int_eq(expected_hosts(&r), 26);
    free(s);
}
END_TEST

START_TEST(test_csv_header)
{
    mpp_report r = one_rank();
    char *header = render(render_csv_header, &r);
    ck_assert_str_eq(header, MPP_CSV_COLUMNS "\n");
    /* the columns spelt out by hand, in order */
    char want[1024] = "";
    for (int i = 0; i < NCSV; i++) {
        strcat(want, csv_names[i]);
        strcat(want, i + 1 < NCSV ? "," : "\n");
    }
    ck_assert_str_eq(header, want);
    int commas = 0;
    for (const char *p = header; *p; p++)
        commas += *p == ',';
    ck_assert_int_eq(commas, NCSV - 1);
    expect_absent(header, "\"");
    expect_absent(header, " ");
    expect_absent(header, "\r");
    /* the same whatever the report (it depends on none of it) */
    mpp_report empty = report(0, 0, 0, MPP_METHOD_TRIAL, 0, 0.0, NULL);
    char *again = render(render_csv_header, &empty);
    ck_assert_str_eq(again, header);
    free(again);
    python_csv_check(header, 0, NULL, "assert len(set(h)) == len(h) == 35");
    free(header);
}
END_TEST

START_TEST(test_csv_one_rank)
{
    mpp_report r = one_rank();
    mpp_csv_context c = {"2026-11-21T10:00:00Z", "4242", "node01"};
    char *row = check_csv(&r, &c,
                          "assert d['version'] == '" MPPRIMES_VERSION "'\n"
                          "assert (d['start'], d['stop'], d['ranks'], d['hosts']) =="
                          " ('0', '100', '1', '1')\n"
                          "assert (d['method'], d['decomposition']) == ('sieve', 'block')\n"
                          "assert (d['rounds'], d['buffer_bytes']) == ('1', '')\n"
                          "assert (d['count'], d['first'], d['last']) == ('25', '2', '97')\n"
                          "assert d['max_rss_kib'] == '4096'\n"
                          "assert (d['timestamp'], d['job_id'], d['job_nodelist']) =="
                          " ('2026-11-21T10:00:00Z', '4242', 'node01')");
    /* Spelled out by hand once, byte for byte. */
    ck_assert_str_eq(row, "2026-11-21T10:00:00Z," MPPRIMES_VERSION ",0,100,1,1,sieve,block,1,,"
                          "25,2,97,1.500000,0.250000,0.250000,0.125000,0.125000,0.093750,4096,"
                          "4242,node01,,0.187500,0.187500,1.000000,,,,,,,,,\n");
    free(row);
}
END_TEST

START_TEST(test_csv_three_ranks)
{
    mpp_report r = three_ranks();
    mpp_csv_context c = {"2026-11-21T10:00:00Z", "17", "alpha,beta,gamma"};
    char *row = check_csv(&r, &c,
                          "assert (d['ranks'], d['hosts'], d['method']) == ('3', '3', 'trial')\n"
                          "assert (d['count'], d['first'], d['last']) == ('1', '97', '97')\n"
                          "assert (d['compute_max_s'], d['compute_mean_s']) =="
                          " ('1.000000', '0.500000')\n"
                          "assert (d['comm_max_s'], d['comm_mean_s']) =="
                          " ('0.500000', '0.250000')\n"
                          "assert d['io_max_s'] == '0.250000'\n"
                          "assert d['elapsed_s'] == '2.000000'\n"
                          "assert d['max_rss_kib'] == '3000'\n"
                          "assert d['job_nodelist'] == 'alpha,beta,gamma'\n"
                          "assert (d['chunk'], d['cpu_max_s'], d['cpu_mean_s']) =="
                          " ('1', '0.750000', '0.375000')\n"
                          "assert (d['imbalance'], d['serial_s']) == ('2.000000', '3.000000')");
    /* Junk in the prime-less rank's first/last, the empty block's ends. */
    expect_absent(row, "12345");
    expect_absent(row, "54321");
    expect_absent(row, "777");
    expect_absent(row, "888");
    expect_contains(row,
                    ",\"alpha,beta,gamma\",1,0.750000,0.375000,2.000000,3.000000,,,,,,,,\n");
    free(row);
}
END_TEST

START_TEST(test_csv_no_primes)
{
    mpp_report r = no_primes();
    mpp_csv_context c = {"t", "1", "n[0-2]"};
    char *row = check_csv(&r, &c,
                          "assert (d['first'], d['last']) == ('', '')\n"
                          "assert d['count'] == '0'\n"
                          "assert (int(d['start']), int(d['stop'])) == (2**64 - 2, 2**64 - 1)\n"
                          "assert d['hosts'] == '3'\n"
                          "assert d['max_rss_kib'] == '30'\n" /* the empty rank's */
                          "assert (d['compute_max_s'], d['compute_mean_s']) =="
                          " ('0.003000', '0.001333')\n"
                          "assert (d['comm_max_s'], d['comm_mean_s']) =="
                          " ('0.004000', '0.002000')\n"
                          "assert d['io_max_s'] == '0.001750'\n"
                          "assert (d['chunk'], d['serial_s']) == ('', '0.000000')\n"
                          "assert (d['cpu_max_s'], d['imbalance']) == ('0.002250', '2.250000')");
    expect_contains(row, ",18446744073709551614," MAX64 ",3,3,sieve,block,1,,0,,,0.250000,");
    /* Junk in the prime-less ranks' first/last fields. */
    expect_absent(row, ",5,");
    expect_absent(row, ",8,");
    free(row);
}
END_TEST

START_TEST(test_csv_whole_range)
{
    mpp_report r = whole_range();
    mpp_csv_context c = {"2026-11-21T10:00:00Z", "999999999999", "big[0-1]"};
    char *row = check_csv(&r, &c,
                          "assert (d['start'], d['stop']) == ('0', str(2**64 - 1))\n"
                          "assert d['count'] == '425656284035217743'\n"
                          "assert (d['first'], d['last']) == ('2', '18446744073709551557')\n"
                          "assert d['hosts'] == '2'\n"
                          "assert (d['compute_max_s'], d['compute_mean_s']) =="
                          " ('130000.250000', '126728.375000')\n"
                          "assert (d['comm_max_s'], d['comm_mean_s']) =="
                          " ('1.500000', '1.125000')\n"
                          "assert d['io_max_s'] == '32500.437500'\n"
                          "assert d['elapsed_s'] == '130001.000000'\n"
                          "assert d['max_rss_kib'] == '987654322'");
    expect_contains(row, ",0," MAX64 ",2,2,sieve,dynamic,1,,425656284035217743,2,"
                         "18446744073709551557,130001.000000,");
    /* chunk 2^40; cpu 92592.375 and 97500.1875; compared in 260002 s */
    expect_ends_with(row, ",big[0-1],1099511627776,97500.187500,95046.281250,1.025818,"
                          "260002.000000,,,,,,,,\n");
    free(row);
}
END_TEST

/* A listing in rounds: rounds and buffer_bytes filled; the last prime from
 * rank 0 (rank 1's came from an earlier round). */
START_TEST(test_csv_rounds)
{
    mpp_rank_stats s[2];
    s[0] = rank_stats(0, "n0", false, 2, 999, 165, 2, 997, 0.5, 0.25, 100);
    s[1] = rank_stats(1, "n1", false, 40, 1000, 3, 41, 991, 0.75, 0.125, 200);
    mpp_report r = report(2, 1000, 2, MPP_METHOD_SIEVE, 168, 2.0, s);
    r.rounds = 12;
    r.buffer_bytes = 4096;
    char *row = check_csv(&r, NULL,
                          "assert (d['rounds'], d['buffer_bytes']) == ('12', '4096')\n"
                          "assert (d['first'], d['last']) == ('2', '997')\n"
                          "assert d['io_max_s'] == '0.218750'\n"
                          "assert d['max_rss_kib'] == '200'");
    expect_contains(row, ",sieve,block,12,4096,168,2,997,2.000000,");
    /* the largest buffer there is */
    r.buffer_bytes = UINT64_MAX;
    r.rounds = UINT64_MAX;
    free(row);
    row = check_csv(&r, NULL, "assert d['buffer_bytes'] == d['rounds'] == str(2**64 - 1)");
    free(row);
}
END_TEST

/* The maxima sit on other ranks than the last (rss on rank 1, compute and
 * io on rank 0, comm on rank 2); first and last come from the middle. */
START_TEST(test_csv_maxima)
{
    mpp_rank_stats s[4];
    s[0] = rank_stats(0, "n1", false, 50, 80, 5, 50, 80, 2.0, 0.1, 700);
    s[1] = rank_stats(1, "n10", false, 81, 89, 0, 1, 999, 0.5, 0.2, 9000);
    s[2] = rank_stats(2, "n1", false, 10, 13, 2, 11, 13, 1.0, 0.8, 100);
    s[3] = rank_stats(3, "n100", false, 61, 65, 2, 61, 65, 0.25, 0.4, 50);
    mpp_report r = report(10, 89, 4, MPP_METHOD_TRIAL, 9, 3.25, s);
    char *row = check_csv(&r, NULL,
                          "assert (d['first'], d['last']) == ('11', '80')\n"
                          "assert d['hosts'] == '3'\n"
                          "assert d['max_rss_kib'] == '9000'\n"
                          "assert (d['compute_max_s'], d['compute_mean_s']) =="
                          " ('2.000000', '0.937500')\n"
                          "assert (d['comm_max_s'], d['comm_mean_s']) =="
                          " ('0.800000', '0.375000')\n"
                          "assert d['io_max_s'] == '0.525000'");
    free(row);
}
END_TEST

/* No context, or a context of NULLs: the three fields are empty. */
START_TEST(test_csv_no_context)
{
    mpp_report r = one_rank();
    char *row = check_csv(&r, NULL,
                          "assert (d['timestamp'], d['job_id'], d['job_nodelist']) =="
                          " ('', '', '')");
    ck_assert_int_eq(row[0], ',');
    expect_ends_with(row, ",4096,,,,0.187500,0.187500,1.000000,,,,,,,,,\n");
    mpp_csv_context nulls = {NULL, NULL, NULL};
    char *again = check_csv(&r, &nulls, NULL);
    ck_assert_str_eq(again, row);
    free(again);
    /* empty strings read the same */
    mpp_csv_context empty = {"", "", ""};
    again = check_csv(&r, &empty, NULL);
    ck_assert_str_eq(again, row);
    free(again);
    /* one field set at a time */
    mpp_csv_context only = {NULL, "77", NULL};
    again = check_csv(&r, &only, "assert (d['timestamp'], d['job_id'], d['job_nodelist']) =="
                                 " ('', '77', '')");
    expect_ends_with(again, ",4096,77,,,0.187500,0.187500,1.000000,,,,,,,,,\n");
    free(again);
    free(row);
}
END_TEST

/* RFC 4180: a field with a comma, a quote or a line break is quoted, its
 * quotes doubled; any other is written as is. Python reads each back. */
START_TEST(test_csv_quoting)
{
    static const struct {
        const char *value, *spelt;
    } cases[] = {
        {"n[1-2],x", "\"n[1-2],x\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"\"", "\"\"\"\""},
        {"\"\"", "\"\"\"\"\"\""},
        {",", "\",\""},
        {"a\nb", "\"a\nb\""},
        {"a\r\nb", "\"a\r\nb\""},
        {"a\rb", "\"a\rb\""},
        {"\n", "\"\n\""},
        {"n[001-003,010],gpu[1-2]", "\"n[001-003,010],gpu[1-2]\""},
        {"x\"y,z\nw", "\"x\"\"y,z\nw\""},
        {" spaced out ", " spaced out "},
        {"n[1-4]", "n[1-4]"},
        {"tab\there", "tab\there"},
        {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"semi;colon'quote", "semi;colon'quote"},
    };
    mpp_report r = three_ranks();
    char want[256], tail[128];
    csv_tail(&r, tail, sizeof tail);
    ck_assert_str_eq(tail, ",1,0.750000,0.375000,2.000000,3.000000,,,,,,,,\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *v = cases[i].value, *q = cases[i].spelt;
        /* as the node list (the last context field) */
        mpp_csv_context c = {"2026-11-21T10:00:00Z", "1", v};
        char *row = check_csv(&r, &c, NULL);
        fmt(want, sizeof want, ",1,%s%s", q, tail);
        expect_ends_with(row, want);
        free(row);
        /* as the job id (between two fields) */
        c = (mpp_csv_context){"2026-11-21T10:00:00Z", v, "n1"};
        row = check_csv(&r, &c, NULL);
        fmt(want, sizeof want, ",3000,%s,n1%s", q, tail);
        expect_ends_with(row, want);
        free(row);
        /* as the timestamp (the first field) */
        c = (mpp_csv_context){v, NULL, NULL};
        row = check_csv(&r, &c, NULL);
        fmt(want, sizeof want, "%s," MPPRIMES_VERSION ",96,", q);
        ck_assert_msg(strncmp(row, want, strlen(want)) == 0, "row \"%s\" does not start with "
                      "\"%s\"", row, want);
        free(row);
    }
    /* All three at once, and a quoted decomposition. */
    r.decomposition = "block,cyclic";
    mpp_csv_context c = {"2026,11", "a\"b", "x\ny,z"};
    char *row = check_csv(&r, &c,
                          "assert d['decomposition'] == 'block,cyclic'\n"
                          "assert (d['timestamp'], d['job_id'], d['job_nodelist']) =="
                          " ('2026,11', 'a\"b', 'x\\ny,z')\n"
                          "assert d['method'] == 'trial' and d['hosts'] == '3'");
    expect_contains(row, ",trial,\"block,cyclic\",1,");
    ck_assert(strncmp(row, "\"2026,11\",", 10) == 0);
    expect_contains(row, ",\"a\"\"b\",\"x\ny,z\",1,");
    free(row);
}
END_TEST

/* A file as --csv grows it: a header, then one row per run; Python reads
 * every row with all its fields. */
START_TEST(test_csv_appended_rows)
{
    mpp_report reports[5] = {one_rank(), three_ranks(), no_primes(), whole_range(), one_rank()};
    mpp_csv_context ctx[5] = {
        {"2026-01-01T00:00:00Z", "1", "n[1-2],x"},
        {"2026-01-01T00:00:01Z", NULL, NULL},
        {"2026-01-01T00:00:02Z", "3", "line\nbreak"},
        {"2026-01-01T00:00:03Z", "4", "q\"uote"},
        {NULL, NULL, NULL},
    };
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    mpp_report_csv_header(f);
    char (*want[5])[512];
    for (int i = 0; i < 5; i++) {
        mpp_report_csv_row(f, &reports[i], &ctx[i]);
        want[i] = malloc(NCSV * sizeof *want[i]);
        ck_assert_ptr_nonnull(want[i]);
        expected_csv(&reports[i], &ctx[i], want[i]);
    }
    ck_assert_int_eq(fclose(f), 0);
    python_csv_check(text, 5, (char (*const *)[512])want,
                     "assert [x[names.index('count')] for x in rows] =="
                     " ['25', '1', '0', '425656284035217743', '25']\n"
                     "assert [x[names.index('job_nodelist')] for x in rows] =="
                     " ['n[1-2],x', '', 'line\\nbreak', 'q\"uote', '']");
    for (int i = 0; i < 5; i++)
        free(want[i]);
    free(text);
}
END_TEST

/* ---- the balance, the bars, --compare ---- */

/* Five ranks with cpu_s 1, 2, 4, 0.5, 0 (the max in the middle): mean 1.5,
 * imbalance 8/3 (max / min would be infinite, max / median 2). */
static mpp_rank_stats five_stats[5];
static mpp_report five_ranks(void)
{
    static const double cpu[5] = {1.0, 2.0, 4.0, 0.5, 0.0};
    for (int i = 0; i < 5; i++) {
        five_stats[i] = rank_stats(i, "n", false, 100 * (uint64_t)i, 100 * (uint64_t)i + 99, 3,
                                   100 * (uint64_t)i + 1, 100 * (uint64_t)i + 97, 9.0 - i, 0.5,
                                   1);
        five_stats[i].cpu_s = cpu[i];
    }
    mpp_report r = report(0, 499, 5, MPP_METHOD_TRIAL, 15, 5.0, five_stats);
    r.decomposition = "balanced";
    return r;
}

/* mpp_report_balance against the balance computed here. */
START_TEST(test_balance)
{
    mpp_report rs[] = {one_rank(), three_ranks(), no_primes(), whole_range(), five_ranks()};
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++) {
        mpp_balance b = mpp_report_balance(&rs[i]);
        balance e = expected_balance(&rs[i]);
        ck_assert_msg(near(b.cpu_max, e.max, 1e-12), "report %zu: max %g, expected %g", i,
                      b.cpu_max, e.max);
        ck_assert_msg(near(b.cpu_mean, e.mean, 1e-12), "report %zu: mean %g, expected %g", i,
                      b.cpu_mean, e.mean);
        ck_assert_msg(near(b.imbalance, e.imbalance, 1e-12), "report %zu: imbalance %g, "
                      "expected %g", i, b.imbalance, e.imbalance);
    }
    mpp_report r = five_ranks();
    mpp_balance b = mpp_report_balance(&r);
    ck_assert(near(b.cpu_max, 4.0, 1e-12) && near(b.cpu_mean, 1.5, 1e-12));
    ck_assert(near(b.imbalance, 8.0 / 3, 1e-12));
    r = one_rank();
    b = mpp_report_balance(&r);
    ck_assert(b.imbalance == 1.0 && b.cpu_max == 0.1875 && b.cpu_mean == 0.1875);
    /* nothing computed: 1, not 0/0; no ranks at all: the same */
    mpp_rank_stats z[3];
    for (int i = 0; i < 3; i++)
        z[i] = rank_stats(i, "z", false, (uint64_t)i, (uint64_t)i, 0, 0, 0, 0.0, 0.0, 0);
    r = report(0, 2, 3, MPP_METHOD_SIEVE, 0, 0.0, z);
    b = mpp_report_balance(&r);
    ck_assert(b.cpu_max == 0 && b.cpu_mean == 0 && b.imbalance == 1.0);
    r = report(0, 2, 0, MPP_METHOD_SIEVE, 0, 0.0, NULL);
    b = mpp_report_balance(&r);
    ck_assert(b.cpu_max == 0 && b.cpu_mean == 0 && b.imbalance == 1.0);
}
END_TEST

/* The bar chart alone at several widths, for every fixture. */
START_TEST(test_bars_widths)
{
    static const int widths[] = {1, 2, 7, 10, 40, 64, 100};
    mpp_report rs[] = {one_rank(), three_ranks(), no_primes(), whole_range(), five_ranks()};
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
        for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
            char *bars = render_bars(&rs[i], widths[w]);
            check_bars(bars, &rs[i], widths[w]);
            free(bars);
        }
    /* five ranks, 8 wide: 2, 4, 8, 1, 0 '='; the mean at 3 */
    mpp_report r = five_ranks();
    char *bars = render_bars(&r, 8);
    expect_contains(bars, "#     0 == |       1.000000\n"
                          "#     1 ====       2.000000\n"
                          "#     2 ========   4.000000\n"
                          "#     3 =  |       0.500000\n"
                          "#     4    |       0.000000\n"
                          "# imbalance      2.67 (max 4.000000 / mean 1.500000 cpu_s)\n"
                          "# balance_bound  38% parallel efficiency at most");
    free(bars);
    char *text = check_text(&r);
    /* 40 wide: 5 '=', the mean at 15 */
    expect_contains(text, "#     3 =====          |                        "
                          "   0.500000\n");
    free(text);
    free(check_json(&r));
    free(check_csv(&r, NULL, "assert d['imbalance'] == '2.666667'"));
}
END_TEST

/* No rank computed anything: imbalance 1, no '=' (no division by zero),
 * 100%, in all three forms. */
START_TEST(test_zero_cpu)
{
    mpp_rank_stats z[4];
    for (int i = 0; i < 4; i++)
        z[i] = rank_stats(i, "z", false, 10 * (uint64_t)i, 10 * (uint64_t)i + 9, 0, 0, 0, 0.0,
                          0.25, 7);
    mpp_report r = report(0, 39, 4, MPP_METHOD_SIEVE, 0, 0.5, z);
    char *text = check_text(&r);
    const char *bars = strstr(text, "# work per rank");
    ck_assert_ptr_nonnull(bars);
    const char *after = strstr(bars, "# imbalance");
    ck_assert_ptr_nonnull(after);
    for (const char *p = bars; p < after; p++)
        ck_assert_msg(*p != '=', "a bar without any work:\n%s", text);
    expect_contains(text, "# imbalance      1.00 (max 0.000000 / mean 0.000000 cpu_s)\n"
                          "# balance_bound  100% parallel efficiency at most");
    free(text);
    char *json = check_json(&r);
    expect_contains(json, "\"cpu_max_s\": 0.000000000, \"cpu_mean_s\": 0.000000000, "
                          "\"imbalance\": 1.000000");
    free(json);
    char *row = check_csv(&r, NULL, "assert (d['cpu_max_s'], d['cpu_mean_s'], d['imbalance'])"
                                    " == ('0.000000', '0.000000', '1.000000')");
    free(row);
    /* and one rank that did nothing */
    r.ranks = 1;
    free(check_text(&r));
    free(check_json(&r));
}
END_TEST

/* --count=KINDS and --gaps: the asked kinds' lines, columns and keys, and
 * the gaps section, against the primes of [0, 100] (Python computes them
 * again for the JSON: the histogram and the maximal gaps). */
START_TEST(test_patterns_report)
{
    static mpp_gaps gaps;
    static const uint64_t primes[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41,
                                      43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97};
    mpp_gaps_clear(&gaps);
    mpp_patterns b;
    mpp_patterns_begin(&b, NULL, 0, &gaps);
    mpp_patterns_push(&b, primes, 25);
    mpp_report r = one_rank();
    r.kinds = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 6;
    r.tuplets[2] = 8; /* patterns.md, [0, 100] */
    r.tuplets[3] = 8;
    r.tuplets[6] = 1;
    r.tuplets[4] = 99; /* not asked: never shown */
    memcpy(one_rank_stats[0].tuplets, r.tuplets, sizeof r.tuplets);
    r.gaps = &gaps;
    char *text = render(mpp_report_text, &r);
    expect_contains(text, "\n# twins          8\n# triplets       8\n# sextuplets     1\n#\n");
    expect_absent(text, "quadruplets");
    expect_absent(text, "99");
    expect_contains(text, " cpu_s        twins     triplets   sextuplets\n");
    expect_contains(text, " 0.187500            8            8            1\n");
    expect_contains(text, "# gaps           24 (between consecutive primes of the range)\n"
                          "# largest_gap    8 after 89\n");
    expect_contains(text, "#    gap                after\n"
                          "#      1                    2\n"
                          "#      2                    3\n"
                          "#      4                    7\n"
                          "#      6                   23\n"
                          "#      8                   89\n#\n");
    expect_contains(text, "#     1:            1     2:            8     4:            7"
                          "     6:            7\n#     8:            1\n");
    for (const char *line = text; *line; line = strchr(line, '\n') + 1)
        ck_assert_msg(line[0] == '#' || strncmp(line, "     0 node01", 13) == 0, "%s", line);
    free(text);
    char *json = check_json(&r);
    python_check(json,
                 "ps = [p for p in range(2, 101) if all(p % q for q in range(2, p))]\n"
                 "gs = [(b - a, a) for a, b in zip(ps, ps[1:])]\n"
                 "hist = {}\n"
                 "for g, a in gs: hist[str(g)] = hist.get(str(g), 0) + 1\n"
                 "rec, top = [], 0\n"
                 "for g, a in gs:\n"
                 "    if g > top: rec.append({'gap': g, 'after': a}); top = g\n"
                 "G = d['gaps']\n"
                 "assert sorted(G) == ['histogram', 'largest', 'records'], G\n"
                 "assert G['histogram'] == hist, G['histogram']\n"
                 "assert G['records'] == rec, G['records']\n"
                 "assert G['largest'] == rec[-1] == {'gap': 8, 'after': 89}\n"
                 "assert d['counts'] == {'primes': 25, 'twins': 8, 'triplets': 8,"
                 " 'sextuplets': 1}\n");
    free(json);
    char *row = check_csv(&r, NULL,
                          "assert (d['twins'], d['triplets'], d['quadruplets']) == "
                          "('8', '8', '')\n"
                          "assert (d['quintuplets'], d['sextuplets']) == ('', '1')\n"
                          "assert (d['largest_gap'], d['largest_gap_after']) == ('8', '89')");
    free(row);
    /* twins alone, no prime asked; gaps of a range without two primes */
    mpp_gaps_clear(&gaps);
    r.kinds = 1u << 2;
    text = render(mpp_report_text, &r);
    expect_contains(text, "# largest_gap    -\n");
    expect_absent(text, "# triplets");
    free(text);
    json = check_json(&r);
    python_check(json, "assert d['counts'] == {'twins': 8}\n"
                       "assert d['gaps'] == {'largest': None, 'records': [], 'histogram': {}}\n"
                       "assert d['count'] == 25\n");
    free(json);
    row = check_csv(&r, NULL, "assert (d['largest_gap'], d['largest_gap_after']) == ('', '')");
    free(row);
}
END_TEST

/* A listing of tuplets (--print=K): the primes not counted, "-" in text,
 * null in JSON, empty in CSV; the kind's count as with --count=K. */
START_TEST(test_tuplet_listing_report)
{
    mpp_report r = one_rank();
    r.kinds = 1u << 3;
    r.no_primes = true;
    r.count = 0;
    r.buffer_bytes = 1048576;
    r.tuplets[3] = 8;
    one_rank_stats[0].count = 0;
    one_rank_stats[0].tuplets[3] = 8;
    char *text = render(mpp_report_text, &r);
    expect_contains(text, "\n# primes         - (not counted: the triplets are listed)\n"
                          "# first          -\n# last           -\n# triplets       8\n#\n");
    expect_contains(text, " primes  compute_s");
    expect_contains(text, " 100            -   0.250000 ");
    expect_absent(text, "# twins");
    free(text);
    char *json = render(mpp_report_json, &r);
    expect_contains(json, "\"count\": null, \"first\": null, \"last\": null, "
                          "\"counts\": {\"triplets\": 8}");
    expect_contains(json, "\"count\": null, \"compute_s\"");
    python_check(json, "assert d['count'] is None and d['counts'] == {'triplets': 8}\n"
                       "assert [x['count'] for x in d['per_rank']] == [None]\n"
                       "assert [x['counts'] for x in d['per_rank']] == [{'triplets': 8}]\n");
    free(json);
    row_context = NULL;
    char *row = render(render_csv_row, &r);
    /* ..., rounds, buffer_bytes, then count, first and last empty */
    char want[64];
    fmt(want, sizeof want, ",block,%" PRIu64 ",1048576,,,,", r.rounds);
    expect_contains(row, want);
    free(row);
}
END_TEST

/* --nth-prime: the answer's line, JSON keys and CSV column. */
START_TEST(test_nth_report)
{
    mpp_report r = one_rank();
    r.nth = true;
    r.nth_neg = true;
    r.nth_n = 10;
    r.nth_start = 1000000000000279ULL;
    r.nth_prime = 999999999999989ULL;
    char *text = render(mpp_report_text, &r);
    expect_contains(text, "\n# nth_prime      999999999999989 (N = -10, START = "
                          "1000000000000279)\n#\n");
    free(text);
    char *json = check_json(&r);
    free(json);
    char *row = check_csv(&r, NULL, "assert d['nth_prime'] == '999999999999989'");
    free(row);
    r.nth = false;
    text = render(mpp_report_text, &r);
    expect_absent(text, "nth_prime");
    free(text);
}
END_TEST

/* "# chunk" iff chunk != 0 and the --compare lines iff serial_s >= 0, in
 * every combination, in text, JSON and CSV. */
START_TEST(test_chunk_and_compare)
{
    static const uint64_t chunks[] = {0, 1, 1000, UINT64_MAX};
    static const double serials[] = {-1.0, -0.5, 0.0, 1e-9, 4.5, 12345.125};
    static const double elapsed[] = {1.5, 0.0};
    for (size_t c = 0; c < 4; c++)
        for (size_t k = 0; k < 6; k++)
            for (size_t e = 0; e < 2; e++) {
                mpp_report r = five_ranks();
                r.chunk = chunks[c];
                r.serial_s = serials[k];
                r.elapsed_s = elapsed[e];
                char *text = check_text(&r);
                free(text);
                if ((c + k + e) % 4 == 0) /* python3 for a quarter of them */
                    free(check_json(&r));
            }
    /* CSV: the chunk empty for 0; serial_s empty when not compared */
    mpp_report r = five_ranks();
    char *row = check_csv(&r, NULL, "assert (d['chunk'], d['serial_s']) == ('', '')");
    expect_ends_with(row, ",,4.000000,1.500000,2.666667,,,,,,,,,\n");
    free(row);
    r.chunk = UINT64_MAX;
    r.serial_s = 4.5;
    row = check_csv(&r, NULL, "assert d['chunk'] == str(2**64 - 1)\n"
                              "assert d['serial_s'] == '4.500000'");
    expect_ends_with(row, "," MAX64 ",4.000000,1.500000,2.666667,4.500000,,,,,,,,\n");
    free(row);
    r.serial_s = 0.0;
    row = check_csv(&r, NULL, "assert d['serial_s'] == '0.000000'");
    free(row);
    /* speedup and efficiency spelt out: 4.5 s alone, 1.5 s on 5 ranks */
    r.elapsed_s = 1.5;
    r.serial_s = 4.5;
    char *text = check_text(&r);
    expect_contains(text, "# speedup        3.00 on 5 ranks (serial_s / elapsed_s)\n"
                          "# efficiency     0.60 (speedup / ranks)\n");
    expect_contains(text, "# chunk          " MAX64 "\n");
    free(text);
    char *json = check_json(&r);
    expect_contains(json, "\"serial_s\": 4.500000000, \"speedup\": 3.000000, "
                          "\"efficiency\": 0.600000");
    free(json);
    /* elapsed 0: no infinity or NaN anywhere (JSON would not parse) */
    r.elapsed_s = 0.0;
    text = check_text(&r);
    expect_absent(text, "inf");
    expect_absent(text, "nan");
    free(text);
    free(check_json(&r));
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

    tc = tcase_create("balance");
    tcase_set_timeout(tc, 120); /* the JSON and CSV checks start python3 */
    tcase_add_test(tc, test_balance);
    tcase_add_test(tc, test_bars_widths);
    tcase_add_test(tc, test_zero_cpu);
    tcase_add_test(tc, test_chunk_and_compare);
    suite_add_tcase(s, tc);

    tc = tcase_create("json");
    tcase_set_timeout(tc, 30); /* each test starts python3 a few times */
    tcase_add_test(tc, test_json_one_rank);
    tcase_add_test(tc, test_listing_rounds);
    tcase_add_test(tc, test_json_three_ranks);
    tcase_add_test(tc, test_json_no_primes);
    tcase_add_test(tc, test_json_whole_range);
    tcase_add_test(tc, test_json_escapes);
    tcase_add_test(tc, test_patterns_report);
    tcase_add_test(tc, test_nth_report);
    tcase_add_test(tc, test_tuplet_listing_report);
    suite_add_tcase(s, tc);

    tc = tcase_create("first_last");
    tcase_add_test(tc, test_first_last);
    suite_add_tcase(s, tc);

    tc = tcase_create("csv");
    tcase_set_timeout(tc, 60); /* each check starts python3 */
    tcase_add_test(tc, test_hosts);
    tcase_add_test(tc, test_csv_header);
    tcase_add_test(tc, test_csv_one_rank);
    tcase_add_test(tc, test_csv_three_ranks);
    tcase_add_test(tc, test_csv_no_primes);
    tcase_add_test(tc, test_csv_whole_range);
    tcase_add_test(tc, test_csv_rounds);
    tcase_add_test(tc, test_csv_maxima);
    tcase_add_test(tc, test_csv_no_context);
    tcase_add_test(tc, test_csv_quoting);
    tcase_add_test(tc, test_csv_appended_rows);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(report_suite());
}
