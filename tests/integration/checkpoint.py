#!/usr/bin/env python3
"""Long jobs (issue 18): --checkpoint FILE and --progress, against runs
that are stopped at random moments and resumed at other rank counts and
decompositions.

ctest runs this script (see tests/CMakeLists.txt) as

    checkpoint.py --binary PATH --mpiexec PATH --source-dir REPO [--seed S]

The seed is printed first ("checkpoint: seed S (replay with --seed S)");
it decides when each run is stopped, which rank is killed, and the bytes
that the damaged checkpoints get. What is checked does not depend on it:
every run, whenever it stops, must leave a checkpoint that the next run
resumes to the exact results.

Cases:
  chains   for each kind of run, a chain of runs on one checkpoint
           (--checkpoint-every 0: one after every commit):
             count    -c123456 --gaps [2, 2e10], --json: count, first,
                      last, the tuplet counts and the gaps (histogram,
                      maximal gaps) against the uninterrupted run; the
                      counts against primesieve -c123456, the maximal gaps
                      against patterns.md's table
             nth      --nth-prime 1.2e9 1e9: the answer against primesieve
                      -n, the interval counted against the uninterrupted run
             gather   the default listing of [1e9, 3999999979]: count,
                      first, last against primesieve
             print    --print [2, 399999959] to stdout, the captures of the
                      runs appended: primesieve -p's bytes
             print=2  --print=2 [1e12, 1001999999461]: primesieve -p2's
             output   --output FILE [1e8, 299999977]: primesieve -p's bytes
             binary   --output FILE --format binary [1e9, 1099999997]: the
                      primes of primesieve -p as 8-byte little-endian words
           (each listing's STOP is a prime, or a twin's upper member, so
           that a resume that lists STOP twice shows.) Each chain: the
           uninterrupted run at 2 ranks (the reference, and how long a run
           takes; a listing's with a checkpoint of its own, which must end
           "finished" with its results), then a first run stopped at a
           random moment after its first checkpoint, a resume at another
           rank count and decomposition stopped again, and a last resume at
           a third one, to the end. The stops rotate over the chains:
           SIGTERM (to mpirun, as Slurm's time limit reaches an sbatch
           script, on the counts; to every process of the job, as Slurm
           signals a step, on the listings), SIGUSR1 to mpirun once (the
           early warning of sbatch --signal=B:USR1), SIGKILL of one rank (a
           random one; mpirun takes the others down), SIGKILL of every
           process (mpirun and the ranks). Rank counts 1, 2, 3, 4 and 7 (3 and 7 do
           not divide the ranges) and block, balanced, cyclic (a --chunk of
           its own once) and dynamic appear among the resumes. --buffer is
           set per run so that a whole listing takes about TARGET_ROUNDS
           rounds.
             after any stop: the job ends, with a non-zero status; the
                      checkpoint is one mpprimes writes (format, checksum),
                      of the same command, has lost nothing the one before
                      had, says "running", and for a listing has settled
                      exactly [START, NEXT - 1]; --output's FILE does not
                      exist, the temporary file the checkpoint names does
                      (no other) and holds at least the BYTES it says were
                      written; --print's capture holds at least BYTES, and
                      is cut back to them before the next run appends to
                      it (the lines printed after the last checkpoint are
                      printed again by the resume: what a user does with
                      `head -c BYTES`, then `>>`). A first run that had
                      finished before its stop ("finished") is started
                      again and stopped sooner; a second one ends the chain
                      early, its results checked
             after SIGTERM or SIGUSR1: exit 128 + N (mpirun's own 1 when
                      it got SIGTERM itself), stderr (mpirun --quiet)
                      exactly the one line "mpprimes: interrupted by SIGTERM
                      ..." (SIGUSR1) naming the checkpoint,
                      whose figures are the checkpoint's (the percentage
                      counted; the primes or twins below NEXT, their number;
                      the bytes of the output file); --print's capture
                      exactly BYTES long; no report
             the end: exit 0; the results as above; the report's
                      "checkpoint" and "resumed" (the fraction of the range
                      the checkpoint had settled), and for a count its
                      per-rank numbers and counts adding up to what was left
                      and found; the checkpoint "finished", its result line
                      and settled span the whole range's; no temporary file
                      of FILE left
           then the same command again, once with the text report and once
           with --json, at yet another rank count: exit 0 within
           FINISHED_WITHIN seconds of a trivial run's time, "# checkpoint
           FILE (finished before: the results it holds)" and "resumed":
           1.0, the same results, nothing more printed, --output's FILE
           untouched (inode, time, size), the checkpoint's bytes unchanged
  last round --print of one round into a pipe not read yet: SIGTERM to
           every process while rank 0 blocks writing the round it has
           committed; the capture cut to BYTES and the same command again
           appended: the primes of [2, 9999991] exactly, pi(9999991) in
           the report
  refused  a checkpoint of another command (another STOP, other -c kinds,
           --method trial, --gaps added, another --output FILE, a count's
           for a listing), a damaged one (one random byte flipped anywhere:
           the message its position calls for, read off the bytes as
           mpprimes' decoder reads them; cut at a random length; random
           bytes; an empty file; another format with a good checksum; a
           line not as mpprimes writes it, with a good checksum): exit 2,
           exactly one line on stderr, "mpprimes: checkpoint 'FILE' " and
           why, what to do, no report, the checkpoint unchanged (bytes,
           inode, time), no --output FILE nor temporary file of it or of
           the checkpoint made; mostly alone, some under mpirun.
           --checkpoint-every without --checkpoint, and --checkpoint and
           --output naming one file: bad usage (exit 2, one line, no file)
  leftover --output without --checkpoint, beside the temporary file that
           an earlier run killed by SIGKILL left: exit 0, the right file,
           and exactly one "mpprimes: note: 'TMP' is a temporary file left by
           an earlier run ..." line that names it
  progress in a pseudo-terminal (mpirun's stdout and stderr): lines
           "\\r 37.2%  1.23e9 numbers/s  4s elapsed  7s left\\033[K"
           rewritten in place, percentages non-decreasing, erased
           ("\\r\\033[K") right before the report; --no-progress: none.
           In a log (stderr a pipe): nothing without --progress; with
           --progress=1, only lines "YYYY-MM-DDTHH:MM:SSZ mpprimes: P%
           done, R numbers/s, Xs elapsed, Ys left", stamped within the run,
           P non-decreasing, the last 100.0%, and about one a second while
           the run lasts (--count, an --output listing in 180 rounds, and a
           --count shorter than a second: its last line, at 100%, alone)

Every case prints "ok   NAME" or "FAIL NAME: WHY" (a step of a chain whose
earlier step failed: "skip"); the last line is "N passed, M failed", and
the exit status is 0 only when no case failed. Needs primesieve (missing:
skipped, under CI a failure). Python 3 standard library only.
"""

import argparse
import array
import datetime
import filecmp
import glob
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (CaseFailure, CaseSkipped, Interrupted, Runner, Suite,  # noqa: E402
                     add_program_args, expect, expect_one_error_line, expect_success,
                     ignore_stop_signals, interrupt_on_signals, kill_session, proc_state,
                     run, session_members, unavailable)
from patterns import maximal_gap_table  # noqa: E402
from reference import (TUPLET_NAMES, have_primesieve, json_reports,  # noqa: E402
                       listing_text, parse_json_report, primesieve, primesieve_count,
                       primesieve_primes, primesieve_tuplets, python_primes, report_value,
                       round_room)

RUN_TIMEOUT = 180       # seconds for one run (a hang fails the case)
START_TIMEOUT = 60      # seconds for a run to write its first checkpoint
STOP_WITHIN = 30        # seconds from a stop to the end of the job
TARGET_ROUNDS = 60      # rounds of a whole listing (--buffer is set for it)
FINISHED_WITHIN = 5.0   # a finished checkpoint's run: seconds beyond a trivial run's
                        # (slack for a loaded machine; --json runs check the ranks'
                        # numbers too: none)
STOP_LATE_RETRIES = 3   # first runs that ended before their stop, started again

MAGIC = b"# mpprimes checkpoint"
HEADING = b"# mpprimes checkpoint: "

# ---------------------------------------------------------------------------
# The checkpoint file, read as the test sees it


def fnv1a(data):
    """The checkpoint's checksum: FNV-1a, 64 bits."""
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def with_sum(body):
    """BODY (bytes, every line before the sum) and its sum line."""
    return body + b"sum %016x\n" % fnv1a(body)


