/* checkpoint.c - see checkpoint.h.
 *
 * The file, line by line:
 *
 *   # mpprimes checkpoint: run the same command again to resume it
 *   format 1
 *   command start=2 stop=100000000000 count=1 kinds=1 gaps=0 method=sieve ...
 *   state running                  (or finished)
 *   result COUNT FIRST LAST T2 T3 T4 T5 T6
 *   listing NEXT BYTES
 *   tmp NAME                       (--output's temporary file; "-" for none)
 *   done N                         then N lines "LO HI", ascending
 *   gaps N                         then N words of mpp_gaps_pack, in hex
 *   sum HEX                        FNV-1a of every byte before this line
 */
#include "checkpoint.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * spans
 * ====================================================================== */

static bool spans_reserve(mpp_spans *s, size_t n)
{
    if (n <= s->cap)
        return true;
    size_t cap = s->cap ? s->cap : 16;
    while (cap < n)
        cap *= 2;
    mpp_block *at = realloc(s->at, cap * sizeof *at);
    if (at == NULL)
        return false;
    s->at = at;
    s->cap = cap;
    return true;
}

bool mpp_spans_add(mpp_spans *s, uint64_t lo, uint64_t hi)
{
    /* i: the first span that ends at or after LO - 1 (the one it may join) */
    size_t a = 0, b = s->n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (lo > 0 && s->at[m].hi < lo - 1)
            a = m + 1;
        else
            b = m;
    }
    size_t i = a;
    if (i < s->n && s->at[i].lo <= hi && s->at[i].hi >= lo)
        return false; /* overlaps */
    bool join_left = i < s->n && lo > 0 && s->at[i].hi == lo - 1;
    size_t r = join_left ? i + 1 : i; /* the span after, which it may join */
    if (r < s->n && s->at[r].lo <= hi)
        return false;
    bool join_right = r < s->n && hi < UINT64_MAX && s->at[r].lo == hi + 1;
    if (join_left && join_right) {
        s->at[i].hi = s->at[r].hi;
        memmove(s->at + r, s->at + r + 1, (s->n - r - 1) * sizeof *s->at);
        s->n--;
    } else if (join_left) {
        s->at[i].hi = hi;
    } else if (join_right) {
        s->at[r].lo = lo;
    } else {
        if (!spans_reserve(s, s->n + 1))
            return false;
        memmove(s->at + i + 1, s->at + i, (s->n - i) * sizeof *s->at);
        s->at[i] = (mpp_block){.lo = lo, .hi = hi, .empty = 0};
        s->n++;
    }
    return true;
}

uint64_t mpp_spans_numbers(const mpp_spans *s)
{
    uint64_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        uint64_t len = s->at[i].hi - s->at[i].lo;
        if (len == UINT64_MAX || n > UINT64_MAX - len - 1)
            return UINT64_MAX;
        n += len + 1;
    }
    return n;
}

bool mpp_spans_complement(const mpp_spans *s, uint64_t start, uint64_t stop, mpp_spans *todo)
{
    todo->n = 0;
    uint64_t from = start; /* the first number not yet looked at */
    bool more = start <= stop;
    for (size_t i = 0; i < s->n && more; i++) {
        const mpp_block *d = &s->at[i];
        if (d->hi < from)
            continue;
        if (d->lo > stop)
            break;
        if (d->lo > from && !mpp_spans_add(todo, from, d->lo - 1))
            return false;
        if (d->hi >= stop)
            more = false;
        else
            from = d->hi + 1;
    }
    return !more || mpp_spans_add(todo, from, stop);
}

void mpp_spans_free(mpp_spans *s)
{
    free(s->at);
    *s = (mpp_spans){NULL, 0, 0};
}

/* ======================================================================
 * the virtual range of the work left
 * ====================================================================== */

uint64_t mpp_todo_vstop(const mpp_spans *todo)
{
    uint64_t v = todo->at[0].lo;
    for (size_t i = 0; i < todo->n; i++)
        v += todo->at[i].hi - todo->at[i].lo + (i > 0);
    return v;
}

