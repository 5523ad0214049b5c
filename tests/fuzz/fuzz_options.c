/* fuzz_options.c - fuzz target for mpp_parse_options and mpp_parse_size
 * (options.h).
 *
 * The input is a command line: its arguments separated by NUL bytes when it
 * has any, else by newlines (so that the seed files are readable), a
 * trailing separator ending the last one; at most MAX_ARGS are kept, behind
 * argv[0] = "mpprimes". For every input:
 * - the status is one of the four; *OPTS is written only on MPP_OPT_RUN;
 *   argv and its strings are left as they were; the same call again, or
 *   with ERR = NULL, gives the same result; ARGC is honoured (a shorter ARGC
 *   is the same as a NULL there);
 * - on MPP_OPT_ERROR the message is one non-empty printable line of fewer
 *   than 256 bytes (the driver's buffer) starting as one of options.c's
 *   messages, and names an option as it is spelt in argv (quoted as
 *   mpp_quote does); otherwise ERR is ""; with ERRLEN 0, 1, 2, 3 and the
 *   message's length and one more, nothing is written past ERRLEN and ERR
 *   is the full message cut short;
 * - on MPP_OPT_RUN: START <= STOP, each the value of an argument (START may
 *   be the default, 2 or 0); method, format and decomposition valid; the
 *   buffer in [MPP_BUFFER_MIN, MPP_BUFFER_MAX]; no conflicting options;
 *   --chunk only with cyclic or dynamic; --format other than text only with
 *   --print or --output; output, csv, timeline and checkpoint non-empty and
 *   inside an argument
 *   (at its start, or after '=' or, for -o, after the 'o'); and the
 *   canonical command line written from the result parses to the same;
 *   with --self-test: START = STOP = 0, every other field its default, and
 *   "mpprimes --self-test" parses to the same;
 * - "--explain" or "--compare" put in front changes nothing but that flag
 *   (the same status and message), except that --self-test then refuses
 *   it; "--help" in front gives MPP_OPT_HELP and
 *   "-V" MPP_OPT_VERSION unless there was help already;
 * - mpp_parse_size, on every argument and on what follows its first '=',
 *   agrees with a reference built on mpp_parse_u64 and the unit table of
 *   options.h, leaves *OUT alone on failure, and a size reads back from its
 *   decimal form and with K, KiB, M, MiB, G, GiB where they divide it.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "numparse.h"
#include "options.h"

#define MAX_ARGS 64
#define ERR_MAX 1024 /* room for any message, whole */

typedef struct {
    int argc;
    char **argv;  /* argc + 1 entries, the last NULL */
    char **saved; /* copies of the strings, to see that none changed */
} args;

