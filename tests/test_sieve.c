/* test_sieve.c - the segmented sieve against independent references: a plain
 * sieve, deterministic Miller-Rabin, and known pi(x) values. Expensive
 * cases are tagged "long" (ctest entry unit_sieve_long). */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"
#include "sieve.h"
#include "testutil.h"

#define P2(k) ((uint64_t)1 << (k))

/* The primes of [LO, HI] by the sieve, through a vector sink; also checks
 * that the count-only tally agrees with the list. */
static uint64_t *sieve_list(uint64_t lo, uint64_t hi, size_t *n)
{
    mpp_vec v = {0};
    mpp_sink sink = {mpp_vec_push, &v};
    mpp_tally t, t2;
    ck_assert_int_eq(mpp_sieve(lo, hi, &sink, &t), MPP_OK);
    ck_assert_uint_eq(t.count, v.len);
    ck_assert_int_eq(mpp_sieve(lo, hi, NULL, &t2), MPP_OK);
    ck_assert_uint_eq(t2.count, v.len);
    if (v.len) {
        ck_assert_uint_eq(t.first, v.data[0]);
        ck_assert_uint_eq(t.last, v.data[v.len - 1]);
        ck_assert_uint_eq(t2.first, v.data[0]);
        ck_assert_uint_eq(t2.last, v.data[v.len - 1]);
    }
    *n = v.len;
    return v.data;
}

/* The primes of [LO, HI] with tuning CFG, listed and counted. */
static uint64_t *sieve_list_cfg(uint64_t lo, uint64_t hi, const mpp_sieve_config *cfg,
                                size_t *n)
{
    mpp_vec v = {0};
    mpp_sink sink = {mpp_vec_push, &v};
    mpp_tally t, t2;
    ck_assert_int_eq(mpp_sieve_ex(lo, hi, &sink, &t, cfg), MPP_OK);
    ck_assert_int_eq(mpp_sieve_ex(lo, hi, NULL, &t2, cfg), MPP_OK);
    ck_assert_msg(t.count == v.len && t2.count == v.len, "[%llu, %llu]: tallies %llu, %llu, list %zu",
                  (unsigned long long)lo, (unsigned long long)hi, (unsigned long long)t.count,
                  (unsigned long long)t2.count, v.len);
    if (v.len)
        ck_assert(t.first == v.data[0] && t.last == v.data[v.len - 1] &&
                  t2.first == v.data[0] && t2.last == v.data[v.len - 1]);
    *n = v.len;
    return v.data;
}

/* The sieve's primes of [LO, HI] with tuning CFG (NULL: defaults) equal the
 * reference's. */
static void check_cfg(uint64_t lo, uint64_t hi, const mpp_sieve_config *cfg)
{
    size_t n, m;
    uint64_t *got = cfg ? sieve_list_cfg(lo, hi, cfg, &n) : sieve_list(lo, hi, &n);
    uint64_t *want = ref_primes(lo, hi, &m);
    ck_assert_msg(n == m, "[%llu, %llu]: %zu primes, want %zu", (unsigned long long)lo,
                  (unsigned long long)hi, n, m);
    size_t i = 0; /* one assertion, not one per prime: Check logs each */
    while (i < n && got[i] == want[i])
        i++;
    ck_assert_msg(i == n, "[%llu, %llu]: prime #%zu is %llu, want %llu",
                  (unsigned long long)lo, (unsigned long long)hi, i,
                  (unsigned long long)got[i % (n ? n : 1)],
                  (unsigned long long)want[i % (n ? n : 1)]);
    free(got);
    free(want);
}

static void check_against_reference(uint64_t lo, uint64_t hi)
{
    check_cfg(lo, hi, NULL);
}

static uint64_t count_cfg(uint64_t lo, uint64_t hi, const mpp_sieve_config *cfg)
{
    mpp_tally t;
    ck_assert_int_eq(mpp_sieve_ex(lo, hi, NULL, &t, cfg), MPP_OK);
    return t.count;
}

static uint64_t count(uint64_t lo, uint64_t hi)
{
    mpp_tally t;
    ck_assert_int_eq(mpp_sieve(lo, hi, NULL, &t), MPP_OK);
    return t.count;
}


START_TEST(isqrt_exact)
{
    static const uint64_t roots[] = {0, 1, 2, 3, 15, 16, 65535, 65536, 4294967295u,
                                     3037000499u, 1000000, 4294967291u};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        uint64_t r = roots[i], sq = r * r;
        ck_assert_uint_eq(mpp_isqrt(sq), r);
        if (r)
            ck_assert_uint_eq(mpp_isqrt(sq - 1), r - 1);
        if (r < 4294967295u)
            ck_assert_uint_eq(mpp_isqrt(sq + 2 * r), r); /* (r+1)^2 - 1 */
    }
    ck_assert_uint_eq(mpp_isqrt(UINT64_MAX), 4294967295u);
    uint64_t s = 88172645463325252u;
    int wrong = 0;
    for (uint64_t i = 0; i < test_iters(100000); i++) {
        uint64_t n = test_xorshift(&s) >> (i % 64), r = mpp_isqrt(n);
        wrong += (unsigned __int128)r * r > n || (unsigned __int128)(r + 1) * (r + 1) <= n;
    }
    ck_assert_int_eq(wrong, 0);
}
END_TEST

