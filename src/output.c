/* output.c - primes as decimal text, one per line, through a large buffer
 * and fwrite (no printf per prime). */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int write_all(FILE *f, const char *buf, size_t n)
{
    errno = 0;
    if (fwrite(buf, 1, n, f) != n)
        return errno ? errno : EIO;
    return 0;
}

int mpp_write_primes(FILE *f, const uint64_t *primes, size_t n)
{
    enum { BUF = 1 << 16, LINE = 21 };
    char buf[BUF];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (used > BUF - LINE) {
            int rc = write_all(f, buf, used);
            if (rc)
                return rc;
            used = 0;
        }
        used += mpp_u64_to_dec(primes[i], buf + used);
        buf[used++] = '\n';
    }
    return used ? write_all(f, buf, used) : 0;
}

int mpp_outfile_open(mpp_outfile *o, const char *path)
{
    struct stat st;
    o->f = NULL;
    o->tmp = NULL;
    o->path = path;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode))
            return EISDIR;
        o->f = fopen(path, "w");
        return o->f ? 0 : errno;
    }
    static const char suffix[] = ".tmp-XXXXXX";
    size_t len = strlen(path);
    o->tmp = malloc(len + sizeof suffix);
    if (!o->tmp)
        return ENOMEM;
    memcpy(o->tmp, path, len);
    memcpy(o->tmp + len, suffix, sizeof suffix);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        return e;
    }
    /* mkstemp makes the file 0600; give it the usual 0666 & ~umask. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
        return e;
    }
    return 0;
}

int mpp_outfile_commit(mpp_outfile *o)
{
    int e = 0;
    errno = 0;
    if (fflush(o->f) != 0 || ferror(o->f))
        e = errno ? errno : EIO;
    if (fclose(o->f) != 0 && !e)
        e = errno ? errno : EIO;
    o->f = NULL;
    if (o->tmp) {
        if (!e && rename(o->tmp, o->path) != 0)
            e = errno;
        if (e)
            unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    return e;
}

void mpp_outfile_abandon(mpp_outfile *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp) {
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
}
