/* test_records.c - unit tests of the records that cross ranks
 * (src/core/records.c): every record packed into its WORDS count of words
 * and unpacked again equals the original, field by field, for random
 * values and the edges (0, 2^64 - 1, negative statuses and failures, every
 * enum value); packing writes no word beyond WORDS; the start message
 * carries only the fields the work needs (the others come back as
 * mpp_options_init sets them); a report row's host name comes back cut to
 * end in a NUL; doubles come back bit for bit.
 */
#include <math.h>
#include <string.h>

#include "records.h"
#include "testutil.h"

#define GUARD 0x5eedf00dULL

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint64_t next_random(void)
{
    return test_xorshift(&rng);
}

/* A value that is often an edge. */
static uint64_t value(void)
{
    switch (next_random() % 5) {
    case 0:
        return 0;
    case 1:
        return UINT64_MAX;
    case 2:
        return next_random() % 1000;
    default:
        return next_random();
    }
}

START_TEST(test_start_msg)
{
    for (int i = 0; i < 2000; i++) {
        mpp_options o;
        mpp_options_init(&o);
        o.start = value();
        o.stop = value();
        o.method = (mpp_method)(i % 2);
        o.count_only = i % 3 == 0;
        o.kinds = (unsigned)(i * 37 % 127) & 0x7e;
        o.gaps = i % 5 == 1;
        o.format = (mpp_format)(i % 3);
        o.buffer = value();
        o.decomposition = (mpp_decomposition)(i % 4);
        o.chunk = value();
        o.compare = i % 5 == 0;
        o.self_test = i % 6 == 1;
        /* what stays on rank 0 */
        o.print = true;
        o.output = "out.txt";
        o.json = true;
        o.quiet = true;
        o.csv = "runs.csv";
        o.explain = true;
        o.timeline = "trace.json";
        mpp_start_msg m = {.go = i % 2 == 0, .status = i % 7 - 3, .opts = o,
                           .outlet = (mpp_plan_outlet)(i % 4), .namelen = value(),
                           .timeline = i % 3 == 1 ? value() : 0, .track = (uint64_t)i % 4,
                           .todo = i % 3 == 2 ? value() : 0, .finished = i % 5 == 3},
                      back;
        uint64_t w[MPP_START_WORDS + 1];
        w[MPP_START_WORDS] = GUARD;
        mpp_start_pack(&m, w);
        ck_assert_uint_eq(w[MPP_START_WORDS], GUARD);
        memset(&back, 0x77, sizeof back);
        mpp_start_unpack(w, &back);
        ck_assert_int_eq(back.go, m.go);
        ck_assert_int_eq(back.status, m.status);
        ck_assert_int_eq(back.outlet, m.outlet);
        ck_assert_uint_eq(back.namelen, m.namelen);
        ck_assert_uint_eq(back.timeline, m.timeline);
        ck_assert_uint_eq(back.track, m.track);
        ck_assert_uint_eq(back.todo, m.todo);
        ck_assert_int_eq(back.finished, m.finished);
        ck_assert_uint_eq(back.opts.start, o.start);
        ck_assert_uint_eq(back.opts.stop, o.stop);
        ck_assert_int_eq(back.opts.method, o.method);
        ck_assert_int_eq(back.opts.count_only, o.count_only);
        ck_assert_uint_eq(back.opts.kinds, o.kinds);
        ck_assert_int_eq(back.opts.gaps, o.gaps);
        ck_assert_int_eq(back.opts.format, o.format);
        ck_assert_uint_eq(back.opts.buffer, o.buffer);
        ck_assert_int_eq(back.opts.decomposition, o.decomposition);
        ck_assert_uint_eq(back.opts.chunk, o.chunk);
        ck_assert_int_eq(back.opts.compare, o.compare);
        ck_assert_int_eq(back.opts.self_test, o.self_test);
        mpp_options d;
        mpp_options_init(&d);
        ck_assert_int_eq(back.opts.print, d.print);
        ck_assert_ptr_eq(back.opts.output, d.output);
        ck_assert_int_eq(back.opts.json, d.json);
        ck_assert_int_eq(back.opts.quiet, d.quiet);
        ck_assert_ptr_eq(back.opts.csv, d.csv);
        ck_assert_int_eq(back.opts.explain, d.explain);
        ck_assert_ptr_eq(back.opts.timeline, d.timeline);
    }
}
END_TEST

