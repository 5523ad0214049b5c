/* trial.c - trial division, the algorithm of the original Python examples
 * (is_prime tries every i in [2, sqrt(num)]); here 2 and then odd divisors
 * only. Kept for teaching: its cost per number grows like sqrt(x), so its
 * blocks are uneven in cost, which is what the report's timings show. */
#include "trial.h"

bool mpp_trial_is_prime(uint64_t n)
{
    if (n < 2)
        return false;
    if (n < 4)
        return true;
    if (n % 2 == 0)
        return false;
    for (uint64_t d = 3; d <= n / d; d += 2) /* d * d <= n, without overflow */
        if (n % d == 0)
            return false;
    return true;
}

int mpp_trial(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally)
{
    enum { BATCH = 1024 };
    uint64_t batch[BATCH];
    size_t nbatch = 0;
    tally->count = tally->first = tally->last = 0;
    if (lo > hi)
        return MPP_OK;
    for (uint64_t x = lo;; x++) {
        if (mpp_trial_is_prime(x)) {
            if (tally->count++ == 0)
                tally->first = x;
            tally->last = x;
            if (sink) {
                batch[nbatch++] = x;
                if (nbatch == BATCH) {
                    int rc = sink->fn(sink->ctx, batch, nbatch);
                    if (rc != MPP_OK)
                        return rc;
                    nbatch = 0;
                }
            }
        }
        if (x == hi) /* HI may be 2^64 - 1: stop before x wraps */
            break;
    }
    return sink && nbatch ? sink->fn(sink->ctx, batch, nbatch) : MPP_OK;
}
