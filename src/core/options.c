/* options.c - the command line of mpprimes, parsed without getopt: no
 * globals, no output, no exit, so it can run anywhere, any number of times.
 *
 * Rules:
 * - Every argument is scanned, even after an error. If -h/--help appears
 *   anywhere (as an option, not as an option's value or after "--"), the
 *   result is MPP_OPT_HELP; otherwise if -V/--version appears, it is
 *   MPP_OPT_VERSION; otherwise the first error found wins, in this order:
 *   errors in the options themselves (in argument order), conflicting
 *   options, the number of operands, START then STOP as numbers, START >
 *   STOP.
 * - "--" ends the options; a lone "-" and anything that starts with '-' and a
 *   digit ("-5") are operands, so that the number parser explains them.
 * - An option's value is the rest of its argument (-mtrial, --method=trial)
 *   or else the next argument, whatever it looks like (-o --json writes to a
 *   file named "--json"). A later option overrides an earlier one.
 * - With one operand STOP, START is 2, or 0 when STOP < 2, so that START <=
 *   STOP always holds on MPP_OPT_RUN.
 * - *OPTS is written only when the result is MPP_OPT_RUN.
 *
 * Messages (no prefix, no newline; ARG quoted as in numparse.c):
 *   unknown option 'ARG'
 *   option 'ARG' needs a value
 *   option 'ARG' takes no value
 *   option 'ARG' needs a non-empty file name   (--output, --csv)
 *   invalid method 'ARG' (choose sieve or trial)
 *   invalid decomposition 'ARG' (choose block, balanced, cyclic or dynamic)
 *   --chunk: MESSAGE                           (MESSAGE from mpp_parse_u64)
 *   --chunk must be at least 1
 *   --chunk applies to -d cyclic and -d dynamic only
 *   invalid kinds 'ARG' for --count (digits 1-6: 1 primes, 2 twins, 3 triplets,
 *     4 quadruplets, 5 quintuplets, 6 sextuplets)
 *   --count cannot be combined with --print      (also with --output; and
 *                                                 --gaps likewise)
 *   --nth-prime: MESSAGE                         (MESSAGE from mpp_parse_u64, of |N|)
 *   --nth-prime cannot be combined with --count  (also --gaps, --print, --output)
 *   --nth-prime takes one operand, START (or none): 'ARG'
 *   invalid kind 'ARG' for --print (one digit 1-6: 1 primes, 2 twins, ...)
 *   --quiet cannot be combined with --json
 *   --format applies to --print and --output only
 *   invalid format 'ARG' (choose text or binary)
 *   invalid buffer size 'ARG' (bytes, or a NUMBER with K, M or G, e.g. 64M)
 *   buffer size 'ARG' is out of range (64 bytes to 1G)
 *   too many operands: 'ARG' (at most START and STOP)
 *   missing STOP (try --help)
 *   START: MESSAGE  /  STOP: MESSAGE             (MESSAGE from mpp_parse_u64)
 *   START (N) is greater than STOP (M)
 *   --self-test takes no other option and no operand
 */
#include "options.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "numparse.h"

/* At most this many bytes of an argument are quoted in a message. */
enum { QUOTE_BUF = MPP_QUOTE_MAX + 1 };

typedef enum {
    OPT_COUNT,
    OPT_GAPS,
    OPT_NTH,
    OPT_PRINT,
    OPT_OUTPUT,
    OPT_METHOD,
    OPT_JSON,
    OPT_QUIET,
    OPT_FORMAT,
    OPT_BUFFER,
    OPT_CSV,
    OPT_DECOMP,
    OPT_CHUNK,
    OPT_EXPLAIN,
    OPT_COMPARE,
    OPT_TIMELINE,
    OPT_SELF_TEST,
    OPT_CHECKPOINT,
    OPT_CHECKPOINT_EVERY,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_HELP,
    OPT_VERSION
} opt_id;

/* An option's value: none, one it needs, or one it may have (attached:
 * "--count=2"; for a short option, the digits right after it: "-c2q"). */
enum { NO_VALUE = 0, VALUE = 1, OPTIONAL_DIGITS = 2 };

typedef struct {
    const char *name; /* long name, without "--" */
    char short_name;  /* or '\0' */
    int takes_value;  /* NO_VALUE, VALUE or OPTIONAL_DIGITS */
    opt_id id;
} opt_def;