START_TEST(every_small_range)
{
    /* Every [lo, hi] inside [0, 130]: 2, 1, and each first odd/even edge. */
    unsigned char *is = ref_sieve(130);
    for (uint64_t lo = 0; lo <= 130; lo++)
        for (uint64_t hi = lo; hi <= 130; hi++) {
            uint64_t want = 0;
            for (uint64_t x = lo; x <= hi; x++)
                want += is[x];
            ck_assert_uint_eq(count(lo, hi), want);
        }
    free(is);
    ck_assert_uint_eq(count(5, 4), 0);          /* lo > hi: nothing */
    ck_assert_uint_eq(count(UINT64_MAX, 0), 0);
}
END_TEST

START_TEST(first_two_million)
{
    check_against_reference(0, 2000000);
}
END_TEST

START_TEST(random_windows_below_ten_million)
{
    uint64_t s = 2463534242u;
    for (uint64_t i = 0; i < test_iters(200); i++) {
        uint64_t lo = test_xorshift(&s) % 10000000, len = test_xorshift(&s) % 300000;
        check_against_reference(lo, lo + len);
    }
}
END_TEST

START_TEST(segment_edges)
{
    /* With 4 KiB segments (4096 bytes of 30 numbers each) and 1 KiB chunks:
     * ranges that end on, just before and just after segment and chunk
     * boundaries, and that start there. */
    const mpp_sieve_config cfg = {4096, 1024, 0, 0};
    for (int k = 1; k <= 3; k++) {
        uint64_t edges[] = {30 * 4096 * (uint64_t)k, 30 * 1024 * (uint64_t)(4 * k + 1)};
        for (int e = 0; e < 2; e++)
            for (int d = -31; d <= 31; d += 2) {
                if (!test_sample())
                    continue;
                check_cfg(0, edges[e] + d, &cfg);
                check_cfg(edges[e] + d, edges[e] + d + 100000, &cfg);
            }
    }
    /* The default geometry (from this machine's caches) at its own edges:
     * whatever it is, 2^15 .. 2^21 bytes, these cut through some. */
    for (int k = 15; k <= 21; k++)
        check_against_reference(30 * P2(k) - 1000, 30 * P2(k) + 1000);
}
END_TEST

START_TEST(tunings_agree_with_reference)
{
    /* Tiny segments make every kind of sieving prime appear in short ranges:
     * with 64-byte segments the primes above 64 are "big" and go through the
     * buckets, hitting a segment several times, once, or not at all. */
    static const mpp_sieve_config cfgs[] = {
        {64, 64, 0, 0},      {128, 64, 1, 0},     {256, 64, 0, 0},
        {1024, 256, 0, 0},   {4096, 1024, 1, 0},  {65536, 16384, 0, 0},
        {256, 64, 0, 99991}, {0, 0, 0, 1000003}, {0, 0, 1, 0},
    };
    static const uint64_t ranges[][2] = {
        {0, 300000},
        {999983, 1049999},
        {2147483647u - 30000, 2147483647u + 30000},
        {4294967296u - 30000, 4294967296u + 30000},
        {1000000000000u - 20000, 1000000000000u + 20000},
        {1099511627776u, 1099511627776u + 20000}, /* 2^40 */
    };
    for (size_t c = 0; c < sizeof cfgs / sizeof cfgs[0]; c++)
        for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
            check_cfg(ranges[r][0], ranges[r][1], &cfgs[c]);
}
END_TEST

START_TEST(bucket_transitions_in_long_ranges)
{
    /* [1e9, 1e9 + 2e7] with 256-byte segments: 2600 segments, sieving primes
     * up to 31623, of which all above 256 live in buckets, many bucket blocks
     * filled and recycled. Counted against the default tuning, which is
     * checked against the reference elsewhere, and against pi(x) here. */
    const mpp_sieve_config tiny = {256, 64, 0, 0};
    uint64_t lo = 1000000000u, hi = lo + 20000000u;
    ck_assert_uint_eq(count_cfg(lo, hi, &tiny), count(lo, hi));
    ck_assert_uint_eq(count_cfg(0, 100000000u, &tiny), 5761455); /* pi(10^8) */
    /* and one in which every big prime hits at most once per segment */
    const mpp_sieve_config small = {1024, 256, 0, 0};
    ck_assert_uint_eq(count_cfg(1000000000000u, 1000000000000u + 3000000, &small),
                      count(1000000000000u, 1000000000000u + 3000000));
}
END_TEST

