/* test_timeline.c - unit tests of the timeline (src/core/timeline.c): each
 * rank's share of the events (1, 3 and 20,000 ranks); spans kept up to the
 * cap, the rest counted as dropped, names cut to fit; spans packed into
 * MPP_SPAN_WORDS words and back, bit for bit; the span titles ("sieve [2,
 * 9]", "MPI_Gatherv round 3", "MPI_Reduce"); and the trace as written: a
 * JSON object (braces and brackets balanced outside strings, strings
 * closed), one process name per lane with the host escaped, one complete
 * event per span with its category, microseconds from the spans' seconds,
 * exact 64-bit bounds as strings, the instant event and the note of a lane
 * that dropped spans, and a write error reported.
 */
#define _DEFAULT_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "testutil.h"
#include "timeline.h"

static mpp_span span(mpp_span_cat cat, const char *what, double t0, double t1, uint64_t round,
                     uint64_t lo, uint64_t hi)
{
    mpp_span s = {.start = t0, .end = t1, .cat = cat, .round = round, .lo = lo, .hi = hi};
    snprintf(s.what, sizeof s.what, "%s", what);
    return s;
}

static size_t occurrences(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

/* Balanced {} and [] outside strings, every string closed. */
static void expect_json_shape(const char *text)
{
    int depth = 0;
    bool in_string = false;
    for (const char *p = text; *p; p++) {
        if (in_string) {
            if (*p == '\\')
                p++;
            else if (*p == '"')
                in_string = false;
            else
                ck_assert_msg((unsigned char)*p >= 0x20, "control character in a string");
            continue;
        }
        if (*p == '"')
            in_string = true;
        else if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']')
            ck_assert_msg(--depth >= 0, "closing bracket without an opening one");
    }
    ck_assert(!in_string);
    ck_assert_int_eq(depth, 0);
}

START_TEST(test_rank_share)
{
    ck_assert_uint_eq(mpp_timeline_rank_max(MPP_TIMELINE_EVENTS, 1), MPP_TIMELINE_EVENTS);
    ck_assert_uint_eq(mpp_timeline_rank_max(MPP_TIMELINE_EVENTS, 3), MPP_TIMELINE_EVENTS / 3);
    ck_assert_uint_eq(mpp_timeline_rank_max(MPP_TIMELINE_EVENTS, 20000), MPP_TIMELINE_RANK_MIN);
    ck_assert_uint_eq(mpp_timeline_rank_max(MPP_TIMELINE_EVENTS, 0), MPP_TIMELINE_EVENTS);
    ck_assert_uint_eq(mpp_timeline_rank_max(50, 7), 50);   /* less than the least: all */
    ck_assert_uint_eq(mpp_timeline_rank_max(700, 7), 100);
    ck_assert_uint_eq(mpp_timeline_rank_max(7000, 7), 1000);
    ck_assert_uint_eq(mpp_timeline_rank_max(1, 3), 1);
}
END_TEST

START_TEST(test_cap_and_names)
{
    mpp_timeline t;
    mpp_timeline_init(&t, 1000);
    for (int i = 0; i < 1500; i++) {
        mpp_span s = span(MPP_SPAN_COMM, "MPI_Gatherv", i, i + 0.5, (uint64_t)i, 0, 0);
        mpp_timeline_add(&t, &s);
    }
    ck_assert_uint_eq(t.n, 1000);
    ck_assert_uint_eq(t.dropped, 500);
    for (size_t k = 0; k < t.n; k++)
        ck_assert(t.spans[k].round == k && t.spans[k].start == (double)k);
    mpp_timeline_free(&t);
    ck_assert_uint_eq(t.n, 0);
    ck_assert_uint_eq(t.dropped, 0);
    ck_assert_ptr_null(t.spans);

    mpp_span s = span(MPP_SPAN_IO, "x", 0, 1, 0, 0, 0);
    memset(s.what, 'a', sizeof s.what); /* no NUL: cut */
    mpp_timeline_init(&t, 1);
    mpp_timeline_add(&t, &s);
    ck_assert_uint_eq(strlen(t.spans[0].what), MPP_SPAN_NAME - 1);
    mpp_timeline_free(&t);
}
END_TEST

START_TEST(test_pack)
{
    uint64_t state = 77;
    for (int i = 0; i < 1000; i++) {
        mpp_span s = span((mpp_span_cat)(i % 3), i % 2 ? "MPI_Scatterv" : "trial",
                          (double)test_xorshift(&state) / 1e9, 1.0 / (i + 1),
                          test_xorshift(&state), test_xorshift(&state),
                          i % 5 ? test_xorshift(&state) : UINT64_MAX),
                 b;
        uint64_t w[MPP_SPAN_WORDS + 1];
        w[MPP_SPAN_WORDS] = 0xfeed;
        mpp_span_pack(&s, w);
        ck_assert_uint_eq(w[MPP_SPAN_WORDS], 0xfeed);
        mpp_span_unpack(w, &b);
        ck_assert(memcmp(&b.start, &s.start, sizeof s.start) == 0);
        ck_assert(memcmp(&b.end, &s.end, sizeof s.end) == 0);
        ck_assert_int_eq(b.cat, s.cat);
        ck_assert_uint_eq(b.round, s.round);
        ck_assert_uint_eq(b.lo, s.lo);
        ck_assert_uint_eq(b.hi, s.hi);
        ck_assert_str_eq(b.what, s.what);
    }
}
END_TEST

