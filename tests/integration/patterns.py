#!/usr/bin/env python3
"""Prime pattern tests for mpprimes: --count=KINDS (twins, triplets,
quadruplets, quintuplets, sextuplets), --gaps, --nth-prime and --print=K
(the K-tuplets listed), against independent references, at 1 to 7 ranks and
every decomposition.

ctest runs this script (see tests/CMakeLists.txt) as

    patterns.py --binary PATH --mpiexec PATH --source-dir REPO

The references: primesieve -c123456 (the counts), a Python sieve of the
range (reference.python_primes; near 2^64 a window sieved by the small
primes and finished by Miller-Rabin) with the tuplets and gaps counted here
from their definitions, and the tables of shared/reference/patterns.md.
A tuplet counts when all its members lie in [START, STOP] (primesieve's
convention); a gap is q - p for consecutive primes p < q of the range. The
nth prime is primesieve's nth_prime(N, START): N > 0 the Nth prime > START,
N = 0 the first >= START, N < 0 the |N|th < START; its references are
primesieve N START -n (N >= 0), the Python reference's primes over windows
walking away from START, and for N < 0 primesieve's count below START then
-n; mpprimes counts an interval next to START ("start"/"stop" of the
report), so its "count" is checked too. The tuplets listed by --print=K
are primesieve LO HI -pK's stdout byte for byte (without primesieve,
reference.tuplets_of over the Python reference's primes, with a range near
2^64 cut to its top 10^6).

Cases:
  reference   the Python tuplet count itself, against the patterns.md
              counts in [0, x] (x = 30 ... 10^6) and against primesieve
              near 2^32 (so that the fallback below is sound)
  tuplets     --count=123456 --json against primesieve -c123456, value for
              value (the Python count where primesieve is missing, and
              always for the tiny ranges), over [0, 1e6], [1000, 200000],
              [2^32 - 3e5, 2^32 + 3e5], [2^64 - 1 - 3e6, 2^64 - 1],
              [1e12, 1e12 + 2e7], [0, 30], [5, 7], [2, 2] and [24, 28]: every
              range at 1, 2, 3, 4 and 7 ranks (the tiny ones at some), the
              decompositions block, balanced, cyclic (--chunk 7, 1000,
              default) and dynamic (--chunk 1000, default) spread over them;
              trial division on [0, 30000] at 3 ranks, cyclic --chunk 13; a
              subset of kinds (-c35: exactly those keys) and the digits in
              another order. Every report: "count" the primes, "counts"
              exactly the asked kinds, each per_rank "counts" with the same
              keys, summing over the ranks to the totals, and the per-rank
              table of the decomposition (reference.check_json_report)
  table       patterns.md's counts: [0, 1e7] all kinds at 2 ranks;
              [4294967000, 4294968000] at 3 ranks cyclic --chunk 100;
              [2^64 - 1 - 1e9, 2^64 - 1] at 2 ranks (about 5 s here)
  gaps        --gaps --json against the Python gaps of the range: the
              histogram exactly, the maximal gaps ("records", relative to
              START) exactly with their "after" primes (exact ints, beyond
              2^53 near 2^64), the largest, and the histogram summing to
              primes - 1; over [2, 200000], [1000, 50000],
              [2^64 - 1 - 200000, 2^64 - 1], [24, 28] (no prime: largest
              null, no records, empty histogram) and [89, 97] (one gap, 8
              after 89), at 1, 2, 3, 4 and 7 ranks, cyclic --chunk 5 and
              dynamic --chunk 100 among the decompositions
  max gaps    --gaps 2 1e9 at 2 ranks: the records are the rows of
              patterns.md's maximal-gap table up to 1e9 (the file missing:
              skipped, under CI a failure)
  text        the text report: "# twins ..." lines for the asked kinds
              only, their columns in the per-rank table (summing to the
              totals), the gaps section ("# largest_gap    114 after
              492113" for [2, 1e6]) with its maximal gaps and histogram;
              none of it for plain -c; "# largest_gap    -" without a gap
  csv         --csv with -c26 --gaps, then with plain -c: twins, sextuplets
              and the largest gap filled in the first row, the other kinds
              empty; all of them empty in the second
  errors      bad --count kinds and --gaps/--count with --print/--output, at
              1 and 3 ranks: exit 2, one exact "mpprimes: " line, no file
  compare     --compare -c26 --gaps at 2 ranks: exit 0, the counts and gaps
              right, serial_s/speedup/efficiency there
  nth ref     the Python nth prime against the named values and patterns.md
              up to 10^5; primesieve -n, and its count route for N < 0,
              against it
  nth         --nth-prime N START --json, N >= 0, against primesieve -n,
              exactly: N 0, 1, 2, 10, 1000, 123456, 1e6; START 0 (or none),
              1, 96, 97, 1e6, 2^32 - 5, 2^32 + 1, 1e12, 1e15, 2^63,
              2^64 - 1e6; N < 0 against the Python reference (-1 at 3, -4 at
              10, -25 at 100, -10 at 1000000000000279, -1000 at 1e12, -1e5 at
              2^32, -1 at 2^64 - 1) and primesieve's count (-1e6 at 1e9); at
              1, 2, 3, 4 and 7 ranks, block, balanced, cyclic and dynamic
              (--chunk 7, 1000, default), the forms -n N, --nth-prime N and
              --nth-prime=N. Every report: "nth" {n (signed), start}, the
              interval counted starting next to START on its side, its count
              (first, last where cheap), the per-rank table
              (check_json_report); no nth keys without --nth-prime
  nth table   --nth-prime 10^k at 2 ranks, k = 1 ... 9: patterns.md's "The
              nth prime" rows (not the "(published)" ones)
  nth edge    at 1 and 3 ranks: the 1e15 values, -10 at 1000000000000279,
              0 at 2^64 - 59 (itself), 1 at 2^64 - 60 (2^64 - 59; not from
              primesieve), -1 at 3 and -4 at 10 (2); and the errors: 1 at
              2^64 - 59 and 0 at 2^64 - 58 ("the answer lies beyond 2^64 -
              1"), -5 at 10 ("fewer than 5 primes lie below 10"), -n 1e19
  nth text    '# nth_prime X (N = N, START = S)' exactly, '# range' the
              interval counted, '# primes' its count; no such line without
              --nth-prime
  nth csv     -n, --nth-prime=-10, then a count into one --csv file:
              nth_prime filled, start/stop/count the interval's, then empty
  nth errors  a missing N (-n, --nth-prime), a second operand, N past
              2^64 - 1, --nth-prime with --print, --gaps, --count, --output:
              at 1 and 3 ranks, exit 2, one exact "mpprimes: " line, no file
  list        --print=K (-pK, --print=K, -pKq; K = 1 too: the primes)
              to stdout against primesieve -pK byte for byte, K = 2 ... 6
              over [0, 1e6] (the listing starts with the kind's first tuplet:
              (3, 5), (5, 7, 11), (5, 7, 11, 13), (5, 7, 11, 13, 17), (7, 11,
              13, 17, 19, 23)), [6, 1e5], [8, 1e5], [12, 1e5], [14, 1e5]
              (starting inside a tuplet: those with a member below START not
              listed), [0, 22] (none) and [0, 23] (one sextuplet),
              [2^32 - 1e6, 2^32 + 1e6], [2^64 - 1 - 1e7, 2^64 - 1] and
              [1e12, 1e12 + 2e7], at 1, 2, 3, 4 and 7 ranks, block,
              balanced, cyclic and dynamic (--chunk 7 to 1e6, default),
              --buffer the least accepted (many rounds, cut inside chunks),
              1K, 4K, 16K and the default; trial division on [0, 30000] and
              [6, 30000]; --output FILE in text (primesieve's bytes) and
              binary (each tuplet's least member, 8 bytes little-endian), and
              --format binary to stdout, at 1, 3 and 7 ranks. Every text
              line a tuplet of the kind inside the range, ascending; every
              --json report (stderr, or stdout with --output): count, first,
              last null, "counts" only the kind, its count primesieve -cK's
              (below 2^40), per_rank counts null and only the kind, summing
              to it, the per-rank table (check_json_report), buffer_bytes,
              several rounds when the listing exceeds a round's room
  list text   the text report of -p2, -p6, and -p4 --output: '# primes
              - (not counted: the twins are listed)', '# first -', '# last
              -', '# twins N', no other kind's line; the per-rank primes
              column '-', the kind's column summing to N
  list csv    -p3, -p6 --output, then -c into one --csv file: count, first
              and last empty, the kind's column patterns.md's count
  list errors a --print kind not one digit 1-6 (9, 0, 23, '', -p7, -p23),
              --print with --count, --gaps, --nth-prime, and a --buffer one
              byte short of one tuplet line per rank to stdout (X * ranks)
              or one with --output (X): exit 2, one exact "mpprimes: " line,
              no file; at 1 rank, one of each kind at 3
  list compare --compare -p2 [2, 1e6] at 2 ranks: the listing, the report
              with serial_s, speedup, efficiency

Every case prints "ok   NAME" or "FAIL NAME: WHY"; the last line is
"N passed, M failed", and the exit status is 0 only when no case failed.
Python 3 standard library only.
"""

import argparse
import functools
import math
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (CaseFailure, CaseSkipped, Runner, Suite,  # noqa: E402
                     add_program_args, expect, expect_one_error_line,
                     expect_success, unavailable)
from reference import (CSV_COLUMNS, KNOWN_PI, TUPLET_FORMS, TUPLET_NAMES,  # noqa: E402
                       U64_MAX, check_json_report, expect_same_listing, gaps_of,
                       have_primesieve, is_prime_mr, listing_rounds, listing_text,
                       parse_json_report, primesieve, primesieve_count, primesieve_tuplets,
                       python_feasible, python_primes, read_csv_rows, round_room,
                       sieve_window, tuplet_listing, tuplets_of)
from reference import tuplet_counts as reference_tuplets  # noqa: E402

RUN_TIMEOUT = 120         # seconds for one mpirun (a hang fails the case)

# The kinds of --count=KINDS, by digit (1 to 6).
KINDS = ("primes", "twins", "triplets", "quadruplets", "quintuplets", "sextuplets")

