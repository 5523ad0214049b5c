/* nth.c - see nth.h. */
#include "nth.h"

#include <math.h>
#include <stdlib.h>

#include "estimate.h"
#include "primality.h"

#define TWO64 18446744073709551616.0

/* mu(n) for n = 1..64. */
static const signed char MU[65] = {
    0,  1,  -1, -1, 0,  -1, 1,  -1, 0,  0,  1,  -1, 0,  -1, 1,  1,  0,  -1, 0,  -1, 0,  1,  1,
    -1, 0,  0,  1,  0,  0,  -1, -1, -1, 0,  1,  1,  1,  0,  -1, 1,  1,  0,  -1, -1, -1, 0,  0,
    1,  -1, 0,  0,  0,  1,  0,  -1, 0,  1,  0,  1,  1,  -1, 0,  -1, 1,  0,  0};

double mpp_riemann_r(double x)
{
    if (x < 2)
        return 0;
    double r = 0;
    for (int n = 1; n <= 64; n++) {
        double root = pow(x, 1.0 / n);
        if (root < 2)
            break;
        if (MU[n])
            r += MU[n] / (double)n * mpp_li(root);
    }
    return r;
}

static uint64_t to_u64(double x)
{
    if (!(x > 0))
        return 0;
    return x >= TWO64 ? UINT64_MAX : (uint64_t)x;
}

/* A number X for which [FROM, X] (UP) or [X, FROM] holds about K primes:
 * by the density near FROM for a window short beside FROM, else by
 * Newton's method on R. Clamped to [0, 2^64 - 1]. */
static uint64_t ahead(uint64_t from, uint64_t k, bool up)
{
    double f = (double)from, kk = (double)k;
    double width = kk * log(f > 3 ? f : 3);
    if (f > 64 && width < f / 64) { /* (added as integers: above 2^53 a double
                                       would round the width away) */
        double mid = up ? f + width / 2 : f - width / 2;
        uint64_t w = to_u64(kk * log(mid));
        if (up)
            return UINT64_MAX - from < w ? UINT64_MAX : from + w;
        return from < w ? 0 : from - w;
    }
    double target = up ? mpp_riemann_r(f) + kk : mpp_riemann_r(f) - kk;
    if (target <= 0)
        return 0;
    double x = target * log(target > 3 ? target : 3) + 2;
    for (int i = 0; i < 40; i++) {
        double step = (mpp_riemann_r(x) - target) * log(x);
        x -= step;
        if (x < 2)
            x = 2;
        if (x > 2 * TWO64)
            x = 2 * TWO64;
        if (fabs(step) < 1)
            break;
    }
    return to_u64(x);
}

int mpp_nth_plan_make(bool neg, uint64_t n, uint64_t start, mpp_nth_plan *p)
{
    *p = (mpp_nth_plan){.neg = neg && n > 0, .n = n, .start = start};
    if (!p->neg) {
        p->forward = true;
        if (n == 0) { /* the first prime at or after START */
            p->k = 1;
            p->lo = p->hi = start;
            return MPP_NTH_OK;
        }
        if (start == UINT64_MAX)
            return MPP_NTH_BEYOND;
        p->k = n;
        p->lo = start + 1;
        /* li over-counts: if even it falls short by a margin, no answer */
        if (mpp_prime_count_expected(p->lo, UINT64_MAX) * 1.001 + 1000 < (double)n)
            return MPP_NTH_BEYOND;
        uint64_t x = ahead(p->lo, n, true);
        p->hi = x < p->lo ? p->lo : x;
        return MPP_NTH_OK;
    }
    if (start <= 2)
        return MPP_NTH_BELOW;
    p->forward = false;
    p->k = n;
    p->hi = start - 1;
    if (mpp_prime_count_expected(2, p->hi) * 1.001 + 1000 < (double)n)
        return MPP_NTH_BELOW;
    uint64_t x = ahead(p->hi, n, false);
    p->lo = x < 2 ? 2 : x > p->hi ? p->hi : x;
    return MPP_NTH_OK;
}

/* ---- the last stretch ---- */

#define FIRST_WINDOW ((uint64_t)1 << 16)
#define LAST_WINDOW ((uint64_t)1 << 32)
#define FOUND 1 /* (a sink's positive code: stop there) */

typedef struct {
    uint64_t left; /* primes still to pass, the one wanted included */
    uint64_t answer;
} kth;

