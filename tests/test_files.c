/* test_files.c - unit tests of the output files and write(2) until done
 * (src/sys/files.c), every result checked against the file system:
 *
 *   mpp_write_all         a regular file and a pipe (1 MiB to a slow reader
 *                         while SIGALRM interrupts the writes: partial writes
 *                         and EINTR), a short write at RLIMIT_FSIZE, ENOSPC on
 *                         /dev/full, EBADF on a closed descriptor, EPIPE.
 *   mpp_outfile           a regular file appears under its name only at
 *                         commit ("NAME.tmp-XXXXXX" beside it until then,
 *                         renamed, not copied), with mode 0666 & ~umask when
 *                         new or the replaced file's mode; the old file stays
 *                         until commit and after abandon or a failed write
 *                         (EFBIG); a failed rename removes the temporary file;
 *                         symbolic links are followed (the temporary file in
 *                         the target's directory, the link kept), a dangling
 *                         one is replaced; devices and FIFOs are written
 *                         directly (/dev/null, /dev/full, ENXIO for a FIFO
 *                         nobody reads); the errors ENOENT, ENOTDIR, EISDIR,
 *                         EACCES (a read-only file, checked as user nobody
 *                         when running as root).
 *   mpp_appendfile        (--csv) a new file is created (CREATED, mode 0666 &
 *                         ~umask for six umasks), an existing one appended to
 *                         (same inode and mode, never truncated), also through
 *                         a link; the descriptor is O_APPEND and close-on-exec;
 *                         EMPTY for a new or 0-byte file, not after a write,
 *                         always for /dev/null and a FIFO; two appenders, and
 *                         two processes writing 400 records each at once, add
 *                         whole records in the order written; close with KEEP
 *                         false removes the file only when this open created it
 *                         and it is still empty (not when another appender
 *                         wrote to it, nor a file that existed, even of 0
 *                         bytes); the errors ENOENT (also for ""), ENOTDIR,
 *                         EISDIR, EACCES (a read-only file; a new file in a
 *                         directory the user may not write; as user nobody
 *                         when root), ENOSPC on /dev/full; a write that fails
 *                         partway (RLIMIT_FSIZE in a child: EFBIG) cuts the
 *                         file back to its size before the write.
 *   resuming (--checkpoint) mpp_write_atomic replaces a file whole, with no
 *                         temporary file left, and fails (ENOENT) in a missing
 *                         directory leaving nothing; mpp_read_file reads it
 *                         back, ENOENT for none, EFBIG beyond its limit;
 *                         mpp_outfile_keep leaves the temporary file;
 *                         mpp_outfile_resume takes it up cut to the bytes
 *                         given, and commits it under its name; ENOENT when
 *                         it is gone, ERANGE when it is shorter; and
 *                         mpp_outfile_leftovers counts and names the
 *                         temporary files of a target, mpp_remove_leftovers
 *                         removes them.
 */
#define _DEFAULT_SOURCE /* realpath, setgroups */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "testutil.h"

/* ---- helpers ---- */



/* The whole content of file PATH (malloc'd, NUL-terminated); *LEN its size. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        cap *= 2;
        buf = realloc(buf, cap);
        ck_assert_ptr_nonnull(buf);
    }
    ck_assert_int_eq(ferror(f), 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void expect_file(const char *path, const char *content)
{
    size_t len;
    char *got = slurp(path, &len);
    ck_assert_msg(len == strlen(content) && memcmp(got, content, len) == 0,
                  "%s holds \"%s\", expected \"%s\"", path, got, content);
    free(got);
}

/* Creates (or truncates) PATH holding CONTENT, then sets its mode to MODE. */
static void write_file(const char *path, const char *content, mode_t mode)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot create %s: %s", path, strerror(errno));
    ck_assert_int_ge(fputs(content, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(path, mode), 0);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* The permission bits of PATH (followed if a link). */
static mode_t mode_of(const char *path)
{
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
    return st.st_mode & 07777;
}

/* A fresh, empty temporary directory; its name goes to DIR (>= 64 bytes). */
static void make_dir(char *dir)
{
    strcpy(dir, "/tmp/mpp_test_output_XXXXXX");
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
}

/* DIR/NAME into BUF (>= 128 bytes). */
static void join(char *buf, const char *dir, const char *name)
{
    int n = snprintf(buf, 128, "%s/%s", dir, name);
    ck_assert(n > 0 && n < 128);
}

/* What DIR holds: the number of entries (besides . and ..); the name of the
 * one matching "PREFIX.tmp-XXXXXX" (six characters after the dash) goes to
 * TMPNAME when given, and *NTMP receives how many entries look temporary
 * (contain ".tmp-"). */
static int scan_dir(const char *dir, const char *prefix, char *tmpname, int *ntmp)
{
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "opendir %s: %s", dir, strerror(errno));
    int n = 0, t = 0;
    struct dirent *e;
    char pattern[128];
    snprintf(pattern, sizeof pattern, "%s.tmp-", prefix);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (strstr(e->d_name, ".tmp-") != NULL)
            t++;
        if (tmpname && strncmp(e->d_name, pattern, strlen(pattern)) == 0 &&
            strlen(e->d_name) == strlen(pattern) + 6)
            strcpy(tmpname, e->d_name);
    }
    closedir(d);
    if (ntmp)
        *ntmp = t;
    return n;
}

/* Removes DIR and the files, links and FIFOs in it. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    char path[128];
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            join(path, dir, e->d_name);
            unlink(path);
        }
    closedir(d);
    ck_assert_int_eq(rmdir(dir), 0);
}

static mode_t current_umask(void)
{
    mode_t m = umask(0);
    umask(m);
    return m;
}

/* An mpp_outfile after a failed open, a commit or an abandon: nothing left
 * open or allocated. */
static void expect_cleared(const mpp_outfile *o)
{
    ck_assert_int_eq(o->fd, -1);
    ck_assert_ptr_null(o->tmp);
    ck_assert_ptr_null(o->target);
}

/* Checks an mpp_outfile just opened on TARGET for a temporary file: a
 * regular file named "TARGET.tmp-XXXXXX", open on o->fd, with mode MODE.
 * Returns its inode number. */
static ino_t expect_temporary(const mpp_outfile *o, const char *target, mode_t mode)
{
    ck_assert(!mpp_outfile_is_direct(o));
    ck_assert_int_ge(o->fd, 0);
    ck_assert_ptr_nonnull(o->target);
    ck_assert_ptr_nonnull(o->tmp);
    ck_assert_str_eq(o->target, target);
    size_t n = strlen(target);
    ck_assert_uint_eq(strlen(o->tmp), n + strlen(".tmp-") + 6);
    ck_assert(strncmp(o->tmp, target, n) == 0);
    ck_assert(strncmp(o->tmp + n, ".tmp-", 5) == 0);
    struct stat fs, ps;
    ck_assert_int_eq(fstat(o->fd, &fs), 0);
    ck_assert_int_eq(lstat(o->tmp, &ps), 0);
    ck_assert(S_ISREG(ps.st_mode));
    ck_assert(fs.st_ino == ps.st_ino && fs.st_dev == ps.st_dev);
    ck_assert_msg((ps.st_mode & 07777) == mode, "%s: mode %o, expected %o", o->tmp,
                  (unsigned)(ps.st_mode & 07777), (unsigned)mode);
    return ps.st_ino;
}

/* Opens DIR/NAME with mpp_outfile_open, writes TEXT with mpp_write_all, and
 * checks the state before commit: no NAME yet (or, when OLD is given, NAME
 * still holding OLD), and a single "NAME.tmp-XXXXXX" beside it, of mode
 * MODE; then commits and checks that NAME is that file (renamed), holding
 * TEXT with mode MODE, and that nothing else is left. */
