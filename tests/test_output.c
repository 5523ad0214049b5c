/* test_output.c - unit tests of the prime encoders and output files
 * (src/output.c), every result compared with an independent reference
 * (snprintf "%" PRIu64, bytes decoded by hand, the file system):
 *
 *   mpp_u64_to_dec        edge and pseudo-random values against snprintf.
 *   mpp_write_all         a regular file and a pipe (1 MiB to a slow reader
 *                         while SIGALRM interrupts the writes: partial writes
 *                         and EINTR), a short write at RLIMIT_FSIZE, ENOSPC on
 *                         /dev/full, EBADF on a closed descriptor, EPIPE.
 *   mpp_format_name, mpp_format_max_bytes.
 *   mpp_piece             TEXT: the incremental decimal encoder, in batches of
 *                         1 to 4096 values, byte for byte against snprintf:
 *                         carries through every digit, every power of ten up
 *                         to 10^19, 20-digit values up to UINT64_MAX, gaps of
 *                         every magnitude (around and above 2^32, where the
 *                         encoder starts afresh), first values 0 and 1, and
 *                         mpp_piece_reset between ranges. BINARY (little-
 *                         endian bytes decoded by hand) and NATIVE. Capacity:
 *                         only whole values are stored, MPP_PIECE_FULL and
 *                         FULL when one is refused (and on every push after),
 *                         COUNT / FIRST / LAST / LEN describe exactly what was
 *                         stored, as many values as fit when they are pushed
 *                         one at a time or with lines of one length, and guard
 *                         bytes before the buffer and past CAP +
 *                         MPP_PIECE_SLACK are never touched.
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

#include "output.h"
#include "testutil.h"

/* ---- helpers ---- */

/* ck_assert_msg for the inner loops: Check records every assertion that
 * passes (a write to its log in fork mode), which costs more than the code
 * under test; this one does nothing until it fails. */
#define REQUIRE(cond, ...)                                                                 \
    do {                                                                                   \
        if (!(cond))                                                                       \
            ck_abort_msg(__VA_ARGS__);                                                     \
    } while (0)

/* xorshift64: a fixed, reproducible sequence of 64-bit values. */
static uint64_t xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Pseudo-random values of every magnitude: a random value shifted right by a
 * random amount, so that short numbers are as common as long ones. */
static uint64_t any_magnitude(uint64_t *state)
{
    uint64_t v = xorshift(state);
    return v >> (xorshift(state) % 64);
}

/* Converts V with mpp_u64_to_dec and compares with snprintf. The bytes of the
 * buffer past the digits must be left alone (no NUL is written). */
static void expect_dec(uint64_t v)
{
    char want[32], got[32];
    memset(got, '#', sizeof got);
    int wn = snprintf(want, sizeof want, "%" PRIu64, v);
    size_t n = mpp_u64_to_dec(v, got);
    REQUIRE(n == (size_t)wn, "%" PRIu64 ": %zu digits, expected %d", v, n, wn);
    REQUIRE(memcmp(got, want, n) == 0, "%" PRIu64 ": got \"%.*s\"", v, (int)n, got);
    for (size_t i = n; i < sizeof got; i++)
        REQUIRE(got[i] == '#', "%" PRIu64 ": byte %zu past the digits written", v, i);
}

/* The length of V's line, "V\n", by snprintf. */
static size_t line_len(uint64_t v)
{
    char b[32];
    return (size_t)snprintf(b, sizeof b, "%" PRIu64 "\n", v);
}

/* The text of V[0..N-1], one per line, built with snprintf (malloc'd,
 * NUL-terminated); *LEN receives its length. */
static char *text_of(const uint64_t *v, size_t n, size_t *len)
{
    char *buf = malloc(n * 21 + 1);
    REQUIRE(buf != NULL, "out of memory");
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, 22, "%" PRIu64 "\n", v[i]);
    buf[used] = '\0';
    *len = used;
    return buf;
}

/* Fails, naming WHAT and the first differing offset, unless GOT[0..N-1]
 * equals WANT[0..N-1]. */
static void expect_bytes(const char *got, const char *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i]) {
            size_t from = i >= 24 ? i - 24 : 0;
            size_t to = i + 24 < n ? i + 24 : n;
            ck_abort_msg("%s: byte %zu of %zu is 0x%02x, expected 0x%02x; got \"%.*s\", "
                         "expected \"%.*s\" (from byte %zu)",
                         what, i, n, (unsigned char)got[i], (unsigned char)want[i],
                         (int)(to - from), got + from, (int)(to - from), want + from, from);
        }
}

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

START_TEST(test_dec_edges)
{
    expect_dec(0);
    expect_dec(1);
    expect_dec(9);
    expect_dec(10);
    expect_dec(11);
    expect_dec(99);
    expect_dec(100);
    uint64_t p = 1;
    for (int k = 0; k <= 19; k++) { /* 10^k - 1, 10^k, 10^k + 1 */
        expect_dec(p - 1);
        expect_dec(p);
        expect_dec(p + 1);
        if (k < 19)
            p *= 10;
    }
    for (int k = 0; k < 64; k++) {
        expect_dec((uint64_t)1 << k);
        expect_dec(((uint64_t)1 << k) - 1);
    }
    expect_dec(UINT64_MAX);
    expect_dec(UINT64_MAX - 1);
    expect_dec(18446744073709551557ULL);

    /* Spelled out once: the longest output, all 20 digits. */
    char buf[20];
    ck_assert_uint_eq(mpp_u64_to_dec(UINT64_MAX, buf), 20);
    ck_assert(memcmp(buf, "18446744073709551615", 20) == 0);
    ck_assert_uint_eq(mpp_u64_to_dec(0, buf), 1);
    ck_assert_int_eq(buf[0], '0');
}
END_TEST

