/* sieve.c - segmented sieve of Eratosthenes on a mod-30 wheel.
 *
 * Design, for the next reader (primesieve's doc/ALGORITHMS.md describes the
 * same family of techniques; this is our own implementation of them):
 *
 * - Wheel: byte b of the sieve stands for the 30 numbers 30b .. 30b + 29, and
 *   its 8 bits for the only ones that can be prime there (beyond 2, 3, 5):
 *   30b + {1, 7, 11, 13, 17, 19, 23, 29}. A set bit means "no prime factor
 *   found yet". 8 bits per 30 numbers is 1.9x denser than an odd-only sieve,
 *   and a prime p only crosses off p * q for q coprime to 30 (8 of every 30
 *   multiples). 2, 3 and 5 are reported apart.
 *
 * - Multiples on the wheel: for a sieving prime p = 30s + rp and a multiple
 *   m = p * q with q = 30a + rq, the next multiple to cross off is p * q'
 *   where q' is the next number coprime to 30. The byte distance is
 *   s * (q' - q) + a small correction that depends only on (rp, rq): 64
 *   (rp, rq) states, each with the bit to clear, the gap q' - q, the
 *   correction and the next state. A prime's whole state is its s, the byte
 *   index of its next multiple, and its wheel state. Eight consecutive
 *   states (a "turn", q advancing by 30) always advance p bytes. Big primes
 *   (below) step on a wider wheel, q coprime to 210 (48 of every 210 q, 384
 *   states in a table): they skip the multiples of 7 too, which saves 14%
 *   of their crossings and bucket entries.
 *
 * - Segments: the range is sieved SEGMENT bytes at a time (the L2 cache size,
 *   read at run time with sysconf), each segment in CHUNK-byte pieces (the L1
 *   data cache) for the smallest primes.
 *
 * - Three kinds of sieving primes, each with its own crossing-off loop:
 *     small  (p <= CHUNK / 8: at least 8 turns per chunk) and
 *     medium (p <= SEGMENT: at least one turn per segment) are crossed off a
 *            whole turn at a time: 8 byte ANDs at offsets s * k + c, where k,
 *            c and the masks are compile-time constants of p's residue
 *            class. There is one such function per class and one list of
 *            primes per class, so the class costs no branch; entering a turn
 *            part-way and leaving it at the segment's end go through a
 *            switch (Duff's device) instead of table lookups. Small primes
 *            are run chunk by chunk while the chunk is in L1, medium primes
 *            over the whole segment.
 *     big    (larger): the bucket sieve of Tomas Oliveira e Silva. A big
 *            prime hits a segment at most a few times, so keeping it in a
 *            list that is walked every segment would waste time on primes
 *            that do not hit. Instead each prime is stored (8 bytes: s, and
 *            the byte index and wheel state of its next multiple) in the
 *            bucket of the segment its next multiple falls in; sieving a
 *            segment empties its bucket, crossing off the entry's multiples
 *            there and moving it on to the bucket of its next hit. Buckets
 *            are chains of 8 KiB blocks aligned to their size (a write
 *            pointer at a block boundary means "full", no counter), recycled
 *            through a free list; a ring of bucket heads, as many as a prime
 *            can jump segments ahead, indexed by segment number. Blocks come
 *            in 2 MiB slabs aligned to 2 MiB, which the kernel is asked to
 *            back with huge pages (madvise): buckets near 2^64 take hundreds
 *            of MB written at random, and with 4 KiB pages every entry moved
 *            missed the TLB (a count of [1e18, +2e9] 2.8 -> 1.9 s, of
 *            [2^64 - 2e9, 2^64 - 1] 5.7 -> 5.2 s, same memory).
 *
 * - Pre-sieving: the primes 7 to 179 are not crossed off at all. Their
 *   multiples repeat with period 7 * 11 * 13 * 17 bytes for the first group
 *   of primes, and so on for 16 groups of two to four primes (each period at
 *   most 236 KiB). Each chunk starts as the AND of the 16 patterns at the
 *   chunk's offset in each period, combined 8 streams at a time, which the
 *   compiler vectorises. That removes a third of all crossing off.
 *
 * - Sieving primes come lazily and in order from a second, smaller instance
 *   of the same sieve over [7, sqrt(HI)] (whose own sieving primes, up to
 *   2^16, come from a plain array sieve). A prime p joins when the segment
 *   about to be sieved reaches p^2, so a range starting at 0 never computes
 *   a first multiple by division; one starting high (near 2^64 every prime
 *   up to 2^32 is needed at once) pays one division per prime.
 *
 * - State across pieces (mpp_sieve_state, kept by a rank's finder for the
 *   whole run): the pre-sieve tables, the generator of sieving primes and
 *   the sieve with its lists and buckets live from one piece to the next,
 *   inside a window of values (all of [first piece, STOP] below 2^56). A
 *   piece that starts where the last one stopped just goes on; one that
 *   starts in the segment last sieved reads it again (collect_part() masks
 *   the piece's edges and leaves the segment whole); one further on is a
 *   jump, which generates nothing (ws_move): the small and medium primes
 *   are placed again from the piece's first byte, a division each, and the
 *   big primes keep their buckets, only those due before that byte being
 *   stepped or placed again (ws_jump); without big primes the segments are
 *   counted from the jump's byte (ws_rebase). A piece's first segment is
 *   sieved from the piece's first byte (a late start), its last one only
 *   up to the piece's end (a partial segment: the big primes still due in
 *   its rest wait in a carry bucket) unless the bytes saved cost less than
 *   the small and medium primes' re-placement, which a piece going on from
 *   there pays: the segment's rest is then a late start, the carry its
 *   bucket. Only a piece before what was sieved (a prime dropped at the end
 *   of its multiples may be needed again) or past the window opens a new
 *   window.
 *
 * - A set-up shared among ranks (mpp_sieve_state_share): near 1e19 a range
 *   of 5e8 numbers is sieved by the 152 million primes up to 3.2e9, and
 *   only about 6 % of them have a multiple in it (48/210 of range / p for
 *   each). The ranks find those between them (mpp_sieve_hits: each the
 *   primes of a slice, a division each) and gather the list; a state given
 *   it generates its sieving primes only up to the list's threshold, and its
 *   feed goes on with the list (struct feed's EXTRA), so the lazy adding of
 *   sieving primes as the segments reach their squares is unchanged.
 *
 * - Counting uses popcount (the POPCNT instruction when the CPU has it,
 *   checked at run time); listing turns each set bit into a prime with
 *   count-trailing-zeros and a 64-entry table, in batches for the sink.
 *
 * - Memory: one segment, the pre-sieve patterns (about 590 KiB, built once
 *   per state in about a millisecond; ranges under TINY_RANGE bytes skip them),
 *   12 bytes per small or medium prime, and 8 bytes per big prime that has a
 *   multiple left in the range. The last is the large term near 2^64 (about
 *   73 million entries, 560 MB, for a range of 2e9 there), so ranges above
 *   2^56 are sieved in windows of at most 2^31 numbers, each window
 *   generating its sieving primes afresh: O(sqrt(HI)) memory, whatever the
 *   range. A window costs a division for every sieving prime (near 2^64
 *   2e8 of them, about 3 s), as much as sieving 2e9 numbers there: 2^31
 *   holds that to half the time, 2^30 would take two thirds for 2/3 of the
 *   memory (a count of [2^64 - 2e9, 2^64 - 1]: 8.7 s and 366 MB in 2^30
 *   windows, 5.7 s and 557 MB in one; primesieve 5.7 s and 592 MB).
 *
 * - 64-bit edges: values are never formed past HI. The range is kept as byte
 *   indexes (HI / 30 fits easily); p * q is checked for overflow; p < 2^32 so
 *   p * p fits.
 *
 * bench/sieve_time times this module alone; mpp_sieve_ex() takes the tuning
 * (segment, chunk, pre-sieve, window) so that tests can force tiny segments
 * and reach every code path with short ranges.
 */
#define _GNU_SOURCE /* sysconf(_SC_LEVEL1_DCACHE_SIZE) */
#include "sieve.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h> /* madvise */
#include <unistd.h>

#define BATCH 4096               /* primes handed to a sink at once */
#define BLOCK_BYTES 8192         /* a bucket block, aligned to its size */
#define SLAB_BLOCKS 256          /* blocks allocated at once: 2 MiB, a huge page */
#define TINY_RANGE 16384         /* bytes: below this, no pre-sieve tables */

/* ------------------------------------------------------------------------ */
/* The wheel. */

/* R_(j): the j-th number coprime to 30 (R_(8) = 31 closes the turn). */
#define R_(j)                                                                 \
    ((j) == 0 ? 1 : (j) == 1 ? 7 : (j) == 2 ? 11 : (j) == 3 ? 13 : (j) == 4 ? 17 \
     : (j) == 5 ? 19 : (j) == 6 ? 23 : (j) == 7 ? 29 : 31)
/* RIDX(r): the bit of residue r (coprime to 30). */
#define RIDX(r)                                                               \
    ((r) == 1 ? 0 : (r) == 7 ? 1 : (r) == 11 ? 2 : (r) == 13 ? 3 : (r) == 17 ? 4 \
     : (r) == 19 ? 5 : (r) == 23 ? 6 : 7)
/* The mask that clears the bit of p * q, with p = rp and q = rq mod 30. */
#define MASK(rp, rq) ((uint8_t) ~(1u << RIDX(((rp) * (rq)) % 30)))

