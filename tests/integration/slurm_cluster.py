#!/usr/bin/env python3
"""A real Slurm cluster on this machine, running the repository's batch scripts.

    slurm_cluster.py --binary PATH --source-dir REPO [--time-limit | --only-time-limit]
                     [--keep] [-v]

The test starts a private one-node Slurm cluster (munged, slurmctld and
slurmd, all children of this script) with every file in one temporary
directory, then, once that is gone, a two-node one made of network
namespaces (below); it submits the batch scripts of REPO/slurm/ unchanged
with sbatch, waits for each job (scontrol show job; there is no slurmdbd,
so no sacct) and checks the job's output and CSV: the prime counts, the rank
counts, the job's Slurm facts and both launchers, srun --mpi=pmix and mpirun.

The cluster:
  * munged with its own key (random, 0400), socket, pid, log and seed files.
    munged wants every directory above its socket searchable by all (the
    temporary directory is made 0711, the socket's 0755); --force turns its
    remaining checks on the directories above (some TMPDIR) into warnings.
  * slurm.conf: the node is this host (`hostname`, short name) at 127.0.0.1,
    declared with CPUs=4 (SlurmdParameters=config_overrides lets slurmd
    accept more CPUs than the hardware has); SlurmctldPort and SlurmdPort are
    free ports chosen at run time; AuthInfo=socket=... points Slurm at this
    munged; no cgroups (proctrack/linuxproc, task/none), no accounting;
    TmpFS (srun --mpi=pmix's spmix_appdir) in the temporary directory;
    batch_sched_delay=0 (jobs start within a second, not three);
    KillWait=30 (Slurm's default: SIGKILL 30 s after a job's SIGTERM);
    for requeued jobs, AuthInfo's cred_expire=10 (a requeued job waits,
    pending with Reason=BeginTime, until cred_expire + 1 s after its
    requeue: 121 s by default) and sched_interval=2 (then the main
    scheduling loop starts it, every 60 s by default; the backfill loop
    left it waiting);
    FirstJobId random, so that two test clusters on one host (a parallel
    run) never share job ids, nor with them PMIx namespaces and Open MPI's
    shared-memory segment names (the ranks crashed when they did).
    Every Slurm command gets SLURM_CONF; /etc/slurm is never read.
  * Jobs run as root with the environment of the submission: MPPRIMES (the
    binary), OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM)=1, TMPDIR in the temporary
    directory (Open MPI's and PMIx's session files), and no MPPRIMES_* or
    SLURM_* variables of the caller's.

The two-node cluster (NetnsCluster), in a temporary directory of its own:
  * netns.Cluster (the hosts of multihost.py): a switch namespace holding
    10.213.7.1 on a bridge, and two hosts PREFIX-n1, PREFIX-n2 (PREFIX is
    mpp and this script's PID) at 10.213.7.11 and .12. slurmctld and every
    client command (sbatch, scontrol, squeue, scancel, srun --mpi=list) run
    in the switch under its name: SlurmctldHost=PREFIX-switch(10.213.7.1).
    One slurmd runs in each host's namespace under that host's name (a UTS
    namespace), which is how it finds its NodeName; NodeName=PREFIX-nI
    NodeAddr=10.213.7.1I CPUs=2 each. Jobs, srun steps, mpirun's orted
    daemons and the ranks run where their slurmd does, and reach each other
    over TCP across the bridge.
  * Per-node paths through %n: SlurmdSpoolDir, SlurmdPidFile, SlurmdLogFile
    and TmpFS (srun --mpi=pmix's spmix_appdir, which each node's slurmstepd
    removes and makes again, so it must not be shared). One munged, in this
    namespace, serves all three through its socket path (Unix sockets on
    the file system are reachable from every network namespace).
  * The namespaces are entered with nsenter --net, not `ip netns exec`:
    that one mounts a fresh /sys without /sys/fs/cgroup, and slurmd 22.05
    will not start without it even with proctrack/linuxproc.
  * Jobs also get OMPI_MCA_btl_tcp_if_include and OMPI_MCA_oob_tcp_if_include
    = 10.213.7.0/24 (the hosts' eth0s).

The cases: tiny batch scripts of the test's own prove both launchers (srun
--mpi=pmix and mpirun must each give one JSON report with ranks == 4, not
four singletons); slurm/mpprimes.sbatch with no arguments (text report) and
at --ntasks=1, 3 and 4, with MPPRIMES_LAUNCHER unset, srun and mpirun, and
with MPPRIMES_CSV; slurm/strong-scaling.sbatch and slurm/weak-scaling.sbatch
at --ntasks=4 and 3 (rank counts 1, 2, 4 and 1, 2, 3). Each checks the "#
slurm_job_id/slurm_ntasks/slurm_job_nodelist/launcher/csv:" lines and the
CSV (header, widths, numbers, ranks, range, job_id, hosts, count against
known pi(10^k) or a Python sieve). A script not in slurm/ is skipped.
SIGTERM as Slurm sends it: slurm/mpprimes.sbatch at --ntasks=3
with a run of minutes, "--count 1e12" (default launcher) and "-o DIR/FILE
--buffer 4M 1e10" (srun, mpirun), cancelled with scancel once every rank
has computed for 0.5 CPU s (with -o: once 32 MiB, some 6 rounds, reached
the temporary file). slurmctld stops a job at its time limit as scancel
does: SIGCONT and SIGTERM to every process of every step (at a time limit,
the tasks of an srun step get SIGTERM twice, some ms apart), SIGKILL after
KillWait. Each job must end within 10 s, far below KillWait=30, so without
a SIGKILL: CANCELLED, ExitCode 143:0 (srun passes on the tasks' 128+15;
mpirun, signalled too, may exit 1:0), no mpprimes process left, no report,
no CSV row, exactly one "mpprimes: interrupted by SIGTERM" line with the
progress, 0 < % < 100 of the range (for -o: the primes below N, as many as
pi says when N <= 5e8, and the file named), and -o's directory empty (no
file, no temporary file). With --time-limit, a job at --time=1 reaches its
limit (TIMEOUT, "DUE TO TIME LIMIT"; slurmctld checks limits every 30 s,
so 60 to 90 s more); without, that case is skipped.
slurm/long-job.sbatch (mpprimes --checkpoint, the job requeuing itself):
"-c 2 2e11" at --ntasks=2 (some 30 CPU s), warned as Slurm warns a job
before its time limit (scancel --signal=USR1 --batch: SIGUSR1 to the batch
shell alone, as --signal=B:USR1@120 sends it) once its checkpoint shows
progress of the attempt's own, twice: each time the shell passes the
signal on to srun, mpprimes writes its checkpoint and ends 138 with its
"interrupted by SIGUSR1 ...: checkpoint 'FILE' keeps N% ..." line, and the
script requeues the job (scontrol requeue); the job must end COMPLETED
0:0, with SLURM_RESTART_COUNT 0, 1, 2, one "# attempt: N (fresh|resumed"
line each, one interruption line (N rising) and "# requeue:" line a
restart, the last attempt's report "# checkpoint FILE (resumed: N% ...)"
with the count (pi(2e11) by primesieve), exactly one CSV row (the count
too), the checkpoint "state finished" with the whole range, no mpprimes
process left (50 to 65 s, a third of it the requeues' waits). Cancelled
(scancel) under mpirun instead, the job must end CANCELLED and not
requeued, with one "interrupted by SIGTERM" line (the shell passes on no
second SIGTERM: mpirun cut its ranks' output short when it did), the
checkpoint running, no CSV row. With --time-limit (--only-time-limit: those
cases alone, no other, no two-node cluster), two jobs at once at --time=1
and 1 task, "-c 2 1e12" (some three minutes of work): with
--signal=B:USR1@10 under mpirun, every attempt stopped by Slurm's own
warning (20 to 50 s after its start) and requeued, 2 restarts or more; and
a copy of the script without its --signal line, every attempt stopped by
the time limit itself (SIGTERM to every process, "DUE TO TIME LIMIT"),
requeued all the same (Reason=TimeLimit), 1 restart or more; both must
finish with pi(10^12), the same checks (some five minutes).
Then, on the two-node cluster, --nodes=2 --ntasks=4: slurm/mpprimes.sbatch
1e8 --count --json with MPPRIMES_LAUNCHER=srun and =mpirun (mpirun starts
its daemon on the other node with srun), each with ranks == 4, the count,
"# slurm_job_nodelist:" naming both nodes (scontrol show hostnames),
"# slurm_job_num_nodes: 2", per_rank[].host 2 ranks on each node and the
CSV row's hosts == 2; and slurm/strong-scaling.sbatch 1e9 --count (rows
at 1, 2 and 4 ranks; hosts == 2 at 4). When network namespaces cannot be
made (`ip netns add` refused), these cases are skipped with the reason,
unless CI=true, where that is a failure.

Cleanup, always (finally, and on SIGTERM, SIGINT and SIGHUP): the jobs are
cancelled, slurmd and slurmctld stopped (SIGTERM, then SIGKILL), then every
process whose command line, environment or working directory names the
temporary directory (slurmstepd, the job's shells, srun, mpirun, orted,
mpprimes, munged) is stopped alike; the "cleanup" case fails when one
remains. For the two-node cluster, then, every process still in its
namespaces is killed and the namespaces (with their veths and bridge) are
deleted; "two-node-cleanup" fails when a process, a namespace or an
interface with the prefix remains. The daemons also get PR_SET_PDEATHSIG,
so that they end if this script is killed outright. The directories are
removed unless --keep.

Every case prints "ok   NAME", "FAIL NAME: WHY" or "skip NAME: WHY"; the
last line is "N passed, M failed", and the exit status is 0 only when no case
failed. Every wait has a timeout. Not root, or Slurm or munge not installed:
exit 77 (skipped), unless CI=true, where that is a failure.

Python 3 standard library only.
"""

