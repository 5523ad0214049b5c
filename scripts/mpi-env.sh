# shellcheck shell=bash
# Sourced by the other scripts: the Open MPI settings a small machine needs.
# - As root, Open MPI's mpirun refuses to start unless told that is intended.
# - With more ranks than cores, it refuses unless oversubscription is allowed
#   (the README's example uses 4 ranks; CI machines have 2 cores).
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