static void write_and_commit(const char *dir, const char *name, const char *text,
                             const char *old, mode_t mode)
{
    char path[128], tmpname[128] = "", tmppath[128];
    join(path, dir, name);
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    ino_t ino = expect_temporary(&o, path, mode);
    ck_assert_int_eq(mpp_write_all(o.fd, text, strlen(text)), 0);

    int ntmp;
    int n = scan_dir(dir, name, tmpname, &ntmp);
    ck_assert_int_eq(ntmp, 1);
    ck_assert_msg(tmpname[0] != '\0', "no %s.tmp-XXXXXX in %s", name, dir);
    ck_assert_int_eq(n, old ? 2 : 1);
    join(tmppath, dir, tmpname);
    ck_assert_str_eq(o.tmp, tmppath);
    if (old)
        expect_file(path, old);
    else
        ck_assert_msg(!exists(path), "%s exists before commit", path);

    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    expect_cleared(&o);
    expect_file(path, text);
    ck_assert_int_eq(scan_dir(dir, name, NULL, &ntmp), 1);
    ck_assert_int_eq(ntmp, 0);
    ck_assert(!exists(tmppath));

    struct stat st;
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert(st.st_ino == ino);
    ck_assert_msg((st.st_mode & 07777) == mode, "mode %o, expected %o (umask %o)",
                  (unsigned)(st.st_mode & 07777), (unsigned)mode, (unsigned)current_umask());
}

/* ---- mpp_u64_to_dec ---- */

/* ---- mpp_write_all ---- */

/* N reproducible bytes (malloc'd). */
static char *pattern_bytes(size_t n, uint64_t seed)
{
    char *b = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(b);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++)
        b[i] = (char)(test_xorshift(&s) >> 56);
    return b;
}

START_TEST(test_write_all_file)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "data");
    static const size_t sizes[] = {0, 1, 4095, 4096, 1 << 20};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        char *want = pattern_bytes(n, 0x1234 + k);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(mpp_write_all(fd, want, n), 0);
        /* Appended, in order, after a second call. */
        ck_assert_int_eq(mpp_write_all(fd, "tail", 4), 0);
        ck_assert_int_eq(close(fd), 0);
        size_t len;
        char *got = slurp(path, &len);
        ck_assert_uint_eq(len, n + 4);
        test_expect_bytes(got, want, n, "file content");
        ck_assert(memcmp(got + n, "tail", 4) == 0);
        free(got);
        free(want);
    }
    remove_dir(dir);
}
END_TEST

START_TEST(test_write_all_pipe_small)
{
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    char *want = pattern_bytes(3000, 99);
    ck_assert_int_eq(mpp_write_all(p[1], want, 3000), 0);
    ck_assert_int_eq(close(p[1]), 0);
    char got[4000];
    size_t n = 0;
    ssize_t r;
    while ((r = read(p[0], got + n, sizeof got - n)) > 0)
        n += (size_t)r;
    ck_assert_int_eq(r, 0);
    ck_assert_uint_eq(n, 3000);
    test_expect_bytes(got, want, 3000, "pipe");
    close(p[0]);
    free(want);
}
END_TEST

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* 1 MiB into a pipe whose reader (a child process) takes it slowly, while a
 * SIGALRM handler installed without SA_RESTART fires every millisecond: the
 * writes come back short (interrupted after some bytes went through) or fail
 * with EINTR (interrupted while the pipe stays full, during the reader's
 * pauses), and everything must still arrive, in order. The child checks what
 * it reads and exits 0 when all is right. */
START_TEST(test_write_all_pipe_interrupted)
{
    const size_t n = (size_t)1 << 20;
    char *data = pattern_bytes(n, 4242);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(p[1]);
        char buf[4096];
        size_t got = 0;
        int ok = 1;
        struct timespec nap = {0, 100000}, pause = {0, 4000000};
        for (int reads = 1;; reads++) {
            ssize_t r = read(p[0], buf, sizeof buf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            if (got + (size_t)r > n || memcmp(buf, data + got, (size_t)r) != 0)
                ok = 0;
            got += (size_t)r;
            nanosleep(reads % 16 ? &nap : &pause, NULL);
        }
        /* Under valgrind (memcheck_files, with --error-exitcode=1) the child is
         * checked too: DATA freed, so that a leak report cannot turn its
         * status into 1, the status of a wrong byte. */
        free(data);
        _exit(ok && got == n ? 0 : 1);
    }
    close(p[0]);

    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: interrupted writes return early */
    ck_assert_int_eq(sigaction(SIGALRM, &sa, &old_sa), 0);
    struct itimerval every_ms = {{0, 1000}, {0, 1000}}, off = {{0, 0}, {0, 0}};
    alarms = 0;
    ck_assert_int_eq(setitimer(ITIMER_REAL, &every_ms, NULL), 0);
    int rc = mpp_write_all(p[1], data, n);
    setitimer(ITIMER_REAL, &off, NULL);
    /* A SIGALRM raised before the timer stopped may still be pending (under
     * valgrind, which delivers signals late): ignoring it discards it, before
     * Check's own handler comes back (with CK_FORK=no, that handler answers
     * a SIGALRM by killing the whole process group). */
    signal(SIGALRM, SIG_IGN);
    sigaction(SIGALRM, &old_sa, NULL);
    close(p[1]);

    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    free(data);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(alarms > 0, "no SIGALRM arrived during the write");
    ck_assert(WIFEXITED(status));
    ck_assert_msg(WEXITSTATUS(status) == 0, "the reader got other bytes than were written");
}
END_TEST

START_TEST(test_write_all_errors)
{
    char buf[8192];
    memset(buf, '7', sizeof buf);

    int fd = open("/dev/full", O_WRONLY);
    ck_assert_msg(fd >= 0, "cannot open /dev/full: %s", strerror(errno));
    ck_assert_int_eq(mpp_write_all(fd, buf, 1), ENOSPC);
    ck_assert_int_eq(mpp_write_all(fd, buf, sizeof buf), ENOSPC);
    close(fd);

    /* A closed descriptor. */
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(close(p[1]), 0);
    ck_assert_int_eq(mpp_write_all(p[1], buf, 10), EBADF);
    ck_assert_int_eq(mpp_write_all(-1, buf, 10), EBADF);
    /* A descriptor open for reading only. */
    ck_assert_int_eq(mpp_write_all(p[0], buf, 10), EBADF);
    ck_assert_int_eq(close(p[0]), 0);

    /* A pipe nobody reads any more (SIGPIPE ignored). */
    ck_assert_int_eq(pipe(p), 0);
    ck_assert_int_eq(close(p[0]), 0);
    void (*old_handler)(int) = signal(SIGPIPE, SIG_IGN);
    int rc = mpp_write_all(p[1], buf, sizeof buf);
    signal(SIGPIPE, old_handler);
    close(p[1]);
    ck_assert_int_eq(rc, EPIPE);

    /* Nothing to write: nothing is written, whatever the descriptor. */
    ck_assert_int_eq(mpp_write_all(-1, buf, 0), 0);
}
END_TEST

/* ---- formats ---- */

/* ---- mpp_piece ---- */

/* Pieces are tested inside a larger allocation: GUARD bytes before the
 * buffer and after its CAP + MPP_PIECE_SLACK bytes, which must never
 * change. The buffer itself starts filled with another pattern, which the
 * encoder may overwrite anywhere up to CAP + MPP_PIECE_SLACK. */
#define GUARD 64
#define GUARD_BYTE ((char)0xA5)
#define FILL_BYTE ((char)0x5A)

#define NBATCHES (sizeof batches / sizeof batches[0])

/* A growable list of ascending values. */
typedef struct {
    uint64_t *v;
    size_t n, cap;
} vlist;

/* ---- mpp_outfile ---- */

START_TEST(test_outfile_new)
{
    char dir[64];
    make_dir(dir);
    write_and_commit(dir, "out.txt", "2\n3\n5\n", NULL, 0666 & ~current_umask());
    remove_dir(dir);
}
END_TEST

/* The mode follows the umask in force. */
START_TEST(test_outfile_umask)
{
    static const mode_t masks[] = {0, 022, 027, 077, 0177, 0777};
    mode_t saved = current_umask();
    char dir[64];
    make_dir(dir);
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "out%zu.txt", i);
        umask(masks[i]);
        if (masks[i] == 0777) { /* a file nobody may read: only look at it */
            char path[128];
            join(path, dir, name);
            mpp_outfile o;
            ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
            expect_temporary(&o, path, 0);
            ck_assert_int_eq(mpp_outfile_commit(&o), 0);
            umask(saved);
            ck_assert_uint_eq(mode_of(path), 0);
            ck_assert_int_eq(unlink(path), 0);
            continue;
        }
        write_and_commit(dir, name, "7\n", NULL, 0666 & ~masks[i]);
        umask(saved);
        char path[128];
        join(path, dir, name);
        ck_assert_int_eq(unlink(path), 0);
    }
    remove_dir(dir);
}
END_TEST