static const opt_def opt_defs[] = {
    {"count", 'c', OPTIONAL_DIGITS, OPT_COUNT},
    {"gaps", '\0', false, OPT_GAPS},     {"print", 'p', OPTIONAL_DIGITS, OPT_PRINT},
    {"nth-prime", 'n', VALUE, OPT_NTH},
    {"output", 'o', true, OPT_OUTPUT},  {"method", 'm', true, OPT_METHOD},
    {"json", '\0', false, OPT_JSON},    {"quiet", 'q', false, OPT_QUIET},
    {"format", '\0', true, OPT_FORMAT}, {"buffer", '\0', true, OPT_BUFFER},
    {"csv", '\0', true, OPT_CSV},       {"help", 'h', false, OPT_HELP},
    {"version", 'V', false, OPT_VERSION},
    {"decomposition", 'd', true, OPT_DECOMP},
    {"chunk", '\0', true, OPT_CHUNK},
    {"explain", '\0', false, OPT_EXPLAIN},
    {"compare", '\0', false, OPT_COMPARE},
    {"timeline", '\0', true, OPT_TIMELINE},
    {"self-test", '\0', false, OPT_SELF_TEST},
    {"checkpoint", '\0', true, OPT_CHECKPOINT},
    {"checkpoint-every", '\0', true, OPT_CHECKPOINT_EVERY},
    {"progress", '\0', OPTIONAL_DIGITS, OPT_PROGRESS},
    {"no-progress", '\0', false, OPT_NO_PROGRESS},
};
enum { N_OPT_DEFS = sizeof opt_defs / sizeof opt_defs[0] };

typedef struct {
    int argc;
    char *const *argv;
    int next;              /* index of the next argument to scan */
    mpp_options opts;      /* what the options say so far */
    const char *operand[2];
    int noperands;         /* all of them, even beyond two */
    const char *extra;     /* the first operand beyond two */
    bool help, version;
    bool format_set;       /* --format was given */
    bool chunk_set;        /* --chunk was given */
    bool every_set;        /* --checkpoint-every was given */
    bool kinds_set;        /* --count=KINDS was given (the first replaces the default) */
    int print_kind;        /* --print=K's K (0: no --print) */
    int others;            /* options given other than --self-test, -h, -V */
    bool failed;           /* an error has been recorded */
    char *err;
    size_t errlen;
} parse_state;


/* Records the first error only. */
__attribute__((format(printf, 2, 3)))
static void error(parse_state *st, const char *fmt, ...)
{
    if (st->failed)
        return;
    st->failed = true;
    if (st->err == NULL || st->errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, st->errlen, fmt, ap);
    va_end(ap);
}

int mpp_list_kind(const mpp_options *opts)
{
    for (int k = 2; k <= 6; k++)
        if (opts->kinds == 1u << k)
            return k;
    return 1;
}

void mpp_options_init(mpp_options *opts)
{
    opts->start = 2;
    opts->stop = 0;
    opts->method = MPP_METHOD_SIEVE;
    opts->count_only = false;
    opts->kinds = 1u << 1; /* the primes */
    opts->gaps = false;
    opts->nth = false;
    opts->nth_neg = false;
    opts->nth_n = 0;
    opts->print = false;
    opts->output = NULL;
    opts->format = MPP_FORMAT_TEXT;
    opts->buffer = MPP_BUFFER_DEFAULT;
    opts->json = false;
    opts->quiet = false;
    opts->csv = NULL;
    opts->decomposition = MPP_DECOMP_BLOCK;
    opts->chunk = 0;
    opts->explain = false;
    opts->compare = false;
    opts->timeline = NULL;
    opts->self_test = false;
    opts->checkpoint = NULL;
    opts->checkpoint_every = MPP_CHECKPOINT_EVERY;
    opts->progress = MPP_PROGRESS_AUTO;
    opts->progress_every = MPP_PROGRESS_EVERY;
}