static const uint8_t residues[8] = {1, 7, 11, 13, 17, 19, 23, 29};
/* Index of r in residues[], or 8 when r is not coprime to 30. */
static const uint8_t ridx30[30] = {8, 0, 8, 8, 8, 8, 8, 1, 8, 8, 8, 2, 8, 3, 8,
                                   8, 8, 4, 8, 5, 8, 8, 8, 6, 8, 8, 8, 8, 8, 7};
/* Smallest d >= 0 such that r + d is coprime to 30. */
static const uint8_t to_coprime[30] = {1, 0, 5, 4, 3, 2, 1, 0, 3, 2, 1, 0, 1, 0, 3,
                                       2, 1, 0, 1, 0, 3, 2, 1, 0, 5, 4, 3, 2, 1, 0};

/* The wheel of big primes: their multiples p * q with q coprime to 210, 48
 * of every 210 (the mod-30 wheel takes 56: q = 7 mod 30 and so on, whose
 * multiples of 7 the pre-sieve has crossed off already). A big prime
 * crosses off about one multiple per visit and waits in a bucket between
 * visits, so every multiple skipped is a visit saved and, for a range that
 * ends before a prime's next multiple, an entry never stored: 14% fewer
 * crossings and big-prime entries. State 48 i + j: p = residues[i] mod 30,
 * q = the j-th number coprime to 210; the states fit in 9 bits. Filled by
 * big_wheel_init() (a few hundred steps, once per sieve instance). */
#define BIG_STATES 384
#define BIG_BITS 9
typedef struct {
    uint8_t mask; /* clears the bit of p * q */
    uint8_t gap;  /* q' - q */
    uint8_t corr; /* byte distance = s * gap + corr */
    uint8_t pad;
    uint32_t next; /* next state (8 bytes a step: indexing is a shift) */
} big_step;

typedef struct {
    big_step step[BIG_STATES];
    uint8_t idx[210];     /* the j of r coprime to 210, or 48 */
    uint8_t to_next[210]; /* smallest d >= 0 with r + d coprime to 210 */
} big_wheel;

static bool coprime210(unsigned x)
{
    return x % 2 && x % 3 && x % 5 && x % 7;
}

/* TO_NEXT[x]: the smallest d >= 0 with x + d coprime to 210. */
static void to_next210(uint8_t to_next[210])
{
    for (unsigned x = 0; x < 210; x++) {
        unsigned d = 0;
        while (!coprime210(x + d))
            d++;
        to_next[x] = (uint8_t)d;
    }
}

/* The smallest q >= P with P q >= FROM: where P's multiples start from
 * FROM (before the wheel). */
static inline uint64_t first_quotient(uint64_t p, uint64_t from)
{
    uint64_t q = p;
    if (p * p < from) {
        q = from / p;
        q += q * p < from;
    }
    return q;
}

static void big_wheel_init(big_wheel *bw)
{
    unsigned r[49], n = 0; /* the 48 residues, and 211 closing the turn */
    for (unsigned x = 1; x <= 211; x++)
        if (coprime210(x))
            r[n++] = x;
    to_next210(bw->to_next);
    for (unsigned x = 0; x < 210; x++)
        bw->idx[x] = 48;
    for (unsigned j = 0; j < 48; j++)
        bw->idx[r[j]] = (uint8_t)j;
    for (unsigned i = 0; i < 8; i++)
        for (unsigned j = 0; j < 48; j++) {
            /* p * q = 30 (s q + 7 rp a) + rp rq for p = 30 s + rp and
             * q = 210 a + rq: the byte moves by s * gap + the change of
             * rp rq / 30. */
            unsigned rp = residues[i], rq = r[j], g = r[j + 1] - rq;
            bw->step[48 * i + j] = (big_step){
                .mask = (uint8_t) ~(1u << ridx30[rp * rq % 30]),
                .gap = (uint8_t)g,
                .corr = (uint8_t)(rp * (rq + g) / 30 - rp * rq / 30),
                .pad = 0,
                .next = 48 * i + (j + 1) % 48};
        }
}

uint64_t mpp_isqrt(uint64_t n)
{
    /* Newton's method from above, in integers: exact for every 64-bit n. */
    if (n < 2)
        return n;
    uint64_t x = (uint64_t)1 << ((64 - __builtin_clzll(n) + 1) / 2); /* >= sqrt(n) */
    for (;;) {
        uint64_t y = (x + n / x) / 2;
        if (y >= x)
            return x;
        x = y;
    }
}

/* ------------------------------------------------------------------------ */
/* Pre-sieve patterns. */

/* 16 groups, combined 8 at a time: each group's period (the product of its
 * primes, in bytes) stays at most 236 KiB. */
#define NGROUPS 16
#define GROUP_MAX 4
static const uint8_t group_primes[NGROUPS][GROUP_MAX] = {
    {7, 11, 13, 17}, {19, 23, 29}, {31, 37, 41}, {43, 47, 53},
    {59, 61, 67},    {71, 73},     {79, 83},     {89, 97},
    {101, 103},      {107, 109},   {113, 127},   {131, 137},
    {139, 149},      {151, 157},   {163, 167},   {173, 179}};
#define PRESIEVE_MAX 179

typedef struct {
    uint8_t *pattern[NGROUPS];
    uint64_t len[NGROUPS]; /* bytes in one period: the product of the primes */
} presieve_tables;

static void presieve_free(presieve_tables *t)
{
    for (int g = 0; g < NGROUPS; g++)
        free(t->pattern[g]);
}

static int presieve_init(presieve_tables *t)
{
    memset(t, 0, sizeof *t);
    for (int g = 0; g < NGROUPS; g++) {
        uint64_t len = 1;
        for (int k = 0; k < GROUP_MAX && group_primes[g][k]; k++)
            len *= group_primes[g][k];
        uint8_t *pat = malloc(len);
        if (!pat) {
            presieve_free(t);
            return MPP_ENOMEM;
        }
        memset(pat, 0xff, len);
        for (int k = 0; k < GROUP_MAX && group_primes[g][k]; k++) {
            uint64_t p = group_primes[g][k];
            /* every multiple p * q below 30 * len, q coprime to 30 */
            for (uint64_t q = 1; p * q < 30 * len; q++)
                if (ridx30[q % 30] < 8)
                    pat[p * q / 30] &= (uint8_t) ~(1u << ridx30[p * q % 30]);
        }
        t->pattern[g] = pat;
        t->len[g] = len;
    }
    return MPP_OK;
}

/* D[0, M) = (or &=, when !FIRST) the AND of eight pattern streams. Built
 * twice on x86-64, with AVX2 and without, the one the CPU has picked at load
 * time: 32-byte ANDs made [0, 1e10] 3% faster on bench/sieve_time. */
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target_clones("avx2", "default")))
#endif
static void and8(uint8_t *restrict d, const uint8_t *const *src, uint64_t m, bool first)
{
    const uint8_t *restrict a = src[0], *restrict b = src[1], *restrict c = src[2],
                            *restrict e = src[3], *restrict f = src[4],
                            *restrict g = src[5], *restrict h = src[6],
                            *restrict k = src[7];
    if (first) {
        for (uint64_t i = 0; i < m; i++)
            d[i] = a[i] & b[i] & c[i] & e[i] & f[i] & g[i] & h[i] & k[i];
    } else {
        for (uint64_t i = 0; i < m; i++)
            d[i] &= a[i] & b[i] & c[i] & e[i] & f[i] & g[i] & h[i] & k[i];
    }
}

