#!/usr/bin/env bash
# Installs the Debian packages mpprimes needs, if any is missing.
#   install-deps.sh          to build and run: compiler, CMake, Open MPI
#   install-deps.sh --test   also what the tests use: Check, Python 3, primesieve,
#                            Slurm and munge (a real cluster in a temporary
#                            directory), iproute2 (hosts in network
#                            namespaces), gnuplot (the scaling plots),
#                            valgrind (the memcheck tests), clang and its
#                            sanitizer and libFuzzer runtimes (harden.sh),
#                            man-db and groff-base (the man page test; man -l
#                            works even where dpkg excludes /usr/share/man),
#                            MPICH (the second build the suites run against;
#                            Open MPI keeps mpicc and mpirun)
# Works as root or through sudo; without either it names what to install.
set -euo pipefail

packages=(build-essential cmake pkg-config openmpi-bin libopenmpi-dev)
if [ "${1:-}" = "--test" ]; then
    packages+=(check python3 primesieve-bin slurmctld slurmd slurm-client munge iproute2
               gnuplot-nox valgrind clang libclang-rt-14-dev man-db groff-base
               mpich libmpich-dev)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "install-deps.sh: please install as root: apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y "${missing[@]}"