/* An existing regular file keeps its old content until the commit. */
START_TEST(test_outfile_replace)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "out.txt");
    write_file(path, "old content\nmore old content\n", 0644);
    write_and_commit(dir, "out.txt", "new\n", "old content\nmore old content\n", 0644);
    /* Again, now over the file the first commit made. */
    write_and_commit(dir, "out.txt", "", "new\n", 0644);
    write_and_commit(dir, "out.txt", "2\n", "", 0644);
    remove_dir(dir);
}
END_TEST

/* The replacement takes the replaced file's permission bits, whatever the
 * umask. */
START_TEST(test_outfile_keeps_mode)
{
    static const mode_t modes[] = {0640, 0600, 0755, 0604, 0666, 0700};
    static const mode_t masks[] = {022, 077, 0};
    mode_t saved = current_umask();
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "out.txt");
    for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++)
        for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
            umask(saved);
            write_file(path, "old\n", modes[i]);
            ck_assert_uint_eq(mode_of(path), modes[i]);
            umask(masks[m]);
            write_and_commit(dir, "out.txt", "new\n", "old\n", modes[i]);
        }
    umask(saved);
    remove_dir(dir);
}
END_TEST

/* Writing a large output through the descriptor, which can be closed before
 * the commit (the driver closes it and lets MPI-IO write the file). */
START_TEST(test_outfile_close_fd)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "primes.txt");
    size_t n;
    uint64_t *primes = ref_primes(0, 1000000, &n);
    size_t len;
    char *want = test_text_of(primes, n, &len);

    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    ck_assert_int_eq(mpp_write_all(o.fd, want, len), 0);
    ck_assert_int_eq(mpp_outfile_close_fd(&o), 0);
    ck_assert_int_eq(o.fd, -1);
    ck_assert_ptr_nonnull(o.tmp);
    ck_assert(exists(o.tmp)); /* the file stays */
    ck_assert(!exists(path));
    ck_assert_int_eq(mpp_outfile_close_fd(&o), 0); /* twice is harmless */
    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    expect_cleared(&o);
    size_t got_len;
    char *got = slurp(path, &got_len);
    ck_assert_uint_eq(got_len, len);
    test_expect_bytes(got, want, len, path);
    free(got);

    /* Closed, then abandoned: nothing is left, the old file stays. */
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    ck_assert_int_eq(mpp_write_all(o.fd, "x\n", 2), 0);
    ck_assert_int_eq(mpp_outfile_close_fd(&o), 0);
    mpp_outfile_abandon(&o);
    expect_cleared(&o);
    int ntmp;
    ck_assert_int_eq(scan_dir(dir, "primes.txt", NULL, &ntmp), 1);
    ck_assert_int_eq(ntmp, 0);
    got = slurp(path, &got_len);
    ck_assert_uint_eq(got_len, len);
    free(got);

    free(want);
    free(primes);
    remove_dir(dir);
}
END_TEST

START_TEST(test_outfile_abandon)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "out.txt");
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    ck_assert_int_eq(mpp_write_all(o.fd, "partial\n", 8), 0);
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, NULL), 1);
    mpp_outfile_abandon(&o);
    expect_cleared(&o);
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, NULL), 0);

    /* Abandoning a replacement leaves the old file as it was. */
    write_file(path, "old\n", 0640);
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    ck_assert_int_eq(mpp_write_all(o.fd, "new\n", 4), 0);
    mpp_outfile_abandon(&o);
    expect_cleared(&o);
    expect_file(path, "old\n");
    ck_assert_uint_eq(mode_of(path), 0640);
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, NULL), 1);
    remove_dir(dir);
}
END_TEST

START_TEST(test_outfile_errors)
{
    char dir[64], path[128], file[128];
    make_dir(dir);
    mpp_outfile o;

    join(path, dir, "missing/out.txt");
    ck_assert_int_eq(mpp_outfile_open(&o, path), ENOENT);
    expect_cleared(&o);

    join(file, dir, "file");
    write_file(file, "x\n", 0644);
    join(path, dir, "file/out.txt");
    ck_assert_int_eq(mpp_outfile_open(&o, path), ENOTDIR);
    expect_cleared(&o);
    ck_assert_int_eq(unlink(file), 0);

    ck_assert_int_eq(mpp_outfile_open(&o, dir), EISDIR);
    expect_cleared(&o);

    join(path, dir, "sub");
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_int_eq(mpp_outfile_open(&o, path), EISDIR);
    expect_cleared(&o);
    /* A link to a directory is followed to it. */
    join(file, dir, "link");
    ck_assert_int_eq(symlink("sub", file), 0);
    ck_assert_int_eq(mpp_outfile_open(&o, file), EISDIR);
    expect_cleared(&o);
    ck_assert_int_eq(unlink(file), 0);
    ck_assert_int_eq(rmdir(path), 0);

    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, NULL), 0);
    remove_dir(dir);
}
END_TEST

/* Runs FN(ARG) as the user nobody, in a child process; returns what FN
 * returned (0 to 254), or -1 when the child could not become nobody. */
static int as_nobody(int (*fn)(const void *), const void *arg)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(255);
        _exit(fn(arg));
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

static int outfile_open_child(const void *path)
{
    mpp_outfile o;
    int rc = mpp_outfile_open(&o, path);
    if (rc == 0)
        mpp_outfile_abandon(&o);
    return rc;
}

/* Opens PATH as the user nobody; returns its result (an errno), or -1 when
 * the child could not become nobody. */
static int open_as_nobody(const char *path)
{
    return as_nobody(outfile_open_child, path);
}

/* A file its owner may not write is not replaced. Root may write anything,
 * so as root the check is made as the user nobody, in a directory anybody
 * may write in (so that only the file's mode stands in the way). */
START_TEST(test_outfile_read_only)
{
    char dir[64], path[128], other[128];
    make_dir(dir);
    join(path, dir, "out.txt");
    write_file(path, "old\n", 0444);
    mpp_outfile o;
    int rc = mpp_outfile_open(&o, path);
    if (geteuid() != 0) {
        ck_assert_int_eq(rc, EACCES);
        expect_cleared(&o);
    } else {
        if (rc == 0)
            mpp_outfile_abandon(&o);
        ck_assert_int_eq(chmod(dir, 0777), 0);
        join(other, dir, "other.txt");
        int control = open_as_nobody(other); /* a new file: allowed */
        if (control < 0) {
            fprintf(stderr, "test_outfile_read_only: cannot become nobody, EACCES unchecked\n");
        } else {
            ck_assert_int_eq(control, 0);
            ck_assert_int_eq(chmod(path, 0644), 0); /* root's, nobody may not write */
            ck_assert_int_eq(open_as_nobody(path), EACCES);
            ck_assert_int_eq(chmod(path, 0666), 0); /* root's, anybody may write */
            ck_assert_int_eq(open_as_nobody(path), 0);
            ck_assert_int_eq(chmod(path, 0444), 0);
            ck_assert_int_eq(open_as_nobody(path), EACCES);
        }
    }
    expect_file(path, "old\n");
    ck_assert_uint_eq(mode_of(path), 0444);
    int ntmp;
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, &ntmp), 1);
    ck_assert_int_eq(ntmp, 0);
    remove_dir(dir);
}
END_TEST

/* A link in directory A to a file in directory B (by a relative path): the
 * temporary file is made in B, beside the target, and renamed over it; the
 * link stays a link, unchanged, and the target keeps its mode. Also through
 * a chain of two links. */