static mpp_share random_share(void)
{
    return (mpp_share){.lo = value(), .hi = value(), .chunk = value(), .first = value(),
                       .step = value(), .index = value(), .empty = next_random() % 2};
}

START_TEST(test_share_and_round_msg)
{
    for (int i = 0; i < 2000; i++) {
        mpp_share s = random_share(), sb;
        uint64_t w[MPP_ROUND_MSG_WORDS + 1];
        w[MPP_SHARE_WORDS] = GUARD;
        mpp_share_pack(&s, w);
        ck_assert_uint_eq(w[MPP_SHARE_WORDS], GUARD);
        mpp_share_unpack(w, &sb);
        ck_assert(memcmp(&s, &sb, sizeof s) == 0);

        mpp_round_msg m = {.flags = i % 4, .committed = value(), .share = random_share()}, mb;
        w[MPP_ROUND_MSG_WORDS] = GUARD;
        mpp_round_msg_pack(&m, w);
        ck_assert_uint_eq(w[MPP_ROUND_MSG_WORDS], GUARD);
        mpp_round_msg_unpack(w, &mb);
        ck_assert(memcmp(&m, &mb, sizeof m) == 0);

        mpp_round_summary r = {.chunks = value(), .bytes = value(),
                               .failure = (int)(next_random() % 2 ? next_random()
                                                                  : (uint64_t)-5)},
                          rb;
        w[MPP_ROUND_SUMMARY_WORDS] = GUARD;
        mpp_round_summary_pack(&r, w);
        ck_assert_uint_eq(w[MPP_ROUND_SUMMARY_WORDS], GUARD);
        mpp_round_summary_unpack(w, &rb);
        ck_assert_uint_eq(rb.chunks, r.chunks);
        ck_assert_uint_eq(rb.bytes, r.bytes);
        ck_assert_int_eq(rb.failure, r.failure);
    }
}
END_TEST

START_TEST(test_chunk_metas)
{
    enum { N = 300 };
    static mpp_chunk_meta m[N], back[N];
    static uint64_t w[N * MPP_CHUNK_META_WORDS + 1];
    for (uint64_t n = 0; n <= N; n += 37) {
        for (uint64_t k = 0; k < n; k++)
            m[k] = (mpp_chunk_meta){.index = value(), .bytes = value(), .count = value(),
                                    .first = value(), .last = value(),
                                    .full = next_random() % 2};
        w[n * MPP_CHUNK_META_WORDS] = GUARD;
        mpp_chunk_metas_pack(m, n, w);
        ck_assert_uint_eq(w[n * MPP_CHUNK_META_WORDS], GUARD);
        mpp_chunk_metas_unpack(w, n, back);
        ck_assert(n == 0 || memcmp(m, back, n * sizeof *m) == 0);
    }
}
END_TEST

START_TEST(test_selftest_verdict)
{
    for (int i = 0; i < 1000; i++) {
        mpp_selftest_verdict v = {.failures = value(), .lo = value(), .hi = value(),
                                  .number = value(), .listed = value(), .reference = value()},
                             back;
        uint64_t w[MPP_VERDICT_WORDS + 1];
        w[MPP_VERDICT_WORDS] = GUARD;
        mpp_selftest_verdict_pack(&v, w);
        ck_assert_uint_eq(w[MPP_VERDICT_WORDS], GUARD);
        memset(&back, 0x55, sizeof back);
        mpp_selftest_verdict_unpack(w, &back);
        ck_assert_uint_eq(back.failures, v.failures);
        ck_assert_uint_eq(back.lo, v.lo);
        ck_assert_uint_eq(back.hi, v.hi);
        ck_assert_uint_eq(back.number, v.number);
        ck_assert_uint_eq(back.listed, v.listed);
        ck_assert_uint_eq(back.reference, v.reference);
    }
}
END_TEST

