/* test_output.c - unit tests of the prime writer (src/output.c):
 * mpp_u64_to_dec against snprintf on edge and pseudo-random values;
 * mpp_write_primes into memory (empty, one value, past its 64 KiB buffer) and
 * into /dev/full (ENOSPC); and mpp_outfile: a regular file appears under its
 * name only at commit (temporary "NAME.tmp-XXXXXX" beside it until then, mode
 * 0666 & ~umask, nothing left on abandon or on failure), devices are written
 * directly, and the errors for a missing directory or a directory path.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "testutil.h"

/* ---- helpers ---- */

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

/* N values for mpp_write_primes tests (they need not be prime). */
static uint64_t *sample_values(size_t n)
{
    uint64_t *v = malloc((n ? n : 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < n; i++)
        v[i] = i % 7 == 0 ? UINT64_MAX - i : any_magnitude(&state);
    return v;
}

/* The text mpp_write_primes should produce for V[0..N-1], built with
 * snprintf; *LEN receives its length. */
static char *expected_text(const uint64_t *v, size_t n, size_t *len)
{
    char *buf = malloc(n * 21 + 1);
    ck_assert_ptr_nonnull(buf);
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, 22, "%" PRIu64 "\n", v[i]);
    buf[used] = '\0';
    *len = used;
    return buf;
}

/* Converts V with mpp_u64_to_dec and compares with snprintf. The bytes of the
 * buffer past the digits must be left alone (no NUL is written). */
