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

#endif
