/* selftest.c - --self-test: checks that this machine and MPI stack find the
 * right primes, as `primesieve --test` does for one machine, but on every
 * rank and across hosts. Rank 0 prints a header, one line per check
 * ("ok   ..." or "FAIL ...: what differed"), and a summary; the exit status
 * is 0 when every check passed, 1 otherwise. The checks (what they compare
 * with is in src/core/selftest.h):
 *
 *   1. published values: the ranks share [0, 10^8] in blocks; each counts the
 *      primes and k-tuplets of its block at x = 10^1 .. 10^8, and the primes
 *      of its block of [0, 10^9] (MPI_Reduce, MPI_SUM); rank 0 compares
 *      pi(x) and the tuplet counts with the table.
 *   2. Miller-Rabin: every rank lists the primes of its random ranges (from
 *      the job's seed, MPI_Bcast) with the sieve and checks each number with
 *      Miller-Rabin; the last rank's last range ends at 2^64 - 1.
 *   3. trial division: the same ranges below 2^40, listed by trial division.
 *   4. agreement: every rank counts the same range, 2^21 numbers from 10^12
 *      (primes, tuplets, a checksum of the primes); MPI_Allreduce of the
 *      minimum and the maximum tells whether the ranks, on whatever hosts,
 *      agree.
 *   Checks 2 and 3 bring each rank's first discrepancy to rank 0 with one
 *   MPI_Gather of a verdict record (records.h).
 *
 * MPI calls: MPI_Bcast, MPI_Reduce, MPI_Gather, MPI_Allreduce,
 * MPI_Get_processor_name.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "selftest.h"
#include "sieve.h" /* MPP_SIEVE_WINDOW */

/* ---- the checks' lines ---- */

typedef struct {
    run *r;
    int passed, failed;
    double t0;
} verdicts;

/* Rank 0: one check's line. WHY is NULL when it passed. */
static void say(verdicts *v, const char *what, const char *why, double t0)
{
    if (why == NULL)
        v->passed++;
    else
        v->failed++;
    if (v->r->rank != 0)
        return;
    double s = MPI_Wtime() - t0;
    if (why == NULL)
        fprintf(v->r->out, "ok   %-66s %6.2f s\n", what, s);
    else
        fprintf(v->r->out, "FAIL %s: %s\n", what, why);
    fflush(v->r->out);
}

/* ---- the finder, and a fault for the tests ---- */

/* MPPRIMES_SELF_TEST_FAULT=K makes rank K drop the first prime of every
 * piece it finds, so that tests/integration can watch each check fail. */
typedef struct {
    const mpp_sink *to;
    bool dropped;
} dropper;

static int drop_first(void *ctx, const uint64_t *primes, size_t n)
{
    dropper *d = ctx;
    if (!d->dropped && n > 0) {
        d->dropped = true;
        primes++;
        n--;
    }
    return n > 0 ? d->to->fn(d->to->ctx, primes, n) : 0;
}

static bool faulty(const run *r)
{
    const char *env = getenv("MPPRIMES_SELF_TEST_FAULT");
    char *end;
    long k = env && *env ? strtol(env, &end, 10) : -1;
    return k >= 0 && *end == '\0' && k == r->rank;
}

/* The primes of [LO, HI] by METHOD (the rank's finder for the sieve) into
 * SINK, or only counted into *COUNT when SINK is NULL. */
static int find(run *r, mpp_method method, uint64_t lo, uint64_t hi, const mpp_sink *sink,
                uint64_t *count)
{
    dropper d = {.to = sink};
    mpp_sink faulty_sink = {.fn = drop_first, .ctx = &d};
    bool fault = faulty(r);
    if (fault && sink)
        sink = &faulty_sink;
    mpp_tally t = {.count = 0};
    int err;
    if (method != MPP_METHOD_SIEVE) {
        err = mpp_find_primes(method, lo, hi, sink, &t);
    } else if (hi >= MPP_SIEVE_WINDOW_FROM && hi - lo < MPP_SIEVE_WINDOW) {
        /* A short range up high is a job of its own: a finder made for it
         * (horizon HI) holds the sieving primes of the range alone, where
         * the rank's (horizon 2^64 - 1) would hold a whole window's. */
        mpp_finder *f = mpp_finder_new(MPP_METHOD_SIEVE, hi);
        err = f ? mpp_finder_find(f, lo, hi, sink, &t, NULL) : MPP_ENOMEM;
        mpp_finder_free(f);
    } else {
        err = mpp_finder_find(r->finder, lo, hi, sink, &t, NULL);
    }
    if (count)
        *count = t.count - (fault && t.count > 0);
    return err;
}

