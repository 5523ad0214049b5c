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

double mpp_tuplet_count_expected(int k, uint64_t lo, uint64_t hi)
{
    /* Hardy-Littlewood's constants, each kind's forms together: twins
     * 2 C_2, triplets 2 x 2.858, quadruplets 4.151, quintuplets 2 x 10.13,
     * sextuplets 17.30. */
    static const double C[7] = {0, 0, 1.3203236316, 5.7164971914, 4.1511808632,
                                20.2635898984, 17.2986290405};
    double primes = mpp_prime_count_expected(lo, hi);
    if (k < 2 || k > 6 || primes == 0)
        return primes;
    double a = lo < 2 ? 2 : (double)lo, b = (double)hi + 1, sum = 0;
    if (lo > 2 && (double)(hi - lo) + 1 < a / 64) /* narrow and high: one piece */
        return fmin(primes, ((double)(hi - lo) + 1) * C[k] / pow(log(a), k));
    /* 64 pieces of equal ratio from max(LO, 2) to HI + 1 */
    double step = pow(b / a, 1.0 / 64);
    for (int i = 0; i < 64 && a < b; i++) {
        double next = i == 63 ? b : a * step;
        sum += (next - a) * C[k] / pow(log(a), k);
        a = next;
    }
    return sum < primes ? sum : primes;
}
