"""What the integration test scripts share: cases, their score, programs run
with a timeout, and mpprimes run under Open MPI.

run_tests.py, faults.py, property.py, tutorial.py, multihost.py and
slurm_cluster.py import this module from the directory they are in
(reference.py, beside it, holds the reference primes and the checks of
mpprimes' output). It holds:

  * CaseFailure and CaseSkipped, raised by a case (expect() raises the
    first; expect_success() and expect_one_error_line() check a run's exit,
    the latter mpprimes' failure contract: one "mpprimes: " line;
    unavailable() skips a case that cannot run here, or fails it under
    CI), and Suite, which runs cases and prints one line for each, "ok   NAME",
    "FAIL NAME: WHY" or "skip NAME: WHY", then the score, "N passed, M
    failed", and gives the exit status: 0 only when no case failed;
    SKIP_STATUS (77, ctest's SKIP_RETURN_CODE) for a test that cannot run
    here at all (Suite.finish_unavailable: a failure instead under CI,
    in_ci()); add_program_args(), the options every script takes
    (--binary, --mpiexec, --source-dir). Interrupted, raised on a signal (interrupt_on_signals(),
    STOP_SIGNALS) to unwind to the cleanup, and ignore_stop_signals() for
    that cleanup.
  * run(), which runs a command in a session of its own, stdin from
    /dev/null, and kills the whole session when it exceeds its timeout (or
    an exception, such as a signal, interrupts the wait); Result, what the
    run did; kill_session() and session_members(), for callers that start
    processes themselves; read_then_close(), a run whose reader leaves
    early (| head); and from /proc: cpu_seconds(), proc_state() and
    environ_of() (a process's environment, when it runs a given binary).
  * sanitizer_reports: every run() whose stderr holds a sanitizer's report
    (AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer: the build
    with -DMPPRIMES_SANITIZE=ON) is noted there, and Suite.case() fails the
    case it happened in, whatever the case expected of the run (a failure
    path's exit status 1, say).
  * The environment Open MPI needs here: MPI_ROOT_ENV (running as root),
    OVERSUBSCRIBE_VAR, and mpi_env(), which makes one; Runner, which builds
    and runs mpprimes command lines, alone or under mpirun (with
    BUFFER_PER_RANK, TIMEOUT_RUN).

Linux only (/proc); Python 3 standard library only.
"""

import os
import re
import shlex
import signal
import subprocess
import time

SKIP_STATUS = 77       # what ctest's SKIP_RETURN_CODE is set to

KILL_GRACE = 5.0       # seconds between SIGTERM and SIGKILL of a session
DRAIN_TIMEOUT = 5.0    # seconds to collect the output of a killed session

# A sanitizer's report, by the lines that start or end one.
SANITIZER_REPORT = re.compile(
    r"ERROR: (Address|Leak)Sanitizer|: runtime error: |SUMMARY: \w+Sanitizer")

# (command, excerpt of stderr) of every run() whose stderr held a report.
sanitizer_reports = []

# ---------------------------------------------------------------------------
# Cases


class CaseFailure(Exception):
    """A case failed; the message says why."""


class CaseSkipped(Exception):
    """A case cannot run here; the message says why."""


class Interrupted(BaseException):
    """A signal (one of STOP_SIGNALS) asked the test to stop: raised by the
    handler of interrupt_on_signals(), it unwinds to the cleanup. SIGNUM is
    the signal's number; str() gives its name (SIGTERM)."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum

    def __str__(self):
        return signal.Signals(self.signum).name


# The signals that stop a test, with its cleanup.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def interrupt_on_signals():
    """Makes each of STOP_SIGNALS raise Interrupted, unless it is ignored
    already (nohup and the like: it stays ignored)."""
    def on_signal(signum, frame):
        raise Interrupted(signum)

    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) != signal.SIG_IGN:
            signal.signal(sig, on_signal)


def ignore_stop_signals():
    """Ignores STOP_SIGNALS from now on: a cleanup that must not be cut short."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def expect(condition, message):
    if not condition:
        raise CaseFailure(message)