START_TEST(every_residue_pair_with_presieve)
{
    /* Ranges long enough to be pre-sieved (over 491520 numbers), starting
     * and ending on every residue mod 30, at a base above 2^32: against
     * Miller-Rabin. */
    uint64_t base = 5000000010u; /* a multiple of 30 */
    size_t n;
    uint64_t *want = ref_primes(base, base + 600060, &n);
    int wrong = 0;
    for (uint64_t r = 0; r < 30; r++)
        for (uint64_t r2 = 0; r2 < 30; r2 += 1) {
            if (!test_sample())
                continue;
            uint64_t lo = base + r, hi = base + 600000 + r2, expect = 0;
            for (size_t i = 0; i < n; i++)
                expect += want[i] >= lo && want[i] <= hi;
            wrong += count(lo, hi) != expect;
        }
    ck_assert_int_eq(wrong, 0);
    free(want);
}
END_TEST

START_TEST(short_ranges_at_random)
{
    /* Ranges shorter than a segment, anywhere below 2^40, in a tiny and the
     * default tuning. */
    const mpp_sieve_config tiny = {128, 64, 0, 0};
    uint64_t s = 977;
    int wrong = 0;
    for (uint64_t i = 0; i < test_iters(300); i++) {
        uint64_t lo = test_xorshift(&s) >> (24 + i % 40), len = test_xorshift(&s) % 3000;
        size_t n;
        uint64_t *want = ref_primes(lo, lo + len, &n);
        wrong += count(lo, lo + len) != n;
        wrong += count_cfg(lo, lo + len, &tiny) != n;
        free(want);
    }
    ck_assert_int_eq(wrong, 0);
}
END_TEST

START_TEST(stop_on_every_residue_mod_30)
{
    unsigned char *is = ref_sieve(1000100);
    uint64_t want = 0;
    for (uint64_t x = 0; x < 1000000; x++)
        want += is[x];
    /* each residue twice; once under MPP_TEST_SCALE */
    for (uint64_t hi = 1000000; hi < (test_scale() > 1 ? 1000030 : 1000060); hi++) {
        want += is[hi];
        ck_assert_uint_eq(count(0, hi), want);
        ck_assert_uint_eq(count(999000 + hi % 30, hi), want - count(0, 998999 + hi % 30));
    }
    free(is);
}
END_TEST

START_TEST(windows_at_int_edges)
{
    /* 2^31 - 1 is prime (an int overflow edge); 2^32 - 5 is the largest prime
     * below 2^32. */
    check_against_reference(P2(31) - 2000, P2(31) + 2000);
    check_against_reference(P2(32) - 2000, P2(32) + 2000);
    check_against_reference(P2(31) - 1, P2(31) - 1);
    check_against_reference(P2(32) - 5, P2(32) - 5);
}
END_TEST

START_TEST(big_sieving_primes)
{
    /* Above (30 * 2^19)^2 = 2.5e14 the sieving primes exceed a default
     * segment and go through the buckets; ranges on both sides. */
    check_against_reference(P2(40) - 20000, P2(40) + 20000);
    check_against_reference(1000000000000000u, 1000000000000000u + 30000); /* 10^15 */
    check_against_reference(P2(50) - 5000, P2(50) + 5000);
}
END_TEST

START_TEST(squares_of_primes_are_crossed_off)
{
    /* p^2 is the first multiple crossed off; windows that start exactly there. */
    static const uint64_t p[] = {3, 1048573, 1048583, 1000003};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        uint64_t sq = p[i] * p[i];
        check_against_reference(sq, sq + 200);
        check_against_reference(sq - 200, sq);
    }
}
END_TEST

START_TEST(top_of_64_bit_range)
{
    /* The 21 primes of [2^64 - 1000, 2^64 - 1]; 2^64 - 59 is the largest. */
    size_t n;
    uint64_t *got = sieve_list(UINT64_MAX - 999, UINT64_MAX, &n);
    ck_assert_uint_eq(n, 21);
    ck_assert_uint_eq(got[n - 1], 18446744073709551557u);
    for (size_t i = 0; i < n; i++)
        ck_assert(ref_is_prime(got[i]));
    free(got);
}
END_TEST

START_TEST(top_windows_against_miller_rabin)
{
    uint64_t sq = 4294967291ull * 4294967291ull; /* the largest prime square */
    check_against_reference(sq - 1000, sq + 1000);
    ck_assert_uint_eq(count(UINT64_MAX, UINT64_MAX), 0);
    ck_assert_uint_eq(count(18446744073709551557u, UINT64_MAX), 1);
    check_against_reference(UINT64_MAX - 20000, UINT64_MAX);
    check_against_reference(P2(63) - 5000, P2(63) + 5000);
}
END_TEST

