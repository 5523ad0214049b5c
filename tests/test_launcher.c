/* test_launcher.c - (src/sys/launcher.c) the fabric check and the ob1 choice, on file trees made
 * in a temporary directory; the decision to write to mpirun's standard
 * output directly (mpp_launcher_is_plain_mpirun on hand-made parents,
 * command lines and environments), and mpp_launcher_stdout() where it must
 * say no. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher.h"
#include "testutil.h"

static char root[64];

static void make_root(void)
{
    strcpy(root, "/tmp/mpp_launcher_XXXXXX");
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

/* ---- rank 0's direct standard output ---- */

/* A command line as /proc/PID/cmdline holds it: the NULL-terminated ARGS,
 * each followed by a NUL, in BUF; returns its length. */
static size_t cmdline_of(char *buf, size_t cap, const char *const *args)
{
    size_t len = 0;
    for (; *args; args++) {
        size_t n = strlen(*args) + 1;
        ck_assert_uint_le(len + n, cap);
        memcpy(buf + len, *args, n);
        len += n;
    }
    return len;
}

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ENV(...) ((char *const[]){__VA_ARGS__, NULL})

/* mpirun -np 2 ./mpprimes --print 1e9 */
static const char plain[] = "mpirun\0-np\0" "2\0./mpprimes\0--print\0" "1e9\0";
#define PLAIN_LEN (sizeof plain - 1) /* the literal's own final NUL left out */

static char *const quiet_env[] = {"PATH=/usr/bin:/bin", "HOME=/home/u", "OMPI_MCA_pml=ob1",
                                  "OMPI_COMM_WORLD_RANK=0", NULL};

START_TEST(launcher_plain_mpirun)
{
    /* the cmdline built with explicit lengths: 6 arguments, NUL after each */
    ck_assert_uint_eq(PLAIN_LEN, 7 + 4 + 2 + 11 + 8 + 4);
    ck_assert_int_eq(plain[PLAIN_LEN - 1], '\0');
    static const char *const exes[] = {"/usr/bin/orterun", "/usr/bin/mpirun",
                                       "/usr/bin/mpiexec", "/usr/bin/prterun",
                                       "/opt/openmpi/bin/orterun", "mpirun", "orterun"};
    for (size_t i = 0; i < sizeof exes / sizeof exes[0]; i++) {
        ck_assert_msg(mpp_launcher_is_plain_mpirun(exes[i], plain, PLAIN_LEN, NULL, quiet_env),
                      "%s", exes[i]);
        ck_assert_msg(mpp_launcher_is_plain_mpirun(exes[i], plain, PLAIN_LEN, NULL, NULL), "%s",
                      exes[i]);
        char *const empty[] = {NULL};
        ck_assert_msg(mpp_launcher_is_plain_mpirun(exes[i], plain, PLAIN_LEN, NULL, empty), "%s",
                      exes[i]);
    }
    /* unrelated OMPI_MCA_ variables, and output settings outside OMPI_MCA_ */
    ck_assert(mpp_launcher_is_plain_mpirun(
        "/usr/bin/orterun", plain, PLAIN_LEN, NULL,
        ENV("OMPI_MCA_pml=ob1", "OMPI_MCA_btl=self,vader,tcp",
            "OMPI_MCA_rmaps_base_oversubscribe=1", "MY_tag_output=1",
            "XML_CATALOG_FILES=/etc/xml/catalog")));
    /* an empty command line (nothing to object to) */
    ck_assert(mpp_launcher_is_plain_mpirun("/usr/bin/mpirun", "", 0, NULL, quiet_env));
    /* other usual mpirun arguments */
    char buf[512];
    size_t len = cmdline_of(buf, sizeof buf,
                            ARGV("mpirun", "--oversubscribe", "-np", "4", "--hostfile", "hosts",
                                 "--bind-to", "core", "--mca", "pml", "ob1", "-x", "PATH",
                                 "./mpprimes", "-p", "1e12", "1e12+1e9"));
    ck_assert(mpp_launcher_is_plain_mpirun("/usr/bin/orterun", buf, len, NULL, quiet_env));
}
END_TEST

START_TEST(launcher_other_parents)
{
    static const char *const exes[] = {
        "/usr/bin/bash", "/bin/sh", "/usr/sbin/slurmstepd", "/usr/bin/orted", "orted",
        "/usr/bin/prted", "/usr/bin/hydra_pmi_proxy", "hydra_pmi_proxy", "/usr/bin/srun",
        "/usr/bin/mpirun.real", "/usr/bin/mpirun-wrapper", "/usr/bin/xmpirun",
        "/usr/bin/mpirun/", "/usr/lib/mpirun.d/tool", "", "/"};
    for (size_t i = 0; i < sizeof exes / sizeof exes[0]; i++)
        ck_assert_msg(!mpp_launcher_is_plain_mpirun(exes[i], plain, PLAIN_LEN, NULL, quiet_env),
                      "'%s' taken for mpirun", exes[i]);
}
END_TEST