/* Fills SEG[0, N) with the pre-sieved pattern of absolute bytes BYTE.. */
static void presieve_fill(const presieve_tables *t, uint8_t *restrict seg,
                          uint64_t byte, uint64_t n)
{
    for (int pass = 0; pass < NGROUPS / 8; pass++) {
        const uint8_t *src[8];
        uint64_t off[8], len[8];
        for (int g = 0; g < 8; g++) {
            len[g] = t->len[8 * pass + g];
            off[g] = byte % len[g];
        }
        for (uint64_t done = 0; done < n;) {
            uint64_t m = n - done;
            for (int g = 0; g < 8; g++) {
                if (len[g] - off[g] < m)
                    m = len[g] - off[g];
                src[g] = t->pattern[8 * pass + g] + off[g];
            }
            and8(seg + done, src, m, pass == 0);
            done += m;
            for (int g = 0; g < 8; g++)
                if ((off[g] += m) == len[g])
                    off[g] = 0;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Sieving primes and buckets. */

typedef struct {
    uint32_t s;   /* p / 30 */
    uint32_t idx; /* byte of the next multiple, from the segment's start */
    uint32_t w;   /* wheel state */
} sieving_prime;

typedef struct {
    uint32_t s;
    uint32_t iw; /* byte index within its segment << BIG_BITS | big_wheel state */
} bucket_entry;
#define IW(i, w) ((uint32_t)((i) << BIG_BITS | (w)))
#define IW_INDEX(iw) ((iw) >> BIG_BITS)
#define IW_STATE(iw) ((iw) & ((1u << BIG_BITS) - 1))

/* A bucket is a chain of BLOCK_BYTES blocks, aligned to their size. Entry 0
 * of a block holds the link to the previous (full) block of the chain; a
 * bucket is known by a pointer just past its newest entry, so a write
 * pointer that reaches a block boundary means "full" without a counter. */
typedef union block_slot {
    bucket_entry e;
    union block_slot *prev; /* in entry 0: the block before, or NULL */
} block_slot;
#define BLOCK_SLOTS (BLOCK_BYTES / sizeof(block_slot))

static inline block_slot *block_of(block_slot *past_last)
{
    return (block_slot *)((uintptr_t)(past_last - 1) & ~(uintptr_t)(BLOCK_BYTES - 1));
}

typedef struct slab {
    struct slab *next;
    void *mem;
} slab;

typedef struct {
    sieving_prime *v;
    size_t n, cap;
} prime_list;

static int list_push(prime_list *l, sieving_prime sp)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        sieving_prime *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return MPP_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = sp;
    return MPP_OK;
}

/* ------------------------------------------------------------------------ */
/* One sieve instance: bytes [b0, b0 + nbytes) of the wheel, values [lo, hi]. */

typedef struct feed feed;

typedef struct {
    uint8_t *seg;
    uint64_t size;     /* segment bytes, a power of two */
    unsigned log_size;
    uint64_t chunk;    /* bytes per small-prime pass, a power of two <= size */
    uint64_t b0, nbytes, nsegs;
    uint64_t k;        /* the next segment to sieve */
    uint64_t start;    /* the byte of segment k its sieving starts at (a piece
                        * that begins inside it); 0 once it is sieved */
    uint64_t lo, hi;   /* values: lo >= 7 */
    uint64_t small_max, medium_max;
    uint64_t first_prime; /* smallest sieving prime not pre-sieved */
    prime_list small[8], medium[8]; /* by residue class of p mod 30 */
    block_slot **ring;          /* per segment mod ring size: past its newest entry */
    block_slot *carry;          /* after a partial segment: entries whose next
                                 * multiple is in that segment's unsieved rest */
    uint64_t ring_mask;
    block_slot *free_blocks;    /* chained through entry 0 */
    slab *slabs;
    const presieve_tables *pre; /* NULL: no pre-sieving */
    feed *src;                  /* where sieving primes come from */
    uint64_t pending;           /* next sieving prime, 0 when none is held */
    const volatile sig_atomic_t *stop; /* see mpp_stop; NULL: never */
    uint64_t added;             /* sieving primes added (polls STOP) */
    big_wheel bw;               /* the wheel of the big primes */
} wsieve;

/* Sieving primes in ascending order: from a fixed array, or from a
 * generator sieve. */
struct feed {
    const uint32_t *list; /* array mode */
    size_t nlist, pos;
    wsieve *gen;          /* generator mode */
    uint64_t *buf;        /* the primes of the generator's last segment */
    size_t nbuf;
    const uint32_t *extra; /* generator mode: after its primes, these */
    size_t nextra, epos;
};

static void ws_free(wsieve *ws)
{
    free(ws->seg);
    for (int c = 0; c < 8; c++) {
        free(ws->small[c].v);
        free(ws->medium[c].v);
    }
    free(ws->ring);
    for (slab *s = ws->slabs, *next; s; s = next) {
        next = s->next;
        free(s->mem);
        free(s);
    }
    memset(ws, 0, sizeof *ws);
}

static uint64_t pow2_floor(uint64_t x)
{
    return x ? (uint64_t)1 << (63 - __builtin_clzll(x)) : 0;
}

/* Sets WS up for values [LO, HI] (7 <= LO <= HI) with sieving primes up to
 * sqrt(HI) taken from SRC. */
static int ws_init(wsieve *ws, uint64_t lo, uint64_t hi, uint64_t size,
                   uint64_t chunk, const presieve_tables *pre, feed *src)
{
    memset(ws, 0, sizeof *ws);
    ws->lo = lo;
    ws->hi = hi;
    ws->b0 = lo / 30;
    ws->nbytes = hi / 30 - ws->b0 + 1;
    /* no bigger than the range needs, at least 64 bytes */
    while (size > 64 && size / 2 >= ws->nbytes)
        size /= 2;
    if (chunk > size)
        chunk = size;
    ws->size = size;
    ws->log_size = (unsigned)__builtin_ctzll(size);
    ws->chunk = chunk;
    ws->nsegs = (ws->nbytes + size - 1) / size;
    ws->pre = pre;
    ws->first_prime = pre ? PRESIEVE_MAX + 1 : 7;
    ws->small_max = chunk / 8; /* at least 8 turns of the wheel per chunk */
    ws->medium_max = size;     /* at least one turn per segment */
    ws->src = src;
    ws->seg = malloc(size + 8); /* + 8: collect_part() zeroes past a piece's end */
    if (!ws->seg)
        return MPP_ENOMEM;
    uint64_t root = mpp_isqrt(hi);
    if (root > ws->medium_max) {
        /* A big prime's next multiple is at most 10p/30 + 11 bytes ahead
         * (the widest gap of the 210 wheel is 10). */
        uint64_t ahead = (root / 30 * 10 + 21) / size + 2;
        uint64_t slots = pow2_floor(ahead) << 1;
        ws->ring = calloc(slots, sizeof *ws->ring);
        if (!ws->ring)
            return MPP_ENOMEM;
        ws->ring_mask = slots - 1;
        big_wheel_init(&ws->bw);
    }
    return MPP_OK;
}

/* BYTES (a multiple of 2 MiB) aligned to 2 MiB and advised to huge pages:
 * memory written once at random or in one pass, where faulting in 4 KiB
 * pages costs more than the writes (microseconds a fault in a VM). */
static void *huge_alloc(size_t bytes)
{
    void *mem = aligned_alloc((size_t)2 << 20, bytes);
#ifdef MADV_HUGEPAGE
    if (mem)
        (void)madvise(mem, bytes, MADV_HUGEPAGE); /* a hint: refused, small pages serve */
#endif
    return mem;
}

static int refill_blocks(wsieve *ws)
{
    slab *s = malloc(sizeof *s);
    const size_t bytes = (size_t)BLOCK_BYTES * SLAB_BLOCKS;
    void *mem = huge_alloc(bytes);
    if (!s || !mem) {
        free(s);
        free(mem);
        return MPP_ENOMEM;
    }
    s->mem = mem;
    s->next = ws->slabs;
    ws->slabs = s;
    for (size_t k = 0; k < SLAB_BLOCKS; k++) {
        block_slot *blk = (block_slot *)((char *)mem + k * BLOCK_BYTES);
        blk->prev = ws->free_blocks;
        ws->free_blocks = blk;
    }
    return MPP_OK;
}

/* Appends E to the bucket whose write pointer is *WP. */
static inline int bucket_push(wsieve *ws, block_slot **wp, bucket_entry e)
{
    block_slot *p = *wp;
    if (((uintptr_t)p & (BLOCK_BYTES - 1)) == 0) { /* empty (NULL) or full */
        if (!ws->free_blocks && refill_blocks(ws) != MPP_OK)
            return MPP_ENOMEM;
        block_slot *blk = ws->free_blocks;
        ws->free_blocks = blk->prev;
        blk->prev = p ? block_of(p) : NULL;
        p = blk + 1;
    }
    p->e = e;
    *wp = p + 1;
    return MPP_OK;
}

/* Puts the emptied block BLK on the free list; returns the write pointer
 * of the (full) block before it in its chain, or NULL. */
static inline block_slot *recycle_block(wsieve *ws, block_slot *blk)
{
    block_slot *prev = blk->prev;
    blk->prev = ws->free_blocks;
    ws->free_blocks = blk;
    return prev ? prev + BLOCK_SLOTS : NULL;
}

/* Adds the sieving prime P (first_prime <= p < 2^32) before segment k is
 * sieved: its first multiple p * q >= max(p^2, start of segment k), q
 * coprime to 30. */
static int ws_add(wsieve *ws, uint64_t p)
{
    uint64_t seg_byte = ws->b0 + ws->k * ws->size;
    uint64_t from = 30 * (seg_byte + ws->start); /* <= HI */
    uint64_t q = first_quotient(p, from);
    bool big = p > ws->medium_max;
    q += big ? ws->bw.to_next[q % 210] : to_coprime[q % 30];
    uint64_t m;
    if (__builtin_mul_overflow(p, q, &m) || m > ws->hi)
        return MPP_OK; /* no multiple left in the range */
    uint64_t idx = m / 30 - seg_byte;
    uint32_t s = (uint32_t)(p / 30);
    if (big) {
        uint32_t w = 48u * ridx30[p % 30] + ws->bw.idx[q % 210];
        uint64_t ahead = idx >> ws->log_size;
        bucket_entry e = {s, IW(idx & (ws->size - 1), w)};
        return bucket_push(ws, &ws->ring[(ws->k + ahead) & ws->ring_mask], e);
    }
    uint32_t w = 8u * ridx30[p % 30] + ridx30[q % 30];
    if (p <= ws->small_max)
        return list_push(&ws->small[w >> 3], (sieving_prime){s, (uint32_t)idx, w});
    return list_push(&ws->medium[w >> 3], (sieving_prime){s, (uint32_t)idx, w});
}

#if defined(__GNUC__) || defined(__clang__)
#define FALLTHROUGH __attribute__((fallthrough))
#else
#define FALLTHROUGH ((void)0)
#endif

/* Byte offset of the multiple in state j of a turn from the turn's first
 * multiple (q = 1 mod 30), for p = 30 s + residues[i]. */
static inline int64_t turn_offset(int64_t s, unsigned i, unsigned j)
{
    return s * (residues[j] - 1) + (residues[i] * residues[j]) / 30;
}

/* The multiples of a prime of residue class I, a whole turn of the wheel (8
 * multiples, p bytes) at a time: offsets and masks are constants apart from
 * s. T is the byte of the current turn's first multiple (it may lie before
 * the segment; only multiples from state J on are touched), J the state to
 * start from. Entering at state J and leaving at the first multiple past
 * END both go through the switch, without table lookups. */
#define CROSS(I, k, o, r)                                                        \
    if (t + (o) >= end) {                                                     \
        j = (k);                                                              \
        break;                                                                \
    }                                                                         \
    seg[t + (o)] &= MASK(R_(I), r)
#define TURNS(I)                                                              \
    do {                                                                      \
        const int64_t o1 = s * 6 + (R_(I) * 7) / 30;                          \
        const int64_t o2 = s * 10 + (R_(I) * 11) / 30;                        \
        const int64_t o3 = s * 12 + (R_(I) * 13) / 30;                        \
        const int64_t o4 = s * 16 + (R_(I) * 17) / 30;                        \
        const int64_t o5 = s * 18 + (R_(I) * 19) / 30;                        \
        const int64_t o6 = s * 22 + (R_(I) * 23) / 30;                        \
        const int64_t o7 = s * 28 + (R_(I) * 29) / 30;                        \
        const int64_t turn = s * 30 + R_(I);                                  \
        switch (j) {                                                          \
        case 0: CROSS(I, 0, 0, 1); FALLTHROUGH;                                  \
        case 1: CROSS(I, 1, o1, 7); FALLTHROUGH;                                 \
        case 2: CROSS(I, 2, o2, 11); FALLTHROUGH;                                \
        case 3: CROSS(I, 3, o3, 13); FALLTHROUGH;                                \
        case 4: CROSS(I, 4, o4, 17); FALLTHROUGH;                                \
        case 5: CROSS(I, 5, o5, 19); FALLTHROUGH;                                \
        case 6: CROSS(I, 6, o6, 23); FALLTHROUGH;                                \
        default:                                                              \
            CROSS(I, 7, o7, 29);                                                 \
            for (t += turn; t + o7 < end; t += turn) {                        \
                seg[t] &= MASK(R_(I), 1);                                     \
                seg[t + o1] &= MASK(R_(I), 7);                                \
                seg[t + o2] &= MASK(R_(I), 11);                               \
                seg[t + o3] &= MASK(R_(I), 13);                               \
                seg[t + o4] &= MASK(R_(I), 17);                               \
                seg[t + o5] &= MASK(R_(I), 19);                               \
                seg[t + o6] &= MASK(R_(I), 23);                               \
                seg[t + o7] &= MASK(R_(I), 29);                               \
            }                                                                 \
            CROSS(I, 0, 0, 1);                                                   \
            CROSS(I, 1, o1, 7);                                                  \
            CROSS(I, 2, o2, 11);                                                 \
            CROSS(I, 3, o3, 13);                                                 \
            CROSS(I, 4, o4, 17);                                                 \
            CROSS(I, 5, o5, 19);                                                 \
            CROSS(I, 6, o6, 23);                                                 \
            j = 7;                                                            \
        }                                                                     \
    } while (0)

/* Crosses off the multiples in SEG[.., END) of the N primes of residue
 * class I in V, and subtracts SHIFT from their positions afterwards. One
 * function per class keeps the class out of the inner loop's branches. */
#define CROSS_CLASS(I)                                                        \
    static void cross_class_##I(uint8_t *restrict seg, int64_t end,           \
                                sieving_prime *v, size_t n, uint32_t shift)   \
    {                                                                         \
        for (size_t k = 0; k < n; k++) {                                      \
            const int64_t s = v[k].s;                                         \
            unsigned j = v[k].w & 7;                                          \
            int64_t t = (int64_t)v[k].idx - turn_offset(s, I, j);             \
            TURNS(I);                                                         \
            v[k].idx = (uint32_t)(t + turn_offset(s, I, j)) - shift;          \
            v[k].w = 8 * I + j;                                               \
        }                                                                     \
    }
CROSS_CLASS(0)
CROSS_CLASS(1)
CROSS_CLASS(2)
CROSS_CLASS(3)
CROSS_CLASS(4)
CROSS_CLASS(5)
CROSS_CLASS(6)
CROSS_CLASS(7)

static void cross_list(uint8_t *seg, int64_t end, prime_list *lists, uint32_t shift)
{
    cross_class_0(seg, end, lists[0].v, lists[0].n, shift);
    cross_class_1(seg, end, lists[1].v, lists[1].n, shift);
    cross_class_2(seg, end, lists[2].v, lists[2].n, shift);
    cross_class_3(seg, end, lists[3].v, lists[3].n, shift);
    cross_class_4(seg, end, lists[4].v, lists[4].n, shift);
    cross_class_5(seg, end, lists[5].v, lists[5].n, shift);
    cross_class_6(seg, end, lists[6].v, lists[6].n, shift);
    cross_class_7(seg, end, lists[7].v, lists[7].n, shift);
}

/* Empties the bucket of segment k: each entry crosses off its multiples in
 * the segment (one, mostly) and moves on to the bucket of its next one. */
static int cross_big(wsieve *ws)
{
    block_slot **ring = ws->ring;
    const uint64_t slot = ws->k & ws->ring_mask, ring_mask = ws->ring_mask;
    uint8_t *restrict seg = ws->seg;
    const uint64_t mask = ws->size - 1, k0 = ws->k, nsegs = ws->nsegs;
    const unsigned log_size = ws->log_size;
    const big_step *bs = ws->bw.step;
    for (block_slot *end; (end = ring[slot]) != NULL;) {
        ring[slot] = NULL; /* a prime due again in this segment starts a new chain */
        while (end) {
            block_slot *blk = block_of(end);
            for (block_slot *e = blk + 1; e < end; e++) {
                uint64_t s = e->e.s, i = IW_INDEX(e->e.iw);
                unsigned w = IW_STATE(e->e.iw);
                seg[i] &= bs[w].mask;
                i += s * bs[w].gap + bs[w].corr;
                w = bs[w].next;
                uint64_t at = k0 + (i >> log_size);
                if (at < nsegs) {
                    bucket_entry ne = {(uint32_t)s, IW(i & mask, w)};
                    if (bucket_push(ws, &ring[at & ring_mask], ne) != MPP_OK)
                        return MPP_ENOMEM; /* unrecycled blocks stay in their slabs */
                }
            }
            end = recycle_block(ws, blk);
        }
    }
    return MPP_OK;
}

/* cross_big() over the first LEN bytes of segment k only (a partial
 * segment, the end of a short piece): an entry whose next multiple is still
 * in the segment goes to the carry bucket, so that ws_rebase() finds it. */
static int cross_big_part(wsieve *ws, uint64_t len)
{
    block_slot **ring = ws->ring;
    const uint64_t slot = ws->k & ws->ring_mask, ring_mask = ws->ring_mask;
    block_slot *end = ring[slot];
    ring[slot] = NULL;
    uint8_t *restrict seg = ws->seg;
    const uint64_t mask = ws->size - 1, k0 = ws->k, nsegs = ws->nsegs;
    const unsigned log_size = ws->log_size;
    const big_step *bs = ws->bw.step;
    while (end) {
        block_slot *blk = block_of(end);
        for (block_slot *e = blk + 1; e < end; e++) {
            uint64_t s = e->e.s, i = IW_INDEX(e->e.iw);
            unsigned w = IW_STATE(e->e.iw);
            while (i < len) {
                seg[i] &= bs[w].mask;
                i += s * bs[w].gap + bs[w].corr;
                w = bs[w].next;
            }
            uint64_t at = k0 + (i >> log_size);
            bucket_entry ne = {(uint32_t)s, IW(i & mask, w)};
            int rc = MPP_OK;
            if (at == k0)
                rc = bucket_push(ws, &ws->carry, ne);
            else if (at < nsegs)
                rc = bucket_push(ws, &ring[at & ring_mask], ne);
            if (rc != MPP_OK)
                return rc;
        }
        end = recycle_block(ws, blk);
    }
    return MPP_OK;
}

static int ws_add(wsieve *ws, uint64_t p);

/* Re-places the small and medium primes from segment k. A list is rewritten
 * in place: ws_add() puts a prime back in the list it came from, at most
 * one entry per entry read. */
static int replace_lists(wsieve *ws)
{
    int rc = MPP_OK;
    for (int c = 0; c < 16; c++) {
        prime_list *l = c < 8 ? &ws->small[c] : &ws->medium[c - 8];
        size_t n = l->n;
        l->n = 0;
        for (size_t i = 0; i < n && rc == MPP_OK; i++)
            rc = ws_add(ws, 30 * (uint64_t)l->v[i].s + residues[c & 7]);
    }
    return rc;
}

/* Re-places every sieving prime WS holds for a new start, byte B (at or
 * after everything sieved so far): each one's first multiple from B, by a
 * division, as when it was added. Nothing is generated again: the primes
 * are read back from the lists and buckets (p = 30 s + its residue). The
 * segments are counted from B again. */
static int ws_rebase(wsieve *ws, uint64_t b)
{
    /* Detach every bucket: the ring's and the carry. */
    size_t nchains = 0, cap = 0;
    block_slot **heads = NULL;
    for (uint64_t i = 0; ws->ring && i <= ws->ring_mask + 1; i++) {
        block_slot **src = i <= ws->ring_mask ? &ws->ring[i] : &ws->carry;
        if (!*src)
            continue;
        if (nchains == cap) {
            cap = cap ? 2 * cap : 64;
            block_slot **h = realloc(heads, cap * sizeof *h);
            if (!h) {
                free(heads);
                return MPP_ENOMEM;
            }
            heads = h;
        }
        heads[nchains++] = *src;
        *src = NULL;
    }
    ws->b0 = b;
    ws->lo = 30 * b;
    ws->nbytes = ws->hi / 30 - b + 1;
    ws->nsegs = (ws->nbytes + ws->size - 1) / ws->size;
    ws->k = 0;
    ws->start = 0;
    int rc = replace_lists(ws);
    for (size_t h = 0; h < nchains; h++) {
        for (block_slot *end = heads[h]; end;) {
            block_slot *blk = block_of(end);
            for (block_slot *e = blk + 1; e < end && rc == MPP_OK; e++)
                rc = ws_add(ws, 30 * (uint64_t)e->e.s + residues[IW_STATE(e->e.iw) / 48]);
            end = recycle_block(ws, blk);
        }
    }
    free(heads);
    return rc;
}

/* A forward jump that keeps the segments as they are: segment K2 (>= k) is
 * the next one to sieve, from its byte START on. Only the primes whose next
 * multiple lies before that (their buckets, the carry) and the small and
 * medium ones are re-placed; a big prime whose next multiple is at or after
 * it stays where it is. The cheaper jump when most primes are big ones. */
static int ws_jump(wsieve *ws, uint64_t k2, uint64_t start)
{
    uint64_t slots = ws->ring_mask + 1;
    uint64_t upto = k2 - ws->k < slots ? k2 : ws->k + slots;
    size_t nchains = 0;
    block_slot **heads = malloc((size_t)(upto - ws->k + 1) * sizeof *heads);
    uint64_t *segs = malloc((size_t)(upto - ws->k + 1) * sizeof *segs);
    if (!heads || !segs) {
        free(heads);
        free(segs);
        return MPP_ENOMEM;
    }
    for (uint64_t j = ws->k; j < upto; j++)
        if (ws->ring[j & ws->ring_mask]) {
            segs[nchains] = j;
            heads[nchains++] = ws->ring[j & ws->ring_mask];
            ws->ring[j & ws->ring_mask] = NULL;
        }
    if (ws->carry) { /* after a partial segment, which was segment k - 1 */
        segs[nchains] = ws->k - 1;
        heads[nchains++] = ws->carry;
        ws->carry = NULL;
    }
    ws->k = k2;
    ws->start = start;
    int rc = replace_lists(ws);
    /* A big prime due before the new start: stepped along the wheel to its
     * first multiple from there when that is a few steps (48 per 7p bytes),
     * else placed again by a division. */
    const unsigned log_size = ws->log_size;
    const uint64_t goal = (k2 << log_size) + start, mask = ws->size - 1;
    const big_step *bs = ws->bw.step;
    for (size_t h = 0; h < nchains; h++) {
        for (block_slot *end = heads[h]; end;) {
            block_slot *blk = block_of(end);
            for (block_slot *e = blk + 1; e < end && rc == MPP_OK; e++) {
                uint64_t s = e->e.s, pos = (segs[h] << log_size) + IW_INDEX(e->e.iw);
                unsigned w = IW_STATE(e->e.iw);
                uint64_t p = 30 * s + residues[w / 48];
                if (pos < goal && goal - pos >= p / 2) {
                    rc = ws_add(ws, p);
                    continue;
                }
                while (pos < goal) {
                    pos += s * bs[w].gap + bs[w].corr;
                    w = bs[w].next;
                }
                uint64_t at = pos >> log_size;
                if (at < ws->nsegs) {
                    bucket_entry ne = {(uint32_t)s, IW(pos & mask, w)};
                    rc = bucket_push(ws, &ws->ring[at & ws->ring_mask], ne);
                }
            }
            end = recycle_block(ws, blk);
        }
    }
    free(heads);
    free(segs);
    return rc;
}

static int feed_next(feed *f, uint64_t *p);

/* Sieves segment k of WS, or only its first LIMIT bytes (a multiple of 64)
 * when that is less: a partial segment, after which the positions of the
 * sieving primes are those of no segment until ws_rebase(). On return
 * SEG[0, *N) holds the bytes sieved. */
static int ws_sieve_next(wsieve *ws, uint64_t *n, uint64_t limit)
{
    uint64_t seg_byte = ws->b0 + ws->k * ws->size;
    uint64_t left = ws->nbytes - ws->k * ws->size;
    bool last = left <= ws->size;
    uint64_t len = last ? left : ws->size;
    bool partial = limit < len;
    if (partial) {
        len = limit;
        last = false;
    }
    uint64_t seg_hi = last ? ws->hi : 30 * (seg_byte + len) - 1;
    uint64_t root = mpp_isqrt(seg_hi);

    /* New sieving primes for this segment. */
    for (;;) {
        if (!ws->pending) {
            int rc = feed_next(ws->src, &ws->pending);
            if (rc != MPP_OK)
                return rc;
            if (!ws->pending)
                break; /* no more */
        }
        if (ws->pending > root)
            break;
        if (ws->pending >= ws->first_prime) {
            int rc = ws_add(ws, ws->pending);
            if (rc != MPP_OK)
                return rc;
            /* Near 2^64 the first segment adds 2^28 primes (seconds). */
            if (ws->stop && (++ws->added & 0xffff) == 0 && *ws->stop)
                return MPP_STOPPED;
        }
        ws->pending = 0;
    }

    uint8_t *seg = ws->seg;
    /* A partial segment: its chunks up to LEN, positions left unshifted.
     * A late start: the chunks from the one of byte START; the small and
     * medium primes were placed from START, and a big prime's multiple
     * before it only crosses off a byte nobody reads. */
    uint64_t upto = partial ? (len + ws->chunk - 1) & ~(ws->chunk - 1) : ws->size;
    uint32_t shift = partial ? 0 : (uint32_t)ws->size;
    for (uint64_t c = ws->start & ~(ws->chunk - 1); c < upto; c += ws->chunk) {
        uint64_t end = c + ws->chunk;
        if (ws->pre)
            presieve_fill(ws->pre, seg + c, seg_byte + c, ws->chunk);
        else
            memset(seg + c, 0xff, ws->chunk);
        cross_list(seg, (int64_t)end, ws->small, end == ws->size ? shift : 0);
    }
    cross_list(seg, (int64_t)upto, ws->medium, shift);
    if (ws->ring) {
        int rc = partial ? cross_big_part(ws, len) : cross_big(ws);
        if (rc != MPP_OK)
            return rc;
    }

    if (30 * seg_byte <= PRESIEVE_MAX) {
        /* The first bytes: 1 is not prime, and the pre-sieved primes are. */
        if (seg_byte == 0)
            seg[0] &= 0xfe;
        if (ws->pre) {
            for (int g = 0; g < NGROUPS; g++)
                for (int k = 0; k < GROUP_MAX && group_primes[g][k]; k++) {
                    uint64_t p = group_primes[g][k];
                    if (p / 30 >= seg_byte && p / 30 - seg_byte < len)
                        seg[p / 30 - seg_byte] |= (uint8_t)(1u << ridx30[p % 30]);
                }
        }
    }
    if (ws->k == 0) { /* values below LO */
        uint64_t r = ws->lo - 30 * ws->b0;
        for (int j = 0; j < 8; j++)
            if (residues[j] < r)
                seg[0] &= (uint8_t) ~(1u << j);
    }
    if (last) { /* values above HI, and the bytes past the range */
        uint64_t r = ws->hi - 30 * (ws->b0 + ws->nbytes - 1);
        for (int j = 0; j < 8; j++)
            if (residues[j] > r)
                seg[len - 1] &= (uint8_t) ~(1u << j);
        memset(seg + len, 0, ws->size - len);
    }
    ws->k++;
    ws->start = 0;
    *n = len;
    return MPP_OK;
}

/* ------------------------------------------------------------------------ */
/* Reading a finished segment. */


/* off64[t]: the value of bit t of a 64-bit word (8 bytes) from the value of
 * its first byte: 30 * (t / 8) + residues[t % 8]. */
#define OFF8(b) 30 * (b) + 1, 30 * (b) + 7, 30 * (b) + 11, 30 * (b) + 13,     \
                30 * (b) + 17, 30 * (b) + 19, 30 * (b) + 23, 30 * (b) + 29
static const uint8_t off64[64] = {OFF8(0), OFF8(1), OFF8(2), OFF8(3),
                                  OFF8(4), OFF8(5), OFF8(6), OFF8(7)};

/* One body for both versions below: inlined into each, it is compiled with
 * and without the POPCNT instruction. */
static inline __attribute__((always_inline)) uint64_t popcount_words(const uint8_t *seg,
                                                                     uint64_t nwords)
{
    uint64_t c = 0;
    for (uint64_t i = 0; i < nwords; i++)
        c += (uint64_t)__builtin_popcountll(mpp_wheel_word(seg + 8 * i));
    return c;
}

static uint64_t popcount_plain(const uint8_t *seg, uint64_t nwords)
{
    return popcount_words(seg, nwords);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("popcnt"))) static uint64_t popcount_hw(const uint8_t *seg,
                                                               uint64_t nwords)
{
    return popcount_words(seg, nwords);
}
#define HAVE_POPCOUNT_HW 1
#endif