/* A sink that stops the sieve with code 7 after its first batch. */
static int stop_at_once(void *ctx, const uint64_t *primes, size_t n)
{
    (void)primes;
    *(size_t *)ctx += n;
    return 7;
}

START_TEST(sink_can_stop_the_sieve)
{
    size_t seen = 0;
    mpp_sink sink = {stop_at_once, &seen};
    mpp_tally t;
    ck_assert_int_eq(mpp_sieve(0, 10000000, &sink, &t), 7);
    ck_assert_uint_gt(seen, 0);
    ck_assert_uint_lt(seen, 664579);
}
END_TEST

/* The known counts: entries of up to CHEAP numbers by default; those up to
 * AFFORDABLE (a few seconds each) in the long run; beyond, none. Under
 * MPP_TEST_SCALE, up to CHEAP / scale numbers, and none above 2^40 (each of
 * those sieves by every prime up to 2^32 or so: seconds natively, minutes
 * under valgrind; the unscaled runs check them). */
enum { CHEAP = 300000000 };
#define AFFORDABLE 11000000000ULL

static void check_ref_counts(uint64_t most)
{
    for (size_t i = 0; i < ref_counts_len; i++) {
        const ref_count *c = &ref_counts[i];
        uint64_t work = c->hi - c->lo;
        if (work > (most ? most : AFFORDABLE) || (!most && work <= CHEAP))
            continue;
        if (most && test_scale() > 1 && (work > most / test_scale() || c->hi > P2(40)))
            continue;
        ck_assert_msg(count(c->lo, c->hi) == c->count, "%s", c->what);
    }
}

START_TEST(known_counts_cheap)
{
    check_ref_counts(CHEAP);
}
END_TEST

START_TEST(known_counts_long)
{
    check_ref_counts(0);
}
END_TEST

START_TEST(split_counts_add_up)
{
    /* Counting [a, b] in pieces, or in windows (the sieving primes start
     * afresh in each), gives the same total; near 2^64 too, where windows
     * are the default. */
    uint64_t a = 1000000000000u, b = a + 1200000000u;
    uint64_t whole = count(a, b);
    ck_assert_uint_eq(count(a, a + 536870911) + count(a + 536870912, b), whole);
    ck_assert_uint_eq(count(a, a + 777777777) + count(a + 777777778, b), whole);
    const mpp_sieve_config win = {0, 0, 0, 300000007};
    ck_assert_uint_eq(count_cfg(a, b, &win), whole);
    uint64_t top = UINT64_MAX - 1100000000u;
    const mpp_sieve_config big_window = {0, 0, 0, (uint64_t)1 << 31};
    ck_assert_uint_eq(count(top, UINT64_MAX), count_cfg(top, UINT64_MAX, &big_window));
}
END_TEST

/* mpp_sieve_uses_popcnt: on x86-64, exactly when /proc/cpuinfo lists the
 * popcnt flag (what --version reports); elsewhere never. */
/* ---- the state a finder keeps across pieces (mpp_sieve_state) ---- */

/* Hands ST the piece [LO, HI] and checks its primes (listed) and tally
 * against ref_primes(); COUNTER, when not NULL, is handed the same piece
 * count-only (a second state, so that both move through the same pieces). */
static void state_piece(mpp_sieve_state *st, mpp_sieve_state *counter, uint64_t lo,
                        uint64_t hi)
{
    size_t n;
    uint64_t *want = ref_primes(lo, hi, &n);
    mpp_vec v = {0};
    mpp_sink sink = {mpp_vec_push, &v};
    mpp_tally t = {99, 99, 99};
    ck_assert_int_eq(mpp_sieve_state_find(st, lo, hi, &sink, &t, NULL), MPP_OK);
    ck_assert_msg(v.len == n && t.count == n, "[%" PRIu64 ", %" PRIu64 "]: %zu primes, tally %"
                  PRIu64 ", expected %zu", lo, hi, v.len, t.count, n);
    ck_assert_msg(n == 0 || memcmp(v.data, want, n * sizeof *want) == 0,
                  "[%" PRIu64 ", %" PRIu64 "]: the primes differ", lo, hi);
    if (n)
        ck_assert(t.first == want[0] && t.last == want[n - 1]);
    if (counter) {
        mpp_tally c = {99, 99, 99};
        ck_assert_int_eq(mpp_sieve_state_find(counter, lo, hi, NULL, &c, NULL), MPP_OK);
        ck_assert_uint_eq(c.count, n);
        if (n)
            ck_assert(c.first == want[0] && c.last == want[n - 1]);
    }
    mpp_vec_free(&v);
    free(want);
}

