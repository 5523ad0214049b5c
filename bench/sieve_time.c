/* sieve_time.c - times the core sieve alone, without MPI, for tuning.
 *
 *   sieve_time LO HI [--list] [--segment BYTES] [--chunk BYTES]
 *                    [--no-presieve] [--window N] [--repeat K]
 *
 * Prints the count, first and last prime, and the best of K wall times. With
 * --list the primes are turned into values and handed to a sink that only
 * checksums them (the cost of listing, without output). Built by CMake as
 * bench/sieve_time; not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "numparse.h"
#include "sieve.h"

static int checksum(void *ctx, const uint64_t *primes, size_t n)
{
    uint64_t *sum = ctx;
    for (size_t i = 0; i < n; i++)
        *sum += primes[i];
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t number(const char *s)
{
    uint64_t v;
    char err[128];
    if (mpp_parse_u64(s, &v, err, sizeof err) != MPP_NUM_OK) {
        fprintf(stderr, "sieve_time: %s\n", err);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: sieve_time LO HI [--list] [--segment BYTES] [--chunk BYTES]"
                        " [--no-presieve] [--window N] [--repeat K]\n");
        return 2;
    }
    uint64_t lo = number(argv[1]), hi = number(argv[2]), sum = 0;
    mpp_sieve_config cfg = {0};
    int list = 0, repeat = 1;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--list"))
            list = 1;
        else if (!strcmp(argv[i], "--no-presieve"))
            cfg.no_presieve = 1;
        else if (i + 1 < argc && !strcmp(argv[i], "--segment"))
            cfg.segment_bytes = (uint32_t)number(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "--chunk"))
            cfg.chunk_bytes = (uint32_t)number(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "--window"))
            cfg.window = number(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "--repeat"))
            repeat = (int)number(argv[++i]);
        else {
            fprintf(stderr, "sieve_time: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    mpp_sink sink = {checksum, &sum};
    mpp_tally t = {0};
    double best = 1e300;
    for (int r = 0; r < repeat; r++) {
        sum = 0;
        double t0 = now();
        int rc = mpp_sieve_ex(lo, hi, list ? &sink : NULL, &t, &cfg);
        double dt = now() - t0;
        if (rc != MPP_OK) {
            fprintf(stderr, "sieve_time: sieve failed (%d)\n", rc);
            return 1;
        }
        if (dt < best)
            best = dt;
    }
    printf("count %llu first %llu last %llu", (unsigned long long)t.count,
           (unsigned long long)t.first, (unsigned long long)t.last);
    if (list)
        printf(" sum %llu", (unsigned long long)sum);
    printf(" seconds %.3f\n", best);
    return 0;
}