typedef uint64_t (*popcount_fn)(const uint8_t *, uint64_t);

static popcount_fn pick_popcount(void)
{
#ifdef HAVE_POPCOUNT_HW
    __builtin_cpu_init();
    if (__builtin_cpu_supports("popcnt"))
        return popcount_hw;
#endif
    return popcount_plain;
}

bool mpp_sieve_uses_popcnt(void)
{
    return pick_popcount() != popcount_plain;
}

/* Value of bit T of the word starting at absolute byte B. */
static inline uint64_t value_of(uint64_t b, unsigned t)
{
    return 30 * b + off64[t];
}

/* Writes the primes of the 64-bit WORD of the sieve that starts at absolute
 * byte B to OUT (at most 64); returns how many. */
static inline size_t extract_word(uint64_t word, uint64_t b, uint64_t *out)
{
    size_t k = 0;
    while (word) {
        out[k++] = value_of(b, (unsigned)__builtin_ctzll(word));
        word &= word - 1;
    }
    return k;
}

static int feed_next(feed *f, uint64_t *p)
{
    if (!f->gen) {
        *p = f->pos < f->nlist ? f->list[f->pos++] : 0;
        return MPP_OK;
    }
    while (f->pos == f->nbuf) {
        if (f->gen->k == f->gen->nsegs) {
            *p = f->epos < f->nextra ? f->extra[f->epos++] : 0;
            return MPP_OK;
        }
        uint64_t n;
        int rc = ws_sieve_next(f->gen, &n, UINT64_MAX);
        if (rc != MPP_OK)
            return rc;
        uint64_t b = f->gen->b0 + (f->gen->k - 1) * f->gen->size;
        f->nbuf = 0;
        for (uint64_t i = 0; i < n; i += 8)
            f->nbuf += extract_word(mpp_wheel_word(f->gen->seg + i), b + i, f->buf + f->nbuf);
        f->pos = 0;
    }
    *p = f->buf[f->pos++];
    return MPP_OK;
}