def read_checkpoint(path):
    """The checkpoint at PATH as a dict, after checking that it is one that
    mpprimes writes: the heading, "format 1", command, state, result,
    listing NEXT BYTES, tmp, done N and N spans (ascending, apart), gaps N
    and its hex words, and last the sum of everything before it."""
    with open(path, "rb") as f:
        raw = f.read()
    where = f"checkpoint {path}"
    expect(raw.startswith(HEADING) and raw.endswith(b"\n"),
           f"{where} does not start with {HEADING!r} or end in a newline: {raw[:200]!r}")
    lines = raw.decode("utf-8", "replace").split("\n")[:-1]
    m = re.fullmatch(r"sum ([0-9a-f]{16})", lines[-1])
    expect(m, f"{where}: last line {lines[-1]!r}, expected 'sum HEX'")
    body = raw[:raw.rindex(b"sum ")]
    expect(int(m.group(1), 16) == fnv1a(body),
           f"{where}: sum {m.group(1)}, but the lines before it sum to {fnv1a(body):016x}")
    it = iter(lines[1:-1])

    def keyed(key):
        line = next(it, None)
        expect(line is not None and line.startswith(key + " "),
               f"{where}: expected a '{key} ...' line, got {line!r}")
        return line[len(key) + 1:]

    ck = {"raw": raw}
    expect(keyed("format") == "1", f"{where}: not format 1")
    ck["command"] = keyed("command")
    ck["state"] = keyed("state")
    expect(ck["state"] in ("running", "finished"), f"{where}: state {ck['state']!r}")
    result = keyed("result").split()
    expect(len(result) == 8 and all(w.isdigit() for w in result),
           f"{where}: result line {result}")
    ck["result"] = [int(w) for w in result]  # count first last twins ... sextuplets
    listing = keyed("listing").split()
    expect(len(listing) == 2 and all(w.isdigit() for w in listing),
           f"{where}: listing line {listing}")
    ck["next"], ck["bytes"] = int(listing[0]), int(listing[1])
    tmp = keyed("tmp")
    ck["tmp"] = None if tmp == "-" else tmp
    n = keyed("done")
    expect(n.isdigit(), f"{where}: done {n!r}")
    spans = []
    for _ in range(int(n)):
        line = next(it, "")
        m = re.fullmatch(r"(\d+) (\d+)", line)
        expect(m, f"{where}: span line {line!r}")
        lo, hi = int(m.group(1)), int(m.group(2))
        expect(lo <= hi and (not spans or lo > spans[-1][1] + 1),
               f"{where}: span [{lo}, {hi}] after {spans[-1:]}: not ascending and apart")
        spans.append((lo, hi))
    ck["done"] = spans
    n = keyed("gaps")
    expect(n.isdigit(), f"{where}: gaps {n!r}")
    words = []
    for line in it:
        words += line.split()
    expect(len(words) == int(n) and all(re.fullmatch(r"[0-9a-f]+", w) for w in words),
           f"{where}: {len(words)} gap words, the gaps line says {n}")
    ck["gap_words"] = len(words)
    ck["numbers"] = sum(hi - lo + 1 for lo, hi in spans)
    return ck


def command_word(ck, key):
    m = re.search(rf"(?:^| ){key}=(\S*)", ck["command"])
    return m.group(1) if m else None


def damage_verdict(data):
    """What mpprimes' decoder (src/core/checkpoint.c) says of DATA before it
    reads a line of it: "not" (not a checkpoint), "cut" (cut short), "damaged"
    (the checksum does not match), or "ok" (the checksum holds)."""
    if not data.startswith(MAGIC):
        return "not"
    last = len(data) - 2 if len(data) >= 2 else 0
    while last > 0 and data[last] != 0x0A:
        last -= 1
    if data[-1] != 0x0A or last == 0 or len(data) - last >= 64:
        return "cut"
    tail = data[last + 1:-1]
    if not tail.startswith(b"sum "):
        return "cut"
    digits = tail[4:]
    # words(): one space skipped, the first character a digit or a-f, then
    # strtoull(base 16) to the end (which also takes A-F, and a 0x in front)
    if digits.startswith(b" "):
        digits = digits[1:]
    if not digits or digits[0] not in b"0123456789abcdef":
        return "cut"
    if not re.fullmatch(rb"(0[xX])?[0-9a-fA-F]+", digits):
        return "cut"
    return "ok" if int(digits, 16) == fnv1a(data[:last + 1]) else "damaged"


DAMAGE_WORDS = {"not": "is not a checkpoint of mpprimes",
                "cut": "is cut short (no checksum at its end)",
                "damaged": "is damaged (its checksum does not match its contents)"}


def file_state(path):
    """(bytes, inode, mtime_ns) of PATH, None when there is none."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    with open(path, "rb") as f:
        data = f.read()
    return data, st.st_ino, st.st_mtime_ns


def stamp(path):
    """(inode, mtime_ns) of PATH, None when there is none."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def temporaries(path):
    """The temporary files of PATH: PATH.tmp-XXXXXX."""
    return sorted(p for p in glob.glob(glob.escape(path) + ".tmp-*")
                  if re.fullmatch(r"\.tmp-\w{6}", p[len(path):]))


# ---------------------------------------------------------------------------
# Jobs: mpprimes under mpirun, stopped from outside


def live_members(sid):
    return [pid for pid in session_members(sid) if proc_state(pid) not in (None, "Z")]


def rank_pids(sid, binary):
    """{rank: pid} of the mpprimes processes of session SID."""
    found = {}
    for pid in session_members(sid):
        try:
            if os.path.realpath(f"/proc/{pid}/exe") != os.path.realpath(binary):
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        for entry in env:
            if entry.startswith(b"OMPI_COMM_WORLD_RANK="):
                found[int(entry.split(b"=", 1)[1])] = pid
    return found