# From shared/reference/patterns.md, "k-tuplet counts in [0, x]" and "in
# intervals" (primesieve 12.16): [start, stop] -> counts of KINDS.
TABLE_COUNTS = {
    (0, 30): (10, 4, 5, 2, 3, 1),
    (0, 100): (25, 8, 8, 2, 3, 1),
    (0, 1000): (168, 35, 30, 5, 5, 2),
    (0, 10000): (1229, 205, 112, 12, 9, 2),
    (0, 100000): (9592, 1224, 507, 38, 21, 5),
    (0, 1000000): (78498, 8169, 2837, 166, 65, 5),
    (0, 10000000): (664579, 58980, 17220, 899, 321, 18),
    (4294967000, 4294968000): (47, 2, 0, 0, 0, 0),
    (18446744072709551615, 18446744073709551615): (22537866, 670362, 65063, 1045, 110, 3),
}

PATTERNS_MD = ("..", "shared", "reference", "patterns.md")   # from --source-dir

# ---------------------------------------------------------------------------
# The reference: primes of a range (a Python sieve, or near 2^64 a window
# sieved by the small primes and finished by Miller-Rabin), their tuplets
# and gaps by the definitions, and primesieve's counts

PRESIEVE = 2**16


@functools.lru_cache(maxsize=16)
def ref_primes(lo, hi):
    """The primes of [LO, HI] (a tuple): python_primes where feasible, else
    the window sieved by the primes below 2^16 and the rest tested by
    Miller-Rabin (for narrow windows anywhere below 2^64)."""
    if python_feasible(lo, hi):
        return tuple(python_primes(lo, hi))
    expect(hi - lo <= 5_000_000, f"no Python reference for [{lo}, {hi}]: too wide")
    lo2 = max(lo, 2)
    flags = sieve_window(lo2, hi, PRESIEVE)
    return tuple(lo2 + i for i, f in enumerate(flags) if f and is_prime_mr(lo2 + i))


def tuplet_counts(primes):
    """{kind name: count} over PRIMES (all the primes of a range), by the
    definition (reference.tuplet_counts)."""
    return {TUPLET_NAMES[k]: v for k, v in reference_tuplets(primes).items()}


def gap_facts(primes):
    """(largest, records, histogram) of the gaps between consecutive PRIMES
    (reference.gaps_of)."""
    g = gaps_of(primes)
    return g["largest"], g["records"], g["histogram"]


@functools.lru_cache(maxsize=None)
def primesieve_counts(lo, hi):
    """{kind name: count} of [LO, HI] by primesieve LO HI -c123456."""
    return {TUPLET_NAMES[k]: v for k, v in primesieve_tuplets(lo, hi).items()}


def expected_counts(lo, hi, python=False):
    """({kind: count}, the reference's name) of [LO, HI]: primesieve's,
    unless PYTHON or primesieve is missing (then the Python count)."""
    if not python and have_primesieve():
        return primesieve_counts(lo, hi), "primesieve"
    return tuplet_counts(ref_primes(lo, hi)), "the Python reference"


def table_counts(lo, hi):
    return dict(zip(KINDS, TABLE_COUNTS[(lo, hi)]))


def patterns_md(runner):
    """The path of shared/reference/patterns.md; when it is missing the
    case is skipped, or under CI fails."""
    path = os.path.normpath(runner.source(*PATTERNS_MD))
    if not os.path.isfile(path):
        unavailable(f"{path} not found", "the reference table must be there")
    return path


def maximal_gap_table(path):
    """[{"gap", "after"}] of the "Maximal prime gaps" table of PATH."""
    with open(path) as f:
        text = f.read()
    m = re.search(r"^## Maximal prime gaps\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    expect(m, f"{path} has no '## Maximal prime gaps' section")
    rows = [{"gap": int(g), "after": int(p)}
            for g, p in re.findall(r"^\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*$", m.group(1), re.M)]
    expect(len(rows) > 30, f"{path}: only {len(rows)} rows in the maximal-gap table")
    return rows


def nth_prime_table(path):
    """[(k, the (10^k)th prime, published)] of the "The nth prime" table of
    PATH; PUBLISHED for the rows marked "(published)" (not computed here)."""
    with open(path) as f:
        text = f.read()
    m = re.search(r"^## The nth prime\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    expect(m, f"{path} has no '## The nth prime' section")
    rows = [(int(k), int(p), bool(pub)) for k, p, pub in re.findall(
        r"^\|\s*10\^(\d+)\s*\|\s*(\d+)\s*(\(published\))?\s*\|\s*$", m.group(1), re.M)]
    expect(len(rows) >= 9, f"{path}: only {len(rows)} rows in the nth-prime table")
    return rows


# The nth prime as primesieve's nth_prime(N, START) defines it: N > 0 the
# Nth prime > START, N = 0 the first prime >= START, N < 0 the |N|th prime
# < START; None where no such prime lies in [2, 2^64 - 1].


def nth_python(n, start):
    """The nth prime by the Python reference: ref_primes over windows walking
    away from START (at most 4e6 numbers each; narrow ones near 2^64)."""
    k = max(abs(n), 1)
    width = int(min(4_000_000, 1.3 * k * math.log(max(start, 16)) + 2000))
    if n >= 0:
        lo = start + (1 if n > 0 else 0)
        while lo <= U64_MAX:
            hi = min(lo + width - 1, U64_MAX)
            primes = ref_primes(lo, hi)
            if len(primes) >= k:
                return primes[k - 1]
            k -= len(primes)
            lo = hi + 1
        return None
    hi = start - 1
    while hi >= 2:
        lo = max(hi - width + 1, 0)
        primes = ref_primes(lo, hi)
        if len(primes) >= k:
            return primes[-k]
        k -= len(primes)
        hi = lo - 1
    return None


@functools.lru_cache(maxsize=None)
def primesieve_nth(n, start=0):
    """primesieve N START -n (N >= 0): its "Nth prime: X" line's X."""
    out = primesieve([n, start, "-n"]).decode()
    m = re.search(r"^Nth prime: (\d+)\s*$", out, re.M)
    expect(m, f"reference primesieve {n} {start} -n printed {out!r}")
    return int(m.group(1))


def primesieve_nth_below(k, start):
    """The Kth prime below START by primesieve, which takes no negative N:
    c = pi(START - 1) (-c), then the (c - K + 1)th prime (-n, START 0)."""
    c = primesieve_count(0, start - 1) if start >= 3 else 0
    return primesieve_nth(c - k + 1, 0) if c >= k else None


def expected_nth(n, start, source):
    """(the nth prime, the reference's name): primesieve's for N >= 0, and
    for N < 0 with SOURCE "primesieve" by its count; the Python reference for
    SOURCE "python" or without primesieve."""
    if source == "primesieve" and have_primesieve():
        if n >= 0:
            return primesieve_nth(n, start), "primesieve"
        return primesieve_nth_below(-n, start), "primesieve -c, then -n"
    return nth_python(n, start), "the Python reference"


def interval_facts(lo, hi):
    """(count, first, last) of [LO, HI]: by the Python reference where it is
    cheap (first and last None when empty), else (primesieve's count, ...,
    ...) with first and last Ellipsis (unknown); None without primesieve."""
    if (python_feasible(lo, hi) and hi - lo <= 5_000_000) or hi - lo <= 200_000:
        primes = ref_primes(lo, hi)
        return len(primes), (primes[0] if primes else None), (primes[-1] if primes else None)
    if have_primesieve():
        return primesieve_count(lo, hi), ..., ...
    return None


# ---------------------------------------------------------------------------
# Running mpprimes and checking its JSON report


def decomp_args(decomp, chunk):
    args = ["-d", decomp]
    if chunk is not None:
        args += ["--chunk", str(chunk)]
    return args


def kinds_of(digits):
    """The kinds a --count=DIGITS asks for, in KINDS order."""
    return [k for i, k in enumerate(KINDS, 1) if str(i) in digits]


def run_json(runner, args, np):
    """mpprimes ARGS --json at NP ranks: exit 0, stdout one JSON object."""
    res = runner.mpprimes(args + ["--json"], np, timeout=RUN_TIMEOUT, buffer=False)
    expect_success(res)
    return parse_json_report(res.out), res


def check_counts(report, kinds, want, source):
    """REPORT's "counts" holds exactly KINDS, with WANT's values (SOURCE's);
    "count" is the primes' count; every per_rank entry has counts of the
    same keys, summing over the ranks to the totals, and its "count" is its
    primes."""
    counts = report.get("counts")
    expect(isinstance(counts, dict), f"counts {counts!r}: not an object")
    expect(set(counts) == set(kinds),
           f"counts has keys {list(counts)}, expected {list(kinds)}")
    wrong = {k: (counts[k], want[k]) for k in kinds if counts[k] != want[k]}
    expect(not wrong, "counts differ from " + source + ": " + ", ".join(
        f"{k} {got} (expected {exp})" for k, (got, exp) in wrong.items()))
    expect(report["count"] == want["primes"],
           f"count {report['count']}, expected {want['primes']} ({source})")
    sums = dict.fromkeys(kinds, 0)
    for i, entry in enumerate(report["per_rank"]):
        rc = entry.get("counts")
        expect(isinstance(rc, dict) and set(rc) == set(kinds),
               f"per_rank[{i}].counts {rc!r}: expected the keys {list(kinds)}")
        if "primes" in rc:
            expect(rc["primes"] == entry["count"],
                   f"per_rank[{i}] counts.primes {rc['primes']}, count {entry['count']}")
        for k in kinds:
            expect(isinstance(rc[k], int) and rc[k] >= 0, f"per_rank[{i}].counts.{k} {rc[k]!r}")
            sums[k] += rc[k]
    bad = {k: (sums[k], counts[k]) for k in kinds if sums[k] != counts[k]}
    expect(not bad, "per-rank counts do not sum to the totals: " + ", ".join(
        f"{k} {s} (total {t})" for k, (s, t) in bad.items()))


def check_gaps(report, primes, where):
    """REPORT's "gaps" against the gaps of PRIMES (the reference's, of the
    range WHERE)."""
    gaps = report.get("gaps")
    expect(isinstance(gaps, dict) and set(gaps) == {"largest", "records", "histogram"},
           f"gaps {str(gaps)[:300]}: expected an object with largest, records, histogram")
    largest, records, hist = gap_facts(list(primes))
    got_hist = gaps["histogram"]
    expect(isinstance(got_hist, dict), f"histogram {got_hist!r}")
    if got_hist != hist:
        diff = sorted(set(got_hist) | set(hist), key=int)
        diff = [f"{k}: {got_hist.get(k)} (expected {hist.get(k)})" for k in diff
                if got_hist.get(k) != hist.get(k)]
        raise CaseFailure(f"histogram of {where} differs: " + ", ".join(diff[:10]))
    got_rec = gaps["records"]
    expect(isinstance(got_rec, list), f"records {got_rec!r}")
    if got_rec != records:
        at = next((i for i, (a, b) in enumerate(zip(got_rec, records)) if a != b),
                  min(len(got_rec), len(records)))
        raise CaseFailure(
            f"records of {where} differ at #{at}: got {got_rec[at:at + 2]}, expected "
            f"{records[at:at + 2]} ({len(got_rec)} records, expected {len(records)})")
    expect(gaps["largest"] == largest,
           f"largest {gaps['largest']}, expected {largest} in {where}")
    if largest is not None:
        expect(largest == records[-1], "largest is not the last record")
    n = report["count"]
    total = sum(got_hist.values())
    expect(total == max(n - 1, 0), f"the histogram holds {total} gaps for {n} primes")


# ---------------------------------------------------------------------------
# Cases: tuplet counts


def case_reference_self_check():
    """The Python tuplet count against patterns.md's counts in [0, x], and
    against primesieve near 2^32 (Miller-Rabin window: the fallback's path
    near 2^64)."""
    for lo, hi in TABLE_COUNTS:
        if hi <= 10**6:
            got = tuplet_counts(ref_primes(lo, hi))
            expect(got == table_counts(lo, hi),
                   f"Python counts of [{lo}, {hi}] {got}, patterns.md {table_counts(lo, hi)}")
    if not have_primesieve():
        raise CaseSkipped("checked against patterns.md; primesieve not installed")
    lo, hi = 2**32 - 300_000, 2**32 + 300_000
    flags = sieve_window(lo, hi, PRESIEVE)
    mr = tuple(lo + i for i, f in enumerate(flags) if f and is_prime_mr(lo + i))
    expect(mr == ref_primes(lo, hi), "Miller-Rabin window differs from the Python sieve")
    got, want = tuplet_counts(mr), primesieve_counts(lo, hi)
    expect(got == want, f"Python counts of [{lo}, {hi}] {got}, primesieve {want}")


def case_tuplets(runner, lo, hi, np, decomp, chunk, digits="123456", method="sieve",
                 python=False):
    """--count=DIGITS --json on [LO, HI] at NP ranks (DECOMP, CHUNK): the
    counts against primesieve (with PYTHON, or primesieve missing, the
    Python reference, which also gives first and last), the report and its
    per-rank table."""
    args = ["--count=" + digits, "-m", method] + decomp_args(decomp, chunk) + [str(lo), str(hi)]
    report, _ = run_json(runner, args, np)
    want, source = expected_counts(lo, hi, python)
    primes = ref_primes(lo, hi) if python else None
    check_json_report(report, lo, hi, np, method, count=want["primes"],
                      first=primes[0] if primes else None,
                      last=primes[-1] if primes else None,
                      check_first_last=primes is not None,
                      decomposition=decomp, chunk=chunk)
    check_counts(report, kinds_of(digits), want, source)
    expect("gaps" not in report, "a 'gaps' key without --gaps")
    expect("nth_prime" not in report and "nth" not in report,
           "a 'nth_prime' or 'nth' key without --nth-prime")


def case_table(runner, lo, hi, np, decomp, chunk):
    """-c123456 --json on [LO, HI]: every kind as patterns.md's table says."""
    args = ["-c123456"] + decomp_args(decomp, chunk) + [str(lo), str(hi)]
    report, _ = run_json(runner, args, np)
    want = table_counts(lo, hi)
    check_json_report(report, lo, hi, np, "sieve", count=want["primes"],
                      check_first_last=False, decomposition=decomp, chunk=chunk)
    check_counts(report, KINDS, want, "patterns.md")


# ---------------------------------------------------------------------------
# Cases: gaps


def case_gaps(runner, lo, hi, np, decomp, chunk, digits=None):
    """--gaps (with --count=DIGITS when given) on [LO, HI]."""
    args = ["--gaps"] + (["--count=" + digits] if digits else []) \
        + decomp_args(decomp, chunk) + [str(lo), str(hi)]
    report, _ = run_json(runner, args, np)
    primes = ref_primes(lo, hi)
    check_json_report(report, lo, hi, np, "sieve", count=len(primes),
                      first=primes[0] if primes else None,
                      last=primes[-1] if primes else None,
                      decomposition=decomp, chunk=chunk)
    kinds = kinds_of(digits) if digits else ["primes"]
    check_counts(report, kinds, tuplet_counts(primes), "the Python reference")
    check_gaps(report, primes, f"[{lo}, {hi}]")


def case_maximal_gaps(runner, stop):
    """--gaps 2 STOP at 2 ranks: pi(STOP) primes, the records exactly the
    maximal-gap table's rows whose gap ends at STOP or below."""
    table = maximal_gap_table(patterns_md(runner))
    want = [row for row in table if row["after"] + row["gap"] <= stop]
    report, _ = run_json(runner, ["--gaps", "2", str(stop)], 2)
    expect(report["count"] == KNOWN_PI[stop],
           f"count {report['count']}, expected pi({stop}) = {KNOWN_PI[stop]}")
    gaps = report.get("gaps") or {}
    got = gaps.get("records")
    if got != want:
        at = next((i for i, (a, b) in enumerate(zip(got or [], want)) if a != b),
                  min(len(got or []), len(want)))
        raise CaseFailure(f"records differ from patterns.md at #{at}: got "
                          f"{(got or [])[at:at + 2]}, expected {want[at:at + 2]} "
                          f"({len(got or [])} records, expected {len(want)})")
    expect(gaps.get("largest") == want[-1], f"largest {gaps.get('largest')}, expected {want[-1]}")
    total = sum(gaps["histogram"].values())
    expect(total == KNOWN_PI[stop] - 1, f"the histogram holds {total} gaps, expected "
           f"{KNOWN_PI[stop] - 1}")


# ---------------------------------------------------------------------------
# Cases: the text report, CSV, errors, --compare


def report_lines(text, key):
    """The text report's '# KEY ...' lines (KEY followed by spaces)."""
    return re.findall(rf"^# {key} +.*$", text, re.M)


def per_rank_table(text, np):
    """(header columns, rows as lists) of the text report's per-rank table."""
    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith("# rank ")), None)
    expect(at is not None, f"no per-rank table ('# rank ...'): {text[:600]!r}")
    header = lines[at][1:].split()
    rows = [line.split() for line in lines[at + 1:at + 1 + np]]
    expect(all(len(r) == len(header) and r[0].isdigit() for r in rows),
           f"per-rank rows do not match the header {header}: {rows}")
    return header, rows