import argparse
import ctypes
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (cases and runs, shared with the other tests)
import netns  # noqa: E402  (namespace hosts, shared with multihost.py)
from harness import (MPI_ROOT_ENV, CaseFailure, CaseSkipped,  # noqa: E402
                     Interrupted, add_program_args, cpu_seconds, environ_of,
                     ignore_stop_signals, in_ci, interrupt_on_signals, proc_state)
from reference import (COUNTED, INTERRUPTED, LISTED, json_reports,  # noqa: E402
                       prime_count, read_csv_rows, report_problems, report_value)

# Timeouts, seconds.
TIMEOUT_CMD = 30        # one Slurm client command (sbatch, scontrol, ...)
TIMEOUT_START = 60      # the cluster up, the node idle
TIMEOUT_JOB = 90        # one job, submission to its end
TIMEOUT_STOP = 15       # a daemon's SIGTERM before SIGKILL

# SIGTERM as Slurm sends it (scancel, a time limit): SIGCONT and SIGTERM to
# every process of every step, SIGKILL KILL_WAIT seconds later (slurm.conf's
# KillWait, Slurm's default). A job must end within STOP_WITHIN seconds of
# the SIGTERM, far below KILL_WAIT: so it ended itself, no SIGKILL needed.
KILL_WAIT = 30
STOP_WITHIN = 10.0
STARTED_CPU_S = 0.5     # each rank's CPU seconds before the SIGTERM of a count
# -o FILE --buffer 4M 1e10, SIGTERM once 32 MiB reached its temporary file:
# some 6 rounds of 1M primes done, 1% of the range; 1e10 would be 4.8 GB.
STARTED_BYTES = 32 << 20
# slurmctld tests time limits every 30 s (PERIODIC_TIMEOUT, fixed), and a
# limit is at least one minute: a job at --time=1 ends 60 to 90 s after it
# starts. The case that waits for that runs with --time-limit only.
TIME_LIMIT_WAIT = 150
# A requeued job waits, pending with Reason=BeginTime, until the step
# credentials of its last run have expired: slurm.conf's AuthInfo=
# ...,cred_expire=N (120 s by default; 5 at least) + 1 s after the requeue;
# then the main scheduling loop starts it, at its next pass: every
# sched_interval=2 s here (60 s by default; the backfill loop, which starts
# a new job, left a requeued one waiting for the main loop).
CRED_EXPIRE = 10

# slurm/long-job.sbatch: the counts its cases check (pi(2e11) by primesieve
# 2e11 -c1; pi(10^12), OEIS A006880), and how long they may take.
LONG_PI = {2 * 10**11: 8_007_105_059, 10**12: 37_607_912_018}
TIMEOUT_LONG_JOB = 240      # the requeue case: submission to the end
TIMEOUT_LONG_LIMIT = 900    # a --time=1 case, requeued at each limit
# The line rank 0 prints when a stop signal ends a run with --checkpoint:
# the signal, the checkpoint, the percentage settled and the range.
# (reference.INTERRUPTED's SIG[A-Z]+ leaves SIGUSR1 out.)
CHECKPOINTED = re.compile(r"^mpprimes: interrupted by (SIG[A-Z0-9]+) after [0-9.]+ s: "
                          r"checkpoint '(.*)' keeps ([0-9.]+)% of the range "
                          r"\[(\d+), (\d+)\] counted; run the same command again to resume$")

TERMINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
                   "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE",
                   "SPECIAL_EXIT", "REVOKED"}

SLURM_PROGRAMS = ("slurmctld", "slurmd", "munged", "sbatch", "srun", "scontrol",
                  "scancel", "squeue")

VERBOSE = False


def log(msg):
    if VERBOSE:
        print(f"  | {msg}", flush=True)


def tail(path, lines=25):
    try:
        with open(path, "r", errors="replace") as f:
            text = f.read().splitlines()
    except OSError as e:
        return f"({path}: {e.strerror})"
    return "\n".join(text[-lines:])


def indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.splitlines())


# ---------------------------------------------------------------------------
# Processes


def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


LIBC = _libc()
PR_SET_PDEATHSIG = 1


def _child_setup():
    """In a daemon before exec: SIGTERM when this script dies."""
    if LIBC is not None:
        LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def run(cmd, env, timeout=TIMEOUT_CMD, cwd=None, check=True):
    """Run a client command (harness.run: its session killed on timeout);
    return its CompletedProcess (text)."""
    log("$ " + " ".join(cmd))
    res = harness.run(cmd, timeout, env=env, cwd=cwd)
    if res.timed_out:
        raise CaseFailure(f"{' '.join(cmd)}: no answer in {timeout} s")
    r = subprocess.CompletedProcess(cmd, res.rc, res.out, res.stderr)
    if check and r.returncode != 0:
        raise CaseFailure(f"{' '.join(cmd)}: exit {r.returncode}: "
                          f"{(r.stderr or r.stdout).strip()[-800:]}")
    return r


