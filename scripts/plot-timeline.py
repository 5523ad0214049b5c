#!/usr/bin/env python3
"""Draws the timeline of an mpprimes run, without a browser.

    mpirun -np 4 mpprimes -m trial -d dynamic --timeline trace.json 1e7
    python3 scripts/plot-timeline.py trace.json timeline.png [--title TEXT]

TRACE is what --timeline wrote (the Chrome trace event format; it also
opens in https://ui.perfetto.dev). OUT ends in .png (pngcairo) or .svg:
one lane per rank, top to bottom, with each span of its compute, its
communication (time inside MPI calls, waiting included) and its I/O as a
bar on one time axis; what no bar covers is time the rank spent between
them. gnuplot draws it (Debian: gnuplot-nox).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

# (category, label, colour), drawn in this order: the short comm and io spans
# over compute.
CATEGORIES = [("compute", "compute", "#3182bd"),
              ("comm", "communication (MPI)", "#fd8d3c"),
              ("io", "I/O", "#de2d26")]
HALF = 0.35  # half the height of a lane's bars


def load(path):
    """(lanes, spans): lanes[pid] = its name; spans = [(pid, cat, start_ms,
    end_ms)] of the complete events."""
    with open(path) as f:
        trace = json.load(f)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    lanes, spans = {}, []
    for e in events:
        if e.get("ph") == "M" and e.get("name") == "process_name":
            lanes[e["pid"]] = e["args"]["name"]
        elif e.get("ph") == "X":
            start = e["ts"] / 1000.0
            spans.append((e["pid"], e.get("cat", "comm"), start, start + e["dur"] / 1000.0))
            lanes.setdefault(e["pid"], f"rank {e['pid']}")
    return lanes, spans


def script(out, lanes, files, title, width, height):
    """The gnuplot program that draws FILES (category -> data file) to OUT."""
    svg = out.lower().endswith(".svg")
    order = sorted(lanes)
    row = {pid: i for i, pid in enumerate(order)}
    ytics = ", ".join(f'"{lanes[pid]}" {row[pid]}' for pid in order)
    lines = [
        f'set terminal {"svg" if svg else "pngcairo"} noenhanced size {width},{height} '
        'font ",11"',
        f"set output {json.dumps(out)}",
        f"set title {json.dumps(title)}" if title else "unset title",
        'set xlabel "time since rank 0 started (ms)"',
        f"set ytics ({ytics})",
        f"set yrange [{len(order) - 0.5}:-0.5]",
        "set xrange [0:*]",
        "set style fill solid 1.0 noborder",
        "set grid xtics",
        "set key below horizontal",
        "set bmargin 5",
    ]
    plots = []
    for cat, label, colour in CATEGORIES:
        if cat in files:
            plots.append(f'{json.dumps(files[cat])} using (($1+$2)/2):3:1:2:($3-{HALF}):'
                         f'($3+{HALF}) with boxxyerror lc rgb "{colour}" title "{label}"')
    lines.append("plot " + ", \\\n     ".join(plots))
    return "\n".join(lines) + "\n", row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trace", help="the file --timeline wrote")
    ap.add_argument("out", help="the picture: NAME.png or NAME.svg")
    ap.add_argument("--title", default="", help="a title above the lanes")
    ap.add_argument("--width", type=int, default=1000)
    ap.add_argument("--height", type=int, default=0,
                    help="pixels (default: 120 + 40 per rank)")
    args = ap.parse_args()
    if not args.out.lower().endswith((".png", ".svg")):
        sys.exit("plot-timeline.py: OUT must end in .png or .svg")
    if not shutil.which("gnuplot"):
        sys.exit("plot-timeline.py: gnuplot is missing (apt-get install gnuplot-nox)")
    try:
        lanes, spans = load(args.trace)
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"plot-timeline.py: {args.trace}: not a trace of mpprimes --timeline ({e})")
    if not spans:
        sys.exit(f"plot-timeline.py: {args.trace}: no spans to draw")
    height = args.height or 120 + 40 * len(lanes)
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for cat, _, _ in CATEGORIES:
            mine = [s for s in spans if s[1] == cat]
            if mine:
                files[cat] = os.path.join(tmp, f"{cat}.dat")
        program, row = script(args.out, lanes, files, args.title, args.width, height)
        for cat, path in files.items():
            with open(path, "w") as f:
                for pid, c, start, end in spans:
                    if c == cat:
                        f.write(f"{start:.6f} {end:.6f} {row[pid]}\n")
        done = subprocess.run(["gnuplot"], input=program, text=True, capture_output=True)
        if done.returncode != 0:
            sys.exit(f"plot-timeline.py: gnuplot failed: {done.stderr.strip()}")
    print(f"plot-timeline.py: {len(spans)} spans of {len(lanes)} ranks drawn in {args.out}")


if __name__ == "__main__":
    main()