def case_text_kinds(runner, lo, hi, np, digits):
    """The text report of -cDIGITS (no --gaps): a '# KIND N' line for each
    asked kind >= 2, none for the others, the kinds' per-rank columns summing
    to those totals; no gaps section."""
    args = (["--count=" + digits] if digits else ["-c"]) + [str(lo), str(hi)]
    res = runner.mpprimes(args, np, timeout=RUN_TIMEOUT, buffer=False)
    expect_success(res)
    text = res.out
    want = tuplet_counts(ref_primes(lo, hi))
    asked = kinds_of(digits) if digits else ["primes"]
    expect(report_lines(text, "primes") == [f"# {'primes':<15}{want['primes']}"],
           f"primes line {report_lines(text, 'primes')}")
    header, rows = per_rank_table(text, np)
    for kind in KINDS[1:]:
        lines = report_lines(text, kind)
        if kind in asked:
            expect(len(lines) == 1 and lines[0].split()[2:] == [str(want[kind])],
                   f"'# {kind}' lines {lines}, expected one with {want[kind]}")
            expect(header.count(kind) == 1, f"no {kind} column in the per-rank header {header}")
            col = header.index(kind)
            total = sum(int(r[col]) for r in rows)
            expect(total == want[kind], f"per-rank {kind} sum to {total}, expected {want[kind]}")
        else:
            expect(not lines, f"'# {kind}' line without asking: {lines}")
            expect(kind not in header, f"a {kind} column without asking: {header}")
    expect(not report_lines(text, "gaps") and not report_lines(text, "largest_gap"),
           "a gaps section without --gaps")
    expect(not report_lines(text, "nth_prime"), "a '# nth_prime' line without --nth-prime")


def case_text_gaps(runner, lo, hi, np, largest_line):
    """The text report of -c26 --gaps: the kinds' lines and columns, the gaps
    section: '# gaps N (...)', LARGEST_LINE exactly, the maximal-gap table
    and the histogram as the reference's."""
    res = runner.mpprimes(["-c26", "--gaps", str(lo), str(hi)], np, timeout=RUN_TIMEOUT,
                          buffer=False)
    expect_success(res)
    text = res.out
    primes = ref_primes(lo, hi)
    want = tuplet_counts(primes)
    largest, records, hist = gap_facts(list(primes))
    for kind in ("twins", "sextuplets"):
        expect(report_lines(text, kind) == [f"# {kind:<15}{want[kind]}"],
               f"'# {kind}' lines {report_lines(text, kind)}, expected "
               f"{[f'# {kind:<15}{want[kind]}']}")
    for kind in ("triplets", "quadruplets", "quintuplets"):
        expect(not report_lines(text, kind), f"a '# {kind}' line without asking")
    header, _ = per_rank_table(text, np)
    expect("twins" in header and "sextuplets" in header and "triplets" not in header,
           f"per-rank header {header}")
    want_gaps = (f"# gaps{' ' * 11}{max(len(primes) - 1, 0)} "
                 "(between consecutive primes of the range)")
    expect(want_gaps in text.splitlines(), f"no line {want_gaps!r}: {report_lines(text, 'gaps')}")
    expect(largest_line in text.splitlines(),
           f"no line {largest_line!r}: {report_lines(text, 'largest_gap')}")
    # The maximal gaps: the rows '#  GAP  AFTER' after the table's title.
    m = re.search(r"^# maximal gaps.*\n#\s+gap\s+after\n((?:#\s+\d+\s+\d+\n)*)", text, re.M)
    expect(m or not records, f"no maximal-gap table: {text[-1500:]!r}")
    if records:
        got = [{"gap": int(g), "after": int(p)}
               for g, p in re.findall(r"^#\s+(\d+)\s+(\d+)$", m.group(1), re.M)]
        expect(got == records, f"maximal gaps {got[:5]}..., expected {records[:5]}...")
    m = re.search(r"^# gap histogram.*\n((?:#(?:\s+\d+:\s+\d+)+\n?)*)", text, re.M)
    expect(m or not hist, f"no gap histogram: {text[-1500:]!r}")
    got = dict(re.findall(r"(\d+):\s+(\d+)", m.group(1))) if m else {}
    got = {k: int(v) for k, v in got.items()}
    expect(got == hist,
           f"text histogram differs: {sorted(set(got.items()) ^ set(hist.items()))[:6]}")