static char *dup_string(const char *s, size_t len)
{
    char *d = malloc(len + 1); /* exactly: ASan sees a read past the NUL */
    if (d == NULL)
        abort();
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

static void args_init(args *a, int cap)
{
    a->argc = 0;
    a->argv = calloc((size_t)cap + 1, sizeof *a->argv);
    a->saved = calloc((size_t)cap + 1, sizeof *a->saved);
    if (a->argv == NULL || a->saved == NULL)
        abort();
}

static void args_add(args *a, const char *s, size_t len)
{
    a->argv[a->argc] = dup_string(s, len);
    a->saved[a->argc] = dup_string(s, len);
    a->argc++;
}

static void args_free(args *a)
{
    for (int i = 0; i < a->argc; i++) {
        free(a->argv[i]);
        free(a->saved[i]);
    }
    free(a->argv);
    free(a->saved);
}

static void args_split(args *a, const uint8_t *data, size_t size)
{
    args_init(a, MAX_ARGS + 1);
    args_add(a, "mpprimes", 8);
    char sep = memchr(data, '\0', size) != NULL ? '\0' : '\n';
    size_t i = 0;
    while (i < size && a->argc <= MAX_ARGS) {
        const uint8_t *end = memchr(data + i, sep, size - i);
        size_t len = end != NULL ? (size_t)(end - (data + i)) : size - i;
        args_add(a, (const char *)data + i, len);
        i += len + 1;
    }
}

static void check_unchanged(const args *a)
{
    for (int i = 0; i < a->argc; i++)
        FUZZ_CHECK(strcmp(a->argv[i], a->saved[i]) == 0, "argv[%d] was changed", i);
    FUZZ_CHECK(a->argv[a->argc] == NULL, "argv[argc] was changed");
}

/* The same file name: both NULL, or equal strings. */
static bool same_name(const char *x, const char *y)
{
    return (x == NULL) == (y == NULL) && (x == NULL || strcmp(x, y) == 0);
}

/* Field by field; output, csv and timeline as pointers, or as strings when
 * STRINGS. */
static bool same_options(const mpp_options *x, const mpp_options *y, bool strings)
{
    bool files = strings ? same_name(x->output, y->output) && same_name(x->csv, y->csv) &&
                               same_name(x->timeline, y->timeline) &&
                               same_name(x->checkpoint, y->checkpoint)
                         : x->output == y->output && x->csv == y->csv &&
                               x->timeline == y->timeline && x->checkpoint == y->checkpoint;
    return files && x->start == y->start && x->stop == y->stop && x->method == y->method &&
           x->count_only == y->count_only && x->kinds == y->kinds && x->gaps == y->gaps &&
           x->nth == y->nth && x->nth_neg == y->nth_neg && x->nth_n == y->nth_n &&
           x->print == y->print && x->format == y->format &&
           x->buffer == y->buffer && x->json == y->json && x->quiet == y->quiet &&
           x->decomposition == y->decomposition && x->chunk == y->chunk &&
           x->explain == y->explain && x->compare == y->compare &&
           x->self_test == y->self_test && x->checkpoint_every == y->checkpoint_every &&
           x->progress == y->progress && x->progress_every == y->progress_every;
}

typedef struct {
    mpp_opt_status status;
    mpp_options opts; /* when MPP_OPT_RUN */
    char err[ERR_MAX];
} result;

static void parse(int argc, char *const argv[], result *r)
{
    memset(&r->opts, 0x5A, sizeof r->opts);
    r->status = mpp_parse_options(argc, argv, &r->opts, r->err, sizeof r->err);
}

static void check_same(const result *x, const result *y, const char *why)
{
    FUZZ_CHECK(x->status == y->status, "%s: status %d, not %d", why, (int)y->status,
               (int)x->status);
    FUZZ_CHECK(strcmp(x->err, y->err) == 0, "%s: message '%s', not '%s'", why, y->err, x->err);
    if (x->status == MPP_OPT_RUN)
        FUZZ_CHECK(same_options(&x->opts, &y->opts, false), "%s: other options", why);
}

/* ---- mpp_parse_size ---- */

/* The documented units; "" for plain bytes. */
static const struct {
    const char *name;
    uint64_t factor;
} units[] = {{"", 1},           {"K", 1u << 10}, {"KiB", 1u << 10}, {"M", 1u << 20},
             {"MiB", 1u << 20}, {"G", 1u << 30}, {"GiB", 1u << 30}};

/* The reference: TEXT as a NUMBER of at most 64 bytes followed by a unit,
 * trying each unit the text ends with. Returns whether it is a size. */
static bool ref_size(const char *text, uint64_t *out)
{
    size_t len = strlen(text);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t ulen = strlen(units[i].name);
        if (ulen > len || strcmp(text + len - ulen, units[i].name) != 0)
            continue;
        size_t num = len - ulen;
        /* The number ends before the unit, and not in a letter (but 'e'):
         * "1eK" is "1e" with the unit K, a syntax error. */
        char last = num > 0 ? text[num - 1] : '\0';
        if (num == 0 || num > 64 || (last >= 'A' && last <= 'Z') ||
            (last >= 'a' && last <= 'z' && last != 'e'))
            continue;
        char *digits = dup_string(text, num);
        uint64_t v;
        bool ok = mpp_parse_u64(digits, &v, NULL, 0) == MPP_NUM_OK &&
                  v <= UINT64_MAX / units[i].factor;
        free(digits);
        if (ok) {
            *out = v * units[i].factor;
            return true;
        }
    }
    return false;
}