START_TEST(test_outfile_symlink)
{
    char a[64], b[64], link[128], link2[128], real[128], rel[128], resolved[PATH_MAX];
    make_dir(a);
    make_dir(b);
    join(real, b, "real.txt");
    write_file(real, "old\n", 0640);
    ck_assert_ptr_nonnull(realpath(real, resolved));
    snprintf(rel, sizeof rel, "..%s/real.txt", strrchr(b, '/'));
    join(link, a, "out.txt");
    ck_assert_int_eq(symlink(rel, link), 0);

    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, link), 0);
    ino_t ino = expect_temporary(&o, resolved, 0640);
    ck_assert_int_eq(mpp_write_all(o.fd, "2\n3\n", 4), 0);
    char tmpname[128] = "";
    int ntmp;
    ck_assert_int_eq(scan_dir(a, "out.txt", NULL, &ntmp), 1); /* the link only */
    ck_assert_int_eq(ntmp, 0);
    ck_assert_int_eq(scan_dir(b, "real.txt", tmpname, &ntmp), 2);
    ck_assert_int_eq(ntmp, 1);
    ck_assert(tmpname[0] != '\0');
    expect_file(real, "old\n");
    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    expect_cleared(&o);

    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    char got[128];
    ssize_t n = readlink(link, got, sizeof got - 1);
    ck_assert_int_gt(n, 0);
    got[n] = '\0';
    ck_assert_str_eq(got, rel);
    expect_file(real, "2\n3\n");
    expect_file(link, "2\n3\n");
    ck_assert_int_eq(lstat(real, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert(st.st_ino == ino);
    ck_assert_uint_eq(st.st_mode & 07777, 0640);
    ck_assert_int_eq(scan_dir(a, "out.txt", NULL, &ntmp), 1);
    ck_assert_int_eq(ntmp, 0);
    ck_assert_int_eq(scan_dir(b, "real.txt", NULL, &ntmp), 1);
    ck_assert_int_eq(ntmp, 0);

    /* A link to the link. */
    join(link2, a, "again.txt");
    ck_assert_int_eq(symlink("out.txt", link2), 0);
    ck_assert_int_eq(mpp_outfile_open(&o, link2), 0);
    expect_temporary(&o, resolved, 0640);
    ck_assert_int_eq(mpp_write_all(o.fd, "5\n", 2), 0);
    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    ck_assert_int_eq(lstat(link2, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    expect_file(real, "5\n");

    /* Abandoned through the link: the target stays as it was. */
    ck_assert_int_eq(mpp_outfile_open(&o, link), 0);
    ck_assert_int_eq(mpp_write_all(o.fd, "7\n", 2), 0);
    mpp_outfile_abandon(&o);
    expect_cleared(&o);
    expect_file(real, "5\n");
    ck_assert_int_eq(scan_dir(b, "real.txt", NULL, &ntmp), 1);
    ck_assert_int_eq(ntmp, 0);

    remove_dir(a);
    remove_dir(b);
}
END_TEST

/* A link to nothing cannot be followed: a regular file replaces the link. */
START_TEST(test_outfile_dangling_symlink)
{
    char dir[64], link[128], nowhere[128];
    make_dir(dir);
    join(link, dir, "out.txt");
    join(nowhere, dir, "nowhere.txt");
    ck_assert_int_eq(symlink("nowhere.txt", link), 0);

    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, link), 0);
    ino_t ino = expect_temporary(&o, link, 0666 & ~current_umask());
    ck_assert_int_eq(mpp_write_all(o.fd, "11\n", 3), 0);
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode)); /* still the link, until the commit */
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, NULL), 2);
    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    expect_cleared(&o);

    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert(st.st_ino == ino);
    ck_assert_uint_eq(st.st_mode & 07777, 0666 & ~current_umask());
    expect_file(link, "11\n");
    ck_assert(!exists(nowhere));
    int ntmp;
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, &ntmp), 1);
    ck_assert_int_eq(ntmp, 0);
    remove_dir(dir);
}
END_TEST

START_TEST(test_outfile_dev_null)
{
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, "/dev/null"), 0);
    ck_assert_int_ge(o.fd, 0);
    ck_assert_ptr_null(o.tmp);
    ck_assert(mpp_outfile_is_direct(&o));
    ck_assert_ptr_nonnull(o.target);
    ck_assert_str_eq(o.target, "/dev/null");
    struct stat st;
    ck_assert_int_eq(fstat(o.fd, &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    char *data = pattern_bytes(300000, 5);
    ck_assert_int_eq(mpp_write_all(o.fd, data, 300000), 0);
    free(data);
    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    expect_cleared(&o);
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode)); /* not replaced by a regular file */

    /* Abandoning a direct output removes nothing. */
    ck_assert_int_eq(mpp_outfile_open(&o, "/dev/null"), 0);
    mpp_outfile_abandon(&o);
    expect_cleared(&o);
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));

    /* Through a link: written directly, the link stays. */
    char dir[64], link[128];
    make_dir(dir);
    join(link, dir, "null");
    ck_assert_int_eq(symlink("/dev/null", link), 0);
    ck_assert_int_eq(mpp_outfile_open(&o, link), 0);
    ck_assert(mpp_outfile_is_direct(&o));
    ck_assert_ptr_null(o.tmp);
    ck_assert_int_eq(mpp_write_all(o.fd, "2\n", 2), 0);
    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(scan_dir(dir, "null", NULL, NULL), 1);
    remove_dir(dir);
}
END_TEST

START_TEST(test_outfile_dev_full)
{
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, "/dev/full"), 0);
    ck_assert_int_ge(o.fd, 0);
    ck_assert_ptr_null(o.tmp);
    ck_assert(mpp_outfile_is_direct(&o));
    ck_assert_int_eq(mpp_write_all(o.fd, "2\n3\n", 4), ENOSPC);
    mpp_outfile_abandon(&o);
    expect_cleared(&o);
    struct stat st;
    ck_assert_int_eq(stat("/dev/full", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

/* A FIFO nobody reads fails at once (ENXIO) rather than waiting for a
 * reader; with a reader it is written directly, by a blocking descriptor. */
START_TEST(test_outfile_fifo)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "fifo");
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, path), ENXIO);
    expect_cleared(&o);

    int rfd = open(path, O_RDONLY | O_NONBLOCK);
    ck_assert_int_ge(rfd, 0);
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    ck_assert(mpp_outfile_is_direct(&o));
    ck_assert_ptr_null(o.tmp);
    ck_assert_int_ge(o.fd, 0);
    int fl = fcntl(o.fd, F_GETFL);
    ck_assert_int_ge(fl, 0);
    ck_assert_msg((fl & O_NONBLOCK) == 0, "the FIFO is written without blocking");
    ck_assert_int_eq(fl & O_ACCMODE, O_WRONLY);
    ck_assert_int_eq(mpp_write_all(o.fd, "2\n3\n5\n", 6), 0);
    char buf[16];
    ck_assert_int_eq(read(rfd, buf, sizeof buf), 6);
    ck_assert(memcmp(buf, "2\n3\n5\n", 6) == 0);
    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    expect_cleared(&o);
    ck_assert_int_eq(read(rfd, buf, sizeof buf), 0); /* the writer is gone */
    close(rfd);

    struct stat st;
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    ck_assert_int_eq(scan_dir(dir, "fifo", NULL, NULL), 1);
    remove_dir(dir);
}
END_TEST

/* A write that fails (file size limit: a short write, then EFBIG) leaves
 * the old file as it was once abandoned, and no temporary file. */
START_TEST(test_outfile_write_failure)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "out.txt");
    write_file(path, "old\n", 0644);

    struct rlimit saved, small;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 1000;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);

    mpp_outfile o;
    int open_rc = mpp_outfile_open(&o, path);
    char *data = pattern_bytes(5000, 8);
    int write_rc = open_rc ? -1 : mpp_write_all(o.fd, data, 5000);
    struct stat st;
    int stat_rc = open_rc ? -1 : fstat(o.fd, &st);

    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_handler);

    ck_assert_int_eq(open_rc, 0);
    ck_assert_int_eq(write_rc, EFBIG);
    ck_assert_int_eq(stat_rc, 0);
    ck_assert_int_eq(st.st_size, 1000); /* the short write went through */
    size_t len;
    char *head = slurp(o.tmp, &len);
    ck_assert_uint_eq(len, 1000);
    test_expect_bytes(head, data, 1000, "the temporary file");
    free(head);
    expect_file(path, "old\n");
    mpp_outfile_abandon(&o);
    expect_cleared(&o);
    expect_file(path, "old\n");
    int ntmp;
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, &ntmp), 1);
    ck_assert_int_eq(ntmp, 0);
    free(data);
    remove_dir(dir);
}
END_TEST