/* The block holding virtual number V, and V's offset in it. */
static size_t todo_find(const mpp_spans *todo, uint64_t v, uint64_t *off)
{
    uint64_t at = todo->at[0].lo; /* virtual number of the block's first */
    for (size_t i = 0; i < todo->n; i++) {
        uint64_t len = todo->at[i].hi - todo->at[i].lo; /* numbers - 1 */
        if (v - at <= len) {
            *off = v - at;
            return i;
        }
        at += len + 1;
    }
    *off = 0;
    return todo->n; /* past the end: cannot happen for V <= vstop */
}

uint64_t mpp_todo_real(const mpp_spans *todo, uint64_t v)
{
    uint64_t off;
    size_t i = todo_find(todo, v, &off);
    return i < todo->n ? todo->at[i].lo + off : todo->at[todo->n - 1].hi;
}

size_t mpp_todo_pieces(const mpp_spans *todo, uint64_t vlo, uint64_t vhi, mpp_block *out,
                       size_t max)
{
    uint64_t off;
    size_t i = todo_find(todo, vlo, &off), n = 0;
    uint64_t left = vhi - vlo; /* numbers after the first */
    for (; i < todo->n; i++, off = 0) {
        uint64_t lo = todo->at[i].lo + off, room = todo->at[i].hi - lo;
        uint64_t take = left < room ? left : room;
        if (n < max)
            out[n] = (mpp_block){.lo = lo, .hi = lo + take, .empty = 0};
        n++;
        if (take == left)
            break;
        left -= take + 1;
    }
    return n;
}

/* ======================================================================
 * the checkpoint
 * ====================================================================== */

void mpp_checkpoint_init(mpp_checkpoint *c, const mpp_options *o)
{
    memset(c, 0, sizeof *c);
    mpp_checkpoint_command(o, c->command, sizeof c->command);
    mpp_result_clear(&c->result);
    c->has_gaps = o->gaps;
    mpp_gaps_clear(&c->gaps);
    c->next = o->start;
}

void mpp_checkpoint_free(mpp_checkpoint *c)
{
    mpp_spans_free(&c->done);
}

void mpp_checkpoint_command(const mpp_options *o, char *buf, size_t size)
{
    int n = snprintf(buf, size, "start=%" PRIu64 " stop=%" PRIu64, o->start, o->stop);
    if (o->nth && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, " nth=%s%" PRIu64,
                      o->nth_neg ? "-" : "", o->nth_n);
    char kinds[8] = "", *k = kinds; /* as --count=KINDS says them */
    for (int d = 1; d <= MPP_KINDS; d++)
        if (o->kinds & 1u << d)
            *k++ = (char)('0' + d);
    *k = '\0';
    if (n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n,
                      " count=%d kinds=%s gaps=%d method=%s print=%d format=%s output=%s",
                      o->count_only, kinds, o->gaps, mpp_method_name(o->method), o->print,
                      mpp_format_name(o->format), o->output ? o->output : "-");
    /* a longer --output name is cut: the check compares what is kept */
    (void)n;
}

uint64_t mpp_checkpoint_sum(const char *text, size_t len)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 0x100000001b3u;
    }
    return h;
}

char *mpp_checkpoint_encode(const mpp_checkpoint *c, size_t *len)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (f == NULL)
        return NULL;
    const mpp_result *r = &c->result;
    fprintf(f, "# mpprimes checkpoint: run the same command again to resume it\n");
    fprintf(f, "format 1\ncommand %s\nstate %s\n", c->command,
            c->finished ? "finished" : "running");
    fprintf(f, "result %" PRIu64 " %" PRIu64 " %" PRIu64, r->primes.count, r->primes.first,
            r->primes.last);
    for (int k = 2; k <= MPP_KINDS; k++)
        fprintf(f, " %" PRIu64, r->tuplets[k]);
    fprintf(f, "\nlisting %" PRIu64 " %" PRIu64 "\ntmp %s\ndone %zu\n", c->next, c->bytes,
            c->tmp[0] ? c->tmp : "-", c->done.n);
    for (size_t i = 0; i < c->done.n; i++)
        fprintf(f, "%" PRIu64 " %" PRIu64 "\n", c->done.at[i].lo, c->done.at[i].hi);
    size_t nw = 0;
    uint64_t *w = NULL;
    if (c->has_gaps) {
        w = malloc(MPP_GAPS_MAX_WORDS * sizeof *w);
        if (w == NULL) {
            fclose(f);
            free(text);
            return NULL;
        }
        nw = mpp_gaps_pack(&c->gaps, w);
    }
    fprintf(f, "gaps %zu\n", nw);
    for (size_t i = 0; i < nw; i++)
        fprintf(f, "%" PRIx64 "%c", w[i], i % 8 == 7 || i + 1 == nw ? '\n' : ' ');
    free(w);
    if (fflush(f) != 0) {
        fclose(f);
        free(text);
        return NULL;
    }
    uint64_t sum = mpp_checkpoint_sum(text, size);
    fprintf(f, "sum %016" PRIx64 "\n", sum);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    *len = size;
    return text;
}