START_TEST(test_dec_random)
{
    uint64_t state = 88172645463325252ULL;
    for (int i = 0; i < 5000; i++) {
        expect_dec(xorshift(&state));
        expect_dec(any_magnitude(&state));
    }
}
END_TEST

/* ---- mpp_write_all ---- */

/* N reproducible bytes (malloc'd). */
static char *pattern_bytes(size_t n, uint64_t seed)
{
    char *b = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(b);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++)
        b[i] = (char)(xorshift(&s) >> 56);
    return b;
}

/* mpp_chunk_push: chunks one after another into one piece; each chunk's
 * sink notes the first prime the piece took for it, and nothing when the
 * piece took none of its primes. */
START_TEST(test_chunk_push)
{
    static char buf[3 * 8 + MPP_PIECE_SLACK];
    mpp_piece p;
    mpp_piece_init(&p, buf, 3 * 8, MPP_FORMAT_NATIVE); /* room for 3 primes */
    const uint64_t a[] = {2, 3}, b[] = {5, 7}, c[] = {11};
    mpp_chunk_sink s1 = {&p, 0, false}, s2 = {&p, 0, false}, s3 = {&p, 0, false};
    ck_assert_int_eq(mpp_chunk_push(&s1, a, 2), 0);
    ck_assert(s1.any);
    ck_assert_uint_eq(s1.first, 2);
    ck_assert_int_eq(mpp_chunk_push(&s2, b, 2), MPP_PIECE_FULL); /* takes 5 only */
    ck_assert(s2.any);
    ck_assert_uint_eq(s2.first, 5);
    ck_assert_uint_eq(p.count, 3);
    ck_assert_uint_eq(p.first, 2); /* the piece's first is its first chunk's */
    ck_assert_uint_eq(p.last, 5);
    ck_assert_int_eq(mpp_chunk_push(&s3, c, 1), MPP_PIECE_FULL);
    ck_assert(!s3.any);
    ck_assert_uint_eq(p.count, 3);
    mpp_chunk_sink s4 = {&p, 0, false};
    ck_assert_int_eq(mpp_chunk_push(&s4, c, 0), MPP_PIECE_FULL); /* an empty batch */
    ck_assert(!s4.any);
}
END_TEST

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
        expect_bytes(got, want, n, "file content");
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
    expect_bytes(got, want, 3000, "pipe");
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

START_TEST(test_format_names)
{
    ck_assert_str_eq(mpp_format_name(MPP_FORMAT_TEXT), "text");
    ck_assert_str_eq(mpp_format_name(MPP_FORMAT_BINARY), "binary");
    ck_assert_str_eq(mpp_format_name(MPP_FORMAT_NATIVE), "native");
    ck_assert_ptr_null(mpp_format_name((mpp_format)3));
    ck_assert_ptr_null(mpp_format_name((mpp_format)99));
    ck_assert_int_eq(MPP_FORMAT_TEXT, 0); /* the zero value is the default */
    ck_assert_int_gt(MPP_PIECE_FULL, 0); /* a sink's stop value is positive */
}
END_TEST

START_TEST(test_format_max_bytes)
{
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 0), 2);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 2), 2);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 9), 2);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 10), 3);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 99), 3);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, 100), 4);
    ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, UINT64_MAX), 21);
    /* Every power of ten and its neighbours, and every power of two. */
    uint64_t p = 1;
    for (int k = 0; k <= 19; k++) {
        uint64_t vs[3] = {p - 1, p, p + 1};
        for (int j = 0; j < 3; j++)
            ck_assert_msg(mpp_format_max_bytes(MPP_FORMAT_TEXT, vs[j]) == line_len(vs[j]),
                          "%" PRIu64, vs[j]);
        if (k < 19)
            p *= 10;
    }
    for (int k = 0; k < 64; k++) {
        uint64_t v = (uint64_t)1 << k;
        ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, v), line_len(v));
        ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, v - 1), line_len(v - 1));
    }
    uint64_t state = 77;
    for (int i = 0; i < 2000; i++) {
        uint64_t v = any_magnitude(&state);
        ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_TEXT, v), line_len(v));
    }
    static const uint64_t his[] = {0, 1, 2, 255, 256, 1000000007, UINT64_MAX};
    for (size_t i = 0; i < sizeof his / sizeof his[0]; i++) {
        ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_BINARY, his[i]), 8);
        ck_assert_uint_eq(mpp_format_max_bytes(MPP_FORMAT_NATIVE, his[i]), 8);
    }
}
END_TEST

/* ---- mpp_piece ---- */

/* Pieces are tested inside a larger allocation: GUARD bytes before the
 * buffer and after its CAP + MPP_PIECE_SLACK bytes, which must never
 * change. The buffer itself starts filled with another pattern, which the
 * encoder may overwrite anywhere up to CAP + MPP_PIECE_SLACK. */
#define GUARD 64
#define GUARD_BYTE ((char)0xA5)
#define FILL_BYTE ((char)0x5A)

static char *guarded_alloc(size_t cap)
{
    size_t total = GUARD + cap + MPP_PIECE_SLACK + GUARD;
    char *mem = malloc(total);
    REQUIRE(mem != NULL, "out of memory");
    memset(mem, GUARD_BYTE, total);
    memset(mem + GUARD, FILL_BYTE, cap + MPP_PIECE_SLACK);
    return mem;
}

