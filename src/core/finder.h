/* finder.h - the prime finders by name, and the finder a rank keeps for the
 * whole run.
 *
 * A finder finds the primes of the pieces of the range a rank is given, one
 * after another, by one METHOD: the segmented sieve (sieve.h) or trial
 * division (trial.h). It is an object so that it can keep what it built
 * for one piece for the next: the sieve's state (mpp_sieve_state: its
 * sieving primes, buckets and pre-sieve tables) moves on through the
 * pieces, re-placing its primes at a jump instead of generating them again.
 */
#ifndef MPP_FINDER_H
#define MPP_FINDER_H

#include <stdint.h>

#include "sieve.h"
#include "sink.h"

typedef enum { MPP_METHOD_SIEVE = 0, MPP_METHOD_TRIAL = 1 } mpp_method;

/* Name of a method ("sieve", "trial"), or NULL for an invalid value. */
const char *mpp_method_name(mpp_method m);

/* Finds the primes in [LO, HI] (inclusive; LO > HI means none) by METHOD.
 * *TALLY receives their count, first and last. When SINK is NULL only the
 * tally is computed (cheaper); otherwise every prime is also handed to SINK,
 * in order. Returns MPP_OK, MPP_ENOMEM, or the sink's non-zero return value
 * (the tally then covers what was found so far). */
int mpp_find_primes(mpp_method method, uint64_t lo, uint64_t hi,
                    const mpp_sink *sink, mpp_tally *tally);

/* mpp_find_primes() that STOP may interrupt (STOP may be NULL; see mpp_stop). */
int mpp_find_primes_stoppable(mpp_method method, uint64_t lo, uint64_t hi,
                              const mpp_sink *sink, mpp_tally *tally, mpp_stop *stop);

/* A rank's finder: made once, handed its pieces in any order. */
typedef struct mpp_finder mpp_finder;

/* A finder for METHOD whose pieces reach at most HORIZON (the run's STOP;
 * a piece past it still works, at the cost of starting over), or NULL when
 * out of memory. */
mpp_finder *mpp_finder_new(mpp_method method, uint64_t horizon);
/* Its method. */
mpp_method mpp_finder_method(const mpp_finder *f);
/* mpp_find_primes_stoppable() over the piece [LO, HI], with whatever F kept
 * from earlier pieces. */
int mpp_finder_find(mpp_finder *f, uint64_t lo, uint64_t hi, const mpp_sink *sink,
                    mpp_tally *tally, mpp_stop *stop);
/* mpp_finder_find() handing the primes to WS (sink.h): as the sieve's
 * bytes, or, by trial division, one by one to WS->primes. */
int mpp_finder_find_wheel(mpp_finder *f, uint64_t lo, uint64_t hi, const mpp_wheel_sink *ws,
                          mpp_tally *tally, mpp_stop *stop);
/* Tells F that its pieces end at HORIZON at most (the end of a rank's
 * static share): its sieve's windows then stop there. */
void mpp_finder_set_horizon(mpp_finder *f, uint64_t horizon);
/* A set-up shared among ranks (mpp_sieve_state_share): F takes PRIMES and,
 * for the sieve, uses them; trial division frees them. */
void mpp_finder_share(mpp_finder *f, uint64_t above, uint64_t lo, uint64_t hi,
                      uint32_t *primes, size_t n, bool keep);
/* The sieve's state that F keeps (NULL for trial division), for its stats. */
const mpp_sieve_state *mpp_finder_sieve(const mpp_finder *f);
/* Frees F and all it kept (F may be NULL). */
void mpp_finder_free(mpp_finder *f);

#endif
