/* output.h - writing primes as text, fast (no printf per prime). */
#ifndef MPP_OUTPUT_H
#define MPP_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes V in decimal into BUF (at least 20 bytes; no NUL); returns the
 * number of digits. */
size_t mpp_u64_to_dec(uint64_t v, char *buf);

/* Writes PRIMES[0..N-1] to F, one per line. Returns 0, or the errno of the
 * failed write. */
int mpp_write_primes(FILE *f, const uint64_t *primes, size_t n);

/* An output file that appears under its name only when complete. A regular
 * file (existing or new) is written under a temporary name in the same
 * directory ("PATH.tmp-XXXXXX") and renamed over PATH by
 * mpp_outfile_commit(); anything else that already exists there (a device
 * such as /dev/null or /dev/full, a FIFO) is written directly. */
typedef struct {
    FILE *f;
    char *tmp;        /* temporary name, or NULL when writing directly */
    const char *path; /* the name asked for */
} mpp_outfile;

/* Returns 0, or the errno that prevented creating the file. */
int mpp_outfile_open(mpp_outfile *o, const char *path);
/* Flushes, closes and renames into place. Returns 0, or the errno of the
 * failure, in which case the temporary file is removed. */
int mpp_outfile_commit(mpp_outfile *o);
/* Closes and removes the temporary file (after a failure elsewhere). */
void mpp_outfile_abandon(mpp_outfile *o);

#endif
