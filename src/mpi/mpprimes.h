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

#endif