/* A commit whose rename fails (a directory appeared under the name) returns
 * the error and removes the temporary file. */
START_TEST(test_outfile_commit_failure)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "out.txt");
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    ck_assert_int_eq(mpp_write_all(o.fd, "2\n", 2), 0);
    char tmp[128];
    strcpy(tmp, o.tmp);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_int_eq(mpp_outfile_commit(&o), EISDIR);
    expect_cleared(&o);
    ck_assert(!exists(tmp));
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, NULL), 1); /* the directory */
    ck_assert_int_eq(rmdir(path), 0);
    remove_dir(dir);
}
END_TEST

/* An empty path names no file (found by review: it used to create
 * "./.tmp-XXXXXX" and fail only at the commit). */
START_TEST(test_outfile_empty_path)
{
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, ""), ENOENT);
    expect_cleared(&o);
}
END_TEST

/* A link to a file the user may not reach is an error (EACCES), not a
 * dangling link to replace (found by review: it was replaced by a new file
 * owned by the user). */
START_TEST(test_outfile_symlink_unsearchable)
{
    char dir[64], sub[128], real[128], link[128];
    make_dir(dir);
    ck_assert_int_eq(chmod(dir, 0777), 0);
    join(sub, dir, "sub");
    ck_assert_int_eq(mkdir(sub, 0700), 0); /* nobody cannot enter it */
    join(real, sub, "real.txt");
    write_file(real, "old\n", 0666);
    join(link, dir, "out.txt");
    ck_assert_int_eq(symlink("sub/real.txt", link), 0);
    int rc = geteuid() == 0 ? open_as_nobody(link) : EACCES;
    struct stat st;
    bool still_link = lstat(link, &st) == 0 && S_ISLNK(st.st_mode);
    unlink(real);
    rmdir(sub);
    remove_dir(dir);
    ck_assert_int_eq(rc, EACCES);
    ck_assert(still_link);
}
END_TEST

/* ---- mpp_appendfile ---- */

/* An mpp_appendfile after a failed open or a close. */
static void expect_append_cleared(const mpp_appendfile *a)
{
    ck_assert_int_eq(a->fd, -1);
    ck_assert_ptr_null(a->path);
}

/* Writes TEXT through A, expecting success. */
static void append(mpp_appendfile *a, const char *text)
{
    ck_assert_int_eq(mpp_appendfile_write(a, text, strlen(text)), 0);
}

/* Checks an mpp_appendfile just opened on PATH: open for writing in append
 * mode, not inherited by exec, with its own copy of the name. */
static void expect_append_open(const mpp_appendfile *a, const char *path, bool created)
{
    ck_assert_int_ge(a->fd, 0);
    ck_assert_ptr_nonnull(a->path);
    ck_assert_str_eq(a->path, path);
    ck_assert_ptr_ne(a->path, path);
    ck_assert_int_eq(a->created, created);
    int fl = fcntl(a->fd, F_GETFL);
    ck_assert_int_ge(fl, 0);
    ck_assert_int_eq(fl & O_ACCMODE, O_WRONLY);
    ck_assert_msg(fl & O_APPEND, "not opened with O_APPEND");
    int fd_flags = fcntl(a->fd, F_GETFD);
    ck_assert_msg(fd_flags >= 0 && (fd_flags & FD_CLOEXEC), "not close-on-exec");
}

static ino_t inode_of(const char *path)
{
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
    return st.st_ino;
}

/* A new file is created, with mode 0666 & ~umask whatever the umask, and
 * is written in order. */
START_TEST(test_append_new)
{
    static const mode_t masks[] = {022, 0, 027, 077, 0177, 0777};
    mode_t saved = current_umask();
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "runs.csv");
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        umask(masks[i]);
        mpp_appendfile a;
        memset(&a, 0x5A, sizeof a);
        int rc = mpp_appendfile_open(&a, path);
        umask(saved);
        ck_assert_int_eq(rc, 0);
        expect_append_open(&a, path, true);
        struct stat st;
        ck_assert_int_eq(lstat(path, &st), 0);
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_int_eq(st.st_size, 0);
        ck_assert_msg((st.st_mode & 07777) == (0666 & ~masks[i]), "umask %o: mode %o, expected %o",
                      (unsigned)masks[i], (unsigned)(st.st_mode & 07777),
                      (unsigned)(0666 & ~masks[i]));
        ck_assert(mpp_appendfile_empty(&a));
        append(&a, "a,b\n");
        ck_assert(!mpp_appendfile_empty(&a));
        append(&a, "1,2\n");
        ck_assert(!mpp_appendfile_empty(&a));
        mpp_appendfile_close(&a, true);
        expect_append_cleared(&a);
        mpp_appendfile_close(&a, true); /* twice is harmless */
        mpp_appendfile_close(&a, false);
        expect_append_cleared(&a);
        ck_assert_int_eq(chmod(path, 0600), 0); /* readable whatever the umask made it */
        expect_file(path, "a,b\n1,2\n");
        ck_assert_int_eq(unlink(path), 0);
    }
    remove_dir(dir);
}
END_TEST

/* An existing file is appended to, never truncated nor replaced: same
 * inode, same mode; a close with KEEP false leaves it (it was there). */
START_TEST(test_append_existing)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "runs.csv");
    write_file(path, "a,b\n1,2\n", 0640);
    ino_t ino = inode_of(path);

    mpp_appendfile a;
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    expect_append_open(&a, path, false);
    expect_file(path, "a,b\n1,2\n"); /* not truncated by the open */
    ck_assert(!mpp_appendfile_empty(&a));
    append(&a, "3,4\n");
    mpp_appendfile_close(&a, false);
    expect_append_cleared(&a);
    expect_file(path, "a,b\n1,2\n3,4\n");
    ck_assert(inode_of(path) == ino);
    ck_assert_uint_eq(mode_of(path), 0640);

    /* Opened, nothing written, closed with KEEP false: left as it was. */
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    expect_append_open(&a, path, false);
    mpp_appendfile_close(&a, false);
    expect_append_cleared(&a);
    expect_file(path, "a,b\n1,2\n3,4\n");

    /* An existing file of 0 bytes: empty (a header belongs first), yet not
     * removed by a close with KEEP false, since it was there before. */
    write_file(path, "", 0604);
    ino = inode_of(path);
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    expect_append_open(&a, path, false);
    ck_assert(mpp_appendfile_empty(&a));
    mpp_appendfile_close(&a, false);
    ck_assert(exists(path));
    ck_assert(inode_of(path) == ino);
    ck_assert_uint_eq(mode_of(path), 0604);
    expect_file(path, "");

    /* Through a symbolic link: the target is appended to, the link stays. */
    char link[128];
    join(link, dir, "link.csv");
    ck_assert_int_eq(symlink("runs.csv", link), 0);
    ck_assert_int_eq(mpp_appendfile_open(&a, link), 0);
    expect_append_open(&a, link, false);
    ck_assert(mpp_appendfile_empty(&a));
    append(&a, "h\n");
    mpp_appendfile_close(&a, false);
    struct stat st;
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    expect_file(path, "h\n");
    ck_assert_int_eq(scan_dir(dir, "runs.csv", NULL, NULL), 2);
    remove_dir(dir);
}
END_TEST

/* Close with KEEP false removes a file the open created only while it is
 * still empty; KEEP true keeps it even then. */
