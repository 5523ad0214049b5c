/* estimate.h - how many primes a range will hold (to size the rounds of a
 * listing and model the cost of a decomposition). Pure. */
#ifndef MPP_ESTIMATE_H
#define MPP_ESTIMATE_H

#include <stdint.h>

/* The expected number of primes in [LO, HI]: li(HI + 1) - li(LO), within a
 * fraction of a percent for large ranges (0 when the range holds no number
 * >= 2). Not a bound: a window's count fluctuates around it by the order of
 * its square root. Used to size the rounds of a listing, where an excess is
 * handled. */
double mpp_prime_count_expected(uint64_t lo, uint64_t hi);

/* The expected number of k-tuplets of kind K (2..6, patterns.h) in [LO,
 * HI], by the Hardy-Littlewood conjectures: the integral of C_K / ln^K t,
 * C_K the sum of its forms' constants, taken piecewise at each piece's
 * start (so rather above than below), and never more than the primes'
 * expected count. As mpp_prime_count_expected, not a bound. */
double mpp_tuplet_count_expected(int k, uint64_t lo, uint64_t hi);

/* The logarithmic integral li(x) (x below 2 is taken as 2). */
double mpp_li(double x);

#endif