def proc_mentions(pid, key):
    """Whether process pid's command line, environment or cwd names key."""
    needles = (key + b"/", key + b"\0")
    for name in ("cmdline", "environ"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as f:
                blob = f.read()
        except OSError:
            continue
        if blob.endswith(key) or any(n in blob for n in needles):
            return True
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd").encode()
    except OSError:
        return False
    return cwd == key or cwd.startswith(key + b"/")


def proc_cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def processes_of(tmpdir):
    """The live processes (not zombies, not this one) naming tmpdir."""
    key = os.fsencode(tmpdir.rstrip("/"))
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        pid = int(entry)
        if proc_mentions(pid, key) and proc_state(pid) not in (None, "Z", "X"):
            found.append(pid)
    return found


def job_ranks(binary, job_id):
    """The live processes running binary in Slurm job job_id (SLURM_JOB_ID
    in their environment: srun's tasks and mpirun's ranks alike)."""
    exe = os.path.realpath(binary)
    want = f"SLURM_JOB_ID={job_id}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        env = environ_of(int(entry), exe)
        if env is None or want not in env:
            continue
        if proc_state(int(entry)) not in (None, "Z", "X"):
            found.append(int(entry))
    return found


def dir_bytes(path):
    """The bytes in the files of directory path now."""
    total = 0
    for entry in os.scandir(path):
        try:
            total += entry.stat().st_size
        except OSError:                  # gone meanwhile
            pass
    return total


def kill_pids(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def stop_popen(p, name, grace=TIMEOUT_STOP):
    """SIGTERM a daemon of ours, SIGKILL after grace seconds; reap it."""
    if p is None:
        return
    if p.poll() is None:
        log(f"SIGTERM {name} ({p.pid})")
        p.terminate()
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            log(f"SIGKILL {name} ({p.pid})")
            p.kill()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass


def free_ports(n):
    """n distinct TCP ports that are free now."""
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def find_program(name):
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin"
    return shutil.which(name, path=path)


# ---------------------------------------------------------------------------
# The cluster


SLURM_CONF = """\
# Generated by tests/integration/slurm_cluster.py: a {what} test cluster.
ClusterName={cluster}
SlurmctldHost={ctld_host}({ctld_addr})
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={munge_socket},cred_expire={cred_expire}
CredType=cred/munge
StateSaveLocation={tmp}/state
SlurmdSpoolDir={tmp}/spool{per_node_dir}
SlurmctldPidFile={tmp}/run/slurmctld.pid
SlurmdPidFile={tmp}/run/slurmd{per_node_name}.pid
SlurmctldLogFile={tmp}/log/slurmctld.log
SlurmdLogFile={tmp}/log/slurmd{per_node_name}.log
TmpFS={tmp}/jobtmp{per_node_dir}
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
FirstJobId={first_job_id}
ReturnToService=2
SlurmdParameters=config_overrides
SlurmdTimeout=60
InactiveLimit=0
KillWait={kill_wait}
{node_lines}
PartitionName=test Nodes={node_names} Default=YES MaxTime=INFINITE State=UP
"""
NODE_LINE = "NodeName={name} NodeAddr={addr} CPUs={cpus} State=UNKNOWN"


class Cluster:
    """munged, slurmctld and slurmd, all state in tmpdir: one node, this
    host at 127.0.0.1. NetnsCluster, below, is the several-node kind."""

    CPUS = 4
    WHAT = "one-node"

    def __init__(self, tmpdir, programs):
        self.tmp = tmpdir
        self.prog = programs
        self.host = socket.gethostname().split(".")[0]
        # (node name, address); slurmctld's host name and address.
        self.nodes = [(self.host, "127.0.0.1")]
        self.ctld_host, self.ctld_addr = self.host, "127.0.0.1"
        self.job_nodelist = self.host   # SLURM_JOB_NODELIST of a job on every node
        self.conf = os.path.join(tmpdir, "slurm.conf")
        self.munge_dir = os.path.join(tmpdir, "munge")
        self.munge_socket = os.path.join(self.munge_dir, "socket")
        self.logdir = os.path.join(tmpdir, "log")
        self.munged = self.slurmctld = None
        self.slurmds = {}               # node name: Popen
        self.jobs = []
        self.env = self._env()
        # Job ids of their own: srun --mpi=pmix names the PMIx namespace after
        # the job and step ids, and Open MPI its shared-memory segments
        # (/dev/shm/vader_segment.HOST.<hash of the namespace>.RANK) after
        # that; two test clusters on one host, both at job 3, would share
        # them, and the ranks crash.
        self.first_job_id = random.SystemRandom().randrange(10_000, 60_000_000)

    @property
    def node_names(self):
        return [name for name, _ in self.nodes]

    def slurmd_name(self, node):
        """slurmd's name in log files: slurmd, or slurmd-NODE (%n) when
        there are several."""
        return "slurmd" if len(self.nodes) == 1 else f"slurmd-{node}"

    # Where the programs run: here, this host. NetnsCluster puts them into
    # namespaces.

    def client_argv(self, argv):
        """A Slurm client command (sbatch, scontrol, ...) as run."""
        return argv

    def daemon_argv(self, argv, node=None):
        """slurmctld (node None) or NODE's slurmd as run."""
        return argv

    def run(self, argv, **kw):
        """A client command: run() with this cluster's environment."""
        return run(self.client_argv(argv), self.env, **kw)

    def _env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_",
                                    "SQUEUE_", "SINFO_", "SCONTROL_", "MPPRIMES",
                                    "PMIX_", "PMI_"))}
        env["SLURM_CONF"] = self.conf
        env["PATH"] = env.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        return env

    def logs(self, lines=20):
        out = []
        daemons = ["slurmctld"] + [self.slurmd_name(n) for n in self.node_names]
        for name in [d + ext for ext in (".log", ".err") for d in daemons] + \
                ["munged.log", "munged.err"]:
            path = os.path.join(self.logdir, name)
            if name.endswith(".err"):      # -D: a copy of the log, once that is open
                log_path = path[:-4] + ".log"
                if os.path.exists(log_path) and os.path.getsize(log_path):
                    continue
            if os.path.exists(path) and os.path.getsize(path):
                out.append(f"  --- {name} (last {lines} lines)\n"
                           + indent(tail(path, lines)))
        return "\n".join(out)

    def _daemon(self, name, cmd):
        err = open(os.path.join(self.logdir, f"{name}.err"), "wb")
        try:
            log("start " + " ".join(cmd))
            return subprocess.Popen(cmd, env=self.env, cwd=self.tmp,
                                    stdin=subprocess.DEVNULL, stdout=err,
                                    stderr=subprocess.STDOUT,
                                    start_new_session=True,
                                    preexec_fn=_child_setup)
        finally:
            err.close()

    def start_munge(self):
        os.chmod(self.tmp, 0o711)       # munged: the socket's parents searchable by all
        os.makedirs(self.munge_dir, 0o755)
        os.chmod(self.munge_dir, 0o755)
        key = os.path.join(self.munge_dir, "munge.key")
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with os.fdopen(fd, "wb") as f:
            f.write(os.urandom(1024))
        os.chown(key, os.geteuid(), os.getegid())
        os.chmod(key, 0o400)
        self.munged = self._daemon("munged", [
            self.prog["munged"], "--foreground", "--force",
            f"--socket={self.munge_socket}", f"--key-file={key}",
            f"--pid-file={os.path.join(self.munge_dir, 'munged.pid')}",
            f"--log-file={os.path.join(self.logdir, 'munged.log')}",
            f"--seed-file={os.path.join(self.munge_dir, 'munged.seed')}"])
        deadline = time.monotonic() + 20
        while not os.path.exists(self.munge_socket):
            if self.munged.poll() is not None:
                raise CaseFailure(f"munged exited ({self.munged.returncode}):\n"
                                  + self.logs())
            if time.monotonic() > deadline:
                raise CaseFailure("munged made no socket in 20 s:\n" + self.logs())
            time.sleep(0.1)

    def write_conf(self):
        ctld_port, slurmd_port = free_ports(2)
        several = len(self.nodes) > 1
        with open(self.conf, "w") as f:
            f.write(SLURM_CONF.format(
                what=self.WHAT, cluster="mpptest", ctld_host=self.ctld_host,
                ctld_addr=self.ctld_addr, ctld_port=ctld_port,
                slurmd_port=slurmd_port, munge_socket=self.munge_socket,
                tmp=self.tmp, first_job_id=self.first_job_id, kill_wait=KILL_WAIT,
                cred_expire=CRED_EXPIRE,
                per_node_dir="/%n" if several else "",
                per_node_name="-%n" if several else "",
                node_lines="\n".join(NODE_LINE.format(name=n, addr=a, cpus=self.CPUS)
                                     for n, a in self.nodes),
                node_names=",".join(self.node_names)))
        log(f"slurm.conf: SlurmctldPort={ctld_port} SlurmdPort={slurmd_port}")

    def start(self):
        for d in ("state", "spool", "run", "log", "jobs", "jobtmp"):
            os.makedirs(os.path.join(self.tmp, d), exist_ok=True)
        if len(self.nodes) > 1:         # the %n directories
            for node in self.node_names:
                for d in ("spool", "jobtmp"):
                    os.makedirs(os.path.join(self.tmp, d, node), exist_ok=True)
        self.start_munge()
        for attempt in range(3):        # a port taken in between: new ports
            self.write_conf()
            self.slurmctld = self._daemon("slurmctld", self.daemon_argv(
                [self.prog["slurmctld"], "-D", "-i", "-f", self.conf]))
            for node in self.node_names:
                self.slurmds[node] = self._daemon(self.slurmd_name(node), self.daemon_argv(
                    [self.prog["slurmd"], "-D", "-f", self.conf], node))
            try:
                self.wait_idle()
                return
            except CaseFailure:
                text = tail(os.path.join(self.logdir, "slurmctld.log"), 50) + "".join(
                    tail(os.path.join(self.logdir, self.slurmd_name(n) + ".log"), 50)
                    for n in self.node_names)
                if attempt == 2 or "Address already in use" not in text:
                    raise
                log("a port was taken: once more with others")
                for node, p in self.slurmds.items():
                    stop_popen(p, self.slurmd_name(node))
                stop_popen(self.slurmctld, "slurmctld")

    def wait_idle(self):
        deadline = time.monotonic() + TIMEOUT_START
        states = {}
        while True:
            for name, p in [("munged", self.munged), ("slurmctld", self.slurmctld)] + \
                    [(self.slurmd_name(n), p) for n, p in self.slurmds.items()]:
                if p.poll() is not None:
                    raise CaseFailure(f"{name} exited ({p.returncode}) before the "
                                      f"nodes were idle:\n" + self.logs())
            r = self.run([self.prog["scontrol"], "-o", "show", "node"],
                         timeout=10, check=False)
            states = dict(re.findall(r"\bNodeName=(\S+).*?\bState=(\S+)", r.stdout))
            if not states:
                states = {"?": (r.stderr or r.stdout).strip()}
            if all(states.get(n) == "IDLE" for n in self.node_names):
                log(f"nodes {', '.join(self.node_names)} idle")
                return
            if time.monotonic() > deadline:
                raise CaseFailure(f"nodes not idle in {TIMEOUT_START} s "
                                  f"(states: {states}):\n" + self.logs())
            time.sleep(0.25)

    def expand_nodelist(self, nodelist):
        """A Slurm host list (name[1-2]) as its names: scontrol show hostnames."""
        r = self.run([self.prog["scontrol"], "show", "hostnames", nodelist], check=False)
        return r.stdout.split() if r.returncode == 0 else []

    # Jobs

    def job_env(self, extra=None):
        env = dict(self.env)
        env.update(extra or {})
        return env

    def submit(self, name, script, args=(), opts=(), env=None):
        """sbatch script from a working directory of its own; return a Job."""
        wd = os.path.join(self.tmp, "jobs", name)
        os.makedirs(wd, exist_ok=True)
        r = run(self.client_argv([self.prog["sbatch"], "--parsable", f"--chdir={wd}",
                                  *opts, script, *args]), env or self.env, cwd=wd)
        job_id = r.stdout.strip().split(";")[0]
        if not job_id.isdigit():
            raise CaseFailure(f"sbatch gave no job id: {r.stdout!r} {r.stderr!r}")
        self.jobs.append(job_id)
        log(f"job {job_id} ({name}) submitted from {wd}")
        return Job(self, job_id, wd)

    def show_job(self, job_id):
        r = self.run([self.prog["scontrol"], "-o", "show", "job", job_id], check=False)
        fields = {}
        for m in re.finditer(r"(\w+)=(\S*)", r.stdout):
            fields.setdefault(m.group(1), m.group(2))
        return fields

    def cancel_all(self):
        if self.jobs:
            self.run([self.prog["scancel"], *self.jobs], timeout=15, check=False)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            r = self.run([self.prog["squeue"], "-h", "-o", "%i %T"], timeout=10,
                         check=False)
            if r.returncode != 0 or not r.stdout.strip():
                return
            log("waiting for jobs to end: " + r.stdout.strip().replace("\n", ", "))
            time.sleep(0.5)

    def stop(self):
        """Stop everything; return the processes that remain (pid, cmdline)."""
        try:
            if self.slurmctld is not None and self.slurmctld.poll() is None:
                self.cancel_all()
        except CaseFailure as e:
            log(f"cancelling: {e}")
        for node, p in self.slurmds.items():
            stop_popen(p, self.slurmd_name(node))
        stop_popen(self.slurmctld, "slurmctld")
        # slurmstepd (daemons of slurmd's), job shells, srun, mpirun, orted, ranks.
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            pids = [p for p in processes_of(self.tmp)
                    if self.munged is None or p != self.munged.pid]
            if not pids:
                break
            log(f"{signal.Signals(sig).name} " + ", ".join(
                f"{p} ({proc_cmdline(p)[:60]})" for p in pids))
            kill_pids(pids, sig)
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and any(
                    proc_state(p) not in (None, "Z", "X") for p in pids):
                time.sleep(0.1)
        stop_popen(self.munged, "munged")
        for p in processes_of(self.tmp):   # anything that got past the above
            kill_pids([p], signal.SIGKILL)
        time.sleep(0.2)
        left = [(p, proc_cmdline(p)) for p in processes_of(self.tmp)]
        for name, p in [("munged", self.munged), ("slurmctld", self.slurmctld)] + \
                [(self.slurmd_name(n), p) for n, p in self.slurmds.items()]:
            if p is not None and p.poll() is None:
                left.append((p.pid, name))
        return left

    def cleanup_problems(self):
        """stop(), and what it left, as text: [] when nothing."""
        left = self.stop()
        if not left:
            return []
        return ["processes remain: " + "; ".join(f"{pid} {cmd[:80]}" for pid, cmd in left)]


NETNS_DIR = "/var/run/netns"   # where `ip netns add` binds the namespaces


