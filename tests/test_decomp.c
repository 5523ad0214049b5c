/* test_decomp.c - the block decomposition: exact cover, no overlap, rank
 * order, balanced sizes, for every rank count 1..64, ranges smaller than the
 * rank count, and the full 64-bit range. */
#include <stdlib.h>

#include "decomp.h"
#include "testutil.h"

/* Checks every property of the decomposition of [START, STOP] over NRANKS. */
static void check_cover(uint64_t start, uint64_t stop, int nranks)
{
    mpp_block *b = malloc((size_t)nranks * sizeof *b);
    ck_assert_ptr_nonnull(b);
    mpp_block_decompose(start, stop, nranks, b);
    unsigned __int128 n = (unsigned __int128)(stop - start) + 1;
    unsigned __int128 covered = 0, small = ~(unsigned __int128)0, big = 0;
    uint64_t next = start; /* the number the next non-empty block must start at */
    int seen_empty = 0;
    for (int r = 0; r < nranks; r++) {
        mpp_block one = mpp_block_of(start, stop, nranks, r);
        ck_assert_uint_eq(one.lo, b[r].lo);
        ck_assert_uint_eq(one.hi, b[r].hi);
        ck_assert_uint_eq(one.empty, b[r].empty);
        unsigned __int128 size = 0;
        if (b[r].empty) {
            seen_empty = 1;
        } else {
            ck_assert_msg(!seen_empty, "non-empty block after an empty one (rank %d)", r);
            ck_assert_uint_eq(b[r].lo, next);   /* contiguous, in rank order */
            ck_assert_uint_le(b[r].lo, b[r].hi);
            size = (unsigned __int128)(b[r].hi - b[r].lo) + 1;
            covered += size;
            if (b[r].hi != stop)
                next = b[r].hi + 1;
            else
                ck_assert_msg(covered == n, "block reaches STOP before covering all");
        }
        small = size < small ? size : small;
        big = size > big ? size : big;
    }
    ck_assert_msg(covered == n, "blocks cover [%llu, %llu] exactly once",
                  (unsigned long long)start, (unsigned long long)stop);
    ck_assert_msg(big - small <= 1, "sizes differ by more than one");
    ck_assert_msg(small == n / (unsigned)nranks, "smallest block is floor(N / ranks)");
    free(b);
}

START_TEST(every_rank_count_1_to_64)
{
    static const uint64_t ranges[][2] = {
        {2, 1000000}, {0, 0}, {5, 5}, {0, 63}, {2, 64}, {100, 102}, {1, 1000003},
        {2147483600u, 2147483700u}, {4294967200u, 4294967400u},
        {UINT64_MAX - 1000, UINT64_MAX}, {UINT64_MAX, UINT64_MAX},
        {0, UINT64_MAX}, {1, UINT64_MAX}, {0, UINT64_MAX - 1},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        for (int nranks = 1; nranks <= 64; nranks++)
            check_cover(ranges[i][0], ranges[i][1], nranks);
}
END_TEST

START_TEST(more_ranks_than_numbers)
{
    /* 3 numbers, 7 ranks: ranks 0-2 get one each, 3-6 nothing. */
    for (int r = 0; r < 7; r++) {
        mpp_block b = mpp_block_of(100, 102, 7, r);
        if (r < 3) {
            ck_assert_uint_eq(b.empty, 0);
            ck_assert_uint_eq(b.lo, 100 + (uint64_t)r);
            ck_assert_uint_eq(b.hi, 100 + (uint64_t)r);
        } else {
            ck_assert_uint_eq(b.empty, 1);
        }
    }
}
END_TEST

START_TEST(first_ranks_take_the_remainder)
{
    /* [2, 1000000] holds 999999 numbers: 4 ranks get 250000,250000,250000,249999. */
    mpp_block b[4];
    mpp_block_decompose(2, 1000000, 4, b);
    ck_assert_uint_eq(b[0].lo, 2);
    ck_assert_uint_eq(b[0].hi, 250001);
    ck_assert_uint_eq(b[1].lo, 250002);
    ck_assert_uint_eq(b[3].lo, 750002);
    ck_assert_uint_eq(b[3].hi, 1000000);
}
END_TEST

START_TEST(whole_64_bit_range)
{
    /* 2^64 numbers over 3 ranks: sizes 6148914691236517206, ...205, ...205. */
    mpp_block b[3];
    mpp_block_decompose(0, UINT64_MAX, 3, b);
    ck_assert_uint_eq(b[0].lo, 0);
    ck_assert_uint_eq(b[0].hi, 6148914691236517205u);
    ck_assert_uint_eq(b[1].lo, 6148914691236517206u);
    ck_assert_uint_eq(b[2].hi, UINT64_MAX);
    mpp_block one = mpp_block_of(0, UINT64_MAX, 1, 0);
    ck_assert_uint_eq(one.lo, 0);
    ck_assert_uint_eq(one.hi, UINT64_MAX);
    ck_assert_uint_eq(one.empty, 0);
}
END_TEST

START_TEST(block_is_three_words)
{
    /* The driver scatters blocks as MPP_BLOCK_WORDS x MPI_UINT64_T. */
    ck_assert_uint_eq(sizeof(mpp_block), MPP_BLOCK_WORDS * sizeof(uint64_t));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decomp");
    TCase *tc = tcase_create("blocks");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_rank_count_1_to_64);
    tcase_add_test(tc, more_ranks_than_numbers);
    tcase_add_test(tc, first_ranks_take_the_remainder);
    tcase_add_test(tc, whole_64_bit_range);
    tcase_add_test(tc, block_is_three_words);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
