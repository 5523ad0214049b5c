#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build in
# Release with -Wall -Wextra -Werror, and run every test: unit, integration
# and long. For a quick loop afterwards: cd build && ctest -LE long
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMPPRIMES_WERROR=ON -DMPPRIMES_TESTS=ON
cmake --build build -j "$(nproc)"

. scripts/mpi-env.sh
cd build
ctest --output-on-failure -j "$(nproc)"