/* ---- reading ---- */

typedef struct {
    const char *p, *end;
} cursor;

/* The next line (without its newline) into LINE/N; false at the end, or
 * when the last line has no newline (a cut file). */
static bool next_line(cursor *cu, const char **line, size_t *n)
{
    const char *nl = memchr(cu->p, '\n', (size_t)(cu->end - cu->p));
    if (nl == NULL)
        return false;
    *line = cu->p;
    *n = (size_t)(nl - cu->p);
    cu->p = nl + 1;
    return true;
}

/* Reads the line starting with KEY and a space; its rest into REST (a
 * NUL-terminated copy of at most SIZE - 1 characters). */
static bool keyed(cursor *cu, const char *key, char *rest, size_t size)
{
    const char *line;
    size_t n, k = strlen(key);
    if (!next_line(cu, &line, &n) || n <= k || memcmp(line, key, k) != 0 || line[k] != ' ' ||
        n - k - 1 >= size)
        return false;
    memcpy(rest, line + k + 1, n - k - 1);
    rest[n - k - 1] = '\0';
    return true;
}

/* Unsigned decimal (or hex) words of S, exactly N of them. */
static bool words(const char *s, int base, uint64_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *end;
        if (*s == ' ')
            s++;
        if (*s < '0' || (*s > '9' && (base != 16 || !strchr("abcdef", *s))))
            return false;
        unsigned long long v = strtoull(s, &end, base);
        if (end == s)
            return false;
        w[i] = v;
        s = end;
    }
    return *s == '\0';
}

/* The first word of command line A that differs from B's, as "its KEY is X,
 * this command's Y" into WHY. */
static void differs(const char *a, const char *b, char *why, size_t whylen)
{
    const char *pa = a, *pb = b;
    while (*pa || *pb) {
        size_t la = strcspn(pa, " "), lb = strcspn(pb, " ");
        if (la != lb || memcmp(pa, pb, la) != 0) {
            size_t key = strcspn(pa, "=");
            if (key > la)
                key = la;
            size_t kb = strcspn(pb, "=");
            snprintf(why, whylen, "its %.*s is %.*s, this command's %.*s", (int)key, pa,
                     (int)(la > key ? la - key - 1 : 0), pa + (la > key ? key + 1 : la),
                     (int)(lb > kb ? lb - kb - 1 : 0), pb + (lb > kb ? kb + 1 : lb));
            return;
        }
        pa += la + (pa[la] == ' ');
        pb += lb + (pb[lb] == ' ');
    }
    snprintf(why, whylen, "its command differs");
}