class NetnsCluster(Cluster):
    """A two-node cluster of network namespace hosts (netns.py): slurmctld
    and every client command in the switch namespace (host name
    PREFIX-switch, 10.213.7.1), one slurmd in each host's namespace under
    that host's name (PREFIX-n1, PREFIX-n2 at 10.213.7.11, .12); munged in
    this namespace, reached through its socket on the shared file system."""

    CPUS = 2
    WHAT = "two-node (network namespaces)"

    def __init__(self, tmpdir, programs, hosts=2):
        self.net = netns.Cluster([f"n{i + 1}" for i in range(hosts)])
        self.nsenter = netns.tool("nsenter")
        super().__init__(tmpdir, programs)
        self.nodes = [(h.name, h.address) for h in self.net.hosts]
        self.ctld_host, self.ctld_addr = self.net.switch, netns.SWITCH_ADDRESS
        self.job_nodelist = None        # Slurm's own compression, after start
        self.created = False

    def ns_argv(self, name, argv):
        """ARGV in namespace NAME under the host name NAME, the way
        netns.Cluster.exec_argv does it, but entered with nsenter --net
        instead of `ip netns exec`: that one remounts /sys (a fresh sysfs
        without /sys/fs/cgroup, where slurmd 22.05 looks for cgroups even
        with proctrack/linuxproc, and stops: "Unable to initialize cgroup
        plugin"); nsenter changes the network namespace alone."""
        return [self.nsenter, f"--net={NETNS_DIR}/{name}", "--",
                self.net.unshare, "--uts", "--",
                "/bin/sh", "-c", netns.SET_HOSTNAME, name] + list(argv)

    def client_argv(self, argv):
        return self.ns_argv(self.net.switch, argv)

    def daemon_argv(self, argv, node=None):
        return self.ns_argv(self.net.switch if node is None else node, argv)

    def start(self):
        """Makes the namespaces (NetnsUnavailable goes on), then the cluster."""
        self.created = True             # a partial create() needs destroy() too
        self.net.create()
        super().start()
        r = self.run([self.prog["scontrol"], "show", "hostlist", ",".join(self.node_names)])
        self.job_nodelist = r.stdout.strip()

    def cleanup_problems(self):
        problems = super().cleanup_problems()
        if self.created:
            problems += self.net.destroy()
            problems += self.net.leftovers()
        return problems


class Job:
    def __init__(self, cluster, job_id, wd):
        self.cluster = cluster
        self.id = job_id
        self.wd = wd
        self.fields = {}

    @property
    def stdout_path(self):
        path = self.fields.get("StdOut")
        if path:
            return path.replace("%j", self.id)
        return os.path.join(self.wd, f"slurm-{self.id}.out")

    def output(self):
        try:
            with open(self.stdout_path, "r", errors="replace") as f:
                return f.read()
        except OSError as e:
            return f"(no output: {self.stdout_path}: {e.strerror})"

    def diagnostics(self):
        return (f"  --- job {self.id} output ({self.stdout_path})\n"
                + indent(self.output()[-3000:]) + "\n" + self.cluster.logs(15))

    def wait(self, timeout=TIMEOUT_JOB):
        """Wait for the job to end; fail unless it COMPLETED with exit 0."""
        deadline = time.monotonic() + timeout
        state = "?"
        while True:
            self.fields = self.cluster.show_job(self.id)
            state = self.fields.get("JobState", "?")
            if state in TERMINAL_STATES:
                break
            if time.monotonic() > deadline:
                self.cluster.run([self.cluster.prog["scancel"], self.id], check=False)
                raise CaseFailure(f"job {self.id} still {state} after {timeout} s "
                                  f"(cancelled)\n" + self.diagnostics())
            time.sleep(0.25)
        exit_code = self.fields.get("ExitCode", "?")
        log(f"job {self.id}: {state}, ExitCode={exit_code}")
        if VERBOSE:
            print(indent(self.output(), "  | "), flush=True)
        if state != "COMPLETED" or exit_code != "0:0":
            raise CaseFailure(f"job {self.id} ended {state}, ExitCode={exit_code} "
                              f"({self.fields.get('Reason', '')})\n" + self.diagnostics())
        return self.output()


# ---------------------------------------------------------------------------
# Checking a job's output


def parse_facts(text):
    """The job's "# key: value" lines as a dict (the first of each key)."""
    facts = {}
    for line in text.splitlines():
        m = re.match(r"#\s*([A-Za-z_]\w*):\s*(.*?)\s*$", line)
        if m:
            facts.setdefault(m.group(1), m.group(2))
    return facts


def check_facts(text, job, ntasks, cluster):
    """The "# slurm_...:" lines of a job given every node of the cluster."""
    facts = parse_facts(text)
    want_facts = [("slurm_job_id", job.id), ("slurm_ntasks", str(ntasks)),
                  ("slurm_job_nodelist", cluster.job_nodelist)]
    if len(cluster.nodes) > 1:
        want_facts.append(("slurm_job_num_nodes", str(len(cluster.nodes))))
    for key, want in want_facts:
        if facts.get(key) != want:
            raise CaseFailure(f"job {job.id}: '# {key}:' is {facts.get(key)!r}, "
                              f"expected {want!r}\n" + job.diagnostics())
    if len(cluster.nodes) > 1:
        names = cluster.expand_nodelist(facts["slurm_job_nodelist"])
        if sorted(names) != sorted(cluster.node_names):
            raise CaseFailure(f"job {job.id}: the node list {facts['slurm_job_nodelist']!r} "
                              f"names {names}, expected {cluster.node_names}")
    return facts


def check_report(rep, job, ranks, start, stop):
    """A JSON report: the range, the rank count, the prime count (when
    prime_count knows it) and the per-rank counts adding up to it."""
    problems = report_problems(rep, ranks, start, stop, prime_count(start, stop))
    if problems:
        raise CaseFailure(f"job {job.id}: " + "; ".join(problems) + "\n" + job.diagnostics())


def one_report(text, job, ranks, start, stop):
    reps = json_reports(text)
    if len(reps) != 1:
        raise CaseFailure(f"job {job.id}: {len(reps)} JSON reports, expected 1 "
                          "(several mean singletons, not one MPI job)\n"
                          + job.diagnostics())
    check_report(reps[0], job, ranks, start, stop)
    return reps[0]


def read_csv(path, job):
    """The CSV's rows as dicts, checked for form (reference.read_csv_rows:
    mpprimes --csv's header, widths, timestamps) and numbers."""
    try:
        rows = read_csv_rows(path)
    except OSError as e:
        raise CaseFailure(f"job {job.id}: no CSV {path}: {e.strerror}\n" + job.diagnostics())
    out = []
    for n, d in enumerate(rows, 2):
        try:
            for c in ("ranks", "start", "stop", "count", "job_id", "hosts"):
                d[c] = int(d[c])
            d["elapsed_s"] = float(d["elapsed_s"])
        except ValueError as e:
            raise CaseFailure(f"{path}:{n}: not a number: {e}")
        if d["elapsed_s"] < 0 or d["hosts"] < 1 or d["ranks"] < 1:
            raise CaseFailure(f"{path}:{n}: elapsed_s, hosts or ranks out of range: {d}")
        out.append(d)
    return out


def check_csv_rows(path, job, want, hosts=lambda ranks: {1}):
    """want: (ranks, start, stop) per row, in order; hosts(ranks): the host
    counts a row of that many ranks may have."""
    rows = read_csv(path, job)
    got = [(r["ranks"], r["start"], r["stop"]) for r in rows]
    if got != list(want):
        raise CaseFailure(f"{path}: rows (ranks, start, stop) {got}, expected {list(want)}")
    for n, r in enumerate(rows, 2):
        if str(r["job_id"]) != job.id:
            raise CaseFailure(f"{path}:{n}: job_id {r['job_id']}, expected {job.id}")
        if r["hosts"] not in hosts(r["ranks"]):
            raise CaseFailure(f"{path}:{n}: hosts {r['hosts']}, expected "
                              f"{' or '.join(map(str, sorted(hosts(r['ranks']))))}")
        c = prime_count(r["start"], r["stop"])
        if c is not None and r["count"] != c:
            raise CaseFailure(f"{path}:{n}: count {r['count']} for [{r['start']}, "
                              f"{r['stop']}], expected {c}")
    return rows


def rank_counts(ntasks):
    """The studies' rank counts: powers of two below ntasks, then ntasks."""
    out, n = [], 1
    while n < ntasks:
        out.append(n)
        n *= 2
    return out + [ntasks]


# The line rank 0 prints when SIGTERM stops a listing into -o FILE
# (reference.LISTED, then what became of the file).
LISTED_OUTPUT = re.compile(LISTED.pattern + r"; output file '(.*)' was not written$")


def check_interrupted(text, job, start, stop, output=None):
    """The job's output after SIGTERM: exactly one "mpprimes:" line, the
    "interrupted by SIGTERM" one, with 0 < progress < 100% of [start, stop]
    (for -o OUTPUT: the primes below some N, as many as there are); no
    report. Returns that line."""
    lines = [line for line in text.splitlines() if line.startswith("mpprimes:")]
    interrupted = len(lines) == 1 and INTERRUPTED.match(lines[0])
    if not interrupted or interrupted.group(1) != "SIGTERM":
        raise CaseFailure(f"job {job.id}: expected one 'mpprimes: interrupted by SIGTERM' "
                          f"line, got {lines}\n" + job.diagnostics())
    line = lines[0]
    m = (LISTED_OUTPUT if output else COUNTED).search(line)
    if m is None:
        raise CaseFailure(f"job {job.id}: no progress figure in {line!r}")
    first = 3 if output else 1               # the percentage, then the range
    pct, rng = float(m.group(first)), (int(m.group(first + 1)), int(m.group(first + 2)))
    if not 0 < pct < 100 or rng != (start, stop):
        raise CaseFailure(f"job {job.id}: progress {pct}% of {list(rng)}, expected "
                          f"0 < % < 100 of [{start}, {stop}]: {line!r}")
    if output:
        below, count = int(m.group(1)), int(m.group(2))
        if m.group(6) != output:
            raise CaseFailure(f"job {job.id}: the message names {m.group(6)!r}, not {output!r}")
        want = prime_count(start, below - 1) if below <= 5 * 10**8 else None
        if not start < below <= stop or want not in (None, count):
            raise CaseFailure(f"job {job.id}: {count} primes below {below}? "
                              f"(pi says {want}): {line!r}")
    if re.search(r"^# primes", text, re.M) or json_reports(text):
        raise CaseFailure(f"job {job.id}: a report after SIGTERM\n" + job.diagnostics())
    return line


