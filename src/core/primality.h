/* primality.h - whether one number is prime, and the primes just below a
 * number: what a piece of the range needs to know about the numbers before
 * it, so that the tuplets and the gap that cross its start are counted by
 * the piece itself (patterns.h), without the piece before it.
 *
 * The test is Miller-Rabin with bases that make it exact below 2^64: 2, 7
 * and 61 below 2^32 (Jaeschke), and Jim Sinclair's seven bases (2, 325,
 * 9375, 28178, 450775, 9780504, 1795265022) above, with Montgomery
 * multiplication (no division in the loop): about 1-2 microseconds for a
 * prime near 2^64, less for a composite, most of which a division by the
 * primes below 64 rejects first. Pure: no I/O, no globals.
 */
#ifndef MPP_PRIMALITY_H
#define MPP_PRIMALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether N is prime (exact for every 64-bit N). */
bool mpp_is_prime(uint64_t n);

/* The primes p with START <= p < LO and LO - p <= SPAN, ascending, into
 * OUT; when there is none, the greatest prime p with START <= p < LO
 * instead, if any (a gap between primes below 2^64 is at most 1550, so this
 * looks at that many numbers at most, START permitting). So the last of
 * them is always the prime before LO within [START, LO). At most SPAN + 1
 * numbers are stored: OUT must hold that many. Returns how many. */
size_t mpp_primes_before(uint64_t start, uint64_t lo, unsigned span, uint64_t *out);

#endif
