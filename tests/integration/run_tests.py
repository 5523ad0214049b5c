#!/usr/bin/env python3
"""mpirun integration tests for mpprimes.

ctest runs this script (see tests/CMakeLists.txt) as

    run_tests.py --binary PATH --mpiexec PATH --source-dir REPO --suite SUITE [--np N]

Suites:
  ranks     correctness under N ranks (--np): --print, --output and --json
            against an independent reference (a Python sieve, or primesieve)
  cli       --help, --version and bad usage (exit 2, one "mpprimes: " line)
  errors    failures at run time (exit 1): unwritable --output targets;
            memory that stays bounded however many primes are listed
  listing   listing at any scale: --print, --output and --format
            byte for byte against primesieve, many rounds, a closed pipe,
            full disks, read-only directories, FIFOs, symbolic links
  examples  hostfiles/localhost and slurm/mpprimes.sbatch (outside Slurm)
  decomp    the decompositions (-d block, balanced, cyclic, dynamic, --chunk):
            the same primes at 1 to 7 ranks, the report's per-rank chunks,
            numbers and cpu_s, --explain, --compare, their bad usage
  long      the expensive checks: pi(1e9), near 2^64, 1e12 windows
  sanitize-runs, sanitize-errors
            the sanitizer build's selection: each path of the driver
            once or twice, its successes and its failures

Every listing run gets a small --buffer (BUFFER_PER_RANK bytes per rank) unless
a case says otherwise, so that the rounds of the listing, and the overflow of
a rank's buffer within a round, are exercised everywhere.

Every case prints "ok   NAME", "FAIL NAME: WHY" or "skip NAME: WHY"; the
last line is "N passed, M failed", and the exit status is 0 only when no case
failed. Every program run has a timeout: a hang fails its case, and the whole
session that mpirun was started in (mpirun and its ranks) is killed.

Python 3 standard library only.
"""

import argparse
import functools
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BUFFER_PER_RANK, MPI_ROOT_ENV, TIMEOUT_RUN,  # noqa: E402
                     CaseFailure, CaseSkipped, Runner, Suite, add_program_args,
                     expect, expect_one_error_line, expect_success,
                     read_then_close, run)
from reference import (CHUNKED, DECOMPOSITIONS, MPICH_COMMENTED,  # noqa: E402
                       U64_MAX, active_lines, check_json_report,
                       expect_same_listing, have_primesieve, listing_rounds, round_room,
                       model_blocks, parse_json_report, parse_openmpi_hostfile,
                       python_primes, ratio_bounds, read_csv_rows, reference,
                       reference_count, reference_facts, report_value)

# Timeouts in seconds for one program run (harness.TIMEOUT_RUN: ordinary
# correctness runs).
TIMEOUT_QUICK = 30   # usage errors, --help: these must finish at once
TIMEOUT_LONG = 400   # the long suite


# ---------------------------------------------------------------------------
# Test ranges from the block decomposition (reference.model_blocks)


@functools.lru_cache(maxsize=None)
def prime_edge_range(nranks):
    """A range (start, stop) with start and stop prime in which, for NRANKS
    ranks, as many block boundaries as possible have a prime on one side
    (the last number of one block or the first of the next). That is where an
    off-by-one in the decomposition or the sieve shows up."""
    primes = python_primes(1000, 20000)
    prime_set = set(primes)
    best, best_score = None, -1
    for start in primes[:30]:
        for stop in primes:
            if stop - start < 20 * nranks:
                continue
            if stop - start > 300 * nranks:
                break
            blocks = model_blocks(start, stop, nranks)
            score = sum(1 for a, b in zip(blocks, blocks[1:])
                        if a and b and (a[1] in prime_set or b[0] in prime_set))
            if score > best_score:
                best, best_score = (start, stop), score
            if score == nranks - 1:
                return best
    return best


# ---------------------------------------------------------------------------
# Suite: ranks


# How each range of the ranks suite is checked.
QUICK = "quick"        # --print and --json, separate runs, for each method
COSTLY = "costly"      # one --print --json run (the sieve near 2^64 makes
                       # every rank sieve by all primes up to 2^32)


def ranks_ranges(np):
    """(label, start text, stop text, start, stop, methods, how) to check
    with NP ranks. The texts use mpprimes' notations; the ints are the values.
    Trial division only where it is cheap: small numbers or few primes."""
    edge_lo, edge_hi = prime_edge_range(np)
    both, sieve, trial = ("sieve", "trial"), ("sieve",), ("trial",)
    return [
        ("2..1e6", "2", "1000000", 2, 1_000_000, sieve, QUICK),
        ("0..1", "0", "1", 0, 1, both, QUICK),
        ("2..2", "2", "2", 2, 2, both, QUICK),
        ("0..10", "0", "10", 0, 10, both, QUICK),
        ("17..17", "17", "17", 17, 17, both, QUICK),
        ("100..102", "100", "102", 100, 102, both, QUICK),
        ("0..2", "0", "2", 0, 2, both, QUICK),
        ("24..28 (no primes)", "24", "28", 24, 28, both, QUICK),
        (f"prime edges {edge_lo}..{edge_hi}", str(edge_lo), str(edge_hi),
         edge_lo, edge_hi, both, QUICK),
        ("1..2e5", "1", "2e5", 1, 200_000, both, QUICK),
        ("2^31-100..2^31+100", "2^31-100", "2^31+100", 2**31 - 100, 2**31 + 100, both, QUICK),
        ("2^32-1000..2^32+1000", "2^32-1000", "2^32+1000",
         2**32 - 1000, 2**32 + 1000, both, QUICK),
        ("1e12..1e12+1e5", "1e12", "1e12+1e5", 10**12, 10**12 + 10**5, sieve, QUICK),
        ("1e12..1e12+300", "1e12", "1e12+300", 10**12, 10**12 + 300, both, QUICK),
        ("2^64-1..2^64-1", "2^64-1", "18446744073709551615", U64_MAX, U64_MAX, trial, QUICK),
        top_window(np),
    ]


def top_window(np):
    """The sieve's window at the top of the range. Each non-empty rank sieves
    by all primes up to 2^32 there (seconds of CPU each), so with more than 3
    ranks on this small machine the window is cut to 3 numbers: 3 busy ranks,
    the rest empty. The long suite runs the 2000-number window at np 7."""
    if np <= 3:
        return ("2^64-2000..2^64-1", "2^64-2000", "2^64-1",
                2**64 - 2000, U64_MAX, ("sieve",), COSTLY)
    return ("2^64-3..2^64-1", "2^64-3", "2^64-1", 2**64 - 3, U64_MAX, ("sieve",), COSTLY)


def case_print(runner, np, start_text, stop_text, lo, hi, method):
    expected = reference(lo, hi)
    res = runner.mpprimes(["--print", "--method", method, start_text, stop_text], np)
    expect_success(res)
    expect_same_listing(res.stdout, expected, "--print output")


def case_json(runner, np, start_text, stop_text, lo, hi, method):
    count, first, last = reference_facts(lo, hi)
    res = runner.mpprimes(["--json", "--method", method, start_text, stop_text], np)
    expect_success(res)
    report = parse_json_report(res.out)
    check_json_report(report, lo, hi, np, method, count, first, last)


def case_print_json(runner, np, start_text, stop_text, lo, hi, method,
                    timeout=TIMEOUT_RUN):
    """--print --json: the primes on stdout, the JSON report on stderr."""
    expected = reference(lo, hi)
    count, first, last = reference_facts(lo, hi)
    res = runner.mpprimes(["--print", "--json", "--method", method, start_text, stop_text],
                          np, timeout=timeout)
    expect_success(res)
    expect_same_listing(res.stdout, expected, "--print output")
    report = parse_json_report(res.stderr, "stderr")
    check_json_report(report, lo, hi, np, method, count, first, last)


def case_output(runner, np, lo, hi):
    expected = reference(lo, hi)
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        path = os.path.join(tmp, "primes.txt")
        res = runner.mpprimes(["--output", path, str(lo), str(hi)], np)
        expect_success(res)
        left = sorted(os.listdir(tmp))
        expect(left == ["primes.txt"], f"directory holds {left}, expected only primes.txt")
        with open(path, "rb") as f:
            expect_same_listing(f.read(), expected, "--output file")
        if len(expected) > 1000:
            expect(expected[:1000] not in res.stdout, "--output also wrote the primes to stdout")


def case_output_replaces(runner, np):
    """--output over an existing file replaces it whole."""
    lo, hi = 0, 1000
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        path = os.path.join(tmp, "primes.txt")
        with open(path, "w") as f:
            f.write("old content\n" * 100000)
        res = runner.mpprimes(["-q", "-o", path, str(lo), str(hi)], np)
        expect_success(res)
        expect(sorted(os.listdir(tmp)) == ["primes.txt"],
               f"directory holds {sorted(os.listdir(tmp))}")
        with open(path, "rb") as f:
            expect_same_listing(f.read(), reference(lo, hi), "--output file")


def case_count_json(runner, np):
    res = runner.mpprimes(["--count", "--json", "1e7"], np)
    expect_success(res)
    report = parse_json_report(res.out)
    check_json_report(report, 2, 10**7, np, "sieve", count=664579, check_first_last=False)


def case_text_report(runner, np):
    res = runner.mpprimes(["1000000"], np)
    expect_success(res)
    expect(re.search(r"(?<![0-9])78498(?![0-9])", res.out),
           "the default report does not show the count 78498: " + res.out[:500])


def case_quiet(runner, np):
    res = runner.mpprimes(["--quiet", "1e6"], np)
    expect_success(res)
    expect(res.stdout == b"", f"--quiet still wrote to stdout: {res.out[:200]!r}")
    expect(res.stderr.strip() == "", "--quiet wrote to stderr: " + res.describe())


def suite_ranks(runner, suite, np):
    if not have_primesieve():
        print("note: primesieve not found; the Python sieve stands in where it "
              "can, and the ranges near 2^64 are skipped")
    for label, start_text, stop_text, lo, hi, methods, how in ranks_ranges(np):
        for method in methods:
            args = (runner, np, start_text, stop_text, lo, hi, method)
            if how == QUICK:
                suite.case(f"np{np} print {method} {label}", case_print, *args)
                suite.case(f"np{np} json {method} {label}", case_json, *args)
            else:
                suite.case(f"np{np} print+json {method} {label}", case_print_json,
                           *args, TIMEOUT_LONG)
    suite.case(f"np{np} print+json 1000..5000", case_print_json,
               runner, np, "1000", "5000", 1000, 5000, "sieve")
    suite.case(f"np{np} output 2..1e6", case_output, runner, np, 2, 1_000_000)
    suite.case(f"np{np} output 100..102", case_output, runner, np, 100, 102)
    suite.case(f"np{np} output 0..1 (no primes)", case_output, runner, np, 0, 1)
    suite.case(f"np{np} output replaces a file", case_output_replaces, runner, np)
    suite.case(f"np{np} count json pi(1e7)", case_count_json, runner, np)
    suite.case(f"np{np} text report 1e6", case_text_report, runner, np)
    suite.case(f"np{np} quiet", case_quiet, runner, np)


# ---------------------------------------------------------------------------
# Suite: cli


def project_version(runner):
    with open(runner.source("CMakeLists.txt")) as f:
        m = re.search(r"project\(\s*mpprimes\s+VERSION\s+([0-9.]+)", f.read())
    return m.group(1) if m else None


def case_help(runner, np, flag):
    res = runner.mpprimes([flag], np, timeout=TIMEOUT_QUICK)
    expect_success(res)
    expect("Usage" in res.out, f"no 'Usage' in {flag} output: {res.out[:300]!r}")
    expect(res.stderr.strip() == "", f"{flag} wrote to stderr: " + res.describe())
    if np is not None:  # printed once, by rank 0, the same as without mpirun
        alone = runner.mpprimes([flag], None, timeout=TIMEOUT_QUICK)
        expect_success(alone)
        if res.stdout != alone.stdout:  # say where, to tell a repeat from a loss
            a, b = alone.stdout.splitlines(), res.stdout.splitlines()
            at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            expect(False, f"{flag} under mpirun differs from the singleton's (printed by "
                   f"every rank?): {len(b)} lines against {len(a)}, first difference at "
                   f"line {at + 1}: {b[at] if at < len(b) else '(end)'!r} against "
                   f"{a[at] if at < len(a) else '(end)'!r}; " + res.describe())


