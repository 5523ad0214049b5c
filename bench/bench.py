#!/usr/bin/env python3
"""Times mpprimes against primesieve and against the classic baselines, and
writes docs/benchmarks.md.

    python3 bench/bench.py [--build build] [--runs 5] [--out docs/benchmarks.md]
                           [--only TEXT] [--skip-baselines] [--skip-listing]
                           [--listing-stop 1e9] [--memory-stop 1e10]

Run it after the README's set-up (scripts/test.sh builds build/mpprimes,
build/bench/textbook_sieve and build/bench/sieve_time). primesieve comes from
Debian's primesieve-bin; when it is missing this script installs it (as root,
or through sudo).

What it measures, each figure the median wall time of --runs runs of the
whole command, the commands of a row run alternately so that they see the
same machine state:

1. The targets of issue 3: `mpirun -np P mpprimes --count ...` against
   `primesieve ... --count --threads=P`. mpprimes runs twice per round: as
   users run it, and with MPPRIMES_KEEP_MPI_ENV=1, which leaves Open MPI's
   component selection to Open MPI (see src/mpienv.h: without a high-speed
   network, that start-up spends about 0.2 s probing for one). Every count
   is checked against primesieve's.
2. Memory: each rank's peak RSS from mpprimes's JSON report, for an empty
   range (the MPI runtime's own baseline) and near 2^64, beside primesieve's
   peak RSS for the same range.
3. The listing targets of issue 4: `mpirun -np 2 mpprimes --output F 1e9`
   against `primesieve 1e9 --print > F`, and `--print 1e9 > /dev/null`
   against the same with primesieve. Every run replaces the file its
   command wrote in the previous round (as a user re-running a job does),
   after a `sync`, so that no run pays for writing back another's pages;
   files go on the disk under --build and on /dev/shm (tmpfs), both
   reported. The files are compared byte for byte at the end. --print is
   also timed with MPPRIMES_DIRECT_STDOUT=0 (through mpirun's forwarding).
   Then the peak memory of every rank for the default mode and --output on
   [2, 1e10], that --output file checked against primesieve's listing.
4. Baselines: the original Python trial-division examples (bench/seeds/)
   at n = 10^6, and the classic course MPI sieve (bench/textbook_sieve.c)
   at n = 10^9.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

TOP = 18446744073709551615  # 2^64 - 1

# (what, ranks, mpprimes arguments, primesieve arguments, target ratio)
TARGETS = [
    ("count [2, 1e10], 1 rank vs 1 thread", 1, ["1e10"], ["1e10", "--threads=1"], 1.25),
    ("count [2, 1e10], 2 ranks vs 2 threads", 2, ["1e10"], ["1e10", "--threads=2"], 1.25),
    ("count [2, 1e11], 2 ranks vs 2 threads", 2, ["1e11"], ["1e11", "--threads=2"], 1.25),
    ("count [1e15, 1e15+1e10], 2 ranks vs 2 threads", 2, ["1e15", "1e15+1e10"],
     ["1e15", "1e15+1e10", "--threads=2"], 1.25),
    ("count [2^64-1e9, 2^64-1], 2 ranks vs 2 threads", 2, ["2^64-1e9", "2^64-1"],
     [str(TOP + 1 - 10**9), str(TOP), "--threads=2"], 1.5),
]
EXTRA = [
    ("start-up: [2, 10], 1 rank vs 1 thread", 1, ["10"], ["10", "--threads=1"], None),
    ("count [2, 1e9], 1 rank vs 1 thread", 1, ["1e9"], ["1e9", "--threads=1"], None),
]
MEMORY_RANGE = (["2^64-1e9", "2^64-1"], [str(TOP + 1 - 10**9), str(TOP), "--threads=2"])


def mpi_env(keep=False):
    env = dict(os.environ)
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
    env.pop("OMPI_MCA_pml", None)
    env.pop("MPPRIMES_KEEP_MPI_ENV", None)
    if keep:
        env["MPPRIMES_KEEP_MPI_ENV"] = "1"
    return env


def run(cmd, env=None):
    """Runs CMD; returns (wall seconds, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return time.perf_counter() - t0, p.stdout


def peak_rss_kib(cmd, env=None):
    """Peak RSS of CMD (the largest process it waited for), in KiB."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", probe] + cmd, env=env, check=True,
                         capture_output=True, text=True).stdout
    return int(out.split()[-1])


def ensure_primesieve():
    if shutil.which("primesieve"):
        return
    apt = ["apt-get", "install", "-y", "--no-install-recommends", "primesieve-bin"]
    if os.geteuid() != 0:
        apt = ["sudo"] + apt
    print("bench.py: installing primesieve-bin", flush=True)
    subprocess.run(apt, check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


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
    caches = []
    for name, label in (("LEVEL1_DCACHE_SIZE", "L1d"), ("LEVEL2_CACHE_SIZE", "L2")):
        try:
            v = int(subprocess.run(["getconf", name], capture_output=True, text=True).stdout)
            if v > 0:
                caches.append(f"{label} {v // 1024} KiB")
        except (ValueError, OSError):
            pass
    return (f"{model}, {os.cpu_count()} cores ({', '.join(caches) or 'caches unknown'}), "
            f"{mem:.0f} GiB, {platform.system()} {platform.release()}")


def version(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else "?"


def mpprimes_count(out):
    m = re.search(r"^# primes\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else None


def compare(cases, binary, runs):
    rows = []
    for what, np, mine, theirs, target in cases:
        a_cmd = ["mpirun", "-np", str(np), binary, "--count"] + mine
        b_cmd = ["primesieve"] + theirs + ["--count", "-q"]
        a, a1, b = [], [], []
        want = None
        for _ in range(runs):
            t, out = run(a_cmd, mpi_env())
            a.append(t)
            got = mpprimes_count(out)
            t, out = run(a_cmd, mpi_env(keep=True))
            a1.append(t)
            t, out = run(b_cmd)
            b.append(t)
            want = int(out.split()[-1])
            if got != want:
                sys.exit(f"bench.py: {what}: mpprimes counted {got}, primesieve {want}")
        row = dict(what=what, mine=" ".join(["mpirun", "-np", str(np), "mpprimes", "--count"] + mine),
                   theirs=" ".join(b_cmd), a=statistics.median(a), a1=statistics.median(a1),
                   b=statistics.median(b), target=target, count=want)
        rows.append(row)
        print(f"{what}: mpprimes {row['a']:.3f} s (Open MPI's selection {row['a1']:.3f} s), "
              f"primesieve {row['b']:.3f} s, ratios {row['a'] / row['b']:.2f} / "
              f"{row['a1'] / row['b']:.2f}", flush=True)
    return rows


def memory(binary):
    env = mpi_env()
    rows = []
    for what, args in (("empty range [0, 1] (the MPI runtime alone)", ["0", "1"]),
                       ("[2^64-1e9, 2^64-1]", MEMORY_RANGE[0])):
        _, out = run(["mpirun", "-np", "2", binary, "--count", "--json"] + args, env)
        per = [r["max_rss_kib"] for r in json.loads(out)["per_rank"]]
        rows.append((what, per))
    theirs = peak_rss_kib(["primesieve"] + MEMORY_RANGE[1] + ["--count", "-q"])
    print(f"memory: {rows}, primesieve {theirs} KiB", flush=True)
    return rows, theirs


def listing(build, binary, runs):
    """The cost of turning the sieve into primes: the sieve alone (no MPI)
    counting and listing [2, 1e9] and [2, 1e10], and the default mode
    (primes gathered at rank 0) under mpirun."""
    sieve_time = os.path.join(build, "bench", "sieve_time")
    rows = []
    for stop in ("1e9", "1e10"):
        for extra in ([], ["--list"]):
            ts = []
            for _ in range(runs):
                _, out = run([sieve_time, "0", stop] + extra)
                ts.append(float(out.split("seconds")[-1]))
            rows.append((" ".join(["bench/sieve_time", "0", stop] + extra),
                         statistics.median(ts)))
            print(f"{rows[-1][0]}: {rows[-1][1]:.3f} s", flush=True)
    ts = []
    for _ in range(runs):
        t, _ = run(["mpirun", "-np", "2", binary, "-q", "1e9"], mpi_env())
        ts.append(t)
    rows.append(("mpirun -np 2 mpprimes -q 1e9 (default mode: gathered at rank 0)",
                 statistics.median(ts)))
    print(f"{rows[-1][0]}: {rows[-1][1]:.3f} s", flush=True)
    return rows


def timed_to(cmd, path, env=None):
    """Wall time of CMD with its stdout on PATH (opened, and so truncated,
    inside the timing, as a shell's `> PATH` is)."""
    t0 = time.perf_counter()
    with open(path, "wb") as f:
        subprocess.run(cmd, env=env, check=True, stdout=f, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def same_files(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def same_as_primesieve(path, args):
    """PATH holds exactly `primesieve ARGS --print`, streamed (no copy)."""
    p = subprocess.Popen(["primesieve"] + args + ["--print"], stdout=subprocess.PIPE)
    ok = True
    with open(path, "rb") as f:
        while True:
            x = p.stdout.read(1 << 20)
            y = f.read(len(x)) if x else f.read(1)
            if x != y:
                ok = False
                break
            if not x:
                break
    p.stdout.close()
    p.wait()
    return ok


def listing_targets(build, binary, runs, stop="1e9"):
    rows = []
    places = [("disk", os.path.abspath(build))]
    if os.path.isdir("/dev/shm"):
        places.append(("tmpfs /dev/shm", "/dev/shm"))
    for where, d in places:
        mine, theirs = os.path.join(d, "bench-mpprimes.txt"), os.path.join(d, "bench-ps.txt")
        a, b = [], []
        for _ in range(runs):
            subprocess.run(["sync"])
            a.append(run(["mpirun", "-np", "2", binary, "-q", "--output", mine, stop],
                         mpi_env())[0])
            subprocess.run(["sync"])
            b.append(timed_to(["primesieve", stop, "--print"], theirs))
        if not same_files(mine, theirs):
            sys.exit(f"bench.py: --output {stop} on {where} differs from primesieve's listing")
        for f in (mine, theirs):
            os.remove(f)
        rows.append(dict(what=f"--output F {stop}, F on the {where}, 2 ranks",
                         mine=f"mpirun -np 2 mpprimes --output F {stop}",
                         theirs=f"primesieve {stop} --print > F", a=statistics.median(a),
                         b=statistics.median(b), target=0.7))
        print(f"{rows[-1]['what']}: {rows[-1]['a']:.3f} s vs {rows[-1]['b']:.3f} s", flush=True)
    a, a1, b = [], [], []
    for _ in range(runs):
        subprocess.run(["sync"])
        a.append(timed_to(["mpirun", "-np", "2", binary, "-q", "--print", stop], os.devnull,
                          mpi_env()))
        env = mpi_env()
        env["MPPRIMES_DIRECT_STDOUT"] = "0"
        a1.append(timed_to(["mpirun", "-np", "2", binary, "-q", "--print", stop], os.devnull,
                           env))
        b.append(timed_to(["primesieve", stop, "--print"], os.devnull))
    rows.append(dict(what=f"--print {stop} > /dev/null, 2 ranks",
                     mine=f"mpirun -np 2 mpprimes --print {stop} > /dev/null",
                     theirs=f"primesieve {stop} --print > /dev/null", a=statistics.median(a),
                     a1=statistics.median(a1), b=statistics.median(b), target=1.0))
    print(f"{rows[-1]['what']}: {rows[-1]['a']:.3f} s (forwarded {rows[-1]['a1']:.3f} s) vs "
          f"{rows[-1]['b']:.3f} s", flush=True)
    return rows


def listing_memory(build, binary, stop="1e10"):
    """Every rank's peak RSS listing [2, STOP] at 2 ranks: the default mode,
    and --output (its file checked against primesieve's listing)."""
    rows = []
    _, out = run(["mpirun", "-np", "2", binary, "--json", stop], mpi_env())
    rep = json.loads(out)
    rows.append(("default mode (gathered at rank 0)", f"mpirun -np 2 mpprimes {stop}",
                 [r["max_rss_kib"] for r in rep["per_rank"]], rep["rounds"], None))
    path = os.path.join(os.path.abspath(build), "bench-listing.txt")
    _, out = run(["mpirun", "-np", "2", binary, "--json", "--output", path, stop], mpi_env())
    rep = json.loads(out)
    same = same_as_primesieve(path, [stop])
    os.remove(path)
    if not same:
        sys.exit(f"bench.py: --output {stop} differs from primesieve's listing")
    rows.append(("--output F", f"mpirun -np 2 mpprimes --output F {stop}",
                 [r["max_rss_kib"] for r in rep["per_rank"]], rep["rounds"], same))
    for r in rows:
        print(f"memory listing [2, {stop}], {r[0]}: {r[2]} KiB, {r[3]} rounds", flush=True)
    return rows


def baselines(build, binary, runs):
    env = mpi_env()
    here = os.path.dirname(os.path.abspath(__file__))
    rows = []

    def timed_rows(label, cmd, count_of, want, env=None, n_runs=runs):
        ts = []
        for _ in range(n_runs):
            t, out = run(cmd, env)
            ts.append(t)
            got = count_of(out)
            if got != want:
                sys.exit(f"bench.py: {label}: counted {got}, want {want}")
        shown = " ".join(["python3" if c == sys.executable else c for c in cmd])
        rows.append((label, shown.replace(here + "/", "bench/").replace(binary, "mpprimes"),
                     statistics.median(ts)))
        print(f"{label}: {rows[-1][2]:.3f} s", flush=True)

    def seed_count(out):  # "primes COUNT seconds T"
        m = re.search(r"^primes (\d+) seconds", out, re.M)
        return int(m.group(1)) if m else None

    def textbook_count(out):  # "primes N COUNT seconds T"
        m = re.search(r"^primes \d+ (\d+) seconds", out, re.M)
        return int(m.group(1)) if m else None

    py = sys.executable
    for name, label in (("primes_serial.py", "Python, serial trial division"),
                        ("primes_pool.py", "Python, Pool(4) trial division"),
                        ("primes_process.py", "Python, 4 Processes, block decomposition")):
        timed_rows(f"{label}, n = 10^6", [py, os.path.join(here, "seeds", name), "1000000"],
                   seed_count, 78498, n_runs=min(runs, 3))
    for np in (1, 2):
        timed_rows(f"mpprimes --method trial, n = 10^6, {np} rank{'s' * (np > 1)}",
                   ["mpirun", "-np", str(np), binary, "--count", "--method", "trial", "1e6"],
                   mpprimes_count, 78498, env)
    timed_rows("mpprimes (sieve), n = 10^6, 2 ranks",
               ["mpirun", "-np", "2", binary, "--count", "1e6"], mpprimes_count, 78498, env)
    textbook = os.path.join(build, "bench", "textbook_sieve")
    for np in (1, 2):
        timed_rows(f"textbook MPI sieve, n = 10^9, {np} rank{'s' * (np > 1)}",
                   ["mpirun", "-np", str(np), textbook, "1000000000"], textbook_count,
                   50847534, env)
        timed_rows(f"mpprimes --count, n = 10^9, {np} rank{'s' * (np > 1)}",
                   ["mpirun", "-np", str(np), binary, "--count", "1e9"], mpprimes_count,
                   50847534, env)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default="docs/benchmarks.md")
    ap.add_argument("--only", help="run only the comparisons whose description contains this")
    ap.add_argument("--skip-baselines", action="store_true",
                    help="skip the listing costs and the baselines")
    ap.add_argument("--skip-listing", action="store_true",
                    help="skip the listing targets and their memory (issue 4)")
    ap.add_argument("--listing-stop", default="1e9",
                    help="STOP of the listing targets (issue 4 says 1e9)")
    ap.add_argument("--memory-stop", default="1e10",
                    help="STOP of the listing memory rows (issue 4 says 1e10)")
    args = ap.parse_args()
    ensure_primesieve()
    binary = os.path.abspath(os.path.join(args.build, "mpprimes"))
    cases = [c for c in TARGETS + EXTRA if not args.only or args.only in c[0]]
    rows = compare(cases, binary, args.runs)
    mem, theirs_mem = memory(binary)
    ltargets = [] if args.skip_listing else listing_targets(args.build, binary, args.runs,
                                                            args.listing_stop)
    lmem = [] if args.skip_listing else listing_memory(args.build, binary, args.memory_stop)
    lists = [] if args.skip_baselines else listing(args.build, binary, args.runs)
    base = [] if args.skip_baselines else baselines(args.build, binary, args.runs)

    notes = ""  # a hand-written "## Notes" section is kept across runs
    if os.path.exists(args.out):
        with open(args.out) as f:
            text = f.read()
        if "\n## Notes" in text:
            notes = text[text.index("\n## Notes"):]
    with open(args.out, "w") as f:
        f.write("# Benchmarks\n\n")
        f.write("Written by `python3 bench/bench.py` (median wall time of "
                f"{args.runs} alternating runs of each command, mpirun start-up "
                "included; every count checked against primesieve's).\n\n")
        f.write(f"- Date: {datetime.date.today().isoformat()}\n")
        f.write(f"- Machine: {machine()}\n")
        f.write(f"- mpprimes: {version([binary, '--version'])}; "
                f"{version(['primesieve', '--version'])}; "
                f"{version(['mpirun', '--version'])}\n\n")
        f.write("## mpprimes against primesieve\n\n")
        f.write("\"mpprimes\" is the command as users run it; \"Open MPI's selection\" the same "
                "command with `MPPRIMES_KEEP_MPI_ENV=1`, which leaves the choice of transport "
                "to Open MPI (see the notes).\n\n")
        f.write("| work | mpprimes command | mpprimes s | Open MPI's selection s | primesieve "
                "command | primesieve s | ratio | ratio, Open MPI's selection | target |\n")
        f.write("|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            target = f"{r['target']:.2f}x" if r["target"] else "-"
            f.write(f"| {r['what']} | `{r['mine']}` | {r['a']:.3f} | {r['a1']:.3f} | "
                    f"`{r['theirs']}` | {r['b']:.3f} | {r['a'] / r['b']:.2f} | "
                    f"{r['a1'] / r['b']:.2f} | {target} |\n")
        f.write("\n## Memory\n\n")
        f.write("Peak RSS per rank (`max_rss_kib` in the JSON report) at 2 ranks, and "
                "primesieve's peak RSS (`--threads=2`) for the same range.\n\n")
        f.write("| range | rank 0 KiB | rank 1 KiB | primesieve KiB |\n|---|---|---|---|\n")
        for what, per in mem:
            ps = str(theirs_mem) if "2^64" in what else "-"
            f.write(f"| {what} | {per[0]} | {per[1]} | {ps} |\n")
        if ltargets:
            f.write("\n## Listing targets: --output and --print against primesieve --print\n\n")
            f.write("Each round of runs: `sync`, then mpprimes replacing its own file from "
                    "the previous round, `sync`, then primesieve replacing its own; the two "
                    "files compared byte for byte afterwards. \"forwarded\" is the same "
                    "command with `MPPRIMES_DIRECT_STDOUT=0` (rank 0's stdout through "
                    "mpirun's forwarding).\n\n")
            f.write("| work | mpprimes command | mpprimes s | primesieve command | "
                    "primesieve s | ratio | target |\n|---|---|---|---|---|---|---|\n")
            for r in ltargets:
                extra = f" (forwarded: {r['a1']:.3f})" if "a1" in r else ""
                f.write(f"| {r['what']} | `{r['mine']}` | {r['a']:.3f}{extra} | "
                        f"`{r['theirs']}` | {r['b']:.3f} | {r['a'] / r['b']:.2f} | "
                        f"{r['target']:.1f}x |\n")
        if lmem:
            f.write(f"\n## Listing memory: [2, {args.memory_stop}] at 2 ranks\n\n")
            f.write("Peak RSS of every rank (`max_rss_kib`), default --buffer (64 MiB); "
                    "target: under 128 MiB (131072 KiB) on every rank.\n\n")
            f.write("| mode | command | rounds | rank 0 KiB | rank 1 KiB | file |\n"
                    "|---|---|---|---|---|---|\n")
            for what, cmd, per, rounds, same in lmem:
                ok = "-" if same is None else ("identical to primesieve's" if same else "DIFFERS")
                f.write(f"| {what} | `{cmd}` | {rounds} | {per[0]} | {per[1]} | {ok} |\n")
        if lists:
            f.write("\n## Listing primes\n\n")
            f.write("The sieve alone (`bench/sieve_time`, no MPI, one core) counting with "
                    "popcount and listing every prime into a checksumming sink; then the "
                    "default mode under mpirun.\n\n| command | s |\n|---|---|\n")
            for cmd, t in lists:
                f.write(f"| `{cmd}` | {t:.3f} |\n")
        if base:
            f.write("\n## Baselines: the original Python examples and the textbook MPI sieve\n\n")
            f.write("| work | command | s |\n|---|---|---|\n")
            for label, cmd, t in base:
                f.write(f"| {label} | `{cmd}` | {t:.3f} |\n")
        f.write(notes if notes else "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
