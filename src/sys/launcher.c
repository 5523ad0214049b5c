/* launcher.c - see launcher.h. */
#define _GNU_SOURCE /* syscall, pidfd */
#include "launcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* True when directory ROOT/SUB has an entry whose name starts with PREFIX
 * ("" for any entry but . and ..). */
static bool has_entry(const char *root, const char *sub, const char *prefix)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", root, sub) >= (int)sizeof path)
        return false;
    DIR *d = opendir(path);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    size_t len = strlen(prefix);
    while (!found && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        found = strncmp(e->d_name, prefix, len) == 0;
    }
    closedir(d);
    return found;
}

bool mpp_fabric_present(const char *root)
{
    return has_entry(root, "sys/class/infiniband", "") || has_entry(root, "dev", "hfi1_") ||
           has_entry(root, "dev", "ipath") || has_entry(root, "dev", "cxi");
}

bool mpp_prefer_ob1(const char *root)
{
    if (getenv("OMPI_MCA_pml") || getenv("MPPRIMES_KEEP_MPI_ENV"))
        return false;
    if (mpp_fabric_present(root))
        return false;
    return setenv("OMPI_MCA_pml", "ob1", 0) == 0;
}

/* ---- rank 0's standard output under Open MPI's mpirun ---- */

extern char **environ;

static bool basename_is(const char *path, const char *name)
{
    const char *slash = strrchr(path, '/');
    return strcmp(slash ? slash + 1 : path, name) == 0;
}

/* An MCA parameter setting (NAME=VALUE, or "name = value" in a file)
 * that changes what mpirun does with the output. */
static bool changes_output(const char *setting)
{
    return strstr(setting, "tag_output") || strstr(setting, "timestamp_output") ||
           strstr(setting, "xml") || strstr(setting, "output_filename") ||
           strstr(setting, "redirect_app_stderr");
}

bool mpp_launcher_is_plain_mpirun(const char *exe, const char *cmdline, size_t len,
                                  const char *app, char *const *env)
{
    static const char *const launchers[] = {"orterun", "mpirun", "mpiexec", "prterun"};
    bool known = false;
    for (size_t i = 0; i < sizeof launchers / sizeof launchers[0]; i++)
        known = known || basename_is(exe, launchers[i]);
    if (!known)
        return false;
    /* Options that change what mpirun does with the output: --tag-output,
     * --timestamp-output, --xml, --output-filename, --output (Open MPI 5),
     * --merge-stderr-to-stdout, and the MCA parameters behind them; up to
     * the program (APP), whose own arguments (--output) are not mpirun's. */
    static const char *const changers[] = {"output", "xml", "merge-stderr"};
    for (size_t at = 0; at < len; at += strlen(cmdline + at) + 1) {
        if (at > 0 && app && strcmp(cmdline + at, app) == 0)
            break;
        for (size_t i = 0; i < sizeof changers / sizeof changers[0]; i++)
            if (strstr(cmdline + at, changers[i]))
                return false;
    }
    for (; env && *env; env++) {
        if (strncmp(*env, "OMPI_MCA_", 9) != 0 && strncmp(*env, "PRTE_MCA_", 9) != 0)
            continue;
        if (changes_output(*env))
            return false;
    }
    return true;
}

/* True when a line of an MCA parameter file (not a comment) sets one of
 * the output-changing parameters. */
static bool file_changes_output(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[1024];
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        found = changes_output(line);
    }
    fclose(f);
    return found;
}

bool mpp_mca_files_change_output(const char *home, const char *etc)
{
    char path[4096];
    if (home && snprintf(path, sizeof path, "%s/.openmpi/mca-params.conf", home) <
                    (int)sizeof path &&
        file_changes_output(path))
        return true;
    return etc && file_changes_output(etc);
}

/* Reads the NUL-separated arguments of /proc/WHO/cmdline into BUF (SIZE
 * bytes); returns their length, or -1 when unreadable or too long. */
static ssize_t read_cmdline(const char *who, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/cmdline", who);
    int cfd = open(path, O_RDONLY | O_CLOEXEC);
    if (cfd < 0)
        return -1;
    ssize_t len = read(cfd, buf, size - 1);
    close(cfd);
    if (len <= 0 || len == (ssize_t)size - 1)
        return -1;
    buf[len] = '\0';
    return len;
}

static int launcher_fd(int which)
{
    const char *want = getenv("MPPRIMES_DIRECT_STDOUT");
    if (want && strcmp(want, "0") == 0)
        return -1;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
    pid_t parent = getppid();
    char path[64], exe[4096], cmdline[8192], self[4096], who[32];
    snprintf(path, sizeof path, "/proc/%ld/exe", (long)parent);
    ssize_t n = readlink(path, exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    snprintf(who, sizeof who, "%ld", (long)parent);
    ssize_t clen = read_cmdline(who, cmdline, sizeof cmdline);
    if (clen < 0)
        return -1; /* unreadable, or too long to check */
    /* Our argv[0] is the program as mpirun's command line names it. */
    const char *app = read_cmdline("self", self, sizeof self) > 0 ? self : NULL;
    if (!mpp_launcher_is_plain_mpirun(exe, cmdline, (size_t)clen, app, environ) ||
        mpp_mca_files_change_output(getenv("HOME"), "/etc/openmpi/openmpi-mca-params.conf"))
        return -1;
    int pidfd = (int)syscall(SYS_pidfd_open, parent, 0);
    if (pidfd < 0)
        return -1;
    int fd = (int)syscall(SYS_pidfd_getfd, pidfd, which, 0);
    close(pidfd);
    if (fd < 0)
        return -1;
    /* Pointless (and not what mpirun forwards to) when it is our own. */
    struct stat mine, theirs;
    if (fstat(which, &mine) == 0 && fstat(fd, &theirs) == 0 && mine.st_dev == theirs.st_dev &&
        mine.st_ino == theirs.st_ino) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
#else
    return -1;
#endif
}

int mpp_launcher_stdout(void)
{
    return launcher_fd(STDOUT_FILENO);
}

int mpp_launcher_stderr(void)
{
    return launcher_fd(STDERR_FILENO);
}
