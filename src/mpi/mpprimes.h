/* mpprimes.h - the library entry of mpprimes: the whole run on one
 * communicator (the MPI layer, src/mpi/; docs/architecture.md).
 *
 * Every rank of COMM calls mpprimes_run() with its argv; rank 0 parses, and
 * writes the report and the primes to OUT (the report goes to ERR when the
 * primes go to OUT) and diagnostics to ERR. All ranks return the same exit
 * status: 0 done, 2 bad usage or input, 1 a failure at run time, 128 + N
 * when signal N interrupted the run. */
#ifndef MPP_MPPRIMES_H
#define MPP_MPPRIMES_H

#include <mpi.h>
#include <stdio.h>

int mpprimes_run(MPI_Comm comm, int argc, char **argv, FILE *out, FILE *err);

/* Open MPI's own paths (launcher.h: the ob1 choice before MPI_Init, in
 * main.c; rank 0 writing to mpirun's standard output and error directly,
 * run.h) are taken only when mpprimes is built against Open MPI: its mpi.h
 * defines OPEN_MPI. Under MPICH and its derivatives (Hydra, Cray MPICH,
 * Intel MPI, MVAPICH) they step aside and the launcher forwards the output
 * as it does for any program (docs/reference.md, "MPICH"). */
#if defined(OPEN_MPI) && OPEN_MPI
#define MPP_OPEN_MPI 1
#else
#define MPP_OPEN_MPI 0
#endif

#endif
