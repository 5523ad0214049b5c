/* encode.h - primes as bytes: decimal text (fast, no printf per prime),
 * little-endian binary, or native 64-bit words, written into a bounded
 * buffer (an mpp_piece). Pure: no I/O. */
#ifndef MPP_ENCODE_H
#define MPP_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes V in decimal into BUF (at least 20 bytes; no NUL); returns the
 * number of digits. */
size_t mpp_u64_to_dec(uint64_t v, char *buf);

/* How primes are encoded.
 *   TEXT    decimal, one per line ("2\n3\n5\n"), as `primesieve --print`
 *   BINARY  each prime as 8 bytes, unsigned, little-endian, no separator
 *   NATIVE  each prime as a uint64_t of this machine (the default mode's
 *           MPI_Gatherv, which sends MPI_UINT64_T) */
typedef enum { MPP_FORMAT_TEXT = 0, MPP_FORMAT_BINARY = 1, MPP_FORMAT_NATIVE = 2 } mpp_format;

/* "text", "binary", "native"; NULL for an invalid value. */
const char *mpp_format_name(mpp_format f);

/* The most bytes one prime <= HI takes in format F. */
size_t mpp_format_max_bytes(mpp_format f, uint64_t hi);

/* What a listing lists: primes (kind 1), or the k-tuplets of kind K = 2..6
 * (patterns.h), each given by its least member P and its form, a bit mask
 * of its members' offsets from P (bit 0 always set). A tuplet is encoded
 *   TEXT    as primesieve --print=K prints it: "(p, q, r)\n"
 *   BINARY  as its least member, 8 bytes, unsigned, little-endian
 *   NATIVE  as its least member, a uint64_t of this machine
 * The most bytes one item of KIND whose members are <= HI takes in F. */
size_t mpp_item_max_bytes(mpp_format f, int kind, uint64_t hi);

/* A bounded buffer of encoded primes, filled through mpp_piece_push (an
 * mpp_prime_fn). It takes whole primes only: when the next prime might not
 * fit it stops, sets FULL, and the sink returns MPP_PIECE_FULL, which stops
 * the finder; COUNT, FIRST and LAST then describe exactly what was stored,
 * so the caller knows where to go on. The buffer needs MPP_PIECE_SLACK bytes
 * beyond CAP (the text encoder stores whole 8- and 16-byte words). */
#define MPP_PIECE_SLACK 32
#define MPP_PIECE_FULL 28 /* ENOSPC on Linux; positive, as sinks must */

typedef struct {
    char *buf;       /* at least cap + MPP_PIECE_SLACK bytes */
    size_t cap;      /* bytes the encoded primes may take */
    size_t len;      /* bytes used */
    mpp_format fmt;
    int kind;        /* 1: primes (mpp_piece_push); 2..6: tuplets (mpp_piece_push_tuplets) */
    uint64_t count;  /* primes (tuplets) stored */
    uint64_t first;  /* smallest stored (count > 0; of tuplets the first's least member) */
    uint64_t last;   /* largest stored (count > 0; of tuplets the last's greatest member) */
    bool full;       /* a prime was refused */
    /* TEXT: the digits of the last prime's value / 10^8 (see encode.c) */
    uint64_t top_base; /* that quotient times 10^8 */
    char top[16];      /* its digits, toplen of them, zeros after */
    int toplen;        /* 0: none held */
} mpp_piece;

/* Points P at BUF (CAP usable bytes plus the slack) for format FMT, to hold
 * primes (kind 1: set KIND after this for tuplets). */
void mpp_piece_init(mpp_piece *p, char *buf, size_t cap, mpp_format fmt);
/* Empties P for the next range; the buffer and format stay. */
void mpp_piece_reset(mpp_piece *p);
/* The sink function (ctx: an mpp_piece). */
int mpp_piece_push(void *piece, const uint64_t *primes, size_t n);

/* The tuplet function (patterns.h: mpp_tuplet_fn; ctx: an mpp_piece whose
 * KIND is theirs): N tuplets in ascending order, each as its least member
 * FIRSTS[i] and its form FORMS[i]; whole tuplets only, as mpp_piece_push. */
int mpp_piece_push_tuplets(mpp_piece *p, const uint64_t *firsts, const uint32_t *forms,
                           size_t n);

/* A sink for one chunk of several into the same piece: passes the primes on
 * to PIECE and notes the first one the piece took (the chunk's first; the
 * piece's own FIRST is its first chunk's). Start with {piece, 0, false}. */
typedef struct {
    mpp_piece *piece;
    uint64_t first;
    bool any;
} mpp_chunk_sink;
/* The sink function (ctx: an mpp_chunk_sink). */
int mpp_chunk_push(void *ctx, const uint64_t *primes, size_t n);
/* The same for tuplets (an mpp_tuplet_fn); FIRST is the chunk's first
 * tuplet's least member. */
int mpp_chunk_push_tuplets(void *ctx, const uint64_t *firsts, const uint32_t *forms, size_t n);

#endif
