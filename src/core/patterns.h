/* patterns.h - prime patterns of a piece of the range, and the exact merge
 * of two adjacent pieces' patterns: the result kind of issue 17's counts of
 * k-tuplets (twins to sextuplets) and prime gaps, before it reaches the
 * command line and the wire.
 *
 * Patterns are primesieve's, as ../shared/reference/patterns.md lists them:
 *
 *   twins        (p, p+2)
 *   triplets     (p, p+2, p+6) or (p, p+4, p+6)
 *   quadruplets  (p, p+2, p+6, p+8)
 *   quintuplets  (p, p+2, p+6, p+8, p+12) or (p, p+4, p+6, p+10, p+12)
 *   sextuplets   (p, p+4, p+6, p+10, p+12, p+16)
 *
 * and so is the convention: a k-tuplet counts in [LO, HI] when all of its
 * members lie there (a p matching both forms of a kind counts once). Every
 * form of kind k spans the same width (2, 6, 8, 12, 16), at most SPAN = 16.
 *
 * Gaps: the gap after a prime p is q - p, q the next prime of the piece.
 * The histogram counts every gap between consecutive primes of the piece;
 * the records are the maximal gaps relative to the piece's start, in order:
 * each larger than every gap before it in the piece, with the prime it
 * follows. The last record is the piece's largest gap at its first
 * occurrence. From 2 on, the records are the known maximal prime gaps.
 *
 * Why a merge is exact whatever the split: a tuplet or gap that no piece
 * holds whole crosses a boundary, and everything it needs lies within SPAN
 * numbers of it. So each piece keeps, besides its counts, the primes of its
 * first SPAN numbers (head) and of its last SPAN numbers (tail), its first
 * and last prime, and its records; merging A with the piece B right after
 * it counts the tuplets with members on both sides from A's tail and B's
 * head (a short B's head is all of B, so a tuplet may cross several short
 * pieces and is counted at the merge that completes it, once), adds the gap
 * between A's last prime and B's first, and keeps B's records that beat A's
 * largest gap and that gap. Merging is associative (the pieces of a range
 * may be merged in any grouping, in range order), so ranks, rounds and
 * chunks can merge what they hold and rank 0 merge their results.
 *
 * Building costs about 6 ns a prime here (a 64-bit mask of the last primes
 * seen from the newest; a tuplet counted when its last member arrives).
 * Memory: about 48 KiB per result (the histogram and the record table are
 * fixed arrays, sized for every gap below 2^64; the largest there is 1550).
 * Pure: no I/O, no globals.
 */
#ifndef MPP_PATTERNS_H
#define MPP_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPP_KINDS 6 /* 1 primes, 2 twins, ..., 6 sextuplets */
#define MPP_SPAN 16 /* the widest pattern, a sextuplet: p .. p + 16 */
#define MPP_EDGE 8  /* primes in SPAN consecutive numbers: at most 7 ([2, 17]) */
/* Gaps the histogram holds, 1 to MPP_GAP_LIMIT - 1 (every gap between
 * primes below 2^64: the largest is 1550); a larger one would be counted in
 * the last slot. Records: at most one per gap size, so as many. */
#define MPP_GAP_LIMIT 2048

typedef struct {
    uint64_t gap;   /* 0: none */
    uint64_t after; /* the prime the gap follows */
} mpp_gap;

typedef struct {
    bool covered; /* holds a stretch [lo, hi] (else: nothing yet) */
    uint64_t lo, hi;
    uint64_t
        count[MPP_KINDS + 1]; /* count[k]: k-tuplets wholly in [lo, hi]; count[1]: primes */
    uint64_t first, last;     /* the least and greatest prime (count[1] > 0) */
    uint64_t head[MPP_EDGE];  /* the primes of [lo, lo + SPAN - 1], ascending */
    uint64_t tail[MPP_EDGE];  /* the primes of [hi - SPAN + 1, hi], ascending */
    unsigned nhead, ntail;
    unsigned nrecords;
    mpp_gap records[MPP_GAP_LIMIT]; /* maximal gaps from lo on, in order */
    uint64_t hist[MPP_GAP_LIMIT];   /* hist[g]: gaps of size g */
    /* while building (mpp_patterns_push): bit d set when last - d is a
     * prime of the piece (d < 64) */
    uint64_t recent;
} mpp_patterns;

/* The forms of kind K (2..6): offsets from p, as a bit mask (bit d: p + d
 * a member). Returns the number of forms (1 or 2) stored at MASKS. */
unsigned mpp_pattern_forms(int k, uint32_t masks[2]);

/* The width of kind K's forms (2, 6, 8, 12, 16; 0 for primes). */
unsigned mpp_pattern_span(int k);

/* Nothing yet: the identity of mpp_patterns_merge. */
void mpp_patterns_clear(mpp_patterns *r);

/* Building the patterns of one piece [LO, HI] (LO <= HI) from its primes:
 * begin, push every prime of the piece in ascending order (in batches of
 * any size), end. */
void mpp_patterns_begin(mpp_patterns *r, uint64_t lo, uint64_t hi);
void mpp_patterns_push(mpp_patterns *r, const uint64_t *primes, size_t n);
void mpp_patterns_end(mpp_patterns *r);
/* mpp_patterns_push as an mpp_sink function (sink.h): CTX is the
 * mpp_patterns being built, so that a finder hands it a piece's primes
 * (mpp_finder_find). Returns 0. */
int mpp_patterns_sink(void *ctx, const uint64_t *primes, size_t n);

/* Merges B into A, where B's stretch starts right after A's (B->lo ==
 * A->hi + 1) or either holds nothing yet: A becomes the patterns of both.
 * Returns false (A unchanged) when they do not meet. */
bool mpp_patterns_merge(mpp_patterns *a, const mpp_patterns *b);

/* On the wire (records.h's rule: only these functions read or write the
 * words): a header of MPP_PATTERNS_HEADER_WORDS (the stretch, the counts,
 * the first and last primes, the edges), then the records as (gap, after)
 * pairs and the histogram's non-zero slots as (gap, count) pairs. Only a
 * finished result (after mpp_patterns_end, or a merge) travels. */
#define MPP_PATTERNS_HEADER_WORDS (3 + 2 + MPP_KINDS + 2 + 2 * MPP_EDGE)
#define MPP_PATTERNS_MAX_WORDS (MPP_PATTERNS_HEADER_WORDS + 4 * MPP_GAP_LIMIT)

/* The words R takes (at most MPP_PATTERNS_MAX_WORDS). */
size_t mpp_patterns_words(const mpp_patterns *r);
/* Writes R's mpp_patterns_words(R) words at W; returns their number. */
size_t mpp_patterns_pack(const mpp_patterns *r, uint64_t *w);
/* Reads a result from the N words at W. Returns false (R cleared) when
 * they are not one: a count out of its bounds, or N not its length. */
bool mpp_patterns_unpack(const uint64_t *w, size_t n, mpp_patterns *r);

/* The largest gap at its first occurrence (gap 0 when fewer than two
 * primes): the last record. */
mpp_gap mpp_patterns_largest(const mpp_patterns *r);

#endif
