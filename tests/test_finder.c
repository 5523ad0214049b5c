/* test_finder.c - unit tests of the finders by name (src/core/finder.c):
 * the method names; the dispatcher mpp_find_primes() for both methods: with
 * a vector sink and in count-only mode against ref_primes(), a sink that
 * stops the finder with its own code, and the edge ranges; stopping a finder
 * from outside (mpp_stop): a flag set before, by a sink, or by a timer
 * signal in the middle of one trial division near 2^64 or of the sieve's
 * start-up near 2^64; and a rank's finder (mpp_finder), handed pieces in
 * any order, against the dispatcher.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "finder.h"
#include "sieve.h"
#include "testutil.h"
#include "trial.h"

static const mpp_method methods[] = {MPP_METHOD_SIEVE, MPP_METHOD_TRIAL};
#define NMETHODS (sizeof methods / sizeof methods[0])

/* ---- helpers ---- */

/* Finds [LO, HI] by METHOD into a vector and compares primes and tally with
 * ref_primes(); then again with no sink (tally only). */
static void expect_found(mpp_method method, uint64_t lo, uint64_t hi)
{
    const char *name = mpp_method_name(method);
    size_t n;
    uint64_t *want = ref_primes(lo, hi, &n);

    mpp_vec v = {NULL, 0, 0};
    mpp_sink sink = {mpp_vec_push, &v};
    mpp_tally t = {99, 99, 99};
    ck_assert_int_eq(mpp_find_primes(method, lo, hi, &sink, &t), MPP_OK);
    ck_assert_msg(v.len == n, "%s [%" PRIu64 ", %" PRIu64 "]: %zu primes, expected %zu", name,
                  lo, hi, v.len, n);
    if (n > 0)
        ck_assert_msg(memcmp(v.data, want, n * sizeof *want) == 0,
                      "%s [%" PRIu64 ", %" PRIu64 "]: primes differ", name, lo, hi);
    ck_assert_uint_eq(t.count, n);
    if (n > 0) {
        ck_assert_uint_eq(t.first, want[0]);
        ck_assert_uint_eq(t.last, want[n - 1]);
    }
    mpp_vec_free(&v);

    mpp_tally c = {99, 99, 99};
    ck_assert_int_eq(mpp_find_primes(method, lo, hi, NULL, &c), MPP_OK);
    ck_assert_msg(c.count == n, "%s [%" PRIu64 ", %" PRIu64 "] count-only: %" PRIu64
                  ", expected %zu", name, lo, hi, c.count, n);
    if (n > 0) {
        ck_assert_uint_eq(c.first, want[0]);
        ck_assert_uint_eq(c.last, want[n - 1]);
    }
    free(want);
}

/* Expects exactly COUNT primes in [LO, HI] by every method, with FIRST and
 * LAST when COUNT > 0, both with and without a sink. */
static void expect_tally(uint64_t lo, uint64_t hi, uint64_t count, uint64_t first, uint64_t last)
{
    for (size_t m = 0; m < NMETHODS; m++) {
        for (int with_sink = 0; with_sink <= 1; with_sink++) {
            mpp_vec v = {NULL, 0, 0};
            mpp_sink sink = {mpp_vec_push, &v};
            mpp_tally t = {99, 99, 99};
            int rc = mpp_find_primes(methods[m], lo, hi, with_sink ? &sink : NULL, &t);
            ck_assert_int_eq(rc, MPP_OK);
            ck_assert_msg(t.count == count,
                          "%s [%" PRIu64 ", %" PRIu64 "]%s: count %" PRIu64 ", expected %" PRIu64,
                          mpp_method_name(methods[m]), lo, hi, with_sink ? "" : " count-only",
                          t.count, count);
            if (count > 0) {
                ck_assert_uint_eq(t.first, first);
                ck_assert_uint_eq(t.last, last);
            }
            if (with_sink) {
                ck_assert_uint_eq(v.len, count);
                if (count > 0) {
                    ck_assert_uint_eq(v.data[0], first);
                    ck_assert_uint_eq(v.data[v.len - 1], last);
                }
            }
            mpp_vec_free(&v);
        }
    }
}

