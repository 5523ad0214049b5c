#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build in
# Release with -Wall -Wextra -Werror, and run every test: unit (also under
# valgrind), integration, faults and long; the suites that apply to MPICH
# again against MPICH; then the sanitizer and fuzzing build (scripts/harden.sh). For a quick loop afterwards: cd build && ctest -LE long
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMPPRIMES_WERROR=ON -DMPPRIMES_TESTS=ON
cmake --build build -j "$(nproc)"

. scripts/mpi-env.sh
# (-LE time-limit: the Slurm jobs that wait for real time limits, some
# minutes each: `ctest -L time-limit` runs them, before an issue is resolved.)
(cd build && ctest --output-on-failure -j "$(nproc)" -LE time-limit)

# The same source against MPICH (Debian's mpich beside Open MPI, which keeps
# mpicc and mpirun): the suites labelled mpich, under mpirun.mpich (Hydra).
cmake -S . -B build-mpich -DCMAKE_BUILD_TYPE=Release -DMPPRIMES_WERROR=ON -DMPPRIMES_TESTS=ON \
    -DMPI_C_COMPILER=mpicc.mpich -DMPIEXEC_EXECUTABLE="$(command -v mpirun.mpich)"
cmake --build build-mpich -j "$(nproc)" --target mpprimes
(cd build-mpich && ctest --output-on-failure -j "$(nproc)" -L mpich)

# Then the hardening build (docs/reliability.md): clang with AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer, the unit tests, the fuzzers
# for a bounded time and the integration cases picked for the sanitizers.
bash scripts/harden.sh