def case_csv(runner):
    """Two runs into one --csv file: -c26 --gaps, then plain -c."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-patterns-") as tmp:
        path = os.path.join(tmp, "runs.csv")
        for args in (["-c26", "--gaps"], ["-c"]):
            res = runner.mpprimes(["-q", "--csv", path] + args + ["2", "1e6"], 2,
                                  timeout=RUN_TIMEOUT, buffer=False)
            expect_success(res)
        rows = read_csv_rows(path)
    expect(len(rows) == 2, f"{len(rows)} rows, expected 2")
    for name in ("twins", "triplets", "quadruplets", "quintuplets", "sextuplets",
                 "largest_gap", "largest_gap_after", "count"):
        expect(name in CSV_COLUMNS, f"no column {name} in CSV_COLUMNS")
    first = {k: rows[0][k] for k in CSV_COLUMNS[CSV_COLUMNS.index("twins"):]}
    want = {"twins": "8169", "triplets": "", "quadruplets": "", "quintuplets": "",
            "sextuplets": "5", "largest_gap": "114", "largest_gap_after": "492113",
            "nth_prime": ""}
    expect(first == want, f"row 1 (-c26 --gaps): {first}, expected {want}")
    second = {k: rows[1][k] for k in want}
    expect(all(v == "" for v in second.values()), f"row 2 (plain -c): {second}, expected empty")
    for i, row in enumerate(rows, 1):
        expect(row["count"] == "78498", f"row {i} count {row['count']!r}")


def fail_fast(runner, np):
    """mpirun options for a run at NP ranks that is to fail: at one rank
    under Open MPI, odls_base_sigkill_timeout 0. Open MPI 4.1's mpirun waits
    that timeout (1 s) after a rank exits non-zero before it ends the job:
    2.2 s a bad usage at 1 rank, 0.2 s without; there is no other rank to
    give time. More ranks keep the default."""
    if runner.open_mpi and np == 1:
        return ("--mca", "odls_base_sigkill_timeout", "0")
    return ()


def case_error(runner, np, args, message):
    """mpprimes ARGS 1000 at NP ranks, in an empty directory: exit 2, the one
    line MESSAGE, no file left there."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-patterns-") as tmp:
        res = runner.mpprimes(args + ["1000"], np, quiet=True, timeout=RUN_TIMEOUT, cwd=tmp,
                              buffer=False, mpirun_opts=fail_fast(runner, np))
        line = expect_one_error_line(res, 2)
        expect(line == message, f"message {line!r}, expected {message!r}")
        expect(os.listdir(tmp) == [], f"left files behind: {os.listdir(tmp)}")


def case_compare(runner):
    """--compare -c26 --gaps: the counts, gaps and --compare's figures."""
    lo, hi = 2, 10**6
    report, _ = run_json(runner, ["--compare", "-c26", "--gaps", str(lo), str(hi)], 2)
    primes = ref_primes(lo, hi)
    check_json_report(report, lo, hi, 2, "sieve", count=len(primes), first=2,
                      last=primes[-1], compare=True)
    check_counts(report, ["twins", "sextuplets"], tuplet_counts(primes), "the Python reference")
    check_gaps(report, primes, f"[{lo}, {hi}]")


# ---------------------------------------------------------------------------
# Cases: the nth prime


def nth_args(n, start, form="-n"):
    """--nth-prime N [START] in FORM: "-n" (-n N START), "long" (--nth-prime
    N START) or "=" (--nth-prime=N START); START None: none (0). N may be
    text ("1e19")."""
    head = {"-n": ["-n", str(n)], "long": ["--nth-prime", str(n)],
            "=": [f"--nth-prime={n}"]}[form]
    return head + ([] if start is None else [str(start)])


def nth_near_end(n, start):
    """The end of the counted interval next to START: START + 1 (N > 0),
    START (N = 0), START - 1 (N < 0)."""
    return start + 1 if n > 0 else start if n == 0 else start - 1


def check_nth_report(report, n, start, np, decomp, chunk, want, source, interval=True):
    """REPORT (--json) of --nth-prime N START: "nth_prime" WANT (SOURCE's),
    exactly; "nth" {"n": N (signed), "start": START}; "start"/"stop" the
    interval counted, starting next to START on its side; with INTERVAL,
    "count" (and first, last where cheap) that interval's, and the whole
    report and its per-rank table as for any count."""
    got = report.get("nth_prime")
    expect(type(got) is int and got == want,
           f"nth_prime {got!r}, expected {want} ({source})")
    nth = report.get("nth")
    expect(isinstance(nth, dict) and nth == {"n": n, "start": start}
           and type(nth["n"]) is int and type(nth["start"]) is int,
           f"nth {nth!r}, expected {{'n': {n}, 'start': {start}}}")
    lo, hi = report.get("start"), report.get("stop")
    expect(type(lo) is int and type(hi) is int and lo <= hi,
           f"the interval counted [{lo!r}, {hi!r}]: not an interval")
    near = hi if n < 0 else lo
    expect(near == nth_near_end(n, start),
           f"the interval counted [{lo}, {hi}] does not start at "
           f"{nth_near_end(n, start)}, next to START {start}")
    if not interval:
        return
    facts = interval_facts(lo, hi)
    count, first, last = facts if facts else (None, None, None)
    check_json_report(report, lo, hi, np, "sieve", count=count, first=first, last=last,
                      check_first_last=facts is not None and first is not ...,
                      decomposition=decomp, chunk=chunk)


def case_nth_reference_self_check(runner):
    """The Python nth prime against the named values (NTH_EDGES) and
    patterns.md's table up to 10^5; primesieve -n against it, and its count
    route for N < 0."""
    for n, start, want in NTH_EDGES:
        if isinstance(n, int):
            got = nth_python(n, start or 0)
            expect(got == (None if isinstance(want, str) else want),
                   f"Python nth_prime({n}, {start}) {got}, expected {want}")
    path = os.path.normpath(runner.source(*PATTERNS_MD))
    if os.path.isfile(path):
        for k, p, _ in nth_prime_table(path):
            if k <= 5:
                got = nth_python(10**k, 0)
                expect(got == p, f"Python nth_prime(10^{k}) {got}, patterns.md {p}")
    if not have_primesieve():
        raise CaseSkipped("checked against the named values; primesieve not installed")
    for n, start in ((123456, 10**6), (1000, B32 - 5), (10, 2**63), (0, 97), (1, 97)):
        got, want = primesieve_nth(n, start), nth_python(n, start)
        expect(got == want, f"primesieve {n} {start} -n: {got}, Python {want}")
    for k, start in ((10**5, B32), (25, 100), (26, 100), (1, 3)):
        got, want = primesieve_nth_below(k, start), nth_python(-k, start)
        expect(got == want, f"the {k}th prime below {start}: primesieve {got}, Python {want}")


def case_nth(runner, n, start, np, decomp, chunk, form, source):
    """--nth-prime N START --json (FORM, see nth_args; START None: left out,
    0) at NP ranks (DECOMP, CHUNK): the answer exactly as SOURCE's reference
    (expected_nth), the report as check_nth_report."""
    s = 0 if start is None else start
    want, ref = expected_nth(n, s, source)
    expect(want is not None, f"no reference answer for N = {n}, START = {s}")
    report, _ = run_json(runner, nth_args(n, start, form) + decomp_args(decomp, chunk), np)
    check_nth_report(report, n, s, np, decomp, chunk, want, ref)


def case_nth_table(runner, k, want):
    """--nth-prime 10^K at 2 ranks: patterns.md's (10^K)th prime."""
    report, _ = run_json(runner, ["--nth-prime", f"10^{k}"], 2)
    check_nth_report(report, 10**k, 0, 2, "block", None, want, "patterns.md",
                     interval=k <= 6)


def reraise(e):
    """A case that ends as E (a CaseFailure or CaseSkipped) says."""
    raise e


def nth_beyond(n, start):
    return (f"mpprimes: --nth-prime {n} {start}: the answer lies beyond 2^64 - 1 "
            "(18446744073709551615)")


def nth_below(k, start):
    return f"mpprimes: --nth-prime -{k} {start}: fewer than {k} primes lie below {start}"


def case_nth_error(runner, np, args, message):
    """mpprimes ARGS (as they are: no operand added) at NP ranks, in an empty
    directory: exit 2, the one line MESSAGE, no file left there."""
    with tempfile.TemporaryDirectory(prefix="mpprimes-patterns-") as tmp:
        res = runner.mpprimes(args, np, quiet=True, timeout=RUN_TIMEOUT, cwd=tmp,
                              buffer=False, mpirun_opts=fail_fast(runner, np))
        line = expect_one_error_line(res, 2)
        expect(line == message, f"message {line!r}, expected {message!r}")
        expect(os.listdir(tmp) == [], f"left files behind: {os.listdir(tmp)}")


def case_nth_edge(runner, n, start, np, want):
    """-n N START at NP ranks: the named answer WANT (an int), or WANT the
    error line (a str)."""
    args = nth_args(n, start)
    if isinstance(want, str):
        case_nth_error(runner, np, args, want)
        return
    report, _ = run_json(runner, args, np)
    check_nth_report(report, n, 0 if start is None else start, np, "block", None, want,
                     "the named value")


def case_nth_text(runner, n, start, np, want):
    """The text report of --nth-prime=N START: '# nth_prime X (N = N, START =
    S)' exactly, '# range' the interval counted, next to START (not START),
    its '# primes' that interval's count."""
    res = runner.mpprimes(nth_args(n, start, "="), np, timeout=RUN_TIMEOUT, buffer=False)
    expect_success(res)
    text = res.out
    line = f"# {'nth_prime':<15}{want} (N = {n}, START = {start})"
    expect(report_lines(text, "nth_prime") == [line],
           f"nth_prime lines {report_lines(text, 'nth_prime')}, expected [{line!r}]")
    ranges = report_lines(text, "range")
    m = re.fullmatch(r"# range +\[(\d+), (\d+)\]", ranges[0]) if len(ranges) == 1 else None
    expect(m, f"range lines {ranges}: expected one '# range [LO, HI]'")
    lo, hi = int(m.group(1)), int(m.group(2))
    expect((hi if n < 0 else lo) == nth_near_end(n, start),
           f"# range [{lo}, {hi}]: not next to START {start}")
    count = interval_facts(lo, hi)[0]
    expect(report_lines(text, "primes") == [f"# {'primes':<15}{count}"],
           f"primes lines {report_lines(text, 'primes')}, expected {count}")