START_TEST(launcher_output_options)
{
    /* any argument that changes what mpirun does with the output */
    static const char *const changers[] = {
        "--tag-output", "--timestamp-output", "--xml", "--output-filename",
        "--output-filename=/tmp/out", "--merge-stderr-to-stdout", "--output",
        "--output=tag", "-tag-output", "-output-filename", "-xml"};
    char buf[512];
    for (size_t i = 0; i < sizeof changers / sizeof changers[0]; i++) {
        /* first, in the middle, and last */
        size_t a = cmdline_of(buf, sizeof buf,
                              ARGV("mpirun", changers[i], "-np", "2", "./mpprimes", "-p", "9"));
        ck_assert_msg(!mpp_launcher_is_plain_mpirun("/usr/bin/orterun", buf, a, NULL, quiet_env),
                      "%s (second)", changers[i]);
        a = cmdline_of(buf, sizeof buf,
                       ARGV("mpirun", "-np", "2", changers[i], "./mpprimes", "-p", "9"));
        ck_assert_msg(!mpp_launcher_is_plain_mpirun("/usr/bin/mpirun", buf, a, NULL, quiet_env),
                      "%s (middle)", changers[i]);
        a = cmdline_of(buf, sizeof buf, ARGV("mpiexec", "-np", "2", "./mpprimes", changers[i]));
        ck_assert_msg(!mpp_launcher_is_plain_mpirun("/usr/bin/mpiexec", buf, a, NULL, quiet_env),
                      "%s (last)", changers[i]);
        /* ... unless it is the program's own argument (mpprimes --output) */
        ck_assert_msg(mpp_launcher_is_plain_mpirun("/usr/bin/mpiexec", buf, a, "./mpprimes",
                                                   quiet_env),
                      "%s (the program's)", changers[i]);
        a = cmdline_of(buf, sizeof buf,
                       ARGV("mpirun", "-np", "2", changers[i], "./mpprimes", "-p", "9"));
        ck_assert_msg(!mpp_launcher_is_plain_mpirun("/usr/bin/mpirun", buf, a, "./mpprimes",
                                                    quiet_env),
                      "%s (before the program)", changers[i]);
        a = cmdline_of(buf, sizeof buf,
                       ARGV("mpirun", "-np", "2", "./my-output/mpprimes", "-o", "out.txt"));
        ck_assert_msg(mpp_launcher_is_plain_mpirun("/usr/bin/mpirun", buf, a,
                                                   "./my-output/mpprimes", quiet_env),
                      "a directory named output");
    }
    /* "--output" with its Open MPI 5 values, as one or two arguments */
    size_t a = cmdline_of(buf, sizeof buf,
                          ARGV("prterun", "--output", "tag,timestamp", "-np", "2", "./mpprimes"));
    ck_assert(!mpp_launcher_is_plain_mpirun("/usr/bin/prterun", buf, a, NULL, quiet_env));
    /* only the first LEN bytes count */
    a = cmdline_of(buf, sizeof buf, ARGV("mpirun", "-np", "2", "--tag-output"));
    ck_assert(!mpp_launcher_is_plain_mpirun("/usr/bin/mpirun", buf, a, NULL, quiet_env));
    ck_assert(mpp_launcher_is_plain_mpirun("/usr/bin/mpirun", buf, 7 + 4 + 2, NULL, quiet_env));
}
END_TEST

START_TEST(launcher_output_mca_variables)
{
    static const char *const vars[] = {
        "OMPI_MCA_orte_tag_output=1", "OMPI_MCA_orte_timestamp_output=1",
        "OMPI_MCA_orte_xml_output=1", "OMPI_MCA_orte_output_filename=x",
        "OMPI_MCA_iof_base_redirect_app_stderr_to_stdout=1"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        char *env[] = {"PATH=/usr/bin", "OMPI_MCA_pml=ob1", (char *)vars[i], "HOME=/h", NULL};
        ck_assert_msg(!mpp_launcher_is_plain_mpirun("/usr/bin/orterun", plain, PLAIN_LEN, NULL, env),
                      "%s", vars[i]);
        char *first[] = {(char *)vars[i], NULL};
        ck_assert_msg(!mpp_launcher_is_plain_mpirun("/usr/bin/mpirun", plain, PLAIN_LEN, NULL, first),
                      "%s (alone)", vars[i]);
    }
}
END_TEST

START_TEST(launcher_stdout_off_or_not_under_mpirun)
{
    /* switched off */
    setenv("MPPRIMES_DIRECT_STDOUT", "0", 1);
    ck_assert_int_eq(mpp_launcher_stdout(), -1);
    unsetenv("MPPRIMES_DIRECT_STDOUT");
    ck_assert_ptr_null(getenv("MPPRIMES_DIRECT_STDOUT"));
    /* the parent here is the Check runner (or, with CK_FORK=no, whatever
     * started the test: a shell, ctest, valgrind), not mpirun: -1 too, and
     * no descriptor is left open */
    int before = dup(0);
    ck_assert_int_ge(before, 0);
    close(before);
    ck_assert_int_eq(mpp_launcher_stdout(), -1);
    setenv("MPPRIMES_DIRECT_STDOUT", "1", 1);
    ck_assert_int_eq(mpp_launcher_stdout(), -1);
    unsetenv("MPPRIMES_DIRECT_STDOUT");
    int after = dup(0);
    ck_assert_int_eq(after, before);
    close(after);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("launcher");
    TCase *tc = tcase_create("launcher");
    tcase_add_test(tc, no_fabric_in_an_empty_tree);
    tcase_add_test(tc, each_kind_of_fabric_is_seen);
    tcase_add_test(tc, ob1_only_without_fabric_or_user_choice);
    suite_add_tcase(s, tc);
    tc = tcase_create("launcher");
    tcase_add_test(tc, launcher_plain_mpirun);
    tcase_add_test(tc, launcher_other_parents);
    tcase_add_test(tc, launcher_output_options);
    tcase_add_test(tc, launcher_output_mca_variables);
    tcase_add_test(tc, launcher_stdout_off_or_not_under_mpirun);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
