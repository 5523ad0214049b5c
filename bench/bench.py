#!/usr/bin/env python3
"""Times mpprimes against primesieve, side by side, and writes the results.

    python3 bench/bench.py [--binary build/mpprimes] [--runs 5] [--out docs/benchmarks.md]

Each case runs the two commands alternately (mpprimes, primesieve, mpprimes, ...)
so that both see the same machine state; the figure is the median wall time of
the whole command (mpirun start-up included). primesieve comes from Debian's
primesieve-bin (installed by scripts/install-deps.sh --test).
"""
import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

# (what, mpprimes ranks, mpprimes arguments, primesieve arguments)
CASES = [
    ("start-up only: [2, 10], 1 rank vs 1 thread", 1, ["-q", "10"],
     ["10", "--count", "--threads=1"]),
    ("count [2, 1e9], 1 rank vs 1 thread", 1, ["--count", "1e9"],
     ["1e9", "--count", "--threads=1"]),
    ("count [2, 1e10], 1 rank vs 1 thread", 1, ["--count", "1e10"],
     ["1e10", "--count", "--threads=1"]),
    ("count [2, 1e10], 2 ranks vs 2 threads", 2, ["--count", "1e10"],
     ["1e10", "--count", "--threads=2"]),
    ("count [1e15, 1e15+1e10], 2 ranks vs 2 threads", 2, ["--count", "1e15", "1e15+1e10"],
     ["1e15", "1e15+1e10", "--count", "--threads=2"]),
    ("count [2^64-1e9, 2^64-1], 2 ranks vs 2 threads", 2, ["--count", "2^64-1e9", "2^64-1"],
     ["18446744072709551616", "18446744073709551615", "--count", "--threads=2"]),
    ("gather [2, 1e9] at rank 0 (default mode), 2 ranks vs primesieve --count", 2,
     ["-q", "1e9"], ["1e9", "--count", "--threads=2"]),
]


def mpi_env():
    env = dict(os.environ)
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
    return env


def timed(cmd, env):
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.system()} {platform.release()}"


def version(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/mpprimes")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default="docs/benchmarks.md")
    ap.add_argument("--only", help="run only the cases whose description contains this")
    args = ap.parse_args()
    if not shutil.which("primesieve"):
        sys.exit("bench.py: primesieve not found (apt-get install primesieve-bin)")
    env = mpi_env()
    binary = os.path.abspath(args.binary)
    rows = []
    for what, np, mine, theirs in CASES:
        if args.only and args.only not in what:
            continue
        a_cmd = ["mpirun", "-np", str(np), binary] + mine
        b_cmd = ["primesieve"] + theirs + ["-q"]
        a, b = [], []
        for _ in range(args.runs):
            a.append(timed(a_cmd, env))
            b.append(timed(b_cmd, env))
        ma, mb = statistics.median(a), statistics.median(b)
        rows.append((what, " ".join(a_cmd[:3] + ["mpprimes"] + mine), ma,
                     " ".join(b_cmd), mb))
        print(f"{what}: mpprimes {ma:.3f} s, primesieve {mb:.3f} s, ratio {ma / mb:.2f}",
              flush=True)

    notes = ""  # a hand-written "## Notes" section is kept across runs
    if os.path.exists(args.out):
        with open(args.out) as f:
            text = f.read()
        if "\n## Notes" in text:
            notes = text[text.index("\n## Notes"):]
    with open(args.out, "w") as f:
        f.write("# Benchmarks\n\n")
        f.write("Written by `python3 bench/bench.py` (median wall time of "
                f"{args.runs} alternating runs of each command, mpirun start-up included).\n\n")
        f.write(f"- Date: {datetime.date.today().isoformat()}\n")
        f.write(f"- Machine: {machine()}\n")
        f.write(f"- mpprimes: {version([binary, '--version'])}; "
                f"{version(['primesieve', '--version'])}; "
                f"{version(['mpirun', '--version'])}\n\n")
        f.write("| work | mpprimes command | mpprimes s | primesieve command | primesieve s "
                "| ratio |\n|---|---|---|---|---|---|\n")
        for what, a_cmd, ma, b_cmd, mb in rows:
            f.write(f"| {what} | `{a_cmd}` | {ma:.3f} | `{b_cmd}` | {mb:.3f} "
                    f"| {ma / mb:.2f} |\n")
        f.write(notes)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