/* ---- 1. published values ---- */

/* pi(x) to 10^PI_DECADES (counted), the tuplets to 10^TUPLET_DECADES (listed). */
enum { PI_DECADES = 9, TUPLET_DECADES = 8 };

static void check_published(verdicts *v)
{
    run *r = v->r;
    double t0 = MPI_Wtime();
    uint64_t limits[TUPLET_DECADES], x = 1;
    for (int k = 0; k < TUPLET_DECADES; k++)
        limits[k] = x *= 10;
    enum { WORDS = TUPLET_DECADES * MPP_KINDS + 1 };
    uint64_t mine[WORDS] = {0}, all[WORDS] = {0};
    /* The tuplets of this rank's block of [0, 10^8], and the primes below
     * each power of ten there. */
    uint64_t top = limits[TUPLET_DECADES - 1];
    mpp_block b = mpp_block_of(0, top, r->size, r->rank);
    mpp_tuplet_counter c;
    mpp_tuplet_counter_init(&c, b.lo, b.hi, limits, TUPLET_DECADES);
    int err = MPP_OK;
    if (!b.empty) {
        uint64_t end = b.hi > top - MPP_SPAN ? top : b.hi + MPP_SPAN;
        mpp_sink sink = {.fn = mpp_tuplet_counter_push, .ctx = &c};
        err = find(r, MPP_METHOD_SIEVE, b.lo, end, &sink, NULL);
    }
    for (int k = 0; k < TUPLET_DECADES; k++)
        for (int kind = 0; kind < MPP_KINDS; kind++)
            mine[k * MPP_KINDS + kind] = mpp_tuplet_counter_count(&c, (size_t)k, kind);
    /* The primes of this rank's block of [0, 10^9], counted. */
    b = mpp_block_of(0, x * 10, r->size, r->rank);
    if (err == MPP_OK && !b.empty)
        err = find(r, MPP_METHOD_SIEVE, b.lo, b.hi, NULL, &mine[WORDS - 1]);
    if (err != MPP_OK)
        for (int k = 0; k < WORDS; k++)
            mine[k] = UINT64_MAX / 64; /* out of memory: a sum no table holds */
    MPI_TIMED(r, MPI_Reduce(mine, all, WORDS, MPI_UINT64_T, MPI_SUM, 0, r->comm));
    char why[200] = "", what[120];
    snprintf(what, sizeof what, "pi(x), x = 10^1 .. 10^%d: published values", PI_DECADES);
    for (int k = 0; k < PI_DECADES && !why[0]; k++) {
        uint64_t got = k < TUPLET_DECADES ? all[k * MPP_KINDS] : all[WORDS - 1];
        if (got != mpp_known_counts[k][0])
            snprintf(why, sizeof why, "pi(10^%d) = %" PRIu64 ", published %" PRIu64, k + 1, got,
                     mpp_known_counts[k][0]);
    }
    say(v, what, why[0] ? why : NULL, t0);
    snprintf(what, sizeof what, "k-tuplets in [0, 10^k], k = 1 .. %d: published values",
             TUPLET_DECADES);
    why[0] = '\0';
    for (int k = 0; k < TUPLET_DECADES && !why[0]; k++)
        for (int kind = 1; kind < MPP_KINDS && !why[0]; kind++)
            if (all[k * MPP_KINDS + kind] != mpp_known_counts[k][kind])
                snprintf(why, sizeof why, "%s in [0, 10^%d] = %" PRIu64 ", published %" PRIu64,
                         mpp_kind_name(kind), k + 1, all[k * MPP_KINDS + kind],
                         mpp_known_counts[k][kind]);
    say(v, what, why[0] ? why : NULL, t0);
}

/* ---- 2, 3. random ranges against Miller-Rabin and trial division ---- */

/* This rank's first discrepancy in RANGE between LISTED (found by METHOD) and
 * Miller-Rabin, or none: the verdict's fields. */