/* A sink that keeps what it is given, like mpp_vec, and answers STOP_CODE on
 * its STOP_AT-th call (1-based). */
typedef struct {
    mpp_vec got;
    size_t accepted; /* values held before the call that said stop */
    int calls;
    int stop_at;
    int stop_code;
    bool called_after_stop;
} stopping_sink;

static int stopping_push(void *ctx, const uint64_t *primes, size_t n)
{
    stopping_sink *s = ctx;
    if (s->calls >= s->stop_at)
        s->called_after_stop = true;
    s->calls++;
    if (s->calls == s->stop_at)
        s->accepted = s->got.len;
    ck_assert_int_eq(mpp_vec_push(&s->got, primes, n), 0);
    return s->calls == s->stop_at ? s->stop_code : 0;
}

/* Runs METHOD over [0, 10^5] (several batches) with a sink that returns CODE
 * on call STOP_AT: the finder must return CODE, call the sink no more, have
 * handed over a prefix of the primes, and tally at least the accepted ones
 * and at most what it handed over. */
static void expect_stop(mpp_method method, int stop_at, int code)
{
    size_t n;
    uint64_t *want = ref_primes(0, 100000, &n);
    stopping_sink s = {{NULL, 0, 0}, 0, 0, stop_at, code, false};
    mpp_sink sink = {stopping_push, &s};
    mpp_tally t = {99, 99, 99};
    int rc = mpp_find_primes(method, 0, 100000, &sink, &t);
    const char *name = mpp_method_name(method);
    ck_assert_msg(rc == code, "%s: returned %d, expected the sink's %d", name, rc, code);
    ck_assert_int_eq(s.calls, stop_at);
    ck_assert(!s.called_after_stop);
    ck_assert_msg(s.got.len < n, "%s: all %zu primes handed over before the stop", name, n);
    ck_assert(s.got.len > 0);
    ck_assert(memcmp(s.got.data, want, s.got.len * sizeof *want) == 0);
    ck_assert_msg(t.count <= s.got.len, "%s: tally %" PRIu64 " > %zu handed over", name, t.count,
                  s.got.len);
    ck_assert_msg(t.count >= s.accepted, "%s: tally %" PRIu64 " < %zu accepted", name, t.count,
                  s.accepted);
    ck_assert_int_gt(t.count, 0);
    ck_assert_uint_eq(t.first, 2);
    ck_assert_uint_eq(t.last, want[t.count - 1]);
    mpp_vec_free(&s.got);
    free(want);
}

/* A sink that records the size of every batch it is given. */
typedef struct {
    size_t sizes[64];
    size_t calls;
} batch_log;

static int log_batch(void *ctx, const uint64_t *primes, size_t n)
{
    (void)primes;
    batch_log *log = ctx;
    if (log->calls < sizeof log->sizes / sizeof log->sizes[0])
        log->sizes[log->calls] = n;
    log->calls++;
    return 0;
}

typedef int (*finder_fn)(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally);

/* The batches FIND hands over for [0, 10^5]. */
static batch_log batches_of(finder_fn find)
{
    batch_log log;
    memset(&log, 0, sizeof log);
    mpp_sink sink = {log_batch, &log};
    mpp_tally t;
    ck_assert_int_eq(find(0, 100000, &sink, &t), MPP_OK);
    ck_assert_uint_eq(t.count, 9592);
    ck_assert_uint_le(log.calls, sizeof log.sizes / sizeof log.sizes[0]);
    return log;
}

static int find_sieve(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally)
{
    return mpp_find_primes(MPP_METHOD_SIEVE, lo, hi, sink, tally);
}

