/* replay.c - runs a fuzz target's LLVMFuzzerTestOneInput over saved inputs,
 * without libFuzzer, so that the seed corpus and the regression inputs run
 * as ordinary tests in any build (gcc included).
 *
 *   fuzz_replay_numparse PATH...
 *
 * Each PATH is an input file or a directory whose files (in name order,
 * recursively; names starting with '.' or "README" skipped) are inputs. A
 * violated property aborts with its message; a PATH that cannot be read,
 * or no input at all, is an error (exit 1). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, size = 0;
    uint8_t *data = malloc(cap);
    for (;;) {
        if (data == NULL) {
            fprintf(stderr, "replay: %s: out of memory\n", path);
            fclose(f);
            return -1;
        }
        size += fread(data + size, 1, cap - size, f);
        if (size < cap)
            break;
        cap *= 2;
        data = realloc(data, cap);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(data);
        return -1;
    }
    /* The target gets exactly SIZE bytes, as from libFuzzer, so that a
     * sanitizer sees a read past the end. */
    uint8_t *exact = malloc(size > 0 ? size : 1);
    if (exact == NULL)
        abort();
    memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    return 1;
}

static int skip_entry(const struct dirent *e)
{
    return e->d_name[0] != '.' && strncmp(e->d_name, "README", 6) != 0;
}

/* The number of inputs run from PATH, or -1 after an error. */
static long run_path(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode))
        return run_file(path);
    struct dirent **names;
    int n = scandir(path, &names, skip_entry, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    long count = 0;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
        char *sub = malloc(len);
        if (sub == NULL)
            abort();
        snprintf(sub, len, "%s/%s", path, names[i]->d_name);
        long k = count < 0 ? 0 : run_path(sub);
        count = k < 0 ? -1 : count + k;
        free(sub);
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    long total = 0;
    int status = 0;
    for (int i = 1; i < argc; i++) {
        long n = run_path(argv[i]);
        if (n < 0) {
            status = 1;
            continue;
        }
        printf("replay: %ld inputs from %s\n", n, argv[i]);
        total += n;
    }
    if (total == 0) {
        fprintf(stderr, "replay: no input run (usage: %s FILE|DIR...)\n", argv[0]);
        status = 1;
    }
    printf("replay: %ld inputs run, every property held%s\n", total,
           status ? ", but some paths could not be read" : "");
    return status;
}