class Job:
    """mpprimes ARGS at NP ranks, started in a session of its own; stdout
    to STDOUT (a file, or a pipe), stderr a pipe."""

    def __init__(self, runner, args, np, stdout=subprocess.PIPE, env=None):
        self.runner = runner
        self.np = np
        # (--quiet: none of mpirun's banners about a rank's exit status, nor
        # its "Forwarding signal" line; mpprimes' own lines are what counts)
        self.cmd = runner.command(args, np, quiet=True)
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=stdout,
                                     stderr=subprocess.PIPE, env=runner.env(env),
                                     start_new_session=True)
        self.out = b""
        self.err = ""
        self.elapsed = None

    def running(self):
        return self.proc.poll() is None

    def wait_written(self, path, before):
        """Waits until PATH's stamp differs from BEFORE (the run wrote its
        first checkpoint: written atomically, a new inode); returns True,
        or False when the job ended first."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            now = stamp(path)
            if now is not None and now != before:
                return True
            if not self.running():
                return False
            time.sleep(0.005)
        raise CaseFailure(f"no checkpoint written within {START_TIMEOUT} s: {self.describe()}")

    def stop(self, how, rng):
        """Stops the job: "term" (SIGTERM to mpirun), "usr1" (SIGUSR1 to
        mpirun, which passes it on at once), "term-all" (SIGTERM to
        every process of the job, as Slurm signals a step), "kill-rank"
        (SIGKILL of one rank, drawn from RNG), "kill-all" (SIGKILL of
        every process). Returns what was done, in words."""
        sid = self.proc.pid
        if how in ("term", "usr1"):
            sig = signal.SIGTERM if how == "term" else signal.SIGUSR1
            os.kill(sid, sig)
            return f"{sig.name} to mpirun"
        if how in ("term-all", "kill-all"):
            sig = signal.SIGTERM if how == "term-all" else signal.SIGKILL
            for pid in session_members(sid):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            return f"{sig.name} to every process"
        if how == "kill-rank":
            ranks = rank_pids(sid, self.runner.binary)
            if not ranks:
                return "nothing (no rank found)"
            rank = rng.choice(sorted(ranks))
            try:
                os.kill(ranks[rank], signal.SIGKILL)
            except ProcessLookupError:
                pass
            return f"SIGKILL to rank {rank}"
        raise ValueError(how)

    def finish(self, timeout):
        """Waits for the end (at most TIMEOUT seconds: then the job is
        killed and the case fails); returns the exit status."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise CaseFailure(f"still running after {timeout} s: {self.describe()}")
        self.elapsed = time.monotonic() - self.t0
        self.out, self.err = out or b"", (err or b"").decode("utf-8", "replace")
        deadline = time.monotonic() + 10
        while live_members(self.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        strays = live_members(self.proc.pid)
        if strays:
            kill_session(self.proc)
            raise CaseFailure(f"processes left behind: {strays}: {self.describe()}")
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None or session_members(self.proc.pid):
            kill_session(self.proc)
            try:
                self.proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def describe(self):
        rc = self.proc.returncode
        err = self.err.strip()
        text = f"`{' '.join(self.cmd)}` (exit {rc})"
        return text + (f"; stderr: {err[-800:]!r}" if err else "")


# ---------------------------------------------------------------------------
# The kinds of run


class Kind:
    """One kind of run: NAME, its ARGS (FILE stands for the --output file),
    [START, STOP] (None for --nth-prime), OUTLET "count", "gather", "print"
    or "output", K (the tuplets listed by --print=K), FMT (--format)."""

    def __init__(self, name, args, start, stop, outlet, k=1, fmt="text", nth=None):
        self.name, self.args, self.start, self.stop = name, args, start, stop
        self.outlet, self.k, self.fmt, self.nth = outlet, k, fmt, nth
        self.ref = {}         # the reference results (reference step)
        self.r0 = None        # the uninterrupted run's report
        self.ref_file = None  # listings to a file or stdout: the reference bytes
        self.out_bytes = 0    # their size (gather: the primes as 8-byte words)
        self.d0 = None        # seconds the uninterrupted run took

    def listing(self):
        return self.outlet in ("gather", "print", "output")


# (The ranges: a run at 2 ranks takes 1 to 3 s on an idle 2-core machine;
# the counts are the longest, since a SIGTERM to mpirun reaches the ranks
# only about a second later: TERM_LATENCY.)
KINDS = (
    Kind("count", ["-c123456", "--gaps", "2", "2e10"], 2, 2 * 10**10, "count"),
    Kind("nth", ["--nth-prime", "1.2e9", "1e9"], None, None, "count",
         nth=(1200000000, 10**9)),
    Kind("gather", ["1e9", "3999999979"], 10**9, 3999999979, "gather"),
    Kind("print", ["--print", "2", "399999959"], 2, 399999959, "print"),
    Kind("print=2", ["--print=2", "1e12", "1001999999461"], 10**12, 1001999999461, "print",
         k=2),
    Kind("output", ["--output", "FILE", "1e8", "299999977"], 10**8, 299999977, "output"),
    Kind("binary", ["--output", "FILE", "--format", "binary", "1e9", "1099999997"], 10**9,
         1099999997, "output", fmt="binary"),
)

# Each chain: the runs (ranks, decomposition, --chunk) and the stops of
# the first two, rotating over SIGTERM (to mpirun on the counts, to every
# process on the listings; SIGUSR1 to mpirun once), SIGKILL of one rank
# and SIGKILL of every process; 3 and 7 ranks appear among the resumes.
CHAINS = {
    "count": ([(2, "block", None), (3, "cyclic", 99999989), (7, "dynamic", None)],
              ["term", "kill-rank"]),
    "nth": ([(3, "balanced", None), (4, "cyclic", None), (1, "block", None)],
            ["term", "kill-all"]),
    "gather": ([(2, "dynamic", None), (3, "block", None), (4, "balanced", None)],
               ["kill-rank", "term-all"]),
    "print": ([(4, "block", None), (2, "cyclic", None), (3, "dynamic", None)],
              ["term-all", "kill-all"]),
    "print=2": ([(2, "cyclic", None), (3, "balanced", None), (1, "dynamic", None)],
                ["kill-rank", "usr1"]),
    "output": ([(3, "block", None), (7, "cyclic", None), (2, "balanced", None)],
               ["kill-all", "kill-rank"]),
    "binary": ([(2, "balanced", None), (4, "dynamic", None), (3, "cyclic", None)],
               ["term-all", "kill-all"]),
}

# Seconds from SIGTERM to mpirun (Open MPI 4.1) until the ranks get it
# (SIGUSR1 it passes on at once).
TERM_LATENCY = 1.0
# The finished checkpoint run again: (ranks for the text report, for --json).
FINISHED_NP = {"count": (1, 4), "nth": (2, 7), "gather": (7, 1), "print": (1, 2),
               "print=2": (4, 2), "output": (4, 1), "binary": (1, 7)}

STOP_WORDS = {"term": "SIGTERM to mpirun", "usr1": "SIGUSR1 to mpirun",
              "term-all": "SIGTERM to every process", "kill-rank": "SIGKILL of one rank",
              "kill-all": "SIGKILL of every process"}
# The signal of each stop that mpprimes catches.
STOP_SIGNAL = {"term": signal.SIGTERM, "usr1": signal.SIGUSR1, "term-all": signal.SIGTERM}

# The results a report carries, compared between runs.
RESULT_KEYS = ("start", "stop", "count", "first", "last", "counts", "gaps", "nth_prime", "nth")


def decomp_args(decomp, chunk):
    return ["-d", decomp] + (["--chunk", str(chunk)] if chunk else [])


def buffer_for(kind, np, decomp):
    """--buffer for a listing of KIND at NP ranks: a whole listing in about
    TARGET_ROUNDS rounds."""
    outlet = "output" if kind.outlet == "output" else "print"
    room = round_room(1, np, outlet, decomp)  # buffers per round
    return max(4096, -(-kind.out_bytes // (TARGET_ROUNDS * room)))


def args_of(kind, path):
    return [path if a == "FILE" else a for a in kind.args]


def report_of(kind, job_out, job_err):
    """The JSON report of a run of KIND: on stderr with --print, else on
    stdout."""
    text = job_err if kind.outlet == "print" else job_out.decode("utf-8", "replace")
    reports = json_reports(text)
    expect(len(reports) == 1, f"expected one JSON report, got {len(reports)}: {text[-600:]!r}")
    return reports[0]


def expect_results(kind, report, what):
    """REPORT's results are the uninterrupted run's, and the reference's."""
    for key in RESULT_KEYS:
        if key in kind.r0:
            expect(report.get(key) == kind.r0[key],
                   f"{what}: {key} {str(report.get(key))[:300]}, the uninterrupted run's "
                   f"{str(kind.r0[key])[:300]}")
    expect_reference(kind, report, what)


def expect_reference(kind, report, what):
    ref = kind.ref
    if kind.name == "count":
        want = {TUPLET_NAMES[k]: ref["tuplets"][k] for k in range(1, 7)}
        expect(report.get("count") == ref["tuplets"][1] and report.get("counts") == want,
               f"{what}: count {report.get('count')}, counts {report.get('counts')}; "
               f"primesieve -c123456: {want}")
        expect(report.get("first") == 2 and report.get("last") == ref["last"],
               f"{what}: first/last {report.get('first')}/{report.get('last')}")
        gaps = report.get("gaps") or {}
        expect(gaps.get("records") == ref["records"],
               f"{what}: the maximal gaps differ from patterns.md's: "
               f"{str(gaps.get('records'))[-300:]}")
        expect(gaps.get("largest") == ref["records"][-1],
               f"{what}: largest gap {gaps.get('largest')}, patterns.md {ref['records'][-1]}")
        total = sum((gaps.get("histogram") or {}).values())
        expect(total == ref["tuplets"][1] - 1,
               f"{what}: the histogram holds {total} gaps, not primes - 1")
    elif kind.nth:
        expect(report.get("nth_prime") == ref["nth"],
               f"{what}: nth_prime {report.get('nth_prime')}, primesieve -n: {ref['nth']}")
    elif kind.k > 1:
        name = TUPLET_NAMES[kind.k]
        expect((report.get("counts") or {}).get(name) == ref["count"],
               f"{what}: {name} {report.get('counts')}, primesieve: {ref['count']}")
    else:
        got = (report.get("count"), report.get("first"), report.get("last"))
        want = (ref["count"], ref["first"], ref["last"])
        expect(got == want, f"{what}: count, first, last {got}; primesieve: {want}")


def expect_same_bytes(path, ref_path, what):
    """The file PATH is REF_PATH byte for byte."""
    a, b = os.path.getsize(path), os.path.getsize(ref_path)
    if a == b and filecmp.cmp(path, ref_path, shallow=False):
        return
    with open(path, "rb") as f, open(ref_path, "rb") as g:
        at = 0
        while True:
            x, y = f.read(1 << 20), g.read(1 << 20)
            if x != y:
                i = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]),
                         min(len(x), len(y)))
                at += i
                break
            if not x:
                break
            at += len(x)
        f.seek(max(0, at - 40))
        g.seek(max(0, at - 40))
        got, want = f.read(80), g.read(80)
    raise CaseFailure(f"{what}: {a} bytes, the reference {b}; they differ from byte {at}: "
                      f"{got!r} where the reference has {want!r}")


# ---------------------------------------------------------------------------
# The chains