/* ------------------------------------------------------------------------ */
/* The driver of a whole call. */

typedef struct {
    const mpp_sink *sink;
    mpp_wheel_fn wheel; /* or NULL; then SINK's context is its too */
    mpp_tally *tally;
    uint64_t batch[BATCH];
    size_t nbatch;
    popcount_fn popcount;
    const volatile sig_atomic_t *stop; /* see mpp_stop; NULL: never */
    uint64_t next;                     /* the first value not yet done */
} output;

static void tally_add(mpp_tally *t, uint64_t count, uint64_t first, uint64_t last)
{
    if (!count)
        return;
    if (t->count == 0)
        t->first = first;
    t->count += count;
    t->last = last;
}

/* Hands the batch to the sink; the tally covers what the sink was given. */
static int flush(output *o)
{
    if (!o->nbatch)
        return MPP_OK;
    tally_add(o->tally, o->nbatch, o->batch[0], o->batch[o->nbatch - 1]);
    int rc = o->sink->fn(o->sink->ctx, o->batch, o->nbatch);
    o->nbatch = 0;
    return rc;
}

static int emit_one(output *o, uint64_t prime)
{
    if (!o->sink) {
        tally_add(o->tally, 1, prime, prime);
        return MPP_OK;
    }
    o->batch[o->nbatch++] = prime;
    return o->nbatch == BATCH ? flush(o) : MPP_OK;
}

