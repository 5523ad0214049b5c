/* nth.h - the nth prime, as primesieve's nth_prime(N, START) defines it:
 *
 *   N > 0   the Nth prime after START (> START)
 *   N = 0   the first prime at or after START (>= START)
 *   N < 0   the |N|th prime before START (< START)
 *
 * found across ranks in three steps. Rank 0 plans (mpp_nth_plan_make): an
 * estimate of the answer by the inverse of Riemann's R (or, for a window
 * short beside its height, the density of primes there), and the interval
 * between START and that estimate. Every rank counts its share of the
 * interval (the ordinary --count). Rank 0 finishes (mpp_nth_finish) from
 * the count C: the answer is the k-th prime beyond the interval's far end
 * when C < k, else the (C - k + 1)-th counting back from it, a stretch
 * about the square root of the answer long, sieved by rank 0 alone. No
 * rank sieves the whole way: the count is shared as any count is.
 * A result past 2^64 - 1 or below 2 is an error, found by the plan when
 * the estimate says so plainly, else by the finish. Pure (no MPI).
 */
#ifndef MPP_NTH_H
#define MPP_NTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finder.h"

typedef struct {
    bool neg;       /* N < 0 */
    uint64_t n;     /* |N| */
    uint64_t start; /* START */
    /* the plan */
    uint64_t k;      /* the answer is the k-th prime from the interval's near end */
    uint64_t lo, hi; /* the interval counted (never empty) */
    bool forward;    /* the answer lies above START (N >= 0) */
} mpp_nth_plan;

enum { MPP_NTH_OK = 0, MPP_NTH_BEYOND = 1, MPP_NTH_BELOW = 2 };

/* Riemann's R(x) = sum over n of mu(n)/n li(x^(1/n)): pi(x) within about
 * sqrt(x) / ln x. */
double mpp_riemann_r(double x);

/* Plans the search for the nth prime (N = -n when NEG). Returns
 * MPP_NTH_OK, or MPP_NTH_BEYOND / MPP_NTH_BELOW when the answer plainly
 * lies past 2^64 - 1 or below 2 (then only the request fields are set). */
int mpp_nth_plan_make(bool neg, uint64_t n, uint64_t start, mpp_nth_plan *p);

/* Finishes P given COUNTED, the number of primes in [P->lo, P->hi], with
 * finder F (a rank's, any state): *ANSWER receives the nth prime. Returns
 * MPP_NTH_OK, MPP_NTH_BEYOND or MPP_NTH_BELOW (no such prime below 2^64),
 * or a finder's error (MPP_ENOMEM, MPP_STOPPED: negative). STOP may be
 * NULL. */
int mpp_nth_finish(mpp_finder *f, const mpp_nth_plan *p, uint64_t counted, uint64_t *answer,
                   mpp_stop *stop);

#endif
