/* output.h - primes as bytes: decimal text (fast, no printf per prime),
 * little-endian binary, or native 64-bit words, written into a bounded
 * buffer (an mpp_piece); and output files that appear only when complete.
 */
#ifndef MPP_OUTPUT_H
#define MPP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes V in decimal into BUF (at least 20 bytes; no NUL); returns the
 * number of digits. */
size_t mpp_u64_to_dec(uint64_t v, char *buf);

/* write(2) until all N bytes are written (EINTR retried). Returns 0 or the
 * errno of the failure. */
int mpp_write_all(int fd, const void *buf, size_t n);

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

/* A bounded buffer of encoded primes, filled through mpp_piece_push (an
 * mpp_prime_fn). It takes whole primes only: when the next prime might not
 * fit it stops, sets FULL, and the sink returns MPP_PIECE_FULL, which stops
 * the finder; COUNT, FIRST and LAST then describe exactly what was stored,
 * so the caller knows where to go on. The buffer needs MPP_PIECE_SLACK bytes
 * beyond CAP (the text encoder stores whole 8-byte words). */
#define MPP_PIECE_SLACK 32
#define MPP_PIECE_FULL 28 /* ENOSPC on Linux; positive, as sinks must */

typedef struct {
    char *buf;       /* at least cap + MPP_PIECE_SLACK bytes */
    size_t cap;      /* bytes the encoded primes may take */
    size_t len;      /* bytes used */
    mpp_format fmt;
    uint64_t count;  /* primes stored */
    uint64_t first;  /* smallest stored (count > 0) */
    uint64_t last;   /* largest stored (count > 0) */
    bool full;       /* a prime was refused */
    /* TEXT: the last prime's digits, right-aligned so that they end 40
     * bytes in; every position before them holds '0' (see output.c). */
    char dec[64];
    int declen;
} mpp_piece;

/* Points P at BUF (CAP usable bytes plus the slack) for format FMT. */
void mpp_piece_init(mpp_piece *p, char *buf, size_t cap, mpp_format fmt);
/* Empties P for the next range; the buffer and format stay. */
void mpp_piece_reset(mpp_piece *p);
/* The sink function (ctx: an mpp_piece). */
int mpp_piece_push(void *piece, const uint64_t *primes, size_t n);

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

/* An output file that appears under its name only when complete.
 *
 * A regular file (new, or existing) is written under a temporary name in
 * the directory of its target, "TARGET.tmp-XXXXXX", created here with the
 * existing file's permissions (or 0666 & ~umask for a new one), and renamed
 * over the target by mpp_outfile_commit(); the old file's cached pages are
 * dropped first (the file itself stays as it is until the rename), so that
 * the new one can reuse that memory. When PATH is a symbolic link the
 * target is the file it points to, so the link survives. Anything else that
 * already exists at PATH (a device such as /dev/null or /dev/full, a FIFO)
 * is opened and written directly, in order. */
typedef struct {
    int fd;        /* the temporary file, or the direct target; -1 once closed */
    char *tmp;     /* temporary name, or NULL when writing directly */
    char *target;  /* the name the file ends up under */
} mpp_outfile;

/* Returns 0, or the errno that prevented it (EISDIR for a directory). */
int mpp_outfile_open(mpp_outfile *o, const char *path);
/* True when the output goes straight to an existing non-regular file. */
bool mpp_outfile_is_direct(const mpp_outfile *o);
/* Closes the descriptor (the file itself stays). Returns 0 or an errno. */
int mpp_outfile_close_fd(mpp_outfile *o);
/* Closes and renames into place. Returns 0, or the errno of the failure,
 * in which case the temporary file is removed. */
int mpp_outfile_commit(mpp_outfile *o);
/* Closes and removes the temporary file (after a failure elsewhere). */
void mpp_outfile_abandon(mpp_outfile *o);

/* A file that records are appended to, one write each (--csv): opened
 * before the work, so that a bad path fails at once; written once at the
 * end. Runs appending to one file at the same time take turns through an
 * advisory lock (flock), so a header is written once and no record is cut
 * or interleaved. A FIFO without a reader is ENXIO, not a hang. */
typedef struct {
    int fd;        /* -1 once closed */
    bool created;  /* the file did not exist before mpp_appendfile_open */
    char *path;
} mpp_appendfile;

/* Opens PATH for appending, creating it (0666 & ~umask) when missing.
 * Returns 0 or the errno that prevented it. */
int mpp_appendfile_open(mpp_appendfile *a, const char *path);
/* True when nothing has been written to the file yet (a regular file of 0
 * bytes, or a file that is not regular: a header belongs first). */
bool mpp_appendfile_empty(const mpp_appendfile *a);
/* Appends LEN bytes of BUF. Returns 0, or an errno: then a regular file is
 * cut back to where it was, so that no partial record stays (safe from
 * other writers between mpp_appendfile_lock and _unlock). */
int mpp_appendfile_write(mpp_appendfile *a, const void *buf, size_t len);
/* Takes and releases the file's exclusive advisory lock, waiting for other
 * holders; where the file system has no locks, they do nothing. Check
 * mpp_appendfile_empty and write between the two. */
void mpp_appendfile_lock(mpp_appendfile *a);
void mpp_appendfile_unlock(mpp_appendfile *a);
/* Closes it; when KEEP is false and the file was created by
 * mpp_appendfile_open and is still empty, it is removed. */
void mpp_appendfile_close(mpp_appendfile *a, bool keep);

#endif
