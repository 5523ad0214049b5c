#!/usr/bin/env bash
# The README's first command: install what is missing, build in Release,
# and run the example: mpirun -np 4 ./mpprimes 1000000 (in build/).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMPPRIMES_TESTS=OFF
cmake --build build -j "$(nproc)"

. scripts/mpi-env.sh
cd build
echo "+ cd build && mpirun -np 4 ./mpprimes 1000000"
mpirun -np 4 ./mpprimes 1000000