def read_checkpoint(path):
    """What mpprimes's --checkpoint file PATH says: {"state": "running" or
    "finished", "start", "stop", "count" (the primes counted so far),
    "done" (the numbers settled)}; None when there is no file (yet). The
    file is replaced whole (renamed into place), never seen half written."""
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return None
    ck, spans = {"done": 0}, 0
    try:
        for line in text.splitlines():
            key, _, rest = line.partition(" ")
            if spans:                        # "LO HI", a span settled
                lo, hi = map(int, line.split())
                ck["done"] += hi - lo + 1
                spans -= 1
            elif key == "command":           # "command start=A stop=B ..."
                for kv in rest.split():
                    k, _, v = kv.partition("=")
                    if k in ("start", "stop"):
                        ck[k] = int(v)
            elif key == "state":
                ck["state"] = rest
            elif key == "result":            # "result COUNT FIRST LAST ..."
                ck["count"] = int(rest.split()[0])
            elif key == "done":              # "done N", then N spans
                spans = int(rest)
    except ValueError:
        raise CaseFailure(f"{path}: not a checkpoint as expected:\n{indent(text)}")
    return ck


# ---------------------------------------------------------------------------
# The cases


class Suite:
    def __init__(self, args, cluster):
        self.args = args
        self.c = cluster
        self.slurm_dir = os.path.join(args.source_dir, "slurm")
        self.base_env = cluster.job_env({
            "MPPRIMES": args.binary,
            **MPI_ROOT_ENV,
            "TMPDIR": os.path.join(cluster.tmp, "jobtmp"),
        })
        self._pmix = None

    def env(self, **extra):
        e = dict(self.base_env)
        e.update(extra)
        return e

    def script(self, name):
        path = os.path.join(self.slurm_dir, name)
        if not os.path.isfile(path):
            raise CaseSkipped(f"{os.path.relpath(path, self.args.source_dir)} is not there")
        return path

    def own_script(self, name, body):
        path = os.path.join(self.c.tmp, name)
        with open(path, "w") as f:
            f.write("#!/bin/bash\nset -eu\n" + body + "\n")
        return path

    def pmix_offered(self):
        if self._pmix is None:
            r = self.c.run([self.c.prog["srun"], "--mpi=list"], check=False)
            self._pmix = bool(re.search(r"\bpmix\b", r.stdout + r.stderr))
        return self._pmix

    # Launchers, with scripts of this test's own

    def own_srun(self):
        if not self.pmix_offered():
            raise CaseFailure("srun --mpi=list offers no pmix")
        s = self.own_script("srun.sh", 'srun --mpi=pmix "$MPPRIMES" --count --json 1e7')
        job = self.c.submit("own-srun", s, opts=["--ntasks=4", "--output=%x-%j.out"],
                            env=self.base_env)
        one_report(job.wait(), job, 4, 2, 10**7)

    def own_mpirun(self):
        s = self.own_script("mpirun.sh", 'mpirun "$MPPRIMES" --count --json 1e7')
        job = self.c.submit("own-mpirun", s, opts=["--ntasks=4", "--output=%x-%j.out"],
                            env=self.base_env)
        one_report(job.wait(), job, 4, 2, 10**7)

    # slurm/mpprimes.sbatch

    def mpprimes_job(self, name, ntasks, args, start, stop, env=None, opts=(),
                     hosts=lambda ranks: {1}):
        """Submit mpprimes.sbatch; check facts, the one report and its CSV row
        (hosts: as check_csv_rows's). Returns the job, the facts and the JSON
        report (None for a text one)."""
        script = self.script("mpprimes.sbatch")
        o = list(opts) + ([f"--ntasks={ntasks}"] if ntasks else [])
        job = self.c.submit(name, script, args=args, opts=o, env=env or self.base_env)
        text = job.wait()
        ranks = ntasks or 4                  # the script's #SBATCH --ntasks
        facts = check_facts(text, job, ranks, self.c)
        rep = None
        if "--json" in args:
            rep = one_report(text, job, ranks, start, stop)
        else:                                # the text report
            want = prime_count(start, stop)
            primes, ranks_line = (report_value(text, key, required=False)
                                  for key in ("primes", "ranks"))
            got = (int(primes) if primes else None, int(ranks_line) if ranks_line else None)
            if got != (want, ranks):
                raise CaseFailure(f"job {job.id}: (primes, ranks) in the report {got}, "
                                  f"expected {(want, ranks)}\n" + job.diagnostics())
        csv_path = (env or {}).get("MPPRIMES_CSV") or \
            os.path.join(job.wd, f"mpprimes-{job.id}.csv")
        if facts.get("csv") != csv_path:
            raise CaseFailure(f"job {job.id}: '# csv:' is {facts.get('csv')!r}, "
                              f"expected {csv_path!r}")
        check_csv_rows(csv_path, job, [(ranks, start, stop)], hosts)
        return job, facts, rep

    def mpprimes_default(self):
        # No arguments: "1e9 --count", the text report, 4 tasks (#SBATCH).
        self.mpprimes_job("mpprimes-default", None, [], 2, 10**9)

    def mpprimes_ntasks(self, n, args, start, stop):
        return lambda: self.mpprimes_job(f"mpprimes-n{n}", n, args, start, stop)

    def mpprimes_launcher(self, launcher):
        def case():
            if launcher == "srun" and not self.pmix_offered():
                raise CaseFailure("srun --mpi=list offers no pmix")
            env = self.env(MPPRIMES_LAUNCHER=launcher) if launcher else self.base_env
            want = "mpirun" if launcher == "mpirun" or (
                launcher is None and not self.pmix_offered()) else "srun --mpi=pmix"
            job, facts, _ = self.mpprimes_job(f"mpprimes-launcher-{launcher or 'default'}",
                                           4, ["1e8", "--count", "--json"], 2, 10**8,
                                           env=env)
            if facts.get("launcher") != want:
                raise CaseFailure(f"job {job.id}: '# launcher:' is {facts.get('launcher')!r}, "
                                  f"expected {want!r}")
        return case

    def mpprimes_csv_env(self):
        path = os.path.join(self.c.tmp, "jobs", "given.csv")
        job, _, _ = self.mpprimes_job("mpprimes-csv-env", 2, ["1e9", "1e9+1e7", "--count"],
                                   10**9, 10**9 + 10**7, env=self.env(MPPRIMES_CSV=path))
        if os.path.exists(os.path.join(job.wd, f"mpprimes-{job.id}.csv")):
            raise CaseFailure("MPPRIMES_CSV set, but mpprimes-JOBID.csv was written too")

    # SIGTERM as Slurm sends it: scancel, or a time limit

    def wait_started(self, job, ntasks, outdir=None):
        """Waits until the job runs, its ntasks ranks exist and each has
        computed STARTED_CPU_S (with outdir: until STARTED_BYTES reached
        -o's temporary file there); returns the ranks' pids."""
        deadline = time.monotonic() + TIMEOUT_JOB
        while time.monotonic() < deadline:
            job.fields = self.c.show_job(job.id)
            if job.fields.get("JobState") in TERMINAL_STATES:
                raise CaseFailure(f"job {job.id} ended {job.fields.get('JobState')} before "
                                  f"it could be stopped\n" + job.diagnostics())
            pids = job_ranks(self.args.binary, job.id)
            if len(pids) == ntasks and (
                    all(cpu_seconds(p) >= STARTED_CPU_S for p in pids) if outdir is None
                    else dir_bytes(outdir) >= STARTED_BYTES):
                return pids
            time.sleep(0.1)
        raise CaseFailure(f"job {job.id}: {ntasks} ranks not computing after {TIMEOUT_JOB} s "
                          f"(state {job.fields.get('JobState')})\n" + job.diagnostics())

    def interrupted(self, name, launcher, args, start, stop, output=False, time_limit=False):
        """slurm/mpprimes.sbatch ARGS at 3 tasks (-o FILE ARGS with output),
        a run of minutes, stopped as Slurm stops a job: by scancel, which
        slurmctld does at a time limit too (with time_limit: --time=1, and
        the limit itself). The job must end within STOP_WITHIN s of that,
        CANCELLED (TIMEOUT), not 0:0; one "interrupted by SIGTERM" line with
        the progress (check_interrupted); no report, no CSV row, no rank left,
        no file (nor temporary file) left in -o's directory."""
        ntasks = 3
        wd = os.path.join(self.c.tmp, "jobs", name)
        outdir = os.path.join(wd, "out")
        os.makedirs(outdir)
        path = os.path.join(outdir, "primes.txt") if output else None
        env = self.env(MPPRIMES_LAUNCHER=launcher) if launcher else self.base_env
        opts = [f"--ntasks={ntasks}"] + (["--time=1"] if time_limit else [])
        job = self.c.submit(name, self.script("mpprimes.sbatch"), opts=opts, env=env,
                            args=(["-o", path] if output else []) + list(args))
        ended = False
        try:
            pids = self.wait_started(job, ntasks, outdir if output else None)
            cpu = min(cpu_seconds(p) for p in pids)
            if time_limit:                 # slurmctld's own, 60 to 90 s after the start
                deadline = time.monotonic() + TIME_LIMIT_WAIT
                while job.fields.get("JobState") == "RUNNING":
                    if time.monotonic() > deadline:
                        raise CaseFailure(f"job {job.id}: still running {TIME_LIMIT_WAIT} s "
                                          f"after its start at --time=1\n" + job.diagnostics())
                    time.sleep(0.25)
                    job.fields = self.c.show_job(job.id)
                t0 = time.monotonic()
            else:
                t0 = time.monotonic()
                self.c.run([self.c.prog["scancel"], job.id])
            ranks_gone = None
            while True:
                job.fields = self.c.show_job(job.id)
                now = time.monotonic() - t0
                if ranks_gone is None and all(proc_state(p) in (None, "Z", "X") for p in pids):
                    ranks_gone = now
                if ranks_gone is not None and job.fields.get("JobState") in TERMINAL_STATES:
                    break
                if now > KILL_WAIT + 30:
                    raise CaseFailure(f"job {job.id}: {job.fields.get('JobState')}, ranks "
                                      f"{'gone' if ranks_gone else 'running'}, {now:.0f} s "
                                      f"after the SIGTERM\n" + job.diagnostics())
                time.sleep(0.1)
            ended = True
        finally:
            if not ended:
                self.c.run([self.c.prog["scancel"], job.id], check=False)
        state, code = job.fields.get("JobState"), job.fields.get("ExitCode")
        log(f"job {job.id}: {'the time limit' if time_limit else 'scancel'} after "
            f"{cpu:.1f} CPU s a rank: ranks gone in {ranks_gone:.2f} s, job {state} "
            f"ExitCode={code} in {now:.2f} s")
        text = job.output()
        if VERBOSE:
            print(indent(text, "  | "), flush=True)
        facts = check_facts(text, job, ntasks, self.c)
        used = "mpirun" if facts.get("launcher") == "mpirun" else "srun"
        if launcher and used != launcher:
            raise CaseFailure(f"job {job.id}: '# launcher:' is {facts.get('launcher')!r}")
        if now > STOP_WITHIN:
            raise CaseFailure(f"job {job.id}: ended {now:.1f} s after the SIGTERM (at most "
                              f"{STOP_WITHIN}; SIGKILL comes after KillWait={KILL_WAIT})\n"
                              + job.diagnostics())
        # srun passes on its tasks' 128+15; mpirun, signalled too, exits 1.
        want_codes = {"143:0"} | ({"1:0"} if used == "mpirun" else set())
        want_state = "TIMEOUT" if time_limit else "CANCELLED"
        if state != want_state or code not in want_codes:
            raise CaseFailure(f"job {job.id}: {state}, ExitCode={code}; expected {want_state}, "
                              f"ExitCode {' or '.join(sorted(want_codes))}\n"
                              + job.diagnostics())
        if time_limit and "DUE TO TIME LIMIT" not in text:
            raise CaseFailure(f"job {job.id}: no '*** ... DUE TO TIME LIMIT ***' line\n"
                              + job.diagnostics())
        check_interrupted(text, job, start, stop, path)
        left = job_ranks(self.args.binary, job.id)
        if left:
            raise CaseFailure(f"job {job.id}: mpprimes processes left: {left}")
        csv_path = os.path.join(wd, f"mpprimes-{job.id}.csv")
        if os.path.exists(csv_path) and len(read_csv(csv_path, job)) > 0:
            raise CaseFailure(f"job {job.id}: a CSV row for an interrupted run")
        if os.listdir(outdir):
            raise CaseFailure(f"job {job.id}: left in -o's directory: {os.listdir(outdir)}")

    def scancel(self, launcher, output):
        def case():
            if output:
                self.interrupted(f"scancel-{launcher or 'default'}-output", launcher,
                                 ["--buffer", "4M", "1e10"], 2, 10**10, output=True)
            else:
                self.interrupted(f"scancel-{launcher or 'default'}-count", launcher,
                                 ["--count", "1e12"], 2, 10**12)
        return case

    def time_limit(self):
        if not self.args.time_limit:
            raise CaseSkipped("slurmctld's time limit takes 60 to 90 s: run with --time-limit")
        self.interrupted("time-limit", None, ["--count", "1e13"], 2, 10**13, time_limit=True)

    # slurm/long-job.sbatch: a checkpoint, requeued attempts, one result

    def long_job_fields(self, job):
        """The job's JobState and Restarts (scontrol show job), now."""
        job.fields = self.c.show_job(job.id)
        restarts = job.fields.get("Restarts", "0")
        return job.fields.get("JobState"), int(restarts) if restarts.isdigit() else 0

    def long_job_end(self, job, deadline):
        """Waits for the job's end (a terminal state, not a requeue);
        returns its number of restarts."""
        while True:
            state, restarts = self.long_job_fields(job)
            if state in TERMINAL_STATES:
                return restarts
            if time.monotonic() > deadline:
                self.c.run([self.c.prog["scancel"], job.id], check=False)
                raise CaseFailure(f"job {job.id} still {state} after {restarts} restarts "
                                  f"(cancelled)\n" + job.diagnostics())
            time.sleep(0.25)

    def check_long_job(self, job, ntasks, start, stop, ckpt, signals, t0):
        """A long-job.sbatch job that ended: COMPLETED 0:0 after its
        restarts; each attempt's "# attempt: N (fresh|resumed" line and the
        Slurm facts; one interruption line a restart (a signal of SIGNALS,
        the checkpoint named, 0 < % < 100 of [start, stop], rising) and a
        "# requeue:" line; the last attempt's report, resumed, with the count
        (LONG_PI); one CSV row; the checkpoint finished; no rank left.
        Returns the restarts."""
        state, code = job.fields.get("JobState"), job.fields.get("ExitCode")
        restarts = int(job.fields.get("Restarts", "0"))
        text = job.output()
        log(f"job {job.id}: {state}, ExitCode={code}, {restarts} restarts, "
            f"{time.monotonic() - t0:.1f} s")
        if VERBOSE:
            print(indent(text, "  | "), flush=True)
        if state != "COMPLETED" or code != "0:0":
            raise CaseFailure(f"job {job.id} ended {state}, ExitCode={code} "
                              f"({job.fields.get('Reason', '')})\n" + job.diagnostics())
        check_facts(text, job, ntasks, self.c)
        want = [(str(n), "fresh" if n == 1 else "resumed") for n in range(1, restarts + 2)]
        got = re.findall(r"^# attempt: (\d+) \((\w+)", text, re.M)
        counts = re.findall(r"^# slurm_restart_count: (\d+)$", text, re.M)
        if got != want or counts != [str(n) for n in range(restarts + 1)]:
            raise CaseFailure(f"job {job.id}: {restarts} restarts, but the attempts say "
                              f"{got} and SLURM_RESTART_COUNT {counts}\n" + job.diagnostics())
        lines = [line for line in text.splitlines() if line.startswith("mpprimes:")]
        pcts = []
        for line in lines:
            c = CHECKPOINTED.match(line)
            if not (c and c.group(1) in signals and c.group(2) == ckpt and
                    (int(c.group(4)), int(c.group(5))) == (start, stop) and
                    0 < float(c.group(3)) < 100):
                raise CaseFailure(f"job {job.id}: expected 'mpprimes: interrupted by "
                                  f"{'/'.join(sorted(signals))} ...: checkpoint '{ckpt}' keeps "
                                  f"N% of the range [{start}, {stop}] ...', got {line!r}")
            pcts.append(float(c.group(3)))
        requeues = re.findall(rf"^# requeue: job {job.id} ", text, re.M)
        if len(lines) != restarts or len(requeues) != restarts or pcts != sorted(set(pcts)):
            raise CaseFailure(f"job {job.id}: {restarts} restarts, {len(lines)} interruption "
                              f"lines (at {pcts}%), {len(requeues)} '# requeue:' lines\n"
                              + job.diagnostics())
        if not re.search(rf"^# done: attempt {restarts + 1} finished the job$", text, re.M):
            raise CaseFailure(f"job {job.id}: no '# done: attempt {restarts + 1} ...' line\n"
                              + job.diagnostics())
        primes = report_value(text, "primes", required=False)
        if primes != str(LONG_PI[stop]):
            raise CaseFailure(f"job {job.id}: '# primes' {primes}, expected {LONG_PI[stop]}\n"
                              + job.diagnostics())
        resumed = re.findall(rf"^# checkpoint +{re.escape(ckpt)} \(resumed: ([0-9.]+)% ",
                             text, re.M)
        if restarts and (len(resumed) != 1 or float(resumed[0]) != pcts[-1]):
            raise CaseFailure(f"job {job.id}: the report's '# checkpoint {ckpt} (resumed: "
                              f"{pcts[-1]}% ...' line: {resumed}\n" + job.diagnostics())
        rows = check_csv_rows(os.path.join(job.wd, f"long-job-{job.id}.csv"), job,
                              [(ntasks, start, stop)])
        if rows[0]["count"] != LONG_PI[stop]:
            raise CaseFailure(f"job {job.id}: the CSV row's count {rows[0]['count']}, "
                              f"expected {LONG_PI[stop]}")
        ck = read_checkpoint(ckpt)
        if ck is None or (ck.get("state"), ck.get("count"), ck["done"]) != \
                ("finished", LONG_PI[stop], stop - start + 1):
            raise CaseFailure(f"job {job.id}: the checkpoint at the end: {ck}")
        deadline = time.monotonic() + 5
        while job_ranks(self.args.binary, job.id):
            if time.monotonic() > deadline:
                raise CaseFailure(f"job {job.id}: mpprimes processes left: "
                                  f"{job_ranks(self.args.binary, job.id)}")
            time.sleep(0.1)
        return restarts

    def long_job_requeue(self):
        """long-job.sbatch -c 2 2e11 at 2 tasks (the default launcher),
        warned as Slurm warns a job before its time limit (SIGUSR1 to the
        batch shell alone: scancel --signal=USR1 --batch) once its checkpoint
        shows progress of that attempt's; twice, unless it finished before
        the second warning. It must requeue itself each time, resume, and
        finish with the count (check_long_job)."""
        ntasks, start, stop = 2, 2, 2 * 10**11
        job = self.c.submit("long-job-requeue", self.script("long-job.sbatch"),
                            args=["-c", "--checkpoint-every", "1", "2", "2e11"],
                            opts=[f"--ntasks={ntasks}"], env=self.base_env)
        ckpt = os.path.join(job.wd, "mpprimes-long-job.ckpt")
        t0 = time.monotonic()
        deadline = t0 + TIMEOUT_LONG_JOB
        settled = 0                     # numbers the checkpoint had at the last requeue
        ended = False
        try:
            for warning in range(2):
                # This attempt (restarts == warning) running, its checkpoint further on.
                while True:
                    state, restarts = self.long_job_fields(job)
                    if state in TERMINAL_STATES:
                        break
                    ck = read_checkpoint(ckpt)
                    if state == "RUNNING" and restarts == warning and ck and \
                            ck.get("state") == "running" and ck["done"] > settled:
                        break
                    if time.monotonic() > deadline:
                        raise CaseFailure(f"job {job.id}: {state}, {restarts} restarts, "
                                          f"checkpoint {ck}: no progress to warn about\n"
                                          + job.diagnostics())
                    time.sleep(0.1)
                if state in TERMINAL_STATES:
                    break
                log(f"job {job.id}: SIGUSR1 to the batch shell, checkpoint at "
                    f"{100 * ck['done'] / (stop - start + 1):.1f}%")
                self.c.run([self.c.prog["scancel"], "--signal=USR1", "--batch", job.id],
                           check=False)
                # Requeued (restarts counted up), or done meanwhile.
                while True:
                    state, restarts = self.long_job_fields(job)
                    if restarts > warning or state in TERMINAL_STATES:
                        break
                    if time.monotonic() > deadline:
                        raise CaseFailure(f"job {job.id}: {state}, not requeued after "
                                          f"SIGUSR1\n" + job.diagnostics())
                    time.sleep(0.1)
                ck = read_checkpoint(ckpt)
                settled = ck["done"] if ck else 0
            self.long_job_end(job, deadline)
            ended = True
        finally:
            if not ended:
                self.c.run([self.c.prog["scancel"], job.id], check=False)
        restarts = self.check_long_job(job, ntasks, start, stop, ckpt, {"SIGUSR1"}, t0)
        if restarts == 0:
            raise CaseFailure(f"job {job.id}: finished before it could be warned")

    def long_job_scancel(self):
        """long-job.sbatch under mpirun, cancelled (scancel: SIGTERM to every
        process of the job) once its checkpoint shows progress: the job
        must end CANCELLED, not requeued, with one "interrupted by SIGTERM"
        line (the shell passes on no second SIGTERM, which would cut short
        mpirun's output), its "# the job is ending" line, the checkpoint kept
        (running), no CSV row, no rank left."""
        ntasks, start, stop = 2, 2, 10**12
        job = self.c.submit("long-job-scancel", self.script("long-job.sbatch"),
                            args=["-c", "--checkpoint-every", "1", "2", "1e12"],
                            opts=[f"--ntasks={ntasks}"],
                            env=self.env(MPPRIMES_LAUNCHER="mpirun"))
        ckpt = os.path.join(job.wd, "mpprimes-long-job.ckpt")
        deadline = time.monotonic() + TIMEOUT_JOB
        ended = False
        try:
            while True:
                state, _ = self.long_job_fields(job)
                ck = read_checkpoint(ckpt)
                if state in TERMINAL_STATES:
                    raise CaseFailure(f"job {job.id} ended {state} before the scancel\n"
                                      + job.diagnostics())
                if state == "RUNNING" and ck and ck["done"] > 0:
                    break
                if time.monotonic() > deadline:
                    raise CaseFailure(f"job {job.id}: {state}, no progress in {TIMEOUT_JOB} s\n"
                                      + job.diagnostics())
                time.sleep(0.1)
            self.c.run([self.c.prog["scancel"], job.id])
            restarts = self.long_job_end(job, time.monotonic() + KILL_WAIT + 30)
            ended = True
        finally:
            if not ended:
                self.c.run([self.c.prog["scancel"], job.id], check=False)
        # CANCELLED once every process of the job is gone, the batch shell
        # too: it has decided. (A requeued job would be PENDING instead.)
        state, restarts = self.long_job_fields(job)
        text = job.output()
        if VERBOSE:
            print(indent(text, "  | "), flush=True)
        if state != "CANCELLED" or restarts:
            raise CaseFailure(f"job {job.id}: {state} after {restarts} restarts; expected "
                              f"CANCELLED, not requeued\n" + job.diagnostics())
        lines = [line for line in text.splitlines() if line.startswith("mpprimes:")]
        m = CHECKPOINTED.match(lines[0]) if len(lines) == 1 else None
        if not (m and m.group(1) == "SIGTERM" and m.group(2) == ckpt):
            raise CaseFailure(f"job {job.id}: expected one 'mpprimes: interrupted by SIGTERM "
                              f"... checkpoint '{ckpt}' ...' line, got {lines}\n"
                              + job.diagnostics())
        if not re.search(r"^# the job is ending \(COMPLETING None: cancelled\?\): "
                         r"not requeued", text, re.M):
            raise CaseFailure(f"job {job.id}: no '# the job is ending ...: not requeued' "
                              f"line\n" + job.diagnostics())
        ck = read_checkpoint(ckpt)
        if ck is None or ck.get("state") != "running" or not 0 < ck["done"] < stop - start + 1:
            raise CaseFailure(f"job {job.id}: the checkpoint after scancel: {ck}")
        csv_path = os.path.join(job.wd, f"long-job-{job.id}.csv")
        if os.path.exists(csv_path) and read_csv(csv_path, job):
            raise CaseFailure(f"job {job.id}: a CSV row for a cancelled job")
        left = job_ranks(self.args.binary, job.id)
        if left:
            raise CaseFailure(f"job {job.id}: mpprimes processes left: {left}")

    def long_job_time_limit(self):
        """long-job.sbatch at --time=1 and 1 task, "-c 2 1e12", some three
        minutes of work: two jobs at once (a core each), each attempt of
        each stopped by Slurm, requeued and resumed. One with
        --signal=B:USR1@10 under mpirun: slurmctld warns at its first look
        (every 30 s) with less than 10 + 30 s left, 20 to 50 s after the
        start, the limit coming 60 to 90 s after it; each attempt stopped by
        the warning, never by the limit, 2 restarts or more. One without the
        warning (a copy of the script without its --signal line; the default
        launcher): each attempt stopped by the limit itself ("DUE TO TIME
        LIMIT": SIGTERM to every process, the job's Reason TimeLimit) and
        requeued all the same, 1 restart or more. Both must finish with the
        count (check_long_job)."""
        if not self.args.time_limit:
            raise CaseSkipped("attempts of a minute or more, requeued: run with --time-limit")
        ntasks, start, stop = 1, 2, 10**12
        with open(self.script("long-job.sbatch")) as f:
            body = [line for line in f if not line.startswith("#SBATCH --signal")]
        unwarned = os.path.join(self.c.tmp, "long-job-no-warning.sbatch")
        with open(unwarned, "w") as f:
            f.writelines(body)
        variants = [("usr1-mpirun", self.script("long-job.sbatch"), ["--signal=B:USR1@10"],
                     self.env(MPPRIMES_LAUNCHER="mpirun"), "SIGUSR1", 2),
                    ("term", unwarned, [], self.base_env, "SIGTERM", 1)]
        jobs = []
        t0 = time.monotonic()
        try:
            for name, script, opts, env, _, _ in variants:
                jobs.append(self.c.submit(f"long-job-time-limit-{name}", script,
                                          args=["-c", "2", "1e12"], env=env,
                                          opts=[f"--ntasks={ntasks}", "--time=1"] + opts))
            for job in jobs:
                self.long_job_end(job, t0 + TIMEOUT_LONG_LIMIT)
        finally:
            for job in jobs:
                if job.fields.get("JobState") not in TERMINAL_STATES:
                    self.c.run([self.c.prog["scancel"], job.id], check=False)
        for job, (name, _, _, _, sig, least) in zip(jobs, variants):
            ckpt = os.path.join(job.wd, "mpprimes-long-job.ckpt")
            restarts = self.check_long_job(job, ntasks, start, stop, ckpt, {sig}, t0)
            limits = len(re.findall(r"^slurmstepd\S*: error: \*\*\* JOB \d+ ON \S+ CANCELLED AT "
                                    r"\S+ DUE TO TIME LIMIT \*\*\*$", job.output(), re.M))
            want = restarts if sig == "SIGTERM" else 0
            if restarts < least or limits != want:
                raise CaseFailure(f"job {job.id} ({name}): {restarts} restarts ({least} or more "
                                  f"expected), {limits} attempts ended by the time limit "
                                  f"({want} expected)\n" + job.diagnostics())

    # The scaling studies

    def study(self, script_name, ntasks, args, want_rows, env=None, opts=(),
              hosts=lambda ranks: {1}):
        script = self.script(script_name)
        base = script_name.split(".")[0]
        job = self.c.submit(f"{base}-n{ntasks}", script, args=args,
                            opts=list(opts) + [f"--ntasks={ntasks}"],
                            env=env or self.base_env)
        text = job.wait(timeout=TIMEOUT_JOB + 30)
        facts = check_facts(text, job, ntasks, self.c)
        want_launcher = "srun --mpi=pmix" if (env or {}).get("MPPRIMES_LAUNCHER") != "mpirun" \
            and self.pmix_offered() else "mpirun"
        if facts.get("launcher") != want_launcher:
            raise CaseFailure(f"job {job.id}: '# launcher:' is {facts.get('launcher')!r}, "
                              f"expected {want_launcher!r}")
        csv_path = (env or {}).get("MPPRIMES_CSV") or \
            os.path.join(job.wd, f"{base}-{job.id}.csv")
        rows = check_csv_rows(csv_path, job, want_rows, hosts)
        return job, rows

    def strong(self, ntasks, env=None):
        def case():
            start, stop = 2, 10**9
            want = [(n, start, stop) for n in rank_counts(ntasks)]
            _, rows = self.study("strong-scaling.sbatch", ntasks, ["1e9", "--count"],
                                 want, env=env)
            if len({r["count"] for r in rows}) != 1:
                raise CaseFailure(f"strong scaling: counts differ: {[r['count'] for r in rows]}")
        return case

    def weak(self, ntasks, env=None):
        def case():
            size = 10**8
            want = [(n, 2, n * size) for n in rank_counts(ntasks)]
            self.study("weak-scaling.sbatch", ntasks, ["1e8", "--count"], want, env=env)
        return case

    def time_limit_cases(self):
        """The cases that run with --time-limit only (--only-time-limit)."""
        names = ("mpprimes.sbatch-time-limit", "long-job.sbatch-time-limit")
        return [(name, fn) for name, fn in self.cases() if name in names]

    def cases(self):
        return [
            ("srun-pmix-own-script", self.own_srun),
            ("mpirun-own-script", self.own_mpirun),
            ("mpprimes.sbatch-default", self.mpprimes_default),
            ("mpprimes.sbatch-ntasks1",
             self.mpprimes_ntasks(1, ["1e8", "--count", "--json"], 2, 10**8)),
            ("mpprimes.sbatch-ntasks3",
             self.mpprimes_ntasks(3, ["1e9", "--count", "--json"], 2, 10**9)),
            ("mpprimes.sbatch-ntasks4",
             self.mpprimes_ntasks(4, ["1e8", "1e9", "--count", "--json"], 10**8, 10**9)),
            ("mpprimes.sbatch-launcher-default", self.mpprimes_launcher(None)),
            ("mpprimes.sbatch-launcher-srun", self.mpprimes_launcher("srun")),
            ("mpprimes.sbatch-launcher-mpirun", self.mpprimes_launcher("mpirun")),
            ("mpprimes.sbatch-csv-env", self.mpprimes_csv_env),
            ("mpprimes.sbatch-scancel-default-count", self.scancel(None, False)),
            ("mpprimes.sbatch-scancel-srun-output", self.scancel("srun", True)),
            ("mpprimes.sbatch-scancel-mpirun-output", self.scancel("mpirun", True)),
            ("mpprimes.sbatch-time-limit", self.time_limit),
            ("long-job.sbatch-requeue", self.long_job_requeue),
            ("long-job.sbatch-scancel-mpirun", self.long_job_scancel),
            ("long-job.sbatch-time-limit", self.long_job_time_limit),
            ("strong-scaling.sbatch-ntasks4", self.strong(4)),
            ("strong-scaling.sbatch-ntasks3-mpirun",
             self.strong(3, self.env(MPPRIMES_LAUNCHER="mpirun"))),
            ("weak-scaling.sbatch-ntasks4", self.weak(4)),
            ("weak-scaling.sbatch-ntasks3-mpirun-csv",
             self.weak(3, self.env(MPPRIMES_LAUNCHER="mpirun",
                                   MPPRIMES_CSV=os.path.join(self.c.tmp, "jobs",
                                                             "weak.csv")))),
        ]


