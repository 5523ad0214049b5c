/* mpienv.c - see mpienv.h. */
#include "mpienv.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
