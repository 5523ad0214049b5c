/* signals.h - the stop signals: SIGTERM (what Slurm sends at a time limit,
 * and what mpirun passes on to every rank when it gets one itself), SIGINT
 * (Ctrl-C), SIGHUP (a closed terminal) and SIGUSR1 (a time limit's early
 * warning: sbatch --signal=B:USR1@120, passed on by the batch script).
 *
 * The handler only records the signal: the finders poll the flag
 * (mpp_stop, sink.h) every few milliseconds, and the run ends through its
 * ordinary failure path, so that rank 0 can say how far it got. A second
 * SIGINT (an impatient Ctrl-C) ends the process at once; other repeats are
 * ignored (Slurm sends SIGTERM twice at a time limit). A file named with
 * mpp_remove_on_signal() is removed right in the handler: if the job is
 * then killed (a rank died, or the grace period ran out), no partial output
 * file stays behind. POSIX; no MPI; one process-wide state, as signals are.
 */
#ifndef MPP_SIGNALS_H
#define MPP_SIGNALS_H

#include <signal.h>

/* Catches the stop signals (saving the handlers they had) and clears the
 * flag. */
void mpp_signals_catch(void);
/* Puts the saved handlers back and forgets the file to remove. */
void mpp_signals_restore(void);

/* The stop signal received since mpp_signals_catch(), or 0. */
int mpp_stop_signal(void);
/* The flag the finders poll (mpp_stop.flag): non-zero once a stop signal
 * came. */
const volatile sig_atomic_t *mpp_stop_flag(void);

/* PATH (kept, not copied; NULL: none) is unlinked by the handler when a
 * stop signal comes. */
void mpp_remove_on_signal(char *path);

/* "SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1", or "a signal". */
const char *mpp_signal_name(int sig);

#endif
