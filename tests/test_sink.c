/* test_sink.c - unit tests of the growable prime vector used as a sink
 * (src/core/sink.c): batches of every size up to 3000, an empty push, one
 * large batch, use after free.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"
#include "testutil.h"

/* Pushes batches of sizes 1, 38, 75, ... (modulo 3001, so 0 and every size
 * up to 3000 come up) until TOTAL values, checking the length after every
 * batch and the content at the end. */
START_TEST(test_vec_push)
{
    const size_t total = 200000;
    uint64_t *batch = malloc(3000 * sizeof *batch);
    ck_assert_ptr_nonnull(batch);
    mpp_vec v = {NULL, 0, 0};
    size_t len = 0, calls = 0;
    for (size_t k = 1; len < total; k = (k + 37) % 3001, calls++) {
        size_t n = k < total - len ? k : total - len;
        for (size_t i = 0; i < n; i++)
            batch[i] = (uint64_t)(len + i) * 2654435761u + 1;
        ck_assert_int_eq(mpp_vec_push(&v, batch, n), 0);
        len += n;
        ck_assert_uint_eq(v.len, len);
        ck_assert_uint_ge(v.cap, v.len);
        ck_assert(v.len == 0 || v.data != NULL);
    }
    ck_assert_uint_gt(calls, 100);
    /* The whole content, checked once more at the end. */
    bool same = true;
    for (size_t i = 0; i < total; i++)
        same = same && v.data[i] == (uint64_t)i * 2654435761u + 1;
    ck_assert_msg(same, "vector content differs");

    mpp_vec_free(&v);
    ck_assert_ptr_null(v.data);
    ck_assert_uint_eq(v.len, 0);
    ck_assert_uint_eq(v.cap, 0);
    /* Usable again after mpp_vec_free, and freeing twice is harmless. */
    ck_assert_int_eq(mpp_vec_push(&v, batch, 3), 0);
    ck_assert_uint_eq(v.len, 3);
    ck_assert_uint_eq(v.data[2], batch[2]);
    mpp_vec_free(&v);
    mpp_vec_free(&v);
    ck_assert_ptr_null(v.data);
    free(batch);
}
END_TEST

/* No values onto an empty vector: nothing changes, nothing fails. */
START_TEST(test_vec_push_nothing)
{
    uint64_t one = 5;
    mpp_vec v = {NULL, 0, 0};
    ck_assert_int_eq(mpp_vec_push(&v, &one, 0), 0);
    ck_assert_uint_eq(v.len, 0);
    ck_assert_int_eq(mpp_vec_push(&v, &one, 1), 0);
    ck_assert_int_eq(mpp_vec_push(&v, &one, 0), 0);
    ck_assert_uint_eq(v.len, 1);
    ck_assert_uint_eq(v.data[0], 5);
    mpp_vec_free(&v);
}
END_TEST

/* One batch much larger than the initial capacity, then single values. */
START_TEST(test_vec_push_large_batch)
{
    const size_t n = 100000;
    uint64_t *batch = malloc(n * sizeof *batch);
    ck_assert_ptr_nonnull(batch);
    for (size_t i = 0; i < n; i++)
        batch[i] = UINT64_MAX - i;
    mpp_vec v = {NULL, 0, 0};
    ck_assert_int_eq(mpp_vec_push(&v, batch, n), 0);
    for (size_t i = 0; i < 5000; i++)
        ck_assert_int_eq(mpp_vec_push(&v, &batch[i], 1), 0);
    ck_assert_uint_eq(v.len, n + 5000);
    ck_assert(memcmp(v.data, batch, n * sizeof *batch) == 0);
    ck_assert(memcmp(v.data + n, batch, 5000 * sizeof *batch) == 0);
    mpp_vec_free(&v);
    free(batch);
}
END_TEST

static Suite *sink_suite(void)
{
    Suite *s = suite_create("sink");
    TCase *tc = tcase_create("vec");
    tcase_add_test(tc, test_vec_push);
    tcase_add_test(tc, test_vec_push_nothing);
    tcase_add_test(tc, test_vec_push_large_batch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(sink_suite());
}