static void expect_dec(uint64_t v)
{
    char want[32], got[32];
    memset(got, '#', sizeof got);
    int wn = snprintf(want, sizeof want, "%" PRIu64, v);
    size_t n = mpp_u64_to_dec(v, got);
    ck_assert_msg(n == (size_t)wn, "%" PRIu64 ": %zu digits, expected %d", v, n, wn);
    ck_assert_msg(memcmp(got, want, n) == 0, "%" PRIu64 ": got \"%.*s\"", v, (int)n, got);
    for (size_t i = n; i < sizeof got; i++)
        ck_assert_msg(got[i] == '#', "%" PRIu64 ": byte %zu past the digits written", v, i);
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

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
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

/* Removes DIR and the regular files in it. */
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

/* Opens DIR/NAME with mpp_outfile_open, writes TEXT, and checks the state
 * before commit: no NAME yet (or, when OLD is given, NAME still holding OLD),
 * and a single "NAME.tmp-XXXXXX" beside it; then commits and checks that NAME
 * holds TEXT with mode 0666 & ~umask and that nothing else is left. */
static void write_and_commit(const char *dir, const char *name, const char *text,
                             const char *old)
{
    char path[128], tmpname[128] = "", tmppath[128];
    join(path, dir, name);
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    ck_assert_ptr_nonnull(o.f);
    ck_assert_ptr_nonnull(o.tmp);
    ck_assert_str_eq(o.path, path);
    ck_assert_int_ge(fputs(text, o.f), 0);
    ck_assert_int_eq(fflush(o.f), 0);

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
    ck_assert_ptr_null(o.f);
    ck_assert_ptr_null(o.tmp);
    expect_file(path, text);
    ck_assert_int_eq(scan_dir(dir, name, NULL, &ntmp), 1);
    ck_assert_int_eq(ntmp, 0);

    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert_msg((st.st_mode & 07777) == (0666 & ~current_umask()), "mode %o, umask %o",
                  (unsigned)(st.st_mode & 07777), (unsigned)current_umask());
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

/* ---- mpp_write_primes ---- */

/* Writes V[0..N-1] to a memstream and compares with snprintf. */
static void expect_written_values(const uint64_t *v, size_t n)
{
    size_t want_len;
    char *want = expected_text(v, n, &want_len);
    char *got = NULL;
    size_t got_len = 0;
    FILE *f = open_memstream(&got, &got_len);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(mpp_write_primes(f, v, n), 0);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_msg(got_len == want_len, "n = %zu: %zu bytes, expected %zu", n, got_len, want_len);
    ck_assert_msg(memcmp(got, want, want_len) == 0, "n = %zu: content differs", n);
    free(got);
    free(want);
}

static void expect_written(size_t n)
{
    uint64_t *v = sample_values(n);
    expect_written_values(v, n);
    free(v);
}

START_TEST(test_write_memory)
{
    expect_written(0);
    expect_written(1);
    expect_written(2);
    expect_written(5000);
    expect_written(20000); /* about 300 KB: several flushes of the 64 KiB buffer */
}
END_TEST

/* N copies of the 20-digit value UINT64_MAX - i, or of a 1-digit value. */
static void expect_uniform(size_t n, bool long_lines)
{
    uint64_t *v = malloc(n * sizeof *v);
    ck_assert_ptr_nonnull(v);
    for (size_t i = 0; i < n; i++)
        v[i] = long_lines ? UINT64_MAX - i : i % 10;
    expect_written_values(v, n);
    free(v);
}

/* Lines of one length, in numbers around those that fill the 64 KiB buffer
 * exactly: 21-byte lines (3120 fill 65520 bytes) and 2-byte lines (32768
 * fill 65536). */
START_TEST(test_write_buffer_edges)
{
    for (size_t n = 3117; n <= 3124; n++)
        expect_uniform(n, true);
    for (size_t n = 32755; n <= 32770; n++)
        expect_uniform(n, false);
    expect_uniform(2 * 3120 + 1, true);
    expect_uniform(2 * 32768 + 1, false);
}
END_TEST

/* Writes N values to /dev/full and returns the first error seen, from
 * mpp_write_primes or else from the fflush after it. */
static int write_to_full(size_t n)
{
    FILE *f = fopen("/dev/full", "w");
    ck_assert_msg(f != NULL, "cannot open /dev/full: %s", strerror(errno));
    uint64_t *v = sample_values(n);
    int rc = mpp_write_primes(f, v, n);
    if (rc == 0) {
        errno = 0;
        if (fflush(f) != 0)
            rc = errno;
    }
    fclose(f);
    free(v);
    return rc;
}

START_TEST(test_write_full)
{
    /* 20000 values overflow the 64 KiB buffer: the failure is seen by
     * mpp_write_primes itself. */
    ck_assert_int_eq(write_to_full(20000), ENOSPC);
    /* A short list fits in the buffers and fails at the flush. */
    ck_assert_int_eq(write_to_full(1), ENOSPC);
    ck_assert_int_eq(write_to_full(5000), ENOSPC);
}
END_TEST

/* ---- mpp_outfile ---- */

START_TEST(test_outfile_new)
{
    char dir[64];
    make_dir(dir);
    write_and_commit(dir, "out.txt", "2\n3\n5\n", NULL);
    remove_dir(dir);
}
END_TEST

/* The mode follows the umask in force. */
START_TEST(test_outfile_umask)
{
    static const mode_t masks[] = {0, 022, 027, 077, 0177};
    mode_t saved = current_umask();
    char dir[64];
    make_dir(dir);
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "out%zu.txt", i);
        umask(masks[i]);
        write_and_commit(dir, name, "7\n", NULL);
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
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("old content\nmore old content\n", f);
    ck_assert_int_eq(fclose(f), 0);
    write_and_commit(dir, "out.txt", "new\n", "old content\nmore old content\n");
    /* Again, now over the file the first commit made. */
    write_and_commit(dir, "out.txt", "", "new\n");
    remove_dir(dir);
}
END_TEST

/* Many primes through mpp_write_primes into an mpp_outfile. */
START_TEST(test_outfile_primes)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "primes.txt");
    size_t n = 20000, want_len, len;
    uint64_t *v = sample_values(n);
    char *want = expected_text(v, n, &want_len);
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    ck_assert_int_eq(mpp_write_primes(o.f, v, n), 0);
    ck_assert(!exists(path));
    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    char *got = slurp(path, &len);
    ck_assert_uint_eq(len, want_len);
    ck_assert(memcmp(got, want, len) == 0);
    free(got);
    free(want);
    free(v);
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
    fputs("partial\n", o.f);
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, NULL), 1);
    mpp_outfile_abandon(&o);
    ck_assert_ptr_null(o.f);
    ck_assert_ptr_null(o.tmp);
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, NULL), 0);

    /* Abandoning a replacement leaves the old file as it was. */
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("old\n", f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(mpp_outfile_open(&o, path), 0);
    fputs("new\n", o.f);
    mpp_outfile_abandon(&o);
    expect_file(path, "old\n");
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, NULL), 1);
    remove_dir(dir);
}
END_TEST