static int kth_push(void *ctx, const uint64_t *primes, size_t n)
{
    kth *c = ctx;
    if (n < c->left) {
        c->left -= n;
        return 0;
    }
    c->answer = primes[c->left - 1];
    return FOUND;
}

/* High up, a few primes away: number by number (Miller-Rabin, about 80 ns
 * a number near 2^64) instead of a sieve, which would first make every
 * prime up to the square root (seconds near 2^64). */
#define SCAN_FROM ((uint64_t)1 << 40)
#define SCAN_PRIMES 4096

static bool scan_pays(uint64_t from, uint64_t k)
{
    return from >= SCAN_FROM && k <= SCAN_PRIMES;
}

/* The K-th prime from FROM up (FROM counts), or MPP_NTH_BEYOND. */
static int kth_up(mpp_finder *f, uint64_t from, uint64_t k, uint64_t *answer, mpp_stop *stop)
{
    if (scan_pays(from, k)) {
        for (uint64_t x = from;; x++) {
            if (mpp_is_prime(x) && --k == 0) {
                *answer = x;
                return MPP_NTH_OK;
            }
            if (x == UINT64_MAX)
                return MPP_NTH_BEYOND;
            if (stop && stop->flag && *stop->flag && (x & 0xffff) == 0)
                return MPP_STOPPED;
        }
    }
    kth c = {.left = k, .answer = 0};
    mpp_sink sink = {kth_push, &c};
    for (uint64_t a = from, w = FIRST_WINDOW;; w = w < LAST_WINDOW ? 2 * w : w) {
        uint64_t b = UINT64_MAX - a < w - 1 ? UINT64_MAX : a + w - 1;
        mpp_tally t;
        int rc = mpp_finder_find(f, a, b, &sink, &t, stop);
        if (rc == FOUND) {
            *answer = c.answer;
            return MPP_NTH_OK;
        }
        if (rc != MPP_OK)
            return rc;
        if (b == UINT64_MAX)
            return MPP_NTH_BEYOND;
        a = b + 1;
    }
}

/* The K-th prime from FROM down (FROM counts) no lower than FLOOR, or
 * MPP_NTH_BELOW. */
static int kth_down(mpp_finder *f, uint64_t from, uint64_t k, uint64_t floor, uint64_t *answer,
                    mpp_stop *stop)
{
    if (scan_pays(from, k)) {
        for (uint64_t x = from;; x--) {
            if (mpp_is_prime(x) && --k == 0) {
                *answer = x;
                return MPP_NTH_OK;
            }
            if (x == floor)
                return MPP_NTH_BELOW;
            if (stop && stop->flag && *stop->flag && (x & 0xffff) == 0)
                return MPP_STOPPED;
        }
    }
    for (uint64_t b = from, w = FIRST_WINDOW;; w = w < LAST_WINDOW ? 2 * w : w) {
        uint64_t a = b - floor < w - 1 ? floor : b - (w - 1);
        mpp_vec v = {NULL, 0, 0};
        mpp_sink sink = {mpp_vec_push, &v};
        mpp_tally t;
        int rc = mpp_finder_find(f, a, b, &sink, &t, stop);
        if (rc != MPP_OK) {
            mpp_vec_free(&v);
            return rc == MPP_VEC_ENOMEM ? MPP_ENOMEM : rc;
        }
        if (v.len >= k) {
            *answer = v.data[v.len - k];
            mpp_vec_free(&v);
            return MPP_NTH_OK;
        }
        k -= v.len;
        mpp_vec_free(&v);
        if (a == floor)
            return MPP_NTH_BELOW;
        b = a - 1;
    }
}

int mpp_nth_finish(mpp_finder *f, const mpp_nth_plan *p, uint64_t counted, uint64_t *answer,
                   mpp_stop *stop)
{
    if (p->forward) {
        if (counted >= p->k) /* in the interval: counting back from its end */
            return kth_down(f, p->hi, counted - p->k + 1, p->lo, answer, stop);
        if (p->hi == UINT64_MAX)
            return MPP_NTH_BEYOND;
        return kth_up(f, p->hi + 1, p->k - counted, answer, stop);
    }
    if (counted >= p->k) /* in the interval: counting on from its start */
        return kth_up(f, p->lo, counted - p->k + 1, answer, stop);
    if (p->lo <= 2)
        return MPP_NTH_BELOW;
    return kth_down(f, p->lo - 1, p->k - counted, 2, answer, stop);
}
