/* result.h - a kind of result: what a rank computes over the pieces of the
 * range it is given, and the rule that merges the results of two pieces.
 *
 * Two kinds travel in it: the primes' tally (how many, the first, the
 * last) and the counts of k-tuplets (patterns.h: each counted by the piece
 * that holds its last member, so that they add up whatever the split). A
 * new kind adds its fields to mpp_result, what a finder's piece contributes
 * (mpp_result_add), its merge rule (mpp_result_merge: results of pieces must
 * merge exactly, whatever the split and the order) and its words on the
 * wire (MPP_RESULT_WORDS); the MPI layer reduces results with
 * mpp_result_merge and sends them packed, without looking inside. (The
 * gaps, a histogram and records of some kilobytes, are reduced once at the
 * end of a count instead: mpp_gaps, patterns.h.) Pure.
 */
#ifndef MPP_RESULT_H
#define MPP_RESULT_H

#include <stdint.h>

#include "patterns.h"
#include "sink.h"

typedef struct {
    mpp_tally primes;                /* count, first, last */
    uint64_t tuplets[MPP_KINDS + 1]; /* tuplets[k], k = 2..6: k-tuplets (0 and 1 unused) */
} mpp_result;

#define MPP_RESULT_WORDS (3 + MPP_KINDS - 1)

/* Nothing found yet. */
void mpp_result_clear(mpp_result *r);

/* Adds what a finder found over one more piece (its tally T). */
void mpp_result_add(mpp_result *r, const mpp_tally *t);

/* Adds the tuplets a piece's patterns counted (B: after its primes were
 * pushed; its primes are added by mpp_result_add). */
void mpp_result_add_tuplets(mpp_result *r, const mpp_patterns *b);

/* Merges B into A: A becomes the result of the pieces of both. Associative
 * and commutative: counts add up, FIRST is the least of the two, LAST the
 * greatest (an empty side changes nothing). */
void mpp_result_merge(mpp_result *a, const mpp_result *b);

/* As MPP_RESULT_WORDS 64-bit words, and back. */
void mpp_result_pack(const mpp_result *r, uint64_t *w);
void mpp_result_unpack(const uint64_t *w, mpp_result *r);

#endif
