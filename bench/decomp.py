#!/usr/bin/env python3
"""Measures the decompositions (issue 6's targets) and writes their tables.

    python3 bench/decomp.py [--build build] [--runs 5] [--ranks 4]
                            [--out docs/decomp-results.md]

For each study, every decomposition (block, balanced, cyclic, dynamic) runs
--runs times, round robin so that all see the same machine state:
`mpirun -np RANKS mpprimes --count --json --compare -m METHOD -d D RANGE`.
Each row gives the medians of the run's imbalance (max / mean of the ranks'
cpu_s, the CPU time of the compute step), elapsed_s, the serial time of
--compare (rank 0 alone over the same range, in the same job), the speedup
(serial_s / elapsed_s) and the parallel efficiency (speedup / ranks), and
the per-rank cpu_s of the median run by imbalance. Every count is checked
against primesieve's.

Targets (issue 6), trial division on [2, 1e7] at 4 ranks: block's imbalance
above 1.3, balanced's and dynamic's below 1.1. The script exits 1 when a
target is missed, so that a regression is seen.

On a machine with fewer cores than ranks the ranks share cores
(--oversubscribe): elapsed_s and speedup then show the sharing, while
imbalance, from CPU time, still shows the work each rank was given.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import machine, mpi_env, version  # noqa: E402

DECOMPOSITIONS = ["block", "balanced", "cyclic", "dynamic"]

# (title, method, range, targets {decomposition: (op, bound)})
STUDIES = [
    ("trial division, [2, 1e7]", "trial", ["1e7"],
     {"block": (">", 1.3), "balanced": ("<", 1.1), "dynamic": ("<", 1.1)}),
    ("sieve, [2, 1e10]", "sieve", ["1e10"], {}),
    ("sieve, [1e18, 1e18+1e9]", "sieve", ["1e18", "1e18+1e9"], {}),
]


def primesieve_count(rng):
    args = ["primesieve", "--count", "--quiet"] + (rng if len(rng) == 2 else ["2", rng[0]])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1])


def one_run(binary, ranks, method, decomposition, rng):
    cmd = ["mpirun", "-np", str(ranks), binary, "--count", "--json", "--compare",
           "-m", method, "-d", decomposition] + rng
    p = subprocess.run(cmd, env=mpi_env(), check=True, capture_output=True, text=True)
    return json.loads(p.stdout)


def study(binary, ranks, runs, title, method, rng, targets):
    want = primesieve_count(rng)
    reports = {d: [] for d in DECOMPOSITIONS}
    for _ in range(runs):
        for d in DECOMPOSITIONS:
            rep = one_run(binary, ranks, method, d, rng)
            if rep["count"] != want:
                sys.exit(f"decomp.py: {d} counted {rep['count']}, primesieve {want}")
            reports[d].append(rep)
    rows, missed = [], []
    for d in DECOMPOSITIONS:
        reps = reports[d]
        med = lambda key: statistics.median(r[key] for r in reps)  # noqa: E731
        by_imbalance = sorted(reps, key=lambda r: r["imbalance"])
        middle = by_imbalance[len(by_imbalance) // 2]
        row = {
            "decomposition": d,
            "imbalance": med("imbalance"),
            "elapsed_s": med("elapsed_s"),
            "serial_s": med("serial_s"),
            "speedup": med("speedup"),
            "efficiency": med("efficiency"),
            "cpu": [r["cpu_s"] for r in middle["per_rank"]],
            "chunks": [r["chunks"] for r in middle["per_rank"]],
            "chunk": middle["chunk"],
        }
        if d in targets:
            op, bound = targets[d]
            ok = row["imbalance"] > bound if op == ">" else row["imbalance"] < bound
            row["target"] = f"{op} {bound}: {'met' if ok else 'MISSED'}"
            if not ok:
                missed.append(f"{title}, {d}: imbalance {row['imbalance']:.2f}, target {op} {bound}")
        rows.append(row)
    return rows, missed


def bars(cpu, width=30):
    top = max(cpu) or 1
    return ["`" + "=" * round(c / top * width) + " " * (width - round(c / top * width)) +
            f"` {c:.3f}" for c in cpu]


def write(out, ranks, runs, results, binary):
    with open(out, "w") as f:
        f.write("# Decompositions: measured\n\n")
        f.write("Written by `python3 bench/decomp.py` (see its docstring); "
                f"`mpirun -np {ranks} mpprimes --count --json --compare -m METHOD -d D RANGE`, "
                f"{runs} runs of each decomposition, round robin; medians.\n\n")
        f.write(f"- Machine: {machine()}\n- {version([binary, '--version'])}, "
                f"{version(['mpirun', '--version'])}\n")
        if ranks > (os.cpu_count() or 1):
            f.write(f"- {ranks} ranks on {os.cpu_count()} cores: the ranks share cores "
                    "(--oversubscribe). `imbalance` comes from each rank's CPU time of the "
                    "compute step (`cpu_s`), so it shows the work each rank was given; "
                    "elapsed, speedup and efficiency show the sharing too.\n")
        f.write("\n")
        for title, rows in results:
            f.write(f"## {title}, {ranks} ranks\n\n")
            f.write("| decomposition | imbalance | target | elapsed_s | serial_s | speedup | "
                    "efficiency | chunks per rank |\n|---|---|---|---|---|---|---|---|\n")
            for r in rows:
                f.write(f"| {r['decomposition']} | {r['imbalance']:.2f} | "
                        f"{r.get('target', '')} | {r['elapsed_s']:.3f} | {r['serial_s']:.3f} | "
                        f"{r['speedup']:.2f} | {r['efficiency']:.2f} | "
                        f"{', '.join(str(c) for c in r['chunks'])} |\n")
            f.write("\nPer-rank cpu_s of the median run (by imbalance):\n\n")
            for r in rows:
                f.write(f"{r['decomposition']}:\n\n")
                for i, line in enumerate(bars(r["cpu"])):
                    f.write(f"    rank {i}  {line}\n".replace("`", ""))
                f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ranks", type=int, default=4)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "docs", "decomp-results.md"))
    ap.add_argument("--only", help="run only the studies whose title contains this text")
    args = ap.parse_args()
    binary = os.path.abspath(os.path.join(args.build, "mpprimes"))
    results, missed = [], []
    for title, method, rng, targets in STUDIES:
        if args.only and args.only not in title:
            continue
        print(f"decomp.py: {title} ...", flush=True)
        rows, m = study(binary, args.ranks, args.runs, title, method, rng, targets)
        results.append((title, rows))
        missed += m
        for r in rows:
            print(f"  {r['decomposition']:9s} imbalance {r['imbalance']:.2f}  elapsed "
                  f"{r['elapsed_s']:.3f}  speedup {r['speedup']:.2f}  {r.get('target', '')}",
                  flush=True)
    write(args.out, args.ranks, args.runs, results, binary)
    for m in missed:
        print(f"decomp.py: target missed: {m}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