static void check_size(const char *text)
{
    uint64_t v = 0x5A5A5A5A5A5A5A5Au, want = 0;
    bool ok = mpp_parse_size(text, &v);
    bool want_ok = ref_size(text, &want);
    FUZZ_CHECK(ok == want_ok, "mpp_parse_size('%s') says %d, want %d", text, ok, want_ok);
    if (!ok) {
        FUZZ_CHECK(v == 0x5A5A5A5A5A5A5A5Au, "mpp_parse_size('%s') failed but wrote *out", text);
        return;
    }
    FUZZ_CHECK(v == want, "mpp_parse_size('%s') = %" PRIu64 ", want %" PRIu64, text, v, want);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (v % units[i].factor != 0)
            continue;
        char form[64];
        uint64_t back = 0;
        snprintf(form, sizeof form, "%" PRIu64 "%s", v / units[i].factor, units[i].name);
        FUZZ_CHECK(mpp_parse_size(form, &back) && back == v,
                   "mpp_parse_size('%s') = %" PRIu64 " but '%s' gives %" PRIu64, text, v, form,
                   back);
    }
}

/* ---- MPP_OPT_RUN ---- */

/* Whether P points into an argument of A at a place where a file name can
 * start: the argument's start, after its first '=', or (WITH_O) after 'o'. */
static bool in_argument(const args *a, const char *p, bool with_o)
{
    for (int i = 1; i < a->argc; i++) {
        const char *s = a->argv[i];
        size_t len = strlen(s);
        if (p < s || p > s + len)
            continue;
        if (p == s)
            return true;
        const char *eq = strchr(s, '=');
        return (eq != NULL && p == eq + 1) || (with_o && p[-1] == 'o');
    }
    return false;
}

/* Whether V is the value of an argument of A. */
static bool is_operand_value(const args *a, uint64_t v)
{
    for (int i = 1; i < a->argc; i++) {
        uint64_t x;
        if (mpp_parse_u64(a->argv[i], &x, NULL, 0) == MPP_NUM_OK && x == v)
            return true;
    }
    return false;
}

/* O written out as a command line: options spelt out in full, then "--",
 * then START and STOP (or STOP alone when START is its default). */
static void check_canonical(const mpp_options *o, bool stop_only)
{
    char buffer[32], chunk[48], start[32], stop[32], every[48], progress[48];
    const char *argv[48];
    int argc = 0;
    argv[argc++] = "mpprimes";
    argv[argc++] = "--method";
    argv[argc++] = mpp_method_name(o->method);
    argv[argc++] = "-d";
    argv[argc++] = mpp_decomposition_name(o->decomposition);
    snprintf(buffer, sizeof buffer, "--buffer=%" PRIu64, o->buffer);
    argv[argc++] = buffer;
    if (o->chunk != 0) {
        snprintf(chunk, sizeof chunk, "--chunk=%" PRIu64, o->chunk);
        argv[argc++] = chunk;
    }
    static char kinds[16], nth[48]; /* "--nth-prime=-" and 20 digits */
    if (o->nth) {
        snprintf(nth, sizeof nth, "--nth-prime=%s%" PRIu64, o->nth_neg ? "-" : "", o->nth_n);
        argv[argc++] = nth;
    } else if (o->count_only) {
        size_t n = 0;
        memcpy(kinds, "--count=", 8);
        for (int k = 1; k <= 6; k++)
            if (o->kinds >> k & 1)
                kinds[8 + n++] = (char)('0' + k);
        kinds[8 + n] = '\0';
        argv[argc++] = kinds;
    }
    if (o->gaps)
        argv[argc++] = "--gaps";
    static char print[16];
    snprintf(print, sizeof print, "--print=%d", mpp_list_kind(o));
    if (o->print || (o->output != NULL && mpp_list_kind(o) > 1))
        argv[argc++] = print; /* with --output: what goes to the file */
    if (o->quiet)
        argv[argc++] = "-q";
    if (o->json)
        argv[argc++] = "--json";
    if (o->explain)
        argv[argc++] = "--explain";
    if (o->compare)
        argv[argc++] = "--compare";
    if (o->output != NULL) {
        argv[argc++] = "-o";
        argv[argc++] = o->output;
    }
    if (o->csv != NULL) {
        argv[argc++] = "--csv";
        argv[argc++] = o->csv;
    }
    if (o->timeline != NULL) {
        argv[argc++] = "--timeline";
        argv[argc++] = o->timeline;
    }
    if (o->checkpoint != NULL) {
        argv[argc++] = "--checkpoint";
        argv[argc++] = o->checkpoint;
        snprintf(every, sizeof every, "--checkpoint-every=%" PRIu64, o->checkpoint_every);
        argv[argc++] = every;
    }
    if (o->progress != MPP_PROGRESS_AUTO) { /* off: --progress=S, --no-progress */
        snprintf(progress, sizeof progress, "--progress=%" PRIu64, o->progress_every);
        argv[argc++] = progress;
        if (o->progress == MPP_PROGRESS_OFF)
            argv[argc++] = "--no-progress";
    }
    if (o->print || o->output != NULL) {
        argv[argc++] = "--format";
        argv[argc++] = mpp_format_name(o->format);
    }
    argv[argc++] = "--";
    snprintf(start, sizeof start, "%" PRIu64, o->start);
    snprintf(stop, sizeof stop, "%" PRIu64, o->stop);
    if (o->nth) /* START alone */
        argv[argc++] = start;
    else if (!stop_only)
        argv[argc++] = start;
    if (!o->nth)
        argv[argc++] = stop;
    argv[argc] = NULL;

    result r;
    parse(argc, (char *const *)argv, &r);
    FUZZ_CHECK(r.status == MPP_OPT_RUN && same_options(o, &r.opts, true),
               "the canonical command line%s gives status %d ('%s') or other options",
               stop_only ? " with STOP only" : "", (int)r.status, r.err);
}

