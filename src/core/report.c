/* report.c - the run report: text for people (and gnuplot), JSON for tools.
 *
 * Text layout: "#"-prefixed "key value" header lines, then one fixed-width
 * row per rank, then "#"-prefixed totals. Comment lines are skipped by
 * gnuplot and by `grep -v '^#'`, so the table plots as is. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

bool mpp_report_first_last(const mpp_report *r, uint64_t *first, uint64_t *last)
{
    /* The least first and the greatest last: in one round the ranks' primes
     * ascend in rank order, but over several rounds a later rank's last
     * prime may come from an earlier round. */
    if (r->whole) {
        *first = r->first;
        *last = r->last;
        return r->count > 0;
    }
    bool any = false;
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        if (s->count == 0)
            continue;
        if (!any || s->first < *first)
            *first = s->first;
        if (!any || s->last > *last)
            *last = s->last;
        any = true;
    }
    return any;
}

/* Largest and mean of the per-rank compute and communication times. */
typedef struct {
    double compute_max, compute_mean, comm_max, comm_mean, io_max, io_mean;
} time_summary;

static time_summary summarize(const mpp_report *r)
{
    time_summary t = {.compute_max = 0, .compute_mean = 0, .comm_max = 0, .comm_mean = 0,
                      .io_max = 0, .io_mean = 0};
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        t.compute_max = s->compute_s > t.compute_max ? s->compute_s : t.compute_max;
        t.comm_max = s->comm_s > t.comm_max ? s->comm_s : t.comm_max;
        t.io_max = s->io_s > t.io_max ? s->io_s : t.io_max;
        t.compute_mean += s->compute_s / r->ranks;
        t.comm_mean += s->comm_s / r->ranks;
        t.io_mean += s->io_s / r->ranks;
    }
    return t;
}

mpp_balance mpp_report_balance(const mpp_report *r)
{
    mpp_balance b = {0, 0, 1};
    for (int i = 0; i < r->ranks; i++) {
        double c = r->per_rank[i].cpu_s;
        b.cpu_max = c > b.cpu_max ? c : b.cpu_max;
        b.cpu_mean += c / r->ranks;
    }
    if (b.cpu_mean > 0)
        b.imbalance = b.cpu_max / b.cpu_mean;
    return b;
}

void mpp_report_bars(FILE *f, const mpp_report *r, int width)
{
    mpp_balance b = mpp_report_balance(r);
    fprintf(f, "#\n# work per rank (cpu_s: CPU time of the compute step; | marks the mean)\n");
    int mean_at = b.cpu_max > 0 ? (int)(b.cpu_mean / b.cpu_max * width + 0.5) : 0;
    for (int i = 0; i < r->ranks; i++) {
        double c = r->per_rank[i].cpu_s;
        int n = b.cpu_max > 0 ? (int)(c / b.cpu_max * width + 0.5) : 0;
        fprintf(f, "# %5d ", r->per_rank[i].rank);
        for (int k = 0; k < width; k++)
            fputc(k < n ? '=' : k == mean_at ? '|' : ' ', f);
        fprintf(f, " %10.6f\n", c);
    }
    fprintf(f, "# imbalance      %.2f (max %.6f / mean %.6f cpu_s)\n", b.imbalance, b.cpu_max,
            b.cpu_mean);
    fprintf(f, "# balance_bound  %.0f%% parallel efficiency at most: the ranks wait for the "
               "slowest\n", 100.0 / b.imbalance);
}

/* A table cell that stays one whitespace-free field whatever the text:
 * blanks and control characters become '_', an empty text "-". */
static void table_word(FILE *f, const char *text, int width)
{
    int n = 0;
    for (; text[n]; n++)
        fputc((unsigned char)text[n] <= ' ' ? '_' : text[n], f);
    if (n == 0) {
        fputc('-', f);
        n = 1;
    }
    for (; n < width; n++)
        fputc(' ', f);
}

/* Whether kind K (2..6) was asked for. */
static bool asked(const mpp_report *r, int k)
{
    return r->kinds >> k & 1;
}