/* Counts or lists the primes of a finished segment: SEG[0, N) from
 * absolute byte B. */
static int collect(output *o, const uint8_t *seg, uint64_t n, uint64_t b)
{
    uint64_t nwords = (n + 7) / 8;
    if (o->wheel && o->nbatch) { /* 2, 3 and 5 first */
        int rc = flush(o);
        if (rc != MPP_OK)
            return rc;
    }
    if (!o->sink || o->wheel) {
        uint64_t found = o->popcount(seg, nwords);
        if (!found)
            return o->wheel ? o->wheel(o->sink->ctx, seg, n, b) : MPP_OK;
        uint64_t i = 0, j = nwords - 1, wi, wj;
        while (!(wi = mpp_wheel_word(seg + 8 * i)))
            i++;
        while (!(wj = mpp_wheel_word(seg + 8 * j)))
            j--;
        tally_add(o->tally, found, value_of(b + 8 * i, (unsigned)__builtin_ctzll(wi)),
                  value_of(b + 8 * j, 63 - (unsigned)__builtin_clzll(wj)));
        return o->wheel ? o->wheel(o->sink->ctx, seg, n, b) : MPP_OK;
    }
    for (uint64_t i = 0; i < nwords; i++) {
        uint64_t word = mpp_wheel_word(seg + 8 * i);
        if (!word)
            continue;
        if (o->nbatch > BATCH - 64) {
            int rc = flush(o);
            if (rc != MPP_OK)
                return rc;
        }
        o->nbatch += extract_word(word, b + 8 * i, o->batch + o->nbatch);
    }
    return MPP_OK;
}

/* The odd primes 7 <= p <= LIMIT (LIMIT <= 2^16), by a plain sieve. */
static uint32_t *plain_primes(uint64_t limit, size_t *n)
{
    *n = 0;
    uint32_t *out = malloc((limit / 2 + 8) * sizeof *out);
    unsigned char *comp = calloc(limit + 1, 1);
    if (!out || !comp) {
        free(out);
        free(comp);
        return NULL;
    }
    for (uint64_t i = 3; i <= limit; i += 2) {
        if (comp[i])
            continue;
        if (i >= 7)
            out[(*n)++] = (uint32_t)i;
        for (uint64_t j = i * i; j <= limit; j += 2 * i)
            comp[j] = 1;
    }
    free(comp);
    return out;
}

typedef struct {
    uint64_t size, chunk;
    bool size_auto; /* size is the L2 cache's: smaller for a low window */
    const presieve_tables *pre;
} tuning;
/* ------------------------------------------------------------------------ */
/* The state a finder keeps: one window at a time, moved through pieces. */

/* Collects the values [A, E] (A <= E, both in the segment) of the segment
 * SEG that starts at absolute byte SB: the edge bytes are masked and the 7
 * bytes past E zeroed while collect() reads them, then restored, so that
 * the segment stays whole for a next piece in it. */
static int collect_part(output *o, uint8_t *seg, uint64_t sb, uint64_t a, uint64_t e)
{
    uint64_t i0 = a / 30 - sb, i1 = e / 30 - sb;
    unsigned ra = (unsigned)(a % 30), re = (unsigned)(e % 30);
    uint8_t m0 = 0, m1 = 0;
    for (int j = 0; j < 8; j++) {
        m0 |= (uint8_t)((residues[j] >= ra) << j);
        m1 |= (uint8_t)((residues[j] <= re) << j);
    }
    uint8_t keep0 = seg[i0], keep[8];
    memcpy(keep, seg + i1, 8);
    seg[i0] &= m0;
    seg[i1] &= m1;
    memset(seg + i1 + 1, 0, 7);
    int rc = collect(o, seg + i0, i1 - i0 + 1, sb + i0);
    memcpy(seg + i1, keep, 8);
    seg[i0] = keep0;
    return rc;
}

struct mpp_sieve_state {
    tuning tu;
    bool no_presieve;
    int pre_built;        /* 0: not decided yet; 1: built; -1: none */
    presieve_tables pre;
    uint64_t horizon;     /* the largest value a piece may reach */
    uint64_t window;      /* numbers per window; 0: one window up to HORIZON */
    uint64_t cfg_window;  /* the window asked for (0: the default) */
    bool active;          /* a window is open */
    bool broken;          /* the last segment was partial: re-place first */
    uint64_t wlo, whi;    /* the open window's values */
    uint32_t *plain;
    size_t nplain;
    wsieve gen, ws;
    feed gfeed, mfeed;
    bool have_seg;        /* ws.seg holds bytes [seg_b + seg_from, seg_b + seg_n) */
    uint64_t seg_b, seg_from, seg_n;
    const volatile sig_atomic_t *stop; /* the current piece's (see mpp_stop) */
    uint32_t *shared;     /* see mpp_sieve_state_share: the sieving primes above */
    size_t nshared;       /* SHARED_ABOVE that have a multiple in [SHARED_LO, */
    uint64_t shared_above, shared_lo, shared_hi; /* SHARED_HI]; NULL: none */
    bool shared_keep;     /* kept once a window has read it all (pieces may go back) */
    bool any_piece;       /* a piece was found; its last value was LAST_HI */
    uint64_t last_hi;
    bool flowing;         /* the current piece follows the one before it */
    mpp_sieve_stats stats;
};

static void drop_shared(mpp_sieve_state *st)
{
    free(st->shared);
    st->shared = NULL;
    st->nshared = 0;
}

static void close_window(mpp_sieve_state *st)
{
    if (!st->active)
        return;
    ws_free(&st->ws);
    ws_free(&st->gen);
    free(st->mfeed.buf);
    free(st->plain);
    st->plain = NULL;
    st->mfeed.buf = NULL;
    st->active = st->have_seg = st->broken = false;
}

/* Opens the window that starts with the byte of A (A <= horizon): its
 * sieving primes, up to sqrt of its end, come from a fresh generator. */
