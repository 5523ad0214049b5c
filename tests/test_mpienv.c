/* test_mpienv.c - the fabric check and the ob1 choice, on file trees made
 * in a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpienv.h"
#include "testutil.h"

static char root[64];

static void make_root(void)
{
    strcpy(root, "/tmp/mpp_mpienv_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void mkpath(const char *sub)
{
    char path[256], *p;
    snprintf(path, sizeof path, "%s/%s", root, sub);
    for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void touch(const char *sub)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, sub);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
}

static void remove_root(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(no_fabric_in_an_empty_tree)
{
    make_root();
    ck_assert(!mpp_fabric_present(root));
    mkpath("sys/class/infiniband"); /* the class exists, no device in it */
    mkpath("dev");
    touch("dev/null");
    touch("dev/hfi"); /* not hfi1_* */
    ck_assert(!mpp_fabric_present(root));
    ck_assert(!mpp_fabric_present("/nonexistent/root"));
    remove_root();
}
END_TEST

START_TEST(each_kind_of_fabric_is_seen)
{
    static const char *devices[] = {"sys/class/infiniband/mlx5_0", "sys/class/infiniband/efa_0",
                                    "dev/hfi1_0", "dev/ipath", "dev/cxi0"};
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        make_root();
        if (!strncmp(devices[i], "sys", 3))
            mkpath(devices[i]);
        else {
            mkpath("dev");
            touch(devices[i]);
        }
        ck_assert_msg(mpp_fabric_present(root), "%s not seen", devices[i]);
        remove_root();
    }
}
END_TEST

START_TEST(ob1_only_without_fabric_or_user_choice)
{
    make_root();
    unsetenv("OMPI_MCA_pml");
    unsetenv("MPPRIMES_KEEP_MPI_ENV");
    ck_assert(mpp_prefer_ob1(root));
    ck_assert_str_eq(getenv("OMPI_MCA_pml"), "ob1");

    setenv("OMPI_MCA_pml", "ucx", 1); /* the user's choice stays */
    ck_assert(!mpp_prefer_ob1(root));
    ck_assert_str_eq(getenv("OMPI_MCA_pml"), "ucx");

    unsetenv("OMPI_MCA_pml");
    setenv("MPPRIMES_KEEP_MPI_ENV", "1", 1); /* the opt-out */
    ck_assert(!mpp_prefer_ob1(root));
    ck_assert_ptr_null(getenv("OMPI_MCA_pml"));

    unsetenv("MPPRIMES_KEEP_MPI_ENV");
    mkpath("sys/class/infiniband/mlx5_0"); /* a fabric: Open MPI chooses */
    ck_assert(!mpp_prefer_ob1(root));
    ck_assert_ptr_null(getenv("OMPI_MCA_pml"));
    remove_root();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mpienv");
    TCase *tc = tcase_create("mpienv");
    tcase_add_test(tc, no_fabric_in_an_empty_tree);
    tcase_add_test(tc, each_kind_of_fabric_is_seen);
    tcase_add_test(tc, ob1_only_without_fabric_or_user_choice);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
