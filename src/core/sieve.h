#ifndef MPP_SIEVE_H
#define MPP_SIEVE_H

#include <stdbool.h>

#include "sink.h"

/* Segmented sieve of Eratosthenes on a mod-30 wheel over [LO, HI]; see the
 * comment at the top of sieve.c for the design. Same contract as
 * mpp_find_primes(). Memory is O(sqrt(HI)) plus one segment, independent of
 * HI - LO. */
int mpp_sieve(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally);

/* Tuning knobs, for tests and benchmarks; zero in a field means "the
 * default" (cache sizes read at run time). */
typedef struct {
    uint32_t segment_bytes; /* sieve segment, rounded down to a power of two, <= 2^23 */
    uint32_t chunk_bytes;   /* small-prime pass (L1), rounded likewise */
    int no_presieve;        /* non-zero: cross off 7..179 like other primes */
    uint64_t window;        /* numbers per window (sieving primes restart) */
} mpp_sieve_config;

/* Windows by default (mpp_sieve_state_new): a horizon at or above
 * MPP_SIEVE_WINDOW_FROM is sieved MPP_SIEVE_WINDOW numbers at a time, each
 * window generating its sieving primes afresh; below it, in one window. */
#define MPP_SIEVE_WINDOW ((uint64_t)1 << 31)
#define MPP_SIEVE_WINDOW_FROM ((uint64_t)1 << 56)

/* mpp_sieve() with explicit tuning; CFG may be NULL. */
int mpp_sieve_ex(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally,
                 const mpp_sieve_config *cfg);

/* mpp_sieve() that STOP (may be NULL) can interrupt; see mpp_stop. */
int mpp_sieve_stoppable(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally,
                        mpp_stop *stop);

/* The sieve a rank keeps for a whole run (finder.h): it moves through the
 * pieces it is given without starting over. A piece that begins where the
 * last one ended continues the sieve; one further on in the same window
 * re-places the sieving primes held (a division each, nothing generated
 * again); one before what was sieved, or past the window, opens a new
 * window. Pieces may reach up to HORIZON (one past it starts over with a
 * larger horizon). Windows: all of [piece, HORIZON] below
 * MPP_SIEVE_WINDOW_FROM, else MPP_SIEVE_WINDOW numbers (cfg->window when
 * set). CFG may be NULL. */
typedef struct mpp_sieve_state mpp_sieve_state;
mpp_sieve_state *mpp_sieve_state_new(uint64_t horizon, const mpp_sieve_config *cfg);
/* The primes of [LO, HI] as mpp_sieve_stoppable(), with what ST kept. After
 * an error or a stop the next piece opens a new window. */
int mpp_sieve_state_find(mpp_sieve_state *st, uint64_t lo, uint64_t hi, const mpp_sink *sink,
                         mpp_tally *tally, mpp_stop *stop);
/* mpp_sieve_state_find() handing the primes over as the sieve's bytes
 * (sink.h: mpp_wheel_sink): 2, 3 and 5 to WS->primes, the rest a segment
 * at a time to WS->wheel. The tally is counted as without a sink. */
int mpp_sieve_state_find_wheel(mpp_sieve_state *st, uint64_t lo, uint64_t hi,
                               const mpp_wheel_sink *ws, mpp_tally *tally, mpp_stop *stop);
void mpp_sieve_state_free(mpp_sieve_state *st);
/* A new horizon for ST (what it keeps of the window goes): a rank that
 * learns that its pieces end at HORIZON keeps its windows, and so its
 * memory, to what it will sieve. */
void mpp_sieve_state_set_horizon(mpp_sieve_state *st, uint64_t horizon);

/* A set-up shared among ranks: the sieving primes above ABOVE that have a
 * multiple to cross off in [LO, HI] (ascending, as mpp_sieve_hits() finds
 * them: ranks find those of a slice each and gather them all). ST takes
 * PRIMES (malloc'd; NULL: none) and, in every window of values within [LO,
 * HI], generates its sieving primes only up to ABOVE and takes the others
 * from PRIMES: near 1e19 most sieving primes have no multiple in a short
 * range, and a rank no longer generates and divides every one of them. A
 * horizon past HI drops them; so does a window that reads them all and
 * reaches the horizon, unless KEEP (pieces that may go back to an earlier window,
 * which would otherwise generate all its sieving primes itself). */
void mpp_sieve_state_share(mpp_sieve_state *st, uint64_t above, uint64_t lo, uint64_t hi,
                           uint32_t *primes, size_t n, bool keep);

/* The primes of (PLO, PHI] (PHI capped at 2^32 - 1) that a sieve of [LO, HI]
 * crosses off a multiple of (the first p q >= LO with q >= p and q coprime
 * to 210 is <= HI), ascending, in *OUT (malloc'd, NULL when none) and *N.
 * MPP_OK or MPP_ENOMEM. */
int mpp_sieve_hits(uint64_t plo, uint64_t phi, uint64_t lo, uint64_t hi, uint32_t **out,
                   size_t *n);

/* Whether NRANKS ranks sieving [START, STOP] should share the set-up of
 * the sieving primes above *ABOVE (set when true): when most of them have
 * no multiple in a range that is short beside them (*ABOVE: the range's
 * length, at least 2^20), and there are at least 2^24 numbers above
 * *ABOVE up to sqrt(STOP) to share out. */
bool mpp_sieve_share_plan(uint64_t start, uint64_t stop, int nranks, uint64_t *above);

/* What a state did so far, for tests and benchmarks. */
typedef struct {
    uint64_t windows;  /* windows opened: sieving primes generated */
    uint64_t shared;   /* of which with the shared primes (mpp_sieve_state_share) */
    uint64_t rebases;  /* jumps: sieving primes re-placed */
    uint64_t segments; /* segments sieved */
    uint64_t partial;  /* of which partial (a piece ended early in one) */
} mpp_sieve_stats;
void mpp_sieve_state_stats(const mpp_sieve_state *st, mpp_sieve_stats *out);

/* True when the sieve counts with the CPU's POPCNT instruction (x86-64
 * CPUs that have it, checked at run time); else it counts portably. */
bool mpp_sieve_uses_popcnt(void);

/* floor(sqrt(N)), exact for every 64-bit N. */
uint64_t mpp_isqrt(uint64_t n);

#endif
