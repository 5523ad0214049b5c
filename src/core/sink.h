/* sink.h - what every prime finder shares: the "sink" through which it hands
 * primes over in ascending batches, the tally it reports, the flag that
 * stops it, its return codes, and a growable vector usable as a sink.
 * Pure; the finders (sieve.h, trial.h) and the dispatcher (finder.h)
 * include this, never each other. */
#ifndef MPP_SINK_H
#define MPP_SINK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Return codes of the finders. A sink's own non-zero return value is passed
 * through unchanged, so sinks should use positive codes. */
enum { MPP_OK = 0, MPP_ENOMEM = -1, MPP_STOPPED = -2 };

/* Receives N primes in ascending order; every call continues where the
 * previous one stopped. Returns 0 to go on, anything else to stop the finder,
 * which then returns that value. */
typedef int (*mpp_prime_fn)(void *ctx, const uint64_t *primes, size_t n);

typedef struct {
    mpp_prime_fn fn;
    void *ctx;
} mpp_sink;

/* The sieve's own form of the primes, for a consumer faster on it than on
 * the primes one by one (the patterns: tuplets by bit masks, gaps by
 * bytes). A stretch is N bytes from absolute byte BYTE0: bit j of byte i
 * stands for 30 (BYTE0 + i) + mpp_wheel_residue(j) and is set when that
 * number is a prime of the piece (numbers outside it are clear); the 7
 * bytes after the N are readable and zero, so that the stretch may be read
 * in 64-bit words. Stretches come in ascending order, those of one piece
 * one right after the other. Returns as mpp_prime_fn. */
typedef int (*mpp_wheel_fn)(void *ctx, const uint8_t *bytes, size_t n, uint64_t byte0);

/* The number bit J (0..7) of a wheel byte stands for, less 30 times its
 * byte: 1, 7, 11, 13, 17, 19, 23, 29. */
static inline unsigned mpp_wheel_residue(unsigned j)
{
    static const uint8_t residue[8] = {1, 7, 11, 13, 17, 19, 23, 29};
    return residue[j];
}

/* The 8 wheel bytes at P as one word, byte i in bits 8 i .. 8 i + 7. */
static inline uint64_t mpp_wheel_word(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

typedef struct {
    mpp_prime_fn primes; /* the primes no byte holds (2, 3, 5), in order before the
                            bytes; every prime when the finder has no wheel (trial
                            division) */
    mpp_wheel_fn wheel;
    void *ctx;
} mpp_wheel_sink;

/* What a finder reports about its range, also in count-only mode. */
typedef struct {
    uint64_t count; /* primes found */
    uint64_t first; /* smallest prime found; valid when count > 0 */
    uint64_t last;  /* largest prime found; valid when count > 0 */
} mpp_tally;

/* Stopping a finder from outside (a signal handler sets FLAG): the finder
 * polls *FLAG between sieve segments, while it gathers the sieving primes,
 * and every 2^16 trial divisions, a few milliseconds apart at most. Once it
 * reads non-zero it returns MPP_STOPPED; the tally then covers the primes of
 * [LO, LO + DONE - 1]. DONE is set on every return: HI - LO + 1 when the
 * finder ran to the end (saturating at 2^64 - 1 for the whole 64-bit range). */
typedef struct {
    const volatile sig_atomic_t *flag; /* NULL: never stop */
    uint64_t done;                     /* out: numbers done, from LO on */
} mpp_stop;

/* A growable array of primes, usable as a sink: {mpp_vec_push, &vec}. */
typedef struct {
    uint64_t *data;
    size_t len, cap;
} mpp_vec;

void mpp_vec_free(mpp_vec *v);
/* The sink function for an mpp_vec passed as ctx; returns MPP_ENOMEM (as a
 * positive code, see mpp_vec_push) when it cannot grow. */
int mpp_vec_push(void *vec, const uint64_t *primes, size_t n);
#define MPP_VEC_ENOMEM 12 /* what mpp_vec_push returns when out of memory */

#endif