class Chain:
    """The runs of one KIND on one checkpoint, in DIRECTORY, with RNG."""

    def __init__(self, runner, kind, directory, rng, startup):
        self.runner, self.kind, self.rng, self.startup = runner, kind, rng, startup
        self.dir = os.path.join(directory, kind.name.replace("=", ""))
        os.makedirs(self.dir, exist_ok=True)
        self.ck = os.path.join(self.dir, "ck")
        self.file = os.path.join(self.dir, "primes.out")
        self.capture = os.path.join(self.dir, "printed")
        self.failed = None       # the step that failed, if one did
        self.last_ck = None      # the checkpoint the next run starts from

    def args(self, extra):
        return args_of(self.kind, self.file) + ["--checkpoint", self.ck] + extra

    def step(self, name, fn):
        """Runs FN as a step; a step after a failed one is skipped."""
        if self.failed:
            raise CaseSkipped(f"step '{self.failed}' failed")
        try:
            fn()
        except BaseException:
            self.failed = name
            raise

    def reset(self):
        for path in [self.ck, self.file, self.capture] + temporaries(self.file) + \
                temporaries(self.ck):
            if os.path.exists(path):
                os.unlink(path)

    # -- one run ----------------------------------------------------------

    def start(self, np, decomp, chunk, fmt_json=True):
        kind = self.kind
        extra = decomp_args(decomp, chunk) + (["--json"] if fmt_json else [])
        if kind.listing():
            extra = ["--buffer", str(buffer_for(kind, np, decomp))] + extra
        extra += ["--checkpoint-every", "0"]
        stdout = subprocess.PIPE
        if kind.outlet == "print":
            stdout = open(self.capture, "ab")  # appended, as >> does
        before = stamp(self.ck)
        try:
            job = Job(self.runner, self.args(extra), np, stdout=stdout)
        finally:
            if stdout is not subprocess.PIPE:
                stdout.close()
        return job, before

    def run_stopped(self, index, np, decomp, chunk, how, first):
        """Run INDEX (1, 2), stopped by HOW at a random moment after its
        first checkpoint. Returns True when it was stopped while it
        worked, False when it had finished (the checkpoint says so)."""
        kind = self.kind
        left = 1.0 if self.last_ck is None else \
            max(0.05, 1 - self.fraction(self.last_ck))
        # the seconds this run has to work, less the time a SIGTERM to
        # mpirun takes to reach the ranks
        work = max(kind.d0 - self.startup, 0.3) * left
        if how == "term":
            work = max(work - TERM_LATENCY, 0.1)
        scale = 1.0
        for attempt in range(STOP_LATE_RETRIES + 1 if first else 1):
            before_ck = self.last_ck
            job, before = self.start(np, decomp, chunk)
            try:
                written = job.wait_written(self.ck, before)
                # (the first stop in the first 60% or so: the second one
                # has some work left to stop)
                delay = self.rng.uniform(0.05, 0.6 if first else 0.8) * work * scale
                if written:
                    time.sleep(delay)
                done = "the run had ended" if not job.running() else job.stop(how, self.rng)
                rc = job.finish(STOP_WITHIN + RUN_TIMEOUT if not written else STOP_WITHIN)
            finally:
                job.kill()
            expect(os.path.exists(self.ck), f"no checkpoint after the stop: {job.describe()}")
            ck = read_checkpoint(self.ck)
            print(f"     ({kind.name} run {index} at {np} ranks {decomp}: {done} "
                  f"(drawn: {delay:.2f} s after its first checkpoint); exit {rc}; the "
                  f"checkpoint keeps {100 * self.fraction(ck):.1f}%)", flush=True)
            if ck["state"] == "finished":
                if first and attempt < STOP_LATE_RETRIES:
                    print("     (it had finished before the stop: started again, "
                          "stopped sooner)", flush=True)
                    self.reset()
                    scale /= 3
                    continue
                self.after_finished_stop(job, rc, ck, before_ck)
                return False
            self.after_stop(job, rc, how, ck, before_ck)
            self.last_ck = ck
            return True
        raise CaseFailure("every first run finished before it could be stopped")

    def range(self, ck):
        """[START, STOP] of the run of CK: its command's, or for
        --nth-prime the interval counted (the command has N and START)."""
        if self.kind.nth:
            return self.kind.r0["start"], self.kind.r0["stop"]
        return int(command_word(ck, "start")), int(command_word(ck, "stop"))

    def fraction(self, ck):
        """The fraction of the range the checkpoint CK has settled, as the
        report's "resumed" says it."""
        if ck is None:
            return 0.0
        if ck["state"] == "finished":
            return 1.0
        start, stop = self.range(ck)
        if self.kind.outlet == "count":
            return ck["numbers"] / (stop - start + 1)
        return (ck["next"] - start) / (stop - start + 1)

    def after_stop(self, job, rc, how, ck, before_ck):
        """The checks after a stop that left a running checkpoint."""
        kind = self.kind
        expect(rc != 0, f"exit 0 after {STOP_WORDS[how]}: {job.describe()}")
        self.expect_progress(ck, before_ck)
        if kind.outlet == "output":
            expect(not os.path.exists(self.file),
                   f"{self.file} exists after the stop: {job.describe()}")
            expect(ck["tmp"] and os.path.isfile(ck["tmp"]),
                   f"the checkpoint's temporary file {ck['tmp']!r} is not there")
            size = os.path.getsize(ck["tmp"])
            expect(size >= ck["bytes"], f"the temporary file holds {size} bytes, the "
                   f"checkpoint says {ck['bytes']} were written")
            left = [t for t in temporaries(self.file) if t != ck["tmp"]]
            expect(not left, f"other temporary files of {self.file}: {left}")
        if kind.outlet == "print":
            size = os.path.getsize(self.capture)
            expect(size >= ck["bytes"], f"stdout holds {size} bytes, the checkpoint says "
                   f"{ck['bytes']} were printed")
        if how in STOP_SIGNAL:
            self.after_signal(job, rc, ck, STOP_SIGNAL[how])
        if kind.outlet == "print":
            # What a user does after a kill: the lines printed after the
            # last checkpoint are printed again by the resume, so the
            # capture is cut back to the BYTES the checkpoint's "listing
            # NEXT BYTES" line says were committed (head -c BYTES), and the
            # resume appends (>>) to it.
            os.truncate(self.capture, ck["bytes"])

    def after_finished_stop(self, job, rc, ck, before_ck):
        """A stop that came once the run had finished its work."""
        self.expect_progress(ck, before_ck)
        if rc == 0:
            self.expect_end(job, ck, before_ck)
        self.last_ck = ck

    def expect_progress(self, ck, before_ck):
        """CK is this chain's, and has not lost what BEFORE_CK had."""
        kind = self.kind
        expect(command_word(ck, "output") == (self.file if kind.outlet == "output" else "-"),
               f"the checkpoint's command: {ck['command']}")
        if before_ck is not None:
            expect(ck["command"] == before_ck["command"],
                   f"the command changed: {before_ck['command']!r}, now {ck['command']!r}")
            expect(ck["numbers"] >= before_ck["numbers"] and ck["bytes"] >= before_ck["bytes"],
                   f"the checkpoint went back: {ck['numbers']} numbers, {ck['bytes']} bytes "
                   f"after {before_ck['numbers']}, {before_ck['bytes']}")
        if kind.listing():
            start = int(command_word(ck, "start"))
            want = [] if ck["next"] == start else [(start, ck["next"] - 1)]
            if ck["state"] == "finished":
                want = [(start, int(command_word(ck, "stop")))]
            expect(ck["done"] == want, f"a listing's checkpoint: done {ck['done']}, next "
                   f"{ck['next']}")

    def after_signal(self, job, rc, ck, sig):
        """The checks of a stop signal SIG: the status, the one line, its
        figures."""
        kind = self.kind
        # (mpirun signalled itself with SIGTERM ends with its own status, 1)
        expect(rc in (128 + sig, 1), f"exit {rc} after {sig.name}, expected {128 + sig} "
               "(or mpirun's own 1): " + job.describe())
        lines = [line for line in job.err.splitlines() if line.strip()]
        expect(len(lines) == 1, f"expected one line on stderr, got {len(lines)}: "
               + job.describe())
        line = lines[0]
        head = re.match(rf"mpprimes: interrupted by {sig.name} after [0-9.]+ s", line)
        expect(head, f"not the interruption line: {line!r}")
        rest = line[head.end():]
        ckq = re.escape(self.ck)
        if kind.outlet == "count":
            start, stop = self.range(ck)
            m = re.fullmatch(rf": checkpoint '{ckq}' keeps ([0-9.]+)% of the range "
                             rf"\[{start}, {stop}\] counted; run the same command again to "
                             r"resume", rest)
            expect(m, f"the interruption line of a count: {line!r}")
            pct = 100.0 * ck["numbers"] / (stop - start + 1)
            expect(abs(float(m.group(1)) - pct) <= 0.051,
                   f"{line!r}: the checkpoint keeps {pct:.2f}%")
            expect(job.out == b"", f"a report after {sig.name}: {job.out[:300]!r}")
            return
        what = "primes" if kind.k == 1 else TUPLET_NAMES[kind.k]
        m = re.match(rf", in round \d+: (?:the {what} below (\d+) were found \((\d+), "
                     r"[0-9.]+% of the range \[\d+, \d+\]\)|(no round was finished))", rest)
        expect(m, f"how far the listing got: {line!r}")
        if m.group(3):
            expect(ck["next"] == kind.start, f"{line!r}, but the checkpoint's next is "
                   f"{ck['next']}")
        else:
            below, found = int(m.group(1)), int(m.group(2))
            want_found = ck["result"][0] if kind.k == 1 else ck["result"][kind.k + 1]
            expect(below == ck["next"] and found == want_found,
                   f"{line!r}, but the checkpoint says next {ck['next']}, {want_found} found")
        rest = rest[m.end():]
        if kind.outlet == "print":
            want = (f"; they were printed, and no more; checkpoint '{self.ck}' keeps them: "
                    "run the same command again, appending (>>) to what it printed, to "
                    "resume")
            size = os.path.getsize(self.capture)
            expect(size == ck["bytes"], f"stdout holds {size} bytes after {sig.name}, the "
                   f"checkpoint's listing line says {ck['bytes']}")
        elif kind.outlet == "output":
            want = (f"; checkpoint '{self.ck}' keeps them, and the {ck['bytes']} bytes of "
                    f"output file '{self.file}' written so far: run the same command again "
                    "to resume")
            expect(job.out == b"", f"a report after {sig.name}: {job.out[:300]!r}")
        else:
            want = f"; checkpoint '{self.ck}' keeps them: run the same command again to resume"
            expect(job.out == b"", f"a report after {sig.name}: {job.out[:300]!r}")
        expect(rest == want, f"the interruption line ends {rest!r}, expected {want!r}")

    def run_to_end(self, np, decomp, chunk):
        job, _ = self.start(np, decomp, chunk)
        try:
            rc = job.finish(RUN_TIMEOUT)
        finally:
            job.kill()
        expect(rc == 0, "expected exit 0: " + job.describe())
        ck = read_checkpoint(self.ck)
        self.expect_end(job, ck, self.last_ck)
        self.last_ck = ck
        strays = temporaries(self.ck)
        if strays:  # a SIGKILL while a checkpoint was written: nothing takes them up
            print(f"     (note: left beside the checkpoint: {strays})", flush=True)

    def expect_end(self, job, ck, before_ck):
        """A run that ended well: its report, the files, the checkpoint."""
        kind = self.kind
        report = report_of(kind, job.out, job.err)
        what = f"the run at {job.np} ranks"
        expect_results(kind, report, what)
        expect(report.get("checkpoint") == self.ck,
               f"{what}: checkpoint {report.get('checkpoint')!r}, expected {self.ck!r}")
        want = self.fraction(before_ck)
        expect(abs(report.get("resumed", -1) - want) <= 1e-6,
               f"{what}: resumed {report.get('resumed')}, the checkpoint it resumed had "
               f"settled {want:.6f} of the range")
        if kind.outlet == "count" and before_ck is not None and want < 1:
            numbers = sum(r["numbers"] for r in report["per_rank"])
            left = report["stop"] - report["start"] + 1 - before_ck["numbers"]
            expect(numbers == left, f"{what}: its ranks did {numbers} numbers, "
                   f"{left} were left")
            found = sum(r["count"] for r in report["per_rank"])
            expect(found == report["count"] - before_ck["result"][0],
                   f"{what}: its ranks found {found} primes; with the checkpoint's "
                   f"{before_ck['result'][0]} that is not {report['count']}")
        expect(ck["state"] == "finished", f"the checkpoint says {ck['state']} after exit 0")
        expect_checkpoint_result(kind, ck, report)
        if kind.outlet == "output":
            expect(os.path.isfile(self.file), f"no {self.file} after exit 0")
            expect_same_bytes(self.file, kind.ref_file, f"{self.file}")
            left = temporaries(self.file)
            expect(not left, f"temporary files left beside {self.file}: {left}")
        if kind.outlet == "print":
            expect_same_bytes(self.capture, kind.ref_file, "stdout, the runs' appended")

    # -- the finished checkpoint again --------------------------------------

    def finished_again(self, np, fmt_json, startup):
        kind = self.kind
        ck_before = file_state(self.ck)
        # (FILE untouched: the same inode, time and size)
        out_before = (stamp(self.file), os.path.getsize(self.file)) \
            if kind.outlet == "output" else None
        cap_size = os.path.getsize(self.capture) if kind.outlet == "print" else None
        decomp = "dynamic" if fmt_json else "balanced"
        job, _ = self.start(np, decomp, None, fmt_json=fmt_json)
        try:
            rc = job.finish(RUN_TIMEOUT)
        finally:
            job.kill()
        expect(rc == 0, "expected exit 0: " + job.describe())
        print(f"     ({kind.name}: the finished checkpoint again at {np} ranks took "
              f"{job.elapsed:.2f} s; a trivial run {startup:.2f} s)", flush=True)
        expect(job.elapsed <= startup + FINISHED_WITHIN,
               f"took {job.elapsed:.1f} s, a trivial run {startup:.1f} s: did it sieve "
               "again?")
        # (it is written again, atomically: the same bytes)
        expect(file_state(self.ck)[0] == ck_before[0], "the finished checkpoint was changed")
        if kind.outlet == "output":
            expect((stamp(self.file), os.path.getsize(self.file)) == out_before,
                   f"{self.file} was changed (or touched) by the run again")
            expect(not temporaries(self.file), f"temporary files: {temporaries(self.file)}")
        if kind.outlet == "print":
            expect(os.path.getsize(self.capture) == cap_size,
                   "the finished checkpoint's run printed primes again")
            text = job.err
        else:
            text = job.out.decode("utf-8", "replace")
            expect(not job.err.strip(), f"stderr: {job.err[-400:]!r}")
        if fmt_json:
            report = report_of(kind, job.out, job.err)
            expect_results(kind, report, "the finished checkpoint's report")
            expect(report.get("checkpoint") == self.ck and report.get("resumed") == 1.0,
                   f"checkpoint {report.get('checkpoint')!r}, resumed "
                   f"{report.get('resumed')!r}; expected {self.ck!r}, 1.0")
            # no rank sieved (the nth prime's last stretch is rank 0's, after)
            swept = sum(row.get("numbers", 0) for row in report.get("per_rank", []))
            expect(swept == 0, f"the ranks went through {swept} numbers again")
            return
        want = f"# checkpoint     {self.ck} (finished before: the results it holds)"
        expect(want in text.splitlines(), f"no line {want!r} in the report: {text[:1200]!r}")
        r0 = kind.r0
        if kind.k == 1 and not kind.nth:
            for key in ("primes", "first", "last"):
                got = report_value(text, key)
                value = r0["count"] if key == "primes" else r0[key]
                expect(got == str(value), f"# {key} {got}, expected {value}")
        if kind.name == "count":
            for k in range(2, 7):
                name = TUPLET_NAMES[k]
                got = report_value(text, name)
                expect(got == str(r0["counts"][name]),
                       f"# {name} {got}, expected {r0['counts'][name]}")
            got = report_value(text, "largest_gap")
            expect(got == str(r0["gaps"]["largest"]["gap"]),
                   f"# largest_gap {got}, expected {r0['gaps']['largest']['gap']}")
        if kind.nth:
            got = report_value(text, "nth_prime")
            expect(got == str(r0["nth_prime"]), f"# nth_prime {got}, expected "
                   f"{r0['nth_prime']}")
        if kind.k > 1:
            name = TUPLET_NAMES[kind.k]
            got = report_value(text, name)
            expect(got == str(r0["counts"][name]), f"# {name} {got}, expected "
                   f"{r0['counts'][name]}")


