/* patterns.h - prime patterns: the k-tuplets (twins to sextuplets) and the
 * gaps between consecutive primes, found piece by piece and merged in any
 * order into the range's (issue 17's counts and --gaps).
 *
 * Patterns are primesieve's, as ../shared/reference/patterns.md lists them:
 *
 *   twins        (p, p+2)
 *   triplets     (p, p+2, p+6) or (p, p+4, p+6)
 *   quadruplets  (p, p+2, p+6, p+8)
 *   quintuplets  (p, p+2, p+6, p+8, p+12) or (p, p+4, p+6, p+10, p+12)
 *   sextuplets   (p, p+4, p+6, p+10, p+12, p+16)
 *
 * and so is the convention: a k-tuplet counts in [START, STOP] when all of
 * its members lie there (a p matching both forms of a kind counts once).
 * Every form of kind k spans the same width (2, 6, 8, 12, 16), at most
 * SPAN = 16. Gaps: the gap after a prime p of the range is q - p, q the
 * next prime, when q is in the range too. The maximal gaps (records) are
 * those larger than every gap before them in the range; from START = 2
 * they are the known maximal prime gaps.
 *
 * Why any split of the range, merged in any order, gives the range's
 * patterns exactly: every tuplet and every gap belongs to the piece that
 * holds its last member (its greater prime). A piece [LO, HI] is built
 * from its own primes after the primes of the range just before LO: those
 * within SPAN of LO and at least the prime before LO (mpp_primes_before,
 * primality.h, finds them without the piece before). So a piece counts
 * every tuplet and gap that ends in it, the ones that cross LO included,
 * and no other; the counts and the histogram of the pieces then add up,
 * whatever the order, and so does the union of the pieces' records: a gap
 * that beats every gap before it in the range beats every gap before it
 * in its piece, so the range's records are among the pieces' records, and
 * are those of them that beat every earlier one (mpp_gaps_merge keeps that
 * staircase). The merge is commutative and associative: ranks reduce their
 * chunks' results as they come, and MPI_Reduce merges the ranks'.
 *
 * Building costs about 6 ns a prime here (a 64-bit mask of the last primes
 * seen from the newest; a tuplet counted when its last member arrives).
 * Pure: no I/O, no globals.
 */
#ifndef MPP_PATTERNS_H
#define MPP_PATTERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPP_KINDS 6 /* 1 primes, 2 twins, ..., 6 sextuplets */
#define MPP_SPAN 16 /* the widest pattern, a sextuplet: p .. p + 16 */
/* The primes a piece is built after: those within SPAN before it (at most
 * 7: [2, 17]), or the one prime before it; mpp_primes_before's room. */
#define MPP_BEFORE_MAX (MPP_SPAN + 1)
/* Gaps the histogram holds, 1 to MPP_GAP_LIMIT - 1 (every gap between
 * primes below 2^64: the largest is 1550); a larger one would be counted in
 * the last slot. */
#define MPP_GAP_LIMIT 2048
/* Records: their gaps strictly grow, 1 and then even sizes below the limit. */
#define MPP_RECORDS_MAX (MPP_GAP_LIMIT / 2)

/* The name of kind K (1..6): "primes", "twins", "triplets", "quadruplets",
 * "quintuplets", "sextuplets"; NULL otherwise. */
const char *mpp_pattern_name(int k);

/* The forms of kind K (2..6): offsets from p, as a bit mask (bit d: p + d
 * a member). Returns the number of forms (1 or 2) stored at MASKS. */
unsigned mpp_pattern_forms(int k, uint32_t masks[2]);

/* The width of kind K's forms (2, 6, 8, 12, 16; 0 for primes). */
unsigned mpp_pattern_span(int k);

typedef struct {
    uint64_t gap;   /* 0: none */
    uint64_t after; /* the prime the gap follows */
} mpp_gap;

/* The gaps of any set of pieces of a range. */
typedef struct {
    uint64_t hist[MPP_GAP_LIMIT]; /* hist[g]: gaps of size g */
    unsigned nrecords;
    mpp_gap records[MPP_RECORDS_MAX]; /* the maximal gaps: by AFTER ascending, each
                                         larger than those before it */
} mpp_gaps;

/* None yet: the identity of mpp_gaps_merge. */
void mpp_gaps_clear(mpp_gaps *g);

/* A gap GAP after the prime AFTER: into the histogram, and among the
 * records when it beats every record before it (those after it that it
 * beats leave). RECORD false skips that search, for a gap known to be no
 * record: one not larger than a gap before it in its piece. */
void mpp_gaps_add(mpp_gaps *g, uint64_t gap, uint64_t after, bool record);

/* Merges B into A (commutative, associative). */
void mpp_gaps_merge(mpp_gaps *a, const mpp_gaps *b);

/* The number of gaps. */
uint64_t mpp_gaps_total(const mpp_gaps *g);

/* The largest gap at its first occurrence (gap 0 when there is none): the
 * last record. */
mpp_gap mpp_gaps_largest(const mpp_gaps *g);

/* On the wire (records.h's rule: only these functions read or write the
 * words): the number of records and of the histogram's non-zero slots,
 * then the records as (gap, after) pairs and the slots as (gap, count)
 * pairs. */
