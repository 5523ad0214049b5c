/* test_checkpoint.c - unit tests of the checkpoint (src/core/checkpoint.c):
 * spans added in random order against a bitmap (joined when adjacent, an
 * overlap refused and the set left as it was), near 0 and 2^64 - 1; the
 * complement in a range; the virtual range of the work left, mapped back
 * to real pieces, against a plain enumeration; the file written and read
 * back (counts, tuplets, gaps, spans, a listing's fields); every truncation
 * and every flipped byte of it refused; another command's refused, naming
 * what differs.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "testutil.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
    return test_xorshift(&rng) % n;
}

/* S holds exactly the numbers BASE + i for which IN[i] is set, i < N, and
 * its spans are sorted and apart. */
static void expect_set(const mpp_spans *s, const bool *in, size_t n, uint64_t base)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (!in[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < n && in[j + 1])
            j++;
        REQUIRE(k < s->n, "span %zu missing", k);
        ck_assert_uint_eq(s->at[k].lo, base + i);
        ck_assert_uint_eq(s->at[k].hi, base + j);
        k++;
        i = j + 1;
    }
    ck_assert_uint_eq(s->n, k);
}

START_TEST(test_spans_random)
{
    enum { N = 300 };
    static const uint64_t bases[] = {0, 1000000, UINT64_MAX - (N - 1)};
    for (size_t b = 0; b < 3; b++)
        for (int trial = 0; trial < 100; trial++) {
            bool in[N] = {false};
            mpp_spans s = {NULL, 0, 0};
            for (int step = 0; step < 60; step++) {
                uint64_t lo = rnd(N), len = rnd(12), hi = lo + len < N ? lo + len : N - 1;
                bool overlap = false;
                for (uint64_t i = lo; i <= hi; i++)
                    overlap = overlap || in[i];
                bool ok = mpp_spans_add(&s, bases[b] + lo, bases[b] + hi);
                ck_assert_int_eq(ok, !overlap);
                if (ok)
                    for (uint64_t i = lo; i <= hi; i++)
                        in[i] = true;
                expect_set(&s, in, N, bases[b]);
            }
            uint64_t count = 0;
            for (size_t i = 0; i < N; i++)
                count += in[i];
            ck_assert_uint_eq(mpp_spans_numbers(&s), count);
            /* the complement in a random range */
            uint64_t a = rnd(N), z = a + rnd(N - a);
            mpp_spans todo = {NULL, 0, 0};
            ck_assert(mpp_spans_complement(&s, bases[b] + a, bases[b] + z, &todo));
            bool left[N] = {false};
            for (uint64_t i = a; i <= z; i++)
                left[i] = !in[i];
            expect_set(&todo, left, N, bases[b]);
            mpp_spans_free(&todo);
            mpp_spans_free(&s);
        }
}
END_TEST

START_TEST(test_spans_whole_range)
{
    mpp_spans s = {NULL, 0, 0}, todo = {NULL, 0, 0};
    ck_assert(mpp_spans_add(&s, 0, UINT64_MAX));
    ck_assert_uint_eq(mpp_spans_numbers(&s), UINT64_MAX); /* saturates */
    ck_assert(!mpp_spans_add(&s, 5, 5));
    ck_assert(mpp_spans_complement(&s, 0, UINT64_MAX, &todo));
    ck_assert_uint_eq(todo.n, 0);
    mpp_spans_free(&s);
    ck_assert(mpp_spans_complement(&s, 0, UINT64_MAX, &todo));
    ck_assert_uint_eq(todo.n, 1);
    ck_assert_uint_eq(todo.at[0].lo, 0);
    ck_assert_uint_eq(todo.at[0].hi, UINT64_MAX);
    ck_assert(mpp_spans_add(&s, UINT64_MAX, UINT64_MAX));
    ck_assert(mpp_spans_add(&s, 0, 0));
    ck_assert(mpp_spans_complement(&s, 0, UINT64_MAX, &todo));
    ck_assert_uint_eq(todo.n, 1);
    ck_assert_uint_eq(todo.at[0].lo, 1);
    ck_assert_uint_eq(todo.at[0].hi, UINT64_MAX - 1);
    mpp_spans_free(&s);
    mpp_spans_free(&todo);
}
END_TEST