START_TEST(test_append_close_removes)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "runs.csv");
    mpp_appendfile a, b;

    /* created, nothing written: removed */
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    ck_assert(a.created && exists(path));
    mpp_appendfile_close(&a, false);
    expect_append_cleared(&a);
    ck_assert(!exists(path));
    ck_assert_int_eq(scan_dir(dir, "runs.csv", NULL, NULL), 0);

    /* created, nothing written, KEEP true: kept, 0 bytes */
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    ck_assert(a.created);
    mpp_appendfile_close(&a, true);
    expect_file(path, "");
    ck_assert_int_eq(unlink(path), 0);

    /* created and written to: kept */
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    ck_assert(a.created);
    append(&a, "h\nr\n");
    mpp_appendfile_close(&a, false);
    expect_file(path, "h\nr\n");
    ck_assert_int_eq(unlink(path), 0);

    /* created here, but another appender wrote to it meanwhile: kept */
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    ck_assert_int_eq(mpp_appendfile_open(&b, path), 0);
    ck_assert(a.created && !b.created);
    ck_assert(mpp_appendfile_empty(&b));
    append(&b, "h\nother run\n");
    ck_assert(!mpp_appendfile_empty(&a));
    mpp_appendfile_close(&a, false);
    mpp_appendfile_close(&b, false);
    expect_file(path, "h\nother run\n");

    /* the other way round: the one that did not create it never removes */
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    ck_assert_int_eq(mpp_appendfile_open(&b, path), 0);
    ck_assert(a.created && !b.created);
    mpp_appendfile_close(&b, false);
    ck_assert(exists(path));
    mpp_appendfile_close(&a, false);
    ck_assert(!exists(path));

    /* a file removed behind its back: the close does not fail */
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    ck_assert_int_eq(unlink(path), 0);
    mpp_appendfile_close(&a, false);
    expect_append_cleared(&a);
    ck_assert_int_eq(scan_dir(dir, "runs.csv", NULL, NULL), 0);
    remove_dir(dir);
}
END_TEST

/* Two appenders on one file: every record lands whole at the end, in the
 * order written, whatever each descriptor's own offset. */
START_TEST(test_append_interleave)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "runs.csv");
    mpp_appendfile a, b;
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    ck_assert_int_eq(mpp_appendfile_open(&b, path), 0);
    ck_assert(mpp_appendfile_empty(&a) && mpp_appendfile_empty(&b));
    append(&a, "header\n");
    ck_assert(!mpp_appendfile_empty(&b));
    append(&b, "row of b 1\n");
    append(&a, "row of a 1\n");
    append(&a, "row of a 2, a longer one\n");
    append(&b, "b2\n");
    mpp_appendfile_close(&a, false);
    append(&b, "b3\n");
    mpp_appendfile_close(&b, false);
    expect_file(path, "header\nrow of b 1\nrow of a 1\nrow of a 2, a longer one\nb2\nb3\n");
    ck_assert_int_eq(unlink(path), 0);
    remove_dir(dir);
}
END_TEST

/* Two processes appending records of many lengths at once: each record is
 * found whole, each process's in its order. */
START_TEST(test_append_processes)
{
    enum { RECORDS = 400 };
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "runs.csv");
    write_file(path, "header\n", 0644);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    char who = pid == 0 ? 'c' : 'p';
    mpp_appendfile a;
    int rc = mpp_appendfile_open(&a, path);
    char rec[700];
    for (int i = 0; rc == 0 && i < RECORDS; i++) {
        int n = snprintf(rec, sizeof rec, "%c,%d,", who, i);
        int pad = (i * 37) % 600;
        memset(rec + n, who, (size_t)pad);
        rec[n + pad] = '\n';
        rc = mpp_appendfile_write(&a, rec, (size_t)(n + pad + 1));
    }
    if (a.fd >= 0)
        mpp_appendfile_close(&a, true);
    if (pid == 0)
        _exit(rc);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_int_eq(rc, 0);

    size_t len;
    char *text = slurp(path, &len);
    ck_assert(strncmp(text, "header\n", 7) == 0);
    int next[2] = {0, 0};
    for (char *line = text + 7; *line;) {
        char *end = strchr(line, '\n');
        ck_assert_msg(end != NULL, "unterminated record");
        *end = '\0';
        char c;
        int i, off;
        ck_assert_msg(sscanf(line, "%c,%d,%n", &c, &i, &off) == 2 && (c == 'c' || c == 'p'),
                      "bad record \"%.40s\"", line);
        int k = c == 'c';
        ck_assert_msg(i == next[k], "%c: record %d after %d", c, i, next[k] - 1);
        next[k]++;
        ck_assert_int_eq((int)strlen(line + off), (i * 37) % 600);
        for (const char *p = line + off; *p; p++)
            REQUIRE(*p == c, "record %c,%d mixed with another", c, i);
        line = end + 1;
    }
    ck_assert_int_eq(next[0], RECORDS);
    ck_assert_int_eq(next[1], RECORDS);
    free(text);
    remove_dir(dir);
}
END_TEST

/* A file that is not regular is always "empty" (nothing says what it
 * holds) and never removed. */
START_TEST(test_append_dev_null)
{
    mpp_appendfile a;
    ck_assert_int_eq(mpp_appendfile_open(&a, "/dev/null"), 0);
    expect_append_open(&a, "/dev/null", false);
    ck_assert(mpp_appendfile_empty(&a));
    append(&a, "header\nrow\n");
    ck_assert(mpp_appendfile_empty(&a));
    mpp_appendfile_close(&a, false);
    expect_append_cleared(&a);
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));

    /* A FIFO with a reader: written directly, in order. */
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "fifo");
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    int rfd = open(path, O_RDONLY | O_NONBLOCK);
    ck_assert_int_ge(rfd, 0);
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    expect_append_open(&a, path, false);
    ck_assert(mpp_appendfile_empty(&a));
    append(&a, "h\n");
    append(&a, "r\n");
    ck_assert(mpp_appendfile_empty(&a));
    char buf[16];
    ck_assert_int_eq(read(rfd, buf, sizeof buf), 4);
    ck_assert(memcmp(buf, "h\nr\n", 4) == 0);
    mpp_appendfile_close(&a, false);
    close(rfd);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    remove_dir(dir);
}
END_TEST