def case_version(runner, np, flag):
    res = runner.mpprimes([flag], np, timeout=TIMEOUT_QUICK)
    expect_success(res)
    lines = res.out.splitlines()
    expect(len(lines) >= 1, f"{flag} printed nothing")
    version = project_version(runner)
    if version:
        expect(version in lines[0], f"{flag} first line {lines[0]!r} lacks {version}")
    expect(res.stderr.strip() == "", f"{flag} wrote to stderr: " + res.describe())
    expect(res.out.count(lines[0]) == 1, f"{flag} printed more than once: {res.out!r}")
    # Then the MPI library, the compiler and the CPU features the sieve uses.
    expect(len(lines) == 4, f"{flag}: {len(lines)} lines, expected 4: {res.out!r}")
    library = "Open MPI" if runner.open_mpi else "MPICH"
    expect(re.fullmatch(r"MPI: " + library + r" \S.*", lines[1]) and "\t" not in lines[1],
           f"{flag}: no {library} library line: {lines[1]!r}")
    expect(re.match(r"compiler: (GCC \d|.*[Cc]lang \d)", lines[2]),
           f"{flag}: no compiler line: {lines[2]!r}")
    popcnt = False
    if os.uname().machine == "x86_64":
        with open("/proc/cpuinfo") as f:
            popcnt = any(line.startswith("flags") and " popcnt" in line for line in f)
    want = ("CPU features: POPCNT (the sieve counts with it)" if popcnt else
            "CPU features: none used (the sieve counts without POPCNT)")
    expect(lines[3] == want, f"{flag}: {lines[3]!r}, expected {want!r}")


# (label, arguments): each must exit 2 with one "mpprimes: " line.
BAD_USAGE = [
    ("--self-test with a range", ["--self-test", "1e6"]),
    ("--self-test --json", ["--self-test", "--json"]),
    ("no operand", []),
    ("three operands", ["1", "2", "3"]),
    ("abc", ["abc"]),
    ("1e20", ["1e20"]),
    ("2^64", ["2^64"]),
    ("2^64 as stop", ["5", "2^64"]),
    ("2^64-1+1", ["2^64-1+1"]),
    ("-5", ["-5"]),
    ("5-6", ["5-6"]),
    ("start > stop", ["10", "5"]),
    ("method foo", ["--method", "foo", "100"]),
    ("method missing value", ["100", "--method"]),
    ("bogus option", ["--bogus", "100"]),
    ("count with print", ["--count", "--print", "100"]),
    ("12abc", ["12abc"]),
    ("empty string", [""]),
    ("1.5e0 (not integral)", ["1.5e0"]),
]


def case_bad_usage(runner, np, args):
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        res = runner.mpprimes(args, np, quiet=True, timeout=TIMEOUT_QUICK, cwd=tmp)
        expect_one_error_line(res, 2)
        expect(res.elapsed < TIMEOUT_QUICK / 2,
               f"took {res.elapsed:.1f} s to reject bad usage: " + res.describe())
        expect(os.listdir(tmp) == [], f"left files behind: {os.listdir(tmp)}")


def case_mpi_env_choice(runner, extra):
    """mpprimes picks the ob1 PML on a machine without a fabric unless told
    not to (src/sys/launcher.h; Open MPI only); every variant gives the same, right answer."""
    cmd = runner.mpirun_cmd(["--count", "--json", "1e6"], 2)
    res = run(cmd, TIMEOUT_RUN, env=runner.env(extra))
    expect_success(res)
    report = parse_json_report(res.out)
    expect(report.get("count") == 78498, f"count {report.get('count')}, expected 78498")


def suite_cli(runner, suite):
    for np in (None, 2):
        where = "singleton" if np is None else f"np{np}"
        for flag in ("--help", "-h"):
            suite.case(f"{where} {flag}", case_help, runner, np, flag)
        for flag in ("--version", "-V"):
            suite.case(f"{where} {flag}", case_version, runner, np, flag)
        for label, args in BAD_USAGE:
            suite.case(f"{where} bad usage ({label}): mpprimes {shlex.join(args)}".rstrip(),
                       case_bad_usage, runner, np, args)
    suite.case("MPI env: ob1 chosen by mpprimes", case_mpi_env_choice, runner, {})
    suite.case("--csv rows at 1, 2, 3, 7 ranks", case_csv_rows, runner)
    suite.case("MPI env: MPPRIMES_KEEP_MPI_ENV=1", case_mpi_env_choice, runner,
               {"MPPRIMES_KEEP_MPI_ENV": "1"})
    suite.case("MPI env: the user's OMPI_MCA_pml=ob1", case_mpi_env_choice, runner,
               {"OMPI_MCA_pml": "ob1"})



# ---------------------------------------------------------------------------
# --csv: one summary row per run, appended


def expect_row_matches(row, report):
    """A CSV row says what the same run's JSON report says."""
    for key in ("start", "stop", "ranks", "rounds", "count", "first", "last"):
        expect(row[key] == str(report[key]), f"{key}: csv {row[key]!r}, json {report[key]!r}")
    expect(row["method"] == report["method"], f"method {row['method']!r}")
    expect(row["decomposition"] == report["decomposition"],
           f"decomposition: csv {row['decomposition']!r}, json {report['decomposition']!r}")
    expect(row["chunk"] == str(report["chunk"] or ""),
           f"chunk: csv {row['chunk']!r}, json {report['chunk']!r}")
    for key in ("cpu_max_s", "cpu_mean_s", "imbalance"):
        expect(abs(float(row[key]) - report[key]) < 2e-6,
               f"{key}: csv {row[key]!r}, json {report[key]!r}")
    if report["serial_s"] is None:
        expect(row["serial_s"] == "", f"serial_s {row['serial_s']!r} without --compare")
    else:
        expect(abs(float(row["serial_s"]) - report["serial_s"]) < 2e-6,
               f"serial_s: csv {row['serial_s']!r}, json {report['serial_s']!r}")
    expect(row["buffer_bytes"] == str(report["buffer_bytes"] or ""),
           f"buffer_bytes {row['buffer_bytes']!r}, json {report['buffer_bytes']!r}")
    expect(row["hosts"] == str(len({r["host"] for r in report["per_rank"]})),
           f"hosts {row['hosts']!r}")
    expect(abs(float(row["elapsed_s"]) - report["elapsed_s"]) < 2e-6,
           f"elapsed_s {row['elapsed_s']} vs {report['elapsed_s']}")
    worst = max(r["compute_s"] for r in report["per_rank"])
    expect(abs(float(row["compute_max_s"]) - worst) < 2e-6, f"compute_max_s {row}")
    rss = max(r["max_rss_kib"] for r in report["per_rank"])
    expect(row["max_rss_kib"] == str(rss), f"max_rss_kib {row['max_rss_kib']} vs {rss}")


def case_csv_rows(runner):
    """Runs at 1, 2, 3 and 7 ranks append one row each, under one header,
    each row what the run's JSON report says; Slurm's job id and node list
    (a value with a comma, quoted) fill the job columns; --quiet still
    writes the row."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        path = os.path.join(tmp, "runs.csv")
        reports = []
        for np, args in ((1, ["--count", "1e6"]), (2, ["1e5", "2e5"]),
                         (3, ["--method", "trial", "1e4"]), (7, ["--count", "10"])):
            res = runner.mpprimes(["--json", "--csv", path] + args, np)
            expect_success(res)
            reports.append(parse_json_report(res.out))
        slurm = {"SLURM_JOB_ID": "4242", "SLURM_JOB_NODELIST": "node[01-02],gpu7"}
        res = runner.mpprimes(["-q", "--csv", path, "--count", "1e4"], 2, env=slurm)
        expect_success(res)
        expect(res.stdout == b"", f"--quiet printed: {res.out[:200]!r}")
        rows = read_csv_rows(path)
        expect(len(rows) == 5, f"{len(rows)} rows, expected 5")
        for row, report in zip(rows, reports):
            expect_row_matches(row, report)
            expect(row["job_id"] == "" and row["job_nodelist"] == "", f"job columns {row}")
        expect(rows[4]["count"] == "1229" and rows[4]["ranks"] == "2", f"row 5: {rows[4]}")
        expect(rows[4]["job_id"] == "4242" and rows[4]["job_nodelist"] == "node[01-02],gpu7",
               f"job columns of row 5: {rows[4]}")
        with open(path) as f:
            expect('"node[01-02],gpu7"' in f.read(), "the node list is not quoted")


def case_csv_missing_dir(runner, np):
    """--csv into a missing directory: exit 1 and one line, before any work."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        path = os.path.join(tmp, "no-such-dir", "runs.csv")
        res = runner.mpprimes(["--csv", path, "1e5"], np, quiet=True)
        line = expect_one_error_line(res, 1)
        expect("CSV" in line and "runs.csv" in line, f"unclear message: {line!r}")