/* The least kind asked beyond the primes (2 when none). */
static int first_kind(const mpp_report *r)
{
    for (int k = 2; k <= MPP_KINDS; k++)
        if (asked(r, k))
            return k;
    return 2;
}

/* --gaps: the maximal gaps as a table and the histogram, 4 sizes a line,
 * all on "#" lines. */
static void gaps_text(FILE *f, const mpp_gaps *g)
{
    mpp_gap big = mpp_gaps_largest(g);
    fprintf(f, "#\n# gaps           %" PRIu64 " (between consecutive primes of the range)\n",
            mpp_gaps_total(g));
    if (big.gap)
        fprintf(f, "# largest_gap    %" PRIu64 " after %" PRIu64 "\n", big.gap, big.after);
    else
        fprintf(f, "# largest_gap    -\n");
    fprintf(f, "#\n# maximal gaps: each larger than every gap before it in the range\n");
    fprintf(f, "# %6s %20s\n", "gap", "after");
    for (unsigned i = 0; i < g->nrecords; i++)
        fprintf(f, "# %6" PRIu64 " %20" PRIu64 "\n", g->records[i].gap, g->records[i].after);
    fprintf(f, "#\n# gap histogram (size: gaps of that size)\n");
    unsigned n = 0;
    for (unsigned s = 0; s < MPP_GAP_LIMIT; s++) {
        if (!g->hist[s])
            continue;
        fprintf(f, "%s %5u: %12" PRIu64, n % 4 ? "" : "#", s, g->hist[s]);
        if (++n % 4 == 0)
            fputc('\n', f);
    }
    if (n % 4)
        fputc('\n', f);
}

static void gaps_json(FILE *f, const mpp_gaps *g)
{
    mpp_gap big = mpp_gaps_largest(g);
    fprintf(f, ", \"gaps\": {\"largest\": ");
    if (big.gap)
        fprintf(f, "{\"gap\": %" PRIu64 ", \"after\": %" PRIu64 "}", big.gap, big.after);
    else
        fprintf(f, "null");
    fprintf(f, ", \"records\": [");
    for (unsigned i = 0; i < g->nrecords; i++)
        fprintf(f, "%s{\"gap\": %" PRIu64 ", \"after\": %" PRIu64 "}", i ? ", " : "",
                g->records[i].gap, g->records[i].after);
    fprintf(f, "], \"histogram\": {");
    bool any = false;
    for (unsigned s = 0; s < MPP_GAP_LIMIT; s++)
        if (g->hist[s]) {
            fprintf(f, "%s\"%u\": %" PRIu64, any ? ", " : "", s, g->hist[s]);
            any = true;
        }
    fprintf(f, "}}");
}

/* The "counts" object: the asked kinds, primes first when asked. */
static void counts_json(FILE *f, const mpp_report *r, uint64_t primes, const uint64_t *tuplets)
{
    bool any = false;
    fprintf(f, ", \"counts\": {");
    for (int k = 1; k <= MPP_KINDS; k++)
        if ((k == 1 && (r->kinds == 0 || r->kinds & 2)) || (k > 1 && asked(r, k))) {
            fprintf(f, "%s\"%s\": %" PRIu64, any ? ", " : "", mpp_pattern_name(k),
                    k == 1 ? primes : tuplets[k]);
            any = true;
        }
    fputc('}', f);
}

static const char *method_description(mpp_method m)
{
    return m == MPP_METHOD_TRIAL ? "trial (trial division up to sqrt(x))"
                                 : "sieve (segmented sieve of Eratosthenes)";
}

