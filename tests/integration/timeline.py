#!/usr/bin/env python3
"""--timeline: the trace every rank's spans make, checked against the run.

    timeline.py --binary build/mpprimes --mpiexec mpirun --source-dir .

For 1, 2, 3, 4 and 7 ranks and each outlet (--count, the default gather,
--print, --output) and decomposition, mpprimes runs with --json and
--timeline; the trace must be a JSON object in the Chrome trace event
format with, for every rank, its process name ("rank R (HOST)", the host
of the report's row) and complete events ("ph": "X") whose category is
compute, comm or io, whose times are microseconds inside the run (0 is
rank 0's start; a rank's events in order, none ending after the run), and
whose names say what happened:

  * compute: "sieve [LO, HI]" or "trial [LO, HI]" with LO and HI as exact
    strings in args; the compute spans of the ranks cover [START, STOP]
    exactly once in --count (every chunk a rank was given), and each rank's
    lie inside its report row's span of numbers, as many as its chunks;
  * comm: an MPI call of the pipeline ("MPI_Scatter", "MPI_Reduce", ...),
    with "round K" in a listing, whose rounds are those of the report;
  * io: "write round K" on rank 0 with --print, "MPI_File_write_at round K"
    on every rank that wrote with --output.

Also: nothing dropped and the cap as documented (10^6 shared by the ranks);
MPPRIMES_TIMELINE_EVENTS=50 makes every rank stop at 50 events and say so
(an instant event and the note); a bad value of it, and a file that cannot
be created, are one line from rank 0 and exit 2 or 1 with no file; --quiet
still writes the trace; and scripts/plot-timeline.py draws it as PNG and
SVG.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Runner, Suite, add_program_args, expect, expect_one_error_line,  # noqa
                     expect_success, run)
from reference import parse_json_report, reference_count  # noqa: E402

EVENTS = 1_000_000
SLACK_US = 20_000  # clock alignment and rounding: 20 ms
COMPUTE = re.compile(r"^(sieve|trial) \[(\d+), (\d+)\]$")
COMM = re.compile(r"^(MPI_\w+)( round (\d+))?$")
IO = re.compile(r"^(write|MPI_File_write_at) round (\d+)$")


def load_trace(path):
    expect(os.path.exists(path), f"no trace file {path}")
    with open(path) as f:
        trace = json.load(f)
    expect(isinstance(trace, dict) and isinstance(trace.get("traceEvents"), list),
           "not {\"traceEvents\": [...]}")
    return trace


def check_trace(trace, report, ranks, start, stop, count_only, outlet):
    """Every rule of the module's docstring, for a run of RANKS ranks whose
    --json report is REPORT."""
    events = trace["traceEvents"]
    names = {e["pid"]: e["args"]["name"] for e in events
             if e.get("ph") == "M" and e.get("name") == "process_name"}
    rows = {r["rank"]: r for r in report["per_rank"]}
    expect(sorted(names) == list(range(ranks)), f"process names for {sorted(names)}")
    for pid, name in names.items():
        expect(name == f"rank {pid} ({rows[pid]['host']})", f"process name {name!r}")
    elapsed_us = report["elapsed_s"] * 1e6
    spans = [e for e in events if e.get("ph") == "X"]
    expect(spans, "no complete event")
    last = {}
    compute, rounds_seen, io = [], set(), {}
    for e in spans:
        pid, ts, dur, name = e["pid"], e["ts"], e["dur"], e["name"]
        expect(pid in names, f"event of an unknown rank {pid}")
        expect(e["cat"] in ("compute", "comm", "io"), f"category {e['cat']!r}")
        expect(dur >= 0 and ts >= -SLACK_US, f"{name}: ts {ts}, dur {dur}")
        expect(ts + dur <= elapsed_us + SLACK_US,
               f"{name} on rank {pid} ends at {ts + dur:.0f} us, after the run "
               f"({elapsed_us:.0f} us)")
        expect(ts >= last.get(pid, -SLACK_US) - 1, f"rank {pid}: events out of order")
        last[pid] = ts
        if e["cat"] == "compute":
            m = COMPUTE.match(name)
            expect(m and m.group(1) == report["method"], f"compute event {name!r}")
            lo, hi = int(m.group(2)), int(m.group(3))
            expect(e["args"]["lo"] == str(lo) and e["args"]["hi"] == str(hi),
                   f"{name}: args {e['args']}")
            compute.append((lo, hi, pid))
        elif e["cat"] == "comm":
            m = COMM.match(name)
            expect(m, f"comm event {name!r}")
            if m.group(3):
                rounds_seen.add(int(m.group(3)))
        else:
            m = IO.match(name)
            expect(m, f"io event {name!r}")
            io.setdefault(pid, set()).add(m.group(1))
            rounds_seen.add(int(m.group(2)))
    per_rank = {}
    for lo, hi, pid in compute:
        per_rank.setdefault(pid, []).append((lo, hi))
    for pid, row in rows.items():
        mine = per_rank.get(pid, [])
        if count_only:
            expect(len(mine) == row["chunks"],
                   f"rank {pid}: {len(mine)} compute spans, {row['chunks']} chunks")
        for lo, hi in mine:
            expect(not row["empty"] and row["start"] <= lo and hi <= row["stop"] or
                   not count_only, f"rank {pid}: [{lo}, {hi}] outside its row")
    if count_only:
        covered = sorted((lo, hi) for lo, hi, _ in compute)
        expect(covered and covered[0][0] == start and covered[-1][1] == stop,
               f"compute spans from {covered[:1]} to {covered[-1:]}, not [{start}, {stop}]")
        for (a, b), (c, d) in zip(covered, covered[1:]):
            expect(c == b + 1, f"compute spans [{a}, {b}] and [{c}, {d}] do not meet")
    else:
        expect(max(rounds_seen, default=0) >= report["rounds"],
               f"rounds {sorted(rounds_seen)[-3:]} in the trace, {report['rounds']} reported")
        expect(min(rounds_seen, default=1) >= 1, "a round 0 event")
    if outlet == "print":
        expect(io.get(0) == {"write"} and list(io) == [0], f"io events {io}")
    elif outlet == "output":
        expect(all(kinds == {"MPI_File_write_at"} for kinds in io.values()) and io,
               f"io events {io}")
    else:
        expect(not io, f"io events {io} without output")
    other = trace["otherData"]
    expect(other["events_dropped"] == 0 and "note" not in other, f"otherData {other}")
    expect(other["events_per_rank_max"] == max(EVENTS // ranks, 100), f"otherData {other}")


CASES = [  # (name, args, count_only, outlet)
    ("count block sieve", ["--count", "1e7"], True, None),
    ("count dynamic trial", ["--count", "-m", "trial", "-d", "dynamic", "1e6"], True, None),
    ("count cyclic near 2^32", ["--count", "-d", "cyclic", "--chunk", "1e6",
                                "2^32-5e6", "2^32+5e6"], True, None),
    ("gather balanced rounds", ["-m", "trial", "-d", "balanced", "--buffer", "4K",
                                "1e5"], False, "gather"),
    ("print dynamic", ["--print", "-d", "dynamic", "--chunk", "1e5", "1e6"], False, "print"),
    ("output cyclic", ["--output", "OUT", "-d", "cyclic", "--buffer", "64K", "2e6"], False,
     "output"),
]


def case_run(runner, tmp, np, args, count_only, outlet):
    trace_path = os.path.join(tmp, f"trace-{np}.json")
    args = [os.path.join(tmp, "primes.txt") if a == "OUT" else a for a in args]
    res = runner.mpprimes(["--json", "--timeline", trace_path] + args, np=np, buffer=False)
    expect_success(res)
    stdout = res.stderr if outlet == "print" else res.out
    report = parse_json_report(stdout, "the report")
    start, stop = report["start"], report["stop"]
    want = reference_count(start, stop)
    expect(report["count"] == want, f"count {report['count']}, expected {want}")
    check_trace(load_trace(trace_path), report, np, start, stop, count_only, outlet)
    os.remove(trace_path)


def case_cap(runner, tmp):
    path = os.path.join(tmp, "capped.json")
    res = runner.mpprimes(["-q", "--timeline", path, "--buffer", "1K", "1e5"], np=3,
                          buffer=False, env={"MPPRIMES_TIMELINE_EVENTS": "50"})
    expect_success(res)
    trace = load_trace(path)
    spans = [e for e in trace["traceEvents"] if e.get("ph") == "X"]
    for pid in range(3):
        mine = [e for e in spans if e["pid"] == pid]
        expect(len(mine) == 50, f"rank {pid}: {len(mine)} events, the cap is 50")
    full = [e for e in trace["traceEvents"] if e.get("ph") == "i"]
    expect(sorted(e["pid"] for e in full) == [0, 1, 2] and
           all(e["name"].startswith("timeline full: ") for e in full), f"instant events {full}")
    other = trace["otherData"]
    expect(other["events_per_rank_max"] == 50 and other["events_dropped"] > 0 and
           "3 of 3 ranks reached the cap of 50 events" in other["note"], f"otherData {other}")


def case_bad(runner, tmp):
    path = os.path.join(tmp, "bad.json")
    for value in ("0", "ten", "-5"):
        res = runner.mpprimes(["-q", "--timeline", path, "1e5"], np=2, quiet=True,
                              env={"MPPRIMES_TIMELINE_EVENTS": value})
        expect_one_error_line(res, 2)
        expect("MPPRIMES_TIMELINE_EVENTS" in res.stderr, f"stderr {res.stderr!r}")
        expect(not os.path.exists(path), "a trace after a bad MPPRIMES_TIMELINE_EVENTS")
    missing = os.path.join(tmp, "no-such-dir", "t.json")
    res = runner.mpprimes(["-q", "--timeline", missing, "1e5"], np=2, quiet=True)
    expect_one_error_line(res, 1)
    expect("cannot create timeline file" in res.stderr, f"stderr {res.stderr!r}")
    res = runner.mpprimes(["-q", "--timeline=", "1e5"], np=2, quiet=True)
    expect_one_error_line(res, 2)
    expect(os.listdir(tmp) == [], f"files left: {os.listdir(tmp)}")


def case_plot(runner, tmp, source_dir):
    if not shutil.which("gnuplot"):
        from harness import CaseSkipped
        raise CaseSkipped("gnuplot is missing")
    path = os.path.join(tmp, "plot.json")
    res = runner.mpprimes(["-q", "-m", "trial", "-d", "dynamic", "--timeline", path, "1e6"],
                          np=3)
    expect_success(res)
    script = os.path.join(source_dir, "scripts", "plot-timeline.py")
    for out, magic in (("t.png", b"\x89PNG"), ("t.svg", b"<?xml")):
        target = os.path.join(tmp, out)
        res = run([sys.executable, script, path, target, "--title", "dynamic"], 60)
        expect_success(res)
        with open(target, "rb") as f:
            head = f.read(8)
        expect(head.startswith(magic) and os.path.getsize(target) > 2000,
               f"{out}: starts {head!r}, {os.path.getsize(target)} bytes")
    res = run([sys.executable, script, path, os.path.join(tmp, "t.gif")], 60)
    expect(res.rc != 0 and "must end in .png or .svg" in res.stderr,
           f"a .gif: status {res.rc}, {res.stderr!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_program_args(ap)
    args = ap.parse_args()
    runner = Runner(args.binary, args.mpiexec, args.source_dir)
    suite = Suite()
    with tempfile.TemporaryDirectory() as tmp:
        for np in (1, 2, 3, 4, 7):
            for name, cargs, count_only, outlet in CASES:
                suite.case(f"np{np} {name}", case_run, runner, tmp, np, cargs, count_only,
                           outlet)
                for f in os.listdir(tmp):
                    os.remove(os.path.join(tmp, f))
        suite.case("cap", case_cap, runner, tmp)
        for f in os.listdir(tmp):
            os.remove(os.path.join(tmp, f))
        suite.case("bad input", case_bad, runner, tmp)
        suite.case("plot", case_plot, runner, tmp, args.source_dir)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
