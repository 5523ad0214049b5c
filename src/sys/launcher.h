/* launcher.h - how mpprimes fits the MPI launcher: Open MPI start-up settings
 * chosen before MPI_Init, and a direct standard output for rank 0.
 *
 * Open MPI's default start-up tries its "cm" PML and probes the PSM, PSM2
 * and OFI transports (Intel TrueScale, Omni-Path, libfabric) in every
 * process. On a machine with no such network that costs about 0.2 s per
 * run and ends, after the probes fail, with the "ob1" PML (shared memory and
 * TCP) anyway. mpprimes asks for ob1 directly on such machines; wherever a
 * high-speed fabric is present, or the user chose a PML, it changes nothing.
 */
#ifndef MPP_LAUNCHER_H
#define MPP_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>

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

/* Rank 0's --print output, written where mpirun would forward it.
 *
 * Under Open MPI's mpirun a rank's standard output is a pipe or pty that
 * mpirun reads and copies to its own standard output, 4 KiB at a time: about
 * 80 MB/s here, far slower than mpprimes makes text; and when that output is
 * a pipe whose reader has gone (`| head`), mpirun aborts the job with a
 * burst of messages. When rank 0 is mpirun's own child (same host), mpirun
 * is unmodified (no --tag-output, --timestamp-output, --xml,
 * --output-filename or --merge-stderr-to-stdout, on its command line, as
 * OMPI_MCA_ or PRTE_MCA_ variables, or in its parameter files) and Linux
 * lets us (pidfd_getfd, same user), rank 0
 * takes a duplicate of mpirun's standard output: the same open file, as if
 * inherited, so offsets, appends and pipes behave exactly as with
 * forwarding. Returns that descriptor, or -1 to use our own stdout.
 * MPPRIMES_DIRECT_STDOUT=0 in the environment turns it off. */
int mpp_launcher_stdout(void);

/* The same for mpirun's standard error, for the one line rank 0 writes when
 * the job is interrupted: mpirun, signalled too, stops forwarding its
 * ranks' output at once. */
int mpp_launcher_stderr(void);

/* True when Open MPI's parameter files, HOME/.openmpi/mca-params.conf or
 * ETC (Debian: /etc/openmpi/openmpi-mca-params.conf), set an output-changing
 * parameter (tag_output, timestamp_output, xml, output_filename,
 * redirect_app_stderr...); mpirun applies those without telling the ranks.
 * HOME or ETC may be NULL. */
bool mpp_mca_files_change_output(const char *home, const char *etc);

/* The decision above without the system calls: EXE is the parent's
 * executable, CMDLINE its LEN bytes of NUL-separated arguments, APP the
 * program as they name it (its arguments after it are not mpirun's; NULL:
 * every argument is), ENV the environment. */
bool mpp_launcher_is_plain_mpirun(const char *exe, const char *cmdline, size_t len,
                                  const char *app, char *const *env);

#endif