def case_nth_csv(runner):
    """Three runs into one --csv file: -n 10 1e15, --nth-prime=-10
    1000000000000279, then a plain count: the nth_prime column the answer in
    the first two (start, stop and count the interval counted, the pattern
    columns empty), empty in the third."""
    runs = [(["-n", "10", "1e15"], 10**15 + 1, None, "1000000000000279"),
            (["--nth-prime=-10", "1000000000000279"], None, 1000000000000278,
             "999999999999989"),
            (["2", "1000"], 2, 1000, "")]
    with tempfile.TemporaryDirectory(prefix="mpprimes-patterns-") as tmp:
        path = os.path.join(tmp, "runs.csv")
        for args, _, _, _ in runs:
            res = runner.mpprimes(["-q", "--csv", path] + args, 2, timeout=RUN_TIMEOUT,
                                  buffer=False)
            expect_success(res)
        rows = read_csv_rows(path)
    expect(len(rows) == len(runs), f"{len(rows)} rows, expected {len(runs)}")
    for i, (row, (args, lo, hi, nth)) in enumerate(zip(rows, runs), 1):
        expect(row["nth_prime"] == nth,
               f"row {i} ({' '.join(args)}): nth_prime {row['nth_prime']!r}, expected {nth!r}")
        expect(lo is None or row["start"] == str(lo), f"row {i} start {row['start']!r}, "
               f"expected {lo}")
        expect(hi is None or row["stop"] == str(hi), f"row {i} stop {row['stop']!r}, "
               f"expected {hi}")
        count = interval_facts(int(row["start"]), int(row["stop"]))[0]
        expect(row["count"] == str(count), f"row {i} count {row['count']!r}, expected {count}")
        empty = {k: row[k] for k in ("twins", "sextuplets", "largest_gap") if row[k]}
        expect(not empty, f"row {i}: {empty}, expected empty")


# ---------------------------------------------------------------------------
# Listing tuplets: --print=K to stdout, or with --output to the file


# The first tuplet of each kind (patterns.md's forms): every listing of
# [START, STOP] with START <= its least member and STOP >= its greatest
# starts with it.
FIRST_TUPLETS = {2: (3, 5), 3: (5, 7, 11), 4: (5, 7, 11, 13), 5: (5, 7, 11, 13, 17),
                 6: (7, 11, 13, 17, 19, 23)}


@functools.lru_cache(maxsize=None)
def expected_listing(lo, hi, k, python=False):
    """(bytes, the reference's name): the text --print=K must write for [LO,
    HI]: primesieve LO HI -pK's stdout, unless PYTHON or primesieve is
    missing: then reference.tuplets_of (K = 1: the primes) over the Python
    reference's primes."""
    if not python and have_primesieve():
        return primesieve([lo, hi, f"-p{k}"]), f"primesieve -p{k}"
    primes = ref_primes(lo, hi)
    if k == 1:
        return listing_text(primes), "the Python reference"
    return tuplet_listing(tuplets_of(primes, k)), "the Python reference"


def least_members(text):
    """The least member of every line of a --print=K text (K = 1: the
    primes themselves)."""
    return [int(m) for m in re.findall(rb"^\(?(\d+)", text, re.M)]


def binary_of(text):
    """What --format binary writes for the listing TEXT: each line's least
    member, 8 bytes little-endian."""
    return b"".join(p.to_bytes(8, "little") for p in least_members(text))


def check_tuplet_lines(text, lo, hi, k):
    """Every line of TEXT (a --print=K listing, K >= 2) is a K-tuplet by
    itself: "(a, b, ...)", one of the kind's forms, all its members in [LO,
    HI], the least members strictly ascending. Independent of the
    reference: it names the first wrong line."""
    forms = set(TUPLET_FORMS[k])
    pattern = re.compile(r"\((\d+)" + r", (\d+)" * (k - 1) + r"\)")
    prev = -1
    for i, line in enumerate(text.decode(errors="replace").split("\n")[:-1], 1):
        m = pattern.fullmatch(line)
        expect(m, f"line {i} {line[:80]!r} is not a {TUPLET_NAMES[k][:-1]} '(a, ...)'")
        t = [int(x) for x in m.groups()]
        expect(tuple(x - t[0] for x in t) in forms,
               f"line {i} {line!r}: not one of the forms {sorted(forms)}")
        expect(lo <= t[0] and t[-1] <= hi, f"line {i} {line!r}: a member outside [{lo}, {hi}]")
        expect(t[0] > prev, f"line {i} {line!r}: not after the line before it")
        prev = t[0]
    expect(not text or text.endswith(b"\n"), "the listing does not end with a newline")


def item_bytes(k, hi, fmt):
    """The most bytes one item of --print=K takes (outlets.c's need): text,
    K * (digits(HI) + 2) + 1 for a tuplet, digits(HI) + 1 for a prime;
    binary, 8."""
    if fmt == "binary":
        return 8
    digits = len(str(hi))
    return k * (digits + 2) + 1 if k > 1 else digits + 1


def least_buffer(k, hi, np, fmt="text", outlet="print"):
    """The least --buffer a --print=K run accepts: room for one item in each
    rank's share (a 1/NP share to stdout, where rank 0 gathers every rank's;
    the whole buffer with --output), and never below 64."""
    need = item_bytes(k, hi, fmt)
    return max(64, need if outlet == "output" else need * np)


def buffer_value(buffer, k, hi, np, fmt, outlet):
    """--buffer's value as given (None: the default, "min": least_buffer)."""
    if buffer == "min":
        return str(least_buffer(k, hi, np, fmt, outlet))
    return buffer


def buffer_bytes(text):
    """The bytes of a --buffer value ("1K" = 1024; None: the default 64M)."""
    if text is None:
        return 64 * 2**20
    scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1], 1)
    return int(text.rstrip("KMG")) * scale


def print_args(k, form):
    """--print=K in FORM: "-p" (-pK), "=" (--print=K), "q" (-pKq: the report
    off) or "bare" (--print, K = 1)."""
    return {"-p": [f"-p{k}"], "=": [f"--print={k}"], "q": [f"-p{k}q"],
            "bare": ["--print"]}[form]


def check_tuplet_report(report, lo, hi, np, k, n, method, decomp, chunk, buffer, outlet,
                        listed, compare=False):
    """REPORT, the --json report of --print=K (K >= 2) over [LO, HI] that
    listed N tuplets (LISTED bytes): "count", "first", "last" null, "counts"
    {the kind: N}; every per_rank entry "count" null and "counts" only the
    kind, summing to N; the rest as check_json_report checks a count (the
    kind's counts standing in for the primes'); buffer_bytes BUFFER; several
    rounds when LISTED exceeds a round's room."""
    name = TUPLET_NAMES[k]
    for key in ("count", "first", "last"):
        expect(key in report and report[key] is None,
               f"{key} {report.get(key, 'missing')!r} with --print={k}, expected null")
    expect(report.get("counts") == {name: n},
           f"counts {report.get('counts')!r}, expected {{'{name}': {n}}}")
    per_rank = report.get("per_rank")
    expect(isinstance(per_rank, list), f"per_rank {per_rank!r}")
    for i, entry in enumerate(per_rank):
        expect(isinstance(entry, dict) and "count" in entry and entry["count"] is None,
               f"per_rank[{i}].count {entry.get('count', 'missing')!r}, expected null")
        rc = entry.get("counts")
        expect(isinstance(rc, dict) and list(rc) == [name] and type(rc[name]) is int,
               f"per_rank[{i}].counts {rc!r}, expected only {name!r}")
    total = sum(entry["counts"][name] for entry in per_rank)
    expect(total == n, f"the per-rank {name} sum to {total}, expected {n}")
    shadow = dict(report, count=n, per_rank=[dict(entry, count=entry["counts"][name])
                                             for entry in per_rank])
    check_json_report(shadow, lo, hi, np, method, count=n, check_first_last=False,
                      decomposition=decomp, chunk=chunk, compare=compare)
    size = buffer_bytes(buffer)
    expect(report["buffer_bytes"] == size,
           f"buffer_bytes {report['buffer_bytes']}, expected {size}")
    listing_rounds(report, listed, round_room(size, np, outlet, decomp))


def case_list(runner, lo, hi, k, np, decomp, chunk, buffer=None, outlet="print", fmt="text",
              form="-p", method="sieve", python=False, compare=False):
    """--print=K (in FORM, print_args) over [LO, HI] at NP ranks (DECOMP,
    CHUNK, --buffer BUFFER: None the default, "min" the least accepted), to
    stdout (OUTLET "print") or to a file (--output), in FMT: byte for byte
    the reference's listing (expected_listing; binary: each line's least
    member, 8 bytes little-endian); text tuplets well formed by themselves
    (check_tuplet_lines); a listing of [0, STOP] starting with the kind's
    first tuplet. The --json report (stderr with stdout, stdout with
    --output, nothing else there): check_tuplet_report, its count also the
    count of primesieve -c123456 (or the Python reference) below 2^40, or
    for K = 1 the primes' report. FORM "q" (-pKq): no report, stderr empty. --output
    leaves its file and nothing else."""
    want, source = expected_listing(lo, hi, k, python)
    n = len(least_members(want))
    quiet = form == "q"
    size = buffer_value(buffer, k, hi, np, fmt, outlet)
    args = print_args(k, form) + (["--buffer", size] if size else []) \
        + (["--format", fmt] if fmt != "text" or np % 2 else []) \
        + ["-m", method] + decomp_args(decomp, chunk) + ([] if quiet else ["--json"]) \
        + (["--compare"] if compare else [])
    with tempfile.TemporaryDirectory(prefix="mpprimes-patterns-") as tmp:
        path = os.path.join(tmp, "tuplets.out")
        if outlet == "output":
            args += ["--output", path]
        res = runner.mpprimes(args + [str(lo), str(hi)], np, timeout=RUN_TIMEOUT, cwd=tmp,
                              buffer=False)
        expect_success(res)
        if outlet == "output":
            expect(os.listdir(tmp) == ["tuplets.out"],
                   f"the directory holds {sorted(os.listdir(tmp))}, expected tuplets.out")
            with open(path, "rb") as f:
                data = f.read()
            expect(res.stderr == "", f"stderr not empty: {res.stderr[:600]!r}")
            report_text = res.out
        else:
            data, report_text = res.stdout, res.stderr
    what = f"--print={k}" + (" --output" if outlet == "output" else "") + f" ({fmt})"
    if fmt == "binary":
        expect(data == binary_of(want), f"{what} differs from {source}'s least members: "
               + binary_difference(data, least_members(want)))
    else:
        expect_same_listing(data, want, what, source)
    if k > 1 and fmt == "text":
        check_tuplet_lines(data, lo, hi, k)
    if k > 1 and lo <= FIRST_TUPLETS[k][0] and FIRST_TUPLETS[k][-1] <= hi:
        expect(least_members(want)[:1] == [FIRST_TUPLETS[k][0]],
               f"{source}'s listing does not start with {FIRST_TUPLETS[k]}")
    if quiet:
        expect(report_text == "", f"a report with -p{k}q: {report_text[:300]!r}")
        return
    report = parse_json_report(report_text, "the report")
    if k == 1:
        check_json_report(report, lo, hi, np, method, count=n,
                          first=least_members(want)[0] if n else None,
                          last=least_members(want)[-1] if n else None,
                          decomposition=decomp, chunk=chunk, compare=compare)
        expect(report.get("counts") == {"primes": n},
               f"counts {report.get('counts')!r}, expected {{'primes': {n}}}")
        return
    if hi < 2**40:   # primesieve -c123456 too, where it is cheap (near 2^64: 1.3 s)
        counts, counted_by = expected_counts(lo, hi, python)
        expect(counts[TUPLET_NAMES[k]] == n, f"{source} lists {n} {TUPLET_NAMES[k]}, but "
               f"{counted_by} counts {counts[TUPLET_NAMES[k]]}")
    check_tuplet_report(report, lo, hi, np, k, n, method, decomp, chunk, size, outlet,
                        len(data), compare)