static int find_trial(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally)
{
    return mpp_find_primes(MPP_METHOD_TRIAL, lo, hi, sink, tally);
}

static void expect_same_batches(batch_log a, batch_log b, const char *what)
{
    ck_assert_msg(a.calls == b.calls, "%s: %zu batches, expected %zu", what, a.calls, b.calls);
    for (size_t i = 0; i < a.calls; i++)
        ck_assert_msg(a.sizes[i] == b.sizes[i], "%s: batch %zu of %zu primes, expected %zu",
                      what, i, a.sizes[i], b.sizes[i]);
}

/* ---- tests ---- */

START_TEST(test_method_name)
{
    ck_assert_str_eq(mpp_method_name(MPP_METHOD_SIEVE), "sieve");
    ck_assert_str_eq(mpp_method_name(MPP_METHOD_TRIAL), "trial");
    ck_assert_ptr_null(mpp_method_name((mpp_method)2));
    ck_assert_ptr_null(mpp_method_name((mpp_method)-1));
    ck_assert_ptr_null(mpp_method_name((mpp_method)12345));
}
END_TEST

START_TEST(test_find_both_methods)
{
    for (size_t m = 0; m < NMETHODS; m++) {
        expect_found(methods[m], 0, 100000);
        expect_found(methods[m], 99990, 100000);    /* no prime: 100003 is next */
        expect_found(methods[m], 1000, 1000 + 8192);
        expect_found(methods[m], 1000000007, 1000000007 + 50000);
    }
}
END_TEST

/* The two methods really are dispatched: the same answers, and the count of
 * [0, 10^5] is pi(10^5) = 9592. */
START_TEST(test_find_dispatch)
{
    mpp_tally s, t;
    ck_assert_int_eq(mpp_find_primes(MPP_METHOD_SIEVE, 0, 100000, NULL, &s), MPP_OK);
    ck_assert_int_eq(mpp_find_primes(MPP_METHOD_TRIAL, 0, 100000, NULL, &t), MPP_OK);
    ck_assert_uint_eq(s.count, 9592);
    ck_assert_uint_eq(t.count, 9592);
    ck_assert_uint_eq(s.first, 2);
    ck_assert_uint_eq(t.first, 2);
    ck_assert_uint_eq(s.last, 99991);
    ck_assert_uint_eq(t.last, 99991);
}
END_TEST

/* Each method reaches its own finder: the batches handed over are those of
 * mpp_sieve() and mpp_trial() called directly (the two batch differently). */
START_TEST(test_find_dispatch_batches)
{
    expect_same_batches(batches_of(find_sieve), batches_of(mpp_sieve), "sieve");
    expect_same_batches(batches_of(find_trial), batches_of(mpp_trial), "trial");
}
END_TEST

START_TEST(test_sink_stops)
{
    for (size_t m = 0; m < NMETHODS; m++) {
        expect_stop(methods[m], 1, 7);
        expect_stop(methods[m], 2, 7);
        expect_stop(methods[m], 1, 12345);
    }
}
END_TEST

START_TEST(test_edges)
{
    expect_tally(1, 0, 0, 0, 0);                   /* lo > hi */
    expect_tally(100, 2, 0, 0, 0);
    expect_tally(UINT64_MAX, 0, 0, 0, 0);
    expect_tally(UINT64_MAX, UINT64_MAX - 1, 0, 0, 0);
    expect_tally(2, 2, 1, 2, 2);
    expect_tally(0, 1, 0, 0, 0);
    expect_tally(0, 0, 0, 0, 0);
    expect_tally(1, 1, 0, 0, 0);
    expect_tally(3, 3, 1, 3, 3);
    expect_tally(4, 4, 0, 0, 0);
    expect_tally(0, 2, 1, 2, 2);
    expect_tally(0, 3, 2, 2, 3);
    expect_tally(2, 3, 2, 2, 3);
    expect_tally(3, 4, 1, 3, 3);
    expect_tally(4, 6, 1, 5, 5);
    expect_tally(24, 28, 0, 0, 0);
    expect_tally(0, 10, 4, 2, 7);
}
END_TEST