static void check_guards(const char *mem, size_t cap)
{
    for (size_t i = 0; i < GUARD; i++)
        REQUIRE(mem[i] == GUARD_BYTE, "byte %zu before the buffer written", (size_t)GUARD - i);
    const char *end = mem + GUARD + cap + MPP_PIECE_SLACK;
    for (size_t i = 0; i < GUARD; i++)
        REQUIRE(end[i] == GUARD_BYTE, "byte cap + MPP_PIECE_SLACK + %zu written (cap %zu)", i,
                cap);
}

/* Checks that P holds exactly V[0..COUNT-1] in its format: the count, first,
 * last and len fields and the bytes. Text is compared with snprintf's;
 * binary bytes are decoded by hand, little-endian; native words with
 * memcpy. */
static void expect_stored(const mpp_piece *p, const uint64_t *v, size_t count)
{
    REQUIRE(p->count == count, "count %" PRIu64 ", expected %zu", p->count, count);
    if (count > 0) {
        REQUIRE(p->first == v[0], "first %" PRIu64 ", expected %" PRIu64, p->first, v[0]);
        REQUIRE(p->last == v[count - 1], "last %" PRIu64 ", expected %" PRIu64, p->last,
                v[count - 1]);
    }
    REQUIRE(p->len <= p->cap, "len %zu beyond cap %zu", p->len, p->cap);
    switch (p->fmt) {
    case MPP_FORMAT_TEXT: {
        size_t want_len;
        char *want = text_of(v, count, &want_len);
        REQUIRE(p->len == want_len, "len %zu, expected %zu", p->len, want_len);
        expect_bytes(p->buf, want, want_len, "text");
        free(want);
        break;
    }
    case MPP_FORMAT_BINARY: {
        REQUIRE(p->len == count * 8, "len %zu for %zu values", p->len, count);
        const unsigned char *b = (const unsigned char *)p->buf;
        for (size_t i = 0; i < count; i++) {
            uint64_t x = 0;
            for (int k = 7; k >= 0; k--)
                x = x << 8 | b[8 * i + (size_t)k];
            REQUIRE(x == v[i], "value %zu: %" PRIu64 ", expected %" PRIu64, i, x, v[i]);
        }
        break;
    }
    case MPP_FORMAT_NATIVE:
        REQUIRE(p->len == count * 8, "len %zu for %zu values", p->len, count);
        for (size_t i = 0; i < count; i++) {
            uint64_t x;
            memcpy(&x, p->buf + 8 * i, 8);
            REQUIRE(x == v[i], "value %zu: %" PRIu64 ", expected %" PRIu64, i, x, v[i]);
        }
        break;
    default:
        ck_abort_msg("format %d", (int)p->fmt);
    }
}

static size_t bytes_of(mpp_format fmt, uint64_t v)
{
    return fmt == MPP_FORMAT_TEXT ? line_len(v) : 8;
}

/* Pushes V[0..N-1] (ascending) into the empty piece P (whose buffer lies in
 * MEM, see guarded_alloc) in batches of BATCH, and checks each push: 0 while
 * everything fits, else MPP_PIECE_FULL with FULL set and only a prefix of
 * the batch taken, at least as many values as fit at the length of the
 * batch's longest ("when the next prime might not fit it stops"). Returns
 * how many values were stored; *SAW_FULL tells whether one was refused. */
static size_t push_batches(mpp_piece *p, const char *mem, const uint64_t *v, size_t n,
                           size_t batch, bool *saw_full)
{
    size_t i = 0;
    *saw_full = false;
    while (i < n) {
        size_t k = n - i < batch ? n - i : batch;
        size_t len0 = p->len;
        uint64_t count0 = p->count;
        int rc = mpp_piece_push(p, v + i, k);
        check_guards(mem, p->cap);
        REQUIRE(p->len <= p->cap, "len %zu beyond cap %zu", p->len, p->cap);
        REQUIRE(p->count >= count0 && p->count - count0 <= k, "count %" PRIu64 " after %" PRIu64,
                p->count, count0);
        size_t taken = (size_t)(p->count - count0);
        if (rc == 0) {
            REQUIRE(taken == k, "push of %zu returned 0 but took %zu", k, taken);
            REQUIRE(!p->full, "full set, but the push returned 0");
            i += k;
            continue;
        }
        REQUIRE(rc == MPP_PIECE_FULL, "push returned %d", rc);
        REQUIRE(p->full, "push returned MPP_PIECE_FULL without setting full");
        REQUIRE(taken < k, "push returned MPP_PIECE_FULL but took all %zu", k);
        size_t longest = 0;
        for (size_t j = i; j < i + k; j++)
            if (bytes_of(p->fmt, v[j]) > longest)
                longest = bytes_of(p->fmt, v[j]);
        REQUIRE(taken >= (p->cap - len0) / longest,
                "took %zu of %zu with %zu bytes free, lines of up to %zu bytes", taken, k,
                p->cap - len0, longest);
        i += taken;
        *saw_full = true;
        break;
    }
    return i;
}

/* After a refusal: more pushes are refused too and change nothing, neither
 * the fields nor any byte of the buffer (V[0..N-1]: the values refused). */
