/* finder.c - the method table, the dispatcher and a rank's finder. */
#include "finder.h"

#include <stdlib.h>

#include "sieve.h"
#include "trial.h"

const char *mpp_method_name(mpp_method m)
{
    switch (m) {
    case MPP_METHOD_SIEVE:
        return "sieve";
    case MPP_METHOD_TRIAL:
        return "trial";
    }
    return NULL;
}

int mpp_find_primes(mpp_method method, uint64_t lo, uint64_t hi,
                    const mpp_sink *sink, mpp_tally *tally)
{
    return mpp_find_primes_stoppable(method, lo, hi, sink, tally, NULL);
}

int mpp_find_primes_stoppable(mpp_method method, uint64_t lo, uint64_t hi,
                              const mpp_sink *sink, mpp_tally *tally, mpp_stop *stop)
{
    return method == MPP_METHOD_TRIAL ? mpp_trial_stoppable(lo, hi, sink, tally, stop)
                                      : mpp_sieve_stoppable(lo, hi, sink, tally, stop);
}

struct mpp_finder {
    mpp_method method;
    mpp_sieve_state *sieve; /* the sieve's, kept across pieces */
};

mpp_finder *mpp_finder_new(mpp_method method, uint64_t horizon)
{
    mpp_finder *f = malloc(sizeof *f);
    if (!f)
        return NULL;
    f->method = method;
    f->sieve = NULL;
    if (method == MPP_METHOD_SIEVE && !(f->sieve = mpp_sieve_state_new(horizon, NULL))) {
        free(f);
        return NULL;
    }
    return f;
}

mpp_method mpp_finder_method(const mpp_finder *f)
{
    return f->method;
}

int mpp_finder_find(mpp_finder *f, uint64_t lo, uint64_t hi, const mpp_sink *sink,
                    mpp_tally *tally, mpp_stop *stop)
{
    if (f->sieve)
        return mpp_sieve_state_find(f->sieve, lo, hi, sink, tally, stop);
    return mpp_find_primes_stoppable(f->method, lo, hi, sink, tally, stop);
}

int mpp_finder_find_wheel(mpp_finder *f, uint64_t lo, uint64_t hi, const mpp_wheel_sink *ws,
                          mpp_tally *tally, mpp_stop *stop)
{
    if (f->sieve)
        return mpp_sieve_state_find_wheel(f->sieve, lo, hi, ws, tally, stop);
    mpp_sink sink = {ws->primes, ws->ctx};
    return mpp_find_primes_stoppable(f->method, lo, hi, &sink, tally, stop);
}

void mpp_finder_set_horizon(mpp_finder *f, uint64_t horizon)
{
    if (f->sieve)
        mpp_sieve_state_set_horizon(f->sieve, horizon);
}

void mpp_finder_share(mpp_finder *f, uint64_t above, uint64_t lo, uint64_t hi,
                      uint32_t *primes, size_t n, bool keep)
{
    if (f->sieve)
        mpp_sieve_state_share(f->sieve, above, lo, hi, primes, n, keep);
    else
        free(primes);
}

const mpp_sieve_state *mpp_finder_sieve(const mpp_finder *f)
{
    return f->sieve;
}

void mpp_finder_free(mpp_finder *f)
{
    if (f)
        mpp_sieve_state_free(f->sieve);
    free(f);
}
