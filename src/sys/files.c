/* files.c - output files that appear only when complete, files that
 * records are appended to under a lock, and write(2) until done. */
#define _GNU_SOURCE /* mkostemp */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

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
    /* on disk before it has its name, and the name on disk after: a crash
     * then leaves the old file or the whole new one, never a part */
    int e = o->tmp && o->fd >= 0 && fsync(o->fd) != 0 && errno != EINVAL ? errno : 0;
    int c = mpp_outfile_close_fd(o);
    e = e ? e : c;
    if (o->tmp) {
        if (!e && rename(o->tmp, o->target) != 0)
            e = errno;
        if (e)
            unlink(o->tmp);
        else
            mpp_fsync_dir(o->target);
    }
    outfile_clear(o);
    return e;
}

int mpp_outfile_resume(mpp_outfile *o, const char *path, const char *tmp, uint64_t bytes)
{
    struct stat st;
    o->fd = -1;
    o->tmp = o->target = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        o->target = realpath(path, NULL);
    if ((!o->target && !(o->target = strdup(path))) || !(o->tmp = strdup(tmp))) {
        outfile_clear(o);
        return ENOMEM;
    }
    int e = 0;
    o->fd = open(o->tmp, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (o->fd < 0)
        e = errno;
    else if (fstat(o->fd, &st) != 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = EINVAL;
    else if ((uint64_t)st.st_size < bytes)
        e = ERANGE;
    else if (ftruncate(o->fd, (off_t)bytes) != 0)
        e = errno;
    if (e) {
        if (o->fd >= 0)
            close(o->fd);
        outfile_clear(o);
    }
    return e;
}

/* The temporary files "PATH.tmp-XXXXXX": counted, the first named in
 * FOUND, or (REMOVE) removed. */
static size_t leftovers(const char *path, char *found, size_t size, bool remove)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0, blen = strlen(base), n = 0;
    char *dir = strndup(slash ? path : ".", slash ? dirlen : 1);
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    if (found && size)
        found[0] = '\0';
    while (d && (e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (strncmp(name, base, blen) != 0 || strncmp(name + blen, ".tmp-", 5) != 0 ||
            strlen(name + blen + 5) != 6)
            continue;
        if (n++ == 0 && found && size)
            snprintf(found, size, "%.*s%s", (int)dirlen, path, name);
        if (remove && dir && dirfd(d) >= 0)
            unlinkat(dirfd(d), name, 0);
    }
    if (d)
        closedir(d);
    free(dir);
    return n;
}

size_t mpp_outfile_leftovers(const char *path, char *found, size_t size)
{
    return leftovers(path, found, size, false);
}

size_t mpp_remove_leftovers(const char *path)
{
    return leftovers(path, NULL, 0, true);
}

void mpp_fsync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        fsync(fd); /* (some file systems cannot: nothing more to do) */
        close(fd);
    }
    free(dir);
}

int mpp_write_atomic(const char *path, const void *buf, size_t len)
{
    static const char suffix[] = ".tmp-XXXXXX";
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof suffix);
    if (tmp == NULL)
        return ENOMEM;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, suffix, sizeof suffix);
    int fd = mkostemp(tmp, O_CLOEXEC), e = 0;
    if (fd < 0) {
        free(tmp);
        return errno;
    }
    if (fchmod(fd, 0666 & ~current_umask()) != 0 || (e = mpp_write_all(fd, buf, len)) != 0 ||
        fsync(fd) != 0)
        e = e ? e : errno;
    if (close(fd) != 0 && !e && errno != EINTR)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e)
        unlink(tmp);
    else
        mpp_fsync_dir(path);
    free(tmp);
    return e;
}

int mpp_read_file(const char *path, size_t max, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC), e = 0;
    if (fd < 0)
        return errno;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    while (b && !e) {
        if (n > max) {
            e = EFBIG;
            break;
        }
        if (n == cap) {
            char *more = realloc(b, cap * 2);
            if (more == NULL) {
                e = ENOMEM;
                break;
            }
            b = more;
            cap *= 2;
        }
        ssize_t got = read(fd, b + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            e = errno;
        else if (got == 0)
            break;
        else
            n += (size_t)got;
    }
    close(fd);
    if (b == NULL)
        e = ENOMEM;
    if (e) {
        free(b);
        return e;
    }
    *buf = b;
    *len = n;
    return 0;
}

void mpp_outfile_keep(mpp_outfile *o)
{
    mpp_outfile_close_fd(o);
    outfile_clear(o);
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
