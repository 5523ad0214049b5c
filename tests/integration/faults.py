#!/usr/bin/env python3
"""Fault tests for mpprimes: what the user sees when a run is cut short (a
rank killed, SIGTERM) or its output cannot be written.

ctest runs this script (see tests/CMakeLists.txt) as

    faults.py --binary PATH --mpiexec PATH --source-dir REPO

Cases:
  kill -9   one rank (rank 1, or rank 0) killed in the middle of a run: the
            job ends with a non-zero status within a few seconds, nothing
            claims success (no report), and no file is left under the
            requested --output name, nor a temporary one beside it
  SIGTERM   as Slurm sends it at a time limit (to every process of the step:
            mpirun and the ranks), to the ranks alone (srun's tasks), to
            mpirun alone (it passes SIGTERM on, then SIGKILL a second later),
            and to a rank run without mpirun: every rank stops within a few
            seconds, rank 0 prints one "interrupted by SIGTERM" line saying
            how far the run got, and that line is true: the --print output
            holds exactly the primes below the number it names
  output    the report on a full disk (/dev/full), the report and -o
            /dev/stdout into a pipe that closes (| head)

Every case prints "ok   NAME" or "FAIL NAME: WHY"; the last line is
"N passed, M failed", and the exit status is 0 only when no case failed.
Python 3 standard library only.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (CaseFailure, Runner, Suite, add_program_args,  # noqa: E402
                     cpu_seconds, environ_of, expect, expect_one_error_line,
                     kill_session, proc_state, read_then_close, session_members)
from reference import COUNTED, INTERRUPTED, LISTED, reference_count  # noqa: E402

NP = 3                # ranks of the fault runs (uneven blocks)
STARTED_CPU_S = 0.3   # a rank is "in the middle of its run" after this much CPU
START_TIMEOUT = 60    # seconds for mpirun to start its ranks
STOP_WITHIN = 10.0    # seconds from the signal to the end of the job
# (mpirun itself needs about 2 s to tear a job down; the margin is for a
# loaded 2-core CI machine)

# ---------------------------------------------------------------------------
# Processes


def live_members(sid):
    """The processes of session SID that are not zombies (a rank whose
    parent is gone waits, as a zombie, for an init that may never reap it)."""
    return [pid for pid in session_members(sid) if proc_state(pid) not in (None, "Z")]


def rank_of(pid, binary):
    """The MPI rank of process PID when it runs BINARY, else None."""
    env = environ_of(pid, binary)
    if env is None:
        return None
    for entry in env:
        # Open MPI's mpirun, or MPICH's Hydra (PMI_RANK)
        if entry.startswith((b"OMPI_COMM_WORLD_RANK=", b"PMI_RANK=")):
            return int(entry.split(b"=", 1)[1])
    return 0  # a singleton (no mpirun)


def ranks_of(sid, binary):
    """{rank: pid} of the mpprimes processes in session SID."""
    found = {}
    for pid in session_members(sid):
        rank = rank_of(pid, binary)
        if rank is not None:
            found[rank] = pid
    return found


class Job:
    """mpprimes started in a session of its own, to be hurt while it runs."""

    def __init__(self, runner, args, np=NP, stdout=subprocess.PIPE, cwd=None):
        self.runner = runner
        self.np = np
        cmd = runner.command(args, np)
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout,
                                     stderr=subprocess.PIPE, env=runner.env(), cwd=cwd,
                                     start_new_session=True)
        self.out = self.err = b""

    def wait_running(self):
        """Waits until every rank exists and rank 0 has computed for a while;
        returns {rank: pid}."""
        want = 1 if self.np is None else self.np
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CaseFailure(f"ended before it could be hurt: exit {self.proc.returncode}")
            ranks = ranks_of(self.proc.pid, self.runner.binary)
            if len(ranks) == want and all(cpu_seconds(p) >= STARTED_CPU_S
                                          for p in ranks.values()):
                return ranks
            time.sleep(0.05)
        raise CaseFailure(f"the ranks did not start within {START_TIMEOUT} s")

    def finish(self, timeout):
        """Waits for the end; returns (exit status, seconds it took). A job
        still running after TIMEOUT seconds is killed and fails the case."""
        start = time.monotonic()
        try:
            out, err = self.proc.communicate(timeout=timeout)
            self.out, self.err = out or b"", err or b""
        except subprocess.TimeoutExpired:
            kill_session(self.proc)
            self.proc.communicate()
            raise CaseFailure(f"still running {timeout} s after the fault: {self.cmd}")
        took = time.monotonic() - start
        deadline = time.monotonic() + 5
        while live_members(self.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        strays = live_members(self.proc.pid)
        if strays:
            kill_session(self.proc)
            raise CaseFailure(f"processes left behind: {strays}")
        return self.proc.returncode, took

    def kill(self):
        if self.proc.poll() is None or session_members(self.proc.pid):
            kill_session(self.proc)
            self.proc.communicate()

    @property
    def stderr(self):
        return self.err.decode("utf-8", "replace")


def hurt(job, how):
    """Applies HOW to the running JOB: ("kill9", rank), ("term-all",),
    ("term-ranks",), ("term-rank0",), ("term-mpirun",). Returns (exit status, seconds)."""
    ranks = job.wait_running()
    if how[0] == "kill9":
        os.kill(ranks[how[1]], signal.SIGKILL)
    elif how[0] == "term-all":  # Slurm: every process of the step at once
        for pid in session_members(job.proc.pid):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    elif how[0] == "term-ranks":  # srun: slurmstepd signals the tasks
        for pid in ranks.values():
            os.kill(pid, signal.SIGTERM)
    elif how[0] == "term-rank0":  # by hand: the others are not told
        os.kill(ranks[0], signal.SIGTERM)
    elif how[0] == "term-mpirun":
        os.kill(job.proc.pid, signal.SIGTERM)
    else:
        raise ValueError(how)
    return job.finish(STOP_WITHIN + 30)


def hurt_job(runner, args, how, np=NP, stdout=subprocess.PIPE):
    """Starts mpprimes ARGS, hurts it (see hurt) and expects a prompt,
    non-zero end. Returns the job and its exit status."""
    job = Job(runner, args, np=np, stdout=stdout)
    try:
        rc, took = hurt(job, how)
    finally:
        job.kill()
    # SIGTERM to MPICH's mpiexec, alone or with every process of the job:
    # Hydra forwards it to the ranks, which end with 143, but it may tear its
    # proxies down before they collect that status, and mpiexec then exits 0
    # (2 to 10 times out of 15 here, for --count, --print and --output alike).
    # That is Hydra's doing; the ranks' interruption line, which the cases
    # check, still says what happened (docs/reference.md, "MPICH").
    hydra_may_lose_status = not runner.open_mpi and how[0] in ("term-all", "term-mpirun")
    expect_prompt(rc, took, " ".join(map(str, how)), zero_ok=hydra_may_lose_status)
    return job, rc


# ---------------------------------------------------------------------------
# Checks


def expect_prompt(rc, took, what, zero_ok=False):
    print(f"     ({what}: the job ended {took:.1f} s after the fault, exit {rc})", flush=True)
    expect(rc != 0 or zero_ok, f"{what}: exit 0 after the fault")
    expect(took <= STOP_WITHIN, f"{what}: took {took:.1f} s to end (at most {STOP_WITHIN})")


def expect_no_report(job, text_out=True):
    """No report anywhere: nothing that claims a result."""
    for name, data in (("stdout", job.out.decode("utf-8", "replace") if text_out else ""),
                       ("stderr", job.stderr)):
        expect("# primes" not in data and '"count"' not in data,
               f"a report on {name} after the fault:\n{data[-600:]}")


def hydra_lost_it(runner, how, job):
    """True when MPICH's Hydra, signalled with the ranks (term-all), lost
    rank 0's line: its proxy died writing it ("[proxy:...] HYDU_sock_write
    ... Interrupted system call", then mpiexec's own errors), so stderr holds
    Hydra's lines and no mpprimes line. Hydra's doing, as its lost status is
    (docs/reference.md, "MPICH"); the case checks what is left."""
    if runner.open_mpi or how[0] != "term-all":
        return False
    has_ours = any(line.startswith("mpprimes: ") for line in job.stderr.splitlines())
    lost = not has_ours and ("[proxy:" in job.stderr or "[mpiexec@" in job.stderr)
    if lost:
        print("     (Hydra lost rank 0's interruption line: its proxy died writing it)",
              flush=True)
    return lost


def interrupted_line(job, signame="SIGTERM"):
    """The one "mpprimes: interrupted by SIGNAME" line of stderr."""
    lines = [line for line in job.stderr.splitlines() if line.startswith("mpprimes: ")]
    expect(len(lines) == 1, f"expected one mpprimes line on stderr, got: {job.stderr[-800:]!r}")
    m = INTERRUPTED.match(lines[0])
    expect(m is not None and m.group(1) == signame,
           f"not an 'interrupted by {signame}' line: {lines[0]!r}")
    return lines[0]


def expect_count_progress(line, start, stop):
    m = COUNTED.search(line)
    expect(m is not None, f"no progress in {line!r}")
    pct = float(m.group(1))
    expect(0.0 <= pct < 100.0, f"progress {pct}% in {line!r}")
    expect((int(m.group(2)), int(m.group(3))) == (start, stop), f"range in {line!r}")


def expect_listing_progress(line, start):
    """Returns (below, count) from a listing's interruption line."""
    if "no round was finished" in line:
        return start, 0
    m = LISTED.search(line)
    expect(m is not None, f"no progress in {line!r}")
    below, count = int(m.group(1)), int(m.group(2))
    expect(below > start, f"'below' {below} in {line!r}")
    expect(count == reference_count(start, below - 1),
           f"{count} primes below {below}? the reference has {reference_count(start, below - 1)}")
    return below, count