int mpp_checkpoint_decode(const char *text, size_t len, const char *command,
                          mpp_checkpoint *c, char *why, size_t whylen)
{
    static const char head[] = "# mpprimes checkpoint";
    if (len < sizeof head - 1 || memcmp(text, head, sizeof head - 1) != 0) {
        snprintf(why, whylen, "is not a checkpoint of mpprimes");
        return MPP_CKPT_DAMAGED;
    }
    /* the sum line: the last one */
    const char *last = len >= 2 ? text + len - 2 : text;
    while (last > text && *last != '\n')
        last--;
    uint64_t sum = 0;
    char tail[64];
    size_t tl = (size_t)(text + len - last);
    if (text[len - 1] != '\n' || last == text || tl >= sizeof tail) {
        snprintf(why, whylen, "is cut short (no checksum at its end)");
        return MPP_CKPT_DAMAGED;
    }
    memcpy(tail, last + 1, tl - 1);
    tail[tl - 2] = '\0';
    if (strncmp(tail, "sum ", 4) != 0 || !words(tail + 4, 16, &sum, 1)) {
        snprintf(why, whylen, "is cut short (no checksum at its end)");
        return MPP_CKPT_DAMAGED;
    }
    size_t body = (size_t)(last + 1 - text);
    if (mpp_checkpoint_sum(text, body) != sum) {
        snprintf(why, whylen, "is damaged (its checksum does not match its contents)");
        return MPP_CKPT_DAMAGED;
    }
    cursor cu = {text, text + body};
    const char *line;
    size_t n;
    char buf[MPP_CKPT_PATH_MAX + 64];
    uint64_t w[MPP_KINDS + 2];
    next_line(&cu, &line, &n); /* the heading */
    if (!keyed(&cu, "format", buf, sizeof buf) || strcmp(buf, "1") != 0) {
        snprintf(why, whylen, "is of another version of mpprimes (format %s)", buf);
        return MPP_CKPT_DAMAGED;
    }
    if (!keyed(&cu, "command", buf, sizeof buf))
        goto bad;
    if (strcmp(buf, command) != 0) {
        char what[400];
        differs(buf, command, what, sizeof what);
        snprintf(why, whylen, "belongs to another command (%s)", what);
        return MPP_CKPT_OTHER;
    }
    if (!keyed(&cu, "state", buf, sizeof buf) ||
        (strcmp(buf, "running") != 0 && strcmp(buf, "finished") != 0))
        goto bad;
    c->finished = buf[0] == 'f';
    if (!keyed(&cu, "result", buf, sizeof buf) || !words(buf, 10, w, MPP_KINDS + 2))
        goto bad;
    c->result.primes = (mpp_tally){.count = w[0], .first = w[1], .last = w[2]};
    for (int k = 2; k <= MPP_KINDS; k++)
        c->result.tuplets[k] = w[1 + k];
    if (!keyed(&cu, "listing", buf, sizeof buf) || !words(buf, 10, w, 2))
        goto bad;
    c->next = w[0];
    c->bytes = w[1];
    if (!keyed(&cu, "tmp", buf, sizeof buf) || strlen(buf) >= sizeof c->tmp)
        goto bad;
    snprintf(c->tmp, sizeof c->tmp, "%s", strcmp(buf, "-") == 0 ? "" : buf);
    if (!keyed(&cu, "done", buf, sizeof buf) || !words(buf, 10, w, 1))
        goto bad;
    uint64_t spans = w[0];
    for (uint64_t i = 0; i < spans; i++) {
        if (!next_line(&cu, &line, &n) || n >= 64)
            goto bad;
        memcpy(buf, line, n);
        buf[n] = '\0';
        if (!words(buf, 10, w, 2) || w[0] > w[1])
            goto bad;
        /* ascending and apart, as written */
        if (c->done.n > 0 && w[0] <= c->done.at[c->done.n - 1].hi + 1)
            goto bad;
        if (!mpp_spans_add(&c->done, w[0], w[1]))
            goto bad;
    }
    if (!keyed(&cu, "gaps", buf, sizeof buf) || !words(buf, 10, w, 1) ||
        w[0] > MPP_GAPS_MAX_WORDS || (w[0] > 0) != c->has_gaps)
        goto bad;
    size_t nw = (size_t)w[0];
    if (nw > 0) {
        uint64_t *g = malloc(nw * sizeof *g);
        if (g == NULL)
            return MPP_CKPT_NOMEM;
        for (size_t i = 0; i < nw; i += 8) {
            size_t k = nw - i < 8 ? nw - i : 8;
            if (!next_line(&cu, &line, &n) || n >= sizeof buf) {
                free(g);
                goto bad;
            }
            memcpy(buf, line, n);
            buf[n] = '\0';
            if (!words(buf, 16, g + i, k)) {
                free(g);
                goto bad;
            }
        }
        bool ok = mpp_gaps_unpack(g, nw, &c->gaps);
        free(g);
        if (!ok)
            goto bad;
    }
    if (cu.p != cu.end)
        goto bad;
    return MPP_CKPT_OK;
bad:
    snprintf(why, whylen, "is damaged (a line is not as mpprimes writes it)");
    return MPP_CKPT_DAMAGED;
}