static int open_window(mpp_sieve_state *st, uint64_t a)
{
    close_window(st);
    uint64_t whi = st->window && st->horizon - a >= st->window ? a + (st->window - 1)
                                                                : st->horizon;
    uint64_t root = mpp_isqrt(whi);
    /* With a shared set-up the generator stops at SHARED_ABOVE; the primes
     * above it come from the list (every one that has a multiple here). */
    bool shared = st->shared && root > st->shared_above && a >= st->shared_lo &&
                  whi <= st->shared_hi;
    uint64_t gtop = shared ? st->shared_above : root, groot = mpp_isqrt(gtop);
    const presieve_tables *pre = st->pre_built > 0 ? &st->pre : NULL;
    memset(&st->gen, 0, sizeof st->gen);
    memset(&st->ws, 0, sizeof st->ws);
    st->plain = plain_primes(groot, &st->nplain);
    st->gfeed = (feed){.list = st->plain, .nlist = st->nplain, .pos = 0, .gen = NULL,
                       .buf = NULL, .nbuf = 0};
    st->mfeed = (feed){.list = NULL, .nlist = 0, .pos = 0, .gen = NULL, .buf = NULL, .nbuf = 0};
    st->active = true;
    st->stats.windows++;
    st->wlo = 30 * (a / 30);
    st->whi = whi;
    if (!st->plain)
        return MPP_ENOMEM;
    int rc = MPP_OK;
    if (gtop >= 7) {
        /* The generator: primes 7..GTOP, in segments of one chunk. */
        rc = ws_init(&st->gen, 7, gtop, st->tu.chunk, st->tu.chunk, pre, &st->gfeed);
        st->mfeed.gen = &st->gen;
        if (shared) {
            st->mfeed.extra = st->shared;
            st->mfeed.nextra = st->nshared;
            st->stats.shared++;
        }
        if (rc == MPP_OK && !(st->mfeed.buf = malloc(st->gen.size * 8 * sizeof *st->mfeed.buf)))
            rc = MPP_ENOMEM;
    }
    /* Low down a segment of the whole L2 cache is more than the sieving
     * primes need: about 4 bytes per unit of sqrt(HI) was fastest on
     * bench/sieve_time (up to [0, 1e10] 10% faster than 1 MiB, 128 KiB at
     * 1e9, 512 KiB at 1e10, the whole 1 MiB L2 from 1e11). */
    uint64_t size = st->tu.size;
    if (st->tu.size_auto)
        while (size / 2 >= 4 * root && size / 2 >= st->tu.chunk)
            size /= 2;
    if (rc == MPP_OK)
        rc = ws_init(&st->ws, st->wlo, whi, size, st->tu.chunk, pre, &st->mfeed);
    return rc;
}

/* The small and medium primes WS holds. */
static uint64_t list_primes(const wsieve *ws)
{
    uint64_t n = 0;
    for (int c = 0; c < 8; c++)
        n += ws->small[c].n + ws->medium[c].n;
    return n;
}

/* Moves WS forward to byte AB (at or after where it stopped, in its
 * window), the next to sieve. Within the segment it stopped in (after a
 * partial segment): that segment is sieved again from AB, its big primes
 * being the carry. Further on: a jump, which keeps the segments and moves
 * only the primes due before AB (ws_jump), or without big primes a new
 * start at AB (ws_rebase). Either way the piece's first segment is sieved
 * from AB on, not from its start. */
static int ws_move(wsieve *ws, uint64_t ab)
{
    uint64_t k2 = (ab - ws->b0) >> ws->log_size;
    uint64_t start = (ab - ws->b0) & (ws->size - 1);
    if (!ws->ring)
        return ws_rebase(ws, ab);
    if (k2 + 1 == ws->k && !ws->ring[k2 & ws->ring_mask]) {
        ws->ring[k2 & ws->ring_mask] = ws->carry;
        ws->carry = NULL;
        ws->k = k2;
        ws->start = start;
        return replace_lists(ws);
    }
    if (k2 >= ws->k)
        return ws_jump(ws, k2, start);
    return ws_rebase(ws, ab);
}

/* Makes the segment that holds A the one in ws.seg, for a piece that ends
 * at E: the next segment when A is where the sieve stopped, a move forward
 * (ws_move) when A lies further on in the window, a new window when A lies
 * before what was sieved or past the window. */
static int reach(mpp_sieve_state *st, uint64_t a, uint64_t e)
{
    uint64_t ab = a / 30;
    if (st->active && a >= st->wlo && a <= st->whi) {
        wsieve *ws = &st->ws;
        if (st->have_seg && ab >= st->seg_b + st->seg_from && ab < st->seg_b + st->seg_n)
            return MPP_OK; /* already sieved */
        uint64_t frontier = ws->b0 + ws->k * ws->size;
        bool after = st->have_seg ? ab >= st->seg_b + st->seg_n : ab >= frontier;
        if (!after)
            return open_window(st, a) == MPP_OK ? reach(st, a, e) : MPP_ENOMEM;
        if (ab != frontier || st->broken) {
            st->stats.rebases++;
            int rc = ws_move(ws, ab);
            if (rc != MPP_OK)
                return rc;
        }
        st->broken = false;
    } else {
        int rc = open_window(st, a);
        if (rc != MPP_OK)
            return rc;
    }
    /* Sieve the segment. Partly, when the piece ends early in it and the
     * bytes saved cost more than what a piece that goes on from there pays
     * to resume (the small and medium primes re-placed, about 10 ns each,
     * against about 3 ns per byte sieved); but whole when the pieces have
     * been following one another, as the next one then probably will. */
    wsieve *ws = &st->ws;
    uint64_t sb = ws->b0 + ws->k * ws->size, from = ws->start;
    uint64_t left = ws->nbytes - ws->k * ws->size;
    uint64_t limit = UINT64_MAX;
    uint64_t need = (e > st->whi ? st->whi : e) / 30 - sb + 1;
    if (need < left && need < ws->size && !st->flowing) {
        uint64_t want = (need + 63) & ~(uint64_t)63;
        /* before its first segment a window holds nothing yet: pi(sqrt),
         * of which those up to medium_max go in the lists */
        uint64_t r = mpp_isqrt(30 * (sb + want)), held = list_primes(ws);
        if (r > ws->medium_max)
            r = ws->medium_max;
        uint64_t est = r / (uint64_t)(0.69 * (64 - __builtin_clzll(r | 1)) + 1);
        if (held < est)
            held = est;
        if (want < ws->size && 3 * (ws->size - want) > 10 * held)
            limit = want;
    }
    ws->stop = st->stop;
    uint64_t n;
    int rc = ws_sieve_next(ws, &n, limit);
    if (rc != MPP_OK)
        return rc;
    st->stats.segments++;
    if (st->shared && !st->shared_keep && st->mfeed.extra == st->shared &&
        st->mfeed.epos == st->mfeed.nextra && st->whi >= st->horizon) {
        /* every listed prime is placed, and this window reaches the
         * horizon (<= SHARED_HI): no later window needs them (one before
         * this would generate its own: slower, not wrong) */
        st->mfeed.extra = NULL;
        st->mfeed.nextra = st->mfeed.epos = 0;
        drop_shared(st);
    }
    st->seg_b = sb;
    st->seg_from = from;
    st->seg_n = n;
    st->have_seg = true;
    st->broken = limit != UINT64_MAX && n == limit && n < left;
    st->stats.partial += st->broken;
    return MPP_OK;
}

/* The values [A, HI] (7 <= A <= HI <= horizon) into O. */
static int state_range(mpp_sieve_state *st, output *o, uint64_t a, uint64_t hi)
{
    st->stop = o->stop;
    for (;;) {
        if (o->stop && *o->stop)
            return MPP_STOPPED;
        int rc = reach(st, a, hi);
        if (rc != MPP_OK)
            return rc;
        /* the segment's last value (30 (seg_b + seg_n) may be 2^64 + 14) */
        uint64_t lastb = st->seg_b + st->seg_n - 1;
        uint64_t last = lastb >= st->whi / 30 ? st->whi : 30 * lastb + 29;
        uint64_t e = hi < last ? hi : last;
        rc = collect_part(o, st->ws.seg, st->seg_b, a, e);
        if (rc != MPP_OK)
            return rc;
        if (e == hi)
            return MPP_OK;
        o->next = a = e + 1;
    }
}

static uint64_t cache_size(int name, uint64_t fallback, uint64_t min, uint64_t max)
{
    long v = sysconf(name);
    uint64_t x = v > 0 ? pow2_floor((uint64_t)v) : fallback;
    return x < min ? min : x > max ? max : x;
}

mpp_sieve_state *mpp_sieve_state_new(uint64_t horizon, const mpp_sieve_config *cfg)
{
    mpp_sieve_state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    mpp_sieve_config c = cfg ? *cfg : (mpp_sieve_config){0};
    tuning *tu = &st->tu;
    tu->size_auto = !c.segment_bytes;
#ifdef _SC_LEVEL2_CACHE_SIZE
    tu->size = c.segment_bytes ? pow2_floor(c.segment_bytes)
                               : cache_size(_SC_LEVEL2_CACHE_SIZE, 1 << 18, 1 << 15, 1 << 21);
    tu->chunk = c.chunk_bytes ? pow2_floor(c.chunk_bytes)
                              : cache_size(_SC_LEVEL1_DCACHE_SIZE, 1 << 15, 1 << 14, 1 << 16);
#else
    tu->size = c.segment_bytes ? pow2_floor(c.segment_bytes) : 1 << 18;
    tu->chunk = c.chunk_bytes ? pow2_floor(c.chunk_bytes) : 1 << 15;
#endif
    if (tu->size < 64)
        tu->size = 64;
    if (tu->size > (1 << 23)) /* bucket entries keep the index in 23 bits */
        tu->size = 1 << 23;
    if (tu->chunk < 64)
        tu->chunk = 64;
    if (tu->chunk > tu->size)
        tu->chunk = tu->size;
    tu->pre = NULL;
    st->no_presieve = c.no_presieve != 0;
    st->cfg_window = c.window;
    mpp_sieve_state_set_horizon(st, horizon);
    return st;
}