/* --self-test alone: no range, every other option its default. */
static void check_self_test(const mpp_options *o)
{
    mpp_options d;
    mpp_options_init(&d);
    d.start = d.stop = 0;
    d.self_test = true;
    FUZZ_CHECK(same_options(o, &d, true), "--self-test with other options or a range");
    char *argv[] = {"mpprimes", "--self-test", NULL};
    result r;
    parse(2, argv, &r);
    FUZZ_CHECK(r.status == MPP_OPT_RUN && same_options(o, &r.opts, true),
               "mpprimes --self-test gives status %d ('%s') or other options", (int)r.status,
               r.err);
}

static void check_run(const args *a, const mpp_options *o)
{
    if (o->self_test) {
        check_self_test(o);
        return;
    }
    FUZZ_CHECK(o->start <= o->stop, "START %" PRIu64 " > STOP %" PRIu64, o->start, o->stop);
    FUZZ_CHECK(o->nth || is_operand_value(a, o->stop), "STOP %" PRIu64 " is no argument",
               o->stop);
    bool default_start = o->nth ? o->start == 0 : o->start == (o->stop < 2 ? 0 : 2);
    FUZZ_CHECK(default_start || is_operand_value(a, o->start), "START %" PRIu64 " is no argument",
               o->start);
    FUZZ_CHECK(o->method == MPP_METHOD_SIEVE || o->method == MPP_METHOD_TRIAL, "method %d",
               (int)o->method);
    FUZZ_CHECK(o->format == MPP_FORMAT_TEXT || o->format == MPP_FORMAT_BINARY, "format %d",
               (int)o->format);
    FUZZ_CHECK(mpp_decomposition_name(o->decomposition) != NULL, "decomposition %d",
               (int)o->decomposition);
    FUZZ_CHECK(o->buffer >= MPP_BUFFER_MIN && o->buffer <= MPP_BUFFER_MAX, "buffer %" PRIu64,
               o->buffer);
    FUZZ_CHECK(o->kinds != 0 && (o->kinds & ~0x7eu) == 0, "kinds %#x", o->kinds);
    FUZZ_CHECK(!o->gaps || o->count_only, "--gaps without counting");
    FUZZ_CHECK(!o->nth || (o->count_only && o->start == o->stop && !o->gaps &&
                           o->kinds == 1u << 1),
               "--nth-prime: not a plain count of START alone");
    FUZZ_CHECK(o->nth || (!o->nth_neg && o->nth_n == 0), "an N without --nth-prime");
    FUZZ_CHECK(o->count_only || (o->kinds & (o->kinds - 1)) == 0,
               "kinds %#x, several, without --count", o->kinds);
    FUZZ_CHECK(o->count_only || o->print || o->output != NULL || o->kinds == 1u << 1,
               "kinds %#x without --count, --print or --output", o->kinds);
    FUZZ_CHECK(!(o->count_only && o->print), "--count with --print");
    FUZZ_CHECK(!(o->count_only && o->output != NULL), "--count with --output");
    FUZZ_CHECK(!(o->print && o->output != NULL), "--print still set with --output");
    FUZZ_CHECK(!(o->quiet && o->json), "--quiet with --json");
    FUZZ_CHECK(o->chunk == 0 || o->decomposition == MPP_DECOMP_CYCLIC ||
                   o->decomposition == MPP_DECOMP_DYNAMIC,
               "--chunk %" PRIu64 " with -d %s", o->chunk,
               mpp_decomposition_name(o->decomposition));
    FUZZ_CHECK(o->format == MPP_FORMAT_TEXT || o->print || o->output != NULL,
               "--format binary without --print or --output");
    FUZZ_CHECK(o->output == NULL || (o->output[0] != '\0' && in_argument(a, o->output, true)),
               "output does not point at a non-empty file name in argv");
    FUZZ_CHECK(o->csv == NULL || (o->csv[0] != '\0' && in_argument(a, o->csv, false)),
               "csv does not point at a non-empty file name in argv");
    FUZZ_CHECK(o->timeline == NULL ||
                   (o->timeline[0] != '\0' && in_argument(a, o->timeline, false)),
               "timeline does not point at a non-empty file name in argv");
    FUZZ_CHECK(o->checkpoint == NULL ||
                   (o->checkpoint[0] != '\0' && in_argument(a, o->checkpoint, false)),
               "checkpoint does not point at a non-empty file name in argv");
    FUZZ_CHECK(o->checkpoint != NULL || o->checkpoint_every == MPP_CHECKPOINT_EVERY,
               "--checkpoint-every without --checkpoint");
    FUZZ_CHECK(o->checkpoint == NULL || o->output == NULL ||
                   strcmp(o->checkpoint, o->output) != 0,
               "--checkpoint and --output the same file");
    FUZZ_CHECK(o->progress_every >= 1 && o->progress_every <= 31536000 &&
                   o->checkpoint_every <= 31536000,
               "--progress=%" PRIu64 " or --checkpoint-every %" PRIu64 " out of range",
               o->progress_every, o->checkpoint_every);
    check_canonical(o, false);
    if (default_start)
        check_canonical(o, true);
}