/* ---- stopping from outside ---- */

static volatile sig_atomic_t stop_flag;

/* Stop set before the call: nothing done, both methods, with and without a
 * sink; unset: everything done. */
START_TEST(test_stop_flag_before)
{
    static const uint64_t ranges[][2] = {
        {0, 100}, {2, 2}, {1000000, 2000000}, {UINT64_MAX - 100, UINT64_MAX}};
    for (size_t m = 0; m < NMETHODS; m++)
        for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
            for (int with_sink = 0; with_sink <= 1; with_sink++) {
                uint64_t lo = ranges[i][0], hi = ranges[i][1];
                mpp_vec v = {NULL, 0, 0};
                mpp_sink sink = {mpp_vec_push, &v};
                mpp_tally t = {99, 99, 99};
                mpp_stop stop = {&stop_flag, 99};
                stop_flag = 1;
                int rc = mpp_find_primes_stoppable(methods[m], lo, hi, with_sink ? &sink : NULL,
                                                   &t, &stop);
                ck_assert_int_eq(rc, MPP_STOPPED);
                ck_assert_uint_eq(stop.done, 0);
                ck_assert_uint_eq(t.count, 0);
                ck_assert_uint_eq(v.len, 0);
                if (lo > 1u << 30 && (methods[m] == MPP_METHOD_TRIAL || test_scale() > 1))
                    continue; /* trial division near 2^64 takes minutes (the sieve
                                 seconds, too long under valgrind) */
                stop_flag = 0;
                rc = mpp_find_primes_stoppable(methods[m], lo, hi, with_sink ? &sink : NULL, &t,
                                               &stop);
                ck_assert_int_eq(rc, MPP_OK);
                ck_assert_uint_eq(stop.done, hi - lo + 1);
                mpp_vec_free(&v);
            }
    mpp_stop none = {NULL, 99};
    mpp_tally t;
    ck_assert_int_eq(mpp_find_primes_stoppable(MPP_METHOD_SIEVE, 10, 9, NULL, &t, &none),
                     MPP_OK);
    ck_assert_uint_eq(none.done, 0);
}
END_TEST

/* A sink that keeps the primes and raises the stop flag after AFTER calls. */
typedef struct {
    mpp_vec v;
    int calls, after;
} flag_sink;

static int stop_after(void *ctx, const uint64_t *primes, size_t n)
{
    flag_sink *s = ctx;
    if (++s->calls == s->after)
        stop_flag = 1;
    return mpp_vec_push(&s->v, primes, n);
}

/* Stopped part-way: the primes handed over, and the tally, are exactly
 * those of [LO, LO + done - 1]. */
static void expect_stopped_exactly(mpp_method method, uint64_t lo, uint64_t hi, int after)
{
    flag_sink s = {{NULL, 0, 0}, 0, after};
    mpp_sink sink = {stop_after, &s};
    mpp_tally t;
    mpp_stop stop = {&stop_flag, 0};
    stop_flag = 0;
    int rc = mpp_find_primes_stoppable(method, lo, hi, &sink, &t, &stop);
    const char *name = mpp_method_name(method);
    ck_assert_msg(rc == MPP_STOPPED, "%s [%" PRIu64 ", %" PRIu64 "]: rc %d", name, lo, hi, rc);
    ck_assert_msg(stop.done > 0 && stop.done < hi - lo + 1, "%s: done %" PRIu64, name,
                  stop.done);
    size_t n;
    uint64_t *want = ref_primes(lo, lo + stop.done - 1, &n);
    ck_assert_msg(s.v.len == n, "%s: %zu primes handed over, %zu in [%" PRIu64 ", %" PRIu64
                  "]", name, s.v.len, n, lo, lo + stop.done - 1);
    ck_assert(memcmp(s.v.data, want, n * sizeof *want) == 0);
    ck_assert_uint_eq(t.count, n);
    ck_assert_uint_eq(t.last, want[n - 1]);
    free(want);
    mpp_vec_free(&s.v);
}