def expect_dir_empty(directory, what):
    left = sorted(os.listdir(directory))
    expect(not left, f"{what}: left in the output directory: {left}")


# ---------------------------------------------------------------------------
# Cases: a rank killed


def strip_hydra_banner(out):
    """OUT without the banner MPICH's mpiexec (Hydra) prints on its standard
    output when a rank dies ("BAD TERMINATION OF ONE OF YOUR APPLICATION
    PROCESSES", framed in '=' lines), nor the newline before it."""
    at = out.find(b"\n" + b"=" * 20)
    return out if at < 0 else out[:at]


def case_kill9(runner, args, rank, output=False):
    """kill -9 of RANK while mpprimes ARGS runs (with -o FILE when OUTPUT).
    Under MPICH, Hydra answers by killing the other ranks with SIGKILL, which
    no process can catch: the temporary file of -o is then left beside FILE
    (FILE itself never appears; docs/reference.md, "MPICH")."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-faults-") as tmp:
        path = os.path.join(tmp, "primes.txt")
        with tempfile.TemporaryFile() as out:
            job, rc = hurt_job(runner, (["-o", path] if output else []) + args,
                               ("kill9", rank), stdout=out)
            out.seek(0)
            job.out = out.read()
        if not runner.open_mpi:
            job.out = strip_hydra_banner(job.out)
        expect_no_report(job, text_out="--print" not in args)
        if "--print" in args:  # whatever was printed is a true prefix
            lines = job.out.split(b"\n")[:-1]  # the last may be cut short
            last = int(lines[-1]) if lines else 0
            expect(len(lines) == reference_count(2, last),
                   f"{len(lines)} whole lines printed, up to {last}: not the primes")
        expect(not os.path.exists(path), f"{path} exists after rank {rank} was killed")
        if not runner.open_mpi:
            left = [n for n in os.listdir(tmp) if not n.startswith("primes.txt.tmp-")]
            expect(not left, f"kill -9 of rank {rank}: left in the output directory: {left}")
            return
        expect_dir_empty(tmp, f"kill -9 of rank {rank}")


# ---------------------------------------------------------------------------
# Cases: SIGTERM


def case_term_count(runner, how, args, start, stop, np=NP):
    job, rc = hurt_job(runner, args, how, np=np)
    if how[0] in ("term-ranks", "term-rank0"):  # mpirun passes on 128 + SIGTERM
        expect(rc == 143, f"exit {rc}, expected 143 (128 + SIGTERM)")
    expect(job.out == b"", f"stdout: {job.out[-300:]!r}")
    if not hydra_lost_it(runner, how, job):
        expect_count_progress(interrupted_line(job), start, stop)


def case_term_output(runner, how, args, start):
    with tempfile.TemporaryDirectory(prefix="mpprimes-faults-") as tmp:
        path = os.path.join(tmp, "primes.txt")
        job, _ = hurt_job(runner, ["-o", path] + args, how)
        if not hydra_lost_it(runner, how, job):
            line = interrupted_line(job)
            expect(f"output file '{path}' was not written" in line,
                   f"what of the file? {line!r}")
            expect_listing_progress(line, start)
        expect(job.out == b"", f"stdout: {job.out[-300:]!r}")
        expect_dir_empty(tmp, how[0])


def case_term_print(runner, how, args, start):
    """--print cut short: stdout holds exactly the primes below the number
    the message names, and as many as it says."""
    with tempfile.TemporaryFile() as out:
        job, _ = hurt_job(runner, ["--print"] + args, how, stdout=out)
        out.seek(0)
        printed = out.read()
    lost = hydra_lost_it(runner, how, job)
    if not lost:
        below, count = expect_listing_progress(interrupted_line(job), start)
    lines = printed.split(b"\n")
    expect(lines[-1] == b"", "the output ends in the middle of a line")
    lines = lines[:-1]
    if lost:  # no line to compare with: the primes printed are still whole and in order
        below, count = (int(lines[-1]) + 1 if lines else 3), len(lines)
    expect(len(lines) == count, f"{len(lines)} primes printed, the message says {count}")
    if count:
        last = int(lines[-1])
        expect(last < below, f"printed {last}, not below {below}")
        expect(int(lines[0]) == 2, f"first printed {lines[0]!r}")
    expect("# primes" not in job.stderr, "a report after the interruption")


def case_term_gather(runner, how, args, start):
    job, _ = hurt_job(runner, args, how)
    if not hydra_lost_it(runner, how, job):
        line = interrupted_line(job)
        expect(line.endswith("; no report"), f"{line!r}")
        expect_listing_progress(line, start)
    expect(job.out == b"", f"stdout: {job.out[-300:]!r}")


# ---------------------------------------------------------------------------
# Cases: output that cannot be written


def case_report_full(runner):
    """The report on /dev/full (mpirun's stdout): exit 1 and why, not a
    silent success."""
    with open("/dev/full", "wb") as full:
        res = runner.mpprimes(["1e6"], 2, quiet=True, stdout=full, buffer=False)
    line = runner.expect_full_stdout(res, 2)
    expect(line is None or ("No space left on device" in line and "report" in line),
           f"{line!r}")


def case_closed_pipe_after(runner, args, first):
    """mpprimes ARGS | head -n 2: exit 0, quiet, prompt; the first lines
    start with FIRST."""
    head, rc, text, elapsed = read_then_close(runner, runner.mpirun_cmd(args, NP), len(first))
    expect(len(head) == len(first) and all(h.startswith(f) for h, f in zip(head, first)),
           f"first lines {head}")
    expect(rc in runner.closed_pipe_statuses(NP), f"exit {rc}; stderr {text[-600:]!r}")
    expect(text.strip() == "", f"not quiet: {text[-600:]!r}")
    expect(elapsed < 30, "slow to stop")


# ---------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_program_args(parser)
    args = parser.parse_args(argv)
    runner = Runner(args.binary, args.mpiexec, args.source_dir)
    suite = Suite()
    begin = time.monotonic()
    big = ["1e11"]
    count = ["-c", "1e13"]
    top = ["2^64-1e10", "2^64-1"]
    top_lo = 2**64 - 10**10

    for rank in (1, 0):
        suite.case(f"kill -9 rank {rank}: --output", case_kill9, runner, big, rank, True)
    suite.case("kill -9 rank 2: --count", case_kill9, runner, count, 2)
    suite.case("kill -9 rank 1: default gather", case_kill9, runner, big, 1)
    suite.case("kill -9 rank 1: --print", case_kill9, runner, ["--print"] + big, 1)
    suite.case("kill -9 rank 1: dynamic --count", case_kill9, runner,
               ["-d", "dynamic"] + count, 1)

    for how in (("term-all",), ("term-ranks",), ("term-mpirun",)):
        name = how[0]
        suite.case(f"SIGTERM {name}: --count", case_term_count, runner, how, count, 2, 10**13)
        suite.case(f"SIGTERM {name}: --output", case_term_output, runner, how, big, 2)
        suite.case(f"SIGTERM {name}: --print", case_term_print, runner, how, big, 2)
    suite.case("SIGTERM term-all: default gather", case_term_gather, runner, ("term-all",),
               big, 2)
    suite.case("SIGTERM term-all: dynamic --count", case_term_count, runner, ("term-all",),
               ["-d", "dynamic"] + count, 2, 10**13)
    # (the other ranks finish the chunk in hand: short chunks, so 1e12)
    suite.case("SIGTERM to rank 0 alone: dynamic --count", case_term_count, runner,
               ("term-rank0",), ["-d", "dynamic", "-c", "1e12"], 2, 10**12)
    suite.case("SIGTERM term-all: cyclic --output", case_term_output, runner, ("term-all",),
               ["-d", "cyclic"] + big, 2)
    suite.case("SIGTERM term-all: sieve start-up near 2^64", case_term_count, runner,
               ("term-all",), ["-c"] + top, top_lo, 2**64 - 1)
    suite.case("SIGTERM term-all: trial division near 2^64", case_term_count, runner,
               ("term-all",), ["-c", "-m", "trial"] + top, top_lo, 2**64 - 1)
    suite.case("SIGTERM without mpirun", case_term_count, runner, ("term-ranks",), count,
               2, 10**13, None)

    suite.case("report to /dev/full", case_report_full, runner)
    suite.case("report | head -n 2", case_closed_pipe_after, runner, ["100"],
               [b"# mpprimes ", b"# range          [2, 100]\n"])
    suite.case("-o /dev/stdout | head -n 2", case_closed_pipe_after, runner,
               ["-o", "/dev/stdout", "1e12"], [b"2\n", b"3\n"])
    print(f"(faults took {time.monotonic() - begin:.1f} s)")
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
