/* output.c - encoding primes into bounded buffers, and output files that
 * appear only when complete.
 *
 * Decimal text is the costly format: the primes up to 1e9 are 500 MB of it.
 * Dividing every prime by 10 once per digit costs more than sieving it, so
 * the encoder keeps the previous prime's digits as text and adds the gap to
 * them, digit by digit with carry: gaps are small (below 1,500 anywhere
 * below 2^64), so that touches two or three digits, and a line is then
 * stored as three 8-byte words whatever its length.
 */
#define _GNU_SOURCE /* mkostemp */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The digits of mpp_piece.dec end here (exclusive); a line is copied as
 * the 24 bytes from its first digit, which stay inside dec[64]. */
#define DEC_END 40
#define LINE_STORE 24

size_t mpp_u64_to_dec(uint64_t v, char *buf)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

int mpp_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        size_t chunk = n < (size_t)INT_MAX ? n : (size_t)INT_MAX;
        ssize_t w = write(fd, p, chunk);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (w == 0)
            return EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

const char *mpp_format_name(mpp_format f)
{
    switch (f) {
    case MPP_FORMAT_TEXT:
        return "text";
    case MPP_FORMAT_BINARY:
        return "binary";
    case MPP_FORMAT_NATIVE:
        return "native";
    }
    return NULL;
}

static size_t decimal_digits(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

size_t mpp_format_max_bytes(mpp_format f, uint64_t hi)
{
    return f == MPP_FORMAT_TEXT ? decimal_digits(hi) + 1 : sizeof(uint64_t);
}

void mpp_piece_init(mpp_piece *p, char *buf, size_t cap, mpp_format fmt)
{
    memset(p, 0, sizeof *p);
    p->buf = buf;
    p->cap = cap;
    p->fmt = fmt;
}

void mpp_piece_reset(mpp_piece *p)
{
    p->len = 0;
    p->count = 0;
    p->first = p->last = 0;
    p->full = false;
    p->declen = 0;
}

/* Sets the decimal state to V. */
static void dec_set(mpp_piece *p, uint64_t v)
{
    char tmp[20];
    size_t n = mpp_u64_to_dec(v, tmp);
    memset(p->dec, '0', sizeof p->dec);
    memcpy(p->dec + DEC_END - n, tmp, n);
    p->declen = (int)n;
}

/* Adds GAP to the decimal state. The positions before the digits hold '0',
 * so a carry out of the top digit simply lengthens the number. */
static inline void dec_add(mpp_piece *p, uint32_t gap)
{
    char *q = p->dec + DEC_END - 1;
    while (gap) {
        unsigned d = (unsigned)(*q - '0') + gap % 10;
        gap /= 10;
        if (d >= 10) {
            d -= 10;
            gap++;
        }
        *q-- = (char)('0' + d);
    }
    int len = (int)(p->dec + DEC_END - (q + 1));
    if (len > p->declen)
        p->declen = len;
}

/* Encodes PRIMES[0..N-1] as text at OUT; returns the bytes written. The
 * caller guarantees the room (each line plus LINE_STORE - 1 bytes). */
static size_t encode_text(mpp_piece *p, const uint64_t *primes, size_t n, char *out)
{
    char *o = out;
    uint64_t prev = p->count ? p->last : 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = primes[i];
        if (p->declen == 0 || v - prev > UINT32_MAX)
            dec_set(p, v);
        else
            dec_add(p, (uint32_t)(v - prev));
        prev = v;
        memcpy(o, p->dec + DEC_END - p->declen, LINE_STORE);
        o[p->declen] = '\n';
        o += p->declen + 1;
    }
    return (size_t)(o - out);
}

static size_t encode_binary(const uint64_t *primes, size_t n, char *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, primes, n * sizeof *primes);
#else
    unsigned char *o = (unsigned char *)out;
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            *o++ = (unsigned char)(primes[i] >> (8 * b));
#endif
    return n * sizeof *primes;
}