static void expect_stays_full(mpp_piece *p, const char *mem, const uint64_t *v, size_t n)
{
    size_t total = GUARD + p->cap + MPP_PIECE_SLACK + GUARD;
    char *snap = malloc(total);
    REQUIRE(snap != NULL, "out of memory");
    memcpy(snap, mem, total);
    mpp_piece before = *p;
    REQUIRE(mpp_piece_push(p, v, 1) == MPP_PIECE_FULL, "a full piece took a value");
    REQUIRE(mpp_piece_push(p, v, n) == MPP_PIECE_FULL, "a full piece took values");
    static const uint64_t small[] = {0};
    REQUIRE(mpp_piece_push(p, small, 1) == MPP_PIECE_FULL, "a full piece took 0");
    mpp_piece_push(p, v, 0); /* whatever it returns, it changes nothing */
    REQUIRE(p->full, "full cleared");
    REQUIRE(p->len == before.len && p->count == before.count && p->first == before.first &&
                p->last == before.last,
            "a full piece changed: len %zu -> %zu, count %" PRIu64 " -> %" PRIu64, before.len,
            p->len, before.count, p->count);
    REQUIRE(memcmp(snap, mem, total) == 0, "a full piece's buffer changed");
    free(snap);
}

/* Pushes V[0..N-1] into a fresh piece of format FMT and capacity CAP in
 * batches of BATCH, and checks everything: each push, the guards, what is
 * stored, that a full piece stays as it is. When the values are pushed one
 * at a time, or are all of one length, the piece must take exactly as many
 * as fit. Returns how many were stored. */
static size_t feed(mpp_format fmt, const uint64_t *v, size_t n, size_t batch, size_t cap)
{
    char *mem = guarded_alloc(cap);
    mpp_piece p;
    mpp_piece_init(&p, mem + GUARD, cap, fmt);
    bool full;
    size_t stored = push_batches(&p, mem, v, n, batch, &full);
    REQUIRE(p.full == full, "full is %d", (int)p.full);
    expect_stored(&p, v, stored);

    bool uniform = true;
    for (size_t i = 1; i < n && uniform; i++)
        uniform = bytes_of(fmt, v[i]) == bytes_of(fmt, v[0]);
    if (batch == 1 || uniform) {
        size_t fit = 0, used = 0;
        while (fit < n && used + bytes_of(fmt, v[fit]) <= cap)
            used += bytes_of(fmt, v[fit++]);
        REQUIRE(stored == fit, "stored %zu of %zu values, %zu fit in %zu bytes (batch %zu)",
                stored, n, fit, cap, batch);
    }
    if (full)
        expect_stays_full(&p, mem, v + stored, n - stored);
    check_guards(mem, cap);
    free(mem);
    return stored;
}

static const size_t batches[] = {1, 2, 3, 7, 64, 4096};
#define NBATCHES (sizeof batches / sizeof batches[0])

/* Feeds V[0..N-1] as text with room for all of it, in every batch size and
 * in a single batch; everything must be stored. One at a time, the exact
 * room suffices; a batch may need room for as many lines as it has at the
 * length of its longest (21 bytes at most). */
static void expect_text(const uint64_t *v, size_t n)
{
    size_t len;
    free(text_of(v, n, &len));
    ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, v, n, 1, len), n);
    for (size_t b = 0; b <= NBATCHES; b++) {
        size_t batch = b < NBATCHES ? batches[b] : (n ? n : 1);
        ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, v, n, batch, 21 * n), n);
    }
}

/* A growable list of ascending values. */
typedef struct {
    uint64_t *v;
    size_t n, cap;
} vlist;

static void vadd(vlist *l, uint64_t x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        REQUIRE(l->v != NULL, "out of memory");
    }
    REQUIRE(l->n == 0 || x > l->v[l->n - 1], "test values not ascending at %zu", l->n);
    l->v[l->n++] = x;
}

