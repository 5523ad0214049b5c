/* estimate.c - how many primes a range holds: li(x), and the expected count
 * of a window, which sizes the rounds of a listing. */
#include "estimate.h"

#include <math.h>

/* li(x) by the series gamma + ln ln x + sum_{k >= 1} (ln x)^k / (k k!).
 * All terms are positive, so double precision is enough up to x = 2^64. */
double mpp_li(double x)
{
    if (x < 2)
        x = 2;
    double l = log(x), term = 1, sum = 0;
    for (int k = 1; k < 400; k++) {
        term *= l / k; /* (ln x)^k / k! */
        double add = term / k;
        sum += add;
        if (add < sum * 1e-17)
            break;
    }
    return 0.57721566490153286 + log(l) + sum;
}

double mpp_prime_count_expected(uint64_t lo, uint64_t hi)
{
    if (lo > hi || hi < 2)
        return 0;
    double len = (double)(hi - lo) + 1, d;
    if (lo > 2 && len < (double)lo / 64)
        /* Narrow, high windows: li(hi) - li(lo) would subtract two values
         * near 4e17 whose rounding error exceeds the answer. The density
         * 1 / ln x is largest at lo, which makes this an upper estimate. */
        d = len / log((double)lo);
    else
        d = mpp_li((double)hi + 1) - mpp_li((double)lo);
    return d < 0 ? 0 : d;
}
