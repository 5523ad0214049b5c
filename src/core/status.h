/* status.h - the progress line of a long run (--progress): how far it is,
 * how fast it goes, how long it has taken and will take, as one line. On
 * a terminal the line is rewritten in place ("\r", erased to its end); in
 * a log each is a line of its own, stamped with the time, that a person
 * can tail. Pure: the caller says when, and writes it.
 */
#ifndef MPP_STATUS_H
#define MPP_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef struct {
    double done;     /* numbers of the range settled, this run's and before */
    double all;      /* numbers in the range */
    double before;   /* of DONE, those settled by earlier runs (a checkpoint) */
    double elapsed;  /* seconds this run has worked */
    time_t now;      /* the wall-clock time, for a log's stamp */
} mpp_status;

/* The line for S into BUF (SIZE bytes; cut to fit): for a terminal (TTY),
 * "\r" + the line + "erase to the end", no newline; for a log, the UTC
 * time, the line and a newline. Returns its length. The rate is this
 * run's numbers per second; the time left is what is left at that rate
 * ("?" before it is known). */
size_t mpp_status_line(char *buf, size_t size, const mpp_status *s, bool tty);

/* SECONDS as "42s", "7m05s", "3h07m" or "2d04h" (BUF: at least 16 bytes). */
const char *mpp_status_duration(char *buf, size_t size, double seconds);

/* What erases the line on a terminal before other output: "\r\033[K". */
#define MPP_STATUS_ERASE "\r\033[K"

#endif
