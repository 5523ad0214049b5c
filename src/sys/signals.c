/* signals.c - see signals.h. */
#include "signals.h"

#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static char *volatile remove_on_signal; /* the temporary output file */
static const int stop_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
#define NSTOP (sizeof stop_signals / sizeof stop_signals[0])
static struct sigaction saved[NSTOP];

static void on_stop_signal(int sig)
{
    if (stop_signal && sig != SIGINT)
        return; /* Slurm sends SIGTERM twice at a time limit (limit, then kill) */
    if (stop_signal) { /* a second Ctrl-C: leave now, as the signal would */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
    char *tmp = remove_on_signal;
    if (tmp)
        unlink(tmp); /* async-signal-safe */
}

void mpp_signals_catch(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    stop_signal = 0;
    for (size_t i = 0; i < NSTOP; i++)
        sigaction(stop_signals[i], &sa, &saved[i]);
}

void mpp_signals_restore(void)
{
    remove_on_signal = NULL;
    for (size_t i = 0; i < NSTOP; i++)
        sigaction(stop_signals[i], &saved[i], NULL);
}

int mpp_stop_signal(void)
{
    return stop_signal;
}

const volatile sig_atomic_t *mpp_stop_flag(void)
{
    return &stop_signal;
}

void mpp_remove_on_signal(char *path)
{
    remove_on_signal = path;
}

const char *mpp_signal_name(int sig)
{
    return sig == SIGTERM  ? "SIGTERM"
           : sig == SIGINT ? "SIGINT"
           : sig == SIGHUP ? "SIGHUP"
           : sig == SIGUSR1 ? "SIGUSR1"
                            : "a signal";
}