def expect_success(res):
    """RES (a Result) finished in time with exit status 0."""
    expect(not res.timed_out, "timed out: " + res.describe())
    expect(res.rc == 0, "expected exit 0: " + res.describe())


def expect_one_error_line(res, status):
    """The failure contract: exit STATUS, nothing on stdout, and on stderr
    exactly one non-empty line, starting with "mpprimes: "."""
    expect(not res.timed_out, "hung (timed out): " + res.describe())
    expect(res.rc == status, f"expected exit {status}: " + res.describe())
    expect(res.stdout == b"", f"stdout not empty ({res.out[:200]!r}): " + res.describe())
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    expect(len(lines) == 1,
           f"expected one line on stderr, got {len(lines)}: " + res.describe())
    expect(lines[0].startswith("mpprimes: "),
           "stderr line does not start with 'mpprimes: ': " + res.describe())
    return lines[0]


def add_program_args(parser, mpiexec=True):
    """Adds the options every test script takes, all required: --binary
    (the mpprimes executable), --mpiexec (Open MPI's mpirun; unless MPIEXEC
    is false) and --source-dir (the repository root)."""
    parser.add_argument("--binary", required=True, help="the mpprimes executable")
    if mpiexec:
        parser.add_argument("--mpiexec", required=True, help="mpirun / mpiexec (Open MPI's)")
    parser.add_argument("--source-dir", required=True, help="the repository root")


def in_ci():
    """Whether CI is set (true, 1 or yes): there a test that cannot run
    fails instead of being skipped."""
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def unavailable(why, ci_note):
    """Raises for a case that cannot run here: CaseSkipped, or under CI
    CaseFailure with CI_NOTE (say why it must run there)."""
    if in_ci():
        raise CaseFailure(f"{why} (CI=true: {ci_note})")
    raise CaseSkipped(why)


class Suite:
    """Runs cases, prints one line per case, and keeps the score. With LOG (a
    function of one string), each case's time goes to it too."""

    def __init__(self, log=None):
        self.passed = self.failed = self.skipped = 0
        self.log = log

    def case(self, name, fn, *args):
        """Runs FN(*ARGS) as the case NAME."""
        start = time.monotonic()
        reports = len(sanitizer_reports)
        try:
            fn(*args)
            if len(sanitizer_reports) > reports:
                cmd, excerpt = sanitizer_reports[reports]
                raise CaseFailure(f"a sanitizer report from `{shlex.join(cmd)}`: {excerpt}")
        except CaseSkipped as e:
            self.skipped += 1
            print(f"skip {name}: {e}", flush=True)
        except CaseFailure as e:
            self.fail(name, str(e))
        except Exception as e:  # a bug in a check, or bad output crashing it
            self.fail(name, f"{type(e).__name__}: {e}")
        else:
            self.ok(name)
        if self.log:
            self.log(f"{name}: {time.monotonic() - start:.1f} s")

    def ok(self, name):
        """Counts NAME, checked outside case(), as passed."""
        self.passed += 1
        print(f"ok   {name}", flush=True)

    def fail(self, name, why):
        """Counts NAME, checked outside case(), as failed, for WHY."""
        self.failed += 1
        print(f"FAIL {name}: {why}", flush=True)

    def finish(self):
        """Prints the score; returns the exit status."""
        if self.skipped:
            print(f"({self.skipped} skipped)")
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 else 1

    def finish_skipped(self, name, why):
        """Ends a test that cannot run here: "skip NAME: WHY" (not counted
        as a case), the score, and SKIP_STATUS unless a case failed."""
        print(f"skip {name}: {why}", flush=True)
        self.finish()
        return SKIP_STATUS if self.failed == 0 else 1

    def finish_unavailable(self, name, why, ci_case, ci_note):
        """Ends a test whose prerequisites are missing (WHY): skipped as NAME
        (finish_skipped), or under CI (in_ci()) failed as the case CI_CASE,
        "WHY (CI=true: CI_NOTE)"."""
        if in_ci():
            self.fail(ci_case, f"{why} (CI=true: {ci_note})")
            return self.finish()
        return self.finish_skipped(name, why)


