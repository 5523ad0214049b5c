#ifndef MPP_SIEVE_H
#define MPP_SIEVE_H

#include "primes.h"

/* Segmented sieve of Eratosthenes over the odd numbers in [LO, HI]; see the
 * comment at the top of sieve.c for the design. Same contract as
 * mpp_find_primes(). Memory is bounded independently of HI - LO. */
int mpp_sieve(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally);

/* floor(sqrt(N)), exact for every 64-bit N. */
uint64_t mpp_isqrt(uint64_t n);

#endif
