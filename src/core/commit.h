/* commit.h - committing a piece of the work: one event, and its observers.
 *
 * A piece is committed when its result is final: a chunk that a rank did
 * in --count (at once: nothing can undo it), the chunks of a listing's
 * round that rank 0 has judged complete (mpp_commit_round, rounds.h), and
 * the whole range once --count's results are merged. Every commit is one
 * mpp_commit event handed to every observer hooked to the run, in order,
 * on the rank where it happens. What a rank reports about its own work
 * (mpp_rank_work) and how far rank 0 knows the run has got (mpp_progress)
 * are two observers; the progress line and the checkpoint (the MPI layer's
 * tracking.c) follow the same commits. Pure: no MPI, no I/O.
 */
#ifndef MPP_COMMIT_H
#define MPP_COMMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "result.h"

typedef enum {
    MPP_COMMIT_CHUNK, /* one chunk of this rank */
    MPP_COMMIT_ROUND  /* rank 0: a round (--count: the whole range, one round) */
} mpp_commit_scope;

typedef struct {
    mpp_commit_scope scope;
    uint64_t lo, hi;   /* the numbers it settles, inclusive: the chunk (when the
                          buffer filled: up to its last stored prime), or the
                          round's from its start to its last committed number */
    mpp_result result; /* what was found there */
    bool done;         /* ROUND: every number of the range is now settled */
} mpp_commit;

typedef void (*mpp_commit_fn)(void *ctx, const mpp_commit *c);

#define MPP_COMMIT_OBSERVERS 8

typedef struct {
    struct {
        mpp_commit_fn fn;
        void *ctx;
    } at[MPP_COMMIT_OBSERVERS];
    int n;
} mpp_commit_hooks;

/* Adds an observer (called after those added before); false when there is
 * no room left. Start from a zeroed mpp_commit_hooks. */
bool mpp_commit_hook(mpp_commit_hooks *h, mpp_commit_fn fn, void *ctx);

/* Hands C to every observer of H. */
void mpp_commit_notify(const mpp_commit_hooks *h, const mpp_commit *c);

/* A rank's own account of its committed chunks (the per-rank row of the
 * report): what it found, how many chunks and numbers, and the least and
 * greatest number of them. */
typedef struct {
    mpp_result result;
    uint64_t chunks;
    uint64_t numbers; /* saturates at UINT64_MAX: the whole 64-bit range */
    bool spanned;     /* LO and HI are set */
    uint64_t lo, hi;
} mpp_rank_work;

/* The observer (ctx: an mpp_rank_work, zeroed to start); takes CHUNK
 * events only. */
void mpp_rank_work_on_commit(void *work, const mpp_commit *c);

/* How far the run has got, as rank 0 knows it from the committed rounds. */
typedef struct {
    uint64_t start, stop; /* the range */
    uint64_t rounds;      /* rounds committed */
    uint64_t next;        /* the first number not settled (STOP when done) */
    mpp_result result;    /* what the committed rounds found */
    double numbers;       /* numbers settled */
    bool done;            /* every number is */
} mpp_progress;

void mpp_progress_init(mpp_progress *p, uint64_t start, uint64_t stop);

/* The observer (ctx: an mpp_progress); takes ROUND events only, which must
 * come in order: each starts where the one before ended. */
void mpp_progress_on_commit(void *progress, const mpp_commit *c);

#endif
