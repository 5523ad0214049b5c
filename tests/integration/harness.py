"""What the integration test scripts share: cases, their score, and programs
run with a timeout.

run_tests.py, multihost.py and slurm_cluster.py import this module from the
directory they are in. It holds:

  * CaseFailure and CaseSkipped, raised by a case (expect() raises the
    first), and Suite, which runs cases and prints one line for each,
    "ok   NAME", "FAIL NAME: WHY" or "skip NAME: WHY", then the score,
    "N passed, M failed", and gives the exit status: 0 only when no case
    failed; SKIP_STATUS (77, ctest's SKIP_RETURN_CODE) for a test that
    cannot run here at all.
  * run(), which runs a command in a session of its own, stdin from
    /dev/null, and kills the whole session when it exceeds its timeout (or
    an exception, such as a signal, interrupts the wait); Result, what the
    run did; kill_session() and session_members(), for callers that start
    processes themselves.
  * sanitizer_reports: every run() whose stderr holds a sanitizer's report
    (AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer: the build
    with -DMPPRIMES_SANITIZE=ON) is noted there, and Suite.case() fails the
    case it happened in, whatever the case expected of the run (a failure
    path's exit status 1, say).

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


def expect(condition, message):
    if not condition:
        raise CaseFailure(message)


def expect_success(res):
    """RES (a Result) finished in time with exit status 0."""
    expect(not res.timed_out, "timed out: " + res.describe())
    expect(res.rc == 0, "expected exit 0: " + res.describe())


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
    """PIDs of the processes in session SID (Linux /proc)."""
    pids = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return pids
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After "pid (comm)": state ppid pgrp session ...
        if len(fields) > 3 and int(fields[3]) == sid:
            pids.append(int(entry))
    return pids


def cpu_seconds(pid):
    """User plus system CPU time of PID, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


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
