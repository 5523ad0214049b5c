/* options.h - the command line, parsed into a struct before any work.
 *
 *   mpprimes [OPTIONS] STOP          primes in [2, STOP]
 *   mpprimes [OPTIONS] START STOP    primes in [START, STOP] (inclusive)
 *
 * The parser is pure (no globals, no I/O, no exit), so it is unit-tested and
 * fuzzed directly; the MPI driver runs it on rank 0 and broadcasts the verdict.
 */
#ifndef MPP_OPTIONS_H
#define MPP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decomp.h"
#include "encode.h"
#include "finder.h"

typedef enum {
    MPP_OPT_RUN = 0, /* options valid: do the work */
    MPP_OPT_HELP,    /* -h/--help: print usage on stdout, exit 0 */
    MPP_OPT_VERSION, /* -V/--version: print version on stdout, exit 0 */
    MPP_OPT_ERROR    /* bad usage: one-line message in err, exit 2 */
} mpp_opt_status;

typedef enum {
    MPP_PROGRESS_AUTO = 0, /* a line kept up to date when stderr is a terminal */
    MPP_PROGRESS_ON,       /* --progress: that, or timestamped lines in a log */
    MPP_PROGRESS_OFF       /* --no-progress */
} mpp_progress_mode;

typedef struct {
    uint64_t start;      /* inclusive; 2 when only STOP is given */
    uint64_t stop;       /* inclusive */
    mpp_method method;   /* -m, --method sieve|trial (default sieve) */
    bool count_only;     /* -c, --count, --gaps: count, list nothing */
    unsigned kinds;      /* --count=KINDS: bit k for kind k (patterns.h: 1 primes,
                            2 twins, ..., 6 sextuplets); bit 1 alone by default;
                            a listing's one kind (--print=K) */
    bool gaps;           /* --gaps */
    bool nth;            /* -n, --nth-prime N: START is the one operand (0 without
                            one), STOP = START; counting (rank 0 plans the range) */
    bool nth_neg;        /* N < 0 */
    uint64_t nth_n;      /* |N| */
    bool print;          /* -p, --print[=K] (K, kind 1 to 6, in KINDS alone; with
                            --output, false: K says what goes to the file) */
    const char *output;  /* -o, --output FILE (points into argv), or NULL */
    mpp_format format;   /* --format text|binary (default text) */
    uint64_t buffer;     /* --buffer SIZE: bytes of primes any rank may hold */
    bool json;           /* --json */
    bool quiet;          /* -q, --quiet */
    const char *csv;     /* --csv FILE: append a CSV row (points into argv), or NULL */
    mpp_decomposition decomposition; /* -d, --decomposition (default block) */
    uint64_t chunk;      /* --chunk N: numbers per chunk (cyclic, dynamic); 0: default */
    bool explain;        /* --explain: print the plan before the run */
    bool compare;        /* --compare: also run rank 0 alone, for the real speedup */
    const char *timeline; /* --timeline FILE (points into argv), or NULL */
    bool self_test;      /* --self-test: check the machine instead (no range) */
    const char *checkpoint; /* --checkpoint FILE (points into argv), or NULL */
    uint64_t checkpoint_every; /* --checkpoint-every SECONDS (0: at every commit) */
    mpp_progress_mode progress; /* --progress, --no-progress, or neither */
    uint64_t progress_every;    /* --progress=SECONDS: a log's line every SECONDS */
} mpp_options;

#define MPP_CHECKPOINT_EVERY 5 /* seconds */
#define MPP_PROGRESS_EVERY 60  /* seconds, for a log */

#define MPP_BUFFER_DEFAULT (64u << 20) /* 64 MiB */
#define MPP_BUFFER_MIN 64u
#define MPP_BUFFER_MAX (1u << 30)      /* 1 GiB: MPI counts stay below 2^31 */

/* Parses a SIZE (a NUMBER of bytes, optionally followed by K, M or G, or
 * KiB, MiB or GiB: powers of 1024) into *OUT. Returns false on a syntax
 * error or overflow. */
bool mpp_parse_size(const char *text, uint64_t *out);

/* What a listing lists: 1 (primes), or K of --print=K (2..6: tuplets). */
int mpp_list_kind(const mpp_options *opts);

/* Sets *OPTS to the defaults. */
void mpp_options_init(mpp_options *opts);

/* Parses ARGV[1..ARGC-1]. Options and operands may come in any order; "--"
 * ends the options. Short options may be grouped (-cq) and take their value
 * attached or separate (-mtrial, -m trial); long options take "=VALUE" or the
 * next argument. On MPP_OPT_ERROR a one-line message (no "mpprimes:" prefix,
 * no newline) is written into ERR. */
mpp_opt_status mpp_parse_options(int argc, char *const argv[], mpp_options *opts,
                                 char *err, size_t errlen);

/* The --help text. */
void mpp_print_usage(FILE *f);

#endif