class TwoNodeSuite(Suite):
    """The cases of the NetnsCluster: --nodes=2 --ntasks=4, two ranks a
    node, the ranks talking TCP across the namespaces' bridge."""

    NTASKS = 4

    def __init__(self, args, cluster):
        super().__init__(args, cluster)
        subnet = f"{netns.SUBNET}.0/24"   # the hosts' eth0, never their loopback
        self.base_env.update(OMPI_MCA_btl_tcp_if_include=subnet,
                             OMPI_MCA_oob_tcp_if_include=subnet)
        self.opts = [f"--nodes={len(cluster.nodes)}"]

    def hosts(self, ranks):
        """The host counts allowed in a CSV row: every node at the full task
        count; fewer ranks may be placed on one node or on both."""
        n = len(self.c.nodes)
        return {n} if ranks == self.NTASKS else set(range(1, min(ranks, n) + 1))

    def launcher(self, launcher):
        def case():
            if launcher == "srun" and not self.pmix_offered():
                raise CaseFailure("srun --mpi=list offers no pmix")
            job, facts, rep = self.mpprimes_job(
                f"two-node-{launcher}", self.NTASKS, ["1e8", "--count", "--json"],
                2, 10**8, env=self.env(MPPRIMES_LAUNCHER=launcher), opts=self.opts,
                hosts=self.hosts)
            want = "srun --mpi=pmix" if launcher == "srun" else "mpirun"
            if facts.get("launcher") != want:
                raise CaseFailure(f"job {job.id}: '# launcher:' is {facts.get('launcher')!r}, "
                                  f"expected {want!r}")
            placed = [r.get("host") for r in rep["per_rank"]]
            log(f"job {job.id}: ranks on {placed}")
            per_node = self.NTASKS // len(self.c.nodes)
            if sorted(placed) != sorted(self.c.node_names * per_node):
                raise CaseFailure(f"job {job.id}: per_rank hosts {placed}, expected "
                                  f"{per_node} ranks on each of {self.c.node_names}\n"
                                  + job.diagnostics())
        return case

    def strong_two_nodes(self):
        start, stop = 2, 10**9
        want = [(n, start, stop) for n in rank_counts(self.NTASKS)]
        _, rows = self.study("strong-scaling.sbatch", self.NTASKS, ["1e9", "--count"],
                             want, opts=self.opts, hosts=self.hosts)
        if len({r["count"] for r in rows}) != 1:
            raise CaseFailure(f"strong scaling: counts differ: {[r['count'] for r in rows]}")

    def cases(self):
        return [
            ("two-node-mpprimes.sbatch-srun", self.launcher("srun")),
            ("two-node-mpprimes.sbatch-mpirun", self.launcher("mpirun")),
            ("two-node-strong-scaling.sbatch-ntasks4", self.strong_two_nodes),
        ]