START_TEST(test_append_dev_full)
{
    mpp_appendfile a;
    ck_assert_int_eq(mpp_appendfile_open(&a, "/dev/full"), 0);
    expect_append_open(&a, "/dev/full", false);
    ck_assert_int_eq(mpp_appendfile_write(&a, "h\nr\n", 4), ENOSPC);
    mpp_appendfile_close(&a, false);
    expect_append_cleared(&a);
    struct stat st;
    ck_assert_int_eq(stat("/dev/full", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

START_TEST(test_append_errors)
{
    char dir[64], path[128], file[128];
    make_dir(dir);
    mpp_appendfile a;

    memset(&a, 0x5A, sizeof a);
    ck_assert_int_eq(mpp_appendfile_open(&a, ""), ENOENT);
    expect_append_cleared(&a);
    ck_assert(!a.created);
    mpp_appendfile_close(&a, false); /* harmless after a failed open */

    join(path, dir, "missing/runs.csv");
    memset(&a, 0x5A, sizeof a);
    ck_assert_int_eq(mpp_appendfile_open(&a, path), ENOENT);
    expect_append_cleared(&a);
    ck_assert(!a.created);

    join(file, dir, "file");
    write_file(file, "x\n", 0644);
    join(path, dir, "file/runs.csv");
    ck_assert_int_eq(mpp_appendfile_open(&a, path), ENOTDIR);
    expect_append_cleared(&a);
    expect_file(file, "x\n");
    ck_assert_int_eq(unlink(file), 0);

    memset(&a, 0x5A, sizeof a);
    ck_assert_int_eq(mpp_appendfile_open(&a, dir), EISDIR);
    expect_append_cleared(&a);
    ck_assert(!a.created);
    join(path, dir, "sub");
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_int_eq(mpp_appendfile_open(&a, path), EISDIR);
    expect_append_cleared(&a);
    /* a link to a directory is followed to it */
    join(file, dir, "link");
    ck_assert_int_eq(symlink("sub", file), 0);
    ck_assert_int_eq(mpp_appendfile_open(&a, file), EISDIR);
    expect_append_cleared(&a);
    ck_assert_int_eq(unlink(file), 0);
    ck_assert_int_eq(rmdir(path), 0);

    ck_assert_int_eq(scan_dir(dir, "runs.csv", NULL, NULL), 0);
    remove_dir(dir);
}
END_TEST

/* What append_as_nobody's child does. */
typedef struct {
    const char *path, *text;
    bool keep;
} append_job;

static int append_child(const void *arg)
{
    const append_job *job = arg;
    mpp_appendfile a;
    int rc = mpp_appendfile_open(&a, job->path);
    if (rc == 0 && job->text && mpp_appendfile_write(&a, job->text, strlen(job->text)) != 0)
        rc = 254;
    if (a.fd >= 0)
        mpp_appendfile_close(&a, job->keep);
    return rc;
}

/* What the user nobody gets, in a child process: the result of
 * mpp_appendfile_open on PATH (an errno), after which, when it succeeded,
 * TEXT (if any) is written and the file closed with KEEP; -1 when the child
 * could not become nobody; 254 when the write failed. */
static int append_as_nobody(const char *path, const char *text, bool keep)
{
    append_job job = {path, text, keep};
    return as_nobody(append_child, &job);
}

/* A file the user may not write: EACCES, the file as it was. As root, the
 * checks are made as the user nobody (see test_outfile_read_only), with a
 * directory nobody may write in for a new file, and one it may not. */
START_TEST(test_append_read_only)
{
    char dir[64], path[128], other[128];
    make_dir(dir);
    join(path, dir, "runs.csv");
    write_file(path, "h\n", 0444);
    mpp_appendfile a;
    if (geteuid() != 0) {
        ck_assert_int_eq(mpp_appendfile_open(&a, path), EACCES);
        expect_append_cleared(&a);
        ck_assert_int_eq(chmod(dir, 0555), 0);
        join(other, dir, "new.csv");
        ck_assert_int_eq(mpp_appendfile_open(&a, other), EACCES);
        expect_append_cleared(&a);
        ck_assert_int_eq(chmod(dir, 0700), 0);
        ck_assert(!exists(other));
    } else {
        ck_assert_int_eq(chmod(dir, 0777), 0);
        join(other, dir, "new.csv");
        int control = append_as_nobody(other, "h\n", true); /* a new file: allowed */
        if (control < 0) {
            fprintf(stderr, "test_append_read_only: cannot become nobody, EACCES unchecked\n");
        } else {
            ck_assert_int_eq(control, 0);
            expect_file(other, "h\n");
            ck_assert_int_eq(unlink(other), 0);
            /* created by nobody, nothing written: nobody removes it */
            ck_assert_int_eq(append_as_nobody(other, NULL, false), 0);
            ck_assert(!exists(other));
            ck_assert_int_eq(chmod(path, 0644), 0); /* root's, nobody may not write */
            ck_assert_int_eq(append_as_nobody(path, "x\n", false), EACCES);
            ck_assert_int_eq(chmod(path, 0666), 0); /* root's, anybody may write */
            ck_assert_int_eq(append_as_nobody(path, "r\n", false), 0);
            expect_file(path, "h\nr\n");
            ck_assert_int_eq(append_as_nobody(path, NULL, false), 0); /* not nobody's to remove */
            ck_assert(exists(path));
            ck_assert_int_eq(chmod(path, 0444), 0);
            ck_assert_int_eq(append_as_nobody(path, "x\n", false), EACCES);
            /* a directory nobody may not write in: no new file */
            ck_assert_int_eq(chmod(dir, 0755), 0);
            ck_assert_int_eq(append_as_nobody(other, "x\n", false), EACCES);
            ck_assert(!exists(other));
            expect_file(path, "h\nr\n");
            ck_assert_int_eq(truncate(path, 2), 0);
        }
    }
    expect_file(path, "h\n");
    ck_assert_uint_eq(mode_of(path), 0444);
    ck_assert_int_eq(scan_dir(dir, "runs.csv", NULL, NULL), 1);
    remove_dir(dir);
}
END_TEST

/* In a child process with a file size limit of LIMIT bytes (SIGXFSZ
 * ignored): opens PATH, writes LEN bytes of DATA, and exits with
 * 100 + the write's errno (100 for success), 1 when the open failed, 2
 * when the file's size after the write was not WANT_SIZE; the file is
 * then closed with KEEP false. Returns that exit status. */
static int append_limited(const char *path, rlim_t limit, const char *data, size_t len,
                          off_t want_size)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl;
        if (getrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(3);
        rl.rlim_cur = limit;
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(3);
        mpp_appendfile a;
        if (mpp_appendfile_open(&a, path) != 0)
            _exit(1);
        int e = mpp_appendfile_write(&a, data, len);
        struct stat st;
        if (fstat(a.fd, &st) != 0 || st.st_size != want_size)
            _exit(2);
        mpp_appendfile_close(&a, false);
        _exit(100 + e);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status), "child killed by signal %d", WTERMSIG(status));
    return WEXITSTATUS(status);
}

/* A write that fails partway (a file size limit: a short write, then
 * EFBIG) cuts a regular file back to its size before the write, so that no
 * partial record stays. */
START_TEST(test_append_write_failure)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "runs.csv");
    char *old = pattern_bytes(600, 3);
    for (size_t i = 0; i < 600; i++)
        old[i] = (char)('a' + (unsigned char)old[i] % 26);
    old[599] = '\n';
    char *data = pattern_bytes(5000, 9);

    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(old, 1, 600, f), 600);
    ck_assert_int_eq(fclose(f), 0);
    /* 400 of the 1000 bytes fit: a short write, then EFBIG; cut to 600 */
    ck_assert_int_eq(append_limited(path, 1000, data, 1000, 600), 100 + EFBIG);
    size_t len;
    char *got = slurp(path, &len);
    ck_assert_uint_eq(len, 600);
    test_expect_bytes(got, old, 600, "the file after a failed append");
    free(got);
    /* a record that fits goes through */
    ck_assert_int_eq(append_limited(path, 1000, data, 400, 1000), 100);
    got = slurp(path, &len);
    ck_assert_uint_eq(len, 1000);
    test_expect_bytes(got, old, 600, "the old part");
    test_expect_bytes(got + 600, data, 400, "the appended record");
    free(got);
    /* already at the limit: not a byte fits; the file stays */
    ck_assert_int_eq(append_limited(path, 1000, data, 10, 1000), 100 + EFBIG);
    got = slurp(path, &len);
    ck_assert_uint_eq(len, 1000);
    free(got);
    ck_assert_int_eq(unlink(path), 0);

    /* a file created by the open, cut back to nothing, then removed by the
     * close (KEEP false) since it is empty again */
    ck_assert_int_eq(append_limited(path, 1000, data, 5000, 0), 100 + EFBIG);
    ck_assert(!exists(path));
    ck_assert_int_eq(scan_dir(dir, "runs.csv", NULL, NULL), 0);
    free(old);
    free(data);
    remove_dir(dir);
}
END_TEST

/* A FIFO nobody reads: ENXIO at once (not a hang), and the descriptor of
 * a FIFO with a reader blocks again once open (O_NONBLOCK cleared). */
START_TEST(test_append_fifo_no_reader)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "fifo");
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    mpp_appendfile a;
    alarm(10); /* a hang fails the test */
    ck_assert_int_eq(mpp_appendfile_open(&a, path), ENXIO);
    expect_append_cleared(&a);
    int rfd = open(path, O_RDONLY | O_NONBLOCK);
    ck_assert_int_ge(rfd, 0);
    ck_assert_int_eq(mpp_appendfile_open(&a, path), 0);
    alarm(0);
    ck_assert_int_eq(fcntl(a.fd, F_GETFL) & O_NONBLOCK, 0);
    mpp_appendfile_close(&a, false);
    close(rfd);
    remove_dir(dir);
}
END_TEST

/* A symbolic link to a file yet to be made: the file is made through the
 * link (as the shell's >> does); the link stays, and a close without a
 * write removes nothing (the link is not a file made here). */
