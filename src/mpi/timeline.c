/* timeline.c - --timeline: what every rank did when, on one clock.
 *
 * Owns: rank 0's check that the file can be created; the clocks aligned
 * at the start (MPI_WTIME_IS_GLOBAL when the library says its clocks are
 * one; otherwise each rank measures its offset to rank 0's clock by a few
 * round trips, and takes the midpoint of the fastest); the spans a rank
 * records (its compute per chunk, each MPI call of the pipeline, its
 * writes), at most its share of MPP_TIMELINE_EVENTS; and, after the report,
 * the spans gathered at rank 0, which writes the trace (timeline.h) under a
 * temporary name and renames it into place, as --output does.
 *
 * MPI calls: MPI_Comm_get_attr (MPI_WTIME_IS_GLOBAL), MPI_Send and MPI_Recv
 * (the round trips), MPI_Get_processor_name, MPI_Gather (counts and host
 * names), MPI_Gatherv (the spans). None of them counts in comm_s, nor is
 * recorded: they are the timeline's own cost, not the run's.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "records.h"
#include "numparse.h"
#include "report.h"
#include "run.h"

enum { TAG_CLOCK = 103, PINGS = 8 };

int mpp_timeline_preflight(run *r)
{
    if (r->opts.timeline == NULL)
        return EXIT_DONE;
    mpp_outfile probe;
    int e = mpp_outfile_open(&probe, r->opts.timeline);
    if (e) {
        fprintf(r->err, "mpprimes: cannot create timeline file '%s': %s\n", r->opts.timeline,
                strerror(e));
        return EXIT_RUNTIME;
    }
    mpp_outfile_abandon(&probe); /* made again, and written, after the run */
    return EXIT_DONE;
}

/* Rank I's offset to rank 0's clock, by PINGS round trips: the midpoint of
 * the fastest one. */
static void align_clocks(run *r)
{
    int *global = NULL, flag = 0;
    MPI_CHECK(r, MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_WTIME_IS_GLOBAL, &global, &flag));
    r->tl_offset = 0;
    r->tl_one_clock = (flag && global && *global) || r->size == 1;
    if (r->tl_one_clock)
        return;
    if (r->rank == 0) {
        for (int i = 1; i < r->size; i++)
            for (int k = 0; k < PINGS; k++) {
                double asked, now;
                MPI_CHECK(r, MPI_Recv(&asked, 1, MPI_DOUBLE, i, TAG_CLOCK, r->comm,
                                      MPI_STATUS_IGNORE));
                now = MPI_Wtime();
                MPI_CHECK(r, MPI_Send(&now, 1, MPI_DOUBLE, i, TAG_CLOCK, r->comm));
            }
        return;
    }
    double best = INFINITY;
    for (int k = 0; k < PINGS; k++) {
        double t1 = MPI_Wtime(), t0;
        MPI_CHECK(r, MPI_Send(&t1, 1, MPI_DOUBLE, 0, TAG_CLOCK, r->comm));
        MPI_CHECK(r, MPI_Recv(&t0, 1, MPI_DOUBLE, 0, TAG_CLOCK, r->comm, MPI_STATUS_IGNORE));
        double t2 = MPI_Wtime();
        if (t2 - t1 < best) {
            best = t2 - t1;
            r->tl_offset = t0 - (t1 + t2) / 2;
        }
    }
}

uint64_t mpp_timeline_events(run *r)
{
    const char *v = getenv("MPPRIMES_TIMELINE_EVENTS");
    char why[256];
    uint64_t n = MPP_TIMELINE_EVENTS;
    if (v == NULL)
        return n;
    if (mpp_parse_u64(v, &n, why, sizeof why) != MPP_NUM_OK) {
        fprintf(r->err, "mpprimes: MPPRIMES_TIMELINE_EVENTS: %s\n", why);
        return 0;
    }
    if (n == 0)
        fprintf(r->err, "mpprimes: MPPRIMES_TIMELINE_EVENTS must be at least 1\n");
    return n;
}

void mpp_timeline_start(run *r, uint64_t total)
{
    align_clocks(r);
    mpp_timeline_init(&r->tl, mpp_timeline_rank_max(total, r->size));
    r->tl_on = true;
}

void mpp_span_note(run *r, mpp_span_cat cat, const char *what, double t0, double t1,
                   uint64_t lo, uint64_t hi)
{
    if (!r->tl_on)
        return;
    mpp_span s = {.start = t0 + r->tl_offset, .end = t1 + r->tl_offset, .cat = cat,
                  .round = r->round, .lo = lo, .hi = hi};
    snprintf(s.what, sizeof s.what, "%s", what);
    mpp_timeline_add(&r->tl, &s);
}

void mpp_span_comm(run *r, const char *call, double t0, double t1)
{
    char what[MPP_SPAN_NAME];
    size_t n = strcspn(call, "(");
    snprintf(what, sizeof what, "%.*s", (int)n, call);
    mpp_span_note(r, MPP_SPAN_COMM, what, t0, t1, 0, 0);
}

