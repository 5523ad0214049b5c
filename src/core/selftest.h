/* selftest.h - what --self-test checks, without MPI: the published values it
 * checks against, an independent primality test, a counter of prime
 * k-tuplets over a stream of primes, and the plan of random ranges drawn from
 * the job's seed. src/mpi/selftest.c runs the checks on every rank and
 * brings the verdicts to rank 0; docs/reference.md lists the checks.
 *
 * The k-tuplets are primesieve's patterns (../shared/reference/patterns.md):
 *   twins        (p, p+2)
 *   triplets     (p, p+2, p+6) or (p, p+4, p+6)
 *   quadruplets  (p, p+2, p+6, p+8)
 *   quintuplets  (p, p+2, p+6, p+8, p+12) or (p, p+4, p+6, p+10, p+12)
 *   sextuplets   (p, p+4, p+6, p+10, p+12, p+16)
 * and a tuplet is counted in [LO, X] when all its members lie there.
 */
#ifndef MPP_SELFTEST_H
#define MPP_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "patterns.h"  /* MPP_KINDS, MPP_SPAN */
#include "primality.h" /* mpp_is_prime */

/* What a count is of (index 0..MPP_KINDS - 1): primes, then the k-tuplets
 * for k = 2..6. */

/* "primes", "twins", "triplets", ... for KIND in [0, MPP_KINDS). */
const char *mpp_kind_name(int kind);

/* (The independent method the sieve is checked against is Miller-Rabin,
 * mpp_is_prime in primality.h.) */

/* ---- published values ---- */

/* The known counts in [0, 10^K] for K = 1..MPP_KNOWN_DECADES: primes (pi(x))
 * and each kind of tuplet. */
enum { MPP_KNOWN_DECADES = 10 };
extern const uint64_t mpp_known_counts[MPP_KNOWN_DECADES][MPP_KINDS];

/* ---- counting tuplets over a stream of primes ---- */

/* (Apart from patterns.h, which the counts of a run use, on purpose: this
 * counter is what --self-test checks a run's sieve against, so it shares
 * none of their code.) */

enum { MPP_PATTERN_LIMITS = 12 };

/* Counts, for each of up to MPP_PATTERN_LIMITS limits X (ascending), the
 * primes and the tuplets of [LO, X] whose first member lies in [LO, HI]
 * (HI <= the largest X). Feed it every prime of [LO, min(HI + 16, largest
 * X)] in ascending order, in as many calls of mpp_tuplet_counter_push as wanted:
 * a tuplet is seen when its last member arrives. Split a range at any points
 * among several counters (one per rank) and their sums are the counts of the
 * whole. HASH is an order-free checksum of the primes of [LO, HI]. */
typedef struct {
    uint64_t lo, hi;
    size_t nlimits;
    uint64_t limits[MPP_PATTERN_LIMITS];
    uint64_t counts[MPP_PATTERN_LIMITS][MPP_KINDS]; /* by the first limit met */
    uint64_t hash;
    uint64_t recent[8]; /* the primes of the last 16 numbers before the newest */
    size_t nrecent;
} mpp_tuplet_counter;

/* Starts a counter; false when NLIMITS is 0 or above MPP_PATTERN_LIMITS, or
 * the limits are not ascending. */
bool mpp_tuplet_counter_init(mpp_tuplet_counter *c, uint64_t lo, uint64_t hi,
                             const uint64_t *limits, size_t nlimits);
/* An mpp_sink function (sink.h): CTX is an mpp_tuplet_counter. Returns 0. */
int mpp_tuplet_counter_push(void *ctx, const uint64_t *primes, size_t n);
/* The count of KIND in [LO, limits[I]]. */
uint64_t mpp_tuplet_counter_count(const mpp_tuplet_counter *c, size_t i, int kind);

/* ---- random ranges ---- */

typedef struct {
    uint64_t lo, hi;
} mpp_test_range;

enum { MPP_SELFTEST_RANGES = 4 };

/* The ranges rank RANK checks against Miller-Rabin (and, for the first two,
 * against trial division), drawn from SEED: one below 2^32, one below 2^40,
 * one at a height drawn evenly in log scale from 2^40 to 2^64, and, for the
 * last rank alone, one that ends at 2^64 - 1 (the sieve's widest set of
 * sieving primes); the others draw a fourth at a random height below 2^50.
 * Each holds a few thousand to a few tens of thousands of numbers. */
void mpp_selftest_ranges(uint64_t seed, int rank, int size,
                         mpp_test_range out[MPP_SELFTEST_RANGES]);

/* A rank's verdict on its ranges (records.h packs it): FAILURES is 0 when
 * the method agreed with Miller-Rabin on every number; else the first
 * range that differed and its first number that did, and what the method
 * (LISTED) and Miller-Rabin (REFERENCE) said of it: 1 prime, 0 not; LISTED
 * 2 when the method ran out of memory. */
typedef struct {
    uint64_t failures;
    uint64_t lo, hi;
    uint64_t number;
    uint64_t listed, reference;
} mpp_selftest_verdict;

#endif
