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
    time_summary t = {0, 0, 0, 0, 0, 0};
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
    if (r->buffer_bytes) {
        fprintf(f, "# rounds         %" PRIu64 "\n", r->rounds);
        fprintf(f, "# buffer_bytes   %" PRIu64 "\n", r->buffer_bytes);
    }
    fprintf(f, "# primes         %" PRIu64 "\n", r->count);
    if (any) {
        fprintf(f, "# first          %" PRIu64 "\n", first);
        fprintf(f, "# last           %" PRIu64 "\n", last);
    } else {
        fprintf(f, "# first          -\n# last           -\n");
    }
    fprintf(f, "#\n# %4s %-16s %20s %20s %12s %10s %10s %10s %12s\n", "rank", "host",
            "start", "stop", "primes", "compute_s", "comm_s", "io_s", "max_rss_kib");
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        fprintf(f, "  %4d ", s->rank);
        table_word(f, s->host, 16);
        fputc(' ', f);
        if (s->empty)
            fprintf(f, "%20s %20s ", "-", "-");
        else
            fprintf(f, "%20" PRIu64 " %20" PRIu64 " ", s->lo, s->hi);
        fprintf(f, "%12" PRIu64 " %10.6f %10.6f %10.6f %12ld\n", s->count, s->compute_s,
                s->comm_s, s->io_s, s->max_rss_kib);
    }
    fprintf(f, "#\n# compute_s      max %.6f  mean %.6f\n", t.compute_max, t.compute_mean);
    fprintf(f, "# comm_s         max %.6f  mean %.6f\n", t.comm_max, t.comm_mean);
    fprintf(f, "# io_s           max %.6f  mean %.6f\n", t.io_max, t.io_mean);
    fprintf(f, "# elapsed_s      %.6f\n", r->elapsed_s);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_string(FILE *f, const char *s)
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
    json_string(f, r->decomposition);
    fprintf(f, ", \"rounds\": %" PRIu64, r->rounds);
    if (r->buffer_bytes)
        fprintf(f, ", \"buffer_bytes\": %" PRIu64, r->buffer_bytes);
    else
        fprintf(f, ", \"buffer_bytes\": null");
    fprintf(f, ", \"count\": %" PRIu64, r->count);
    if (any)
        fprintf(f, ", \"first\": %" PRIu64 ", \"last\": %" PRIu64, first, last);
    else
        fprintf(f, ", \"first\": null, \"last\": null");
    fprintf(f, ", \"elapsed_s\": %.9f, \"per_rank\": [", r->elapsed_s);
    for (int i = 0; i < r->ranks; i++) {
        const mpp_rank_stats *s = &r->per_rank[i];
        fprintf(f, "%s\n  {\"rank\": %d, \"host\": ", i ? "," : "", s->rank);
        json_string(f, s->host);
        if (s->empty)
            fprintf(f, ", \"start\": null, \"stop\": null, \"empty\": true");
        else
            fprintf(f, ", \"start\": %" PRIu64 ", \"stop\": %" PRIu64 ", \"empty\": false",
                    s->lo, s->hi);
        fprintf(f, ", \"count\": %" PRIu64 ", \"compute_s\": %.9f, \"comm_s\": %.9f"
                   ", \"io_s\": %.9f, \"max_rss_kib\": %ld}",
                s->count, s->compute_s, s->comm_s, s->io_s, s->max_rss_kib);
    }
    fprintf(f, "\n]}\n");
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
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
    qsort(names, (size_t)r->ranks, sizeof *names, compare_names);
    int distinct = 1;
    for (int i = 1; i < r->ranks; i++)
        distinct += strcmp(names[i - 1], names[i]) != 0;
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
    fprintf(f, ",%" PRIu64 ",", r->count);
    if (any)
        fprintf(f, "%" PRIu64 ",%" PRIu64, first, last);
    else
        fputc(',', f);
    fprintf(f, ",%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%ld,", r->elapsed_s, t.compute_max,
            t.compute_mean, t.comm_max, t.comm_mean, t.io_max, rss);
    csv_field(f, c ? c->job_id : NULL);
    fputc(',', f);
    csv_field(f, c ? c->job_nodelist : NULL);
    fputc('\n', f);
}