bool mpp_parse_size(const char *text, uint64_t *out)
{
    static const struct {
        const char *name;
        uint64_t factor;
    } units[] = {{"", 1},           {"K", 1u << 10}, {"KiB", 1u << 10}, {"M", 1u << 20},
                 {"MiB", 1u << 20}, {"G", 1u << 30}, {"GiB", 1u << 30}};
    size_t len = strlen(text), num = len;
    while (num > 0 && ((text[num - 1] >= 'A' && text[num - 1] <= 'Z') ||
                       (text[num - 1] >= 'a' && text[num - 1] <= 'z' &&
                        text[num - 1] != 'e')))
        num--;
    if (num == 0 || num > 64)
        return false;
    char digits[65];
    memcpy(digits, text, num);
    digits[num] = '\0';
    uint64_t value;
    if (mpp_parse_u64(digits, &value, NULL, 0) != MPP_NUM_OK)
        return false;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(text + num, units[i].name) != 0)
            continue;
        if (value > UINT64_MAX / units[i].factor)
            return false;
        *out = value * units[i].factor;
        return true;
    }
    return false;
}

static const opt_def *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < N_OPT_DEFS; i++)
        if (strlen(opt_defs[i].name) == len && strncmp(opt_defs[i].name, name, len) == 0)
            return &opt_defs[i];
    return NULL;
}

static const opt_def *find_short(char c)
{
    for (size_t i = 0; i < N_OPT_DEFS; i++)
        if (opt_defs[i].short_name != '\0' && opt_defs[i].short_name == c)
            return &opt_defs[i];
    return NULL;
}

static void set_format(parse_state *st, const char *value)
{
    static const mpp_format formats[] = {MPP_FORMAT_TEXT, MPP_FORMAT_BINARY};
    st->format_set = true;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(value, mpp_format_name(formats[i])) == 0) {
            st->opts.format = formats[i];
            return;
        }
    char q[QUOTE_BUF];
    error(st, "invalid format '%s' (choose text or binary)",
          mpp_quote(q, value, strlen(value)));
}

static void set_buffer(parse_state *st, const char *value)
{
    char q[QUOTE_BUF];
    uint64_t size;
    if (!mpp_parse_size(value, &size))
        error(st, "invalid buffer size '%s' (bytes, or a NUMBER with K, M or G, e.g. 64M)",
              mpp_quote(q, value, strlen(value)));
    else if (size < MPP_BUFFER_MIN || size > MPP_BUFFER_MAX)
        error(st, "buffer size '%s' is out of range (64 bytes to 1G)",
              mpp_quote(q, value, strlen(value)));
    else
        st->opts.buffer = size;
}

static void set_method(parse_state *st, const char *value)
{
    static const mpp_method methods[] = {MPP_METHOD_SIEVE, MPP_METHOD_TRIAL};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        const char *name = mpp_method_name(methods[i]);
        if (name != NULL && strcmp(value, name) == 0) {
            st->opts.method = methods[i];
            return;
        }
    }
    char q[QUOTE_BUF];
    error(st, "invalid method '%s' (choose sieve or trial)",
          mpp_quote(q, value, strlen(value)));
}

static void set_decomposition(parse_state *st, const char *value)
{
    if (mpp_decomposition_from_name(value, &st->opts.decomposition))
        return;
    char q[QUOTE_BUF];
    error(st, "invalid decomposition '%s' (choose block, balanced, cyclic or dynamic)",
          mpp_quote(q, value, strlen(value)));
}

static void set_chunk(parse_state *st, const char *value)
{
    char msg[256];
    uint64_t n;
    st->chunk_set = true;
    if (mpp_parse_u64(value, &n, msg, sizeof msg) != MPP_NUM_OK)
        error(st, "--chunk: %s", msg);
    else if (n == 0)
        error(st, "--chunk must be at least 1");
    else
        st->opts.chunk = n;
}

/* --checkpoint-every SECONDS, and --progress=SECONDS (WHAT: the option):
 * a NUMBER of seconds (0: at every commit, for --checkpoint-every only). */
static void set_seconds(parse_state *st, const char *what, const char *value, uint64_t least,
                        uint64_t *out)
{
    char msg[256];
    uint64_t n;
    if (mpp_parse_u64(value, &n, msg, sizeof msg) != MPP_NUM_OK)
        error(st, "%s: %s", what, msg);
    else if (n < least)
        error(st, "%s must be at least %" PRIu64 " second%s", what, least,
              least == 1 ? "" : "s");
    else if (n > 86400 * 365)
        error(st, "%s: at most a year of seconds (31536000)", what);
    else
        *out = n;
}