static mpp_sieve_stats stats_of(const mpp_sieve_state *st)
{
    mpp_sieve_stats s;
    mpp_sieve_state_stats(st, &s);
    return s;
}

/* Contiguous pieces of every length from 1 up, with tiny segments (so that
 * pieces end inside segments, on their edges and many segments on): one
 * window from start to end, and the same primes as a plain sieve. */
START_TEST(state_contiguous_pieces)
{
    mpp_sieve_config cfg = {.segment_bytes = 1024, .chunk_bytes = 256, .no_presieve = 0,
                            .window = 0};
    const uint64_t top = 3000000;
    mpp_sieve_state *st = mpp_sieve_state_new(top, &cfg), *ct = mpp_sieve_state_new(top, &cfg);
    uint64_t rng = 7, lo = 0;
    for (unsigned i = 0; lo <= top; i++) {
        uint64_t len = i < 64 ? i + 1 : 1 + test_xorshift(&rng) % 90000;
        uint64_t hi = top - lo < len ? top : lo + len - 1;
        state_piece(st, ct, lo, hi);
        lo = hi + 1;
    }
    mpp_sieve_stats a = stats_of(st);
    ck_assert_uint_eq(a.windows, 1);
    ck_assert_uint_eq(stats_of(ct).windows, 1);
    ck_assert_uint_gt(a.segments, top / 30 / 1024);
    mpp_sieve_state_free(st);
    mpp_sieve_state_free(ct);
}
END_TEST

/* Forward jumps of every size, from one value to many segments, with
 * sieving primes in buckets (sqrt(horizon) > the segment): one window, the
 * primes re-placed at each jump, never generated again. */
START_TEST(state_forward_jumps_of_every_size)
{
    const uint64_t seg = 4096, start = 100000000, top = 1000000000;
    mpp_sieve_config cfg = {.segment_bytes = seg, .chunk_bytes = 1024, .no_presieve = 0,
                            .window = 0};
    const uint64_t jumps[] = {1, 2, 29, 30, 31, 59, 61, 30 * seg - 1, 30 * seg, 30 * seg + 1,
                              3 * 30 * seg + 7, 100000, 1000000, 10000000, 1, 30 * seg};
    mpp_sieve_state *st = mpp_sieve_state_new(top, &cfg), *ct = mpp_sieve_state_new(top, &cfg);
    uint64_t rng = 11, lo = start;
    for (size_t i = 0; i < sizeof jumps / sizeof jumps[0]; i++) {
        uint64_t hi = lo + test_xorshift(&rng) % 50000;
        state_piece(st, ct, lo, hi);
        lo = hi + 1 + jumps[i];
    }
    mpp_sieve_stats a = stats_of(st);
    ck_assert_uint_eq(a.windows, 1);
    ck_assert_uint_ge(a.rebases, 3);
    mpp_sieve_state_free(st);
    mpp_sieve_state_free(ct);
}
END_TEST

/* Chunks in any order, as -d dynamic may hand them to a rank, overlapping
 * and repeated too: each one right, whatever the state did before. */
START_TEST(state_pieces_in_any_order)
{
    const uint64_t base = 1000000000, chunk = 100000, n = 48;
    mpp_sieve_config cfg = {.segment_bytes = 2048, .chunk_bytes = 512, .no_presieve = 0,
                            .window = 0};
    uint64_t order[48];
    for (uint64_t i = 0; i < n; i++)
        order[i] = i;
    uint64_t rng = 5;
    for (uint64_t i = n - 1; i > 0; i--) {
        uint64_t j = test_xorshift(&rng) % (i + 1), x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    mpp_sieve_state *st = mpp_sieve_state_new(base + n * chunk, &cfg);
    mpp_sieve_state *dt = mpp_sieve_state_new(base + n * chunk, NULL); /* default tuning */
    for (uint64_t i = 0; i < n; i++) {
        uint64_t lo = base + order[i] * chunk;
        state_piece(st, NULL, lo, lo + chunk - 1);
        state_piece(dt, NULL, lo, lo + chunk - 1);
        if (i % 7 == 0) /* again, and overlapping the next chunk */
            state_piece(st, NULL, lo + chunk / 2, lo + chunk + chunk / 3);
    }
    mpp_sieve_state_free(st);
    mpp_sieve_state_free(dt);
}
END_TEST

/* Pieces inside the range of the sieving primes themselves (below
 * sqrt(horizon)), and across it. */
START_TEST(state_pieces_among_the_sieving_primes)
{
    const uint64_t top = 1000000000000ull; /* sqrt: 10^6 */
    const uint64_t pieces[][2] = {{0, 6},         {7, 100},          {101, 5000},
                                  {5001, 5001},   {200000, 300000},  {999000, 1001000},
                                  {1001001, 1500000}, {40000000, 40100000}, {999999000000ull, top}};
    mpp_sieve_config small = {.segment_bytes = 512, .chunk_bytes = 128, .no_presieve = 0,
                              .window = 0};
    for (int k = 0; k < 2; k++) {
        mpp_sieve_state *st = mpp_sieve_state_new(top, k ? &small : NULL);
        mpp_sieve_state *ct = mpp_sieve_state_new(top, k ? &small : NULL);
        for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++)
            state_piece(st, ct, pieces[i][0], pieces[i][1]);
        ck_assert_uint_eq(stats_of(st).windows, 1);
        mpp_sieve_state_free(st);
        mpp_sieve_state_free(ct);
    }
}
END_TEST