void mpp_report_text(FILE *f, const mpp_report *r)
{
    uint64_t first = 0, last = 0;
    bool any = mpp_report_first_last(r, &first, &last);
    time_summary t = summarize(r);

    fprintf(f, "# mpprimes %s\n", MPPRIMES_VERSION);
    fprintf(f, "# range          [%" PRIu64 ", %" PRIu64 "]\n", r->start, r->stop);
    fprintf(f, "# ranks          %d\n", r->ranks);
    fprintf(f, "# method         %s\n", method_description(r->method));
    fprintf(f, "# decomposition  %s\n", r->decomposition);
    if (r->chunk)
        fprintf(f, "# chunk          %" PRIu64 "\n", r->chunk);
    if (r->checkpoint && r->resumed >= 1)
        fprintf(f, "# checkpoint     %s (finished before: the results it holds)\n",
                r->checkpoint);
    else if (r->checkpoint && r->resumed > 0)
        fprintf(f, "# checkpoint     %s (resumed: %.1f%% of the range was done before; the "
                   "rows below are this run's)\n", r->checkpoint, 100 * r->resumed);
    else if (r->checkpoint)
        fprintf(f, "# checkpoint     %s\n", r->checkpoint);
    if (r->buffer_bytes) {
        fprintf(f, "# rounds         %" PRIu64 "\n", r->rounds);
        fprintf(f, "# buffer_bytes   %" PRIu64 "\n", r->buffer_bytes);
    }
    if (r->no_primes)
        fprintf(f, "# primes         - (not counted: the %s are listed)\n",
                mpp_pattern_name(first_kind(r)));
    else
        fprintf(f, "# primes         %" PRIu64 "\n", r->count);
    if (any && !r->no_primes) {
        fprintf(f, "# first          %" PRIu64 "\n", first);
        fprintf(f, "# last           %" PRIu64 "\n", last);
    } else {
        fprintf(f, "# first          -\n# last           -\n");
    }
    for (int k = 2; k <= MPP_KINDS; k++)
        if (asked(r, k))
            fprintf(f, "# %-14s %" PRIu64 "\n", mpp_pattern_name(k), r->tuplets[k]);
    if (r->nth)
        fprintf(f, "# nth_prime      %" PRIu64 " (N = %s%" PRIu64 ", START = %" PRIu64 ")\n",
                r->nth_prime, r->nth_neg ? "-" : "", r->nth_n, r->nth_start);
    fprintf(f, "#\n# %4s %-16s %20s %20s %12s %10s %10s %10s %12s %8s %20s %10s", "rank",
            "host", "start", "stop", "primes", "compute_s", "comm_s", "io_s", "max_rss_kib",
            "chunks", "numbers", "cpu_s");
    for (int k = 2; k <= MPP_KINDS; k++)
        if (asked(r, k))
            fprintf(f, " %12s", mpp_pattern_name(k));
    fputc('\n', f);
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        fprintf(f, "  %4d ", s->rank);
        table_word(f, s->host, 16);
        fputc(' ', f);
        if (s->empty)
            fprintf(f, "%20s %20s ", "-", "-");
        else
            fprintf(f, "%20" PRIu64 " %20" PRIu64 " ", s->lo, s->hi);
        if (r->no_primes)
            fprintf(f, "%12s", "-");
        else
            fprintf(f, "%12" PRIu64, s->count);
        fprintf(f, " %10.6f %10.6f %10.6f %12ld %8" PRIu64 " %20" PRIu64 " %10.6f",
                s->compute_s, s->comm_s, s->io_s, s->max_rss_kib, s->chunks,
                s->numbers, s->cpu_s);
        for (int k = 2; k <= MPP_KINDS; k++)
            if (asked(r, k))
                fprintf(f, " %12" PRIu64, s->tuplets[k]);
        fputc('\n', f);
    }
    fprintf(f, "#\n# compute_s      max %.6f  mean %.6f\n", t.compute_max, t.compute_mean);
    fprintf(f, "# comm_s         max %.6f  mean %.6f\n", t.comm_max, t.comm_mean);
    fprintf(f, "# io_s           max %.6f  mean %.6f\n", t.io_max, t.io_mean);
    fprintf(f, "# elapsed_s      %.6f\n", r->elapsed_s);
    mpp_report_bars(f, r, 40);
    if (r->serial_s >= 0) {
        fprintf(f, "# serial_s       %.6f (rank 0 alone, the same range and method)\n",
                r->serial_s);
        double speedup = r->elapsed_s > 0 ? r->serial_s / r->elapsed_s : 0;
        fprintf(f, "# speedup        %.2f on %d ranks (serial_s / elapsed_s)\n", speedup,
                r->ranks);
        fprintf(f, "# efficiency     %.2f (speedup / ranks)\n", speedup / r->ranks);
    }
    if (r->gaps)
        gaps_text(f, r->gaps);
}