# ---------------------------------------------------------------------------
# Running programs


class Result:
    """What one program run did."""

    def __init__(self, cmd, rc, stdout, stderr, elapsed, timed_out):
        self.cmd = cmd
        self.rc = rc
        self.stdout = stdout          # bytes (b"" when redirected)
        self.stderr = stderr          # str
        self.elapsed = elapsed
        self.timed_out = timed_out

    @property
    def out(self):
        return self.stdout.decode("utf-8", "replace")

    def describe(self):
        """The command and a short account of the outcome, for messages."""
        how = "timed out" if self.timed_out else f"exit {self.rc}"
        err = self.stderr.strip()
        if len(err) > 800:
            err = err[:800] + "..."
        text = f"`{shlex.join(self.cmd)}` ({how}, {self.elapsed:.1f} s)"
        return text + (f"; stderr: {err!r}" if err else "")


def session_members(sid):
    """PIDs of the processes of the job whose leader is SID (Linux /proc):
    those of session SID and, transitively, the descendants of any of them
    with the sessions they lead. Open MPI's ranks stay in mpirun's session;
    MPICH's Hydra makes each rank the leader of a session of its own."""
    procs = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            # After "pid (comm)": state ppid pgrp session ...
            procs[int(entry)] = (int(fields[1]), int(fields[3]))
        except (OSError, IndexError, ValueError):
            continue
    members = {pid for pid, (_, session) in procs.items() if session == sid}
    grown = True
    while grown:
        more = {pid for pid, (ppid, session) in procs.items()
                if pid not in members and (ppid in members or session in members)}
        members |= more
        grown = bool(more)
    return sorted(members)


def cpu_seconds(pid):
    """User plus system CPU time of PID, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_state(pid):
    """The state letter of process PID (R, S, Z, ...), None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError):
        return None


def environ_of(pid, binary=None):
    """The environment of process PID, a list of b"NAME=value"; None when it
    cannot be read (the process is gone) or, with BINARY, runs another
    program."""
    try:
        if binary is not None and \
                os.path.realpath(f"/proc/{pid}/exe") != os.path.realpath(binary):
            return None
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return None