/* ---- MPP_OPT_ERROR ---- */

static void check_message(const char *msg)
{
    static const char *const prefixes[] = {
        "unknown option '", "option '", "invalid method '", "invalid decomposition '",
        "--chunk: '", "--chunk must be at least 1",
        "--chunk applies to -d cyclic and -d dynamic only",
        "--count cannot be combined with --", "invalid kind '",
        "--gaps cannot be combined with --", "invalid kinds '", "--nth-prime: '",
        "--nth-prime cannot be combined with --", "--nth-prime takes one operand",
        "--quiet cannot be combined with --json",
        "--format applies to --print and --output only", "invalid format '",
        "invalid buffer size '", "buffer size '", "too many operands: '",
        "missing STOP (try --help)", "START: '", "STOP: '", "START (",
        "--self-test takes no other option and no operand",
        "--checkpoint-every: '", "--checkpoint-every must be", "--checkpoint-every: at most",
        "--progress: '", "--progress must be at least", "--progress: at most",
        "--checkpoint-every applies to --checkpoint only",
        "--checkpoint and --output name the same file",
    };
    size_t len = strlen(msg);
    FUZZ_CHECK(len > 0 && len < 256, "a message of %zu bytes: '%s'", len, msg);
    FUZZ_CHECK(fuzz_one_line(msg), "message '%s' is not one printable line", msg);
    bool known = false;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        known = known || strncmp(msg, prefixes[i], strlen(prefixes[i])) == 0;
    FUZZ_CHECK(known, "message '%s' is none of options.c's", msg);
}