/* Random sets of blocks left; every virtual block maps to the real numbers
 * that enumeration of the blocks gives, in order, in pieces that lie inside
 * the blocks. */
START_TEST(test_todo_map)
{
    for (int trial = 0; trial < 300; trial++) {
        mpp_spans todo = {NULL, 0, 0};
        uint64_t base = trial % 3 == 2 ? UINT64_MAX - 2000 : (uint64_t)trial * 1000;
        uint64_t real[2001], n = 0, at = base;
        while (at < base + 1900) {
            uint64_t len = 1 + rnd(trial % 2 ? 3 : 40), gap = 1 + rnd(20);
            ck_assert(mpp_spans_add(&todo, at, at + len - 1));
            for (uint64_t i = 0; i < len; i++)
                real[n++] = at + i;
            at += len + gap;
        }
        uint64_t v0 = todo.at[0].lo, vstop = mpp_todo_vstop(&todo);
        ck_assert_uint_eq(vstop - v0 + 1, n);
        for (int q = 0; q < 40; q++) {
            uint64_t a = rnd(n), z = a + rnd(n - a);
            ck_assert_uint_eq(mpp_todo_real(&todo, v0 + a), real[a]);
            mpp_block out[4];
            uint64_t v = v0 + a, k = a;
            for (;;) {
                size_t got = mpp_todo_pieces(&todo, v, v0 + z, out, 4), w = got < 4 ? got : 4;
                for (size_t i = 0; i < w; i++)
                    for (uint64_t x = out[i].lo; x <= out[i].hi; x++) {
                        REQUIRE(k <= z && real[k] == x, "virtual %" PRIu64 ": %" PRIu64, k, x);
                        k++;
                    }
                if (got <= 4)
                    break;
                v = v0 + k;
            }
            ck_assert_uint_eq(k, z + 1);
        }
        mpp_spans_free(&todo);
    }
}
END_TEST

static mpp_options options_of(uint64_t start, uint64_t stop)
{
    mpp_options o;
    mpp_options_init(&o);
    o.start = start;
    o.stop = stop;
    o.count_only = true;
    o.kinds = 1u << 1 | 1u << 2 | 1u << 6;
    o.gaps = true;
    return o;
}

static mpp_checkpoint *sample(const mpp_options *o)
{
    mpp_checkpoint *c = malloc(sizeof *c);
    ck_assert_ptr_nonnull(c);
    mpp_checkpoint_init(c, o);
    c->result.primes = (mpp_tally){.count = 4118054813u, .first = 2, .last = 99999999977u};
    c->result.tuplets[2] = 224376048;
    c->result.tuplets[6] = 4;
    for (uint64_t i = 0; i < 20; i++)
        ck_assert(mpp_spans_add(&c->done, 2 + i * 1000003, 2 + i * 1000003 + 999 * i));
    mpp_gaps_add(&c->gaps, 2, 5, true);
    mpp_gaps_add(&c->gaps, 14, 113, true);
    mpp_gaps_add(&c->gaps, 6, 23, false);
    c->next = 77;
    c->bytes = 123456789;
    snprintf(c->tmp, sizeof c->tmp, "out/primes.txt.tmp-Ab12Cd");
    return c;
}

START_TEST(test_round_trip)
{
    mpp_options o = options_of(2, 100000000000u);
    mpp_checkpoint *c = sample(&o), *back = malloc(sizeof *back);
    c->finished = true;
    size_t len;
    char *text = mpp_checkpoint_encode(c, &len);
    ck_assert_ptr_nonnull(text);
    mpp_checkpoint_init(back, &o);
    char why[256] = "";
    ck_assert_int_eq(mpp_checkpoint_decode(text, len, back->command, back, why, sizeof why),
                     MPP_CKPT_OK);
    ck_assert_int_eq(back->finished, true);
    ck_assert_mem_eq(&back->result, &c->result, sizeof c->result);
    ck_assert_uint_eq(back->done.n, c->done.n);
    ck_assert_mem_eq(back->done.at, c->done.at, c->done.n * sizeof *c->done.at);
    ck_assert_uint_eq(mpp_gaps_total(&back->gaps), 3);
    ck_assert_uint_eq(mpp_gaps_largest(&back->gaps).gap, 14);
    ck_assert_uint_eq(back->next, 77);
    ck_assert_uint_eq(back->bytes, 123456789);
    ck_assert_str_eq(back->tmp, "out/primes.txt.tmp-Ab12Cd");
    /* a person can read it */
    ck_assert_ptr_nonnull(strstr(text, "command start=2 stop=100000000000 count=1"));
    ck_assert_ptr_nonnull(strstr(text, "\nstate finished\n"));
    mpp_checkpoint_free(back);
    free(back);
    free(text);
    mpp_checkpoint_free(c);
    free(c);
}
END_TEST

