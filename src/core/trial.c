/* trial.c - trial division, the algorithm of the original Python examples
 * (is_prime tries every i in [2, sqrt(num)]); here 2 and then odd divisors
 * only. Kept for teaching: its cost per number grows like sqrt(x), so its
 * blocks are uneven in cost, which is what the report's timings show. */
#include "trial.h"

/* 1 when N is prime, 0 when not, -1 when *STOP became non-zero first
 * (polled every 2^16 divisors: near 2^64 one prime takes 2^31 of them). */
static int is_prime(uint64_t n, const volatile sig_atomic_t *stop)
{
    if (n < 2)
        return 0;
    if (n < 4)
        return 1;
    if (n % 2 == 0)
        return 0;
    for (uint64_t d = 3; d <= n / d; d += 2) { /* d * d <= n, without overflow */
        if (n % d == 0)
            return 0;
        if (stop && (d & 0x1ffff) == 1 && *stop)
            return -1;
    }
    return 1;
}

bool mpp_trial_is_prime(uint64_t n)
{
    return is_prime(n, NULL) == 1;
}

/* Numbers done from LO through X (saturated for all 2^64 of them). */
static uint64_t done_through(uint64_t lo, uint64_t x)
{
    uint64_t n = x - lo + 1;
    return n == 0 ? UINT64_MAX : n;
}

int mpp_trial_stoppable(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally,
                 mpp_stop *stop)
{
    enum { BATCH = 1024 };
    uint64_t batch[BATCH];
    size_t nbatch = 0;
    const volatile sig_atomic_t *flag = stop ? stop->flag : NULL;
    tally->count = tally->first = tally->last = 0;
    if (stop)
        stop->done = 0;
    if (lo > hi)
        return MPP_OK;
    for (uint64_t x = lo;; x++) {
        int p = flag && *flag ? -1 : is_prime(x, flag);
        if (p < 0) {
            stop->done = x - lo;
            int rc = sink && nbatch ? sink->fn(sink->ctx, batch, nbatch) : MPP_OK;
            return rc != MPP_OK ? rc : MPP_STOPPED;
        }
        if (p) {
            if (tally->count++ == 0)
                tally->first = x;
            tally->last = x;
            if (sink) {
                batch[nbatch++] = x;
                if (nbatch == BATCH) {
                    int rc = sink->fn(sink->ctx, batch, nbatch);
                    if (rc != MPP_OK) {
                        if (stop)
                            stop->done = done_through(lo, x);
                        return rc;
                    }
                    nbatch = 0;
                }
            }
        }
        if (x == hi) /* HI may be 2^64 - 1: stop before x wraps */
            break;
    }
    if (stop)
        stop->done = done_through(lo, hi);
    return sink && nbatch ? sink->fn(sink->ctx, batch, nbatch) : MPP_OK;
}

int mpp_trial(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally)
{
    return mpp_trial_stoppable(lo, hi, sink, tally, NULL);
}
