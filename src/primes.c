/* primes.c - the method table, the dispatcher and the prime vector sink. */
#include "primes.h"

#include <stdlib.h>
#include <string.h>

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

void mpp_vec_free(mpp_vec *v)
{
    free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}

int mpp_vec_push(void *vec, const uint64_t *primes, size_t n)
{
    mpp_vec *v = vec;
    if (n == 0)
        return 0;
    if (n > v->cap - v->len) {
        size_t cap = v->cap ? v->cap : 1024;
        while (cap - v->len < n) {
            if (cap > SIZE_MAX / 2 / sizeof *v->data)
                return MPP_VEC_ENOMEM;
            cap *= 2;
        }
        uint64_t *data = realloc(v->data, cap * sizeof *data);
        if (!data)
            return MPP_VEC_ENOMEM;
        v->data = data;
        v->cap = cap;
    }
    memcpy(v->data + v->len, primes, n * sizeof *primes);
    v->len += n;
    return 0;
}