def binary_difference(data, want):
    """Where the binary listing DATA first differs from the least members
    WANT."""
    if len(data) % 8:
        return f"{len(data)} bytes, not a multiple of 8"
    got = [int.from_bytes(data[i:i + 8], "little") for i in range(0, len(data), 8)]
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return f"tuplet #{i + 1}: got {g}, expected {w}"
    return f"got {len(got)} tuplets, expected {len(want)}"


def case_list_text(runner, lo, hi, k, np, outlet):
    """The text report of --print=K (K >= 2) over [LO, HI] at NP ranks, on
    stderr (OUTLET "print") or stdout (--output): '# primes - (not counted:
    the KIND are listed)', '# first -', '# last -', '# KIND N' (N the
    reference's count) and no other kind's line; the per-rank table's
    primes column '-' on every row, a KIND column summing to N, no other
    kind's column."""
    name = TUPLET_NAMES[k]
    n = len(least_members(expected_listing(lo, hi, k)[0]))
    with tempfile.TemporaryDirectory(prefix="mpprimes-patterns-") as tmp:
        extra = ["-o", os.path.join(tmp, "t.txt")] if outlet == "output" else []
        res = runner.mpprimes([f"-p{k}"] + extra + [str(lo), str(hi)], np,
                              timeout=RUN_TIMEOUT, buffer=False)
        expect_success(res)
    text = res.out if outlet == "output" else res.stderr
    want = {"primes": [f"# {'primes':<15}- (not counted: the {name} are listed)"],
            "first": [f"# {'first':<15}-"], "last": [f"# {'last':<15}-"],
            name: [f"# {name:<15}{n}"]}
    for key, lines in want.items():
        expect(report_lines(text, key) == lines,
               f"'# {key}' lines {report_lines(text, key)}, expected {lines}")
    for other in KINDS[1:]:
        if other != name:
            expect(not report_lines(text, other), f"a '# {other}' line with --print={k}")
    header, rows = per_rank_table(text, np)
    expect(header.count("primes") == 1 and header.count(name) == 1,
           f"per-rank header {header}: expected one primes and one {name} column")
    expect(not [c for c in KINDS[1:] if c != name and c in header],
           f"per-rank header {header}: another kind's column")
    col = header.index("primes")
    expect(all(r[col] == "-" for r in rows),
           f"per-rank primes column {[r[col] for r in rows]}, expected '-' on every row")
    col = header.index(name)
    total = sum(int(r[col]) for r in rows)
    expect(total == n, f"per-rank {name} sum to {total}, expected {n}")


def case_list_csv(runner):
    """Three runs into one --csv file: -p3 over [0, 1e5] to stdout, -p6
    --output over [0, 1e6], then a plain count: count, first and last empty
    and the kind's column filled (patterns.md's counts) in the first two,
    every other pattern column empty; the third as ever."""
    runs = [(["-p3", "0", "1e5"], "triplets", "507"),
            (["-p6", "-o", "t.txt", "0", "1e6"], "sextuplets", "5"),
            (["-c", "0", "1e6"], None, None)]
    pattern_cols = ("twins", "triplets", "quadruplets", "quintuplets", "sextuplets",
                    "largest_gap", "largest_gap_after", "nth_prime")
    with tempfile.TemporaryDirectory(prefix="mpprimes-patterns-") as tmp:
        path = os.path.join(tmp, "runs.csv")
        for args, _, _ in runs:
            res = runner.mpprimes(["-q", "--csv", path] + args, 2, timeout=RUN_TIMEOUT,
                                  buffer=False, cwd=tmp)
            expect_success(res)
        rows = read_csv_rows(path)
    expect(len(rows) == len(runs), f"{len(rows)} rows, expected {len(runs)}")
    for i, (row, (args, kind, value)) in enumerate(zip(rows, runs), 1):
        what = f"row {i} ({' '.join(args)})"
        if kind is None:
            expect(row["count"] == "78498", f"{what}: count {row['count']!r}, expected 78498")
            continue
        ends = {k: row[k] for k in ("count", "first", "last")}
        expect(ends == dict.fromkeys(ends, ""), f"{what}: {ends}, expected empty")
        got = {k: row[k] for k in pattern_cols}
        want = dict.fromkeys(pattern_cols, "")
        want[kind] = value
        expect(got == want, f"{what}: {got}, expected {want}")
        expect(row["buffer_bytes"] == str(64 * 2**20), f"{what}: buffer_bytes "
               f"{row['buffer_bytes']!r}")


def buffer_message(buffer, np, k, hi, fmt, outlet):
    """The line of a --buffer too small for one item of --print=K."""
    return (f"mpprimes: --buffer {buffer} is too small for {np} rank{'' if np == 1 else 's'}: "
            f"each rank needs "
            f"room for one {'tuplet' if k > 1 else 'prime'} ({item_bytes(k, hi, fmt)} bytes); "
            f"use --buffer {least_buffer(k, hi, np, fmt, outlet)} or more")


def case_list_buffer_error(runner, np, k, lo, hi, outlet):
    """--print=K --buffer B over [LO, HI] at NP ranks, to stdout (OUTLET
    "print") or --output t.txt, B one byte short of least_buffer: exit 2,
    buffer_message exactly, no file left (case_nth_error)."""
    size = least_buffer(k, hi, np, "text", outlet) - 1
    args = [f"-p{k}", "--buffer", str(size)] \
        + (["-o", "t.txt"] if outlet == "output" else []) + [str(lo), str(hi)]
    case_nth_error(runner, np, args, buffer_message(size, np, k, hi, "text", outlet))


def listing_range(lo, hi):
    """[LO, HI] for a listing case: as it is, but without primesieve a range
    too wide for the Python reference (ref_primes) keeps its top 10^6."""
    if have_primesieve() or python_feasible(lo, hi) or hi - lo <= 5_000_000:
        return lo, hi
    return hi - 10**6, hi


# ---------------------------------------------------------------------------


# Case 1's runs: (range, [(np, decomposition, chunk)]), every range at every
# rank count, the decompositions spread over them. Near 2^64 a chunk costs
# the sieving primes' placement up to 2^32 (about a second): only the
# default chunk (one per rank there); [1e12, 1e12 + 2e7] takes no cyclic
# small chunk (--chunk 1000 there is 20000 chunks, 18 s).
B32, B64 = 2**32, U64_MAX
TUPLET_RUNS = [
    ((0, 10**6), [(1, "block", None), (2, "balanced", None), (3, "dynamic", None),
                  (4, "cyclic", None), (7, "cyclic", 7)]),
    ((1000, 200_000), [(1, "cyclic", 1000), (2, "dynamic", 1000), (3, "block", None),
                       (4, "cyclic", 7), (7, "balanced", None)]),
    ((B32 - 300_000, B32 + 300_000), [(1, "balanced", None), (2, "dynamic", 1000),
                                      (3, "cyclic", 7), (4, "block", None),
                                      (7, "cyclic", 1000)]),
    ((B64 - 3_000_000, B64), [(1, "block", None), (2, "balanced", None),
                              (3, "cyclic", None), (4, "dynamic", None), (7, "block", None)]),
    ((10**12, 10**12 + 2 * 10**7), [(1, "dynamic", None), (2, "block", None),
                                    (3, "cyclic", None), (4, "dynamic", 1000),
                                    (7, "balanced", None)]),
]
# The tiny ranges: always the Python reference.
TINY_RUNS = [
    ((0, 30), [(1, "block", None), (2, "dynamic", None), (3, "cyclic", 7),
               (4, "dynamic", 1000), (7, "cyclic", None)]),
    ((5, 7), [(2, "block", None), (4, "cyclic", 7), (7, "balanced", None)]),
    ((2, 2), [(1, "dynamic", None), (3, "block", None), (7, "cyclic", 1000)]),
    ((24, 28), [(2, "cyclic", 7), (4, "balanced", None), (7, "dynamic", 1000)]),
]
# Case 3's runs: (range, [(np, decomposition, chunk, --count digits or None)]).
GAP_RUNS = [
    ((2, 200_000), [(1, "block", None, None), (4, "cyclic", 5, None),
                    (7, "dynamic", 100, "26")]),
    ((1000, 50_000), [(2, "balanced", None, None), (3, "cyclic", 5, "123456"),
                      (7, "block", None, None)]),
    ((B64 - 200_000, B64), [(2, "block", None, None), (3, "dynamic", None, None),
                            (4, "cyclic", None, "12")]),
    ((24, 28), [(1, "block", None, None), (3, "cyclic", 5, None), (7, "dynamic", 100, None)]),
    ((89, 97), [(2, "block", None, None), (4, "cyclic", 5, None), (7, "dynamic", 100, "1")]),
]