static void compare_with_mr(mpp_test_range range, const mpp_vec *listed, int err,
                            mpp_selftest_verdict *out)
{
    if (out->failures)
        return;
    if (err != MPP_OK) {
        *out = (mpp_selftest_verdict){.failures = 1, .lo = range.lo, .hi = range.hi,
                                      .number = 0, .listed = 2, .reference = 2};
        return;
    }
    size_t i = 0;
    for (uint64_t n = range.lo;; n++) {
        bool mr = mpp_is_prime(n);
        bool in = i < listed->len && listed->data[i] == n;
        if (in)
            i++;
        if (mr != in) {
            *out = (mpp_selftest_verdict){.failures = 1, .lo = range.lo, .hi = range.hi,
                                          .number = n, .listed = in, .reference = mr};
            return;
        }
        if (n == range.hi)
            break;
    }
    if (i != listed->len) /* listed numbers out of the range or out of order */
        *out = (mpp_selftest_verdict){.failures = 1, .lo = range.lo, .hi = range.hi,
                                      .number = listed->data[i], .listed = 1,
                                      .reference = 0};
}

/* Rank 0: the first failing rank's verdict in words, or NULL when none. */
static const char *first_failure(const uint64_t *words, int size, const char *method,
                                 char *why, size_t len)
{
    for (int k = 0; k < size; k++) {
        mpp_selftest_verdict f;
        mpp_selftest_verdict_unpack(words + (size_t)k * MPP_VERDICT_WORDS, &f);
        if (!f.failures)
            continue;
        if (f.listed == 2)
            snprintf(why, len, "rank %d, [%" PRIu64 ", %" PRIu64 "]: %s ran out of memory", k,
                     f.lo, f.hi, method);
        else
            snprintf(why, len,
                     "rank %d, [%" PRIu64 ", %" PRIu64 "]: %" PRIu64 " is %s by %s, %s by "
                     "Miller-Rabin",
                     k, f.lo, f.hi, f.number, f.listed ? "prime" : "not prime", method,
                     f.reference ? "prime" : "not prime");
        return why;
    }
    return NULL;
}

static void check_ranges(verdicts *v, uint64_t seed)
{
    run *r = v->r;
    mpp_test_range ranges[MPP_SELFTEST_RANGES];
    mpp_selftest_ranges(seed, r->rank, r->size, ranges);
    uint64_t words[MPP_VERDICT_WORDS];
    uint64_t *all = r->rank == 0 ? mpp_xmalloc(r, (size_t)r->size * sizeof words) : NULL;
    char why[300], what[120];
    for (int pass = 0; pass < 2; pass++) {
        double t0 = MPI_Wtime();
        bool trial = pass == 1;
        mpp_selftest_verdict mine = {.failures = 0};
        int checked = trial ? 2 : MPP_SELFTEST_RANGES; /* trial division: below 2^40 */
        for (int i = 0; i < checked; i++) {
            mpp_vec vec = {0};
            mpp_sink sink = {.fn = mpp_vec_push, .ctx = &vec};
            int err = find(r, trial ? MPP_METHOD_TRIAL : MPP_METHOD_SIEVE, ranges[i].lo,
                           ranges[i].hi, &sink, NULL);
            compare_with_mr(ranges[i], &vec, err, &mine);
            mpp_vec_free(&vec);
        }
        mpp_selftest_verdict_pack(&mine, words);
        MPI_TIMED(r, MPI_Gather(words, MPP_VERDICT_WORDS, MPI_UINT64_T, all, MPP_VERDICT_WORDS,
                                MPI_UINT64_T, 0, r->comm));
        const char *method = trial ? "trial division" : "the sieve";
        if (trial)
            snprintf(what, sizeof what, "%d random ranges below 2^40: trial division = Miller-Rabin",
                     2 * r->size);
        else
            snprintf(what, sizeof what, "%d random ranges up to 2^64-1: sieve = Miller-Rabin",
                     MPP_SELFTEST_RANGES * r->size);
        say(v, what, r->rank == 0 ? first_failure(all, r->size, method, why, sizeof why) : NULL,
            t0);
    }
    free(all);
}

/* ---- 4. the ranks agree ---- */

