/* checkpoint.h - what a run has settled, as a file that another run of the
 * same command resumes from (--checkpoint FILE), at any rank count and
 * decomposition.
 *
 * Why this is small: every piece of the range is found after the primes
 * just before it (patterns.h), so what a piece found does not depend on
 * which rank did it or in what order, and results merge in any order
 * (result.h, mpp_gaps_merge). A checkpoint therefore needs only the set of
 * numbers settled (sorted, disjoint spans) and the merged results found
 * there: the primes' tally, the tuplet counts, the gaps. A listing settles
 * its range from the start, in rounds: its spans are one prefix, and it
 * also keeps the bytes written and the temporary output file's name, so
 * that the resumed run writes on after them.
 *
 * The file is text, line by line (a person can read what a job got to),
 * ending in a checksum line over everything before it: a truncated file or
 * a flipped byte is refused, as is a checkpoint of another command (its
 * "command" line: the options that decide the results, mpp_checkpoint_
 * command). Pure: no I/O, no MPI; files.h writes it atomically.
 */
#ifndef MPP_CHECKPOINT_H
#define MPP_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decomp.h"
#include "options.h"
#include "patterns.h"
#include "result.h"

/* ---- spans: a set of numbers as sorted, disjoint, non-adjacent blocks ---- */

typedef struct {
    mpp_block *at; /* ascending; adjacent or overlapping spans are joined */
    size_t n, cap;
} mpp_spans;

/* Adds [LO, HI] (LO <= HI). Returns false when out of memory, or when some
 * of it is in the set already (a piece settled twice: a bug). */
bool mpp_spans_add(mpp_spans *s, uint64_t lo, uint64_t hi);
/* The numbers in the set (saturates at UINT64_MAX). */
uint64_t mpp_spans_numbers(const mpp_spans *s);
/* The blocks of [START, STOP] not in S, into *TODO (emptied first).
 * Returns false when out of memory. */
bool mpp_spans_complement(const mpp_spans *s, uint64_t start, uint64_t stop, mpp_spans *todo);
void mpp_spans_free(mpp_spans *s);

/* ---- the work left, as one virtual range ----
 *
 * The decompositions split one range [START, STOP]. What a resumed run has
 * left is several blocks, so it decomposes a virtual range of as many
 * numbers, [TODO[0].lo, TODO[0].lo + numbers - 1], and maps each chunk back
 * to the real blocks it covers (a chunk across a settled span becomes two
 * pieces or more). With one block the map is the identity. */

/* The virtual range's last number. TODO not empty. */
uint64_t mpp_todo_vstop(const mpp_spans *todo);
/* The real pieces of the virtual block [VLO, VHI], ascending, into OUT (at
 * most MAX); returns how many there are (more than MAX: only MAX written;
 * call again from the next virtual number). */
size_t mpp_todo_pieces(const mpp_spans *todo, uint64_t vlo, uint64_t vhi, mpp_block *out,
                       size_t max);
/* The real number of the virtual number V. */
uint64_t mpp_todo_real(const mpp_spans *todo, uint64_t v);

/* ---- the checkpoint ---- */

#define MPP_COMMAND_MAX 512
#define MPP_CKPT_PATH_MAX 4096

typedef struct {
    char command[MPP_COMMAND_MAX]; /* mpp_checkpoint_command() */
    bool finished;                 /* every number settled */
    mpp_spans done;                /* the numbers settled */
    mpp_result result;             /* what was found there */
    bool has_gaps;                 /* --gaps: GAPS holds theirs */
    mpp_gaps gaps;
    /* a listing: its settled prefix, [start, next - 1] */
    uint64_t next;                 /* the first number not settled */
    uint64_t bytes;                /* bytes written (--print, --output) */
    char tmp[MPP_CKPT_PATH_MAX];   /* --output: the temporary file written, or "" */
} mpp_checkpoint;

/* A fresh checkpoint of the command of O (nothing done; a listing's next
 * is O's start). */
void mpp_checkpoint_init(mpp_checkpoint *c, const mpp_options *o);
/* Frees its spans. */
void mpp_checkpoint_free(mpp_checkpoint *c);

/* The options that decide a run's results and files, as one line of
 * "key=value" words: the range (or --nth-prime's), what is counted or
 * listed, the method, the format and the output file. The rank count, the
 * decomposition, the buffer and the report's options are not in it: a run
 * resumes under any of them. */
void mpp_checkpoint_command(const mpp_options *o, char *buf, size_t size);

/* C as the file's text (malloc'd, *LEN bytes), or NULL when out of memory. */
char *mpp_checkpoint_encode(const mpp_checkpoint *c, size_t *len);

enum {
    MPP_CKPT_OK = 0,
    MPP_CKPT_DAMAGED = 1, /* not a checkpoint, truncated, or its checksum fails */
    MPP_CKPT_OTHER = 2,   /* of another command */
    MPP_CKPT_NOMEM = 3
};
/* Reads the LEN bytes of TEXT into C (initialised by mpp_checkpoint_init
 * for this run's command COMMAND) and checks that it belongs to COMMAND.
 * On an error, WHY (no "mpprimes:", no newline) says what is wrong. */
int mpp_checkpoint_decode(const char *text, size_t len, const char *command,
                          mpp_checkpoint *c, char *why, size_t whylen);

/* The checksum of the file's lines (FNV-1a, 64 bits: any one byte changed
 * changes it). */
uint64_t mpp_checkpoint_sum(const char *text, size_t len);

#endif
