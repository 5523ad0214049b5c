#ifndef MPP_TRIAL_H
#define MPP_TRIAL_H

#include <stdbool.h>

#include "sink.h"

/* Trial division, the algorithm of the original Python examples: N is prime
 * when no d in [2, sqrt(N)] divides it (2, then odd d only). */
bool mpp_trial_is_prime(uint64_t n);

/* Tests every number of [LO, HI] with mpp_trial_is_prime(). Same contract as
 * mpp_find_primes(). Cost grows like sqrt(x) per prime: for teaching. */
int mpp_trial(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally);

/* mpp_trial() that STOP (may be NULL) can interrupt; see mpp_stop. */
int mpp_trial_stoppable(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally,
                 mpp_stop *stop);

#endif