def expect_checkpoint_result(kind, ck, report):
    """A finished checkpoint's result line and spans: the whole range's."""
    start, stop = report["start"], report["stop"]
    expect(ck["done"] == [(start, stop)],
           f"the finished checkpoint settled {ck['done'][:4]}, not [{start}, {stop}]")
    if kind.k > 1:
        got = ck["result"][kind.k + 1]
        expect(got == report["counts"][TUPLET_NAMES[kind.k]],
               f"the checkpoint's result line {ck['result']}: {got} {TUPLET_NAMES[kind.k]}")
        return
    got = ck["result"][:3]
    want = [report["count"], report["first"], report["last"]]
    expect(got == want, f"the checkpoint's result line {ck['result']}, the report's "
           f"count, first, last {want}")
    if "counts" in report and kind.name == "count":
        tup = [report["counts"][TUPLET_NAMES[k]] for k in range(2, 7)]
        expect(ck["result"][3:] == tup, f"the checkpoint's tuplets {ck['result'][3:]}, "
               f"the report's {tup}")
    if kind.name == "count":
        expect(ck["gap_words"] > 0, "no gaps in the checkpoint of a --gaps run")


# ---------------------------------------------------------------------------
# References and the uninterrupted runs


def patterns_md(runner):
    """shared/reference/patterns.md (missing: the case is skipped, under CI
    failed)."""
    path = os.path.normpath(runner.source("..", "shared", "reference", "patterns.md"))
    if not os.path.isfile(path):
        unavailable(f"{path} not found", "the reference table must be there")
    return path