START_TEST(test_outfile_errors)
{
    char dir[64], path[128];
    make_dir(dir);
    mpp_outfile o;

    join(path, dir, "missing/out.txt");
    ck_assert_int_eq(mpp_outfile_open(&o, path), ENOENT);
    ck_assert_ptr_null(o.f);
    ck_assert_ptr_null(o.tmp);

    ck_assert_int_eq(mpp_outfile_open(&o, dir), EISDIR);
    ck_assert_ptr_null(o.f);
    ck_assert_ptr_null(o.tmp);

    join(path, dir, "sub");
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_int_eq(mpp_outfile_open(&o, path), EISDIR);
    ck_assert_int_eq(rmdir(path), 0);

    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, NULL), 0);
    remove_dir(dir);
}
END_TEST

START_TEST(test_outfile_dev_null)
{
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, "/dev/null"), 0);
    ck_assert_ptr_nonnull(o.f);
    ck_assert_ptr_null(o.tmp);
    uint64_t *v = sample_values(20000);
    ck_assert_int_eq(mpp_write_primes(o.f, v, 20000), 0);
    free(v);
    ck_assert_int_eq(mpp_outfile_commit(&o), 0);
    ck_assert_ptr_null(o.f);
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode)); /* not replaced by a regular file */
}
END_TEST

START_TEST(test_outfile_dev_full)
{
    mpp_outfile o;
    ck_assert_int_eq(mpp_outfile_open(&o, "/dev/full"), 0);
    ck_assert_ptr_nonnull(o.f);
    ck_assert_ptr_null(o.tmp);
    fputs("2\n3\n", o.f);
    ck_assert_int_eq(mpp_outfile_commit(&o), ENOSPC);
    ck_assert_ptr_null(o.f);

    /* Enough output to fail inside mpp_write_primes; the commit still fails. */
    ck_assert_int_eq(mpp_outfile_open(&o, "/dev/full"), 0);
    uint64_t *v = sample_values(20000);
    ck_assert_int_eq(mpp_write_primes(o.f, v, 20000), ENOSPC);
    free(v);
    ck_assert_int_ne(mpp_outfile_commit(&o), 0);
    ck_assert_ptr_null(o.f);
}
END_TEST

/* A write that fails (file size limit) makes the commit fail and removes the
 * temporary file; the old file stays as it was. */
START_TEST(test_outfile_commit_failure)
{
    char dir[64], path[128];
    make_dir(dir);
    join(path, dir, "out.txt");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("old\n", f);
    ck_assert_int_eq(fclose(f), 0);

    struct rlimit saved, small;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 1000;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);

    mpp_outfile o;
    int open_rc = mpp_outfile_open(&o, path);
    uint64_t *v = sample_values(20000);
    int write_rc = open_rc ? -1 : mpp_write_primes(o.f, v, 20000);
    int commit_rc = open_rc ? -1 : mpp_outfile_commit(&o);
    free(v);

    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_handler);

    ck_assert_int_eq(open_rc, 0);
    ck_assert_int_eq(write_rc, EFBIG);
    ck_assert_int_ne(commit_rc, 0);
    ck_assert_ptr_null(o.f);
    ck_assert_ptr_null(o.tmp);
    expect_file(path, "old\n");
    int ntmp;
    ck_assert_int_eq(scan_dir(dir, "out.txt", NULL, &ntmp), 1);
    ck_assert_int_eq(ntmp, 0);
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

    tc = tcase_create("write");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_write_memory);
    tcase_add_test(tc, test_write_buffer_edges);
    tcase_add_test(tc, test_write_full);
    suite_add_tcase(s, tc);

    tc = tcase_create("outfile");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_outfile_new);
    tcase_add_test(tc, test_outfile_umask);
    tcase_add_test(tc, test_outfile_replace);
    tcase_add_test(tc, test_outfile_primes);
    tcase_add_test(tc, test_outfile_abandon);
    tcase_add_test(tc, test_outfile_errors);
    tcase_add_test(tc, test_outfile_dev_null);
    tcase_add_test(tc, test_outfile_dev_full);
    tcase_add_test(tc, test_outfile_commit_failure);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(output_suite());
}