def case_csv_failed_run(runner, np):
    """A run that fails after --csv opened its file leaves no row, and
    removes the file when the run created it; an existing file stays as it
    was."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        new = os.path.join(tmp, "new.csv")
        old = os.path.join(tmp, "old.csv")
        with open(old, "w") as f:
            f.write("kept\n")
        for path in (new, old):
            res = runner.mpprimes(["--csv", path, "--output", "/dev/full", "1e5"], np,
                                  quiet=True)
            expect_one_error_line(res, 1)
        expect(not os.path.exists(new), "new.csv was left behind by a failed run")
        with open(old) as f:
            expect(f.read() == "kept\n", "old.csv changed by a failed run")


def case_csv_full(runner, np):
    """--csv /dev/full: the run's row cannot be written: exit 1, one line
    (after the report, which went to stdout)."""
    res = runner.mpprimes(["-q", "--csv", "/dev/full", "--count", "1e5"], np, quiet=True)
    line = expect_one_error_line(res, 1)
    expect("cannot write CSV file" in line and "No space" in line, f"message: {line!r}")


# ---------------------------------------------------------------------------
# Suite: errors


def case_output_fails(runner, np, directory, name, stray=None):
    """--output to DIRECTORY/NAME that cannot be written: exit 1, one line,
    nothing left behind: no new entry in DIRECTORY, or, where other
    processes change it (/proc), none for which STRAY(name) is true."""
    path = os.path.join(directory, name)
    before = set(os.listdir(directory)) if os.path.isdir(directory) else set()
    res = runner.mpprimes(["--output", path, "1e5"], np, quiet=True)
    expect_one_error_line(res, 1)
    expect(not os.path.exists(path), f"{path} exists after the failure")
    if os.path.isdir(directory):
        new = sorted(set(os.listdir(directory)) - before)
        if stray is not None:
            new = [entry for entry in new if stray(entry)]
        expect(not new, f"left behind in {directory}: {new}")


def case_missing_dir(runner, np):
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        case_output_fails(runner, np, os.path.join(tmp, "no-such-dir"), "primes.txt")
        expect(os.listdir(tmp) == [], f"left behind: {os.listdir(tmp)}")


def case_proc(runner, np):
    """/proc refuses new files, even to root."""
    case_output_fails(runner, np, "/proc", "mpprimes-test",
                      stray=lambda entry: not entry.isdigit())


def is_char_device(path):
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


def case_dev_full(runner, np):
    """--output /dev/full: every write fails with ENOSPC. /dev/full must still
    be the device afterwards (not replaced by a renamed temp file) and no
    temp file may be left in /dev."""
    if not is_char_device("/dev/full"):
        raise CaseSkipped("/dev/full is not a character device here")
    before = set(os.listdir("/dev"))
    res = runner.mpprimes(["--output", "/dev/full", "1e6"], np, quiet=True)
    expect(is_char_device("/dev/full"),
           "/dev/full is no longer a character device: --output replaced it! " + res.describe())
    line = expect_one_error_line(res, 1)
    stray = sorted(set(os.listdir("/dev")) - before)
    expect(not stray, f"left behind in /dev: {stray}")
    expect(len(line) > len("mpprimes: ") + 5, f"message too terse: {line!r}")


def case_stdout_full(runner):
    """--print with stdout on /dev/full (singleton, so that the rank's own
    stdout is the full device): exit 1 and one message."""
    with open("/dev/full", "wb") as full:
        res = runner.mpprimes(["--print", "1e6"], None, stdout=full)
    expect_one_error_line(res, 1)


def limited_cmd(runner, args, np, kib, buffer=True):
    """ARGS under mpirun (or alone) with the address space limited to KIB."""
    cmd = runner.command(args, np, quiet=True, buffer=buffer)
    return ["bash", "-c", f'ulimit -v {kib} && exec "$@"', "ulimit"] + cmd


def case_gather_bounded(runner, np):
    """The default mode gathers the 455 million primes up to 1e10 (3.6 GB
    as 64-bit values) at rank 0, in rounds, within 2 GB of address space
    per process: no rank holds more than --buffer of primes."""
    res = run(limited_cmd(runner, ["--json", "1e10"], np, 2_000_000, buffer=False),
              TIMEOUT_RUN, env=runner.env())
    expect_success(res)
    report = parse_json_report(res.out)
    expect(report["count"] == 455052511, f"count {report['count']}, expected 455052511")
    expect(report["rounds"] > 1, f"{report['rounds']} round(s): the gather was not bounded")


def case_buffer_beyond_memory(runner, np):
    """--buffer 1G with 600 MB of address space: refused before any work,
    with the sizes in the message."""
    res = run(limited_cmd(runner, ["--buffer", "1G", "1e6"], np, 600_000, buffer=False),
              TIMEOUT_RUN, env=runner.env())
    line = expect_one_error_line(res, 1)
    expect("--buffer" in line and "MiB" in line, f"unclear message: {line!r}")


def case_buffer_too_small(runner, np):
    """A buffer that cannot hold one prime per rank is bad usage (exit 2),
    and the message says what would do."""
    res = runner.mpprimes(["--buffer", "64", "--print", "2^64-100", "2^64-1"], np,
                          quiet=True, buffer=False)
    line = expect_one_error_line(res, 2)
    expect("too small" in line and "--buffer" in line, f"unclear message: {line!r}")


def suite_errors(runner, suite):
    for np in (None, 2):
        where = "singleton" if np is None else f"np{np}"
        suite.case(f"{where} output into a missing directory", case_missing_dir, runner, np)
        suite.case(f"{where} output into a read-only directory (as nobody)",
                   case_readonly_dir_nobody, runner, np)
        suite.case(f"{where} output into /proc", case_proc, runner, np)
        suite.case(f"{where} output to /dev/full", case_dev_full, runner, np)
        suite.case(f"{where} gather of 1e10 in 2 GB", case_gather_bounded, runner, np)
        suite.case(f"{where} --buffer beyond memory refused", case_buffer_beyond_memory,
                   runner, np)
        suite.case(f"{where} --csv into a missing directory", case_csv_missing_dir, runner, np)
        suite.case(f"{where} --csv after a failed run", case_csv_failed_run, runner, np)
        if is_char_device("/dev/full"):
            suite.case(f"{where} --csv to /dev/full", case_csv_full, runner, np)
    suite.case("np7 --buffer too small for the ranks", case_buffer_too_small, runner, 7)
    if is_char_device("/dev/full"):
        suite.case("singleton print to a full stdout", case_stdout_full, runner)


# ---------------------------------------------------------------------------
# Suite: listing (listing primes at any scale)


def decode_binary(data):
    """--format binary (8 bytes per prime, little-endian) as the text listing."""
    expect(len(data) % 8 == 0, f"binary output of {len(data)} bytes, not a multiple of 8")
    values = (int.from_bytes(data[i:i + 8], "little") for i in range(0, len(data), 8))
    return "".join(f"{v}\n" for v in values).encode()


def case_listing(runner, np, lo_text, hi_text, lo, hi, how, fmt, buffer=None):
    """--print or --output (HOW) of [LO, HI] in format FMT, byte for byte
    the same as primesieve's listing (decoded first when binary), with a
    JSON report that counts the same primes in several rounds."""
    expected = reference(lo, hi)
    count, first, last = reference_facts(lo, hi)
    size = buffer or BUFFER_PER_RANK * np
    args = ["--buffer", str(size), "--json", "--format", fmt]
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        path = os.path.join(tmp, "primes.out")
        if how == "print":
            res = runner.mpprimes(args + ["--print", lo_text, hi_text], np, buffer=False,
                                  timeout=TIMEOUT_LONG)
            data, report_text = res.stdout, res.stderr
        else:
            res = runner.mpprimes(args + ["--output", path, lo_text, hi_text], np,
                                  buffer=False, timeout=TIMEOUT_LONG)
            expect_success(res)
            left = sorted(os.listdir(tmp))
            expect(left == ["primes.out"], f"directory holds {left}, expected primes.out")
            with open(path, "rb") as f:
                data = f.read()
            report_text = res.out
        expect_success(res)
    listing = decode_binary(data) if fmt == "binary" else data
    expect_same_listing(listing, expected, f"--{how} --format {fmt}")
    report = parse_json_report(report_text, "the report")
    check_json_report(report, lo, hi, np, "sieve", count, first, last)
    # Each rank holds SIZE with --output; with --print rank 0 holds SIZE at a
    # time, one rank's after another (block).
    listing_rounds(report, count * 8 if fmt == "binary" else len(expected),
                   round_room(size, np, how))


def case_default_rounds(runner, np):
    """The default mode gathers pi(1e7) = 664579 primes at rank 0 in many
    rounds of a small buffer, and counts them all. Under MPICH, pi(1e6) =
    78498 in as many rounds: its waiting ranks spin, and oversubscribed on
    a small machine each round costs it about 30 ms."""
    if runner.open_mpi:
        res = runner.mpprimes(["--json", "1e7"], np)
        expect_success(res)
        report = parse_json_report(res.out)
        check_json_report(report, 2, 10**7, np, "sieve", 664579, 2, 9999991)
    else:
        res = runner.mpprimes(["--json", "1e6"], np)
        expect_success(res)
        report = parse_json_report(res.out)
        check_json_report(report, 2, 10**6, np, "sieve", 78498, 2, 999983)
    expect(report["rounds"] > 100, f"only {report['rounds']} rounds with a tiny buffer")
    expect(report["buffer_bytes"] == BUFFER_PER_RANK * np,
           f"buffer_bytes {report['buffer_bytes']}")


def case_closed_pipe(runner, np):
    """--print 1e12 | head -n 5: the five first primes, then the run ends
    quietly (exit 0, nothing on stderr) and promptly on every rank; listing
    the whole range would take many minutes."""
    args = ["--buffer", "4K", "--print", "1e12"]
    head, rc, text, elapsed = read_then_close(runner, runner.command(args, np), 5)
    expect(head == [b"2\n", b"3\n", b"5\n", b"7\n", b"11\n"], f"first lines {head}")
    expect(rc in runner.closed_pipe_statuses(np), f"exit {rc} after the reader left; stderr: {text[:500]}")
    expect(text.strip() == "", f"not quiet: {text[:500]}")
    expect(elapsed < 20, f"took {elapsed:.1f} s to stop")


def case_print_shared_file(runner, np):
    """{ echo header; mpirun ... --print ...; echo footer; } > F: rank 0
    writes into mpirun's own stdout, the same open file as the shell's, so
    the primes land after the header and the footer after them, exactly as
    with mpirun's forwarding (and again with MPPRIMES_DIRECT_STDOUT=0)."""
    for direct in ("1", "0"):
        with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
            path = os.path.join(tmp, "out.txt")
            cmd = shlex.join(runner.mpirun_cmd(["--buffer", "2K", "-q", "--print", "1e5"], np))
            script = f"{{ echo header; {cmd}; echo footer; }} > {shlex.quote(path)}"
            env = runner.env({"MPPRIMES_DIRECT_STDOUT": direct})
            res = run(["bash", "-c", script], TIMEOUT_RUN, env=env)
            expect_success(res)
            with open(path, "rb") as f:
                got = f.read()
            want = b"header\n" + reference(2, 10**5) + b"footer\n"
            expect_same_listing(got, want, f"the shared file (direct stdout {direct})")


def case_print_full(runner, np):
    """--print with mpirun's stdout on /dev/full: exit 1, one line."""
    if not is_char_device("/dev/full"):
        raise CaseSkipped("no /dev/full")
    with open("/dev/full", "wb") as full:
        res = runner.mpprimes(["--print", "1e6"], np, quiet=True, stdout=full)
    line = runner.expect_full_stdout(res, np)
    expect(line is None or "No space left" in line, f"the reason is missing: {line!r}")


def case_tiny_tmpfs(runner, np):
    """--output on a 64 KiB tmpfs: the file system fills up during the
    writes (in several rounds), the run fails with the reason, and neither
    the file nor its temporary is left."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        raise CaseSkipped("mounting a tmpfs needs root")
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        mnt = os.path.join(tmp, "tiny")
        os.mkdir(mnt)
        res = run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], TIMEOUT_QUICK)
        if res.rc != 0:
            raise CaseSkipped("cannot mount a tmpfs here: " + res.stderr.strip()[:200])
        try:
            path = os.path.join(mnt, "primes.txt")
            res = runner.mpprimes(["--buffer", "16K", "--output", path, "1e6"], np,
                                  quiet=True, buffer=False)
            expect(not res.timed_out and res.rc == 1, "expected exit 1: " + res.describe())
            expect(res.stdout == b"", "stdout not empty: " + res.describe())
            ours = [ln for ln in res.stderr.splitlines() if ln.startswith("mpprimes: ")]
            expect(len(ours) == 1 and "No space left on device" in ours[0],
                   "expected one mpprimes line with the reason: " + res.describe())
            expect(os.listdir(mnt) == [], f"left on the full disk: {os.listdir(mnt)}")
        finally:
            run(["umount", mnt], TIMEOUT_QUICK)


def as_nobody(cmd):
    """CMD run as user nobody (from root), or None when that is impossible."""
    if os.geteuid() != 0:
        return cmd
    if not shutil.which("setpriv"):
        return None
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd


def case_readonly_dir_nobody(runner, np):
    """--output into a directory the user cannot write (as nobody when the
    tests run as root, who may write anywhere): exit 1, the reason, nothing
    left."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        os.chmod(tmp, 0o755)
        ro = os.path.join(tmp, "ro")
        os.mkdir(ro, 0o555)
        os.chmod(ro, 0o555)
        args = ["--buffer", "4K", "--output", os.path.join(ro, "p.txt"), "1e5"]
        cmd = as_nobody(runner.command(args, np, quiet=True))
        if cmd is None:
            raise CaseSkipped("setpriv is missing")
        env = runner.env(drop=MPI_ROOT_ENV)
        env["HOME"] = tmp
        res = run(cmd, TIMEOUT_RUN, env=env, cwd=tmp)
        line = expect_one_error_line(res, 1)
        expect("Permission denied" in line, f"the reason is missing: {line!r}")
        expect(os.listdir(ro) == [], f"left behind: {os.listdir(ro)}")