KINDS_MESSAGE = ("mpprimes: invalid kinds '{}' for --count (digits 1-6: 1 primes, 2 twins, "
                 "3 triplets, 4 quadruplets, 5 quintuplets, 6 sextuplets)")
ERRORS = [
    (["--count=7"], KINDS_MESSAGE.format("7")),
    (["--count=0"], KINDS_MESSAGE.format("0")),
    (["-c7"], KINDS_MESSAGE.format("7")),
    (["--count="], KINDS_MESSAGE.format("")),
    (["-c120q"], KINDS_MESSAGE.format("120")),
    (["--gaps", "--print"], "mpprimes: --gaps cannot be combined with --print"),
    (["--gaps", "-o", "primes.txt"], "mpprimes: --gaps cannot be combined with --output"),
    (["--count=2", "--output", "primes.txt"],
     "mpprimes: --count cannot be combined with --output"),
]

# --nth-prime with N >= 0 against primesieve -n: (N, START or None, np,
# decomposition, chunk, form of the option (nth_args)). N large only with a
# small START; near 2^63 and 2^64 only the default chunk (a chunk there costs
# the sieving primes up to 2^32) and more than one rank (one makes those
# primes alone: 2 s more).
NTH_RUNS = [
    (0, 0, 1, "block", None, "-n"),
    (1, None, 2, "balanced", None, "long"),
    (2, 1, 3, "cyclic", 1000, "="),
    (0, 96, 4, "dynamic", None, "-n"),
    (1, 97, 7, "cyclic", None, "long"),
    (0, 97, 2, "block", None, "="),
    (10, 96, 3, "dynamic", 1000, "-n"),
    (1000, 10**6, 4, "cyclic", 1000, "long"),
    (123456, None, 7, "dynamic", 1000, "="),
    (10**6, 0, 2, "cyclic", None, "-n"),
    (123456, 10**6, 3, "balanced", None, "long"),
    (0, B32 - 5, 1, "dynamic", None, "="),
    (2, B32 + 1, 4, "block", None, "-n"),
    (1000, 10**12, 2, "dynamic", 1000, "long"),
    (1, 10**15, 7, "balanced", None, "="),
    (10, 2**63, 3, "cyclic", None, "-n"),
    (1000, B64 - 10**6, 4, "cyclic", None, "long"),
]
# N < 0: (N, START, np, decomposition, chunk, form, reference: "python", or
# "primesieve" for its count, then -n).
NTH_BELOW_RUNS = [
    (-1, 3, 1, "block", None, "-n", "python"),
    (-4, 10, 2, "cyclic", 1000, "=", "python"),
    (-25, 100, 7, "cyclic", 7, "long", "python"),
    (-10, 1000000000000279, 3, "dynamic", None, "=", "python"),
    (-1000, 10**12, 4, "cyclic", 1000, "-n", "python"),
    (-(10**5), B32, 7, "balanced", None, "long", "python"),
    (-(10**6), 10**9, 3, "block", None, "=", "primesieve"),
    (-1, B64, 2, "dynamic", None, "-n", "python"),
]
# Named values (patterns.md, the 2^64 edges): (N, START, the answer or the
# error line), -n N START at 1 and 3 ranks. No primesieve here: for N = 1,
# START = 2^64 - 60 some of its builds fail ("cannot generate primes >
# 2^64", patterns.md), though Debian's 11.0 on the development machine
# answered it.
NTH_EDGES = [
    (1, 10**15, 1000000000000037),
    (10, 10**15, 1000000000000279),
    (-10, 1000000000000279, 999999999999989),
    (0, 18446744073709551557, 18446744073709551557),
    (1, 18446744073709551556, 18446744073709551557),
    (-1, 3, 2),
    (-4, 10, 2),
    (1, 18446744073709551557, nth_beyond(1, 18446744073709551557)),
    (0, 18446744073709551558, nth_beyond(0, 18446744073709551558)),
    (-5, 10, nth_below(5, 10)),
    ("1e19", None, nth_beyond(10**19, 0)),
]
# Bad --nth-prime usage (the command line as it is): the one error line.
NTH_ERRORS = [
    (["10", "--nth-prime"], "mpprimes: option '--nth-prime' needs a value"),
    (["-n"], "mpprimes: option '-n' needs a value"),
    (["-n", "5", "10", "20"], "mpprimes: --nth-prime takes one operand, START (or none): '20'"),
    (["-n", "2^64"], "mpprimes: --nth-prime: '2^64' is larger than 2^64 - 1 "
     "(18446744073709551615)"),
    (["-n", "5", "--print", "100"], "mpprimes: --nth-prime cannot be combined with --print"),
    (["--gaps", "--nth-prime=5"], "mpprimes: --nth-prime cannot be combined with --gaps"),
    (["-n", "5", "-c2"], "mpprimes: --nth-prime cannot be combined with --count"),
    (["--nth-prime", "5", "--output", "primes.txt"],
     "mpprimes: --nth-prime cannot be combined with --output"),
]

# Section 10, --print=K to stdout: (START, STOP, K, np, decomposition,
# chunk, --buffer ("min": the least accepted; None: the default), the form
# of the option (print_args)). Every K at 1-7 ranks over each range, the
# decompositions, buffers and forms spread over them. [6, 8, 12, 14, ...]
# start inside a tuplet (its lesser members below START: not listed), [0,
# 22] ends inside (7, 11, 13, 17, 19, 23). Near 2^64 a round costs a re-
# placement of the sieving primes up to 2^32 (about 0.5 s a round and rank
# here): buffers that take a dozen rounds, the default chunk.
E12, T64 = 10**12, B64 - 10**7
LIST_RUNS = [
    (0, 10**6, 2, 1, "block", None, "min", "-p"),
    (0, 10**6, 3, 2, "balanced", None, "1K", "="),
    (0, 10**6, 4, 3, "cyclic", 1000, "min", "-p"),
    (0, 10**6, 5, 4, "dynamic", 5000, None, "="),
    (0, 10**6, 6, 7, "cyclic", 1000, "1K", "-p"),
    (0, 10**6, 3, 7, "dynamic", 1000, "min", "="),
    (0, 10**6, 2, 4, "block", None, "min", "-p"),
    (0, 10**6, 3, 3, "balanced", None, "min", "="),
    (6, 10**5, 2, 3, "cyclic", 7, "min", "-p"),
    (6, 10**5, 3, 1, "block", None, "min", "="),
    (6, 10**5, 5, 2, "dynamic", 7, None, "-p"),
    (8, 10**5, 6, 4, "cyclic", 1000, "min", "="),
    (12, 10**5, 4, 7, "dynamic", 1000, "min", "-p"),
    (14, 10**5, 3, 2, "balanced", None, "min", "="),
    (0, 22, 6, 2, "block", None, None, "-p"),
    (0, 23, 6, 3, "cyclic", 7, None, "="),
    (B32 - 10**6, B32 + 10**6, 2, 1, "dynamic", 100000, "min", "-p"),
    (B32 - 10**6, B32 + 10**6, 3, 2, "cyclic", 10000, "1K", "="),
    (B32 - 10**6, B32 + 10**6, 4, 3, "block", None, None, "-p"),
    (B32 - 10**6, B32 + 10**6, 5, 4, "balanced", None, "min", "="),
    (B32 - 10**6, B32 + 10**6, 4, 7, "dynamic", None, "4K", "-p"),
    (B32 - 10**6, B32 + 10**6, 2, 7, "cyclic", 50000, "4K", "="),
    (T64, B64, 2, 2, "block", None, "16K", "-p"),
    (T64, B64, 3, 3, "balanced", None, "4K", "="),
    (E12, E12 + 2 * 10**7, 2, 1, "block", None, None, "-p"),
    (E12, E12 + 2 * 10**7, 3, 2, "cyclic", 100000, "4K", "="),
    (E12, E12 + 2 * 10**7, 4, 3, "dynamic", 10**6, "min", "-p"),
    (E12, E12 + 2 * 10**7, 2, 4, "balanced", None, "1K", "="),
    (E12, E12 + 2 * 10**7, 5, 7, "block", None, "min", "-p"),
    (0, 10**6, 1, 3, "cyclic", 1000, "1K", "="),
    (0, 10**6, 1, 2, "block", None, None, "bare"),
    (0, 10**6, 2, 2, "block", None, "1K", "q"),
]
# Section 10, trial division: (START, STOP, K, np, decomposition, chunk,
# --buffer).
LIST_TRIAL_RUNS = [
    (0, 30000, 3, 3, "cyclic", 13, "min"),
    (6, 30000, 2, 2, "block", None, "1K"),
]
# Section 10, the bytes: (START, STOP, K, np, decomposition, chunk, --buffer,
# --format, outlet): --output FILE in text and binary, binary to stdout.
LIST_BYTES_RUNS = [
    (0, 10**6, 2, 1, "block", None, "min", "text", "output"),
    (B32 - 10**6, B32 + 10**6, 4, 3, "cyclic", 10000, "1K", "text", "output"),
    (0, 10**6, 5, 7, "balanced", None, None, "text", "output"),
    (6, 10**6, 3, 7, "dynamic", 1000, "min", "binary", "output"),
    (12, 10**6, 4, 1, "cyclic", 1000, "min", "binary", "output"),
    (E12, E12 + 2 * 10**7, 3, 3, "block", None, None, "binary", "output"),
    (T64, B64, 2, 3, "block", None, "64K", "binary", "output"),
    (0, 10**6, 2, 3, "cyclic", 1000, "min", "binary", "print"),
    (E12, E12 + 2 * 10**7, 5, 2, "dynamic", None, "1K", "binary", "print"),
    (B32 - 10**6, B32 + 10**6, 3, 1, "block", None, "min", "binary", "print"),
]

PRINT_KIND_MESSAGE = ("mpprimes: invalid kind '{}' for --print (one digit 1-6: 1 primes, "
                      "2 twins, 3 triplets, 4 quadruplets, 5 quintuplets, 6 sextuplets)")
