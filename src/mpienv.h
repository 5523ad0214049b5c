/* mpienv.h - Open MPI start-up settings chosen before MPI_Init.
 *
 * Open MPI's default start-up tries its "cm" PML and probes the PSM, PSM2
 * and OFI transports (Intel TrueScale, Omni-Path, libfabric) in every
 * process. On a machine with no such network that costs about 0.2 s per
 * run and ends, after the probes fail, with the "ob1" PML (shared memory and
 * TCP) anyway. mpprimes asks for ob1 directly on such machines; wherever a
 * high-speed fabric is present, or the user chose a PML, it changes nothing.
 */
#ifndef MPP_MPIENV_H
#define MPP_MPIENV_H

#include <stdbool.h>

/* True when the file tree under ROOT (normally "/") shows a network device
 * that Open MPI's cm or ucx PMLs would use: an RDMA device in
 * sys/class/infiniband (InfiniBand, RoCE, Omni-Path's hfi1, AWS EFA), or a
 * device node dev/hfi1_* (Omni-Path), dev/ipath* (TrueScale) or dev/cxi*
 * (HPE Slingshot). */
bool mpp_fabric_present(const char *root);

/* To be called before MPI_Init. When neither OMPI_MCA_pml nor
 * MPPRIMES_KEEP_MPI_ENV is set in the environment and no fabric is present
 * under ROOT, sets OMPI_MCA_pml=ob1 and returns true; otherwise changes
 * nothing and returns false. Other MPI implementations ignore the
 * variable. */
bool mpp_prefer_ob1(const char *root);

#endif