def wait_for_fifo_writer(reader):
    """Waits (10 s at most) until process READER blocks in opening a FIFO
    for reading, waiting for a writer ("wait_for_partner"): only then does
    mpprimes's non-blocking open for writing find a reader."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{reader.pid}/wchan") as f:
                if "partner" in f.read():
                    return
        except OSError:
            pass
        time.sleep(0.02)


def case_fifo(runner, np):
    """--output to an existing FIFO: written in order (rank 0 streams), the
    reader gets the whole listing, and the FIFO stays a FIFO."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo)
        got = os.path.join(tmp, "got")
        with open(got, "wb") as sink:
            reader = subprocess.Popen(["cat", fifo], stdout=sink)
        try:
            wait_for_fifo_writer(reader)
            res = runner.mpprimes(["-q", "--output", fifo, "1e6"], np)
            reader.wait(timeout=TIMEOUT_RUN)
        finally:
            if reader.poll() is None:
                reader.kill()
        with open(got, "rb") as f:
            data = f.read()
        expect_success(res)
        expect_same_listing(data, reference(2, 10**6), "the FIFO's reader")
        expect(stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced")


def case_fifo_no_reader(runner, np):
    """--output to a FIFO nobody reads: an error at once, not a hang."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo)
        res = runner.mpprimes(["--output", fifo, "1e5"], np, quiet=True, timeout=TIMEOUT_QUICK)
        line = expect_one_error_line(res, 1)
        expect("No such device or address" in line, f"the reason is missing: {line!r}")


def case_fifo_reader_leaves(runner, np):
    """--output to a FIFO whose reader stops early: unlike --print's pipe, a
    file the user named was not written whole, so it is an error (exit 1,
    "Broken pipe"), not a quiet end, and not a death by SIGPIPE."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo)
        reader = subprocess.Popen(["head", "-c", "100", fifo], stdout=subprocess.DEVNULL)
        try:
            wait_for_fifo_writer(reader)
            res = runner.mpprimes(["--output", fifo, "1e8"], np, quiet=True)
        finally:
            if reader.poll() is None:
                reader.kill()
        line = expect_one_error_line(res, 1)
        expect("Broken pipe" in line, f"the reason is missing: {line!r}")


def case_symlink_and_mode(runner, np):
    """--output through a symbolic link writes the file it points to (the
    link stays), and a replaced file keeps its permissions."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        real_dir = os.path.join(tmp, "real")
        os.mkdir(real_dir)
        target = os.path.join(real_dir, "primes.txt")
        with open(target, "w") as f:
            f.write("old\n")
        os.chmod(target, 0o640)
        link = os.path.join(tmp, "link.txt")
        os.symlink(target, link)
        res = runner.mpprimes(["-q", "--output", link, "1e5"], np)
        expect_success(res)
        expect(os.path.islink(link), "the symbolic link was replaced by a file")
        with open(target, "rb") as f:
            expect_same_listing(f.read(), reference(2, 10**5), "the link's target")
        mode = stat.S_IMODE(os.stat(target).st_mode)
        expect(mode == 0o640, f"mode {mode:o}, expected 640")
        expect(sorted(os.listdir(real_dir)) == ["primes.txt"], f"{os.listdir(real_dir)}")


def suite_listing(runner, suite):
    if not have_primesieve():
        print("note: primesieve not found; the Python sieve stands in where it can")
    ranges = [
        ("2..1e6", "2", "1e6", 2, 10**6),
        ("0..1 (no primes)", "0", "1", 0, 1),
        ("0..10", "0", "10", 0, 10),
        ("24..28 (no primes)", "24", "28", 24, 28),
        ("1e9..1e9+1e6", "1e9", "1e9+1e6", 10**9, 10**9 + 10**6),
        ("2^31-1000..2^31+1000", "2^31-1000", "2^31+1000", 2**31 - 1000, 2**31 + 1000),
        ("2^32-1000..2^32+1000", "2^32-1000", "2^32+1000", 2**32 - 1000, 2**32 + 1000),
        ("1e15..1e15+1e5", "1e15", "1e15+1e5", 10**15, 10**15 + 10**5),
    ]
    # The sieving primes' set-up shared among the ranks (setup.c): each rank
    # finds those of its slice of (2^20, 3.16e9]. With the suite's tiny
    # buffer this range would take a thousand rounds, each a jump by primes
    # up to 3.16e9: 64 KiB a rank makes a few.
    top = ("1e19..1e19+1e6", "1e19", "1e19+1e6", 10**19, 10**19 + 10**6)
    for np in runner.rank_counts((1, 2, 3, 4, 7)):
        for label, lo_text, hi_text, lo, hi in ranges:
            for how in ("print", "output"):
                suite.case(f"np{np} {how} {label}", case_listing,
                           runner, np, lo_text, hi_text, lo, hi, how, "text")
        for how in ("print", "output"):
            suite.case(f"np{np} {how} {top[0]}", case_listing, runner, np, *top[1:], how,
                       "text", 65536 * np)
        for how in ("print", "output"):
            suite.case(f"np{np} {how} binary 2..1e6", case_listing,
                       runner, np, "2", "1e6", 2, 10**6, how, "binary")
        suite.case(f"np{np} default mode in rounds", case_default_rounds, runner, np)
    # Near 2^64 every block sieves by the primes up to 2^32 (about 2 s a
    # round): two ranks, a buffer that makes two rounds.
    for how, fmt in (("print", "text"), ("output", "text"), ("output", "binary")):
        suite.case(f"np2 {how} {fmt} 2^64-500..2^64-1", case_listing, runner, 2,
                   "2^64-500", "2^64-1", 2**64 - 500, U64_MAX, how, fmt, 256)
    for np in (None, 2, 3):
        where = "singleton" if np is None else f"np{np}"
        suite.case(f"{where} print 1e12 | head -n 5", case_closed_pipe, runner, np)
    for np in (None, 2):
        where = "singleton" if np is None else f"np{np}"
        suite.case(f"{where} print to a full stdout", case_print_full, runner, np)
    suite.case("np3 print into a file shared with the shell", case_print_shared_file,
               runner, 3)
    for np in (None, 3):
        where = "singleton" if np is None else f"np{np}"
        suite.case(f"{where} output to a full disk (tmpfs)", case_tiny_tmpfs, runner, np)
    suite.case("np3 output to a FIFO", case_fifo, runner, 3)
    suite.case("np2 output to a FIFO without reader", case_fifo_no_reader, runner, 2)
    suite.case("np2 output to a FIFO whose reader leaves", case_fifo_reader_leaves, runner, 2)
    suite.case("np2 output through a symlink, mode kept", case_symlink_and_mode, runner, 2)


# ---------------------------------------------------------------------------
# Suite: examples


def hostfile_slots(path):
    """Total slots declared in an Open MPI hostfile."""
    with open(path) as f:
        return sum(attrs.get("slots", 1)
                   for _, attrs in parse_openmpi_hostfile(f.read(), path))


def case_localhost_hostfile(runner):
    hostfile = runner.source("hostfiles", "localhost")
    res = runner.mpprimes(["--json", "--count", "1e6"], 2, oversubscribe=False,
                          mpirun_opts=["--hostfile", hostfile])
    expect_success(res)
    report = parse_json_report(res.out)
    check_json_report(report, 2, 10**6, 2, "sieve", count=78498, check_first_last=False)


def case_localhost_slots(runner):
    """The hostfile's slots are what mpirun goes by: one rank more fails
    without --oversubscribe and runs with it."""
    hostfile = runner.source("hostfiles", "localhost")
    slots = hostfile_slots(hostfile)
    expect(slots >= 1, f"no slots in {hostfile}")
    args = ["--count", "1e5"]
    res = runner.mpprimes(args, slots + 1, oversubscribe=False,
                          mpirun_opts=["--hostfile", hostfile])
    expect(not res.timed_out and res.rc != 0,
           f"{slots + 1} ranks on {slots} slots ran without --oversubscribe: " + res.describe())
    res = runner.mpprimes(args, slots + 1, mpirun_opts=["--hostfile", hostfile])
    expect_success(res)
    expect("9592" in res.out, f"count 9592 not in the report: {res.out[:300]!r}")


def case_cluster_example(runner):
    """cluster.example: every active line is 'HOST slots=N [max_slots=M]',
    and the MPICH form appears only commented out."""
    path = runner.source("hostfiles", "cluster.example")
    hosts = 0
    with open(path) as f:
        text = f.read()
    for number, active in active_lines(text):
        expect(re.fullmatch(r"[A-Za-z0-9._-]+ slots=\d+( max_slots=\d+)?", active),
               f"line {number} is not 'HOST slots=N': {active!r}")
        hosts += 1
    expect(hosts >= 2, f"only {hosts} hosts: not a multi-node example")
    expect(MPICH_COMMENTED.search(text), "no commented MPICH 'host:N' lines")


def case_hostfile_readme(runner):
    with open(runner.source("hostfiles", "README.md")) as f:
        text = f.read()
    for name in ("localhost", "cluster.example", "--oversubscribe"):
        expect(name in text, f"README.md does not mention {name}")


def run_sbatch(runner, args, np=None):
    script = runner.source("slurm", "mpprimes.sbatch")
    extra = {"MPPRIMES": runner.binary, "MPIRUN": runner.mpiexec}
    drop = ["SLURM_JOB_ID", "MPPRIMES_NP"]
    if np is not None:
        extra["MPPRIMES_NP"] = str(np)
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        return run(["bash", script] + args, TIMEOUT_RUN, cwd=tmp,
                   env=runner.env(extra, drop=drop))


def case_sbatch_default(runner):
    res = run_sbatch(runner, [])
    expect_success(res)
    expect("not inside a Slurm job" in res.out,
           f"does not say that it runs outside Slurm: {res.out[:500]!r}")
    expect(re.search(r"(?<![0-9])50847534(?![0-9])", res.out),
           "pi(1e9) = 50847534 not in the output: " + res.out[-800:])


def case_sbatch_range(runner):
    res = run_sbatch(runner, ["1000", "2000", "--count"])
    expect_success(res)
    expect(re.search(r"(?<![0-9])135(?![0-9])", res.out),
           "count 135 of [1000, 2000] not in the output: " + res.out[-800:])


def case_sbatch_np(runner):
    """MPPRIMES_NP picks the number of ranks outside Slurm."""
    res = run_sbatch(runner, ["--json", "1e5"], np=3)
    expect_success(res)
    json_start = res.out.find("\n{")
    expect(json_start >= 0, f"no JSON object in the output: {res.out[:500]!r}")
    report = parse_json_report(res.out[json_start:])
    expect(report.get("ranks") == 3, f"ranks {report.get('ranks')}, expected 3")
    expect(report.get("count") == 9592, f"count {report.get('count')}, expected 9592")


SBATCH_SCRIPTS = {"mpprimes.sbatch": "mpprimes-%j.out",
                  "strong-scaling.sbatch": "strong-scaling-%j.out",
                  "weak-scaling.sbatch": "weak-scaling-%j.out",
                  "long-job.sbatch": "long-job-%j.out"}


def case_sbatch_directives(runner, script):
    with open(runner.source("slurm", script)) as f:
        lines = f.read().splitlines()
    expect(lines and lines[0].startswith("#!"), "no #! line")
    directives = [line for line in lines if line.startswith("#SBATCH")]
    for want in ("--job-name", "--ntasks=", "--time", "--output=" + SBATCH_SCRIPTS[script]):
        expect(any(want in line for line in directives), f"no '#SBATCH {want}' line")
    for site in ("partition", "account"):
        expect(any(line.startswith(f"##SBATCH --{site}=") for line in lines),
               f"no switched-off '##SBATCH --{site}=' line to fill in")
    # sbatch stops reading directives at the first command.
    first_command = next(i for i, line in enumerate(lines)
                         if line.strip() and not line.lstrip().startswith("#"))
    late = [line for line in lines[first_command:] if line.startswith("#SBATCH")]
    expect(not late, f"#SBATCH lines after the first command are ignored: {late}")


def run_study(runner, script, args, np):
    """SCRIPT (a scaling study) outside Slurm with up to NP ranks; returns
    (result, CSV rows)."""
    extra = {"MPPRIMES": runner.binary, "MPIRUN": runner.mpiexec, "MPPRIMES_NP": str(np)}
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        res = run(["bash", runner.source("slurm", script)] + args, TIMEOUT_RUN, cwd=tmp,
                  env=runner.env(extra, drop=["SLURM_JOB_ID", "MPPRIMES_CSV"]))
        expect_success(res)
        name = script.replace(".sbatch", "-local.csv")
        expect(os.path.exists(os.path.join(tmp, name)), f"no {name}: " + res.describe())
        return res, read_csv_rows(os.path.join(tmp, name))


def case_strong_local(runner):
    """The strong study at 1, 2, 4 and 5 ranks (powers of two, then the
    maximum): the same range and count in every row."""
    res, rows = run_study(runner, "strong-scaling.sbatch", ["1e6", "--count"], 5)
    expect([r["ranks"] for r in rows] == ["1", "2", "4", "5"],
           f"ranks {[r['ranks'] for r in rows]}, expected 1 2 4 5")
    for r in rows:
        expect((r["start"], r["stop"], r["count"]) == ("2", "1000000", "78498"), f"row {r}")
    expect(res.out.count("# primes         78498") == 4, "the four reports are not printed")


def case_weak_local(runner):
    """The weak study: [2, N x SIZE] at N = 1, 2, 3 ranks."""
    res, rows = run_study(runner, "weak-scaling.sbatch", ["1e5", "--count"], 3)
    got = [(r["ranks"], r["stop"], r["count"]) for r in rows]
    want = [("1", "100000", "9592"), ("2", "200000", "17984"), ("3", "300000", "25997")]
    expect(got == want, f"rows {got}, expected {want}")


def case_weak_bad_size(runner):
    extra = {"MPPRIMES": runner.binary, "MPIRUN": runner.mpiexec}
    res = run(["bash", runner.source("slurm", "weak-scaling.sbatch"), "2^30"], TIMEOUT_QUICK,
              env=runner.env(extra, drop=["SLURM_JOB_ID"]))
    expect(res.rc == 2 and "SIZE" in res.stderr, "2^30 accepted as SIZE: " + res.describe())


def suite_examples(runner, suite):
    suite.case("hostfile localhost -np 2", case_localhost_hostfile, runner)
    suite.case("hostfile localhost slots", case_localhost_slots, runner)
    suite.case("hostfile cluster.example format", case_cluster_example, runner)
    suite.case("hostfiles README", case_hostfile_readme, runner)
    for script in SBATCH_SCRIPTS:
        suite.case(f"sbatch directives of {script}", case_sbatch_directives, runner, script)
    suite.case("strong-scaling.sbatch outside Slurm, up to 5 ranks", case_strong_local, runner)
    suite.case("weak-scaling.sbatch outside Slurm, up to 3 ranks", case_weak_local, runner)
    suite.case("weak-scaling.sbatch refuses a SIZE awk cannot read", case_weak_bad_size, runner)
    suite.case("sbatch outside Slurm, default 1e9 --count", case_sbatch_default, runner)
    suite.case("sbatch outside Slurm, 1000 2000 --count", case_sbatch_range, runner)
    suite.case("sbatch outside Slurm, MPPRIMES_NP=3", case_sbatch_np, runner)


# ---------------------------------------------------------------------------
# Suite: decomp (-d/--decomposition, --chunk, --explain, --compare)


# Per method: the high window counted, and the high window listed with a
# 512-byte buffer (in many rounds). Trial division is slow up there: small ones.
DECOMP_WINDOWS = {
    "sieve": ((10**9, 10**9 + 2 * 10**6), (10**9, 10**9 + 10**5)),
    "trial": ((10**9, 10**9 + 2 * 10**4), (10**9, 10**9 + 10**4)),
}
DECOMP_NPS = (1, 2, 3, 4, 7)


def decomp_args(d, method, chunk=None):
    args = ["-d", d, "-m", method]
    return args + (["--chunk", str(chunk)] if chunk is not None else [])


def case_decomp_count(runner, np, d, method, lo, hi, chunk=None):
    """--count --json: the count, first and last of the reference, and the
    per-rank table the decomposition implies."""
    count, first, last = reference_facts(lo, hi)
    res = runner.mpprimes(["--count", "--json"] + decomp_args(d, method, chunk)
                          + [str(lo), str(hi)], np)
    expect_success(res)
    report = parse_json_report(res.out)
    check_json_report(report, lo, hi, np, method, count, first, last,
                      decomposition=d, chunk=chunk)
    return report


def case_decomp_list(runner, np, d, method, lo, hi, how, buffer=None, chunk=None):
    """--print or --output (HOW) of [LO, HI] byte for byte the reference,
    or (HOW "gather") the default mode's count; the JSON report right. BUFFER:
    --buffer's bytes (None: BUFFER_PER_RANK per rank, "default": 64 MiB);
    a listing longer than the buffer must take several rounds."""
    expected = reference(lo, hi)
    count, first, last = reference_facts(lo, hi)
    args = ["--json"] + decomp_args(d, method, chunk)
    if buffer == "default":
        size = None
    else:
        size = buffer or BUFFER_PER_RANK * np
        args = ["--buffer", str(size)] + args
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        path = os.path.join(tmp, "primes.txt")
        if how == "print":
            res = runner.mpprimes(args + ["--print", str(lo), str(hi)], np, buffer=False)
            expect_success(res)
            expect_same_listing(res.stdout, expected, "--print output")
            report = parse_json_report(res.stderr, "stderr")
        elif how == "output":
            res = runner.mpprimes(args + ["--output", path, str(lo), str(hi)], np,
                                  buffer=False)
            expect_success(res)
            left = sorted(os.listdir(tmp))
            expect(left == ["primes.txt"], f"directory holds {left}, expected only primes.txt")
            with open(path, "rb") as f:
                expect_same_listing(f.read(), expected, "--output file")
            report = parse_json_report(res.out)
        else:
            res = runner.mpprimes(args + [str(lo), str(hi)], np, buffer=False)
            expect_success(res)
            report = parse_json_report(res.out)
    check_json_report(report, lo, hi, np, method, count, first, last,
                      decomposition=d, chunk=chunk)
    if size is not None:
        held = count * 8 if how == "gather" else len(expected)
        listing_rounds(report, held, round_room(size, np, how, d))
    return report


def case_more_ranks_than_numbers(runner, d):
    """[2, 4] at 7 ranks: most ranks get nothing; the count is 2, the
    listing 2 and 3, in the three modes."""
    for how in ("count", "print", "gather"):
        if how == "count":
            report = case_decomp_count(runner, 7, d, "sieve", 2, 4)
        else:
            report = case_decomp_list(runner, 7, d, "sieve", 2, 4, how)
        expect(report["count"] == 2, f"{how}: count {report['count']}, expected 2")
        busy = [e["rank"] for e in report["per_rank"] if not e["empty"]]
        expect(1 <= len(busy) <= 3, f"{how}: ranks {busy} were given numbers, of 3")


def case_chunk_one(runner, d):
    """--chunk 1 over [2, 200] at 3 ranks: 199 one-number chunks; the count
    (46), the listing and the gathered count right, every chunk done once."""
    report = case_decomp_count(runner, 3, d, "sieve", 2, 200, chunk=1)
    expect(report["count"] == 46, f"count {report['count']}, expected 46")
    chunks = [e["chunks"] for e in report["per_rank"]]
    expect(sum(chunks) == 199, f"chunks per rank {chunks}: not 199 in all")
    if d == "cyclic":
        expect(chunks == [67, 66, 66], f"chunks per rank {chunks}, expected [67, 66, 66]")
    for how in ("print", "gather"):
        case_decomp_list(runner, 3, d, "sieve", 2, 200, how, chunk=1)
    case_decomp_list(runner, 3, d, "trial", 2, 200, "print", chunk=1)


def case_chunk_given(runner, d, chunk, nranks):
    """--chunk N at NRANKS ranks over [2, 1e6]: the report's chunk is N (cut
    to the range when longer), each rank's chunks as the decomposition deals
    them (cyclic: round-robin, the ranks differing by one chunk at most)."""
    report = case_decomp_count(runner, nranks, d, "sieve", 2, 10**6, chunk=chunk)
    per_chunk = min(chunk, 10**6 - 1)
    nchunks = -(-(10**6 - 1) // per_chunk)
    chunks = [e["chunks"] for e in report["per_rank"]]
    expect(sum(chunks) == nchunks, f"chunks per rank {chunks}, expected {nchunks} in all")
    if d == "cyclic":
        expect(max(chunks) - min(chunks) <= 1, f"cyclic chunks per rank {chunks}")


def case_balanced_decreasing(runner):
    """Balanced trial division over [2, 1e6] at 4 ranks: the cost of a
    number grows with it, so the blocks shrink, rank 0's the longest."""
    report = case_decomp_count(runner, 4, "balanced", "trial", 2, 10**6)
    lengths = [e["numbers"] for e in report["per_rank"]]
    expect(all(a > b for a, b in zip(lengths, lengths[1:])),
           f"balanced trial block lengths {lengths}: not decreasing")
    expect(lengths[0] > (10**6 - 1) // 4, f"rank 0's block {lengths[0]} is not the longest")


def split_plan(text):
    """(plan lines, the rest) of an output that starts with --explain's plan:
    the plan is every line before the report's first, '# mpprimes VERSION'
    (text), '{' (JSON), or the end."""
    lines = text.splitlines(keepends=True)
    expect(lines and lines[0].startswith("# plan"),
           f"the output does not start with '# plan': {text[:300]!r}")
    for i, line in enumerate(lines):
        if line.startswith("# mpprimes ") or line.startswith("{"):
            return lines[:i], "".join(lines[i:])
    return lines, ""


def expect_plan(plan, d, nranks):
    expect(len(plan) >= 5, f"a plan of {len(plan)} lines: {plan}")
    bad = [line for line in plan if not line.startswith("#")]
    expect(not bad, f"plan lines without '#': {bad[:3]}")
    head = plan[0]
    ranks = f"on {nranks} rank" + ("s" if nranks != 1 else "")
    expect(f"decomposition {d}" in head and re.search(rf"{ranks}\b", head),
           f"the plan's first line does not name decomposition {d} on {nranks} ranks: "
           f"{head!r}")
    expect(any(f"why {d}" in line for line in plan), f"the plan does not say why {d}")


def case_explain(runner, d, how, nranks=3):
    """--explain: the plan first, on the report stream, every line of it
    '#'-prefixed and naming the decomposition; then the run, still right.
    HOW: count (text report), json (the plan, then the JSON object), print
    (the plan and report on stderr, stdout only the primes), output (the
    plan and report on stdout, the file right)."""
    lo, hi = 2, 10**5
    expected = reference(lo, hi)
    count, first, last = reference_facts(lo, hi)
    args = ["--explain", "-d", d]
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        path = os.path.join(tmp, "primes.txt")
        if how == "count":
            res = runner.mpprimes(args + ["--count", "1e5"], nranks)
        elif how == "json":
            res = runner.mpprimes(args + ["--json", "1e5"], nranks)
        elif how == "print":
            res = runner.mpprimes(args + ["--print", "1e5"], nranks)
        else:
            res = runner.mpprimes(args + ["--output", path, "1e5"], nranks)
        expect_success(res)
        if how == "output":
            with open(path, "rb") as f:
                expect_same_listing(f.read(), expected, "--output file")
    if how == "print":
        expect_same_listing(res.stdout, expected, "--print output (with --explain)")
        stream = res.stderr
    else:
        stream = res.out
    plan, rest = split_plan(stream)
    expect_plan(plan, d, nranks)
    if how == "json":
        report = parse_json_report(rest)
        check_json_report(report, lo, hi, nranks, "sieve", count, first, last,
                          decomposition=d)
    else:
        expect(rest.startswith("# mpprimes "), f"no report after the plan: {rest[:300]!r}")
        expect(re.search(rf"^# decomposition +{d}$", rest, re.M),
               f"the report does not name {d}: {rest[:600]!r}")
        expect(re.search(rf"^# primes +{count}$", rest, re.M),
               f"the report does not count {count}: {rest[:600]!r}")


def case_compare(runner, d, method, how, nranks=3):
    """--compare: rank 0 also runs the range alone. JSON: serial_s > 0,
    speedup = serial_s / elapsed_s, efficiency = speedup / ranks, the count
    right (check_json_report); the serial run adds nothing to the listing."""
    lo, hi = (2, 10**6) if method == "sieve" else (2, 2 * 10**5)
    count, first, last = reference_facts(lo, hi)
    args = ["--compare", "--json"] + decomp_args(d, method) + [str(lo), str(hi)]
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        path = os.path.join(tmp, "primes.txt")
        if how == "count":
            res = runner.mpprimes(["--count"] + args, nranks)
        elif how == "print":
            res = runner.mpprimes(["--print"] + args, nranks)
        else:
            res = runner.mpprimes(["--output", path] + args, nranks)
        expect_success(res)
        if how == "output":
            with open(path, "rb") as f:
                expect_same_listing(f.read(), reference(lo, hi), "--output file")
            expect(os.listdir(tmp) == ["primes.txt"], f"left behind: {os.listdir(tmp)}")
    if how == "print":
        expect_same_listing(res.stdout, reference(lo, hi), "--print output (with --compare)")
        report = parse_json_report(res.stderr, "stderr")
    else:
        report = parse_json_report(res.out)
    check_json_report(report, lo, hi, nranks, method, count, first, last,
                      decomposition=d, compare=True)


def case_text_report_decomp(runner, d, compare, nranks=3):
    """The text report: the table's chunks, numbers and cpu_s columns (the
    numbers summing to the range's size), the decomposition and chunk lines,
    a bar per rank, the imbalance and balance bound, and with --compare the
    serial_s, speedup and efficiency lines (consistent with each other)."""
    # trial division: the sieve's chunks are at least 32 sqrt(STOP) numbers,
    # so 1e6 would be 31 chunks whatever the rank count
    args = ["--count", "-m", "trial", "-d", d, "1e6"] + (["--compare"] if compare else [])
    res = runner.mpprimes(args, nranks)
    expect_success(res)
    text = res.out
    expect(report_value(text, "decomposition") == d, f"decomposition line: {text[:500]!r}")
    expect(report_value(text, "primes") == "78498", "the count is not 78498")
    has_chunk = re.search(r"^# chunk +\d+$", text, re.M) is not None
    expect(has_chunk == (d in CHUNKED), f"a '# chunk' line {'' if has_chunk else 'not '}"
           f"printed for {d}")
    header = re.search(r"^# +rank +host .*$", text, re.M)
    expect(header and header.group(0).split()[-3:] == ["chunks", "numbers", "cpu_s"],
           f"table header {header.group(0) if header else None!r}")
    rows = [line.split() for line in text.splitlines() if line and not line.startswith("#")]
    expect(len(rows) == nranks and all(len(r) == 12 for r in rows),
           f"table rows {rows}: expected {nranks} of 12 fields")
    expect([int(r[0]) for r in rows] == list(range(nranks)), f"table ranks {rows}")
    numbers = sum(int(r[10]) for r in rows)
    expect(numbers == 10**6 - 1, f"the numbers column sums to {numbers}, expected 999999")
    chunks = [int(r[9]) for r in rows]
    expect(all(c >= 1 for c in chunks), f"chunks column {chunks}")
    if d in ("block", "balanced"):
        expect(chunks == [1] * nranks, f"chunks column {chunks} for {d}")
    bars = re.findall(r"^# +(\d+) [=| ]+ +(\d+\.\d+)$", text, re.M)
    expect([int(b[0]) for b in bars] == list(range(nranks)), f"bars {bars}")
    cpus = [float(r[11]) for r in rows]
    expect([float(b[1]) for b in bars] == cpus, f"bar values {bars}, cpu_s {cpus}")
    imbalance = float(report_value(text, "imbalance"))
    expect(imbalance >= 1, f"imbalance {imbalance}")
    bound = report_value(text, "balance_bound")
    expect(bound.endswith("%") and abs(float(bound[:-1]) - 100 / imbalance) <= 1.5,
           f"balance_bound {bound} with imbalance {imbalance}")
    serial = re.search(r"^# (serial_s|speedup|efficiency) ", text, re.M)
    if not compare:
        expect(serial is None, f"'{serial and serial.group(0)}' without --compare")
        return
    serial_s = float(report_value(text, "serial_s"))
    speedup = float(report_value(text, "speedup"))
    efficiency = float(report_value(text, "efficiency"))
    elapsed = float(report_value(text, "elapsed_s"))
    expect(serial_s > 0, f"serial_s {serial_s}")
    bounds = ratio_bounds(serial_s, elapsed, 5e-7)
    expect(bounds is None or bounds[0] - 0.005 <= speedup <= bounds[1] + 0.005,
           f"speedup {speedup}, but serial_s / elapsed_s = {serial_s / elapsed:.2f}")
    expect(abs(efficiency - speedup / nranks) <= 0.01,
           f"efficiency {efficiency}, but speedup / ranks = {speedup / nranks:.2f}")
    expect(re.search(rf"^# speedup +\S+ on {nranks} ranks", text, re.M), "speedup line")


def case_imbalance_direction(runner):
    """Trial division over [2, 2e6] at 4 ranks: block gives the last rank
    the dearest numbers, balanced evens the modeled cost out. The measured
    imbalance (CPU time, so robust to oversubscribed cores) must fall from
    block to balanced, and balanced's stay under 1.15. A direction, not a
    timing target."""
    imbalance = {}
    for d in ("block", "balanced"):
        report = case_decomp_count(runner, 4, d, "trial", 2, 2 * 10**6)
        imbalance[d] = report["imbalance"]
    expect(imbalance["block"] > imbalance["balanced"],
           f"imbalance block {imbalance['block']}, balanced {imbalance['balanced']}: "
           "balanced is not better")
    expect(imbalance["balanced"] < 1.15, f"balanced imbalance {imbalance['balanced']}")


def case_decomp_csv(runner):
    """--csv rows of runs with -d, --chunk and --compare: the decomposition,
    chunk, cpu_max_s, cpu_mean_s, imbalance and serial_s columns say what the
    same run's JSON report says."""
    runs = [(3, ["--count", "-d", "cyclic", "--chunk", "5000", "--compare", "1e6"]),
            (2, ["-d", "balanced", "-m", "trial", "1e5"]),
            (4, ["--count", "-d", "dynamic", "1e6"]),
            (1, ["--count", "--compare", "1e5"])]
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        path = os.path.join(tmp, "runs.csv")
        reports = []
        for np, args in runs:
            res = runner.mpprimes(["--json", "--csv", path] + args, np)
            expect_success(res)
            reports.append(parse_json_report(res.out))
        rows = read_csv_rows(path)
    expect(len(rows) == len(runs), f"{len(rows)} rows, expected {len(runs)}")
    for row, report in zip(rows, reports):
        expect_row_matches(row, report)
    want = [("cyclic", "5000", True), ("balanced", "", False), ("dynamic", None, False),
            ("block", "", True)]
    for row, (d, chunk, serial) in zip(rows, want):
        expect(row["decomposition"] == d, f"decomposition {row['decomposition']!r}, "
               f"expected {d!r}")
        if chunk is None:
            expect(row["chunk"].isdigit() and int(row["chunk"]) >= 1,
                   f"default chunk {row['chunk']!r}")
        else:
            expect(row["chunk"] == chunk, f"chunk {row['chunk']!r}, expected {chunk!r}")
        expect((row["serial_s"] != "") == serial, f"serial_s {row['serial_s']!r}")
        expect(float(row["imbalance"]) >= 1, f"imbalance {row['imbalance']!r}")


# (label, arguments, what the one line must say): each is bad usage (exit 2).
DECOMP_BAD_USAGE = [
    ("-d bogus", ["-d", "bogus", "1e6"], ("bogus", "decomposition")),
    ("--decomposition=Cyclic", ["--decomposition=Cyclic", "1e6"], ("Cyclic", "decomposition")),
    ("-d without value", ["1e6", "-d"], ("-d",)),
    ("--chunk 0", ["-d", "cyclic", "--chunk", "0", "1e6"], ("--chunk", "1")),
    ("--chunk x", ["-d", "dynamic", "--chunk", "x", "1e6"], ("--chunk", "'x'")),
    ("--chunk -5", ["-d", "cyclic", "--chunk=-5", "1e6"], ("--chunk", "-5")),
    ("--chunk 2^64", ["-d", "cyclic", "--chunk", "2^64", "1e6"], ("--chunk", "2^64")),
    ("--chunk 10 without -d", ["--chunk", "10", "1e6"], ("--chunk", "cyclic", "dynamic")),
    ("--chunk 10 with -d block", ["-d", "block", "--chunk", "10", "1e6"],
     ("--chunk", "cyclic", "dynamic")),
    ("--chunk 10 with -d balanced", ["--chunk", "10", "-d", "balanced", "1e6"],
     ("--chunk", "cyclic", "dynamic")),
]


def case_decomp_bad_usage(runner, np, args, words):
    """Exit 2, nothing on stdout, one 'mpprimes: ' line on stderr that names
    what was wrong; all ranks leave together, at once, and leave nothing."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        res = runner.mpprimes(args, np, quiet=True, timeout=TIMEOUT_QUICK, cwd=tmp)
        line = expect_one_error_line(res, 2)
        for word in words:
            expect(word in line, f"the message does not say {word!r}: {line!r}")
        expect(res.elapsed < TIMEOUT_QUICK / 2,
               f"took {res.elapsed:.1f} s to reject bad usage: " + res.describe())
        expect(os.listdir(tmp) == [], f"left files behind: {os.listdir(tmp)}")


def suite_decomp(runner, suite):
    if not have_primesieve():
        print("note: primesieve not found; the Python sieve stands in where it can")
    for np in runner.rank_counts(DECOMP_NPS):
        for d in DECOMPOSITIONS:
            for method in ("sieve", "trial"):
                (clo, chi), (llo, lhi) = DECOMP_WINDOWS[method]
                tag = f"np{np} {d} {method}"
                suite.case(f"{tag} count 2..1e6", case_decomp_count,
                           runner, np, d, method, 2, 10**6)
                suite.case(f"{tag} count {clo}..{chi}", case_decomp_count,
                           runner, np, d, method, clo, chi)
                suite.case(f"{tag} print 2..1e5 (64 MiB buffer)", case_decomp_list,
                           runner, np, d, method, 2, 10**5, "print", "default")
                # (block and balanced gather a round's pieces in turns, a
                # whole buffer each: 512 bytes still makes several rounds at 7)
                suite.case(f"{tag} print {llo}..{lhi} (512-byte buffer)", case_decomp_list,
                           runner, np, d, method, llo, lhi, "print", 512)
                suite.case(f"{tag} default mode 2..1e5 in rounds", case_decomp_list,
                           runner, np, d, method, 2, 10**5, "gather")
                if np in (3, 7):
                    suite.case(f"{tag} output 2..1e5 in rounds", case_decomp_list,
                               runner, np, d, method, 2, 10**5, "output")
    for d in DECOMPOSITIONS:
        suite.case(f"np7 {d} 2..4: more ranks than numbers", case_more_ranks_than_numbers,
                   runner, d)
    for d in CHUNKED:
        suite.case(f"np3 {d} --chunk 1 over 2..200", case_chunk_one, runner, d)
        suite.case(f"np3 {d} --chunk 1000", case_chunk_given, runner, d, 1000, 3)
        suite.case(f"np4 {d} --chunk 12345", case_chunk_given, runner, d, 12345, 4)
        suite.case(f"np2 {d} --chunk 1e9 (longer than the range)", case_chunk_given,
                   runner, d, 10**9, 2)
    suite.case("np4 balanced trial 2..1e6: blocks of decreasing length",
               case_balanced_decreasing, runner)
    for d in DECOMPOSITIONS:
        suite.case(f"np3 {d} --explain --count", case_explain, runner, d, "count")
        suite.case(f"np3 {d} --explain --print", case_explain, runner, d, "print")
    suite.case("np3 dynamic --explain --json", case_explain, runner, "dynamic", "json")
    suite.case("np3 cyclic --explain --output", case_explain, runner, "cyclic", "output")
    suite.case("np1 block --explain --count", case_explain, runner, "block", "count", 1)
    for d in DECOMPOSITIONS:
        suite.case(f"np3 {d} --compare --count", case_compare, runner, d, "sieve", "count")
    suite.case("np3 dynamic trial --compare --print", case_compare,
               runner, "dynamic", "trial", "print")
    suite.case("np3 balanced --compare --output", case_compare,
               runner, "balanced", "sieve", "output")
    suite.case("np1 block trial --compare --count", case_compare,
               runner, "block", "trial", "count", 1)
    for d in DECOMPOSITIONS:
        suite.case(f"np3 {d} text report", case_text_report_decomp, runner, d, False)
    suite.case("np3 cyclic text report with --compare", case_text_report_decomp,
               runner, "cyclic", True)
    suite.case("np4 trial 2..2e6: block's imbalance > balanced's, balanced < 1.15",
               case_imbalance_direction, runner)
    suite.case("--csv rows with -d, --chunk, --compare", case_decomp_csv, runner)
    for np in (3, None):
        where = "singleton" if np is None else f"np{np}"
        for label, args, words in DECOMP_BAD_USAGE:
            if np is None and label not in ("-d bogus", "--chunk 0", "--chunk 10 without -d"):
                continue
            suite.case(f"{where} bad usage ({label}): mpprimes {shlex.join(args)}",
                       case_decomp_bad_usage, runner, np, args, words)


# ---------------------------------------------------------------------------
# Suites: sanitize-runs and sanitize-errors
#
# The sanitizer build (-DMPPRIMES_SANITIZE=ON, scripts/harden.sh) runs these
# two instead of the whole integration suites: every run there costs seconds
# (LeakSanitizer's check at each rank's exit, over Open MPI's own state), so
# each path of the driver is taken once or twice rather than over many
# ranges. Cases of the other suites, picked for the driver's paths: the
# count, the default gather in rounds, --print, --output (MPI-IO), --format
# binary, the four decompositions (dynamic's hand-out most), --explain,
# --compare, --csv, 1 to 7 ranks and a rank without numbers, the singleton;
# and its failure paths. Left out: the cases under `ulimit -v` (ASan's
# shadow memory needs terabytes of address space) and the runs that take
# seconds natively.


def suite_sanitize_runs(runner, suite):
    suite.case("singleton --help", case_help, runner, None, "--help")
    suite.case("np2 count json pi(1e7)", case_count_json, runner, 2)
    suite.case("np3 dynamic sieve count 1e9..1e9+2e6", case_decomp_count,
               runner, 3, "dynamic", "sieve", 10**9, 10**9 + 2 * 10**6)
    suite.case("np2 print sieve 1..2e5", case_print,
               runner, 2, "1", "2e5", 1, 200_000, "sieve")
    suite.case("np3 print trial 2^32-1000..2^32+1000", case_print,
               runner, 3, "2^32-1000", "2^32+1000", 2**32 - 1000, 2**32 + 1000, "trial")
    suite.case("np1 print trial 2^64-1..2^64-1", case_print,
               runner, 1, "2^64-1", "18446744073709551615", U64_MAX, U64_MAX, "trial")
    suite.case("np4 text report 1e6", case_text_report, runner, 4)
    suite.case("np3 output 2..1e6", case_output, runner, 3, 2, 10**6)
    suite.case("np4 output binary 2..1e6", case_listing,
               runner, 4, "2", "1e6", 2, 10**6, "output", "binary")
    suite.case("np3 print binary 1e9..1e9+1e6", case_listing,
               runner, 3, "1e9", "1e9+1e6", 10**9, 10**9 + 10**6, "print", "binary")
    for np, d, method, hows in ((3, "dynamic", "sieve", ("gather", "print", "output")),
                                (7, "dynamic", "trial", ("output",)),
                                (2, "cyclic", "sieve", ("print",)),
                                (4, "balanced", "trial", ("gather",))):
        for how in hows:
            suite.case(f"np{np} {d} {method} {how} 2..1e5 in rounds", case_decomp_list,
                       runner, np, d, method, 2, 10**5, how)
    suite.case("np7 block print 2..4 (more ranks than numbers)", case_decomp_list,
               runner, 7, "block", "sieve", 2, 4, "print")
    suite.case("np3 dynamic print 2..200 in chunks of 1", case_decomp_list,
               runner, 3, "dynamic", "sieve", 2, 200, "print", None, 1)
    suite.case("np3 dynamic --explain --json", case_explain, runner, "dynamic", "json")
    suite.case("np3 dynamic trial --compare --print", case_compare,
               runner, "dynamic", "trial", "print")
    suite.case("--csv rows with -d, --chunk, --compare", case_decomp_csv, runner)


def suite_sanitize_errors(runner, suite):
    suite.case("singleton bad usage (--bogus)", case_bad_usage, runner, None, ["--bogus", "100"])
    suite.case("np2 bad usage (start > stop)", case_bad_usage, runner, 2, ["10", "5"])
    suite.case("np3 bad usage (--chunk 0)", case_decomp_bad_usage, runner, 3,
               ["-d", "cyclic", "--chunk", "0", "1e6"], ("--chunk", "1"))
    suite.case("singleton output into a missing directory", case_missing_dir, runner, None)
    suite.case("np2 output into /proc", case_proc, runner, 2)
    suite.case("np2 output into a read-only directory (as nobody)",
               case_readonly_dir_nobody, runner, 2)
    suite.case("np2 --csv into a missing directory", case_csv_missing_dir, runner, 2)
    suite.case("np2 --csv after a failed run", case_csv_failed_run, runner, 2)
    suite.case("np7 --buffer too small for the ranks", case_buffer_too_small, runner, 7)
    if is_char_device("/dev/full"):
        suite.case("np2 output to /dev/full", case_dev_full, runner, 2)
        suite.case("np2 --csv to /dev/full", case_csv_full, runner, 2)
        suite.case("singleton print to a full stdout", case_stdout_full, runner)
        suite.case("np2 print to a full stdout", case_print_full, runner, 2)
    suite.case("np2 print 1e12 | head -n 5", case_closed_pipe, runner, 2)
    suite.case("np3 output to a full disk (tmpfs)", case_tiny_tmpfs, runner, 3)
    suite.case("np2 output to a FIFO without reader", case_fifo_no_reader, runner, 2)
    suite.case("np2 output to a FIFO whose reader leaves", case_fifo_reader_leaves, runner, 2)


# ---------------------------------------------------------------------------
# Suite: long


def case_long_count(runner, np, args, lo, hi, count, method="sieve", last=None):
    if count is None:
        count = reference_count(lo, hi)
    res = runner.mpprimes(["--json"] + args, np, timeout=TIMEOUT_LONG)
    expect_success(res)
    report = parse_json_report(res.out)
    check_json_report(report, lo, hi, np, method, count, check_first_last=False)
    if last is not None:
        expect(report["last"] == last, f"last {report['last']}, expected {last}")


def case_long_print(runner, np, lo, hi):
    expected = reference(lo, hi)
    res = runner.mpprimes(["--print", "--quiet", str(lo), str(hi)], np, timeout=TIMEOUT_LONG)
    expect_success(res)
    expect_same_listing(res.stdout, expected, "--print output")


def case_long_gather_beyond_int(runner, np):
    """The default mode over [2, 1e11]: 4,118,054,813 primes, more than one
    MPI_Gatherv with int counts can carry (2^31 - 1), gathered at rank 0 in
    rounds of the default 64 MiB buffer, with every rank's peak memory under
    128 MiB."""
    res = runner.mpprimes(["--json", "1e11"], np, timeout=TIMEOUT_LONG, buffer=False)
    expect_success(res)
    report = parse_json_report(res.out)
    check_json_report(report, 2, 10**11, np, "sieve", 4118054813, 2, 99999999977)
    expect(report["rounds"] > 1, f"{report['rounds']} round(s)")
    peaks = [r["max_rss_kib"] for r in report["per_rank"]]
    expect(max(peaks) < 128 * 1024, f"peak memory per rank {peaks} KiB, over 128 MiB")


def case_long_output_1e9(runner, np):
    """--output over [2, 1e9] with the default buffer (several rounds of
    64 MiB per rank), byte for byte primesieve's 500 MB listing, compared as
    a stream."""
    if not have_primesieve():
        raise CaseSkipped("primesieve not installed")
    with tempfile.TemporaryDirectory(prefix="mpprimes-it-") as tmp:
        path = os.path.join(tmp, "primes.txt")
        res = runner.mpprimes(["-q", "--output", path, "1e9"], np, timeout=TIMEOUT_LONG,
                              buffer=False)
        expect_success(res)
        proc = subprocess.Popen(["primesieve", "1e9", "--print"], stdout=subprocess.PIPE)
        offset = 0
        try:
            with open(path, "rb") as f:
                while True:
                    want = proc.stdout.read(1 << 20)
                    got = f.read(len(want)) if want else f.read(1)
                    if want != got:
                        raise CaseFailure(f"the file differs from primesieve's listing in "
                                          f"the MiB at byte {offset}")
                    if not want:
                        break
                    offset += len(want)
        finally:
            proc.kill()
            proc.wait()
        expect(offset == 501959790, f"{offset} bytes, expected 501959790")


def suite_long(runner, suite):
    suite.case("np2 default mode pi(1e11), beyond int counts", case_long_gather_beyond_int,
               runner, 2)
    suite.case("np3 output 1e9 against primesieve", case_long_output_1e9, runner, 3)
    for np in (2, 3):
        suite.case(f"np{np} count pi(1e9)", case_long_count,
                   runner, np, ["--count", "1e9"], 2, 10**9, 50847534)
    for np in (2, 3):
        suite.case(f"np{np} 2^64-1000..2^64-1", case_long_count,
                   runner, np, ["2^64-1000", "2^64-1"], 2**64 - 1000, U64_MAX, 21,
                   "sieve", 18446744073709551557)
    suite.case("np3 count 1e12..1e12+1e8", case_long_count,
               runner, 3, ["--count", "1e12", "1e12+1e8"], 10**12, 10**12 + 10**8, None)
    suite.case("np2 print 1e9..1e9+1e7", case_long_print, runner, 2, 10**9, 10**9 + 10**7)
    suite.case("np3 trial count pi(1e7)", case_long_count,
               runner, 3, ["--count", "-m", "trial", "1e7"], 2, 10**7, 664579, "trial")
    suite.case("np7 print+json 2^64-2000..2^64-1", case_print_json,
               runner, 7, "2^64-2000", "2^64-1", 2**64 - 2000, U64_MAX, "sieve", TIMEOUT_LONG)
    suite.case("np1 sieve 2^64-1..2^64-1", case_print_json,
               runner, 1, "2^64-1", "2^64-1", U64_MAX, U64_MAX, "sieve", TIMEOUT_LONG)
    suite.case("np4 count 2^32..2^32+1e9", case_long_count,
               runner, 4, ["--count", "2^32", "2^32+1e9"], 2**32, 2**32 + 10**9, None)


# ---------------------------------------------------------------------------
# Suite: bench (the baselines and tools of bench/ give right answers)


def build_dir(runner):
    return os.path.dirname(runner.binary)


def case_textbook(runner, np, n, count):
    exe = os.path.join(build_dir(runner), "bench", "textbook_sieve")
    res = run([runner.mpiexec, "--oversubscribe", "-np", str(np), exe, str(n)],
              TIMEOUT_RUN, env=runner.env())
    expect_success(res)
    expect(res.out.startswith(f"primes {n} {count} "),
           f"textbook_sieve {n} at {np} ranks: {res.out[:200]!r}, expected {count} primes")


def case_seed(runner, script, n, count):
    res = run([sys.executable, runner.source("bench", "seeds", script), str(n)], TIMEOUT_RUN)
    expect_success(res)
    expect(f"primes {count} seconds " in res.out,
           f"{script} {n}: {res.out[-200:]!r}, expected {count} primes")


def case_sieve_time(runner, args, want):
    exe = os.path.join(build_dir(runner), "bench", "sieve_time")
    res = run([exe] + args, TIMEOUT_RUN)
    expect_success(res)
    expect(res.out.startswith(want), f"sieve_time {args}: {res.out!r}, expected {want}")


def case_sieve_time_pieces(runner):
    """sieve_time --pieces: one sieve state through every other piece (jumps,
    tiny segments) finds what fresh sieves of each piece find, in one window."""
    exe = os.path.join(build_dir(runner), "bench", "sieve_time")
    lo, hi, pieces = 10**9, 10**9 + 10**6, 10
    tiny = ["--segment", "256", "--chunk", "64"]
    res = run([exe, str(lo), str(hi), "--pieces", str(pieces), "--of", "2"] + tiny, TIMEOUT_RUN)
    expect_success(res)
    m = re.match(r"count (\d+) .* windows (\d+) jumps (\d+) ", res.out)
    expect(m, f"sieve_time --pieces: {res.out!r}")
    total, length = 0, (hi - lo) // pieces
    for k in range(0, pieces, 2):
        a = lo + k * length
        one = run([exe, str(a), str(a + length - 1)] + tiny, TIMEOUT_RUN)
        expect_success(one)
        total += int(one.out.split()[1])
    expect(int(m.group(1)) == total, f"--pieces counted {m.group(1)}, the pieces alone {total}")
    expect(m.group(2) == "1" and m.group(3) == "4",
           f"expected one window and 4 jumps: {res.out!r}")


def case_costmodel_smoke(runner):
    """bench/costmodel.py at 1 and 2 ranks on small ranges: its table, with
    the rounds and the dynamic chunks as the model says."""
    res = run([sys.executable, runner.source("bench", "costmodel.py"), "--binary",
               os.path.join(build_dir(runner), "mpprimes"), "--ranks", "1,2", "--listing",
               "1e6", "3e6", "--dynamic", "1e7"], TIMEOUT_LONG, env=runner.env())
    expect_success(res)
    rows = [line for line in res.out.splitlines() if re.match(r"\| [12] \|", line)]
    expect(len(rows) == 2, f"costmodel.py: {res.out!r}")
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rounds = re.fullmatch(r"(\d+) \((\d+)\)", cells[1])
        chunks = re.fullmatch(r"(\d+) \((\d+)\)", cells[7])
        expect(rounds and rounds.group(1) == rounds.group(2), f"rounds: {line}")
        expect(chunks and chunks.group(1) == chunks.group(2), f"dynamic chunks: {line}")


def case_bench_smoke(runner):
    """bench.py end to end on its cheapest comparison, one run each; the
    newest primesieve given by --primesieve (here a wrapper of Debian's, as
    no other is installed) and Debian's timed beside it."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "benchmarks.md")
        newest = os.path.join(tmp, "primesieve-newest")
        with open(newest, "w") as f:
            f.write('#!/bin/sh\nexec /usr/bin/primesieve "$@"\n')
        os.chmod(newest, 0o755)
        res = run([sys.executable, runner.source("bench", "bench.py"), "--build",
                   build_dir(runner), "--runs", "1", "--only", "start-up",
                   "--skip-baselines", "--listing-stop", "1e6", "--memory-stop", "1e6",
                   "--primesieve", newest, "--out", out], TIMEOUT_LONG, env=runner.env())
        expect_success(res)
        with open(out) as f:
            text = f.read()
        for want in ("| start-up: [2, 10], 1 rank vs 1 thread |", "## Memory",
                     "| empty range [0, 1]", "| [2^64-1e9, 2^64-1] |",
                     "| --output F 1e6, F on the disk, 2 ranks |",
                     "| --print 1e6 > /dev/null, 2 ranks |",
                     "## Listing memory: [2, 1e6] at 2 ranks",
                     "| identical to primesieve's |", "- primesieve (the ratios): primesieve",
                     "; beside it, Debian's primesieve", "| Debian's primesieve s |"):
            expect(want in text, f"no {want!r} in the written benchmarks:\n{text}")
        # every row of the counting and listing tables has Debian's time
        rows = [line for line in text.splitlines()
                if line.startswith(("| start-up", "| --output F 1e6", "| --print 1e6"))]
        expect(len(rows) >= 3 and all(re.search(r"\| `primesieve [^`]*` \| [\d.]+ \| [\d.]+ \|",
                                                line) for line in rows),
               f"rows without both primesieves' times: {rows}")


def read_dat(path):
    """The rows of a whitespace-separated gnuplot data file, comments dropped."""
    with open(path) as f:
        return [line.split() for line in f if line.strip() and not line.startswith("#")]


def expect_png(path):
    expect(os.path.exists(path), f"no {path}")
    with open(path, "rb") as f:
        head = f.read(24)
    expect(head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG")
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    expect(width >= 400 and height >= 300, f"{path} is {width}x{height}")


def case_scaling_smoke(runner):
    """bench/scaling.py at 1..3 ranks, one run each: the CSV rows, the
    gnuplot data (speedup 1 at one rank, efficiency = speedup / ranks), the
    three PNG plots and the Markdown tables; then --from-strong/--from-weak
    draw the same study from its CSV alone."""
    script = runner.source("bench", "scaling.py")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "study")
        res = run([sys.executable, script, "--binary", runner.binary, "--mpiexec",
                   runner.mpiexec, "--max-ranks", "3", "--strong", "1e7", "--weak", "1e6",
                   "--repeats", "1", "--out-dir", out, "--name", "test"],
                  TIMEOUT_LONG, env=runner.env())
        expect_success(res)
        expect([r["ranks"] for r in read_csv_rows(os.path.join(out, "strong.csv"))]
               == ["1", "2", "3"], "strong.csv rows")
        weak = read_csv_rows(os.path.join(out, "weak.csv"))
        expect([(r["stop"], r["count"]) for r in weak]
               == [("1000000", "78498"), ("2000000", "148933"), ("3000000", "216816")],
               f"weak.csv rows {[(r['stop'], r['count']) for r in weak]}")
        strong = read_dat(os.path.join(out, "strong.dat"))
        expect([row[0] for row in strong] == ["1", "2", "3"], f"strong.dat {strong}")
        expect(float(strong[0][6]) == 1.0, f"speedup at 1 rank {strong[0][6]}")
        for row in strong:
            expect(abs(float(row[7]) - float(row[6]) / int(row[0])) < 1e-3,
                   f"efficiency is not speedup / ranks: {row}")
        per_rank = read_dat(os.path.join(out, "per-rank.dat"))
        expect([row[0] for row in per_rank] == ["0", "1", "2"], f"per-rank.dat {per_rank}")
        for name in ("speedup.png", "efficiency.png", "per-rank.png"):
            expect_png(os.path.join(out, name))
        with open(os.path.join(out, "summary.md")) as f:
            md = f.read()
        expect("Strong scaling, [2, 10000000]" in md and "| 3 | 3000000 |" in md,
               f"summary.md:\n{md}")
        again = os.path.join(tmp, "again")
        res = run([sys.executable, script, "--from-strong", os.path.join(out, "strong.csv"),
                   "--from-weak", os.path.join(out, "weak.csv"), "--out-dir", again],
                  TIMEOUT_RUN, env=runner.env())
        expect_success(res)
        expect(read_dat(os.path.join(again, "strong.dat")) == strong,
               "the CSV alone gives other figures")
        for name in ("speedup.png", "efficiency.png"):
            expect_png(os.path.join(again, name))


def suite_bench(runner, suite):
    for np, n, count in ((1, 100, 25), (2, 10**6, 78498), (3, 10**7, 664579),
                         (4, 10**6 + 1, 78498)):
        suite.case(f"textbook_sieve np{np} {n}", case_textbook, runner, np, n, count)
    for script in ("primes_serial.py", "primes_pool.py", "primes_process.py"):
        suite.case(f"seeds {script} 10^4", case_seed, runner, script, 10**4, 1229)
    suite.case("sieve_time pi(1e8)", case_sieve_time, runner, ["0", "1e8"],
               "count 5761455 first 2 last 99999989")
    suite.case("sieve_time --list tiny segments", case_sieve_time, runner,
               ["1e9", "1e9+1e6", "--list", "--segment", "256", "--chunk", "64"],
               "count 48155 first 1000000007 last 1000999949 sum 48179107682461")
    suite.case("sieve_time --pieces: a state through every other piece", case_sieve_time_pieces,
               runner)
    suite.case("costmodel.py smoke run, 1 and 2 ranks", case_costmodel_smoke, runner)
    suite.case("bench.py smoke run", case_bench_smoke, runner)
    suite.case("scaling.py smoke run, 1..3 ranks", case_scaling_smoke, runner)


# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# --self-test

SELF_TEST_CHECKS = 5
SELF_TEST_LINE = re.compile(r"(ok  |FAIL) (.+)")


def self_test_lines(res):
    """The header, the check lines and the summary of a --self-test run."""
    lines = res.out.splitlines()
    expect(len(lines) == SELF_TEST_CHECKS + 2, f"{len(lines)} lines: {res.out!r}")
    checks = [SELF_TEST_LINE.fullmatch(line) for line in lines[1:-1]]
    expect(all(checks), f"not 'ok'/'FAIL' lines: {lines[1:-1]}")
    return lines[0], [(m.group(1).strip(), m.group(2)) for m in checks], lines[-1]


def case_self_test(runner, np):
    """--self-test at NP ranks: a header naming the ranks, the hosts and the
    seed; every check ok; exit 0; the same seed again (MPPRIMES_SELF_TEST_SEED)
    names the same seed. The time it takes is printed, not asserted (the
    target, under 10 s, is bench/'s business)."""
    res = runner.mpprimes(["--self-test"], np, buffer=False, timeout=TIMEOUT_RUN * 2)
    expect_success(res)
    expect(res.stderr.strip() == "", "wrote to stderr: " + res.describe())
    head, checks, tail = self_test_lines(res)
    ranks = np or 1
    m = re.fullmatch(r"# mpprimes \S+ self-test: (\d+) ranks? on 1 host, seed (\d+) "
                     r"\(MPPRIMES_SELF_TEST_SEED=(\d+) repeats it\)", head)
    expect(m and int(m.group(1)) == ranks and m.group(2) == m.group(3), f"header {head!r}")
    expect(all(v == "ok" for v, _ in checks), f"a check failed: {checks}")
    expect(any(f"({ranks} rank" in what and "75923 primes" in what for _, what in checks),
           f"no agreement line on 75923 primes: {checks}")
    expect(any(f"{4 * ranks} random ranges up to 2^64-1" in what for _, what in checks),
           f"not 4 ranges per rank: {checks}")
    expect(re.fullmatch(rf"# self-test passed: {SELF_TEST_CHECKS} of {SELF_TEST_CHECKS} checks "
                        r"passed in [\d.]+ s", tail), f"summary {tail!r}")
    print(f"     (np {ranks}: {res.elapsed:.1f} s)", flush=True)
    seed = m.group(2)
    again = runner.mpprimes(["--self-test"], np, buffer=False, timeout=TIMEOUT_RUN * 2,
                            env={"MPPRIMES_SELF_TEST_SEED": seed})
    expect_success(again)
    expect(f"seed {seed} " in again.out.splitlines()[0], f"seed not repeated: {again.out[:200]!r}")


def case_self_test_fault(runner, np, bad):
    """--self-test with rank BAD made to drop the first prime of every piece
    (MPPRIMES_SELF_TEST_FAULT): each check that can see it fails, naming
    what differed, and the job exits 1 on every rank."""
    res = runner.mpprimes(["--self-test"], np, buffer=False, timeout=TIMEOUT_RUN * 2,
                          quiet=True, env={"MPPRIMES_SELF_TEST_FAULT": str(bad)})
    expect(res.rc == 1, "expected exit 1: " + res.describe())
    head, checks, tail = self_test_lines(res)
    verdict = dict((what.split(":")[0], v) for v, what in checks)
    failed = [what for v, what in checks if v == "FAIL"]
    expect(any(w.startswith("pi(x)") and "pi(10^" in w and "published" in w for w in failed),
           f"pi(x) did not fail: {checks}")
    expect(any("sieve = Miller-Rabin" in w and f"rank {bad}," in w for w in failed),
           f"the sieve's ranges did not fail at rank {bad}: {checks}")
    expect(any("trial division = Miller-Rabin" in w and f"rank {bad}," in w for w in failed),
           f"trial division's ranges did not fail at rank {bad}: {checks}")
    if (np or 1) > 1:
        expect(any("agree" in w and "differ between ranks" in w for w in failed),
               f"the agreement did not fail: {checks}")
    expect(tail.startswith("# self-test FAILED: "), f"summary {tail!r}")
    expect(verdict, "no verdicts")


def suite_self_test(runner, suite):
    for np in (None, 1, 2, 3, 4, 7):
        where = "singleton" if np is None else f"np{np}"
        suite.case(f"{where} --self-test", case_self_test, runner, np)
    suite.case("np3 --self-test, rank 1 faulty", case_self_test_fault, runner, 3, 1)
    suite.case("np2 --self-test, rank 0 faulty", case_self_test_fault, runner, 2, 0)
    suite.case("singleton --self-test, faulty", case_self_test_fault, runner, None, 0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_program_args(parser)
    parser.add_argument("--suite", required=True,
                        choices=["ranks", "cli", "errors", "listing", "examples", "decomp",
                                 "self-test",
                                 "long", "bench", "sanitize-runs", "sanitize-errors"])
    parser.add_argument("--np", type=int, help="ranks for the ranks suite")
    args = parser.parse_args(argv)

    if args.suite == "ranks" and (args.np is None or args.np < 1):
        parser.error("--suite ranks needs --np N (N >= 1)")
    suite = Suite()
    if not os.access(args.binary, os.X_OK):
        suite.fail("setup", f"{args.binary} is not an executable")
        return suite.finish()

    runner = Runner(args.binary, args.mpiexec, args.source_dir)
    start = time.monotonic()
    if args.suite == "ranks":
        suite_ranks(runner, suite, args.np)
    elif args.suite == "cli":
        suite_cli(runner, suite)
    elif args.suite == "errors":
        suite_errors(runner, suite)
    elif args.suite == "listing":
        suite_listing(runner, suite)
    elif args.suite == "examples":
        suite_examples(runner, suite)
    elif args.suite == "decomp":
        suite_decomp(runner, suite)
    elif args.suite == "bench":
        suite_bench(runner, suite)
    elif args.suite == "self-test":
        suite_self_test(runner, suite)
    elif args.suite == "sanitize-runs":
        suite_sanitize_runs(runner, suite)
    elif args.suite == "sanitize-errors":
        suite_sanitize_errors(runner, suite)
    else:
        suite_long(runner, suite)
    print(f"(suite {args.suite} took {time.monotonic() - start:.1f} s)")
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
