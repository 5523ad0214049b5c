/* test_status.c - unit tests of the progress line (src/core/status.c):
 * durations in their units; the terminal's line (in place, percent, rate,
 * elapsed, time left, erased to its end, no newline) and the log's (a UTC
 * stamp, one line); the rate and time left from this run's numbers only,
 * a resumed run's earlier numbers aside; "?" before the rate is known; a
 * small buffer cut safely.
 */
#include <string.h>

#include "status.h"
#include "testutil.h"

START_TEST(test_durations)
{
    char b[16];
    ck_assert_str_eq(mpp_status_duration(b, sizeof b, 0), "0s");
    ck_assert_str_eq(mpp_status_duration(b, sizeof b, 42.4), "42s");
    ck_assert_str_eq(mpp_status_duration(b, sizeof b, 425), "7m05s");
    ck_assert_str_eq(mpp_status_duration(b, sizeof b, 3 * 3600 + 7 * 60 + 59), "3h07m");
    ck_assert_str_eq(mpp_status_duration(b, sizeof b, 2 * 86400 + 4 * 3600 + 1), "2d04h");
    ck_assert_str_eq(mpp_status_duration(b, sizeof b, -1), "?");
    ck_assert_str_eq(mpp_status_duration(b, sizeof b, 1e300), "?");
}
END_TEST

START_TEST(test_lines)
{
    char line[256];
    /* 30% done, 10% of it before this run: 2e9 numbers in 10 s, 7e9 left */
    mpp_status s = {.done = 3e9, .all = 1e10, .before = 1e9, .elapsed = 10,
                    .now = 1796558400}; /* 2026-12-06T12:00:00Z */
    size_t n = mpp_status_line(line, sizeof line, &s, true);
    ck_assert_uint_eq(n, strlen(line));
    ck_assert_str_eq(line, "\r 30.0%  2.00e8 numbers/s  10s elapsed  35s left\033[K");
    n = mpp_status_line(line, sizeof line, &s, false);
    ck_assert_uint_eq(n, strlen(line));
    ck_assert_str_eq(line, "2026-12-06T12:00:00Z mpprimes: 30.0% done, 2.00e8 numbers/s, "
                           "10s elapsed, 35s left\n");
    s = (mpp_status){.done = 0, .all = 1e10, .before = 0, .elapsed = 0, .now = 0};
    mpp_status_line(line, sizeof line, &s, true);
    ck_assert_str_eq(line, "\r  0.0%  0 numbers/s  0s elapsed  ? left\033[K");
    char small[12];
    n = mpp_status_line(small, sizeof small, &s, true);
    ck_assert_uint_eq(n, strlen(small));
    ck_assert_uint_eq(n, sizeof small - 1);
}
END_TEST

static Suite *status_suite(void)
{
    Suite *s = suite_create("status");
    TCase *tc = tcase_create("line");
    tcase_add_test(tc, test_durations);
    tcase_add_test(tc, test_lines);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(status_suite());
}