# ---------------------------------------------------------------------------
# Main


def skip_case(why):
    raise CaseSkipped(why)


def skip_or_fail(why):
    """Prerequisites missing: skip (77), or fail under CI=true."""
    return harness.Suite().finish_unavailable(
        "slurm-cluster", why, "prerequisites",
        "the CI runs this as root with slurm-wlm and munge installed")


def main():
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_program_args(ap, mpiexec=False)
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary directory (its path is printed)")
    ap.add_argument("--time-limit", action="store_true",
                    help="also the jobs at --time=1 that reach their limits: "
                         "mpprimes.sbatch's (60 to 90 s more), long-job.sbatch's "
                         "requeued (minutes)")
    ap.add_argument("--only-time-limit", action="store_true",
                    help="those alone, on the one-node cluster (no other case, no "
                         "two-node cluster)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    args.time_limit = args.time_limit or args.only_time_limit
    VERBOSE = args.verbose
    args.binary = os.path.abspath(args.binary)
    args.source_dir = os.path.abspath(args.source_dir)

    if os.geteuid() != 0:
        return skip_or_fail("not root (slurmd must run as root to start jobs)")
    programs = {name: find_program(name) for name in SLURM_PROGRAMS}
    missing = [n for n, p in programs.items() if p is None]
    if missing:
        return skip_or_fail(f"not installed: {', '.join(missing)} "
                            "(apt-get install slurm-wlm munge)")
    results = harness.Suite(log=log)   # each case's time with -v
    if not (os.path.isfile(args.binary) and os.access(args.binary, os.X_OK)):
        results.fail("setup", f"{args.binary} is not an executable")
        return results.finish()

    interrupt_on_signals()

    # Short paths: Unix socket paths (munge's, slurmstepd's) have 108 bytes.
    base = tempfile.gettempdir()
    if len(base) > 40:
        base = "/tmp"
    cluster = Cluster(tempfile.mkdtemp(prefix="mpprimes-slurm-", dir=base), programs)
    two = None                          # the two-node cluster, once made
    stopped = set()
    t0 = time.monotonic()

    def finish(c, name):
        """Stops cluster c (once), reports NAME, removes its directory."""
        if id(c) in stopped:
            return
        problems = c.cleanup_problems()
        stopped.add(id(c))
        if problems:
            results.fail(name, "; ".join(problems))
        else:
            results.ok(name)
        if args.keep:
            print(f"# kept {c.tmp}")
        else:
            shutil.rmtree(c.tmp, ignore_errors=True)
            if os.path.exists(c.tmp):
                results.fail(f"{name}-tmpdir", f"{c.tmp} could not be removed")

    def two_nodes():
        """The second cluster: two namespace hosts, after the first is gone."""
        nonlocal two
        ci = in_ci()
        unavailable = []

        def start():
            try:
                two.start()
            except netns.NetnsUnavailable as e:
                unavailable.append(str(e))
                if ci:
                    raise CaseFailure(f"network namespaces: {e} (CI=true: this "
                                      f"test must run as root)")
                raise CaseSkipped(f"network namespaces: {e}")

        try:
            two = NetnsCluster(tempfile.mkdtemp(prefix="mpprimes-slurm2-", dir=base),
                               programs)
        except netns.NetnsUnavailable as e:
            if ci:
                results.fail("two-node-cluster-start", f"network namespaces: {e}")
            else:
                print(f"skip two-node-cluster-start: network namespaces: {e}", flush=True)
                results.skipped += 1
            return
        suite = TwoNodeSuite(args, two)
        failed = results.failed
        results.case("two-node-cluster-start", start)
        started = results.failed == failed and not unavailable
        for name, fn in suite.cases():
            if unavailable and not ci:
                results.case(name, skip_case, f"network namespaces: {unavailable[0]}")
            elif started:
                results.case(name, fn)
        finish(two, "two-node-cleanup")

    try:
        results.case("cluster-start", cluster.start)
        if results.failed == 0:
            suite = Suite(args, cluster)
            for name, fn in (suite.time_limit_cases() if args.only_time_limit
                             else suite.cases()):
                results.case(name, fn)
        finish(cluster, "cleanup")
        if not args.only_time_limit:
            two_nodes()
    except Interrupted as e:
        results.fail("interrupted", f"{e}: stopping the cluster")
    finally:
        ignore_stop_signals()   # the cleanup is bounded; let it end
        finish(cluster, "cleanup")
        if two is not None:
            finish(two, "two-node-cleanup")
        log(f"total {time.monotonic() - t0:.1f} s")
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