/* Whether SPELLING is how options.c names an option of A in a message:
 * "--" and the quoted name of a long option (up to '='), "-" and one quoted
 * character of a group of short options, or "-" and the whole quoted group. */
static bool is_spelling(const args *a, const char *spelling)
{
    char q[MPP_QUOTE_MAX + 1], s[MPP_QUOTE_MAX + 3];
    for (int i = 1; i < a->argc; i++) {
        const char *arg = a->argv[i];
        if (arg[0] != '-')
            continue;
        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            size_t len = eq != NULL ? (size_t)(eq - (arg + 2)) : strlen(arg + 2);
            snprintf(s, sizeof s, "--%s", mpp_quote(q, arg + 2, len));
            if (strcmp(s, spelling) == 0)
                return true;
            continue;
        }
        snprintf(s, sizeof s, "-%s", mpp_quote(q, arg + 1, strlen(arg + 1)));
        if (strcmp(s, spelling) == 0)
            return true;
        for (size_t k = 1; arg[k] != '\0'; k++) {
            snprintf(s, sizeof s, "-%s", mpp_quote(q, arg + k, 1));
            if (strcmp(s, spelling) == 0)
                return true;
        }
    }
    return false;
}

/* A message about an option names it as spelt in A. */
static void check_spelling(const args *a, const char *msg)
{
    static const struct {
        const char *prefix, *suffix;
    } forms[] = {
        {"unknown option '", "'"},
        {"option '", "' needs a value"},
        {"option '", "' takes no value"},
        {"option '", "' needs a non-empty file name"},
    };
    size_t len = strlen(msg);
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t p = strlen(forms[i].prefix), s = strlen(forms[i].suffix);
        if (len < p + s || strncmp(msg, forms[i].prefix, p) != 0 ||
            strcmp(msg + len - s, forms[i].suffix) != 0)
            continue;
        char *spelling = dup_string(msg + p, len - p - s);
        bool ok = is_spelling(a, spelling);
        free(spelling);
        FUZZ_CHECK(ok, "message '%s' names no option of the command line as spelt", msg);
        return;
    }
}

static void check_errlen(const args *a, size_t errlen, const result *full)
{
    char *err = fuzz_buffer(errlen);
    mpp_options o;
    mpp_opt_status st = mpp_parse_options(a->argc, a->argv, &o, err, errlen);
    FUZZ_CHECK(st == full->status, "errlen %zu changes the status: %d, not %d", errlen,
               (int)st, (int)full->status);
    FUZZ_CHECK(fuzz_guard_intact(err, errlen), "errlen %zu: written past the end", errlen);
    if (errlen == 0) {
        FUZZ_CHECK((unsigned char)err[0] == FUZZ_CANARY, "errlen 0: err was written");
    } else {
        size_t n = strnlen(err, errlen), len = strlen(full->err);
        size_t want = len < errlen - 1 ? len : errlen - 1;
        FUZZ_CHECK(n == want && memcmp(err, full->err, n) == 0,
                   "errlen %zu: '%.*s' is not '%s' cut to %zu bytes", errlen, (int)n, err,
                   full->err, want);
    }
    free(err);
}