/* --count=KINDS: digits 1 to 6, each a kind to count (a digit twice is
 * the same kind). */
static void set_kinds(parse_state *st, const char *value)
{
    unsigned kinds = 0;
    bool digits = value[0] != '\0';
    for (const char *c = value; *c; c++) {
        digits = digits && *c >= '1' && *c <= '6';
        kinds |= digits ? 1u << (*c - '0') : 0;
    }
    if (!digits) {
        char q[QUOTE_BUF];
        error(st, "invalid kinds '%s' for --count (digits 1-6: 1 primes, 2 twins, "
                  "3 triplets, 4 quadruplets, 5 quintuplets, 6 sextuplets)",
              mpp_quote(q, value, strlen(value)));
        return;
    }
    st->opts.kinds = st->kinds_set ? st->opts.kinds | kinds : kinds;
    st->kinds_set = true;
}

/* --print=K: one digit 1 to 6, the kind to list (a later --print
 * overrides, as any option). */
static void set_print(parse_state *st, const char *value)
{
    st->opts.print = true;
    if (value == NULL) {
        st->print_kind = 1;
    } else if (value[0] >= '1' && value[0] <= '6' && value[1] == '\0') {
        st->print_kind = value[0] - '0';
    } else {
        char q[QUOTE_BUF];
        error(st, "invalid kind '%s' for --print (one digit 1-6: 1 primes, 2 twins, "
                  "3 triplets, 4 quadruplets, 5 quintuplets, 6 sextuplets)",
              mpp_quote(q, value, strlen(value)));
    }
}

/* --nth-prime N: a NUMBER, or one after '-'. */
static void set_nth(parse_state *st, const char *value)
{
    char msg[256];
    bool neg = value[0] == '-';
    uint64_t n;
    st->opts.nth = true;
    if (mpp_parse_u64(value + neg, &n, msg, sizeof msg) != MPP_NUM_OK) {
        error(st, "--nth-prime: %s", msg);
        return;
    }
    st->opts.nth_neg = neg && n > 0;
    st->opts.nth_n = n;
}

/* Applies option DEF, spelt SPELLING, with VALUE (NULL for flags). */
static void apply(parse_state *st, const opt_def *def, const char *spelling, const char *value)
{
    if (def->id != OPT_SELF_TEST && def->id != OPT_HELP && def->id != OPT_VERSION)
        st->others++;
    switch (def->id) {
    case OPT_COUNT:
        st->opts.count_only = true;
        set_kinds(st, value ? value : "1");
        break;
    case OPT_GAPS: st->opts.gaps = st->opts.count_only = true; break;
    case OPT_NTH: set_nth(st, value); break;
    case OPT_PRINT: set_print(st, value); break;
    case OPT_JSON: st->opts.json = true; break;
    case OPT_QUIET: st->opts.quiet = true; break;
    case OPT_HELP: st->help = true; break;
    case OPT_VERSION: st->version = true; break;
    case OPT_METHOD: set_method(st, value); break;
    case OPT_FORMAT: set_format(st, value); break;
    case OPT_BUFFER: set_buffer(st, value); break;
    case OPT_DECOMP: set_decomposition(st, value); break;
    case OPT_CHUNK: set_chunk(st, value); break;
    case OPT_EXPLAIN: st->opts.explain = true; break;
    case OPT_COMPARE: st->opts.compare = true; break;
    case OPT_SELF_TEST: st->opts.self_test = true; break;
    case OPT_CHECKPOINT_EVERY:
        st->every_set = true;
        set_seconds(st, "--checkpoint-every", value, 0, &st->opts.checkpoint_every);
        break;
    case OPT_PROGRESS:
        st->opts.progress = MPP_PROGRESS_ON;
        if (value)
            set_seconds(st, "--progress", value, 1, &st->opts.progress_every);
        break;
    case OPT_NO_PROGRESS: st->opts.progress = MPP_PROGRESS_OFF; break;
    case OPT_CHECKPOINT:
    case OPT_OUTPUT:
    case OPT_CSV:
    case OPT_TIMELINE:
        if (value[0] == '\0')
            error(st, "option '%s' needs a non-empty file name", spelling);
        else if (def->id == OPT_OUTPUT)
            st->opts.output = value;
        else if (def->id == OPT_CSV)
            st->opts.csv = value;
        else if (def->id == OPT_CHECKPOINT)
            st->opts.checkpoint = value;
        else
            st->opts.timeline = value;
        break;
    }
}