/* 10^K, 0 <= K <= 19. */
static uint64_t pow10u(int k)
{
    uint64_t p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

/* Carries: single steps across every power of ten (carrying through all the
 * digits, 19 of them from 10^19 - 1 to 10^19), and the examples. */
START_TEST(test_text_carries)
{
    static const uint64_t examples[][2] = {
        {999, 1000},
        {99999999, 100000001},
        {9, 10},
        {99, 101},
        {1999, 2000},
        {9999999999ULL, 10000000000ULL},
        {99999999999999999ULL, 100000000000000003ULL},
        {9999999999999999999ULL, 10000000000000000000ULL},
        {9999999999999999999ULL, 10000000000000000009ULL},
        {12345678999999999ULL, 12345679000000000ULL},
        {18446744073709551599ULL, UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
        expect_text(examples[i], 2);

    /* Spelled out once. */
    char mem[64 + MPP_PIECE_SLACK];
    mpp_piece p;
    mpp_piece_init(&p, mem, 64, MPP_FORMAT_TEXT);
    static const uint64_t v[] = {99999999, 100000001, 100000010};
    ck_assert_int_eq(mpp_piece_push(&p, v, 3), 0);
    ck_assert_uint_eq(p.len, 29);
    ck_assert(memcmp(mem, "99999999\n100000001\n100000010\n", 29) == 0);

    /* 0, 1, 2, then around each power of ten 10^k - 2 ... 10^k + 1, and
     * the last four values below 2^64. */
    vlist l = {0};
    for (uint64_t x = 0; x < 4; x++)
        vadd(&l, x);
    for (int k = 1; k <= 19; k++)
        for (int d = -2; d <= 1; d++)
            if (pow10u(k) + (uint64_t)d > l.v[l.n - 1])
                vadd(&l, pow10u(k) + (uint64_t)d);
    for (uint64_t x = UINT64_MAX - 3; x != 0; x++)
        vadd(&l, x);
    ck_assert_uint_eq(l.v[l.n - 1], UINT64_MAX);
    expect_text(l.v, l.n);
    free(l.v);

    /* Runs of small steps (1 to 300) through each power of ten, each run
     * pushed into a piece of its own (gaps below 2^32: the digits are added
     * to, with carries). */
    uint64_t state = 0xfeedbeef;
    for (int k = 1; k <= 19; k++) {
        vlist r = {0};
        uint64_t lo = pow10u(k) > 3000 ? pow10u(k) - 3000 : 0;
        for (uint64_t x = lo; x <= pow10u(k) + 3000; x += 1 + xorshift(&state) % 300)
            vadd(&r, x);
        expect_text(r.v, r.n);
        free(r.v);
    }
}
END_TEST

/* 20-digit values: from 2^64 - 100000 up to UINT64_MAX itself, in gaps of
 * 1 to 1500 (the largest prime gaps below 2^64), and some steps of 1. */
START_TEST(test_text_top)
{
    uint64_t state = 0x5eed;
    vlist l = {0};
    uint64_t x = UINT64_MAX - 100000;
    while (x < UINT64_MAX - 1600) {
        vadd(&l, x);
        x += 1 + xorshift(&state) % 1500;
    }
    for (x = UINT64_MAX - 20; x != 0; x++)
        vadd(&l, x);
    expect_text(l.v, l.n);
    free(l.v);

    static const uint64_t top[] = {UINT64_MAX};
    expect_text(top, 1);
    static const uint64_t top2[] = {18446744073709551557ULL, UINT64_MAX};
    expect_text(top2, 2);
    /* From a short number straight to the longest. */
    static const uint64_t jump[] = {2, 3, UINT64_MAX - 1, UINT64_MAX};
    expect_text(jump, 4);
}
END_TEST

/* First values 0 and 1, and single values. */
START_TEST(test_text_first)
{
    static const uint64_t a[] = {0, 1, 2, 3, 5, 7, 11};
    expect_text(a, 7);
    expect_text(a + 1, 6);
    expect_text(a, 1);
    expect_text(a + 1, 1);
    static const uint64_t b[] = {0, 10, 100, 1000};
    expect_text(b, 4);
    static const uint64_t c[] = {0, 4294967295ULL, 4294967296ULL};
    expect_text(c, 3);
    static const uint64_t d[] = {1, 4294967297ULL};
    expect_text(d, 2);
    static const uint64_t e[] = {0, UINT64_MAX};
    expect_text(e, 2);
    expect_text(a, 0);
}
END_TEST

/* Gaps around 2^32: up to UINT32_MAX the digits are added to, beyond it they
 * are written afresh; both must give the same text, also when the gap
 * changes the number of digits. */
START_TEST(test_text_big_gaps)
{
    const uint64_t g = UINT32_MAX;
    static const uint64_t starts[] = {
        0,
        1,
        7,
        999999,
        10000000000ULL - 4294967295ULL, /* + UINT32_MAX = 10^10: 11 digits */
        9999999999ULL - 4294967295ULL,  /* + UINT32_MAX = 10^10 - 1 */
        10000000000000000000ULL - 4294967295ULL, /* + UINT32_MAX = 10^19 */
        9999999999999999999ULL - 2 * 4294967295ULL,
        UINT64_MAX - 5 * 4294967296ULL, /* up to the top of the range */
    };
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        uint64_t steps[] = {g, g + 1, g - 1, 1, g + 2, 2, g, (uint64_t)1 << 40, 3};
        vlist l = {0};
        uint64_t x = starts[s];
        vadd(&l, x);
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
            if (x > UINT64_MAX - steps[i])
                break;
            x += steps[i];
            vadd(&l, x);
        }
        expect_text(l.v, l.n);
        free(l.v);
    }
}
END_TEST

/* Random gaps of random magnitudes (1 to 2^44, so about one in four beyond
 * 2^32), from several starting points up to the top of the range. */
START_TEST(test_text_random_gaps)
{
    uint64_t state = 0xabcdef12345ULL;
    static const uint64_t starts[] = {0, 1, 1000000, 1000000000000ULL, 1000000000000000000ULL,
                                      UINT64_MAX - ((uint64_t)1 << 55)};
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        vlist l = {0};
        uint64_t x = starts[s];
        for (int i = 0; i < 3000; i++) {
            vadd(&l, x);
            uint64_t gap = 1 + (xorshift(&state) >> (20 + xorshift(&state) % 44));
            if (x > UINT64_MAX - gap)
                break;
            x += gap;
        }
        expect_text(l.v, l.n);
        free(l.v);
    }
}
END_TEST

/* The common case, prime-sized gaps (2 to 300), many values in batches as
 * the finder delivers them, at several magnitudes; plus real primes. */
START_TEST(test_text_prime_gaps)
{
    uint64_t state = 0x31415926;
    for (int k = 1; k <= 19; k += 3) {
        vlist l = {0};
        uint64_t x = pow10u(k) - (k > 5 ? 60000 : pow10u(k) - 1);
        for (int i = 0; i < 20000; i++) {
            vadd(&l, x);
            x += 2 + xorshift(&state) % 299;
        }
        size_t len;
        free(text_of(l.v, l.n, &len));
        ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, l.v, l.n, 1, len), l.n);
        /* A batch crossing a power of ten may want a byte more per line. */
        ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, l.v, l.n, 4096, len + 4096), l.n);
        ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, l.v, l.n, 1000, len + 1000), l.n);
        free(l.v);
    }
    size_t n;
    uint64_t *primes = ref_primes(0, 300000, &n);
    size_t len;
    free(text_of(primes, n, &len));
    ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, primes, n, 1, len), n);
    ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, primes, n, 4096, len + 4096), n);
    free(primes);
}
END_TEST

