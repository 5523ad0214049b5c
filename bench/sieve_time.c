/* sieve_time.c - times the core sieve alone, without MPI, for tuning.
 *
 *   sieve_time LO HI [--list] [--segment BYTES] [--chunk BYTES]
 *                    [--no-presieve] [--window N] [--repeat K]
 *                    [--pieces P [--of R]]
 *
 * Prints the count, first and last prime, and the best of K wall times. With
 * --list the primes are turned into values and handed to a sink that only
 * checksums them (the cost of listing, without output). With --pieces P the
 * range is cut into P equal pieces and one sieve state (as a rank's finder
 * keeps) is handed every R-th of them (R = 1: all, one after another; R = 2:
 * what rank 0 of 2 gets in a listing's rounds, a jump before each), and the
 * state's windows, jumps, segments and partial segments are printed too: the
 * cost of a jump is the difference from one piece. Built by CMake as
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
    uint64_t pieces = 0, of = 1;
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
        else if (i + 1 < argc && !strcmp(argv[i], "--pieces"))
            pieces = number(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "--of"))
            of = number(argv[++i]);
        else {
            fprintf(stderr, "sieve_time: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    mpp_sink sink = {checksum, &sum};
    mpp_tally t = {0};
    mpp_sieve_stats st = {0, 0, 0, 0, 0};
    double best = 1e300;
    if (pieces && (of == 0 || hi < lo || (hi - lo) / pieces == 0)) {
        fprintf(stderr, "sieve_time: --pieces needs a range of at least P numbers, --of >= 1\n");
        return 2;
    }
    for (int r = 0; r < repeat; r++) {
        sum = 0;
        double t0 = now();
        int rc = MPP_OK;
        if (!pieces) {
            rc = mpp_sieve_ex(lo, hi, list ? &sink : NULL, &t, &cfg);
        } else {
            mpp_sieve_state *s = mpp_sieve_state_new(hi, &cfg);
            uint64_t len = (hi - lo) / pieces; /* the last piece takes the rest */
            mpp_tally all = {0, 0, 0};
            for (uint64_t k = 0; s && rc == MPP_OK && k < pieces; k += of) {
                uint64_t a = lo + k * len, b = k + 1 == pieces ? hi : a + len - 1;
                mpp_tally one;
                rc = mpp_sieve_state_find(s, a, b, list ? &sink : NULL, &one, NULL);
                if (one.count && !all.count)
                    all.first = one.first;
                if (one.count)
                    all.last = one.last;
                all.count += one.count;
            }
            if (!s)
                rc = MPP_ENOMEM;
            else
                mpp_sieve_state_stats(s, &st);
            mpp_sieve_state_free(s);
            t = all;
        }
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
    if (pieces)
        printf(" windows %llu jumps %llu segments %llu partial %llu",
               (unsigned long long)st.windows, (unsigned long long)st.rebases,
               (unsigned long long)st.segments, (unsigned long long)st.partial);
    printf(" seconds %.3f\n", best);
    return 0;
}
