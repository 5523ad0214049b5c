#!/usr/bin/env bash
# The sanitizer build: install what is missing, build with clang,
# AddressSanitizer (and LeakSanitizer) and UndefinedBehaviorSanitizer on
# every target, -Werror and the libFuzzer targets, into build-asan/, and run
# there the unit tests, the fuzz tests and the integration cases picked for
# the sanitizers (labels unit, fuzz, sanitize; not long). Any report fails
# its test: tests/CMakeLists.txt gives every test the sanitizer settings,
# tests/sanitizers/lsan.supp silences only Open MPI's own leaks.
# The same build by hand, e.g. for one test:
#   cd build-asan && ctest -R integration_sanitize_runs --output-on-failure
# BUILD_DIR=dir picks another build directory; FUZZ_SECONDS=N how long each
# fuzzer runs (default 30: CI's budget; tests/fuzz/README.md for longer runs).
set -euo pipefail
cd "$(dirname "$0")/.."

build="${BUILD_DIR:-build-asan}"

bash scripts/install-deps.sh --test
# RelWithDebInfo: optimized as in Release, with the line numbers that make
# a report readable.
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMPPRIMES_SANITIZE=ON -DMPPRIMES_FUZZ=ON -DMPPRIMES_FUZZ_SECONDS="${FUZZ_SECONDS:-30}" \
    -DMPPRIMES_WERROR=ON -DMPPRIMES_TESTS=ON
cmake --build "$build" -j "$(nproc)"

. scripts/mpi-env.sh
cd "$build"
ctest --output-on-failure -j "$(nproc)" -L "unit|sanitize|fuzz" -LE long