# Bad --print usage: (arguments, the line, the rank counts). At 3 ranks
# Open MPI's mpirun waits 1-3 s after the failed ranks (fail_fast): one of
# each message's kinds there, every one at 1 rank.
PRINT_ERRORS = [
    (["--print=9"], PRINT_KIND_MESSAGE.format("9"), (1,)),
    (["--print=0"], PRINT_KIND_MESSAGE.format("0"), (1,)),
    (["--print=23"], PRINT_KIND_MESSAGE.format("23"), (1, 3)),
    (["--print="], PRINT_KIND_MESSAGE.format(""), (1,)),
    (["-p7"], PRINT_KIND_MESSAGE.format("7"), (1,)),
    (["-p23"], PRINT_KIND_MESSAGE.format("23"), (1,)),
    (["--count=2", "-p2"], "mpprimes: --count cannot be combined with --print", (1, 3)),
    (["--gaps", "-p3"], "mpprimes: --gaps cannot be combined with --print", (1,)),
    (["-n", "5", "-p2"], "mpprimes: --nth-prime cannot be combined with --print", (1,)),
]
# A --buffer one byte short of the least for --print=K (least_buffer: to
# stdout room for a line per rank, with --output for one): (K, START, STOP,
# outlet, the rank counts).
PRINT_BUFFER_ERRORS = [
    (6, B64 - 999, B64, "print", (1, 3)),
    (6, B64 - 999, B64, "output", (1, 3)),
    (4, B64 - 999, B64, "output", (1,)),
]


def range_name(lo, hi):
    """[LO, HI] for a case's name: near 2^32 and 2^64 - 1 relative to them."""
    def fmt(v):
        for base, name in ((B64, "2^64-1"), (B32, "2^32")):
            if abs(v - base) <= 10**7:
                return name + (f"{v - base:+d}" if v != base else "")
        return str(v)
    return f"[{fmt(lo)}, {fmt(hi)}]"


def decomp_name(decomp, chunk):
    return decomp + (f" --chunk {chunk}" if chunk is not None else "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_program_args(parser)
    args = parser.parse_args(argv)
    runner = Runner(args.binary, args.mpiexec, args.source_dir)
    suite = Suite()
    begin = time.monotonic()
    if not have_primesieve():
        print("note: primesieve not installed: the tuplet counts come from the "
              "Python reference", flush=True)

    suite.case("reference: Python tuplets vs patterns.md and primesieve",
               case_reference_self_check)

    # 1. Tuplet counts.
    for runs, python in ((TUPLET_RUNS, False), (TINY_RUNS, True)):
        for (lo, hi), plan in runs:
            for np, decomp, chunk in plan:
                suite.case(f"tuplets {range_name(lo, hi)} np {np} {decomp_name(decomp, chunk)}",
                           case_tuplets, runner, lo, hi, np, decomp, chunk, "123456",
                           "sieve", python)
    suite.case("tuplets trial division [0, 30000] np 3 cyclic --chunk 13", case_tuplets,
               runner, 0, 30000, 3, "cyclic", 13, "123456", "trial", True)
    suite.case("tuplets -c35 (only those keys) [0, 1e6] np 2", case_tuplets, runner,
               0, 10**6, 2, "block", None, "35", "sieve", True)
    suite.case("tuplets --count=654321 [0, 100000] np 3 dynamic --chunk 1000", case_tuplets,
               runner, 0, 10**5, 3, "dynamic", 1000, "654321", "sieve", True)

    # 2. patterns.md's counts. [2^64 - 1 - 1e9, 2^64 - 1] took 4.7 s at 2 ranks
    # on the 2-core development machine: kept.
    suite.case("table [0, 1e7] np 2", case_table, runner, 0, 10**7, 2, "block", None)
    suite.case("table [4294967000, 4294968000] np 3 cyclic --chunk 100", case_table, runner,
               4294967000, 4294968000, 3, "cyclic", 100)
    suite.case("table [2^64-1-1e9, 2^64-1] np 2", case_table, runner,
               B64 - 10**9, B64, 2, "block", None)

    # 3. Gaps.
    for (lo, hi), plan in GAP_RUNS:
        for np, decomp, chunk, digits in plan:
            extra = f" -c{digits}" if digits else ""
            suite.case(f"gaps {range_name(lo, hi)} np {np} {decomp_name(decomp, chunk)}{extra}",
                       case_gaps, runner, lo, hi, np, decomp, chunk, digits)

    # 4. The maximal gaps from 2, against patterns.md (--gaps 2 1e9 took
    # 0.5 s at 2 ranks on the development machine: 1e9 kept).
    suite.case("maximal gaps [2, 1e9] np 2 vs patterns.md", case_maximal_gaps, runner, 10**9)

    # 5. The text report.
    suite.case("text -c26 --gaps [2, 1e6] np 2", case_text_gaps, runner, 2, 10**6, 2,
               "# largest_gap    114 after 492113")
    suite.case("text -c26 --gaps [24, 28] np 3", case_text_gaps, runner, 24, 28, 3,
               "# largest_gap    -")
    suite.case("text -c123456 [0, 1e5] np 3", case_text_kinds, runner, 0, 10**5, 3, "123456")
    suite.case("text -c35 [0, 1e5] np 2", case_text_kinds, runner, 0, 10**5, 2, "35")
    suite.case("text plain -c [0, 1e5] np 2", case_text_kinds, runner, 0, 10**5, 2, None)

    # 6. CSV.
    suite.case("csv -c26 --gaps, then -c", case_csv, runner)

    # 7. Bad usage.
    for np in (1, 3):
        for bad, message in ERRORS:
            suite.case(f"error np {np}: {' '.join(bad)}", case_error, runner, np, bad, message)

    # 8. --compare.
    suite.case("--compare -c26 --gaps [2, 1e6] np 2", case_compare, runner)

    # 9. The nth prime: the references, N >= 0 against primesieve, N < 0,
    # patterns.md's table (--nth-prime 10^9 took 2.0 s at 2 ranks on the
    # 2-core development machine: kept), the named values and 2^64 edges, the
    # text report, CSV and bad usage.
    suite.case("nth reference: Python vs the named values, patterns.md, primesieve",
               case_nth_reference_self_check, runner)
    for n, start, np, decomp, chunk, form in NTH_RUNS:
        suite.case(f"nth {' '.join(nth_args(n, start, form))} np {np} "
                   f"{decomp_name(decomp, chunk)}", case_nth, runner, n, start, np, decomp,
                   chunk, form, "primesieve")
    for n, start, np, decomp, chunk, form, source in NTH_BELOW_RUNS:
        suite.case(f"nth {' '.join(nth_args(n, start, form))} np {np} "
                   f"{decomp_name(decomp, chunk)} vs {source}", case_nth, runner, n, start, np,
                   decomp, chunk, form, source)
    try:   # rows past 10^9 take too long here; "(published)" ones, far too long
        nth_table = [(k, p) for k, p, published in nth_prime_table(patterns_md(runner))
                     if not published and k <= 9]
    except (CaseFailure, CaseSkipped) as e:
        nth_table = []
        suite.case("nth table vs patterns.md", reraise, e)
    for k, p in nth_table:
        suite.case(f"nth table --nth-prime 10^{k} np 2 vs patterns.md", case_nth_table,
                   runner, k, p)
    for np in (1, 3):
        for n, start, want in NTH_EDGES:
            suite.case(f"nth edge np {np}: {' '.join(nth_args(n, start))}", case_nth_edge,
                       runner, n, start, np, want)
    suite.case("nth text --nth-prime=-10 1000000000000279 np 3", case_nth_text, runner,
               -10, 1000000000000279, 3, 999999999999989)
    suite.case("nth text --nth-prime=0 97 np 2", case_nth_text, runner, 0, 97, 2, 97)
    suite.case("nth csv -n 10 1e15, --nth-prime=-10, then a count", case_nth_csv, runner)
    for np in (1, 3):
        for bad, message in NTH_ERRORS:
            suite.case(f"nth error np {np}: {' '.join(bad)}", case_nth_error, runner, np, bad,
                       message)

    # 10. Listing tuplets: --print=K against primesieve -pK byte for byte (to
    # stdout, --output in text and binary, binary to stdout), the report
    # (JSON with each run, text, CSV), bad usage and --buffer too small,
    # --compare.
    for lo, hi, k, np, decomp, chunk, buffer, form in LIST_RUNS:
        lo, hi = listing_range(lo, hi)
        suite.case(f"list {' '.join(print_args(k, form))} {range_name(lo, hi)} np {np} "
                   f"{decomp_name(decomp, chunk)} --buffer {buffer or 'default'}", case_list,
                   runner, lo, hi, k, np, decomp, chunk, buffer, "print", "text", form)
    for lo, hi, k, np, decomp, chunk, buffer in LIST_TRIAL_RUNS:
        suite.case(f"list -p{k} trial division {range_name(lo, hi)} np {np} "
                   f"{decomp_name(decomp, chunk)} --buffer {buffer}", case_list, runner, lo, hi,
                   k, np, decomp, chunk, buffer, "print", "text", "-p", "trial")
    for lo, hi, k, np, decomp, chunk, buffer, fmt, outlet in LIST_BYTES_RUNS:
        lo, hi = listing_range(lo, hi)
        how = "--output FILE" if outlet == "output" else "stdout"
        suite.case(f"list -p{k} {how} --format {fmt} {range_name(lo, hi)} np {np} "
                   f"{decomp_name(decomp, chunk)} --buffer {buffer or 'default'}", case_list,
                   runner, lo, hi, k, np, decomp, chunk, buffer, outlet, fmt)
    suite.case("list text report -p2 [0, 1e6] np 3", case_list_text, runner, 0, 10**6, 2, 3,
               "print")
    suite.case("list text report -p6 [0, 1e6] np 2", case_list_text, runner, 0, 10**6, 6, 2,
               "print")
    suite.case("list text report -p4 --output [2^32-1000000, 2^32+1000000] np 3",
               case_list_text, runner, B32 - 10**6, B32 + 10**6, 4, 3, "output")
    suite.case("list csv -p3, -p6 --output, then -c", case_list_csv, runner)
    for np in (1, 3):
        for bad, message, nps in PRINT_ERRORS:
            if np in nps:
                suite.case(f"list error np {np}: {' '.join(bad)}", case_error, runner, np, bad,
                           message)
        for k, lo, hi, outlet, nps in PRINT_BUFFER_ERRORS:
            if np in nps:
                suite.case(f"list error np {np}: -p{k} {range_name(lo, hi)} --buffer "
                           f"{least_buffer(k, hi, np, 'text', outlet) - 1}"
                           + (" --output" if outlet == "output" else ""),
                           case_list_buffer_error, runner, np, k, lo, hi, outlet)
    suite.case("list --compare -p2 [2, 1e6] np 2", case_list, runner, 2, 10**6, 2, 2, "block",
               None, None, "print", "text", "-p", "sieve", False, True)

    print(f"(patterns took {time.monotonic() - begin:.1f} s)")
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