static void check_agreement(verdicts *v, int hosts)
{
    run *r = v->r;
    double t0 = MPI_Wtime();
    const uint64_t lo = 1000000000000u, hi = lo + (1u << 21) - 1;
    uint64_t limit = hi;
    mpp_tuplet_counter c;
    mpp_tuplet_counter_init(&c, lo, hi, &limit, 1);
    mpp_sink sink = {.fn = mpp_tuplet_counter_push, .ctx = &c};
    int err = find(r, MPP_METHOD_SIEVE, lo, hi, &sink, NULL);
    enum { N = MPP_KINDS + 1 };
    uint64_t mine[N], lo_all[N], hi_all[N];
    for (int kind = 0; kind < MPP_KINDS; kind++)
        mine[kind] = mpp_tuplet_counter_count(&c, 0, kind);
    mine[MPP_KINDS] = err == MPP_OK ? c.hash : UINT64_MAX;
    MPI_TIMED(r, MPI_Allreduce(mine, lo_all, N, MPI_UINT64_T, MPI_MIN, r->comm));
    MPI_TIMED(r, MPI_Allreduce(mine, hi_all, N, MPI_UINT64_T, MPI_MAX, r->comm));
    char what[160], why[200] = "";
    snprintf(what, sizeof what, "the ranks agree on [10^12, 10^12+2^21-1] (%d rank%s, %d host%s)",
             r->size, r->size == 1 ? "" : "s", hosts, hosts == 1 ? "" : "s");
    if (lo_all[0] == hi_all[0])
        snprintf(what + strlen(what), sizeof what - strlen(what), ": %" PRIu64 " primes",
                 lo_all[0]);
    for (int k = 0; k < N && !why[0]; k++)
        if (lo_all[k] != hi_all[k])
            snprintf(why, sizeof why, "%s differ between ranks: from %" PRIu64 " to %" PRIu64,
                     k < MPP_KINDS ? mpp_kind_name(k) : "the primes' checksums", lo_all[k],
                     hi_all[k]);
    say(v, what, why[0] ? why : NULL, t0);
}

/* ---- the job ---- */

/* How many distinct hosts the ranks run on (MPI_Get_processor_name). */
static int count_hosts(run *r)
{
    char name[MPI_MAX_PROCESSOR_NAME + 1] = "";
    int len = 0;
    MPI_CHECK(r, MPI_Get_processor_name(name, &len));
    char *all = r->rank == 0 ? mpp_xmalloc(r, (size_t)r->size * sizeof name) : NULL;
    MPI_TIMED(r, MPI_Gather(name, (int)sizeof name, MPI_CHAR, all, (int)sizeof name, MPI_CHAR, 0,
                            r->comm));
    int hosts = 0;
    if (r->rank == 0) {
        const char **names = mpp_xmalloc(r, (size_t)r->size * sizeof *names);
        for (int i = 0; i < r->size; i++)
            names[i] = all + (size_t)i * sizeof name;
        hosts = mpp_distinct_strings(names, r->size);
        free(names);
    }
    free(all);
    MPI_TIMED(r, MPI_Bcast(&hosts, 1, MPI_INT, 0, r->comm));
    return hosts;
}

/* The job's seed: MPPRIMES_SELF_TEST_SEED, or the clock and rank 0's pid. */
static uint64_t job_seed(run *r)
{
    uint64_t seed = 0;
    if (r->rank == 0) {
        const char *env = getenv("MPPRIMES_SELF_TEST_SEED");
        char *end;
        if (env && *env && (seed = strtoull(env, &end, 0), *end == '\0')) {
            /* as given */
        } else {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            seed = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
                   (uint64_t)getpid() << 32;
        }
    }
    MPI_TIMED(r, MPI_Bcast(&seed, 1, MPI_UINT64_T, 0, r->comm));
    return seed;
}

void mpp_self_test(run *r)
{
    verdicts v = {.r = r, .t0 = MPI_Wtime()};
    if ((r->finder = mpp_finder_new(MPP_METHOD_SIEVE, UINT64_MAX)) == NULL) {
        fprintf(r->err, "mpprimes: out of memory on rank %d\n", r->rank);
        MPI_Abort(r->comm, EXIT_RUNTIME);
    }
    uint64_t seed = job_seed(r);
    int hosts = count_hosts(r);
    if (r->rank == 0) {
        fprintf(r->out,
                "# mpprimes %s self-test: %d rank%s on %d host%s, seed %" PRIu64
                " (MPPRIMES_SELF_TEST_SEED=%" PRIu64 " repeats it)\n",
                MPPRIMES_VERSION, r->size, r->size == 1 ? "" : "s", hosts, hosts == 1 ? "" : "s",
                seed, seed);
        fflush(r->out);
    }
    check_published(&v);
    check_ranges(&v, seed);
    check_agreement(&v, hosts);
    if (r->rank == 0) {
        fprintf(r->out, "# self-test %s: %d of %d checks passed in %.2f s\n",
                v.failed ? "FAILED" : "passed", v.passed, v.passed + v.failed,
                MPI_Wtime() - v.t0);
        fflush(r->out);
    }
    r->status = v.failed ? EXIT_RUNTIME : EXIT_DONE; /* rank 0 holds the verdicts */
    MPI_CHECK(r, MPI_Bcast(&r->status, 1, MPI_INT, 0, r->comm));
}