def case_reference(runner, kind, directory):
    """The reference results of KIND (primesieve, patterns.md), and the
    uninterrupted run (2 ranks, block; a listing's with a checkpoint of its
    own) against them; its time sets the stops'."""
    ref = kind.ref
    if kind.name == "count":
        # the counts from primesieve -c123456, the maximal gaps from
        # patterns.md's table
        ref["tuplets"] = primesieve_tuplets(kind.start, kind.stop)
        ref["records"] = [row for row in maximal_gap_table(patterns_md(runner))
                          if row["after"] + row["gap"] <= kind.stop]
        ref["last"] = primesieve_primes(kind.stop - 1000, kind.stop)[-1]
    elif kind.nth:
        n, start = kind.nth
        ref["nth"] = int(primesieve([n, start, "-n", "-q"]).split()[-1])
    elif kind.outlet == "gather":
        ref["count"] = primesieve_count(kind.start, kind.stop)
        ref["first"] = primesieve_primes(kind.start, kind.start + 1000)[0]
        ref["last"] = primesieve_primes(kind.stop - 1000, kind.stop)[-1]
        expect(ref["last"] == kind.stop, f"{kind.stop} is not a prime")
        kind.out_bytes = 8 * ref["count"]
    else:
        kind.ref_file = os.path.join(directory, f"reference-{kind.name.replace('=', '')}")
        flag = "-p" if kind.k == 1 else f"-p{kind.k}"
        with open(kind.ref_file + ".txt", "wb") as f:
            res = run(["primesieve", str(kind.start), str(kind.stop), flag], 300, stdout=f)
        expect(res.rc == 0, "primesieve failed: " + res.describe())
        ref["count"], last = 0, b""
        with open(kind.ref_file + ".txt", "rb") as f:
            for block in iter(lambda: f.read(1 << 24), b""):
                ref["count"] += block.count(b"\n")
                last = (last + block)[-200:]
        last = last.splitlines()[-1].decode() if last else ""
        expect(last.endswith(f"{kind.stop})" if kind.k > 1 else str(kind.stop)),
               f"the listing's last line {last!r} does not end at STOP {kind.stop}")
        if kind.fmt == "binary":
            with open(kind.ref_file + ".txt", "rb") as f:
                words = array.array("Q", map(int, f.read().split()))
            if sys.byteorder != "little":
                words.byteswap()
            with open(kind.ref_file, "wb") as f:
                words.tofile(f)
            del words
            os.unlink(kind.ref_file + ".txt")
        else:
            os.rename(kind.ref_file + ".txt", kind.ref_file)
        ref["first"], ref["last"] = None, None
        kind.out_bytes = os.path.getsize(kind.ref_file)
        if kind.k == 1:
            ref["first"] = primesieve_primes(kind.start, kind.start + 1000)[0]
            ref["last"] = kind.stop
    # the uninterrupted run (a listing's with --checkpoint-every 0, as the
    # chain's runs: its time is theirs, fsync after each round included)
    path = os.path.join(directory, f"r0-{kind.name.replace('=', '')}")
    args = args_of(kind, path) + ["--json"]
    if kind.listing():
        args = ["--buffer", str(buffer_for(kind, 2, "block")), "--checkpoint",
                path + ".ck", "--checkpoint-every", "0"] + args
    stdout = open(path + ".printed", "wb") if kind.outlet == "print" else subprocess.PIPE
    try:
        res = run(runner.command(args, 2), RUN_TIMEOUT, env=runner.env(), stdout=stdout)
    finally:
        if stdout is not subprocess.PIPE:
            stdout.close()
    expect_success(res)
    kind.r0 = report_of(kind, res.stdout, res.stderr)
    kind.d0 = res.elapsed
    expect_reference(kind, kind.r0, "the uninterrupted run")
    if kind.listing():
        ck = read_checkpoint(path + ".ck")
        expect(ck["state"] == "finished", f"its checkpoint says {ck['state']}")
        expect_checkpoint_result(kind, ck, kind.r0)
        os.unlink(path + ".ck")
    if kind.outlet == "output":
        expect_same_bytes(path, kind.ref_file, "the uninterrupted run's --output")
        os.unlink(path)
    if kind.outlet == "print":
        expect_same_bytes(path + ".printed", kind.ref_file, "the uninterrupted run's stdout")
        os.unlink(path + ".printed")
    print(f"     ({kind.name}: the uninterrupted run took {kind.d0:.2f} s)", flush=True)


# ---------------------------------------------------------------------------
# Refusals


def base_checkpoint(runner, directory, name, args, np=2):
    """A finished checkpoint DIRECTORY/NAME of mpprimes ARGS."""
    path = os.path.join(directory, name)
    res = runner.mpprimes(args + ["--checkpoint", path], np, buffer=False)
    expect_success(res)
    read_checkpoint(path)
    return path


def expect_refused(runner, ck, args, np, why, output=None):
    """mpprimes ARGS --checkpoint CK at NP ranks refuses CK, WHY (the words
    after "checkpoint 'CK' "): exit 2, one line, CK unchanged, no OUTPUT
    file (nor a temporary one), no temporary file of CK."""
    before = file_state(ck)
    res = runner.mpprimes(args + ["--checkpoint", ck], np, quiet=True, buffer=False)
    line = expect_one_error_line(res, 2)
    head = f"mpprimes: checkpoint '{ck}' "
    expect(line.startswith(head + why),
           f"expected {head + why!r}..., got {line!r}")
    expect(line.endswith("; remove it to start afresh, or name another --checkpoint FILE"),
           f"what to do? {line!r}")
    expect(file_state(ck) == before, "the checkpoint was changed by the refusal")
    expect(not temporaries(ck), f"temporary files of the checkpoint: {temporaries(ck)}")
    if output:
        expect(not os.path.exists(output), f"{output} made by a refused run")
        expect(not temporaries(output), f"temporary files: {temporaries(output)}")


def case_foreign(runner, ck, args, np, key, theirs, ours, output=None):
    expect_refused(runner, ck, args, np,
                   f"belongs to another command (its {key} is {theirs}, this command's "
                   f"{ours})", output)


