#!/usr/bin/env python3
"""Strong and weak scaling studies of mpprimes, with CSV and gnuplot plots.

    python3 bench/scaling.py [--binary build/mpprimes] [--max-ranks P]
                             [--strong 1e11] [--weak 1e10] [--method sieve]
                             [--repeats 3] [--out-dir docs/scaling/NAME]
    python3 bench/scaling.py --from-strong strong.csv [--from-weak weak.csv]
                             --out-dir DIR      # plots from CSV rows only

Strong scaling: the same range ([2, --strong], counted) at 1, 2, ..., P
ranks (P: --max-ranks, default the core count). Weak scaling: [2, N x
--weak] at N ranks, so each rank gets about --weak numbers. Every run is
`mpirun -np N mpprimes --count --json --csv OUT/strong.csv ...`: the CSV
rows are mpprimes's own (`--csv`, one row per run, the columns listed in
README.md), the same rows slurm/strong-scaling.sbatch and
slurm/weak-scaling.sbatch write on a cluster, so --from-strong/--from-weak
draw a cluster's study with the same code. The runs of one study go round
robin over the rank counts, --repeats times, so that a drift of the machine
spreads over all of them; the figures are medians.

Time is mpprimes's elapsed_s (from the first rank's start to the last
rank's end, MPI start-up excluded). Speedup(N) = T(1) / T(N) and strong
efficiency = speedup / N; weak efficiency = T(1) / T(N). Every count is
checked: the same at every rank count, and equal to primesieve's when
primesieve is installed.

Writes into --out-dir:
  strong.csv, weak.csv            every run, as mpprimes --csv wrote it
  strong.dat, weak.dat            per rank count: median, min, max of
                                  elapsed_s, speedup, efficiency (gnuplot)
  per-rank.dat                    the per-rank compute_s and comm_s of the
                                  median strong run at P ranks
  speedup.png, efficiency.png,    the plots (gnuplot, pngcairo)
  per-rank.png
  summary.md                      the tables, in Markdown, for docs/scaling.md
"""
import argparse
import csv
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (machine description and MPI environment)


def parse_number(text):
    """A plain or e-notation number (1e11, 5e9, 1000000) as an int."""
    value = float(text) if any(c in text for c in "eE.") else int(text)
    if value != int(value) or value < 2 or value >= 2**53:
        raise argparse.ArgumentTypeError(f"not a whole number in [2, 2^53): {text}")
    return int(value)


def short(n):
    """1e11 for 10^11, 3e9 for 3 x 10^9; other numbers as they are."""
    mant, exp = n, 0
    while mant % 10 == 0 and mant >= 10:
        mant, exp = mant // 10, exp + 1
    return f"{mant}e{exp}" if exp >= 3 else str(n)