/* A short piece ends early in a segment, which is then sieved only in part;
 * the next piece, contiguous or not, re-places the primes and is right. */
START_TEST(state_partial_segments)
{
    const uint64_t top = 2000000000;
    mpp_sieve_state *st = mpp_sieve_state_new(top, NULL), *ct = mpp_sieve_state_new(top, NULL);
    uint64_t lo = 500000000;
    for (int i = 0; i < 12; i++) {
        uint64_t hi = lo + 99999;
        state_piece(st, ct, lo, hi);
        lo = i % 3 == 2 ? hi + 1 + 3000000 : hi + 1; /* some jumps */
    }
    mpp_sieve_stats a = stats_of(st);
    ck_assert_uint_eq(a.windows, 1);
    ck_assert_uint_gt(a.partial, 0);
    ck_assert_uint_gt(a.rebases, 0);
    mpp_sieve_state_free(st);
    mpp_sieve_state_free(ct);
}
END_TEST

/* After a partial segment, a piece that goes on in that segment's rest and
 * then one back in its sieved part (read from the segment again): the
 * second must not see the bytes the partial pass had sieved already with
 * big primes that have moved on. Tiny segments, big primes in buckets. */
START_TEST(state_back_into_a_partial_segment)
{
    mpp_sieve_config cfg = {.segment_bytes = 1024, .chunk_bytes = 256, .no_presieve = 0,
                            .window = 0};
    const uint64_t top = 3000000, seg = 30 * 1024;
    for (uint64_t base = 1000000; base < 1000000 + 4 * seg; base += seg / 3) {
        mpp_sieve_state *st = mpp_sieve_state_new(top, &cfg);
        state_piece(st, NULL, base, base + 2000);          /* partial */
        state_piece(st, NULL, base + 2001, base + 9000);   /* the rest of that segment */
        state_piece(st, NULL, base + 100, base + 8000);    /* back into it */
        state_piece(st, NULL, base + 9001, base + 3 * seg);
        ck_assert_uint_gt(stats_of(st).partial, 0);
        mpp_sieve_state_free(st);
    }
}
END_TEST

/* A piece past the horizon starts over with a larger one; a stopped piece
 * leaves a state whose next piece is right. */
START_TEST(state_past_horizon_and_after_a_stop)
{
    mpp_sieve_state *st = mpp_sieve_state_new(1000000, NULL);
    state_piece(st, NULL, 0, 100000);
    state_piece(st, NULL, 100001, 5000000); /* past 10^6 */
    static volatile sig_atomic_t raised = 1;
    mpp_stop stop = {&raised, 0};
    mpp_tally t;
    ck_assert_int_eq(mpp_sieve_state_find(st, 5000001, 9000000, NULL, &t, &stop), MPP_STOPPED);
    state_piece(st, NULL, 5000001, 6000000);
    mpp_sieve_state_free(st);
    mpp_sieve_state_free(NULL);
}
END_TEST

/* Near 2^64 with small windows: a jump past a segment stays in the window
 * (re-placed), one past the window opens the next, and the last piece ends
 * at 2^64 - 1. Every window sieves by the primes up to 2^32 (heavy). */
START_TEST(state_near_the_top)
{
    const uint64_t top = UINT64_MAX, w = (uint64_t)1 << 22, t0 = UINT64_MAX - 3 * w;
    mpp_sieve_config cfg = {.segment_bytes = 1 << 16, .chunk_bytes = 0, .no_presieve = 0,
                            .window = w};
    mpp_sieve_state *st = mpp_sieve_state_new(top, &cfg);
    state_piece(st, NULL, t0, t0 + 3000);
    state_piece(st, NULL, t0 + 3001, t0 + 9000);                 /* contiguous */
    state_piece(st, NULL, t0 + 60 * (1 << 16) + 7, t0 + 60 * (1 << 16) + 4000); /* past a segment */
    ck_assert_uint_eq(stats_of(st).windows, 1);
    state_piece(st, NULL, t0 + w + 100, t0 + w + 5000);          /* past the window */
    ck_assert_uint_eq(stats_of(st).windows, 2);
    state_piece(st, NULL, top - 3000, top);
    mpp_sieve_stats a = stats_of(st);
    ck_assert_uint_eq(a.windows, 3);
    ck_assert_uint_ge(a.rebases, 1);
    mpp_sieve_state_free(st);
}
END_TEST