def damaged_copy(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def case_flip(runner, directory, src, rng, np):
    """One random byte of a good checkpoint flipped: refused, as the
    position calls for."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    while True:
        at = rng.randrange(len(data))
        bad = bytearray(data)
        bad[at] ^= rng.randrange(1, 256)
        verdict = damage_verdict(bytes(bad))
        # (a hex digit of the sum only changed to upper case reads as the
        # same sum: the contents are intact, and mpprimes takes it)
        if verdict != "ok":
            break
    print(f"     (byte {at} of {len(data)}: {data[at]:#04x} -> {bad[at]:#04x}, "
          f"expected '{DAMAGE_WORDS[verdict]}')", flush=True)
    ck = damaged_copy(directory, "flipped", bytes(bad))
    out = os.path.join(directory, "flipped.out")
    expect_refused(runner, ck, ["-o", out, "2", "1e6"], np, DAMAGE_WORDS[verdict], out)


def case_cut(runner, directory, src, rng, np):
    with open(src, "rb") as f:
        data = f.read()
    at = rng.randrange(len(data))
    verdict = damage_verdict(data[:at])
    print(f"     (cut to {at} of {len(data)} bytes, expected '{DAMAGE_WORDS[verdict]}')",
          flush=True)
    ck = damaged_copy(directory, "cut", data[:at])
    expect_refused(runner, ck, ["-c", "--gaps", "2", "1e8"], np,
                   DAMAGE_WORDS[verdict])


def case_garbage(runner, directory, np, data):
    ck = damaged_copy(directory, "garbage", data)
    out = os.path.join(directory, "garbage.out")
    expect(damage_verdict(data) == "not", "the garbage reads as a checkpoint")
    expect_refused(runner, ck, ["--print", "-o", out, "2", "1e6"], np,
                   DAMAGE_WORDS["not"], out)


def case_rewritten(runner, directory, src, np, old, new, why):
    """A good checkpoint with OLD replaced by NEW and its sum made right."""
    with open(src, "rb") as f:
        data = f.read()
    body = data[:data.rindex(b"sum ")]
    expect(old in body, f"no {old!r} in {src}")
    ck = damaged_copy(directory, "rewritten", with_sum(body.replace(old, new, 1)))
    expect_refused(runner, ck, ["-c", "--gaps", "2", "1e8"], np, why)


def case_bad_usage(runner, args, np, words, output=None):
    res = runner.mpprimes(args, np, quiet=True, buffer=False)
    line = expect_one_error_line(res, 2)
    expect(words in line, f"expected {words!r} in {line!r}")
    if output:
        expect(not os.path.exists(output), f"{output} made by bad usage")
        expect(not temporaries(output), f"temporary files: {temporaries(output)}")


# ---------------------------------------------------------------------------
# SIGTERM after the last round was committed


def wchan(pid):
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return f.read()
    except OSError:
        return ""


def case_term_last_round(runner, directory):
    """--print of one round into a pipe that is not read yet: rank 0 has
    committed the round (every prime found) and blocks writing it; SIGTERM
    to every process then, the pipe drained: the one line, a finished
    checkpoint (every line was listed and delivered) whose BYTES are what
    was printed; the same command again, appended, prints nothing more, and
    reports pi(9999991)."""
    ck = os.path.join(directory, "last-round.ck")
    stop = 9999991  # a prime: printed twice, it shows
    args = ["--buffer", "64M", "--print", "--checkpoint", ck, "2", str(stop)]
    job = Job(runner, args, 2)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        blocked = False
        while time.monotonic() < deadline and job.running() and not blocked:
            ranks = rank_pids(job.proc.pid, runner.binary)
            blocked = 0 in ranks and "pipe_write" in wchan(ranks[0])
            time.sleep(0.02)
        expect(blocked, "rank 0 did not block writing into the pipe: " + job.describe())
        job.stop("term-all", None)
        rc = job.finish(STOP_WITHIN)
    finally:
        job.kill()
    printed = job.out
    expect(rc in (143, 1), f"exit {rc} after SIGTERM: " + job.describe())
    lines = [line for line in job.err.splitlines() if line.strip()]
    expect(len(lines) == 1 and lines[0].startswith("mpprimes: interrupted by SIGTERM"),
           "expected the one interruption line: " + job.describe())
    state = read_checkpoint(ck)
    print(f"     ({lines[0][:110]}...; the checkpoint: {state['state']}, listing "
          f"{state['next']} {state['bytes']}, done {state['done']})", flush=True)
    expect(state["state"] == "finished", f"the checkpoint says {state['state']}")
    expect(len(printed) == state["bytes"], f"{len(printed)} bytes printed, the checkpoint "
           f"says {state['bytes']}")
    res = runner.mpprimes(args + ["--json"], 3, buffer=False)
    expect_success(res)
    want = listing_text(python_primes(2, stop))
    whole = printed + res.stdout
    expect(whole == want, f"the output appended is not the primes of [2, {stop}]: "
           f"{len(whole)} bytes, {len(want)} expected; the resume printed "
           f"{res.stdout[:60]!r}")
    report = json_reports(res.stderr)[-1]
    expect(report.get("count") == 664579, f"the resume reports count {report.get('count')}, "
           "pi(9999991) is 664579")


# ---------------------------------------------------------------------------
# A temporary file left by a killed run


def case_leftover(runner, directory):
    """An --output run killed by SIGKILL leaves its temporary file; the
    next run of that --output works and names it in one note."""
    path = os.path.join(directory, "left.txt")
    job = Job(runner, ["--buffer", "1M", "-o", path, "2", "3e9"], 2)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not temporaries(path) and job.running() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        expect(job.running(), "the run ended before it could be killed: " + job.describe())
        job.stop("kill-all", None)
        job.finish(STOP_WITHIN)
    finally:
        job.kill()
    left = temporaries(path)
    expect(len(left) == 1, f"SIGKILL left {left} beside {path}, expected one temporary file")
    res = runner.mpprimes(["-o", path, "--json", "2", "1e6"], 2, buffer=False)
    expect_success(res)
    report = parse_json_report(res.out)
    expect(report.get("count") == 78498, f"count {report.get('count')}")
    with open(path, "rb") as f:
        expect(f.read() == listing_text(python_primes(2, 10**6)),
               f"{path} is not the primes of [2, 1e6]")
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    expect(len(lines) == 1, f"expected one line on stderr, got {lines}")
    want = (f"mpprimes: note: '{left[0]}' is a temporary file left by an earlier run of "
            f"--output '{path}' that was killed; remove it")
    expect(lines[0].startswith(want), f"expected {want!r}..., got {lines[0]!r}")
    expect(temporaries(path) == left, f"temporary files now {temporaries(path)}")


# ---------------------------------------------------------------------------
# Progress

TTY_LINE = re.compile(r"\r *(\d+\.\d)%  (\S+) numbers/s  (\S+) elapsed  (\S+) left\x1b\[K")
LOG_LINE = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) mpprimes: (\d+\.\d)% done, "
                      r"(\S+) numbers/s, (\S+) elapsed, (\S+) left")
ERASE = "\r\x1b[K"


def run_in_pty(runner, args, np, timeout=RUN_TIMEOUT):
    """mpirun ... mpprimes ARGS with stdout and stderr a pseudo-terminal;
    returns (exit status, what the terminal got, seconds)."""
    master, slave = os.openpty()
    t0 = time.monotonic()
    proc = subprocess.Popen(runner.command(args, np), stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, env=runner.env(), start_new_session=True)
    os.close(slave)
    out = b""
    try:
        while True:
            left = t0 + timeout - time.monotonic()
            if left <= 0:
                raise CaseFailure(f"still running after {timeout} s in a terminal")
            ready, _, _ = select.select([master], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not data:
                break
            out += data
        rc = proc.wait(timeout=30)
    finally:
        os.close(master)
        if proc.poll() is None or session_members(proc.pid):
            kill_session(proc)
    return rc, out.decode("utf-8", "replace"), time.monotonic() - t0


def expect_tty_lines(text):
    """The progress lines before ERASE, in place: their percentages."""
    lines = TTY_LINE.findall(text)
    pcts = [float(p[0]) for p in lines]
    expect(pcts == sorted(pcts), f"percentages go back: {pcts}")
    expect(all(0 <= p <= 100 for p in pcts), f"percentages {pcts}")
    return pcts


def case_progress_tty(runner):
    """-c 2 3e10 at 2 ranks (1.5 s or more) on a terminal: progress lines
    in place (twice a second), the last erased right before the report;
    nothing to erase when none was shown."""
    rc, text, took = run_in_pty(runner, ["-c", "2", "3e10"], 2)
    expect(rc == 0, f"exit {rc}: {text[-600:]!r}")
    at = text.find("# mpprimes ")
    expect(at >= 0, f"no report: {text[:600]!r}")
    before, report = text[:at], text[at:]
    elapsed = float(report_value(report.replace("\r\n", "\n"), "elapsed_s"))
    if before:
        expect(before.endswith(ERASE), f"the line is not erased before the report: "
               f"{before[-200:]!r}")
        before = before[:-len(ERASE)]
    pcts = expect_tty_lines(before)
    print(f"     (terminal: {len(pcts)} progress lines in {elapsed:.2f} s of work)", flush=True)
    expect(TTY_LINE.sub("", before) == "", f"more than progress lines before the report: "
           f"{TTY_LINE.sub('', before)[:300]!r}")
    if elapsed >= 1.0:
        expect(pcts, f"no progress line in {elapsed:.1f} s on a terminal: {text[:300]!r}")
    expect("\n" not in before and "done," not in text, "log lines on a terminal")
    expect(ERASE not in report and "numbers/s" not in report, "progress after the report")


def case_no_progress_tty(runner):
    rc, text, took = run_in_pty(runner, ["--no-progress", "-c", "2", "2e10"], 2)
    expect(rc == 0, f"exit {rc}: {text[-600:]!r}")
    expect(text.startswith("# mpprimes "), f"something before the report: {text[:300]!r}")
    expect("numbers/s" not in text and "\x1b" not in text and "\r#" not in text,
           f"progress with --no-progress: {text[:300]!r}")


def log_lines(stderr, t_begin, t_end):
    """Every line of STDERR is a log progress line, stamped between T_BEGIN
    and T_END (UTC datetimes), percentages non-decreasing, the last 100.0%.
    Returns the percentages."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    pcts = []
    for line in lines:
        m = LOG_LINE.fullmatch(line)
        expect(m, f"not a progress line: {line!r}")
        when = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
        expect(t_begin - datetime.timedelta(seconds=2) <= when <=
               t_end + datetime.timedelta(seconds=2),
               f"stamped {m.group(1)}, the run was from {t_begin:%H:%M:%S} to {t_end:%H:%M:%S}")
        pcts.append(float(m.group(2)))
    expect(pcts == sorted(pcts), f"percentages go back: {pcts}")
    expect(pcts and pcts[-1] == 100.0, f"the last line is not 100.0%: {lines[-1:]}")
    return pcts


def case_progress_log(runner, args, np):
    t_begin = datetime.datetime.now(datetime.timezone.utc)
    res = runner.mpprimes(args, np, buffer=False, timeout=RUN_TIMEOUT)
    t_end = datetime.datetime.now(datetime.timezone.utc)
    expect_success(res)
    report = parse_json_report(res.out)
    pcts = log_lines(res.stderr, t_begin, t_end)
    elapsed = report["elapsed_s"]
    print(f"     (log: {len(pcts)} lines in {elapsed:.2f} s of work: {pcts})", flush=True)
    # one a second while it works, the last at the end (slack: a loaded machine)
    expect(len(pcts) >= 1 + int(elapsed * 0.5), f"{len(pcts)} lines in {elapsed:.1f} s "
           "with --progress=1")
    expect(len(pcts) <= 2 + int(elapsed / 1.0) + 1, f"{len(pcts)} lines in {elapsed:.1f} s "
           "with --progress=1: more than one a second")


def case_no_progress_log(runner, args, np):
    res = runner.mpprimes(args, np, buffer=False)
    expect_success(res)
    expect(res.stderr == "", f"stderr without --progress, not a terminal: {res.stderr[:300]!r}")


# ---------------------------------------------------------------------------


def trivial_run_time(runner, np):
    """Seconds a trivial run takes at NP ranks (the start-up and the end of
    mpirun): the best of two."""
    best = None
    for _ in range(2):
        res = runner.mpprimes(["-c", "2", "1000"], np, buffer=False)
        expect_success(res)
        best = res.elapsed if best is None else min(best, res.elapsed)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_program_args(parser)
    parser.add_argument("--seed", type=int, help="the seed (default: random)")
    parser.add_argument("--times", action="store_true", help="print each case's time")
    args = parser.parse_args(argv)
    runner = Runner(args.binary, args.mpiexec, args.source_dir)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(6), "little")
    print(f"checkpoint: seed {seed} (replay with --seed {seed})", flush=True)
    suite = Suite(log=(lambda text: print(f"     ({text})", flush=True)) if args.times else None)
    if not have_primesieve():
        return suite.finish_unavailable("checkpoint", "primesieve is not installed",
                                        "checkpoint: primesieve", "the chains' reference")
    begin = time.monotonic()
    directory = tempfile.mkdtemp(prefix="mpprimes-checkpoint-")
    interrupt_on_signals()
    try:
        startup = {}
        for np in sorted({n for v in FINISHED_NP.values() for n in v}):
            startup[np] = trivial_run_time(runner, np)
        times = ", ".join(f"{n} ranks {t:.2f} s" for n, t in sorted(startup.items()))
        print(f"     (a trivial run: {times})", flush=True)

        for kind in KINDS:
            rng = random.Random(f"mpprimes checkpoint {seed} {kind.name}")
            runs, stops = CHAINS[kind.name]
            ok = [True]

            def reference_step(kind=kind):
                try:
                    case_reference(runner, kind, directory)
                except BaseException:
                    ok[0] = False
                    raise

            suite.case(f"{kind.name}: primesieve and the uninterrupted run", reference_step)
            chain = Chain(runner, kind, directory, rng, startup[2])
            if not ok[0]:
                chain.failed = "the uninterrupted run"
            names = []
            for i, ((np, decomp, chunk), how) in enumerate(zip(runs, stops), 1):
                where = f"{np} ranks {decomp}" + (f" --chunk {chunk}" if chunk else "")
                verb = "run" if i == 1 else "resumed"
                names.append((f"{kind.name}: {verb} at {where}, stopped by {STOP_WORDS[how]}",
                              lambda i=i, np=np, decomp=decomp, chunk=chunk, how=how:
                              chain.run_stopped(i, np, decomp, chunk, how, i == 1)))
            np, decomp, chunk = runs[-1]
            where = f"{np} ranks {decomp}" + (f" --chunk {chunk}" if chunk else "")
            names.append((f"{kind.name}: resumed at {where} to the end: exact results",
                          lambda np=np, decomp=decomp, chunk=chunk:
                          chain.run_to_end(np, decomp, chunk)))
            np_text, np_json = FINISHED_NP[kind.name]
            for np, fmt_json in ((np_text, False), (np_json, True)):
                names.append((f"{kind.name}: finished checkpoint again at {np} ranks "
                              f"({'--json' if fmt_json else 'text'})",
                              lambda np=np, fmt_json=fmt_json:
                              chain.finished_again(np, fmt_json, startup[np])))
            for name, fn in names:
                suite.case(name, chain.step, name, fn)
            if kind.ref_file and os.path.exists(kind.ref_file):
                os.unlink(kind.ref_file)
            shutil.rmtree(chain.dir, ignore_errors=True)

        suite.case("print: SIGTERM while the last round is written, resumed",
                   case_term_last_round, runner, directory)
        refusals(runner, suite, directory, seed)
        suite.case("leftover: --output beside a killed run's temporary file", case_leftover,
                   runner, directory)
        progress(runner, suite, directory)
    except Interrupted as e:
        ignore_stop_signals()
        print(f"checkpoint: interrupted by {e}", flush=True)
        shutil.rmtree(directory, ignore_errors=True)
        return 128 + e.signum
    shutil.rmtree(directory, ignore_errors=True)
    print(f"(checkpoint took {time.monotonic() - begin:.1f} s, seed {seed})", flush=True)
    return suite.finish()