int mpp_piece_push(void *piece, const uint64_t *primes, size_t n)
{
    mpp_piece *p = piece;
    if (n == 0 || p->full)
        return p->full ? MPP_PIECE_FULL : 0;
    /* Every line of this batch is at most as long as its largest prime's. */
    size_t per = mpp_format_max_bytes(p->fmt, primes[n - 1]);
    size_t room = p->cap - p->len, take = n;
    if (room / per < n)
        take = room / per;
    char *out = p->buf + p->len;
    switch (p->fmt) {
    case MPP_FORMAT_TEXT:
        p->len += encode_text(p, primes, take, out);
        break;
    case MPP_FORMAT_BINARY:
        p->len += encode_binary(primes, take, out);
        break;
    case MPP_FORMAT_NATIVE:
        memcpy(out, primes, take * sizeof *primes);
        p->len += take * sizeof *primes;
        break;
    }
    if (take > 0) {
        if (p->count == 0)
            p->first = primes[0];
        p->last = primes[take - 1];
        p->count += take;
    }
    if (take < n) {
        p->full = true;
        return MPP_PIECE_FULL;
    }
    return 0;
}

int mpp_chunk_push(void *ctx, const uint64_t *primes, size_t n)
{
    mpp_chunk_sink *c = ctx;
    uint64_t before = c->piece->count;
    int rc = mpp_piece_push(c->piece, primes, n);
    if (!c->any && c->piece->count > before) {
        c->first = primes[0];
        c->any = true;
    }
    return rc;
}

/* ---- output files ---- */

static void outfile_clear(mpp_outfile *o)
{
    free(o->tmp);
    free(o->target);
    o->tmp = o->target = NULL;
    o->fd = -1;
}

/* The process's umask, without changing it even for a moment (another
 * thread could create a file meanwhile): /proc/self/status has it (Linux
 * 4.7 and later); elsewhere umask() is set and restored. */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        char line[256];
        unsigned mask;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "Umask: %o", &mask) == 1) {
                fclose(f);
                return (mode_t)mask;
            }
        fclose(f);
    }
    mode_t mask = umask(0);
    umask(mask);
    return mask;
}

/* The old file's cached pages are worthless once it is replaced: dropping
 * them now (the file itself is untouched) lets the new file reuse that
 * memory, as truncating it would, instead of needing as much again. */
static void drop_cached_pages(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        close(fd);
    }
}

int mpp_outfile_open(mpp_outfile *o, const char *path)
{
    struct stat st;
    o->fd = -1;
    o->tmp = o->target = NULL;
    if (path[0] == '\0')
        return ENOENT;
    /* A symbolic link is followed, so that the link itself survives. A
     * dangling one (its target does not exist) is replaced by the file. */
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        o->target = realpath(path, NULL);
        if (!o->target && errno != ENOENT)
            return errno; /* e.g. a loop, or a target we may not look at */
    }
    if (!o->target && !(o->target = strdup(path)))
        return ENOMEM;
    bool exists = stat(o->target, &st) == 0;
    int e = 0;
    if (!exists && errno != ENOENT) {
        e = errno;
    } else if (exists && S_ISDIR(st.st_mode)) {
        e = EISDIR;
    } else if (exists && !S_ISREG(st.st_mode)) {
        /* O_NONBLOCK: a FIFO nobody reads is an error (ENXIO), not a hang. */
        o->fd = open(o->target, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (o->fd < 0 || fcntl(o->fd, F_SETFL, 0) != 0)
            e = errno;
    } else if (exists && access(o->target, W_OK) != 0) {
        e = errno; /* a read-only file is not replaced behind its owner's back */
    } else {
        static const char suffix[] = ".tmp-XXXXXX";
        size_t len = strlen(o->target);
        mode_t mode = exists ? st.st_mode & 07777 : 0666 & ~current_umask();
        if (!(o->tmp = malloc(len + sizeof suffix))) {
            e = ENOMEM;
        } else {
            memcpy(o->tmp, o->target, len);
            memcpy(o->tmp + len, suffix, sizeof suffix);
            o->fd = mkostemp(o->tmp, O_CLOEXEC);
            if (o->fd < 0) {
                e = errno;
            } else if (fchmod(o->fd, mode) != 0) {
                e = errno;
                close(o->fd);
                o->fd = -1;
                unlink(o->tmp);
            }
            if (e) {
                free(o->tmp);
                o->tmp = NULL;
            } else if (exists) {
                drop_cached_pages(o->target);
            }
        }
    }
    if (e) {
        if (o->fd >= 0)
            close(o->fd);
        outfile_clear(o);
    }
    return e;
}