/* A, with FIRST put in front of its arguments. */
static void check_prefixed(const args *a, const char *first, const result *r)
{
    char **argv = calloc((size_t)a->argc + 2, sizeof *argv);
    if (argv == NULL)
        abort();
    argv[0] = a->argv[0];
    argv[1] = (char *)first;
    for (int i = 1; i < a->argc; i++)
        argv[i + 1] = a->argv[i];
    result p;
    parse(a->argc + 1, argv, &p);
    free(argv);
    if (strcmp(first, "--help") == 0) {
        FUZZ_CHECK(p.status == MPP_OPT_HELP, "--help in front gives status %d", (int)p.status);
    } else if (strcmp(first, "-V") == 0) {
        mpp_opt_status want = r->status == MPP_OPT_HELP ? MPP_OPT_HELP : MPP_OPT_VERSION;
        FUZZ_CHECK(p.status == want, "-V in front gives status %d, want %d", (int)p.status,
                   (int)want);
    } else if (r->status == MPP_OPT_RUN && r->opts.self_test) {
        FUZZ_CHECK(p.status == MPP_OPT_ERROR &&
                       strcmp(p.err, "--self-test takes no other option and no operand") == 0,
                   "%s in front of --self-test gives status %d ('%s')", first, (int)p.status,
                   p.err);
    } else {
        result want = *r;
        if (strcmp(first, "--explain") == 0)
            want.opts.explain = true;
        else
            want.opts.compare = true;
        check_same(&want, &p, first);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mpp_options def;
    mpp_options_init(&def);
    FUZZ_CHECK(def.start == 2 && def.stop == 0 && def.method == MPP_METHOD_SIEVE &&
                   !def.count_only && !def.print && def.output == NULL &&
                   def.format == MPP_FORMAT_TEXT && def.buffer == MPP_BUFFER_DEFAULT &&
                   !def.json && !def.quiet && def.csv == NULL &&
                   def.decomposition == MPP_DECOMP_BLOCK && def.chunk == 0 && !def.explain &&
                   !def.compare && def.timeline == NULL && !def.self_test,
               "mpp_options_init: not the defaults");

    args a;
    args_split(&a, data, size);

    result r;
    parse(a.argc, a.argv, &r);
    check_unchanged(&a);
    FUZZ_CHECK(r.status == MPP_OPT_RUN || r.status == MPP_OPT_HELP ||
                   r.status == MPP_OPT_VERSION || r.status == MPP_OPT_ERROR,
               "status %d", (int)r.status);
    if (r.status != MPP_OPT_RUN) {
        mpp_options untouched;
        memset(&untouched, 0x5A, sizeof untouched);
        FUZZ_CHECK(memcmp(&untouched, &r.opts, sizeof untouched) == 0,
                   "status %d but *opts was written", (int)r.status);
    }
    if (r.status == MPP_OPT_ERROR) {
        check_message(r.err);
        check_spelling(&a, r.err);
    } else
        FUZZ_CHECK(r.err[0] == '\0', "status %d with a message '%s'", (int)r.status, r.err);

    /* The same again, without ERR, and with ARGC cut short. */
    result again;
    parse(a.argc, a.argv, &again);
    check_same(&r, &again, "a second call");
    mpp_options o;
    memset(&o, 0x5A, sizeof o);
    mpp_opt_status st = mpp_parse_options(a.argc, a.argv, &o, NULL, 0);
    FUZZ_CHECK(st == r.status, "without err: status %d, not %d", (int)st, (int)r.status);
    FUZZ_CHECK(st != MPP_OPT_RUN || same_options(&o, &r.opts, false), "without err: other options");
    result none;
    parse(0, a.argv, &none);
    FUZZ_CHECK(none.status == MPP_OPT_ERROR && strcmp(none.err, "missing STOP (try --help)") == 0,
               "argc 0: status %d, '%s'", (int)none.status, none.err);
    for (int k = 1; k < a.argc; k += a.argc / 3 + 1) {
        char *saved = a.argv[k];
        result cut, nulled;
        parse(k, a.argv, &cut);
        a.argv[k] = NULL;
        parse(a.argc, a.argv, &nulled);
        a.argv[k] = saved;
        check_same(&nulled, &cut, "argc cut short");
    }

    size_t len = strlen(r.err);
    const size_t errlens[] = {0, 1, 2, 3, len, len + 1};
    for (size_t i = 0; i < sizeof errlens / sizeof errlens[0]; i++)
        check_errlen(&a, errlens[i], &r);

    if (r.status == MPP_OPT_RUN)
        check_run(&a, &r.opts);
    check_prefixed(&a, "--explain", &r);
    check_prefixed(&a, "--compare", &r);
    check_prefixed(&a, "--help", &r);
    check_prefixed(&a, "-V", &r);

    for (int i = 1; i < a.argc; i++) {
        check_size(a.argv[i]);
        const char *eq = strchr(a.argv[i], '=');
        if (eq != NULL)
            check_size(eq + 1);
    }
    check_unchanged(&a);
    args_free(&a);
    return 0;
}