/* The sieve's ranges span several segments of the largest size (2^21 bytes,
 * 63 million numbers, where L2 is 2 MiB): the flag is polled between
 * segments. */
START_TEST(test_stop_from_sink)
{
    expect_stopped_exactly(MPP_METHOD_SIEVE, 0, 200000000, 1);
    expect_stopped_exactly(MPP_METHOD_SIEVE, 1000003, 300000000, 3);
    expect_stopped_exactly(MPP_METHOD_TRIAL, 0, 200000, 1);
    expect_stopped_exactly(MPP_METHOD_TRIAL, 99, 300000, 4);
}
END_TEST

static void on_alarm(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs METHOD over [LO, HI] (count only) with the flag raised by SIGALRM
 * after MS milliseconds; returns the seconds it took, *STOP and *T filled. */
static double stopped_by_timer(mpp_method method, uint64_t lo, uint64_t hi, long ms,
                               mpp_stop *stop, mpp_tally *t)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    struct itimerval it = {{0, 0}, {ms / 1000, ms % 1000 * 1000}};
    stop_flag = 0;
    *stop = (mpp_stop){&stop_flag, 0};
    double t0 = now();
    setitimer(ITIMER_REAL, &it, NULL);
    int rc = mpp_find_primes_stoppable(method, lo, hi, NULL, t, stop);
    double took = now() - t0;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_IGN); /* discard one still pending (Check's handler kills) */
    sigaction(SIGALRM, &old, NULL);
    ck_assert_msg(rc == MPP_STOPPED, "%s [%" PRIu64 ", %" PRIu64 "]: rc %d after %.2f s",
                  mpp_method_name(method), lo, hi, rc, took);
    return took;
}

/* A count of [0, 1e11] (a minute) stopped after 30 ms: the tally is that of
 * the numbers it says it went through. */
START_TEST(test_stop_count_by_signal)
{
    mpp_stop stop;
    mpp_tally t, check;
    double took = stopped_by_timer(MPP_METHOD_SIEVE, 0, 100000000000ull, 30, &stop, &t);
    ck_assert_msg(took < 5, "took %.2f s to stop", took);
    ck_assert(stop.done > 0 && stop.done < 100000000000ull);
    ck_assert_int_eq(mpp_find_primes(MPP_METHOD_SIEVE, 0, stop.done - 1, NULL, &check), MPP_OK);
    ck_assert_uint_eq(t.count, check.count);
    ck_assert_uint_eq(t.last, check.last);
}
END_TEST

/* 2^64 - 59 is prime: trial division tries 2^31 divisors (many seconds);
 * the flag is polled inside. */
START_TEST(test_stop_inside_one_number)
{
    mpp_stop stop;
    mpp_tally t;
    double took = stopped_by_timer(MPP_METHOD_TRIAL, UINT64_MAX - 58, UINT64_MAX - 58, 50,
                                   &stop, &t);
    ck_assert_msg(took < 3, "took %.2f s to stop", took);
    ck_assert_uint_eq(stop.done, 0);
    ck_assert_uint_eq(t.count, 0);
}
END_TEST

/* Near 2^64 the sieve's first segment needs every prime below 2^32 (about
 * two seconds to gather); the flag is polled while they are gathered. */
START_TEST(test_stop_sieve_startup)
{
    mpp_stop stop;
    mpp_tally t;
    double took = stopped_by_timer(MPP_METHOD_SIEVE, UINT64_MAX - 1000000000, UINT64_MAX, 50,
                                   &stop, &t);
    ck_assert_msg(took < 3, "took %.2f s to stop", took);
    ck_assert_uint_eq(stop.done, 0);
    ck_assert_uint_eq(t.count, 0);
}
END_TEST

