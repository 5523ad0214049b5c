/* files.h - output files that appear only when complete (--output),
 * files that records are appended to (--csv), and write(2) until done.
 * POSIX; no MPI. */
#ifndef MPP_FILES_H
#define MPP_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* write(2) until all N bytes are written (EINTR retried). Returns 0 or the
 * errno of the failure. */
int mpp_write_all(int fd, const void *buf, size_t n);

/* An output file that appears under its name only when complete.
 *
 * A regular file (new, or existing) is written under a temporary name in
 * the directory of its target, "TARGET.tmp-XXXXXX", created here with the
 * existing file's permissions (or 0666 & ~umask for a new one), and renamed
 * over the target by mpp_outfile_commit(); the old file's cached pages are
 * dropped first (the file itself stays as it is until the rename), so that
 * the new one can reuse that memory. When PATH is a symbolic link the
 * target is the file it points to, so the link survives. Anything else that
 * already exists at PATH (a device such as /dev/null or /dev/full, a FIFO)
 * is opened and written directly, in order. */
typedef struct {
    int fd;        /* the temporary file, or the direct target; -1 once closed */
    char *tmp;     /* temporary name, or NULL when writing directly */
    char *target;  /* the name the file ends up under */
} mpp_outfile;

/* Returns 0, or the errno that prevented it (EISDIR for a directory). */
int mpp_outfile_open(mpp_outfile *o, const char *path);
/* True when the output goes straight to an existing non-regular file. */
bool mpp_outfile_is_direct(const mpp_outfile *o);
/* Closes the descriptor (the file itself stays). Returns 0 or an errno. */
int mpp_outfile_close_fd(mpp_outfile *o);
/* Syncs it to disk, closes it, renames it into place and syncs its
 * directory. Returns 0, or the errno of the failure, in which case the
 * temporary file is removed. */
int mpp_outfile_commit(mpp_outfile *o);
/* A resumed run (--checkpoint): takes up the temporary file TMP that an
 * earlier run of the output PATH wrote, cut back to its first BYTES (what
 * the checkpoint says was written; the rest may be half written). Returns
 * 0, or an errno: ENOENT (it is gone), ERANGE (it holds fewer bytes). */
int mpp_outfile_resume(mpp_outfile *o, const char *path, const char *tmp, uint64_t bytes);
/* The temporary files of PATH that runs killed before they could remove
 * them left ("PATH.tmp-XXXXXX"): their number, and the first one's name in
 * FOUND (SIZE bytes). */
size_t mpp_outfile_leftovers(const char *path, char *found, size_t size);
/* Closes it and leaves the temporary file where it is, for a run that
 * resumes (--checkpoint). */
void mpp_outfile_keep(mpp_outfile *o);
/* Closes and removes the temporary file (after a failure elsewhere). */
void mpp_outfile_abandon(mpp_outfile *o);

/* A file that records are appended to, one write each (--csv): opened
 * before the work, so that a bad path fails at once; written once at the
 * end. Runs appending to one file at the same time take turns through an
 * advisory lock (flock), so a header is written once and no record is cut
 * or interleaved. A FIFO without a reader is ENXIO, not a hang. */
typedef struct {
    int fd;        /* -1 once closed */
    bool created;  /* the file did not exist before mpp_appendfile_open */
    char *path;
} mpp_appendfile;

/* Opens PATH for appending, creating it (0666 & ~umask) when missing.
 * Returns 0 or the errno that prevented it. */
int mpp_appendfile_open(mpp_appendfile *a, const char *path);
/* True when nothing has been written to the file yet (a regular file of 0
 * bytes, or a file that is not regular: a header belongs first). */
bool mpp_appendfile_empty(const mpp_appendfile *a);
/* Appends LEN bytes of BUF. Returns 0, or an errno: then a regular file is
 * cut back to where it was, so that no partial record stays (safe from
 * other writers between mpp_appendfile_lock and _unlock). */
int mpp_appendfile_write(mpp_appendfile *a, const void *buf, size_t len);
/* Takes and releases the file's exclusive advisory lock, waiting for other
 * holders; where the file system has no locks, they do nothing. Check
 * mpp_appendfile_empty and write between the two. */
void mpp_appendfile_lock(mpp_appendfile *a);
void mpp_appendfile_unlock(mpp_appendfile *a);
/* Closes it; when KEEP is false and the file was created by
 * mpp_appendfile_open and is still empty, it is removed. */
void mpp_appendfile_close(mpp_appendfile *a, bool keep);

/* Writes LEN bytes of BUF as the file PATH, whole or not at all: into a
 * temporary file beside it, synced to disk, renamed over PATH, and the
 * directory synced (--checkpoint). Returns 0 or an errno. */
int mpp_write_atomic(const char *path, const void *buf, size_t len);
/* Removes the temporary files mpp_write_atomic(PATH) left when killed
 * ("PATH.tmp-XXXXXX"); returns how many. */
size_t mpp_remove_leftovers(const char *path);
/* Syncs the directory that holds PATH (after a rename into it). */
void mpp_fsync_dir(const char *path);
/* Reads the whole file PATH (at most MAX bytes: EFBIG beyond) into *BUF
 * (malloc'd) and *LEN. Returns 0 or an errno (ENOENT: there is none). */
int mpp_read_file(const char *path, size_t max, char **buf, size_t *len);

#endif