def run_once(args, n, start, stop, csv_path):
    """One mpprimes run at N ranks; returns its JSON report."""
    cmd = [args.mpiexec, "-np", str(n), args.binary, "--count", "--json", "--csv", csv_path,
           "--method", args.method, str(start), str(stop)]
    p = subprocess.run(cmd, env=bench.mpi_env(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=args.timeout)
    if p.returncode != 0:
        sys.exit(f"scaling.py: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return json.loads(p.stdout)


def reference_count(start, stop, method_counts):
    """primesieve's count of [START, STOP], or None without primesieve."""
    if not shutil.which("primesieve"):
        return None
    if (start, stop) not in method_counts:
        out = subprocess.run(["primesieve", str(start), str(stop), "--count", "--quiet"],
                             capture_output=True, text=True, check=True).stdout
        method_counts[(start, stop)] = int(out.split()[-1])
    return method_counts[(start, stop)]


def study(args, kind, ranks, range_for):
    """Runs one study; returns {n: [json report, ...]}."""
    csv_path = os.path.join(args.out_dir, f"{kind}.csv")
    if os.path.exists(csv_path):
        os.remove(csv_path)
    reports = {n: [] for n in ranks}
    known = {}
    for i in range(args.repeats):
        for n in ranks:
            start, stop = range_for(n)
            t0 = time.perf_counter()
            rep = run_once(args, n, start, stop, csv_path)
            wall = time.perf_counter() - t0
            want = reference_count(start, stop, known)
            if rep["ranks"] != n or (want is not None and rep["count"] != want):
                sys.exit(f"scaling.py: wrong result at {n} ranks: {rep['ranks']} ranks, "
                         f"count {rep['count']} (primesieve: {want})")
            reports[n].append(rep)
            print(f"  {kind} {i + 1}/{args.repeats}: {n:3d} ranks [{start}, {stop}] "
                  f"{rep['elapsed_s']:.3f} s (mpirun {wall:.2f} s)", flush=True)
    return reports


def summarize(rows, weak):
    """Per rank count, from CSV rows: the figures of strong.dat/weak.dat."""
    by_n = {}
    for row in rows:
        by_n.setdefault(int(row["ranks"]), []).append(row)
    if 1 not in by_n:
        sys.exit("scaling.py: no run at 1 rank, which every speedup is relative to")
    counts = {n: {int(r["count"]) for r in rs} for n, rs in by_n.items()}
    stops = {n: {int(r["stop"]) for r in rs} for n, rs in by_n.items()}
    for n in by_n:
        if len(counts[n]) != 1 or len(stops[n]) != 1:
            sys.exit(f"scaling.py: the runs at {n} ranks differ in range or count")
    if not weak and len({c for s in counts.values() for c in s}) != 1:
        sys.exit("scaling.py: the strong study's counts differ between rank counts")
    t1 = statistics.median(float(r["elapsed_s"]) for r in by_n[1])
    out = []
    for n in sorted(by_n):
        times = [float(r["elapsed_s"]) for r in by_n[n]]
        med = statistics.median(times)
        speedup = t1 / med
        out.append({"ranks": n, "stop": stops[n].pop(), "runs": len(times), "median_s": med,
                    "min_s": min(times), "max_s": max(times),
                    "speedup": speedup if not weak else None,
                    "efficiency": speedup / n if not weak else t1 / med})
    return out


def write_dat(path, summary, weak):
    with open(path, "w") as f:
        f.write("# ranks stop runs median_s min_s max_s speedup efficiency\n")
        for s in summary:
            sp = "nan" if weak else f"{s['speedup']:.4f}"
            f.write(f"{s['ranks']} {s['stop']} {s['runs']} {s['median_s']:.6f} {s['min_s']:.6f} "
                    f"{s['max_s']:.6f} {sp} {s['efficiency']:.4f}\n")


def write_per_rank(path, rep):
    with open(path, "w") as f:
        f.write(f"# the median strong run at {rep['ranks']} ranks, [{rep['start']}, "
                f"{rep['stop']}], elapsed_s {rep['elapsed_s']:.6f}\n")
        f.write("# rank host compute_s comm_s\n")
        for r in rep["per_rank"]:
            f.write(f"{r['rank']} {r['host']} {r['compute_s']:.6f} {r['comm_s']:.6f}\n")


GNUPLOT = """\
set terminal pngcairo noenhanced size 800,500 font ",11"
set grid
set key top left
set xlabel "ranks"
set xrange [0.5:{pmax}+0.5]
set xtics 1
{xtics_every}
set output "{out}/speedup.png"
set title "Strong scaling: speedup, {strong_title}"
set ylabel "speedup T(1) / T(N)"
set yrange [0:{pmax}+0.5]
plot x title "ideal" with lines dashtype 2 lc rgb "gray40", \\
     "{out}/strong.dat" using 1:7 title "mpprimes ({name})" with linespoints pt 7 lc rgb "#1f77b4"
set output "{out}/efficiency.png"
set title "Parallel efficiency, {name}"
set ylabel "efficiency"
set yrange [0:1.2]
set key bottom left
plot 1 title "ideal" with lines dashtype 2 lc rgb "gray40", \\
     "{out}/strong.dat" using 1:8 title "strong: {strong_title}" with linespoints pt 7 lc rgb "#1f77b4"{weak_plot}
"""

GNUPLOT_PER_RANK = """\
reset
set terminal pngcairo noenhanced size 800,500 font ",11"
set output "{out}/per-rank.png"
set title "Per-rank time, {title}"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set grid ytics
set key outside bottom center horizontal
set xlabel "rank"
set ylabel "seconds"
set yrange [0:*]
plot "{out}/per-rank.dat" using 3:xtic(1) title "compute_s" lc rgb "#1f77b4", \\
     "" using 4 title "comm_s (waiting included)" lc rgb "#ff7f0e"
"""


def plot(out_dir, name, pmax, strong_title, weak_title, have_weak, have_per_rank, per_rank_title):
    if not shutil.which("gnuplot"):
        sys.exit("scaling.py: gnuplot is missing (apt-get install gnuplot-nox), or use --no-plots")
    weak_plot = ""
    if have_weak:
        weak_plot = (f", \\\n     \"{out_dir}/weak.dat\" using 1:8 title \"weak: {weak_title}\""
                     " with linespoints pt 5 lc rgb \"#d62728\"")
    script = GNUPLOT.format(out=out_dir, name=name, pmax=pmax, strong_title=strong_title,
                            weak_plot=weak_plot,
                            xtics_every="set xtics 2" if pmax > 16 else "")
    if have_per_rank:
        script += GNUPLOT_PER_RANK.format(out=out_dir, title=per_rank_title)
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def markdown(summary_strong, summary_weak, args_line, machine):
    lines = [f"Machine: {machine}", "", f"Command: `{args_line}`", ""]
    if summary_strong:
        lines += ["Strong scaling, [2, %d], median of %d runs:" %
                  (summary_strong[0]["stop"], summary_strong[0]["runs"]), "",
                  "| ranks | elapsed_s (median) | min | max | speedup | efficiency |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for s in summary_strong:
            lines.append(f"| {s['ranks']} | {s['median_s']:.3f} | {s['min_s']:.3f} | "
                         f"{s['max_s']:.3f} | {s['speedup']:.2f} | {s['efficiency']:.2f} |")
        lines.append("")
    if summary_weak:
        lines += ["Weak scaling, [2, N x %d] at N ranks, median of %d runs:" %
                  (summary_weak[0]["stop"], summary_weak[0]["runs"]), "",
                  "| ranks | stop | elapsed_s (median) | min | max | efficiency |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for s in summary_weak:
            lines.append(f"| {s['ranks']} | {s['stop']} | {s['median_s']:.3f} | "
                         f"{s['min_s']:.3f} | {s['max_s']:.3f} | {s['efficiency']:.2f} |")
        lines.append("")
    return "\n".join(lines)


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"scaling.py: {path} has no rows")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default="build/mpprimes")
    ap.add_argument("--mpiexec", default="mpirun")
    ap.add_argument("--max-ranks", type=int, default=os.cpu_count())
    ap.add_argument("--strong", type=parse_number, default=10**11,
                    help="the strong study counts [2, STRONG] (default 1e11)")
    ap.add_argument("--weak", type=parse_number, default=10**10,
                    help="numbers per rank in the weak study (default 1e10)")
    ap.add_argument("--method", default="sieve", choices=["sieve", "trial"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600, help="seconds per run")
    ap.add_argument("--out-dir", default="docs/scaling/local")
    ap.add_argument("--name", default=None, help="the machine's name in the plots")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--skip-weak", action="store_true")
    ap.add_argument("--from-strong", help="plot this CSV (a strong study's rows) instead")
    ap.add_argument("--from-weak", help="and this CSV (a weak study's rows)")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    name = args.name or os.uname().nodename
    per_rank_rep = None

    if args.from_strong:
        strong_rows = read_csv(args.from_strong)
        weak_rows = read_csv(args.from_weak) if args.from_weak else None
        machine = f"from {args.from_strong}" + (f" and {args.from_weak}" if weak_rows else "")
        args_line = "python3 bench/scaling.py " + shlex.join(sys.argv[1:])
    else:
        if args.max_ranks < 1:
            sys.exit("scaling.py: --max-ranks must be at least 1")
        if args.max_ranks > os.cpu_count():
            print(f"scaling.py: warning: {args.max_ranks} ranks on {os.cpu_count()} cores: "
                  "oversubscribed ranks share cores, so the timings mean little",
                  file=sys.stderr)
        ranks = list(range(1, args.max_ranks + 1))
        machine = bench.machine()
        args_line = "python3 bench/scaling.py " + shlex.join(sys.argv[1:])
        print(f"strong scaling: [2, {args.strong}] at 1..{args.max_ranks} ranks", flush=True)
        strong = study(args, "strong", ranks, lambda n: (2, args.strong))
        top = sorted(strong[args.max_ranks], key=lambda r: r["elapsed_s"])
        per_rank_rep = top[len(top) // 2]
        strong_rows = read_csv(os.path.join(args.out_dir, "strong.csv"))
        weak_rows = None
        if not args.skip_weak:
            print(f"weak scaling: [2, N x {args.weak}] at N = 1..{args.max_ranks} ranks",
                  flush=True)
            study(args, "weak", ranks, lambda n: (2, n * args.weak))
            weak_rows = read_csv(os.path.join(args.out_dir, "weak.csv"))

    s_strong = summarize(strong_rows, weak=False)
    write_dat(os.path.join(args.out_dir, "strong.dat"), s_strong, weak=False)
    s_weak = None
    if weak_rows:
        s_weak = summarize(weak_rows, weak=True)
        write_dat(os.path.join(args.out_dir, "weak.dat"), s_weak, weak=True)
    if per_rank_rep:
        write_per_rank(os.path.join(args.out_dir, "per-rank.dat"), per_rank_rep)
    pmax = max(s["ranks"] for s in s_strong)
    if not args.no_plots:
        weak_title = f"[2, N x {short(s_weak[0]['stop'])}]" if s_weak else ""
        plot(args.out_dir, name, pmax, f"[2, {short(s_strong[0]['stop'])}]", weak_title,
             s_weak is not None, per_rank_rep is not None,
             f"{per_rank_rep['ranks']} ranks, {name}" if per_rank_rep else "")
    md = markdown(s_strong, s_weak, args_line, machine)
    with open(os.path.join(args.out_dir, "summary.md"), "w") as f:
        f.write(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