/* ---- the set-up shared among ranks ---- */

static bool coprime_210(uint64_t q)
{
    return q % 2 && q % 3 && q % 5 && q % 7;
}

/* mpp_sieve_hits against its definition, prime by prime: p in (PLO, PHI]
 * is listed exactly when its first multiple p q with q >= p, q >= LO / p
 * and q coprime to 210 lies in [LO, HI]; near 2^64 too (no overflow). */
START_TEST(shared_hits_by_definition)
{
    static const uint64_t cases[][4] = {
        {1000, 200000, 10000000000ull, 10000300000ull},
        {50000, 90000, 1000000000000ull, 1000000050000ull},
        {3000000, 3100000, 10000000000000ull, 10000000000000ull + 999999},
        {3162000, 3164000, 10000000000000ull, 10000000000000ull + 5000000}, /* p^2 inside */
        {4294900000ull, 4294967295ull, UINT64_MAX - 3000000000ull, UINT64_MAX},
        {100, 50, 1000, 2000}, /* an empty slice */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t plo = cases[c][0], phi = cases[c][1], lo = cases[c][2], hi = cases[c][3];
        uint32_t *got;
        size_t n, m;
        ck_assert_int_eq(mpp_sieve_hits(plo, phi, lo, hi, &got, &n), MPP_OK);
        uint64_t *ps = plo < phi ? ref_primes(plo + 1, phi, &m) : NULL;
        if (plo >= phi)
            m = 0;
        size_t k = 0;
        for (size_t i = 0; i < m; i++) {
            uint64_t p = ps[i], q = lo / p + (lo % p != 0);
            if (q < p)
                q = p;
            while (!coprime_210(q))
                q++;
            unsigned __int128 mult = (unsigned __int128)p * q;
            if (mult > hi)
                continue;
            ck_assert_msg(k < n && got[k] == p, "case %zu: %" PRIu64 " missing", c, p);
            k++;
        }
        ck_assert_msg(k == n, "case %zu: %zu listed, %zu expected", c, n, k);
        ck_assert_msg(c == 5 || n > 0, "case %zu: none", c);
        free(got);
        free(ps);
    }
}
END_TEST

/* A state given the shared primes above ABOVE finds the same primes as a
 * plain sieve, through contiguous pieces, jumps and a piece back (a new
 * window, with the list again), and uses the list; a horizon past its
 * range drops it and stays right. Tiny segments: the list's primes are
 * big primes. */
START_TEST(state_with_shared_primes)
{
    const uint64_t lo = 100000000000000ull, hi = lo + 2000000, above = 2000000;
    mpp_sieve_config cfg = {.segment_bytes = 4096, .chunk_bytes = 1024, .no_presieve = 0,
                            .window = 0};
    uint32_t *list;
    size_t n;
    ck_assert_int_eq(mpp_sieve_hits(above, mpp_isqrt(hi), lo, hi, &list, &n), MPP_OK);
    ck_assert_uint_gt(n, 1000);
    mpp_sieve_state *st = mpp_sieve_state_new(hi, &cfg);
    mpp_sieve_state_share(st, above, lo, hi, list, n, true);
    state_piece(st, NULL, lo, lo + 300000);
    state_piece(st, NULL, lo + 300001, lo + 310000);
    state_piece(st, NULL, lo + 900000, lo + 1300000); /* a jump */
    state_piece(st, NULL, lo + 100000, lo + 200000);  /* back: a new window */
    state_piece(st, NULL, hi - 5000, hi);
    ck_assert_uint_eq(stats_of(st).shared, stats_of(st).windows);
    ck_assert_uint_ge(stats_of(st).windows, 2);
    mpp_sieve_state_set_horizon(st, hi + 1000000); /* past the list's range */
    state_piece(st, NULL, hi + 1, hi + 500000);
    mpp_sieve_stats a = stats_of(st);
    ck_assert_uint_eq(a.shared + 1, a.windows);
    mpp_sieve_state_free(st);
    /* not kept: read once by the window that reaches HI, then dropped; a
     * piece back generates its own sieving primes, and is right */
    ck_assert_int_eq(mpp_sieve_hits(above, mpp_isqrt(hi), lo, hi, &list, &n), MPP_OK);
    st = mpp_sieve_state_new(hi, &cfg);
    mpp_sieve_state_share(st, above, lo, hi, list, n, false);
    state_piece(st, NULL, lo, lo + 1000000);
    state_piece(st, NULL, lo + 1000001, hi);
    state_piece(st, NULL, lo + 5000, lo + 9000); /* back */
    a = stats_of(st);
    ck_assert_uint_eq(a.windows, 2);
    ck_assert_uint_eq(a.shared, 1);
    mpp_sieve_state_free(st);
}
END_TEST