void mpp_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void mpp_report_json(FILE *f, const mpp_report *r)
{
    uint64_t first = 0, last = 0;
    bool any = mpp_report_first_last(r, &first, &last);

    fprintf(f, "{\"version\": \"%s\", \"start\": %" PRIu64 ", \"stop\": %" PRIu64
               ", \"ranks\": %d, \"method\": \"%s\", \"decomposition\": ",
            MPPRIMES_VERSION, r->start, r->stop, r->ranks, mpp_method_name(r->method));
    mpp_json_string(f, r->decomposition);
    if (r->chunk)
        fprintf(f, ", \"chunk\": %" PRIu64, r->chunk);
    else
        fprintf(f, ", \"chunk\": null");
    if (r->checkpoint) {
        fprintf(f, ", \"checkpoint\": ");
        mpp_json_string(f, r->checkpoint);
        fprintf(f, ", \"resumed\": %.6f", r->resumed);
    }
    fprintf(f, ", \"rounds\": %" PRIu64, r->rounds);
    if (r->buffer_bytes)
        fprintf(f, ", \"buffer_bytes\": %" PRIu64, r->buffer_bytes);
    else
        fprintf(f, ", \"buffer_bytes\": null");
    if (r->no_primes)
        fprintf(f, ", \"count\": null");
    else
        fprintf(f, ", \"count\": %" PRIu64, r->count);
    if (any && !r->no_primes)
        fprintf(f, ", \"first\": %" PRIu64 ", \"last\": %" PRIu64, first, last);
    else
        fprintf(f, ", \"first\": null, \"last\": null");
    counts_json(f, r, r->count, r->tuplets);
    if (r->gaps)
        gaps_json(f, r->gaps);
    if (r->nth)
        fprintf(f, ", \"nth_prime\": %" PRIu64 ", \"nth\": {\"n\": %s%" PRIu64
                   ", \"start\": %" PRIu64 "}",
                r->nth_prime, r->nth_neg ? "-" : "", r->nth_n, r->nth_start);
    mpp_balance b = mpp_report_balance(r);
    fprintf(f, ", \"elapsed_s\": %.9f, \"cpu_max_s\": %.9f, \"cpu_mean_s\": %.9f"
               ", \"imbalance\": %.6f",
            r->elapsed_s, b.cpu_max, b.cpu_mean, b.imbalance);
    if (r->serial_s >= 0) {
        double speedup = r->elapsed_s > 0 ? r->serial_s / r->elapsed_s : 0;
        fprintf(f, ", \"serial_s\": %.9f, \"speedup\": %.6f, \"efficiency\": %.6f",
                r->serial_s, speedup, speedup / r->ranks);
    } else {
        fprintf(f, ", \"serial_s\": null, \"speedup\": null, \"efficiency\": null");
    }
    fprintf(f, ", \"per_rank\": [");
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        fprintf(f, "%s\n  {\"rank\": %d, \"host\": ", i ? "," : "", s->rank);
        mpp_json_string(f, s->host);
        if (s->empty)
            fprintf(f, ", \"start\": null, \"stop\": null, \"empty\": true");
        else
            fprintf(f, ", \"start\": %" PRIu64 ", \"stop\": %" PRIu64 ", \"empty\": false",
                    s->lo, s->hi);
        fprintf(f, ", \"chunks\": %" PRIu64 ", \"numbers\": %" PRIu64, s->chunks,
                s->numbers);
        if (r->no_primes)
            fprintf(f, ", \"count\": null");
        else
            fprintf(f, ", \"count\": %" PRIu64, s->count);
        fprintf(f, ", \"compute_s\": %.9f, \"cpu_s\": %.9f"
                   ", \"comm_s\": %.9f, \"io_s\": %.9f, \"max_rss_kib\": %ld",
                s->compute_s, s->cpu_s, s->comm_s, s->io_s, s->max_rss_kib);
        counts_json(f, r, s->count, s->tuplets);
        fputc('}', f);
    }
    fprintf(f, "\n]}\n");
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int mpp_distinct_strings(const char **names, int n)
{
    if (n <= 0)
        return 0;
    qsort(names, (size_t)n, sizeof *names, compare_names);
    int distinct = 1;
    for (int i = 1; i < n; i++)
        distinct += strcmp(names[i - 1], names[i]) != 0;
    return distinct;
}