/* The next argument as the value of the option spelt SPELLING, or NULL. */
static const char *take_next(parse_state *st, const char *spelling)
{
    if (st->next < st->argc && st->argv[st->next] != NULL)
        return st->argv[st->next++];
    error(st, "option '%s' needs a value", spelling);
    return NULL;
}

/* "--name" or "--name=value" (ARG without the leading "--"). */
static void scan_long(parse_state *st, const char *arg)
{
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    char name[QUOTE_BUF], spelling[QUOTE_BUF + 2];
    snprintf(spelling, sizeof spelling, "--%s", mpp_quote(name, arg, len));
    const opt_def *def = find_long(arg, len);
    if (def == NULL) {
        error(st, "unknown option '%s'", spelling);
        return;
    }
    const char *value = NULL;
    if (def->takes_value == NO_VALUE && eq != NULL) {
        error(st, "option '%s' takes no value", spelling);
        return;
    }
    if (def->takes_value == OPTIONAL_DIGITS)
        value = eq ? eq + 1 : NULL;
    else if (def->takes_value && (value = eq ? eq + 1 : take_next(st, spelling)) == NULL)
        return;
    apply(st, def, spelling, value);
}

/* "-abc", a group of short options (ARG without the leading '-'). */
static void scan_short(parse_state *st, const char *arg)
{
    for (size_t i = 0; arg[i] != '\0'; i++) {
        char q[QUOTE_BUF], spelling[QUOTE_BUF + 1];
        if ((unsigned char)arg[i] >= 0x80) { /* not ASCII: show the whole word */
            snprintf(spelling, sizeof spelling, "-%s", mpp_quote(q, arg, strlen(arg)));
            error(st, "unknown option '%s'", spelling);
            return;
        }
        snprintf(spelling, sizeof spelling, "-%s", mpp_quote(q, arg + i, 1));
        const opt_def *def = find_short(arg[i]);
        if (def == NULL) {
            error(st, "unknown option '%s'", spelling);
            continue;
        }
        if (def->takes_value == OPTIONAL_DIGITS) { /* -c, -c2, -c123q */
            size_t n = strspn(arg + i + 1, "0123456789");
            char digits[QUOTE_BUF];
            if (n >= sizeof digits)
                n = sizeof digits - 1;
            memcpy(digits, arg + i + 1, n);
            digits[n] = '\0';
            apply(st, def, spelling, n ? digits : NULL);
            i += n;
            continue;
        }
        if (!def->takes_value) {
            apply(st, def, spelling, NULL);
            continue;
        }
        const char *value = arg[i + 1] != '\0' ? arg + i + 1 : take_next(st, spelling);
        if (value != NULL)
            apply(st, def, spelling, value);
        return;
    }
}

static void add_operand(parse_state *st, const char *arg)
{
    if (st->noperands < 2)
        st->operand[st->noperands] = arg;
    else if (st->noperands == 2)
        st->extra = arg;
    st->noperands++;
}

static bool is_operand(const char *arg)
{
    return arg[0] != '-' || arg[1] == '\0' || (arg[1] >= '0' && arg[1] <= '9');
}

/* Scans every argument: options, operands, and "--". */
static void scan(parse_state *st)
{
    bool options_done = false;
    while (st->next < st->argc && st->argv[st->next] != NULL) {
        const char *arg = st->argv[st->next++];
        if (options_done || is_operand(arg))
            add_operand(st, arg);
        else if (strcmp(arg, "--") == 0)
            options_done = true;
        else if (arg[1] == '-')
            scan_long(st, arg + 2);
        else
            scan_short(st, arg + 1);
    }
}