/* When sharing pays: several ranks, a range short beside sqrt(STOP). */
START_TEST(shared_plan)
{
    uint64_t above = 0;
    const uint64_t e19 = 10000000000000000000ull;
    ck_assert(mpp_sieve_share_plan(e19, e19 + 500000000, 2, &above));
    ck_assert_uint_eq(above, 500000000);
    ck_assert(!mpp_sieve_share_plan(e19, e19 + 500000000, 1, &above)); /* one rank */
    ck_assert(mpp_sieve_share_plan(UINT64_MAX - 999999999, UINT64_MAX, 7, &above));
    ck_assert_uint_eq(above, 999999999);
    ck_assert(mpp_sieve_share_plan(e19, e19 + 10, 3, &above)); /* at least 2^20 */
    ck_assert_uint_eq(above, 1u << 20);
    ck_assert(!mpp_sieve_share_plan(2, 1000000000000ull, 2, &above)); /* a long range */
    ck_assert(!mpp_sieve_share_plan(e19, e19 + 3150000000ull, 2, &above)); /* < 2^24 above */
    ck_assert(!mpp_sieve_share_plan(1000000000000ull, 1000000001000ull, 2, &above)); /* root 10^6 */
    ck_assert(!mpp_sieve_share_plan(10, 5, 2, &above));
}
END_TEST

START_TEST(popcnt_as_the_cpu_says)
{
    bool has = false;
#if defined(__x86_64__)
    FILE *f = fopen("/proc/cpuinfo", "r");
    ck_assert_ptr_nonnull(f);
    char line[8192];
    while (!has && fgets(line, sizeof line, f))
        has = strncmp(line, "flags", 5) == 0 && strstr(line, " popcnt") != NULL;
    fclose(f);
#endif
    ck_assert_int_eq(mpp_sieve_uses_popcnt(), has);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sieve");
    TCase *tc = tcase_create("sieve");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, isqrt_exact);
    tcase_add_test(tc, popcnt_as_the_cpu_says);
    tcase_add_test(tc, every_small_range);
    tcase_add_test(tc, first_two_million);
    tcase_add_test(tc, random_windows_below_ten_million);
    tcase_add_test(tc, segment_edges);
    tcase_add_test(tc, stop_on_every_residue_mod_30);
    tcase_add_test(tc, windows_at_int_edges);
    tcase_add_test(tc, big_sieving_primes);
    tcase_add_test(tc, tunings_agree_with_reference);
    tcase_add_test(tc, bucket_transitions_in_long_ranges);
    tcase_add_test(tc, every_residue_pair_with_presieve);
    tcase_add_test(tc, short_ranges_at_random);
    tcase_add_test(tc, squares_of_primes_are_crossed_off);
    tcase_add_test(tc, sink_can_stop_the_sieve);
    tcase_add_test(tc, known_counts_cheap);
    suite_add_tcase(s, tc);

    TCase *sc = tcase_create("state");
    tcase_set_timeout(sc, 120);
    tcase_add_test(sc, state_contiguous_pieces);
    tcase_add_test(sc, state_forward_jumps_of_every_size);
    tcase_add_test(sc, state_pieces_in_any_order);
    tcase_add_test(sc, state_pieces_among_the_sieving_primes);
    tcase_add_test(sc, state_partial_segments);
    tcase_add_test(sc, state_back_into_a_partial_segment);
    tcase_add_test(sc, state_past_horizon_and_after_a_stop);
    tcase_add_test(sc, shared_hits_by_definition);
    tcase_add_test(sc, state_with_shared_primes);
    tcase_add_test(sc, shared_plan);
    suite_add_tcase(s, sc);

    /* sieves by every prime up to 2^32 (see testutil.h) */
    TCase *hc = tcase_create("heavy");
    tcase_set_tags(hc, "heavy");
    tcase_set_timeout(hc, 120);
    tcase_add_test(hc, top_of_64_bit_range);
    tcase_add_test(hc, state_near_the_top);
    suite_add_tcase(s, hc);

    TCase *lc = tcase_create("long");
    tcase_set_tags(lc, "long");
    tcase_set_timeout(lc, 900);
    tcase_add_test(lc, top_windows_against_miller_rabin);
    tcase_add_test(lc, known_counts_long);
    tcase_add_test(lc, split_counts_add_up);
    suite_add_tcase(s, lc);
    return run_suite(s);
}
