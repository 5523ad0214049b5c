/* test_signals.c - unit tests of the stop signals (src/sys/signals.c), with
 * real signals: SIGTERM, SIGINT and SIGHUP are caught and recorded (the
 * flag the finders poll, and mpp_stop_signal), the first one wins and a
 * repeated SIGTERM or SIGHUP is ignored; the file named to remove is gone
 * after the signal (and a cleared one stays); a second SIGINT ends the
 * process by SIGINT (in a child); mpp_signals_restore puts the earlier
 * handlers back; the names.
 */
#define _DEFAULT_SOURCE /* mkstemp */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signals.h"
#include "testutil.h"

static char *temp_file(void)
{
    char *path = strdup("/tmp/mpp-signals-XXXXXX");
    ck_assert_ptr_nonnull(path);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    return path;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

START_TEST(test_each_signal_recorded)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        mpp_signals_catch();
        ck_assert_int_eq(mpp_stop_signal(), 0);
        ck_assert_int_eq(*mpp_stop_flag(), 0);
        raise(sigs[i]);
        ck_assert_int_eq(mpp_stop_signal(), sigs[i]);
        ck_assert_int_ne(*mpp_stop_flag(), 0);
        if (sigs[i] != SIGINT) { /* repeats ignored; the first stays */
            raise(sigs[i]);
            raise(SIGHUP);
            raise(SIGTERM);
            ck_assert_int_eq(mpp_stop_signal(), sigs[i]);
        }
        mpp_signals_restore();
    }
}
END_TEST

START_TEST(test_remove_on_signal)
{
    char *path = temp_file(), *kept = temp_file();
    mpp_signals_catch();
    mpp_remove_on_signal(kept);
    mpp_remove_on_signal(NULL); /* cleared: stays */
    raise(SIGTERM);
    ck_assert(exists(kept));
    mpp_signals_restore();

    mpp_signals_catch();
    mpp_remove_on_signal(path);
    ck_assert(exists(path));
    raise(SIGHUP);
    ck_assert(!exists(path));
    mpp_signals_restore();
    unlink(kept);
    free(path);
    free(kept);
}
END_TEST

START_TEST(test_second_sigint_ends)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        mpp_signals_catch();
        raise(SIGINT);
        if (mpp_stop_signal() != SIGINT)
            _exit(3);
        raise(SIGINT);
        _exit(4); /* not reached */
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT, "status %#x", status);
}
END_TEST

static volatile sig_atomic_t mine;

static void my_handler(int sig)
{
    mine = sig;
}

START_TEST(test_restore)
{
    struct sigaction sa, old, now;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = my_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, &old);
    mpp_signals_catch();
    sigaction(SIGTERM, NULL, &now);
    ck_assert(now.sa_handler != my_handler);
    mpp_signals_restore();
    sigaction(SIGTERM, NULL, &now);
    ck_assert(now.sa_handler == my_handler);
    mine = 0;
    raise(SIGTERM);
    ck_assert_int_eq(mine, SIGTERM);
    sigaction(SIGTERM, &old, NULL);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(mpp_signal_name(SIGTERM), "SIGTERM");
    ck_assert_str_eq(mpp_signal_name(SIGINT), "SIGINT");
    ck_assert_str_eq(mpp_signal_name(SIGHUP), "SIGHUP");
    ck_assert_str_eq(mpp_signal_name(SIGUSR1), "SIGUSR1");
    ck_assert_str_eq(mpp_signal_name(SIGUSR2), "a signal");
}
END_TEST

static Suite *signals_suite(void)
{
    Suite *s = suite_create("signals");
    TCase *tc = tcase_create("stop");
    tcase_add_test(tc, test_each_signal_recorded);
    tcase_add_test(tc, test_remove_on_signal);
    tcase_add_test(tc, test_second_sigint_ends);
    tcase_add_test(tc, test_restore);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(signals_suite());
}