/* A rank's finder, for both methods, handed pieces of [0, 3 10^6] out of
 * order, with gaps, overlapping and repeated, each piece's primes and tally
 * against ref_primes(); then a stop flag raised before a piece. */
START_TEST(test_finder_pieces)
{
    static const struct {
        uint64_t lo, hi;
    } pieces[] = {{1000000, 1999999}, {0, 999999}, {2500000, 3000000}, {2000000, 2000000},
                  {1999990, 2000100}, {0, 0}, {0, 1}, {2, 2}, {17, 16}, {1000000, 1999999}};
    for (size_t m = 0; m < NMETHODS; m++) {
        mpp_finder *f = mpp_finder_new(methods[m], 3000000);
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(mpp_finder_method(f), methods[m]);
        for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
            uint64_t lo = pieces[i].lo, hi = pieces[i].hi;
            if (methods[m] == MPP_METHOD_TRIAL && hi > lo && hi - lo > 300000)
                hi = lo + 300000; /* trial division is slow */
            size_t n;
            uint64_t *want = lo <= hi ? ref_primes(lo, hi, &n) : (n = 0, NULL);
            mpp_vec v = {NULL, 0, 0};
            mpp_sink sink = {mpp_vec_push, &v};
            mpp_tally t = {99, 99, 99};
            mpp_stop stop = {NULL, 0};
            ck_assert_int_eq(mpp_finder_find(f, lo, hi, &sink, &t, &stop), MPP_OK);
            ck_assert_msg(v.len == n && t.count == n,
                          "%s piece %zu: %zu primes, tally %" PRIu64 ", expected %zu",
                          mpp_method_name(methods[m]), i, v.len, t.count, n);
            if (n > 0) {
                ck_assert(memcmp(v.data, want, n * sizeof *want) == 0);
                ck_assert_uint_eq(t.first, want[0]);
                ck_assert_uint_eq(t.last, want[n - 1]);
            }
            mpp_tally c = {99, 99, 99};
            ck_assert_int_eq(mpp_finder_find(f, lo, hi, NULL, &c, NULL), MPP_OK);
            ck_assert_uint_eq(c.count, n);
            mpp_vec_free(&v);
            free(want);
        }
        static volatile sig_atomic_t raised = 1;
        mpp_stop stop = {&raised, 0};
        mpp_tally t;
        ck_assert_int_eq(mpp_finder_find(f, 1000000000, 2000000000, NULL, &t, &stop),
                         MPP_STOPPED);
        ck_assert_uint_lt(stop.done, 1000000001);
        mpp_finder_free(f);
    }
    mpp_finder_free(NULL);
}
END_TEST

static Suite *finder_suite(void)
{
    Suite *s = suite_create("finder");
    TCase *tc = tcase_create("names");
    tcase_add_test(tc, test_method_name);
    suite_add_tcase(s, tc);

    tc = tcase_create("find");
    tcase_set_timeout(tc, 60); /* trial division and valgrind */
    tcase_add_test(tc, test_find_both_methods);
    tcase_add_test(tc, test_find_dispatch);
    tcase_add_test(tc, test_find_dispatch_batches);
    tcase_add_test(tc, test_sink_stops);
    tcase_add_test(tc, test_edges);
    tcase_add_test(tc, test_finder_pieces);
    suite_add_tcase(s, tc);

    tc = tcase_create("stop");
    tcase_set_timeout(tc, 120); /* valgrind */
    tcase_add_test(tc, test_stop_flag_before);
    tcase_add_test(tc, test_stop_from_sink);
    tcase_add_test(tc, test_stop_count_by_signal);
    tcase_add_test(tc, test_stop_inside_one_number);
    tcase_add_test(tc, test_stop_sieve_startup);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(finder_suite());
}
