/* main.c - mpprimes: find prime numbers with MPI. See driver.c. */
#include <mpi.h>
#include <stdio.h>

#include "driver.h"
#include "mpienv.h"

int main(int argc, char **argv)
{
    mpp_prefer_ob1("/"); /* before MPI_Init; see mpienv.h */
    MPI_Init(&argc, &argv);
    int status = mpprimes_run(MPI_COMM_WORLD, argc, argv, stdout, stderr);
    MPI_Finalize();
    return status;
}