/* A piece reused for the next range starts afresh, whatever the previous
 * range held: a lower first value, a first value just above the previous
 * range's last, after a refusal. The buffer, capacity and format stay. */
START_TEST(test_piece_reset)
{
    size_t cap = 4096;
    char *mem = guarded_alloc(cap);
    char *buf = mem + GUARD;
    mpp_piece p;
    mpp_piece_init(&p, buf, cap, MPP_FORMAT_TEXT);

    vlist a = {0};
    for (uint64_t x = 1000; x <= 2000; x += 7)
        vadd(&a, x);
    ck_assert_int_eq(mpp_piece_push(&p, a.v, a.n), 0);
    expect_stored(&p, a.v, a.n);

    static const uint64_t ranges[][3] = {
        {5, 6, 100},                                  /* lower, shorter */
        {25, 26, 27},                                 /* after 100: a gap of -75 */
        {28, 29, 31},                                 /* just above the previous last */
        {7, 8, 9},                                    /* after 31 */
        {999999, 1000000, 1000003},                   /* longer */
        {7, 11, 13},                                  /* after 1000003 */
        {UINT64_MAX - 2, UINT64_MAX - 1, UINT64_MAX}, /* 20 digits */
        {0, 1, 2},                                    /* and back to 0 */
        {3, 4, 5},
    };
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        mpp_piece_reset(&p);
        ck_assert_uint_eq(p.len, 0);
        ck_assert_uint_eq(p.count, 0);
        ck_assert(!p.full);
        ck_assert_ptr_eq(p.buf, buf);
        ck_assert_uint_eq(p.cap, cap);
        ck_assert_int_eq(p.fmt, MPP_FORMAT_TEXT);
        ck_assert_int_eq(mpp_piece_push(&p, ranges[r], 1), 0);
        ck_assert_int_eq(mpp_piece_push(&p, ranges[r] + 1, 2), 0);
        expect_stored(&p, ranges[r], 3);
        check_guards(mem, cap);
    }

    /* Reset after a refusal: the piece takes values again. */
    mpp_piece_init(&p, buf, 40, MPP_FORMAT_TEXT);
    ck_assert_int_eq(mpp_piece_push(&p, a.v, a.n), MPP_PIECE_FULL); /* 5-byte lines */
    ck_assert(p.full);
    expect_stored(&p, a.v, 8);
    mpp_piece_reset(&p);
    ck_assert(!p.full);
    ck_assert_uint_eq(p.cap, 40);
    static const uint64_t three[] = {3, 1000};
    ck_assert_int_eq(mpp_piece_push(&p, three, 1), 0);
    ck_assert_int_eq(mpp_piece_push(&p, three + 1, 1), 0);
    expect_stored(&p, three, 2);
    ck_assert(memcmp(buf, "3\n1000\n", 7) == 0);
    check_guards(mem, cap);
    free(a.v);
    free(mem);

    /* Binary and native pieces too. */
    for (int f = MPP_FORMAT_BINARY; f <= MPP_FORMAT_NATIVE; f++) {
        mem = guarded_alloc(cap);
        mpp_piece_init(&p, mem + GUARD, cap, (mpp_format)f);
        ck_assert_int_eq(mpp_piece_push(&p, ranges[4], 3), 0);
        expect_stored(&p, ranges[4], 3);
        mpp_piece_reset(&p);
        ck_assert_int_eq(p.fmt, f);
        ck_assert_int_eq(mpp_piece_push(&p, ranges[0], 3), 0);
        expect_stored(&p, ranges[0], 3);
        check_guards(mem, cap);
        free(mem);
    }
}
END_TEST

/* mpp_piece_init sets every field, whatever was there; a push of no values
 * changes nothing and returns 0. */
START_TEST(test_piece_init_empty)
{
    char mem[100 + MPP_PIECE_SLACK];
    memset(mem, FILL_BYTE, sizeof mem);
    for (int f = MPP_FORMAT_TEXT; f <= MPP_FORMAT_NATIVE; f++) {
        mpp_piece p;
        memset(&p, 0xff, sizeof p);
        mpp_piece_init(&p, mem, 100, (mpp_format)f);
        ck_assert_ptr_eq(p.buf, mem);
        ck_assert_uint_eq(p.cap, 100);
        ck_assert_int_eq(p.fmt, f);
        ck_assert_uint_eq(p.len, 0);
        ck_assert_uint_eq(p.count, 0);
        ck_assert(!p.full);

        static const uint64_t v[] = {2, 3};
        ck_assert_int_eq(mpp_piece_push(&p, v, 0), 0);
        ck_assert_uint_eq(p.len, 0);
        ck_assert_uint_eq(p.count, 0);
        ck_assert(!p.full);
        ck_assert_int_eq(mpp_piece_push(&p, v, 2), 0);
        ck_assert_int_eq(mpp_piece_push(&p, v, 0), 0);
        expect_stored(&p, v, 2);
        if (f != MPP_FORMAT_TEXT) /* text may scribble in the slack */
            for (size_t i = p.len; i < sizeof mem; i++)
                ck_assert(mem[i] == FILL_BYTE);
        memset(mem, FILL_BYTE, sizeof mem);
    }
}
END_TEST

