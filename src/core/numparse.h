/* numparse.h - overflow-checked parsing of the numbers users type.
 *
 * Grammar (whitespace around operators is allowed):
 *   expr := term (('+' | '-') term)*
 *   term := digits ['.' digits] ('e' | 'E') digits     e.g. 1e10, 2.5e9 (must be integral)
 *         | digits '^' digits                          e.g. 2^32
 *         | digits                                     e.g. 1000000
 * Every term must be at most 2^64 (so that 2^64-1 can be written) and the
 * value of the whole expression must lie in [0, 2^64 - 1]. Anything else,
 * trailing junk or an empty string, is an error with a one-line message.
 */
#ifndef MPP_NUMPARSE_H
#define MPP_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    MPP_NUM_OK = 0,
    MPP_NUM_EMPTY,  /* empty or all-blank string */
    MPP_NUM_SYNTAX, /* not of the grammar above */
    MPP_NUM_RANGE   /* a term above 2^64, or a result outside [0, 2^64-1] */
} mpp_num_status;

/* Parses TEXT into *OUT. On failure *OUT is untouched and, when ERR is not
 * NULL, a message without trailing newline (e.g. "'1e20' is larger than
 * 2^64 - 1") is written into ERR (at most ERRLEN bytes, NUL-terminated). */
mpp_num_status mpp_parse_u64(const char *text, uint64_t *out, char *err, size_t errlen);

/* For messages: copies S[0..LEN) into BUF as one printable line. Blanks
 * become spaces and other control bytes '?'; inputs longer than
 * MPP_QUOTE_MAX bytes are cut (not inside a UTF-8 sequence) and end in
 * "...". Returns BUF. */
#define MPP_QUOTE_MAX 60
const char *mpp_quote(char buf[MPP_QUOTE_MAX + 1], const char *s, size_t len);

#endif