static void check_conflicts(parse_state *st)
{
    const mpp_options *o = &st->opts;
    if (o->nth && (st->kinds_set || o->gaps || o->print || o->output != NULL))
        error(st, "--nth-prime cannot be combined with %s",
              st->kinds_set ? "--count" : o->gaps ? "--gaps" : o->print ? "--print"
                                                                        : "--output");
    const char *counting = st->kinds_set ? "--count" : "--gaps";
    if (o->count_only && o->print)
        error(st, "%s cannot be combined with --print", counting);
    if (o->count_only && o->output != NULL)
        error(st, "%s cannot be combined with --output", counting);
    if (o->quiet && o->json)
        error(st, "--quiet cannot be combined with --json");
    if (st->format_set && !o->print && o->output == NULL)
        error(st, "--format applies to --print and --output only");
    if (o->print) /* the one kind listed */
        st->opts.kinds = 1u << st->print_kind;
    if (o->print && o->output != NULL) /* --output says where, --print=K what */
        st->opts.print = false;
    if (st->chunk_set && o->decomposition != MPP_DECOMP_CYCLIC &&
        o->decomposition != MPP_DECOMP_DYNAMIC)
        error(st, "--chunk applies to -d cyclic and -d dynamic only");
    if (st->every_set && o->checkpoint == NULL)
        error(st, "--checkpoint-every applies to --checkpoint only");
    if (o->checkpoint && o->output && strcmp(o->checkpoint, o->output) == 0)
        error(st, "--checkpoint and --output name the same file");
}

/* Parses operand TEXT, named WHAT, into *VALUE; false after an error. */
static bool parse_operand(parse_state *st, const char *what, const char *text, uint64_t *value)
{
    char msg[256];
    if (mpp_parse_u64(text, value, msg, sizeof msg) == MPP_NUM_OK)
        return true;
    error(st, "%s: %s", what, msg);
    return false;
}

static void check_operands(parse_state *st)
{
    mpp_options *o = &st->opts;
    if (o->self_test) {
        if (st->others > 0 || st->noperands > 0)
            error(st, "--self-test takes no other option and no operand");
        o->start = o->stop = 0; /* no range; START <= STOP still holds */
        return;
    }
    if (o->nth) { /* START alone, or nothing: 0 */
        if (st->noperands > 1) {
            char q[QUOTE_BUF];
            error(st, "--nth-prime takes one operand, START (or none): '%s'",
                  mpp_quote(q, st->operand[1], strlen(st->operand[1])));
            return;
        }
        o->start = 0;
        if (st->noperands == 1)
            parse_operand(st, "START", st->operand[0], &o->start);
        o->stop = o->start;
        o->count_only = true;
        return;
    }
    if (st->noperands > 2) {
        char q[QUOTE_BUF];
        error(st, "too many operands: '%s' (at most START and STOP)",
              mpp_quote(q, st->extra, strlen(st->extra)));
        return;
    }
    if (st->noperands == 0) {
        error(st, "missing STOP (try --help)");
        return;
    }
    if (st->noperands == 1) {
        if (parse_operand(st, "STOP", st->operand[0], &o->stop))
            o->start = o->stop < 2 ? 0 : 2;
        return;
    }
    if (!parse_operand(st, "START", st->operand[0], &o->start) ||
        !parse_operand(st, "STOP", st->operand[1], &o->stop))
        return;
    if (o->start > o->stop)
        error(st, "START (%" PRIu64 ") is greater than STOP (%" PRIu64 ")", o->start, o->stop);
}

mpp_opt_status mpp_parse_options(int argc, char *const argv[], mpp_options *opts,
                                 char *err, size_t errlen)
{
    parse_state st = {.argc = argc, .argv = argv, .next = 1, .err = err, .errlen = errlen};
    mpp_options_init(&st.opts);
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    scan(&st);
    check_conflicts(&st);
    check_operands(&st);
    if (st.help || st.version) {
        if (err != NULL && errlen > 0)
            err[0] = '\0';
        return st.help ? MPP_OPT_HELP : MPP_OPT_VERSION;
    }
    if (st.failed)
        return MPP_OPT_ERROR;
    *opts = st.opts;
    return MPP_OPT_RUN;
}