/* Binary: 8 bytes per value, least significant first; spelled out, then
 * values of every magnitude in batches. Native: this machine's words. */
START_TEST(test_binary_native)
{
    char mem[64 + MPP_PIECE_SLACK];
    mpp_piece p;
    mpp_piece_init(&p, mem, 64, MPP_FORMAT_BINARY);
    static const uint64_t v[] = {0x0102030405060708ULL, 2, UINT64_MAX, 0x8000000000000001ULL};
    ck_assert_int_eq(mpp_piece_push(&p, v, 1), 0);
    ck_assert_int_eq(mpp_piece_push(&p, v + 1, 1), 0);
    ck_assert_int_eq(mpp_piece_push(&p, v + 2, 1), 0);
    ck_assert_int_eq(mpp_piece_push(&p, v + 3, 1), 0);
    static const unsigned char want[32] = {
        8, 7, 6, 5, 4, 3, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0x80};
    ck_assert_uint_eq(p.len, 32);
    ck_assert(memcmp(mem, want, 32) == 0);
    ck_assert_uint_eq(p.count, 4);
    ck_assert_uint_eq(p.first, v[0]);
    ck_assert_uint_eq(p.last, v[3]);

    mpp_piece_init(&p, mem, 64, MPP_FORMAT_NATIVE);
    ck_assert_int_eq(mpp_piece_push(&p, v, 4), 0);
    ck_assert_uint_eq(p.len, 32);
    ck_assert(memcmp(mem, v, 32) == 0);

    uint64_t state = 0x2468ace;
    vlist l = {0};
    uint64_t x = 0;
    for (int i = 0; i < 5000; i++) {
        vadd(&l, x);
        uint64_t gap = 1 + (xorshift(&state) >> (1 + xorshift(&state) % 63));
        if (x > UINT64_MAX - gap)
            break;
        x += gap;
    }
    for (int f = MPP_FORMAT_BINARY; f <= MPP_FORMAT_NATIVE; f++)
        for (size_t b = 0; b < NBATCHES; b++) {
            ck_assert_uint_eq(feed((mpp_format)f, l.v, l.n, batches[b], 8 * l.n), l.n);
            ck_assert_uint_eq(feed((mpp_format)f, l.v, l.n, batches[b], 8 * l.n + 7), l.n);
        }
    free(l.v);
}
END_TEST

/* A small piece: cap = 50 holds "2\n3\n5\n7\n" and 14 two-digit primes
 * (8 + 42 bytes) when they come one at a time; in one batch, only as many
 * as fit at the length of the batch's largest. */
START_TEST(test_capacity_small)
{
    size_t n;
    uint64_t *primes = ref_primes(0, 1000, &n);
    ck_assert_uint_eq(n, 168);

    char *mem = guarded_alloc(50);
    mpp_piece p;
    mpp_piece_init(&p, mem + GUARD, 50, MPP_FORMAT_TEXT);
    size_t i = 0;
    int rc = 0;
    while (i < n && (rc = mpp_piece_push(&p, primes + i, 1)) == 0)
        i++;
    ck_assert_int_eq(rc, MPP_PIECE_FULL);
    ck_assert_uint_eq(i, 18);
    ck_assert(p.full);
    ck_assert_uint_eq(p.count, 18);
    ck_assert_uint_eq(p.first, 2);
    ck_assert_uint_eq(p.last, 61);
    ck_assert_uint_eq(p.len, 50);
    ck_assert(memcmp(p.buf, "2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n31\n37\n41\n43\n47\n53\n59\n61\n",
                     50) == 0);
    check_guards(mem, 50);
    expect_stays_full(&p, mem, primes + i, n - i);
    free(mem);

    for (size_t b = 0; b < NBATCHES; b++)
        for (size_t cap = 0; cap <= 120; cap++)
            feed(MPP_FORMAT_TEXT, primes, n, batches[b], cap);
    ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, primes, n, 1, 50), 18);
    /* All 168 in one batch: lines of up to 4 bytes ("997\n"), so at least
     * 50 / 4 of them, and no more than fit. */
    size_t k = feed(MPP_FORMAT_TEXT, primes, n, 200, 50);
    ck_assert_uint_ge(k, 50 / 4);
    ck_assert_uint_le(k, 18);
    free(primes);
}
END_TEST

/* Lines of one length L (every digit count from 1 to 20) and capacities
 * around multiples of L: exactly floor(cap / L) values are stored, in any
 * batch size. */
START_TEST(test_capacity_uniform)
{
    for (int d = 1; d <= 20; d++) {
        uint64_t lo = d == 1 ? 0 : pow10u(d - 1);
        uint64_t hi = d == 20 ? UINT64_MAX : pow10u(d) - 1;
        vlist l = {0};
        for (uint64_t x = lo; l.n < 12 && x <= hi; x++)
            vadd(&l, x);
        if (d > 1) { /* and the largest of that length */
            l.n = 8;
            for (uint64_t x = hi - 3; x <= hi && x != 0; x++)
                vadd(&l, x);
        }
        size_t L = (size_t)d + 1;
        for (size_t m = 0; m <= l.n + 1; m++) {
            size_t caps[] = {m * L, m * L + 1, m * L + L - 1, m * L > 0 ? m * L - 1 : 0};
            for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
                size_t want = caps[c] / L < l.n ? caps[c] / L : l.n;
                static const size_t bs[] = {1, 2, 5, 100};
                for (size_t b = 0; b < sizeof bs / sizeof bs[0]; b++)
                    ck_assert_msg(feed(MPP_FORMAT_TEXT, l.v, l.n, bs[b], caps[c]) == want,
                                  "%d digits, cap %zu, batch %zu", d, caps[c], bs[b]);
            }
        }
        free(l.v);
    }
}
END_TEST