#define MPP_GAPS_MAX_WORDS (2 + 2 * MPP_RECORDS_MAX + 2 * MPP_GAP_LIMIT)
/* Writes G's words at W (at most MPP_GAPS_MAX_WORDS); returns their number. */
size_t mpp_gaps_pack(const mpp_gaps *g, uint64_t *w);
/* Reads the gaps packed at the start of the N words at W (words after them
 * are ignored). Returns false (G cleared) when they are not: a count out
 * of its bounds or past N, a slot out of order, records that do not grow. */
bool mpp_gaps_unpack(const uint64_t *w, size_t n, mpp_gaps *g);

/* Building one piece: its tuplets (count[k], k = 2..6, those whose last
 * member is in the piece), its primes (count[1], first, last), and its
 * gaps into a mpp_gaps. */
typedef struct {
    uint64_t count[MPP_KINDS + 1];
    uint64_t first, last; /* the piece's least and greatest prime (count[1] > 0) */
    /* while building: */
    uint64_t prev;        /* the last prime seen, the piece's or one before it */
    bool have_prev;
    uint64_t recent;      /* bit d: prev - d is a prime seen (d < 64) */
    uint64_t largest;     /* the piece's largest gap so far */
    mpp_gaps *gaps;       /* NULL: no gaps wanted */
    /* the sieve's bytes (mpp_patterns_wheel): */
    bool wheel_on;        /* a stretch came as bytes */
    uint64_t wheel_next;  /* the byte right after it */
    bool carry;           /* its last number (30 k + 29) is a prime */
} mpp_patterns;

/* Begins a piece after BEFORE[0..NBEFORE-1] (ascending): the primes of the
 * range before the piece that mpp_primes_before(START, LO, MPP_SPAN, ...)
 * returns; NBEFORE 0 when the piece starts the range. Its gaps go into
 * GAPS (NULL: none wanted). */
void mpp_patterns_begin(mpp_patterns *b, const uint64_t *before, size_t nbefore,
                        mpp_gaps *gaps);
/* The piece's next primes, ascending, in batches of any size. */
void mpp_patterns_push(mpp_patterns *b, const uint64_t *primes, size_t n);
/* mpp_patterns_push as an mpp_sink function (sink.h): CTX is the
 * mpp_patterns being built, so that a finder hands it a piece's primes
 * (mpp_finder_find). Returns 0. */
int mpp_patterns_sink(void *ctx, const uint64_t *primes, size_t n);
/* The piece's next primes as a stretch of the sieve's bytes (sink.h:
 * mpp_wheel_fn; CTX the mpp_patterns): the same counts and gaps as pushing
 * them one by one, at a fraction of the cost. Tuplets beyond the twins lie
 * within one byte (the wheel's 7, 11, 13, 17, 19, 23 of 30 k), so a few
 * shifted ANDs and popcounts of 64-bit words count those of 8 bytes at a
 * time; the twins (30 k + 29, 30 k + 31) cross a byte; a tuplet with
 * members before the stretch is counted from the primes of its first
 * byte, as pushed ones are. Gaps: the gap into a byte is counted apart,
 * those within a byte by the byte's value, 256 counters emptied into the
 * histogram once per stretch (none of them can be a record once the
 * piece's largest gap is 28, the widest within a byte; before, every gap
 * is taken one by one). Returns 0. */
int mpp_patterns_wheel(void *ctx, const uint8_t *bytes, size_t n, uint64_t byte0);

/* ---- listing one kind's tuplets (--print=K) ---- */

/* Receives N tuplets of one kind in ascending order, each as its least
 * member FIRSTS[i] and its form FORMS[i] (bit d: FIRSTS[i] + d a member);
 * every call continues where the previous one stopped. Returns as an
 * mpp_prime_fn: 0 to go on, anything else (positive) to stop the finder. */
typedef int (*mpp_tuplet_fn)(void *ctx, const uint64_t *firsts, const uint32_t *forms,
                             size_t n);

/* A piece's K-tuplets as a listing wants them: those whose last member is
 * in the piece (the same attribution as the counts), in ascending order,
 * handed to EMIT. (Tuplets of one kind all span the same width, so their
 * order by least member is their order by last member.) */
typedef struct {
    int kind;
    mpp_tuplet_fn emit;
    void *ctx;
    mpp_patterns seen; /* the last primes seen and the wheel's state (no gaps) */
} mpp_tuplets;

/* Begins a piece of kind K (2..6) after BEFORE[0..NBEFORE-1], as
 * mpp_patterns_begin. */
void mpp_tuplets_begin(mpp_tuplets *t, int kind, const uint64_t *before, size_t nbefore,
                       mpp_tuplet_fn emit, void *ctx);
/* The piece's next primes (an mpp_prime_fn; CTX the mpp_tuplets). Returns
 * EMIT's first non-zero return, or 0. */
int mpp_tuplets_sink(void *ctx, const uint64_t *primes, size_t n);
/* The piece's next primes as a stretch of the sieve's bytes (an
 * mpp_wheel_fn; CTX the mpp_tuplets): the same tuplets as pushing them, the
 * in-byte masks of mpp_patterns_wheel with each set bit read out. */
int mpp_tuplets_wheel(void *ctx, const uint8_t *bytes, size_t n, uint64_t byte0);

#endif
