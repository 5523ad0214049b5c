/* sink.c - the prime vector sink. */
#include "sink.h"

#include <stdlib.h>
#include <string.h>

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