void mpp_sieve_state_set_horizon(mpp_sieve_state *st, uint64_t horizon)
{
    close_window(st);
    if (st->shared && horizon > st->shared_hi)
        drop_shared(st); /* its list knows nothing past SHARED_HI */
    st->horizon = horizon;
    st->window = st->cfg_window ? st->cfg_window : horizon >= MPP_SIEVE_WINDOW_FROM ? MPP_SIEVE_WINDOW : 0;
}

void mpp_sieve_state_free(mpp_sieve_state *st)
{
    if (!st)
        return;
    close_window(st);
    drop_shared(st);
    if (st->pre_built > 0)
        presieve_free(&st->pre);
    free(st);
}

void mpp_sieve_state_share(mpp_sieve_state *st, uint64_t above, uint64_t lo, uint64_t hi,
                           uint32_t *primes, size_t n, bool keep)
{
    close_window(st);
    drop_shared(st);
    if (!primes)
        return;
    st->shared = primes;
    st->nshared = n;
    st->shared_above = above;
    st->shared_lo = lo;
    st->shared_hi = hi;
    st->shared_keep = keep;
}

/* The first multiple p q of P a sieve crosses off from LO on: q >= p, q
 * coprime to 210 (the big primes' wheel); false when past HI. */
static bool first_multiple(uint64_t p, uint64_t lo, uint64_t hi, const uint8_t *to_next)
{
    uint64_t q = first_quotient(p, lo);
    q += to_next[q % 210];
    uint64_t m;
    return !__builtin_mul_overflow(p, q, &m) && m <= hi;
}

typedef struct {
    uint64_t lo, hi;
    const uint8_t *to_next;
    uint32_t *out;
    size_t n, cap;
} hits_ctx;

static int hits_push(void *ctx, const uint64_t *primes, size_t n)
{
    hits_ctx *h = ctx;
    for (size_t i = 0; i < n; i++) {
        if (!first_multiple(primes[i], h->lo, h->hi, h->to_next))
            continue;
        if (h->n == h->cap) { /* past the estimate: twice as much, copied */
            size_t cap = 2 * h->cap;
            uint32_t *v = huge_alloc(cap * sizeof *v);
            if (!v)
                return MPP_ENOMEM;
            memcpy(v, h->out, h->n * sizeof *v);
            free(h->out);
            h->out = v;
            h->cap = cap;
        }
        h->out[h->n++] = (uint32_t)primes[i];
    }
    return MPP_OK;
}

int mpp_sieve_hits(uint64_t plo, uint64_t phi, uint64_t lo, uint64_t hi, uint32_t **out,
                   size_t *n)
{
    *out = NULL;
    *n = 0;
    if (phi > UINT32_MAX)
        phi = UINT32_MAX;
    uint8_t to_next[210];
    to_next210(to_next);
    /* About (HI - LO + 1) 48/210 / p of the primes p have a multiple to
     * cross: (HI - LO + 1) 48/210 (ln ln PHI - ln ln PLO) in all (Mertens),
     * and those whose square is in range; room for a quarter more, in
     * whole huge pages. */
    double est = 0;
    if (plo < phi) {
        double a = plo < 16 ? 16 : (double)plo, len = (double)(hi - lo) + 1;
        est = len * 48.0 / 210.0 * (log(log((double)phi)) - log(log(a))) +
              (sqrt((double)hi) - sqrt((double)lo)) + 1;
    }
    size_t bytes = ((size_t)(1.25 * est + 4096) * sizeof(uint32_t) + ((size_t)2 << 20) - 1) &
                   ~(((size_t)2 << 20) - 1);
    hits_ctx h = {.lo = lo, .hi = hi, .to_next = to_next, .out = huge_alloc(bytes), .n = 0,
                  .cap = bytes / sizeof(uint32_t)};
    if (!h.out)
        return MPP_ENOMEM;
    mpp_sink sink = {hits_push, &h};
    mpp_tally t;
    int rc = plo >= phi ? MPP_OK : mpp_sieve(plo + 1, phi, &sink, &t);
    if (rc != MPP_OK) {
        free(h.out);
        return rc;
    }
    *out = h.out;
    *n = h.n;
    return MPP_OK;
}

bool mpp_sieve_share_plan(uint64_t start, uint64_t stop, int nranks, uint64_t *above)
{
    if (nranks < 2 || start > stop)
        return false;
    uint64_t len = stop - start, root = mpp_isqrt(stop);
    uint64_t a = len < ((uint64_t)1 << 20) ? (uint64_t)1 << 20 : len;
    if (a >= root || root - a < ((uint64_t)1 << 24))
        return false;
    *above = a;
    return true;
}

void mpp_sieve_state_stats(const mpp_sieve_state *st, mpp_sieve_stats *out)
{
    *out = st->stats;
}

/* The numbers of [LO, NEXT) (all of [LO, HI] when FINISHED), saturated. */
static uint64_t numbers_done(uint64_t lo, uint64_t hi, uint64_t next, bool finished)
{
    if (finished && lo > hi)
        return 0;
    if (finished)
        return hi - lo + 1 == 0 ? UINT64_MAX : hi - lo + 1;
    return next - lo;
}

static int state_find(mpp_sieve_state *st, uint64_t lo, uint64_t hi, const mpp_sink *sink,
                      mpp_wheel_fn wheel, mpp_tally *tally, mpp_stop *stop)
{
    tally->count = tally->first = tally->last = 0;
    if (stop)
        stop->done = 0;
    output *o = malloc(sizeof *o);
    if (!o)
        return MPP_ENOMEM;
    o->sink = sink;
    o->wheel = wheel;
    o->tally = tally;
    o->nbatch = 0;
    o->popcount = pick_popcount();
    o->stop = stop ? stop->flag : NULL;
    o->next = lo;
    st->flowing = st->any_piece && lo == st->last_hi + 1;
    st->any_piece = true;
    st->last_hi = hi;

    int rc = o->stop && *o->stop ? MPP_STOPPED : MPP_OK;
    for (uint64_t p = 2; p <= 5 && rc == MPP_OK; p += p == 2 ? 1 : 2)
        if (lo <= p && p <= hi)
            rc = emit_one(o, p);
    uint64_t from = lo < 7 ? 7 : lo;
    if (rc == MPP_OK && from > lo)
        o->next = from; /* 2, 3 and 5 are done */
    if (rc == MPP_OK && from <= hi) {
        if (hi > st->horizon) /* past what it was made for: start over */
            mpp_sieve_state_set_horizon(st, hi);
        if (st->pre_built == 0) { /* decided by the first piece, kept */
            bool use = !st->no_presieve && (st->horizon - from) / 30 >= TINY_RANGE;
            st->pre_built = use ? 1 : -1;
            if (use && presieve_init(&st->pre) != MPP_OK) {
                st->pre_built = 0;
                rc = MPP_ENOMEM;
            }
        }
        if (rc == MPP_OK)
            rc = state_range(st, o, from, hi);
    }
    if ((rc == MPP_OK || rc == MPP_STOPPED) && sink) {
        int f = flush(o); /* the primes found before a stop, too */
        rc = f != MPP_OK ? f : rc;
    }
    if (stop && (rc == MPP_OK || rc == MPP_STOPPED))
        stop->done = numbers_done(lo, hi, o->next, rc == MPP_OK);
    /* Out of memory or stopped: whatever was half done, the next piece
     * starts afresh. A sink's refusal (a positive code: a listing's full
     * buffer) comes while a whole segment is handed over, its bytes put
     * back after (collect_part): the window stays, and the next piece,
     * which starts right after the last prime taken, inside that segment,
     * takes it as sieved (near 2^64 a new window would set up the sieving
     * primes to 2^32 again: 0.4 s). */
    if (rc < 0)
        close_window(st);
    free(o);
    return rc;
}

int mpp_sieve_state_find(mpp_sieve_state *st, uint64_t lo, uint64_t hi, const mpp_sink *sink,
                         mpp_tally *tally, mpp_stop *stop)
{
    return state_find(st, lo, hi, sink, NULL, tally, stop);
}

int mpp_sieve_state_find_wheel(mpp_sieve_state *st, uint64_t lo, uint64_t hi,
                               const mpp_wheel_sink *ws, mpp_tally *tally, mpp_stop *stop)
{
    mpp_sink primes = {ws->primes, ws->ctx};
    return state_find(st, lo, hi, &primes, ws->wheel, tally, stop);
}

static int sieve_run(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally,
                     const mpp_sieve_config *cfg, mpp_stop *stop)
{
    mpp_sieve_state *st = mpp_sieve_state_new(hi, cfg);
    if (!st) {
        tally->count = tally->first = tally->last = 0;
        return MPP_ENOMEM;
    }
    int rc = mpp_sieve_state_find(st, lo, hi, sink, tally, stop);
    mpp_sieve_state_free(st);
    return rc;
}

int mpp_sieve_ex(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally,
                 const mpp_sieve_config *cfg)
{
    return sieve_run(lo, hi, sink, tally, cfg, NULL);
}

int mpp_sieve(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally)
{
    return sieve_run(lo, hi, sink, tally, NULL, NULL);
}

int mpp_sieve_stoppable(uint64_t lo, uint64_t hi, const mpp_sink *sink, mpp_tally *tally,
                        mpp_stop *stop)
{
    return sieve_run(lo, hi, sink, tally, NULL, stop);
}