bool mpp_outfile_is_direct(const mpp_outfile *o)
{
    return o->tmp == NULL;
}

int mpp_outfile_close_fd(mpp_outfile *o)
{
    int e = 0;
    if (o->fd >= 0 && close(o->fd) != 0 && errno != EINTR)
        e = errno;
    o->fd = -1;
    return e;
}

int mpp_outfile_commit(mpp_outfile *o)
{
    int e = mpp_outfile_close_fd(o);
    if (o->tmp) {
        if (!e && rename(o->tmp, o->target) != 0)
            e = errno;
        if (e)
            unlink(o->tmp);
    }
    outfile_clear(o);
    return e;
}

void mpp_outfile_abandon(mpp_outfile *o)
{
    mpp_outfile_close_fd(o);
    if (o->tmp)
        unlink(o->tmp);
    outfile_clear(o);
}

int mpp_appendfile_open(mpp_appendfile *a, const char *path)
{
    a->fd = -1;
    a->created = false;
    a->path = NULL;
    if (path[0] == '\0')
        return ENOENT;
    int fd = -1;
    /* Tell "created here" from "was there": an existing file first, then
     * an exclusive create, retried should another process win the race.
     * O_NONBLOCK: a FIFO without a reader is ENXIO at once (cleared below). */
    const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    for (int tries = 0; fd < 0 && tries < 8; tries++) {
        fd = open(path, flags);
        if (fd >= 0 || errno != ENOENT)
            break;
        fd = open(path, flags | O_CREAT | O_EXCL, 0666);
        if (fd >= 0) {
            a->created = true;
            break;
        }
        struct stat link;
        if (errno == EEXIST && lstat(path, &link) == 0 && S_ISLNK(link.st_mode)) {
            /* a link to a file yet to be made: made through the link, as
             * ">>" does; not "created" here, so never removed by name */
            fd = open(path, flags | O_CREAT, 0666);
            break;
        }
        if (errno != EEXIST)
            break;
    }
    if (fd < 0)
        return errno ? errno : EIO;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) { /* not reached on Linux */
        close(fd);
        return EISDIR;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl != -1)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    a->path = strdup(path);
    if (a->path == NULL) {
        int e = errno;
        close(fd);
        if (a->created)
            unlink(path);
        a->created = false;
        return e;
    }
    a->fd = fd;
    return 0;
}

bool mpp_appendfile_empty(const mpp_appendfile *a)
{
    struct stat st;
    return fstat(a->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0;
}

int mpp_appendfile_write(mpp_appendfile *a, const void *buf, size_t len)
{
    struct stat st;
    bool regular = fstat(a->fd, &st) == 0 && S_ISREG(st.st_mode);
    int e = mpp_write_all(a->fd, buf, len);
    if (e && regular && ftruncate(a->fd, st.st_size) != 0) {
        /* nothing more can be done; E is the error to report */
    }
    return e;
}

void mpp_appendfile_lock(mpp_appendfile *a)
{
    while (flock(a->fd, LOCK_EX) != 0 && errno == EINTR) {
    }
}

void mpp_appendfile_unlock(mpp_appendfile *a)
{
    (void)flock(a->fd, LOCK_UN);
}

void mpp_appendfile_close(mpp_appendfile *a, bool keep)
{
    if (a->fd < 0)
        return;
    bool remove = !keep && a->created && mpp_appendfile_empty(a);
    close(a->fd);
    a->fd = -1;
    if (remove)
        unlink(a->path);
    free(a->path);
    a->path = NULL;
}
