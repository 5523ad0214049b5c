/* reporting.c - the report: every rank's row to rank 0, which prints the
 * report (text or JSON, report.h) and appends the CSV row (--csv).
 *
 * Only rank 0 prints. A rank's row is its mpp_rank_stats (what it did and
 * found, its times and peak memory) and its elapsed time, packed as one
 * record (records.h).
 *
 * MPI calls: MPI_Get_processor_name, MPI_Gather (the rows).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memory.h"
#include "records.h"
#include "report.h"
#include "run.h"

/* Rank 0, --csv: the run's row (after a header when the file is empty),
 * appended in one write. */
static void append_csv_row(run *r, const mpp_report *rep)
{
    char stamp[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) != NULL)
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    mpp_csv_context ctx = {.timestamp = stamp,
                           .job_id = getenv("SLURM_JOB_ID"),
                           .job_nodelist = getenv("SLURM_JOB_NODELIST")};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int e = ENOMEM;
    if (f != NULL) {
        mpp_appendfile_lock(&r->csv); /* another run may be appending too */
        if (mpp_appendfile_empty(&r->csv))
            mpp_report_csv_header(f);
        mpp_report_csv_row(f, rep, &ctx);
        e = fclose(f) == 0 ? mpp_appendfile_write(&r->csv, text, len) : ENOMEM;
        mpp_appendfile_unlock(&r->csv);
    }
    free(text);
    if (e) {
        fprintf(r->err, "mpprimes: cannot write CSV file '%s': %s\n", r->opts.csv,
                strerror(e));
        r->status = EXIT_RUNTIME;
    }
}

/* This rank's row. */
static mpp_rank_stats own_row(run *r)
{
    char name[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    MPI_CHECK(r, MPI_Get_processor_name(name, &len));
    const mpp_rank_work *w = &r->work;
    mpp_rank_stats s = {.rank = r->rank,
                        .empty = !w->spanned,
                        .lo = w->lo,
                        .hi = w->hi,
                        .count = w->result.primes.count,
                        .first = w->result.primes.first,
                        .last = w->result.primes.last,
                        .chunks = w->chunks,
                        .numbers = w->numbers,
                        .compute_s = r->compute_s,
                        .cpu_s = r->cpu_s,
                        .comm_s = r->comm_s,
                        .io_s = r->io_s,
                        .max_rss_kib = mpp_max_rss_kib()};
    for (int k = 2; k <= MPP_KINDS; k++)
        s.tuplets[k] = w->result.tuplets[k];
    snprintf(s.host, sizeof s.host, "%.*s", len, name);
    return s;
}

/* Rank 0: the report of the run, from every rank's row in STATS. */
static void print_report(run *r, const mpp_rank_stats *stats, double elapsed)
{
    const mpp_options *o = &r->opts;
    mpp_report rep = {.start = o->start,
                      .stop = o->stop,
                      .ranks = r->size,
                      .method = o->method,
                      .decomposition = mpp_decomposition_name(o->decomposition),
                      .chunk = o->decomposition >= MPP_DECOMP_CYCLIC ? o->chunk : 0,
                      .rounds = r->progress.rounds,
                      .buffer_bytes = o->count_only ? 0 : o->buffer,
                      .count = r->progress.result.primes.count,
                      .elapsed_s = elapsed,
                      .per_rank = stats,
                      .serial_s = r->serial_s,
                      .kinds = o->kinds,
                      .no_primes = !o->count_only && mpp_list_kind(o) > 1,
                      .gaps = o->gaps ? r->gaps : NULL,
                      .nth = o->nth,
                      .nth_neg = r->nth.neg,
                      .nth_n = r->nth.n,
                      .nth_start = r->nth.start,
                      .nth_prime = r->nth_prime,
                      .checkpoint = o->checkpoint,
                      .resumed = r->ck ? r->ck_before : 0,
                      .whole = r->ck != NULL,
                      .first = r->progress.result.primes.first,
                      .last = r->progress.result.primes.last};
    for (int k = 2; k <= MPP_KINDS; k++)
        rep.tuplets[k] = r->progress.result.tuplets[k];
    if (!o->quiet) {
        if (o->json)
            mpp_report_json(r->report, &rep);
        else
            mpp_report_text(r->report, &rep);
        if ((fflush(r->report) != 0 || ferror(r->report)) && errno != EPIPE) {
            /* (EPIPE: a reader that left early, `| head`, is no error) */
            fprintf(r->err, "mpprimes: cannot write the report%s: %s\n",
                    r->report == r->err ? " to standard error" : " to standard output",
                    strerror(errno));
            r->status = EXIT_RUNTIME;
        }
    }
    /* (a finished checkpoint's report again did no work: no row for it) */
    if (r->csv_open && r->status == EXIT_DONE && !r->finished)
        append_csv_row(r, &rep);
}

void mpp_report_step(run *r)
{
    mpp_rank_stats mine = own_row(r);
    uint64_t row[MPP_RANK_ROW_WORDS], *rows = NULL;
    mpp_rank_row_pack(&mine, r->elapsed_s, row);
    if (r->rank == 0)
        rows = mpp_xmalloc(r, (size_t)r->size * MPP_RANK_ROW_WORDS * sizeof *rows);
    MPI_CHECK(r, MPI_Gather(row, MPP_RANK_ROW_WORDS, MPI_UINT64_T, rows, MPP_RANK_ROW_WORDS,
                            MPI_UINT64_T, 0, r->comm));
    bool wanted = !r->opts.quiet || r->csv_open;
    if (r->rank == 0 && wanted && r->status == EXIT_DONE && !r->reader_gone) {
        mpp_rank_stats *stats = mpp_xmalloc(r, (size_t)r->size * sizeof *stats);
        double elapsed = 0;
        for (int i = 0; i < r->size; i++) {
            double e;
            mpp_rank_row_unpack(rows + (size_t)i * MPP_RANK_ROW_WORDS, i, &stats[i], &e);
            elapsed = e > elapsed ? e : elapsed;
        }
        print_report(r, stats, elapsed);
        free(stats);
    }
    free(rows);
}