void mpp_print_usage(FILE *f)
{
    fputs(
        "Usage: mpprimes [OPTIONS] STOP\n"
        "       mpprimes [OPTIONS] START STOP\n"
        "\n"
        "Find the prime numbers in [START, STOP] (inclusive; START is 2 when only\n"
        "STOP is given) with MPI. Rank 0 splits the range among the ranks (one\n"
        "block each by default, see --decomposition) and hands the parts out\n"
        "(MPI_Scatter); each rank finds the primes of its part by a segmented sieve\n"
        "of Eratosthenes or by trial division;\n"
        "MPI_Gatherv brings them back to rank 0, which prints a report. When the\n"
        "primes would not fit in --buffer this happens in rounds, each over the\n"
        "next stretch of the range, so memory stays bounded for any range.\n"
        "\n"
        "START and STOP are NUMBERs: decimal integers (1000000), scientific\n"
        "notation with an integral value (1e10, 2.5e9), powers (2^32), or sums\n"
        "and differences of these (1e12+1e9, 2^64-1). Each must lie in\n"
        "[0, 2^64-1], that is [0, 18446744073709551615].\n"
        "\n"
        "Options:\n"
        "  -c, --count[=KINDS]  count only; no primes are gathered. KINDS are digits:\n"
        "                       1 primes (the default), 2 twins, 3 triplets,\n"
        "                       4 quadruplets, 5 quintuplets, 6 sextuplets, as\n"
        "                       primesieve counts them (-c123, --count=26)\n"
        "  -n, --nth-prime N    find the Nth prime after START (the one operand; 0\n"
        "                       without it); N = 0: the first prime at or after\n"
        "                       START; N < 0 (--nth-prime=-10 1e15): the |N|th\n"
        "                       prime before START, as primesieve's nth_prime(N,\n"
        "                       START). The ranks count up to an estimate; rank 0\n"
        "                       sieves the last stretch\n"
        "      --gaps           also report the gaps between consecutive primes of\n"
        "                       the range: the largest, the maximal gaps (each\n"
        "                       larger than every gap before it) and the histogram\n"
        "                       of gap sizes (counts, as --count)\n"
        "  -p, --print[=K]      print the primes on stdout, in order, one per line;\n"
        "                       the report then goes to stderr. K (one digit 2-6,\n"
        "                       -p2): the K-tuplets instead, as primesieve -pK\n"
        "                       prints them, \"(3, 5)\". A reader that closes the\n"
        "                       pipe early (| head) ends the run quietly\n"
        "  -o, --output FILE    write the primes (with --print=K, the K-tuplets) to\n"
        "                       FILE, one per line; every rank writes its part with\n"
        "                       MPI-IO into a temporary file, renamed to FILE when\n"
        "                       complete (FILE's directory must be shared by all\n"
        "                       hosts)\n"
        "      --format FORMAT  text (default: decimal, one per line, as primesieve\n"
        "                       --print) or binary (each prime, or each tuplet's\n"
        "                       least member, 8 bytes, unsigned little-endian), for\n"
        "                       --print and --output\n"
        "      --buffer SIZE    bytes of primes any rank holds at a time, rank 0's\n"
        "                       share of the gather included (default 64M; 64 to\n"
        "                       1G; K, M, G are powers of 1024)\n"
        "  -m, --method METHOD  sieve (segmented sieve of Eratosthenes, default)\n"
        "                       or trial (trial division)\n"
        "  -d, --decomposition D  how the range is shared among the ranks:\n"
        "                       block     one equal contiguous block per rank\n"
        "                                 (default)\n"
        "                       balanced  one contiguous block per rank, of equal\n"
        "                                 modeled cost for the method\n"
        "                       cyclic    chunks dealt round-robin to the ranks\n"
        "                       dynamic   chunks handed out by rank 0 to whichever\n"
        "                                 rank asks first (manager/worker)\n"
        "      --chunk N        numbers per chunk for cyclic and dynamic (default:\n"
        "                       about 16 chunks per rank, 64 for dynamic; for the\n"
        "                       sieve at least 32 sqrt(STOP))\n"
        "      --explain        print the plan first: what each rank gets, the MPI\n"
        "                       calls in order, and why\n"
        "      --compare        also time rank 0 alone over the same range, and\n"
        "                       report the measured speedup and efficiency\n"
        "      --json           print the report as one JSON object\n"
        "  -q, --quiet          print no report\n"
        "      --csv FILE       also append the run's summary to FILE as one CSV\n"
        "                       row (a header line first when FILE is new or\n"
        "                       empty): one row per run, for scaling studies\n"
        "      --timeline FILE  also write what every rank did when (compute,\n"
        "                       communication, I/O per chunk and round, on one\n"
        "                       clock) to FILE in the Chrome trace event format\n"
        "                       (open it in ui.perfetto.dev; plot it with\n"
        "                       scripts/plot-timeline.py); at most 10^6 events,\n"
        "                       shared among the ranks (each at least 100)\n"
        "      --checkpoint FILE  keep the state of the run in FILE (written whole\n"
        "                       or not at all, checksummed) after committed work\n"
        "                       and when a stop signal comes (SIGTERM, SIGUSR1,\n"
        "                       SIGINT, SIGHUP). The same command with the same FILE\n"
        "                       resumes there, at any rank count and decomposition,\n"
        "                       with the same results; once finished it reports\n"
        "                       them again without sieving\n"
        "      --checkpoint-every SECONDS  at most how often the checkpoint is\n"
        "                       written during the work (default 5; 0: after every\n"
        "                       committed piece)\n"
        "      --progress[=SECONDS]  show how far the run is: on a terminal, one\n"
        "                       line kept up to date; else a timestamped line on\n"
        "                       stderr every SECONDS (default 60). By default on\n"
        "                       only when stderr is a terminal (and --print does\n"
        "                       not print there)\n"
        "      --no-progress    no progress line, even on a terminal\n"
        "      --self-test      check this machine and MPI stack instead: every rank\n"
        "                       checks pi(x) and k-tuplet counts at known points,\n"
        "                       and random ranges against Miller-Rabin, and the\n"
        "                       ranks check that they agree; a line per check;\n"
        "                       exit 0 when all pass, 1 otherwise (alone: no other\n"
        "                       option, no operand)\n"
        "  -h, --help           show this help and exit\n"
        "  -V, --version        show the version, the MPI library, the compiler and\n"
        "                       the CPU features the sieve uses, and exit\n"
        "  --                   end of options; the rest are operands\n"
        "\n"
        "Short options may be grouped (-cq, -c2q); values may be attached (-mtrial,\n"
        "--method=trial) or separate (-m trial, --method trial).\n"
        "\n"
        "Environment:\n"
        "  MPPRIMES_KEEP_MPI_ENV=1  leave Open MPI's choice of transport alone; by\n"
        "                       default, on a machine with no InfiniBand, Omni-Path\n"
        "                       or Slingshot device and no OMPI_MCA_pml set,\n"
        "                       mpprimes sets OMPI_MCA_pml=ob1 (a faster start-up)\n"
        "  SLURM_JOB_ID, SLURM_JOB_NODELIST  fill the job_id and job_nodelist\n"
        "                       columns of --csv (empty outside a Slurm job)\n"
        "  MPPRIMES_TIMELINE_EVENTS=N  the events --timeline may record in all\n"
        "                       (default 10^6; each rank gets its share, at\n"
        "                       least 100)\n"
        "  MPPRIMES_DIRECT_STDOUT=0 --print, the report and an interruption's line\n"
        "                       through mpirun's output forwarding; by default rank\n"
        "                       0, when mpirun's child on the same host, writes to\n"
        "                       mpirun's stdout and stderr itself (faster, and a\n"
        "                       full disk or a signalled mpirun loses nothing);\n"
        "                       Open MPI only, as MPPRIMES_KEEP_MPI_ENV is\n"
        "  MPPRIMES_SELF_TEST_SEED=N  the seed of --self-test's random ranges (by\n"
        "                       default new each run; the header prints it)\n"
        "\n"
        "Exit status:\n"
        "  0  done\n"
        "  2  bad usage or input (an invalid option or NUMBER)\n"
        "  1  failure at run time (I/O error, out of memory)\n"
        "  128+N  interrupted by signal N (143: SIGTERM, as at a Slurm time limit);\n"
        "     rank 0 says how far the run got, and no partial --output file is left\n"
        "     (with --checkpoint, it is kept for the run that resumes)\n"
        "\n"
        "Examples:\n"
        "  mpirun -np 4 mpprimes 1000000\n"
        "  mpirun -np 4 mpprimes --count 1e12 1e12+1e9\n"
        "  mpirun -np 4 mpprimes -c123456 --gaps 1e10\n"
        "  mpirun -np 4 mpprimes --nth-prime 1e10\n"
        "  mpirun -np 2 mpprimes --print 100 200 > primes.txt\n"
        "  mpirun -np 4 mpprimes --output primes.bin --format binary 1e10\n"
        "  mpirun -np 4 mpprimes -m trial -d dynamic --compare 1e7\n"
        "  for n in 1 2 4; do mpirun -np $n mpprimes -cq --csv strong.csv 1e10; done\n",
        f);
}