def refusals(runner, suite, directory, seed):
    rng = random.Random(f"mpprimes checkpoint {seed} refusals")
    refused = os.path.join(directory, "refused")
    os.makedirs(refused)
    made = {}

    def make():
        made["count"] = base_checkpoint(runner, refused, "count.ck", ["-c", "2", "1e9"])
        made["gaps"] = base_checkpoint(runner, refused, "gaps.ck",
                                       ["-c", "--gaps", "2", "1e8"], np=3)
        made["out"] = base_checkpoint(runner, refused, "out.ck",
                                      ["-o", os.path.join(refused, "a.txt"), "2", "1e6"])

    suite.case("refused: the checkpoints to refuse (finished runs)", make)
    if len(made) < 3:
        return
    count, gaps, out = made["count"], made["gaps"], made["out"]
    b = os.path.join(refused, "b.txt")
    cases = (
        ("another STOP", count, ["-c", "2", "2e9"], 2, "stop", "1000000000", "2000000000", None),
        ("other -c kinds", count, ["-c12", "2", "1e9"], None, "kinds", "1", "12", None),
        ("--method trial", count, ["-c", "-m", "trial", "2", "1e9"], None, "method", "sieve",
         "trial", None),
        ("--gaps added", count, ["-c", "--gaps", "2", "1e9"], None, "gaps", "0", "1", None),
        ("another --output FILE", out, ["-o", b, "2", "1e6"], 3, "output",
         os.path.join(refused, "a.txt"), b, b),
        ("a count's, for a listing", count, ["-o", b, "2", "1e9"], None, "count", "1", "0", b),
    )
    for name, ck, args, np, key, theirs, ours, output in cases:
        suite.case(f"refused: a checkpoint of another command ({name}) {ranks(np)}",
                   case_foreign, runner, ck, args, np, key, theirs, ours, output)
    # (mostly alone: under mpirun, a job that ends with exit 2 takes
    # seconds to tear down on this machine)
    for i, np in enumerate((2, None, None)):
        suite.case(f"refused: one byte flipped ({i + 1}) {ranks(np)}", case_flip,
                   runner, refused, gaps, rng, np)
    for i, np in enumerate((None, None)):
        suite.case(f"refused: cut short at a random length ({i + 1}) {ranks(np)}", case_cut,
                   runner, refused, gaps, rng, np)
    garbage = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096)))
    suite.case("refused: random bytes, alone", case_garbage, runner, refused, None, garbage)
    suite.case("refused: an empty file, alone", case_garbage, runner, refused, None, b"")
    suite.case("refused: another format (its sum right), alone", case_rewritten, runner,
               refused, gaps, None, b"format 1\n", b"format 2\n",
               "is of another version of mpprimes (format 2)")
    suite.case("refused: a span reversed (its sum right), alone", case_rewritten, runner,
               refused, gaps, None, b"done 1\n2 100000000\n", b"done 1\n100000000 2\n",
               "is damaged (a line is not as mpprimes writes it)")
    suite.case("bad usage: --checkpoint-every without --checkpoint", case_bad_usage, runner,
               ["--checkpoint-every", "5", "-c", "2", "1e6"], None,
               "--checkpoint-every applies to --checkpoint only")
    same = os.path.join(refused, "same")
    suite.case("bad usage: --checkpoint and --output the same file", case_bad_usage, runner,
               ["--checkpoint", same, "-o", same, "2", "1e6"], None,
               "--checkpoint and --output name the same file", same)


def ranks(np):
    return "alone" if np is None else f"at {np} ranks"


def progress(runner, suite, directory):
    suite.case("progress: on a terminal, one line in place, erased before the report",
               case_progress_tty, runner)
    suite.case("progress: --no-progress on a terminal", case_no_progress_tty, runner)
    suite.case("progress: none in a log without --progress", case_no_progress_log, runner,
               ["--json", "-c", "2", "2e10"], 2)
    suite.case("progress: --progress=1 in a log, --count", case_progress_log, runner,
               ["--progress=1", "--json", "-c", "2", "4e10"], 2)
    out = os.path.join(directory, "progress.txt")
    # (a listing's progress moves at the end of each round: --buffer 64K
    # makes 180 rounds of the quadruplets)
    suite.case("progress: --progress=1 in a log, --output --print=4", case_progress_log,
               runner, ["--progress=1", "--json", "--buffer", "64K", "-o", out, "--print=4",
                        "2", "2e10"], 2)
    # (docs/reference.md: "a line every SECONDS ..., and a last one at 100%")
    suite.case("progress: --progress=1 in a log, a run shorter than a second: the last line",
               case_progress_log, runner, ["--progress=1", "--json", "-c", "2", "1e7"], 2)


if __name__ == "__main__":
    sys.exit(main())