START_TEST(test_titles)
{
    char buf[96];
    mpp_span s = span(MPP_SPAN_COMPUTE, "sieve", 0, 1, 2, 2, 18446744073709551615ULL);
    mpp_span_title(&s, buf, sizeof buf);
    ck_assert_str_eq(buf, "sieve [2, 18446744073709551615]");
    s = span(MPP_SPAN_COMM, "MPI_Gatherv", 0, 1, 3, 0, 0);
    mpp_span_title(&s, buf, sizeof buf);
    ck_assert_str_eq(buf, "MPI_Gatherv round 3");
    s = span(MPP_SPAN_COMM, "MPI_Reduce", 0, 1, 0, 0, 0);
    mpp_span_title(&s, buf, sizeof buf);
    ck_assert_str_eq(buf, "MPI_Reduce");
    s = span(MPP_SPAN_IO, "write", 0, 1, 1, 0, 0);
    mpp_span_title(&s, buf, sizeof buf);
    ck_assert_str_eq(buf, "write round 1");
    ck_assert_str_eq(mpp_span_cat_name(MPP_SPAN_COMPUTE), "compute");
    ck_assert_str_eq(mpp_span_cat_name(MPP_SPAN_COMM), "comm");
    ck_assert_str_eq(mpp_span_cat_name(MPP_SPAN_IO), "io");
    ck_assert_ptr_null(mpp_span_cat_name((mpp_span_cat)7));
}
END_TEST

START_TEST(test_trace)
{
    mpp_span a[] = {span(MPP_SPAN_COMPUTE, "trial", 0.001, 0.0025, 1, 2, 9),
                    span(MPP_SPAN_COMM, "MPI_Gather", 0.0025, 0.003, 1, 0, 0)};
    mpp_span b[] = {span(MPP_SPAN_IO, "MPI_File_write_at", 0.5, 0.75, 2, 0, 0)};
    mpp_trace_lane lanes[] = {
        {.rank = 0, .host = "node\"1\\", .spans = a, .n = 2, .dropped = 0},
        {.rank = 1, .host = "node2", .spans = b, .n = 1, .dropped = 41},
    };
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert(mpp_trace_write(f, lanes, 2, 1000, "one clock"));
    fclose(f);
    expect_json_shape(text);
    ck_assert(strncmp(text, "{\"traceEvents\": [", 17) == 0);
    ck_assert_uint_eq(occurrences(text, "\"process_name\""), 2);
    ck_assert_ptr_nonnull(strstr(text, "\"rank 0 (node\\\"1\\\\)\""));
    ck_assert_ptr_nonnull(strstr(text, "\"rank 1 (node2)\""));
    ck_assert_uint_eq(occurrences(text, "\"ph\": \"X\""), 3);
    ck_assert_ptr_nonnull(strstr(text, "{\"name\": \"trial [2, 9]\", \"cat\": \"compute\", "
                                       "\"ph\": \"X\", \"ts\": 1000.000, \"dur\": 1500.000, "
                                       "\"pid\": 0"));
    ck_assert_ptr_nonnull(strstr(text, "\"lo\": \"2\", \"hi\": \"9\""));
    ck_assert_ptr_nonnull(strstr(text, "\"name\": \"MPI_Gather round 1\", \"cat\": \"comm\""));
    ck_assert_ptr_nonnull(strstr(text, "\"name\": \"MPI_File_write_at round 2\", \"cat\": "
                                       "\"io\", \"ph\": \"X\", \"ts\": 500000.000, \"dur\": "
                                       "250000.000, \"pid\": 1"));
    ck_assert_uint_eq(occurrences(text, "\"ph\": \"i\""), 1);
    ck_assert_ptr_nonnull(strstr(text, "timeline full: 41 later events not recorded"));
    ck_assert_ptr_nonnull(strstr(text, "\"events_per_rank_max\": 1000, \"events_dropped\": 41"));
    ck_assert_ptr_nonnull(strstr(text, "\"note\": \"1 of 2 ranks reached the cap of 1000"));
    ck_assert_ptr_nonnull(strstr(text, "\"clock\": \"one clock\""));
    free(text);

    /* Nothing dropped: no instant event, no note; an empty lane. */
    lanes[1].dropped = 0;
    lanes[1].n = 0;
    f = open_memstream(&text, &len);
    ck_assert(mpp_trace_write(f, lanes, 2, 1000, "c"));
    fclose(f);
    expect_json_shape(text);
    ck_assert_uint_eq(occurrences(text, "\"ph\": \"X\""), 2);
    ck_assert_ptr_null(strstr(text, "\"ph\": \"i\""));
    ck_assert_ptr_null(strstr(text, "\"note\""));
    free(text);

    /* A write error. */
    f = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(f);
    setvbuf(f, NULL, _IONBF, 0);
    ck_assert(!mpp_trace_write(f, lanes, 2, 1000, "c"));
    fclose(f);
}
END_TEST

static Suite *timeline_suite(void)
{
    Suite *s = suite_create("timeline");
    TCase *tc = tcase_create("spans");
    tcase_add_test(tc, test_rank_share);
    tcase_add_test(tc, test_cap_and_names);
    tcase_add_test(tc, test_pack);
    tcase_add_test(tc, test_titles);
    tcase_add_test(tc, test_trace);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(timeline_suite());
}