START_TEST(test_rank_row)
{
    static const double times[] = {0, 1e-9, 0.25, 1234.5678, -1, 1e300};
    for (int i = 0; i < 1000; i++) {
        mpp_rank_stats s = {.rank = 77, .empty = i % 2, .lo = value(), .hi = value(),
                            .count = value(), .first = value(), .last = value(),
                            .chunks = value(), .numbers = value(),
                            .compute_s = times[i % 6], .cpu_s = times[(i + 1) % 6],
                            .comm_s = times[(i + 2) % 6], .io_s = times[(i + 3) % 6],
                            .max_rss_kib = i % 3 == 0 ? -1 : (long)(next_random() >> 20)},
                       b;
        memset(s.host, 0, sizeof s.host);
        for (int k = 2; k <= MPP_KINDS; k++)
            s.tuplets[k] = value();
        size_t len = (size_t)(next_random() % (MPP_HOST_MAX + 10));
        for (size_t k = 0; k < len && k < MPP_HOST_MAX; k++)
            s.host[k] = (char)('a' + next_random() % 26);
        double elapsed = times[(i + 4) % 6], eb = 0;
        uint64_t w[MPP_RANK_ROW_WORDS + 1];
        w[MPP_RANK_ROW_WORDS] = GUARD;
        mpp_rank_row_pack(&s, elapsed, w);
        ck_assert_uint_eq(w[MPP_RANK_ROW_WORDS], GUARD);
        mpp_rank_row_unpack(w, i, &b, &eb);
        ck_assert_int_eq(b.rank, i);
        ck_assert_int_eq(b.empty, s.empty);
        ck_assert_uint_eq(b.lo, s.lo);
        ck_assert_uint_eq(b.hi, s.hi);
        ck_assert_uint_eq(b.count, s.count);
        ck_assert_uint_eq(b.first, s.first);
        ck_assert_uint_eq(b.last, s.last);
        ck_assert_uint_eq(b.chunks, s.chunks);
        ck_assert_uint_eq(b.numbers, s.numbers);
        ck_assert(memcmp(&b.compute_s, &s.compute_s, sizeof(double)) == 0);
        ck_assert(memcmp(&b.cpu_s, &s.cpu_s, sizeof(double)) == 0);
        ck_assert(memcmp(&b.comm_s, &s.comm_s, sizeof(double)) == 0);
        ck_assert(memcmp(&b.io_s, &s.io_s, sizeof(double)) == 0);
        ck_assert(memcmp(&eb, &elapsed, sizeof(double)) == 0);
        ck_assert_int_eq(b.max_rss_kib, s.max_rss_kib);
        for (int k = 2; k <= MPP_KINDS; k++)
            ck_assert_uint_eq(b.tuplets[k], s.tuplets[k]);
        /* the name, cut to MPP_HOST_MAX - 1 bytes and a NUL */
        ck_assert_uint_eq(strlen(b.host), len < MPP_HOST_MAX ? len : MPP_HOST_MAX - 1);
        ck_assert(strncmp(b.host, s.host, MPP_HOST_MAX - 1) == 0);
    }
}
END_TEST

static Suite *records_suite(void)
{
    Suite *s = suite_create("records");
    TCase *tc = tcase_create("round_trips");
    tcase_add_test(tc, test_start_msg);
    tcase_add_test(tc, test_share_and_round_msg);
    tcase_add_test(tc, test_chunk_metas);
    tcase_add_test(tc, test_rank_row);
    tcase_add_test(tc, test_selftest_verdict);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(records_suite());
}