/* Rank 0: the trace of every lane into the file. Returns 0 or an errno. */
static int write_trace(run *r, const mpp_trace_lane *lanes)
{
    mpp_outfile out;
    int e = mpp_outfile_open(&out, r->opts.timeline);
    if (e)
        return e;
    int fd = dup(out.fd);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        e = errno ? errno : EIO;
        if (fd >= 0)
            close(fd);
        mpp_outfile_abandon(&out);
        return e;
    }
    const char *clock = r->tl_one_clock
                            ? "one clock: MPI_Wtime of rank 0 (MPI_WTIME_IS_GLOBAL, or one rank)"
                            : "each rank's MPI_Wtime moved onto rank 0's by the fastest of 8 "
                              "round trips with rank 0 at the start; 0 is rank 0's start";
    errno = 0;
    bool ok = mpp_trace_write(f, lanes, r->size, r->tl.max, clock);
    e = errno ? errno : EIO;
    if (fclose(f) != 0 && ok) {
        ok = false;
        e = errno ? errno : EIO;
    }
    if (!ok) {
        mpp_outfile_abandon(&out);
        return e;
    }
    return mpp_outfile_commit(&out);
}

void mpp_timeline_finish(run *r)
{
    if (!r->tl_on)
        return;
    char host[MPP_HOST_MAX] = {0}, name[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    MPI_CHECK(r, MPI_Get_processor_name(name, &len));
    snprintf(host, sizeof host, "%.*s", len, name);
    uint64_t mine[2] = {r->tl.n, r->tl.dropped};
    uint64_t *words = mpp_xmalloc(r, (r->tl.n ? r->tl.n : 1) * MPP_SPAN_WORDS * sizeof *words);
    for (size_t k = 0; k < r->tl.n; k++)
        mpp_span_pack(&r->tl.spans[k], words + k * MPP_SPAN_WORDS);
    uint64_t *counts = NULL, *all = NULL;
    char *hosts = NULL;
    int *wcounts = NULL, *displs = NULL;
    if (r->rank == 0) {
        counts = mpp_xmalloc(r, (size_t)r->size * 2 * sizeof *counts);
        hosts = mpp_xmalloc(r, (size_t)r->size * MPP_HOST_MAX);
        wcounts = mpp_xmalloc(r, (size_t)r->size * sizeof *wcounts);
        displs = mpp_xmalloc(r, (size_t)r->size * sizeof *displs);
    }
    MPI_CHECK(r, MPI_Gather(mine, 2, MPI_UINT64_T, counts, 2, MPI_UINT64_T, 0, r->comm));
    MPI_CHECK(r, MPI_Gather(host, MPP_HOST_MAX, MPI_CHAR, hosts, MPP_HOST_MAX, MPI_CHAR, 0,
                            r->comm));
    size_t total = 0;
    if (r->rank == 0) {
        for (int i = 0; i < r->size; i++) {
            wcounts[i] = (int)(counts[2 * i] * MPP_SPAN_WORDS);
            displs[i] = (int)(total * MPP_SPAN_WORDS);
            total += counts[2 * i];
        }
        all = mpp_xmalloc(r, (total ? total : 1) * MPP_SPAN_WORDS * sizeof *all);
    }
    MPI_CHECK(r, MPI_Gatherv(words, (int)(r->tl.n * MPP_SPAN_WORDS), MPI_UINT64_T, all,
                             wcounts, displs, MPI_UINT64_T, 0, r->comm));
    if (r->rank == 0 && r->status == EXIT_DONE && !r->reader_gone) {
        mpp_span *spans = mpp_xmalloc(r, (total ? total : 1) * sizeof *spans);
        mpp_trace_lane *lanes = mpp_xmalloc(r, (size_t)r->size * sizeof *lanes);
        size_t at = 0;
        for (int i = 0; i < r->size; i++) {
            size_t n = counts[2 * i];
            for (size_t k = 0; k < n; k++) {
                mpp_span *s = &spans[at + k];
                mpp_span_unpack(all + (at + k) * MPP_SPAN_WORDS, s);
                s->start -= r->t_start; /* 0: rank 0's start */
                s->end -= r->t_start;
            }
            hosts[(size_t)i * MPP_HOST_MAX + MPP_HOST_MAX - 1] = '\0';
            lanes[i] = (mpp_trace_lane){.rank = i, .host = hosts + (size_t)i * MPP_HOST_MAX,
                                        .spans = spans + at, .n = n,
                                        .dropped = counts[2 * i + 1]};
            at += n;
        }
        int e = write_trace(r, lanes);
        if (e) {
            fprintf(r->err, "mpprimes: cannot write timeline file '%s': %s\n",
                    r->opts.timeline, strerror(e));
            r->status = EXIT_RUNTIME;
        }
        free(spans);
        free(lanes);
    }
    free(words);
    free(counts);
    free(all);
    free(hosts);
    free(wcounts);
    free(displs);
    mpp_timeline_free(&r->tl);
    r->tl_on = false;
}
