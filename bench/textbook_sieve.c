/* textbook_sieve.c - the classic block-decomposed MPI sieve, as parallel
 * programming courses teach it; a baseline for bench/bench.py, not part of
 * mpprimes.
 *
 *   mpirun -np P bench/textbook_sieve N      prints "primes N COUNT seconds T"
 *
 * Each rank holds its block of the odd numbers 3..N, one byte per number,
 * all at once (N / 2P bytes per rank). Rank 0 finds the next sieving prime
 * in its own block and broadcasts it (one MPI_Bcast per prime up to
 * sqrt(N)); every rank crosses off that prime's multiples in its block; an
 * MPI_Reduce adds up the counts. Rank 0's block must hold every sieving
 * prime, so P <= sqrt(N) / 2 or so. Written for this project after the
 * well-known course design; no code of mpprimes is used.
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc != 2) {
        if (rank == 0)
            fprintf(stderr, "usage: textbook_sieve N\n");
        MPI_Finalize();
        return 2;
    }
    double n_real = strtod(argv[1], NULL);
    uint64_t n = (uint64_t)n_real;
    double t0 = MPI_Wtime();

    /* index i stands for the odd number 2i + 3, i in [0, m) */
    uint64_t m = n >= 3 ? (n - 3) / 2 + 1 : 0;
    uint64_t low = m * (uint64_t)rank / (uint64_t)size;
    uint64_t high = m * (uint64_t)(rank + 1) / (uint64_t)size; /* exclusive */
    uint64_t block = high - low, low_value = 2 * low + 3;
    uint64_t first_block = m / (uint64_t)size;
    if (m && (2 * first_block + 3) * (2 * first_block + 3) < n) {
        if (rank == 0)
            fprintf(stderr, "textbook_sieve: too many ranks for N\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    char *marked = calloc(block ? block : 1, 1);
    if (!marked) {
        fprintf(stderr, "textbook_sieve: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    uint64_t prime = 3, index = 0;
    while (m && prime * prime <= n) {
        uint64_t first;
        if (prime * prime >= low_value) {
            first = (prime * prime - low_value) / 2;
        } else {
            uint64_t v = (low_value + prime - 1) / prime * prime;
            if (v % 2 == 0)
                v += prime;
            first = (v - low_value) / 2;
        }
        for (uint64_t i = first; i < block; i += prime)
            marked[i] = 1;
        if (rank == 0) {
            while (marked[++index])
                ;
            prime = 2 * index + 3;
        }
        MPI_Bcast(&prime, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    }
    uint64_t count = 0, total = 0;
    for (uint64_t i = 0; i < block; i++)
        count += !marked[i];
    MPI_Reduce(&count, &total, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    double t = MPI_Wtime() - t0;
    if (rank == 0)
        printf("primes %llu %llu seconds %.3f\n", (unsigned long long)n,
               (unsigned long long)(total + (n >= 2)), t);
    free(marked);
    MPI_Finalize();
    return 0;
}