def kill_session(proc, grace=KILL_GRACE):
    """Kills everything started by PROC (a Popen), which leads its own
    session.

    mpirun puts each rank into a process group of its own (but the same
    session), so killing mpirun's group alone would orphan the ranks. SIGTERM
    to the group first lets mpirun take its ranks down; whatever is left of
    the session after GRACE seconds gets SIGKILL."""
    sid = proc.pid
    try:
        os.killpg(sid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and session_members(sid):
        time.sleep(0.05)
        proc.poll()  # reap the leader, so that it stops counting as a member
    try:
        os.killpg(sid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run(cmd, timeout, env=None, cwd=None, stdout=subprocess.PIPE,
        grace=KILL_GRACE, on_kill=None):
    """Runs CMD in a new session, stdin from /dev/null, and returns a Result.

    STDOUT is a pipe (Result.stdout holds what came) or a file (then
    Result.stdout is b""). When the run exceeds TIMEOUT seconds, or an
    exception (a signal's, say) interrupts the wait, the session is killed
    (kill_session with GRACE), and ON_KILL, when given, is called after that
    to kill what left the session (daemons); the exception goes on. Whatever
    is left in the session after a normal end is killed too."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout,
                            stderr=subprocess.PIPE, env=env, cwd=cwd,
                            start_new_session=True)
    timed_out = False
    try:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_session(proc, grace)
            if on_kill:
                on_kill()
            try:
                out, err = proc.communicate(timeout=DRAIN_TIMEOUT)
            except subprocess.TimeoutExpired:  # something still holds the pipes
                out, err = b"", b""
    except BaseException:
        kill_session(proc, grace)
        if on_kill:
            on_kill()
        raise
    elapsed = time.monotonic() - start
    if session_members(proc.pid):
        kill_session(proc, grace)  # strays left behind (ranks after mpirun)
    stderr = (err or b"").decode("utf-8", "replace")
    m = SANITIZER_REPORT.search(stderr)
    if m:
        at = max(0, m.start() - 200)
        sanitizer_reports.append((list(cmd), stderr[at:at + 1500]))
    return Result(cmd, proc.returncode, out or b"", stderr, elapsed, timed_out)


def read_then_close(runner, cmd, nlines):
    """Runs CMD (with RUNNER's environment), reads NLINES lines of its stdout
    and closes the pipe, as head does. Returns (the lines, exit status,
    stderr text, seconds); fails the case when it still runs 30 s after its
    reader left."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=runner.env(), start_new_session=True)
    try:
        head = [proc.stdout.readline() for _ in range(nlines)]
        proc.stdout.close()  # the reader goes away, as head does
        try:
            err = proc.stderr.read()
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise CaseFailure("still running 30 s after its reader closed the pipe")
    finally:
        if proc.poll() is None or session_members(proc.pid):
            kill_session(proc)
    return head, rc, err.decode("utf-8", "replace"), time.monotonic() - start


# ---------------------------------------------------------------------------
# Open MPI and mpprimes


# Open MPI refuses to run as root without both of these.
MPI_ROOT_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}

# Set to 1, more ranks than cores (or slots) are allowed.
OVERSUBSCRIBE_VAR = "OMPI_MCA_rmaps_base_oversubscribe"


def mpi_env(oversubscribe=None, hermetic=False):
    """A copy of this process's environment for running Open MPI: as root,
    with MPI_ROOT_ENV; with OVERSUBSCRIBE true, OVERSUBSCRIBE_VAR=1 (as
    scripts/mpi-env.sh sets up a shell), false, without it (the command line
    decides: --oversubscribe), None, as it is; HERMETIC, without any
    OMPI_MCA_, PRTE_MCA_ or PMIX_MCA_ setting from outside."""
    env = dict(os.environ)
    if hermetic:
        for name in list(env):
            if name.startswith(("OMPI_MCA_", "PRTE_MCA_", "PMIX_MCA_")):
                del env[name]
    if os.geteuid() == 0:
        env.update(MPI_ROOT_ENV)
    if oversubscribe:
        env[OVERSUBSCRIBE_VAR] = "1"
    elif oversubscribe is not None:
        env.pop(OVERSUBSCRIBE_VAR, None)
    return env


TIMEOUT_RUN = 60     # seconds for one ordinary correctness run

# The --buffer every run gets (times the rank count): small, so that listing
# goes in many rounds.
BUFFER_PER_RANK = 512


_FLAVOURS = {}


def launcher_flavour(mpiexec):
    """"openmpi" or "mpich": which MPI's launcher MPIEXEC is (its --version:
    Open MPI's mpirun names "Open MPI" or "OpenRTE"; MPICH's Hydra says
    "HYDRA"). Anything else is taken for Open MPI, the default here."""
    if mpiexec not in _FLAVOURS:
        try:
            out = subprocess.run([mpiexec, "--version"], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, env=mpi_env(), timeout=30,
                                 stdin=subprocess.DEVNULL).stdout.decode("utf-8", "replace")
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        _FLAVOURS[mpiexec] = "mpich" if "HYDRA" in out or "MPICH" in out else "openmpi"
    return _FLAVOURS[mpiexec]


class Runner:
    """Builds and runs mpprimes command lines, alone or under mpirun: Open
    MPI's (the default) or MPICH's (Hydra: mpirun.mpich), whose command lines
    differ (Hydra oversubscribes without being asked and has no --quiet)."""

    def __init__(self, binary, mpiexec, source_dir):
        self.binary = os.path.abspath(binary)
        self.mpiexec = mpiexec
        self.source_dir = os.path.abspath(source_dir)
        self.flavour = launcher_flavour(mpiexec)

    @property
    def open_mpi(self):
        return self.flavour == "openmpi"

    # Under MPICH the listing and decomposition suites stop at this many
    # ranks: its waiting ranks spin, so on a 2-core machine 7 ranks cost it
    # several times Open MPI's time, and those suites would take CI 10
    # minutes. The rank-count suites still run MPICH at 7 ranks.
    MPICH_SUITE_MAX_NP = 4

    def rank_counts(self, counts):
        """COUNTS, less those above MPICH_SUITE_MAX_NP under MPICH."""
        if self.open_mpi:
            return tuple(counts)
        kept = tuple(n for n in counts if n is None or n <= self.MPICH_SUITE_MAX_NP)
        if len(kept) < len(counts):
            print(f"note: under MPICH, these cases stop at {self.MPICH_SUITE_MAX_NP} ranks "
                  "(harness.Runner.MPICH_SUITE_MAX_NP)", flush=True)
        return kept

    def closed_pipe_statuses(self, np):
        """The exit statuses of mpprimes under mpirun (NP ranks; None: alone)
        whose stdout reader left: 0, and under MPICH also death by SIGPIPE,
        which ends Hydra's mpiexec (it forwards the output itself)."""
        return (0,) if np is None or self.open_mpi else (0, -signal.SIGPIPE)

    def expect_full_stdout(self, res, np):
        """RES, a run at NP ranks (None: alone) whose stdout was /dev/full,
        failed and said why. mpprimes's own one line with exit 1 is returned;
        under MPICH rank 0 writes into Hydra's pipe, and mpiexec meets the full
        device, says so in its own words and ends the job with 255: None."""
        if np is not None and not self.open_mpi:
            expect(res.rc not in (0, None), "a full stdout went unnoticed: " + res.describe())
            expect("No space left" in res.stderr, "the reason is missing: " + res.describe())
            return None
        return expect_one_error_line(res, 1)

    def env(self, extra=None, drop=()):
        """mpi_env() without OVERSUBSCRIBE_VAR, the names in DROP removed,
        EXTRA added."""
        # Oversubscription is asked for per command line (--oversubscribe), so
        # that the hostfile slot test can see the limit; scripts/mpi-env.sh
        # sets it for the whole environment.
        env = mpi_env(oversubscribe=False)
        for name in drop:
            env.pop(name, None)
        env.update(extra or {})
        return env

    def mpirun_cmd(self, args, np, quiet=False, mpirun_opts=(), oversubscribe=True):
        """mpirun [--oversubscribe] [--quiet] OPTS -np NP BINARY ARGS.
        --quiet keeps Open MPI's multi-line banner about a rank's non-zero exit
        off stderr, so that only mpprimes' own message is left there."""
        cmd = [self.mpiexec]
        if oversubscribe and self.open_mpi:
            cmd.append("--oversubscribe")  # more ranks than cores is normal here
        if quiet and self.open_mpi:
            cmd.append("--quiet")
        return cmd + list(mpirun_opts) + ["-np", str(np), self.binary] + list(args)

    def command(self, args, np=None, quiet=False, mpirun_opts=(), oversubscribe=True,
                buffer=False):
        """mpprimes ARGS under mpirun with NP ranks (mpirun_cmd), or the
        binary alone (a singleton) when NP is None. With BUFFER, the
        arguments start with --buffer BUFFER_PER_RANK * ranks (in front, so
        that an option at the end still takes the next argument as its
        value)."""
        if buffer:
            args = ["--buffer", str(BUFFER_PER_RANK * (np or 1))] + list(args)
        if np is None:
            return [self.binary] + list(args)
        return self.mpirun_cmd(args, np, quiet, mpirun_opts, oversubscribe)

    def mpprimes(self, args, np=None, quiet=False, timeout=TIMEOUT_RUN,
                 cwd=None, stdout=subprocess.PIPE, mpirun_opts=(), oversubscribe=True,
                 buffer=True, env=None):
        """Runs mpprimes ARGS (command(); BUFFER=False leaves --buffer's
        default, 64 MiB) with the environment env(ENV)."""
        cmd = self.command(args, np, quiet, mpirun_opts, oversubscribe, buffer)
        return run(cmd, timeout, env=self.env(env), cwd=cwd, stdout=stdout)

    def source(self, *parts):
        return os.path.join(self.source_dir, *parts)
