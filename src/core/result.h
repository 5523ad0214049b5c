/* result.h - a kind of result: what a rank computes over the pieces of the
 * range it is given, and the rule that merges the results of two pieces.
 *
 * Today there is one kind, the primes' tally (how many, the first, the
 * last). A new kind (counts of tuplets, gap statistics, the nth prime)
 * adds its fields to mpp_result, what a finder's piece contributes
 * (mpp_result_add), its merge rule (mpp_result_merge: results of pieces
 * that meet at a boundary must merge exactly, whatever the split) and its
 * words on the wire (MPP_RESULT_WORDS); the MPI layer reduces results with
 * mpp_result_merge and sends them packed, without looking inside. Pure.
 */
#ifndef MPP_RESULT_H
#define MPP_RESULT_H

#include <stdint.h>

#include "sink.h"

typedef struct {
    mpp_tally primes; /* count, first, last */
} mpp_result;

#define MPP_RESULT_WORDS 3

/* Nothing found yet. */
void mpp_result_clear(mpp_result *r);

/* Adds what a finder found over one more piece (its tally T). */
void mpp_result_add(mpp_result *r, const mpp_tally *t);

/* Merges B into A: A becomes the result of the pieces of both. Associative
 * and commutative for the tally: counts add up, FIRST is the least of the
 * two, LAST the greatest (an empty side changes nothing). */
void mpp_result_merge(mpp_result *a, const mpp_result *b);

/* As MPP_RESULT_WORDS 64-bit words, and back. */
void mpp_result_pack(const mpp_result *r, uint64_t *w);
void mpp_result_unpack(const uint64_t *w, mpp_result *r);

#endif
