/* status.c - see status.h. */
#include "status.h"

#include <math.h>
#include <stdio.h>

const char *mpp_status_duration(char *buf, size_t size, double seconds)
{
    if (!(seconds >= 0) || seconds > 1e9) {
        snprintf(buf, size, "?");
        return buf;
    }
    unsigned long s = (unsigned long)llround(seconds);
    if (s < 60)
        snprintf(buf, size, "%lus", s);
    else if (s < 3600)
        snprintf(buf, size, "%lum%02lus", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, size, "%luh%02lum", s / 3600, s / 60 % 60);
    else
        snprintf(buf, size, "%lud%02luh", s / 86400, s / 3600 % 24);
    return buf;
}

/* X numbers, short: "950", "3.7e10". */
static void amount(char *buf, size_t size, double x)
{
    if (x < 1e4) {
        snprintf(buf, size, "%.0f", x);
        return;
    }
    int e = (int)floor(log10(x));
    double m = x / pow(10, e);
    if (m >= 9.995) { /* rounds up to 10.0 */
        m /= 10;
        e++;
    }
    snprintf(buf, size, "%.2fe%d", m, e);
}

size_t mpp_status_line(char *buf, size_t size, const mpp_status *s, bool tty)
{
    char ran[16], left[16], rate[16];
    double pct = s->all > 0 ? 100.0 * s->done / s->all : 100.0;
    double mine = s->done - s->before;
    double per_s = s->elapsed > 0 ? mine / s->elapsed : 0;
    double eta = per_s > 0 ? (s->all - s->done) / per_s : -1;
    if (pct > 100)
        pct = 100;
    amount(rate, sizeof rate, per_s);
    mpp_status_duration(ran, sizeof ran, s->elapsed);
    mpp_status_duration(left, sizeof left, eta);
    int n;
    if (tty) {
        n = snprintf(buf, size, "\r%5.1f%%  %s numbers/s  %s elapsed  %s left" "\033[K",
                     pct, rate, ran, left);
    } else {
        struct tm tm;
        char stamp[32] = "";
        if (gmtime_r(&s->now, &tm))
            strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        n = snprintf(buf, size, "%s mpprimes: %.1f%% done, %s numbers/s, %s elapsed, %s left\n",
                     stamp, pct, rate, ran, left);
    }
    if (n < 0)
        n = 0;
    return (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}
