/* test_commit.c - unit tests of the commit event and its observers
 * (src/core/commit.c): observers called in the order they were hooked, each
 * with the event, and no more than MPP_COMMIT_OBSERVERS; a rank's account
 * (mpp_rank_work) of chunk commits in any order: chunks, numbers (saturating
 * for the whole 64-bit range), the least and greatest number, the primes,
 * ROUND events ignored; the progress of a run (mpp_progress) over random
 * rounds that settle a range bit by bit: rounds, next, numbers, primes and
 * done after each, CHUNK events ignored.
 */
#include <inttypes.h>
#include <string.h>

#include "commit.h"
#include "testutil.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next_random(void)
{
    return test_xorshift(&rng);
}

typedef struct {
    int order[16];
    int n;
} call_log;

typedef struct {
    call_log *log;
    int id;
    const mpp_commit *seen;
} observer;

static void note_call(void *ctx, const mpp_commit *c)
{
    observer *o = ctx;
    o->log->order[o->log->n++] = o->id;
    o->seen = c;
}

static mpp_commit chunk(uint64_t lo, uint64_t hi, uint64_t count, uint64_t first, uint64_t last)
{
    mpp_commit c = {.scope = MPP_COMMIT_CHUNK, .lo = lo, .hi = hi, .done = false};
    mpp_tally t = {count, first, last};
    mpp_result_clear(&c.result);
    mpp_result_add(&c.result, &t);
    return c;
}

START_TEST(test_hooks_in_order)
{
    mpp_commit_hooks h;
    memset(&h, 0, sizeof h);
    call_log log = {.n = 0};
    observer obs[MPP_COMMIT_OBSERVERS + 1];
    for (int i = 0; i < MPP_COMMIT_OBSERVERS; i++) {
        obs[i] = (observer){.log = &log, .id = i, .seen = NULL};
        ck_assert(mpp_commit_hook(&h, note_call, &obs[i]));
    }
    obs[MPP_COMMIT_OBSERVERS] = (observer){.log = &log, .id = 99, .seen = NULL};
    ck_assert(!mpp_commit_hook(&h, note_call, &obs[MPP_COMMIT_OBSERVERS]));
    mpp_commit c = chunk(10, 20, 4, 11, 19);
    mpp_commit_notify(&h, &c);
    ck_assert_int_eq(log.n, MPP_COMMIT_OBSERVERS);
    for (int i = 0; i < MPP_COMMIT_OBSERVERS; i++) {
        ck_assert_int_eq(log.order[i], i);
        ck_assert_ptr_eq(obs[i].seen, &c);
    }
    ck_assert_ptr_null(obs[MPP_COMMIT_OBSERVERS].seen);
    mpp_commit_hooks none;
    memset(&none, 0, sizeof none);
    mpp_commit_notify(&none, &c); /* no observer: nothing happens */
}
END_TEST

START_TEST(test_rank_work)
{
    mpp_rank_work w;
    memset(&w, 0, sizeof w);
    mpp_commit c = chunk(1000, 1999, 135, 1009, 1997);
    mpp_rank_work_on_commit(&w, &c);
    c = chunk(100, 199, 21, 101, 199);
    mpp_rank_work_on_commit(&w, &c);
    c = chunk(24, 28, 0, 0, 0);
    mpp_rank_work_on_commit(&w, &c);
    mpp_commit round = {.scope = MPP_COMMIT_ROUND, .lo = 0, .hi = 5000, .done = true};
    mpp_result_clear(&round.result);
    round.result.primes.count = 669;
    mpp_rank_work_on_commit(&w, &round); /* not this observer's */
    ck_assert_uint_eq(w.chunks, 3);
    ck_assert_uint_eq(w.numbers, 1000 + 100 + 5);
    ck_assert(w.spanned);
    ck_assert_uint_eq(w.lo, 24);
    ck_assert_uint_eq(w.hi, 1999);
    ck_assert_uint_eq(w.result.primes.count, 156);
    ck_assert_uint_eq(w.result.primes.first, 101);
    ck_assert_uint_eq(w.result.primes.last, 1997);

    /* The whole 64-bit range is 2^64 numbers: saturated. */
    memset(&w, 0, sizeof w);
    c = chunk(0, UINT64_MAX, 0, 0, 0);
    mpp_rank_work_on_commit(&w, &c);
    ck_assert_uint_eq(w.numbers, UINT64_MAX);
    c = chunk(5, 5, 1, 5, 5);
    mpp_rank_work_on_commit(&w, &c);
    ck_assert_uint_eq(w.numbers, UINT64_MAX);
    ck_assert_uint_eq(w.lo, 0);
    ck_assert_uint_eq(w.hi, UINT64_MAX);
}
END_TEST

/* Random ranges settled by random rounds: after each, the progress says
 * exactly how far. */
START_TEST(test_progress)
{
    for (int trial = 0; trial < (int)test_iters(2000); trial++) {
        uint64_t start = trial % 3 == 0 ? next_random() : next_random() % 1000;
        uint64_t len = 1 + next_random() % 100000;
        uint64_t stop = start > UINT64_MAX - (len - 1) ? UINT64_MAX : start + (len - 1);
        mpp_progress p;
        mpp_progress_init(&p, start, stop);
        ck_assert_uint_eq(p.next, start);
        ck_assert_uint_eq(p.rounds, 0);
        ck_assert(!p.done);
        uint64_t from = start, rounds = 0, primes = 0;
        for (;;) {
            uint64_t left = stop - from;
            uint64_t hi = from + next_random() % (left + 1);
            bool done = hi == stop;
            uint64_t count = next_random() % 1000;
            mpp_commit c = {.scope = MPP_COMMIT_ROUND, .lo = from, .hi = hi, .done = done};
            mpp_tally t = {count, from, hi};
            mpp_result_clear(&c.result);
            mpp_result_add(&c.result, &t);
            mpp_commit ch = chunk(from, hi, 7, from, hi);
            mpp_progress_on_commit(&p, &ch); /* a chunk: not this observer's */
            mpp_progress_on_commit(&p, &c);
            rounds++;
            primes += count;
            ck_assert_uint_eq(p.rounds, rounds);
            ck_assert_uint_eq(p.result.primes.count, primes);
            ck_assert_int_eq(p.done, done);
            if (done) {
                ck_assert_uint_eq(p.next, stop);
                ck_assert(p.numbers == (double)(stop - start) + 1);
                break;
            }
            ck_assert_uint_eq(p.next, hi + 1);
            ck_assert(p.numbers == (double)(hi + 1 - start));
            from = hi + 1;
        }
    }
}
END_TEST

static Suite *commit_suite(void)
{
    Suite *s = suite_create("commit");
    TCase *tc = tcase_create("observers");
    tcase_add_test(tc, test_hooks_in_order);
    tcase_add_test(tc, test_rank_work);
    tcase_add_test(tc, test_progress);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(commit_suite());
}