int mpp_report_hosts(const mpp_report *r)
{
    if (r->ranks <= 0)
        return 0;
    const char **names = malloc((size_t)r->ranks * sizeof *names);
    if (names == NULL)
        return -1;
    for (int i = 0; i < r->ranks; i++)
        names[i] = r->per_rank[i].host;
    int distinct = mpp_distinct_strings(names, r->ranks);
    free(names);
    return distinct;
}

/* A CSV field: as is, or quoted with its quotes doubled when it holds a
 * comma, a quote or a line break; NULL is an empty field. */
static void csv_field(FILE *f, const char *text)
{
    if (text == NULL)
        return;
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', f);
        fputc(*text, f);
    }
    fputc('"', f);
}

void mpp_report_csv_header(FILE *f)
{
    fputs(MPP_CSV_COLUMNS "\n", f);
}

void mpp_report_csv_row(FILE *f, const mpp_report *r, const mpp_csv_context *c)
{
    uint64_t first = 0, last = 0;
    bool any = mpp_report_first_last(r, &first, &last);
    time_summary t = summarize(r);
    long rss = 0;
    for (int i = 0; i < r->ranks; i++)
        rss = r->per_rank[i].max_rss_kib > rss ? r->per_rank[i].max_rss_kib : rss;

    csv_field(f, c ? c->timestamp : NULL);
    fprintf(f, ",%s,%" PRIu64 ",%" PRIu64 ",%d,", MPPRIMES_VERSION, r->start, r->stop,
            r->ranks);
    int hosts = mpp_report_hosts(r);
    if (hosts >= 0) /* else out of memory: an empty field */
        fprintf(f, "%d", hosts);
    fprintf(f, ",%s,", mpp_method_name(r->method));
    csv_field(f, r->decomposition);
    fprintf(f, ",%" PRIu64 ",", r->rounds);
    if (r->buffer_bytes)
        fprintf(f, "%" PRIu64, r->buffer_bytes);
    fputc(',', f);
    if (!r->no_primes)
        fprintf(f, "%" PRIu64, r->count);
    fputc(',', f);
    if (any && !r->no_primes)
        fprintf(f, "%" PRIu64 ",%" PRIu64, first, last);
    else
        fputc(',', f);
    fprintf(f, ",%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%ld,", r->elapsed_s, t.compute_max,
            t.compute_mean, t.comm_max, t.comm_mean, t.io_max, rss);
    csv_field(f, c ? c->job_id : NULL);
    fputc(',', f);
    csv_field(f, c ? c->job_nodelist : NULL);
    mpp_balance b = mpp_report_balance(r);
    fputc(',', f);
    if (r->chunk)
        fprintf(f, "%" PRIu64, r->chunk);
    fprintf(f, ",%.6f,%.6f,%.6f,", b.cpu_max, b.cpu_mean, b.imbalance);
    if (r->serial_s >= 0)
        fprintf(f, "%.6f", r->serial_s);
    for (int k = 2; k <= MPP_KINDS; k++) {
        fputc(',', f);
        if (asked(r, k))
            fprintf(f, "%" PRIu64, r->tuplets[k]);
    }
    mpp_gap big = r->gaps ? mpp_gaps_largest(r->gaps) : (mpp_gap){0, 0};
    if (big.gap)
        fprintf(f, ",%" PRIu64 ",%" PRIu64, big.gap, big.after);
    else
        fputs(",,", f);
    fputc(',', f);
    if (r->nth)
        fprintf(f, "%" PRIu64, r->nth_prime);
    fputc('\n', f);
}