/* Lines of mixed lengths, the capacity running through every value from 0
 * to past the whole text: across 9 -> 10, 99 -> 100, 9999 -> 10000, and
 * 10^19 - 1 -> 10^19 with 19- and 20-digit values. */
START_TEST(test_capacity_mixed)
{
    static const uint64_t sets[][8] = {
        {5, 7, 9, 10, 11, 13, 97, 101},
        {89, 97, 99, 100, 101, 103, 997, 1009},
        {9973, 9991, 9999, 10000, 10007, 10009, 99991, 100003},
        {9999999999999999961ULL, 9999999999999999999ULL, 10000000000000000000ULL,
         10000000000000000051ULL, 18446744073709551557ULL, 18446744073709551558ULL,
         18446744073709551559ULL, UINT64_MAX},
        {2, 3, 1000000007ULL, 10000000019ULL, 100000000003ULL, 1000000000039ULL,
         10000000000000000051ULL, UINT64_MAX},
    };
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        size_t len;
        free(text_of(sets[s], 8, &len));
        for (size_t cap = 0; cap <= len + 25; cap++)
            for (size_t b = 1; b <= 8; b++)
                feed(MPP_FORMAT_TEXT, sets[s], 8, b, cap);
    }
}
END_TEST

/* Binary and native: 8 bytes each, floor(cap / 8) values. */
START_TEST(test_capacity_binary)
{
    static const uint64_t v[] = {2, 3, 5, 1000003, 4294967311ULL, UINT64_MAX - 58,
                                 UINT64_MAX};
    for (int f = MPP_FORMAT_BINARY; f <= MPP_FORMAT_NATIVE; f++)
        for (size_t cap = 0; cap <= 70; cap++)
            for (size_t b = 1; b <= 8; b++) {
                size_t want = cap / 8 < 7 ? cap / 8 : 7;
                ck_assert_uint_eq(feed((mpp_format)f, v, 7, b, cap), want);
            }
}
END_TEST

/* The capacity reached after several batches, at any point of a batch:
 * 7-digit primes in batches of up to 4096 (the driver's use). */
START_TEST(test_capacity_large)
{
    size_t n;
    uint64_t *primes = ref_primes(1000000, 1100000, &n);
    size_t len;
    free(text_of(primes, n, &len));
    static const size_t caps[] = {7, 8, 9, 4095, 4096, 65536, 100000, 100001};
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++)
        for (size_t b = 0; b < NBATCHES; b++) {
            /* 7-digit primes: 8 bytes each, exactly floor(cap / 8). */
            size_t want = caps[c] / 8 < n ? caps[c] / 8 : n;
            ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, primes, n, batches[b], caps[c]), want);
            ck_assert_uint_eq(feed(MPP_FORMAT_BINARY, primes, n, batches[b], caps[c]), want);
        }
    ck_assert_uint_eq(feed(MPP_FORMAT_TEXT, primes, n, 4096, len - 1), n - 1);
    free(primes);
}
END_TEST

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
    char *want = text_of(primes, n, &len);

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
    expect_bytes(got, want, len, path);
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
    expect_bytes(head, data, 1000, "the temporary file");
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
    expect_bytes(got, old, 600, "the file after a failed append");
    free(got);
    /* a record that fits goes through */
    ck_assert_int_eq(append_limited(path, 1000, data, 400, 1000), 100);
    got = slurp(path, &len);
    ck_assert_uint_eq(len, 1000);
    expect_bytes(got, old, 600, "the old part");
    expect_bytes(got + 600, data, 400, "the appended record");
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


static Suite *output_suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("decimal");
    tcase_add_test(tc, test_dec_edges);
    tcase_add_test(tc, test_dec_random);
    suite_add_tcase(s, tc);

    tc = tcase_create("write_all");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_write_all_file);
    tcase_add_test(tc, test_chunk_push);
    tcase_add_test(tc, test_write_all_pipe_small);
    tcase_add_test(tc, test_write_all_pipe_interrupted);
    tcase_add_test(tc, test_write_all_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_add_test(tc, test_format_names);
    tcase_add_test(tc, test_format_max_bytes);
    suite_add_tcase(s, tc);

    tc = tcase_create("piece");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_text_carries);
    tcase_add_test(tc, test_text_top);
    tcase_add_test(tc, test_text_first);
    tcase_add_test(tc, test_text_big_gaps);
    tcase_add_test(tc, test_text_random_gaps);
    tcase_add_test(tc, test_text_prime_gaps);
    tcase_add_test(tc, test_piece_reset);
    tcase_add_test(tc, test_piece_init_empty);
    tcase_add_test(tc, test_binary_native);
    tcase_add_test(tc, test_capacity_small);
    tcase_add_test(tc, test_capacity_uniform);
    tcase_add_test(tc, test_capacity_mixed);
    tcase_add_test(tc, test_capacity_binary);
    tcase_add_test(tc, test_capacity_large);
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
    return run_suite(output_suite());
}
