/* main.c - mpprimes: find prime numbers with MPI. The run itself is
 * mpprimes_run() (src/mpi/); docs/architecture.md describes it. */
#include <mpi.h>
#include <stdio.h>

#include "launcher.h"
#include "mpprimes.h"

int main(int argc, char **argv)
{
    if (MPP_OPEN_MPI)
        mpp_prefer_ob1("/"); /* before MPI_Init; Open MPI's alone (launcher.h) */
    MPI_Init(&argc, &argv);
    int status = mpprimes_run(MPI_COMM_WORLD, argc, argv, stdout, stderr);
    MPI_Finalize();
    return status;
}