START_TEST(test_damage_refused)
{
    mpp_options o = options_of(1000, 5000000);
    o.gaps = false;
    mpp_checkpoint *c = sample(&o), *back = malloc(sizeof *back);
    size_t len;
    char *text = mpp_checkpoint_encode(c, &len), why[256];
    ck_assert_ptr_nonnull(text);
    char *copy = malloc(len);
    for (size_t cut = 0; cut < len; cut++) { /* every truncation */
        mpp_checkpoint_init(back, &o);
        int rc = mpp_checkpoint_decode(text, cut, back->command, back, why, sizeof why);
        REQUIRE(rc == MPP_CKPT_DAMAGED, "cut at %zu read as %d", cut, rc);
        mpp_checkpoint_free(back);
    }
    for (size_t i = 0; i < len; i++) { /* every byte flipped, in one bit */
        int bit = (int)(i % 8);
        memcpy(copy, text, len);
        copy[i] ^= (char)(1 << bit);
        mpp_checkpoint_init(back, &o);
        int rc = mpp_checkpoint_decode(copy, len, back->command, back, why, sizeof why);
        REQUIRE(rc == MPP_CKPT_DAMAGED, "byte %zu bit %d read as %d", i, bit, rc);
        mpp_checkpoint_free(back);
    }
    memcpy(copy, text, len);
    mpp_checkpoint_init(back, &o);
    ck_assert_int_eq(mpp_checkpoint_decode(copy, len, back->command, back, why, sizeof why),
                     MPP_CKPT_OK);
    mpp_checkpoint_free(back);
    ck_assert_int_eq(mpp_checkpoint_decode("hello\n", 6, back->command, back, why, sizeof why),
                     MPP_CKPT_DAMAGED);
    ck_assert_str_eq(why, "is not a checkpoint of mpprimes");
    free(copy);
    free(text);
    free(back);
    mpp_checkpoint_free(c);
    free(c);
}
END_TEST

START_TEST(test_other_command)
{
    mpp_options o = options_of(2, 1000000);
    mpp_checkpoint *c = sample(&o), *back = malloc(sizeof *back);
    size_t len;
    char *text = mpp_checkpoint_encode(c, &len), why[256];
    mpp_options others[2] = {o, o};
    others[0].stop = 2000000;
    others[1].method = MPP_METHOD_TRIAL;
    static const char *const whys[2] = {
        "belongs to another command (its stop is 1000000, this command's 2000000)",
        "belongs to another command (its method is sieve, this command's trial)"};
    for (int i = 0; i < 2; i++) {
        mpp_checkpoint_init(back, &others[i]);
        ck_assert_int_eq(mpp_checkpoint_decode(text, len, back->command, back, why, sizeof why),
                         MPP_CKPT_OTHER);
        ck_assert_str_eq(why, whys[i]);
        mpp_checkpoint_free(back);
    }
    mpp_options other;
    /* what does not decide the results is not in the command */
    other = o;
    other.decomposition = MPP_DECOMP_DYNAMIC;
    other.buffer = 1000;
    other.json = true;
    char a[MPP_COMMAND_MAX], b[MPP_COMMAND_MAX];
    mpp_checkpoint_command(&o, a, sizeof a);
    mpp_checkpoint_command(&other, b, sizeof b);
    ck_assert_str_eq(a, b);
    free(text);
    free(back);
    mpp_checkpoint_free(c);
    free(c);
}
END_TEST

static Suite *checkpoint_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("spans");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_spans_random);
    tcase_add_test(tc, test_spans_whole_range);
    tcase_add_test(tc, test_todo_map);
    suite_add_tcase(s, tc);
    tc = tcase_create("file");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_damage_refused);
    tcase_add_test(tc, test_other_command);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(checkpoint_suite());
}