START_TEST(test_append_dangling_link)
{
    char dir[64], link_path[128], target[128];
    make_dir(dir);
    join(link_path, dir, "link.csv");
    join(target, dir, "target.csv");
    ck_assert_int_eq(symlink("target.csv", link_path), 0);
    mpp_appendfile a;
    ck_assert_int_eq(mpp_appendfile_open(&a, link_path), 0);
    expect_append_open(&a, link_path, false);
    ck_assert(mpp_appendfile_empty(&a));
    mpp_appendfile_close(&a, false);
    struct stat st;
    ck_assert_int_eq(lstat(link_path, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(mpp_appendfile_open(&a, link_path), 0);
    append(&a, "row\n");
    mpp_appendfile_close(&a, false);
    size_t len = 0;
    char *text = slurp(target, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert(memcmp(text, "row\n", 4) == 0);
    free(text);
    remove_dir(dir);
}
END_TEST

/* The lock: processes that lock, check for emptiness, write and unlock
 * write one header between them, and every record whole. */
START_TEST(test_append_lock)
{
    enum { WRITERS = 8, ROWS = 50 };
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "runs.csv");
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        ck_assert_int_ge(pids[w], 0);
        if (pids[w] == 0) {
            mpp_appendfile a;
            if (mpp_appendfile_open(&a, path) != 0)
                _exit(1);
            for (int i = 0; i < ROWS; i++) {
                char row[64];
                int n = snprintf(row, sizeof row, "row %d %d\n", w, i);
                mpp_appendfile_lock(&a);
                bool empty = mpp_appendfile_empty(&a);
                usleep(100); /* widen the window between the check and the write */
                if ((empty && mpp_appendfile_write(&a, "header\n", 7) != 0) ||
                    mpp_appendfile_write(&a, row, (size_t)n) != 0)
                    _exit(2);
                mpp_appendfile_unlock(&a);
            }
            mpp_appendfile_close(&a, true);
            _exit(0);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int status = 0;
        ck_assert_int_eq(waitpid(pids[w], &status, 0), pids[w]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d failed", w);
    }
    size_t len = 0;
    char *text = slurp(path, &len);
    int headers = 0, rows = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        int w, i;
        if (strcmp(line, "header") == 0)
            headers++;
        else if (sscanf(line, "row %d %d", &w, &i) == 2)
            rows++;
        else
            ck_abort_msg("a cut or interleaved record: '%s'", line);
    }
    ck_assert_int_eq(headers, 1);
    ck_assert_int_eq(rows, WRITERS * ROWS);
    ck_assert(strncmp(text, "header", 6) == 0);
    free(text);
    remove_dir(dir);
}
END_TEST


START_TEST(test_atomic_and_read)
{
    char dir[64], path[128], missing[128];
    make_dir(dir);
    join(path, dir, "ck");
    ck_assert_int_eq(mpp_write_atomic(path, "first\n", 6), 0);
    expect_file(path, "first\n");
    ck_assert_int_eq(mpp_write_atomic(path, "second, longer\n", 15), 0);
    expect_file(path, "second, longer\n");
    ck_assert_int_eq(scan_dir(dir, "ck", NULL, NULL), 1); /* no temporary file */
    char *buf;
    size_t len;
    ck_assert_int_eq(mpp_read_file(path, 1 << 20, &buf, &len), 0);
    ck_assert_uint_eq(len, 15);
    ck_assert_mem_eq(buf, "second, longer\n", 15);
    free(buf);
    ck_assert_int_eq(mpp_read_file(path, 8, &buf, &len), EFBIG);
    ck_assert_ptr_null(buf);
    join(missing, dir, "none");
    ck_assert_int_eq(mpp_read_file(missing, 100, &buf, &len), ENOENT);
    join(missing, dir, "no/ck");
    ck_assert_int_eq(mpp_write_atomic(missing, "x", 1), ENOENT);
    ck_assert_int_eq(scan_dir(dir, "ck", NULL, NULL), 1);
    remove_dir(dir);
}
END_TEST

START_TEST(test_outfile_resume)
{
    char dir[64], path[128], tmp[128], name[128] = "";
    make_dir(dir);
    join(path, dir, "out");
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    ck_assert_int_eq(mpp_write_all(o.fd, "2\n3\n5\n7\n1", 9), 0); /* "1": half a line */
    snprintf(tmp, sizeof tmp, "%s", o.tmp);
    mpp_outfile_keep(&o);
    ck_assert(exists(tmp));
    ck_assert(!exists(path));
    int ntmp;
    ck_assert_int_eq(scan_dir(dir, "out", name, &ntmp), 1);
    ck_assert_int_eq(ntmp, 1);
    char found[256];
    ck_assert_uint_eq(mpp_outfile_leftovers(path, found, sizeof found), 1);
    ck_assert_str_eq(found, tmp);
    /* more than the file holds, then a file that is gone */
    ck_assert_int_eq(mpp_outfile_resume(&o, path, tmp, 10), ERANGE);
    char gone[128];
    join(gone, dir, "out.tmp-zzzzzz");
    ck_assert_int_eq(mpp_outfile_resume(&o, path, gone, 0), ENOENT);
    /* cut back to the 8 bytes committed, written on, renamed */
    ck_assert_int_eq(mpp_outfile_resume(&o, path, tmp, 8), 0);
    ck_assert_int_eq(lseek(o.fd, 0, SEEK_END), 8);
    ck_assert_int_eq(mpp_write_all(o.fd, "11\n", 3), 0);
    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    expect_file(path, "2\n3\n5\n7\n11\n");
    ck_assert(!exists(tmp));
    ck_assert_uint_eq(mpp_outfile_leftovers(path, found, sizeof found), 0);
    /* a checkpoint's leftovers removed, nothing else */
    char a[128], b[128], other[128];
    join(a, dir, "out.tmp-aaaaaa");
    join(b, dir, "out.tmp-bbbbbb");
    join(other, dir, "out.tmp-toolong");
    write_file(a, "x", 0644);
    write_file(b, "y", 0644);
    write_file(other, "z", 0644);
    ck_assert_uint_eq(mpp_remove_leftovers(path), 2);
    ck_assert(!exists(a) && !exists(b) && exists(other) && exists(path));
    unlink(other);
    remove_dir(dir);
}
END_TEST

static Suite *files_suite(void)
{
    Suite *s = suite_create("files");
    TCase *tc = tcase_create("write_all");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_write_all_file);
    tcase_add_test(tc, test_write_all_pipe_small);
    tcase_add_test(tc, test_write_all_pipe_interrupted);
    tcase_add_test(tc, test_write_all_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("outfile");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_outfile_new);
    tcase_add_test(tc, test_outfile_umask);
    tcase_add_test(tc, test_outfile_replace);
    tcase_add_test(tc, test_outfile_keeps_mode);
    tcase_add_test(tc, test_outfile_close_fd);
    tcase_add_test(tc, test_outfile_abandon);
    tcase_add_test(tc, test_outfile_errors);
    tcase_add_test(tc, test_outfile_empty_path);
    tcase_add_test(tc, test_outfile_symlink_unsearchable);
    tcase_add_test(tc, test_outfile_read_only);
    tcase_add_test(tc, test_outfile_symlink);
    tcase_add_test(tc, test_outfile_dangling_symlink);
    tcase_add_test(tc, test_outfile_dev_null);
    tcase_add_test(tc, test_outfile_dev_full);
    tcase_add_test(tc, test_outfile_fifo);
    tcase_add_test(tc, test_outfile_write_failure);
    tcase_add_test(tc, test_outfile_commit_failure);
    tcase_add_test(tc, test_atomic_and_read);
    tcase_add_test(tc, test_outfile_resume);
    suite_add_tcase(s, tc);

    tc = tcase_create("appendfile");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_append_new);
    tcase_add_test(tc, test_append_existing);
    tcase_add_test(tc, test_append_close_removes);
    tcase_add_test(tc, test_append_interleave);
    tcase_add_test(tc, test_append_processes);
    tcase_add_test(tc, test_append_dev_null);
    tcase_add_test(tc, test_append_dev_full);
    tcase_add_test(tc, test_append_errors);
    tcase_add_test(tc, test_append_read_only);
    tcase_add_test(tc, test_append_write_failure);
    tcase_add_test(tc, test_append_fifo_no_reader);
    tcase_add_test(tc, test_append_dangling_link);
    tcase_add_test(tc, test_append_lock);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(files_suite());
}
