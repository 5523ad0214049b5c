"""What the integration tests compare mpprimes with: reference primes, and the
checks of its listings, reports, CSV rows and the repository's hostfiles.

run_tests.py, faults.py, property.py, multihost.py and slurm_cluster.py
import this module from the directory they are in (harness.py, beside it,
runs the cases and the programs). It holds:

  * Reference primes, independent of mpprimes: U64_MAX; KNOWN_PI, pi(10^k)
    for certain; small_primes() (a cached sieve of Eratosthenes),
    sieve_window() and python_primes() (a window sieved by the small
    primes), sieve_count() (a segmented count over the odd numbers, light
    on memory) and prime_count() (KNOWN_PI or sieve_count, None where that
    is too costly); primesieve (have_primesieve(), primesieve(),
    primesieve_primes(), primesieve_count()); listing_text(), a listing as
    mpprimes --print writes it; reference(), reference_facts() and
    reference_count(): the primes, (count, first, last) and the count of a
    range, from the Python sieve or primesieve, the case skipped where
    neither can do it. The k-tuplets (TUPLET_NAMES, TUPLET_FORMS):
    tuplets_of() lists them among a range's primes, tuplet_counts() counts
    them, tuplet_listing() writes them as mpprimes --print=K does;
    primesieve_tuplets(), primesieve's counts.
  * Listings: first_difference() and expect_same_listing(), byte for byte
    against the reference; listing_rounds(), several rounds when a listing
    exceeds the buffer.
  * Reports: parse_json_report() (a text that is one JSON object),
    json_reports() (every JSON object starting a line of an output),
    report_problems() (the range, ranks, count and per-rank counts of a
    report), report_value() (a line of the text report);
    check_json_report(), every field of a --json report against the request
    and the reference, with the per-rank table of each decomposition
    (DECOMPOSITIONS, CHUNKED; model_blocks(), cyclic_model()), the balance
    and --compare's figures (ratio_bounds());
    INTERRUPTED, COUNTED and LISTED, the line rank 0 prints when a signal
    stops a run, and how far the count or the listing got.
  * CSV: CSV_COLUMNS, the columns of mpprimes --csv, and read_csv_rows().
  * Hostfiles (hostfiles/): active_lines(), parse_openmpi_hostfile()
    (HOSTFILE_LINE), parse_mpich_hostfile(), and MPICH_COMMENTED, the MPICH
    form of a line commented out in an Open MPI hostfile.

Python 3 standard library only.
"""

import csv
import functools
import json
import math
import re
import shutil

from harness import CaseFailure, CaseSkipped, expect, run

U64_MAX = 2**64 - 1

# pi(x) known for certain.
KNOWN_PI = {10**6: 78498, 10**7: 664579, 10**8: 5761455, 10**9: 50847534,
            10**10: 455052511}

# Ranges up to this bound use the Python reference sieve in reference();
# above it, primesieve when it is installed.
PY_SIEVE_MAX = 2_000_000

# prime_count() sieves ranges of at most this many numbers (about 2 s for
# 1e9); wider ones it leaves unknown.
SIEVE_MAX_SPAN = 1_000_000_000

REFERENCE_TIMEOUT = 400   # seconds for one primesieve run of reference()


# ---------------------------------------------------------------------------
# Reference primes


@functools.lru_cache(maxsize=None)
def small_primes(limit):
    """All primes <= LIMIT (a tuple), by a plain sieve of Eratosthenes."""
    if limit < 2:
        return ()
    is_prime = bytearray([1]) * (limit + 1)
    is_prime[0] = is_prime[1] = 0
    for p in range(2, math.isqrt(limit) + 1):
        if is_prime[p]:
            is_prime[p * p::p] = bytes(len(range(p * p, limit + 1, p)))
    return tuple(i for i, flag in enumerate(is_prime) if flag)


def sieve_window(lo, hi, bound):
    """Flags of the numbers LO..HI (LO >= 2, LO <= HI): 0 for a multiple of a
    prime p <= BOUND from p^2 on, 1 otherwise. With BOUND >= sqrt(HI) the
    ones left are exactly the primes."""
    size = hi - lo + 1
    flags = bytearray([1]) * size
    for p in small_primes(bound):
        first = max(p * p, (lo + p - 1) // p * p)
        if first > hi:
            continue
        flags[first - lo::p] = bytes(len(range(first - lo, size, p)))
    return flags


def python_primes(lo, hi):
    """Primes in [LO, HI]: a sieve of the window by the primes <= sqrt(HI).
    Feasible while sqrt(HI) and HI - LO are a few million at most."""
    if hi < 2 or lo > hi:
        return []
    lo = max(lo, 2)
    flags = sieve_window(lo, hi, math.isqrt(hi))
    return [lo + i for i, flag in enumerate(flags) if flag]


def python_feasible(lo, hi):
    return math.isqrt(hi) <= 10_000_000 and hi - lo <= 20_000_000


def sieve_count(a, b):
    """The number of primes in [a, b]: a segmented sieve over the odd numbers."""
    if b < 2 or a > b:
        return 0
    a = max(a, 2)
    count = 1 if a <= 2 <= b else 0
    ps = small_primes(math.isqrt(b))[1:]
    lo = max(3, a | 1)                   # the first odd number >= a, >= 3
    seg = 1 << 22                        # odd numbers per segment
    while lo <= b:
        hi = min(lo + 2 * (seg - 1), b)
        n = (hi - lo) // 2 + 1           # odd numbers lo, lo+2, ..., <= hi
        s = bytearray(b"\x01") * n
        for p in ps:
            if p * p > hi:
                break
            m = max(p * p, -(-lo // p) * p)
            if m % 2 == 0:
                m += p
            if m <= hi:
                i = (m - lo) // 2
                s[i::p] = bytes(len(range(i, n, p)))
        count += s.count(1)
        lo += 2 * n
    return count


_count_cache = {}


def prime_count(a, b):
    """Primes in [a, b], from KNOWN_PI or sieve_count (for at most
    SIEVE_MAX_SPAN numbers), or None when that is too costly to know here."""
    a = max(a, 0)
    if b < 2 or a > b:
        return 0

    def known_pi(x):
        if x < 2:
            return 0
        if x in KNOWN_PI:
            return KNOWN_PI[x]
        if x + 1 in KNOWN_PI:            # 10^k is no prime: pi(10^k - 1) = pi(10^k)
            return KNOWN_PI[x + 1]
        return None

    lo, hi = known_pi(a - 1), known_pi(b)
    if lo is not None and hi is not None:
        return hi - lo
    if (a, b) not in _count_cache:
        if b - a > SIEVE_MAX_SPAN:
            return None
        _count_cache[(a, b)] = sieve_count(a, b)
    return _count_cache[(a, b)]


def have_primesieve():
    return shutil.which("primesieve") is not None


def primesieve(args, timeout=REFERENCE_TIMEOUT):
    """primesieve ARGS; its stdout (bytes). Fails the case when it fails."""
    res = run(["primesieve"] + [str(a) for a in args], timeout)
    if res.rc != 0 or res.timed_out:
        raise CaseFailure("reference primesieve failed: " + res.describe())
    return res.stdout


def primesieve_primes(lo, hi, timeout=REFERENCE_TIMEOUT):
    """The primes of [LO, HI] (ints), by primesieve."""
    return [int(x) for x in primesieve([lo, hi, "--print"], timeout).split()]


def primesieve_count(lo, hi, timeout=REFERENCE_TIMEOUT):
    """The number of primes in [LO, HI], by primesieve."""
    return int(primesieve([lo, hi, "--count", "--quiet"], timeout).split()[0])


# The k-tuplets (patterns.md; primesieve's): the forms of each kind, as
# offsets from the first member.
TUPLET_NAMES = {1: "primes", 2: "twins", 3: "triplets", 4: "quadruplets",
                5: "quintuplets", 6: "sextuplets"}
TUPLET_FORMS = {2: [(0, 2)],
                3: [(0, 2, 6), (0, 4, 6)],
                4: [(0, 2, 6, 8)],
                5: [(0, 2, 6, 8, 12), (0, 4, 6, 10, 12)],
                6: [(0, 4, 6, 10, 12, 16)]}


def tuplets_of(primes, k, have=None):
    """The K-tuplets (K = 2 ... 6) among PRIMES (all the primes of a range,
    ascending), by the definition: a tuplet is listed when all its members
    are primes of the range. Each is the tuple of its members, ascending by
    the least (a p matching two forms, once, by the first), as primesieve
    -pK lists them. HAVE: set(PRIMES), when the caller has it."""
    have = set(primes) if have is None else have
    found = []
    for p in primes:
        for f in TUPLET_FORMS[k]:
            if all(p + d in have for d in f):
                found.append(tuple(p + d for d in f))
                break
    return found


def tuplet_counts(primes):
    """{kind: count} of the k-tuplets among PRIMES (all the primes of a
    range): 1 the primes, 2 ... 6 the tuplets of tuplets_of()."""
    have = set(primes)
    counts = {1: len(primes)}
    for k in TUPLET_FORMS:
        counts[k] = len(tuplets_of(primes, k, have))
    return counts


MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)


def is_prime_mr(n):
    """Deterministic Miller-Rabin: exact for n < 3.18e23 (the least strong
    pseudoprime to all these bases), far beyond 2^64. Shares no code with
    mpprimes (src/core/primality.c uses other bases, Montgomery
    arithmetic)."""
    if n < 2:
        return False
    for p in MR_BASES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in MR_BASES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def primesieve_tuplets(lo, hi, timeout=REFERENCE_TIMEOUT):
    """{kind: count} of [LO, HI] by primesieve -c123456."""
    names = {"Primes": 1, "Twin primes": 2, "Prime triplets": 3, "Prime quadruplets": 4,
             "Prime quintuplets": 5, "Prime sextuplets": 6}
    out = {}
    for line in primesieve([lo, hi, "-c123456"], timeout).decode().splitlines():
        name, _, value = line.partition(":")
        if name.strip() in names:
            out[names[name.strip()]] = int(value)
    if sorted(out) != list(range(1, 7)):
        raise CaseFailure(f"reference primesieve -c123456 printed {out}")
    return out


def gaps_of(primes):
    """The gaps of PRIMES (ascending, consecutive primes of a range) as
    mpprimes --gaps --json reports them: largest (at its first occurrence),
    records (each larger than every gap before it), histogram."""
    hist, records, top = {}, [], 0
    for a, b in zip(primes, primes[1:]):
        g = b - a
        hist[str(g)] = hist.get(str(g), 0) + 1
        if g > top:
            records.append({"gap": g, "after": a})
            top = g
    return {"largest": records[-1] if records else None, "records": records,
            "histogram": hist}


def listing_text(primes):
    """PRIMES as mpprimes --print writes them: one per line, each line
    ending in a newline (bytes)."""
    return "".join(f"{p}\n" for p in primes).encode()


def tuplet_listing(tuplets, fmt="text"):
    """TUPLETS (tuples of members, tuplets_of()) as mpprimes --print=K
    writes them (bytes): FMT "text", one "(3, 5)" line each, as primesieve
    -pK prints them; "binary", each tuplet's least member, 8 bytes
    little-endian."""
    if fmt == "binary":
        return b"".join(t[0].to_bytes(8, "little") for t in tuplets)
    return "".join(f"({', '.join(map(str, t))})\n" for t in tuplets).encode()


@functools.lru_cache(maxsize=None)
def reference(lo, hi):
    """The primes of [LO, HI] as mpprimes --print must write them: one per
    line, ascending, each line ending in a newline. Uses the Python sieve for
    small ranges, primesieve for larger ones (the Python sieve again when
    primesieve is missing and the range allows it); skips the case when
    neither can do it."""
    if hi <= PY_SIEVE_MAX or (not have_primesieve() and python_feasible(lo, hi)):
        return listing_text(python_primes(lo, hi))
    if not have_primesieve():
        raise CaseSkipped(f"primesieve not installed, needed as reference for [{lo}, {hi}]")
    return primesieve([lo, hi, "--print"])


def reference_facts(lo, hi):
    """(count, first, last) of the reference; first/last None when empty."""
    lines = reference(lo, hi).split()
    if not lines:
        return 0, None, None
    return len(lines), int(lines[0]), int(lines[-1])


@functools.lru_cache(maxsize=None)
def reference_count(lo, hi):
    """Number of primes in [LO, HI], without listing them when large."""
    if hi - lo <= 20_000_000 or not have_primesieve():
        return reference_facts(lo, hi)[0]
    return primesieve_count(lo, hi)


# ---------------------------------------------------------------------------
# Listings


def first_difference(actual, expected):
    """A short description of where two prime listings differ."""
    a, e = actual.splitlines(), expected.splitlines()
    for i, (x, y) in enumerate(zip(a, e)):
        if x != y:
            x, y = x[:40].decode(errors="replace"), y[:40].decode(errors="replace")
            return f"line {i + 1}: got {x!r}, expected {y!r}"
    if len(a) != len(e):
        return f"got {len(a)} lines, expected {len(e)}"
    return "same lines, but different bytes (line endings or a missing final newline?)"


def expect_same_listing(actual, expected, what, source="the reference"):
    """ACTUAL (bytes) is EXPECTED, the listing of SOURCE, byte for byte."""
    expect(actual == expected, f"{what} differs from {source}: "
           + first_difference(actual, expected))



def round_room(buffer, np, outlet, decomposition="block"):
    """Bytes of primes one round can hold with --buffer BUFFER on NP ranks
    (None: one rank): with --output every rank writes a whole buffer; the
    gathered outlets (--print, the default mode) bring them to rank 0, which
    holds BUFFER at a time: for block and balanced one rank's after another,
    so a round holds NP buffers (rounds.h, mpp_round_turns), for cyclic and
    dynamic all at once, so a round holds one."""
    np = np or 1
    if outlet.startswith("output") or decomposition in (None, "block", "balanced"):
        return buffer * np
    return buffer


def listing_rounds(report, expected_bytes, budget):
    """A listing of EXPECTED_BYTES with BUDGET bytes per round must have
    taken several rounds: the point of the small buffer."""
    if expected_bytes > budget:
        expect(report["rounds"] > 1,
               f"{expected_bytes} bytes listed in {report['rounds']} round(s) "
               f"with a {budget}-byte buffer")



# ---------------------------------------------------------------------------
# Reports


def parse_json_report(text, what="stdout"):
    """TEXT, all of it one JSON object (WHAT names it in messages)."""
    try:
        report = json.loads(text)
    except ValueError as e:
        raise CaseFailure(f"{what} is not one JSON object ({e}): {text[:300]!r}")
    expect(isinstance(report, dict), f"{what} JSON is not an object: {text[:300]!r}")
    return report


def json_reports(text):
    """Every JSON report in the output TEXT (each starts a line with '{'),
    whatever other lines come before, between or after them."""
    dec = json.JSONDecoder()
    reports = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.startswith("{"):
            try:
                obj, _ = dec.raw_decode(text, pos)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                reports.append(obj)
        pos += len(line)
    return reports


def report_problems(report, ranks, start, stop, count=None):
    """What is wrong with the totals of a JSON report, as a list (empty when
    nothing): the range [START, STOP], RANKS ranks with one per_rank entry
    each, in rank order, COUNT primes (unless None), and the per-rank counts
    adding up to the report's count."""
    problems = []
    if report.get("ranks") != ranks:
        problems.append(f"ranks {report.get('ranks')}, expected {ranks}")
    per_rank = report.get("per_rank") or []
    if len(per_rank) != ranks:
        problems.append(f"{len(per_rank)} per_rank entries, expected {ranks}")
    elif [r.get("rank") for r in per_rank] != list(range(ranks)):
        problems.append(f"per_rank ranks are {[r.get('rank') for r in per_rank]}")
    if (report.get("start"), report.get("stop")) != (start, stop):
        problems.append(f"range [{report.get('start')}, {report.get('stop')}], "
                        f"expected [{start}, {stop}]")
    if count is not None and report.get("count") != count:
        problems.append(f"count {report.get('count')}, expected {count}")
    total = sum(r.get("count", 0) for r in per_rank)
    if total != report.get("count"):
        problems.append(f"per-rank counts sum to {total}, but count is {report.get('count')}")
    return problems


def report_value(text, key, required=True):
    """The value of the text report's '# KEY VALUE' line (a string); when it
    has none, the case fails, or (REQUIRED false) None."""
    m = re.search(rf"^# {key} +(\S+)", text, re.M)
    if not required and m is None:
        return None
    expect(m, f"no '# {key}' line in the report: {text[-800:]!r}")
    return m.group(1)


# The line rank 0 prints when a signal stops a run (src/driver.c,
# report_interrupt): the signal, then how far the count (COUNTED: the
# percentage and the range) or the listing (LISTED: the primes below N were
# found, how many, the percentage and the range) got; a listing's line goes
# on with what became of the output ("; output file '...' was not written",
# "; no report", ...).
INTERRUPTED = re.compile(r"^mpprimes: interrupted by (SIG[A-Z0-9]+) after [0-9.]+ s[,:]")
COUNTED = re.compile(r" s: ([0-9.]+)% of the range \[(\d+), (\d+)\] was counted; "
                     r"no count is reported$")
LISTED = re.compile(r", in round \d+: the primes below (\d+) were found \((\d+), ([0-9.]+)% "
                    r"of the range \[(\d+), (\d+)\]\)")


# ---------------------------------------------------------------------------
# A --json report in full (check_json_report), with the decompositions
# (decomp.h) behind its per_rank table; model_blocks also chooses test ranges


def model_blocks(start, stop, nranks):
    """[(lo, hi) or None] per rank: sizes differ by at most one, the first
    (N mod nranks) ranks get one more, the last ranks may be empty."""
    n = stop - start + 1
    base, extra = divmod(n, nranks)
    blocks, lo = [], start
    for r in range(nranks):
        size = base + (1 if r < extra else 0)
        blocks.append((lo, lo + size - 1) if size else None)
        lo += size
    return blocks



def is_uint(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def is_seconds(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0


DECOMPOSITIONS = ("block", "balanced", "cyclic", "dynamic")
CHUNKED = ("cyclic", "dynamic")

# A rank's CPU time in the compute step (cpu_s) cannot exceed that step's
# wall time (compute_s) but by the clocks' granularity; this much is allowed.
CPU_SLACK_S = 0.05

# Half a unit in the last place of the report's %.9f seconds.
HALF_NS = 5e-10


def ratio_bounds(num, den, half=HALF_NS):
    """(least, greatest) of x/y for the true x, y behind NUM and DEN, each
    printed rounded to HALF; None when DEN may be 0."""
    if den - half <= 0:
        return None
    return max(num - half, 0) / (den + half), (num + half) / (den - half)


def expect_ratio(value, num, den, what, slack=1e-6):
    """VALUE (printed to 6 decimals) is NUM / DEN (each printed to 9)."""
    bounds = ratio_bounds(num, den)
    if bounds is None:
        return
    lo, hi = bounds
    expect(lo - slack <= value <= hi + slack,
           f"{what} {value}, but {num} / {den} = {num / den:.6f}")


def check_json_report(report, start, stop, nranks, method, count=None,
                      first=None, last=None, check_first_last=True,
                      decomposition="block", chunk=None, compare=False):
    """Checks a --json report against the request and the reference facts.
    DECOMPOSITION: the one asked for (-d); CHUNK: --chunk, when given;
    COMPARE: whether --compare was given."""
    keys = {"version", "start", "stop", "ranks", "method", "decomposition", "chunk",
            "rounds", "buffer_bytes", "count", "first", "last", "elapsed_s", "cpu_max_s",
            "cpu_mean_s", "imbalance", "serial_s", "speedup", "efficiency", "per_rank"}
    missing = keys - report.keys()
    expect(not missing, f"JSON lacks keys {sorted(missing)}")
    expect(isinstance(report["version"], str) and report["version"],
           f"version {report['version']!r}")
    expect(report["start"] == start and report["stop"] == stop,
           f"start/stop {report['start']}/{report['stop']}, expected {start}/{stop}")
    expect(report["ranks"] == nranks, f"ranks {report['ranks']}, expected {nranks}")
    expect(report["method"] == method, f"method {report['method']!r}, expected {method!r}")
    expect(report["decomposition"] == decomposition,
           f"decomposition {report['decomposition']!r}, expected {decomposition!r}")
    if decomposition in CHUNKED:
        expect(is_uint(report["chunk"]) and report["chunk"] >= 1, f"chunk {report['chunk']!r}")
        if chunk is not None:  # a --chunk longer than the range is cut to it
            want = min(chunk, stop - start + 1)
            expect(report["chunk"] == want, f"chunk {report['chunk']}, expected {want}")
    else:
        expect(report["chunk"] is None,
               f"chunk {report['chunk']!r} for {decomposition}, expected null")
    expect(is_uint(report["count"]), f"count {report['count']!r}")
    expect(is_seconds(report["elapsed_s"]), f"elapsed_s {report['elapsed_s']!r}")
    expect(is_uint(report["rounds"]) and report["rounds"] >= 1,
           f"rounds {report['rounds']!r}")
    expect(report["buffer_bytes"] is None or is_uint(report["buffer_bytes"]),
           f"buffer_bytes {report['buffer_bytes']!r}")
    if count is not None:
        expect(report["count"] == count, f"count {report['count']}, expected {count}")
    if check_first_last:
        expect(report["first"] == first, f"first {report['first']}, expected {first}")
        expect(report["last"] == last, f"last {report['last']}, expected {last}")
    check_per_rank(report, start, stop, nranks, decomposition)
    check_balance(report)
    check_compare(report, compare)


def check_balance(report):
    """cpu_max_s and cpu_mean_s are the largest and the mean per-rank cpu_s;
    imbalance = cpu_max_s / cpu_mean_s (1 when nothing was measured), >= 1."""
    cpus = [entry["cpu_s"] for entry in report["per_rank"]]
    cmax, cmean, imb = report["cpu_max_s"], report["cpu_mean_s"], report["imbalance"]
    expect(is_seconds(cmax) and is_seconds(cmean), f"cpu_max_s/cpu_mean_s {cmax!r}/{cmean!r}")
    expect(abs(cmax - max(cpus)) <= 2 * HALF_NS,
           f"cpu_max_s {cmax}, but the largest per-rank cpu_s is {max(cpus)}")
    mean = sum(cpus) / len(cpus)
    expect(abs(cmean - mean) <= 2 * HALF_NS + 1e-12 * len(cpus),
           f"cpu_mean_s {cmean}, but the per-rank cpu_s average {mean:.9f}")
    expect(isinstance(imb, (int, float)) and not isinstance(imb, bool) and imb >= 1,
           f"imbalance {imb!r}, expected a number >= 1")
    expect_ratio(imb, cmax, cmean, "imbalance")
    if cmean == 0:
        expect(imb == 1, f"imbalance {imb} with no CPU time measured, expected 1")


def check_compare(report, compare):
    """serial_s, speedup, efficiency: null without --compare; with it,
    serial_s > 0, speedup = serial_s / elapsed_s, efficiency = speedup / ranks."""
    serial, speedup, eff = report["serial_s"], report["speedup"], report["efficiency"]
    if not compare:
        expect(serial is None and speedup is None and eff is None,
               f"serial_s/speedup/efficiency {serial!r}/{speedup!r}/{eff!r} without "
               "--compare, expected null")
        return
    for name, v in (("serial_s", serial), ("speedup", speedup), ("efficiency", eff)):
        expect(is_seconds(v), f"{name} {v!r} with --compare")
    expect(serial > 0, f"serial_s {serial}: rank 0's serial run took no time?")
    expect_ratio(speedup, serial, report["elapsed_s"], "speedup")
    expect(abs(eff - speedup / report["ranks"]) <= 1e-6 + 5e-7 / report["ranks"],
           f"efficiency {eff}, but speedup / ranks = {speedup / report['ranks']:.6f}")


def cyclic_model(start, stop, chunk, nranks):
    """[(lo, hi, chunks, numbers) or None] per rank: chunks of CHUNK numbers
    from START dealt round-robin (rank r gets chunks r, r + NRANKS, ...)."""
    n = stop - start + 1
    nchunks = -(-n // chunk)
    model = []
    for r in range(nranks):
        mine = len(range(r, nchunks, nranks))
        if not mine:
            model.append(None)
            continue
        j_last = r + (mine - 1) * nranks
        hi = min(start + (j_last + 1) * chunk - 1, stop)
        numbers = mine * chunk - ((nchunks * chunk - n) if j_last == nchunks - 1 else 0)
        model.append((start + r * chunk, hi, mine, numbers))
    return model


def check_per_rank(report, start, stop, nranks, decomposition="block"):
    """The per-rank table. Every decomposition: each rank's entry well
    formed, cpu_s no more than compute_s, the ranks' numbers summing to the
    range's size and their counts to the count. In one round:
      block     exactly the block decomposition of [START, STOP];
      balanced  contiguous blocks in rank order covering [START, STOP],
                empty ones last (their lengths come from a cost model);
      cyclic    --count: exactly the round-robin of the report's chunk;
      dynamic   --count: rank r starts at chunk r, all chunks done once.
    Otherwise (several rounds, or cyclic and dynamic listings) each rank's
    span (least to greatest number it was given) inside the range, the spans
    starting in rank order, the first at START, one reaching STOP."""
    per_rank = report["per_rank"]
    expect(isinstance(per_rank, list) and len(per_rank) == nranks,
           f"per_rank has {len(per_rank) if isinstance(per_rank, list) else '?'}"
           f" entries, expected {nranks}")
    rank_keys = {"rank", "host", "start", "stop", "empty", "chunks", "numbers", "count",
                 "compute_s", "cpu_s", "comm_s", "io_s", "max_rss_kib"}
    for i, entry in enumerate(per_rank):
        expect(isinstance(entry, dict), f"per_rank[{i}] is not an object")
        missing = rank_keys - entry.keys()
        expect(not missing, f"per_rank[{i}] lacks keys {sorted(missing)}")
        expect(entry["rank"] == i, f"per_rank[{i}].rank is {entry['rank']}: not in rank order")
        expect(isinstance(entry["host"], str) and entry["host"], f"per_rank[{i}].host")
        expect(isinstance(entry["empty"], bool), f"per_rank[{i}].empty is not a bool")
        expect(is_uint(entry["count"]), f"per_rank[{i}].count {entry['count']!r}")
        expect(is_seconds(entry["compute_s"]) and is_seconds(entry["comm_s"])
               and is_seconds(entry["io_s"]) and is_seconds(entry["cpu_s"]),
               f"per_rank[{i}] compute_s/comm_s/io_s/cpu_s {entry['compute_s']!r}/"
               f"{entry['comm_s']!r}/{entry['io_s']!r}/{entry['cpu_s']!r}")
        expect(entry["cpu_s"] <= entry["compute_s"] + CPU_SLACK_S,
               f"per_rank[{i}] cpu_s {entry['cpu_s']} exceeds its compute_s "
               f"{entry['compute_s']}: CPU time beyond the step's wall time")
        expect(is_uint(entry["max_rss_kib"]), f"per_rank[{i}].max_rss_kib {entry['max_rss_kib']!r}")
        chunks, numbers = entry["chunks"], entry["numbers"]
        expect(is_uint(chunks) and is_uint(numbers),
               f"per_rank[{i}] chunks/numbers {chunks!r}/{numbers!r}")
        if entry["empty"]:
            expect(entry["start"] is None and entry["stop"] is None,
                   f"per_rank[{i}] is empty but has start/stop {entry['start']}/{entry['stop']}")
            expect(entry["count"] == 0, f"per_rank[{i}] is empty but counts {entry['count']}")
            expect(chunks == 0 and numbers == 0,
                   f"per_rank[{i}] is empty but has {chunks} chunks, {numbers} numbers")
            continue
        lo, hi = entry["start"], entry["stop"]
        expect(is_uint(lo) and is_uint(hi) and start <= lo <= hi <= stop,
               f"per_rank[{i}] span {lo!r}..{hi!r} outside [{start}, {stop}]")
        expect(1 <= chunks <= numbers <= hi - lo + 1,
               f"per_rank[{i}] {chunks} chunks, {numbers} numbers in [{lo}, {hi}]")
        expect(entry["count"] <= numbers,
               f"per_rank[{i}] counts {entry['count']} primes in {numbers} numbers")
    total = sum(entry["count"] for entry in per_rank)
    expect(total == report["count"],
           f"per-rank counts sum to {total}, but count is {report['count']}")
    numbers = sum(entry["numbers"] for entry in per_rank)
    expect(numbers == stop - start + 1,
           f"per-rank numbers sum to {numbers}, but [{start}, {stop}] holds {stop - start + 1}")
    one_round = report.get("rounds", 1) == 1
    counting = report.get("buffer_bytes") is None
    if one_round and decomposition in ("block", "balanced"):
        check_per_rank_blocks(report, start, stop, nranks, decomposition)
    elif one_round and counting and decomposition == "cyclic":
        check_per_rank_cyclic(report, start, stop, nranks)
    elif one_round and counting and decomposition == "dynamic":
        check_per_rank_dynamic(report, start, stop, nranks)
    else:
        check_per_rank_rounds(report, start, stop, nranks)


def check_per_rank_blocks(report, start, stop, nranks, decomposition):
    """One contiguous block per rank, in rank order, covering [START, STOP],
    empty ones last; for block, exactly model_blocks."""
    expected_blocks = model_blocks(start, stop, nranks)
    next_lo = start
    seen_empty = False
    for i, entry in enumerate(report["per_rank"]):
        if entry["empty"]:
            seen_empty = True
            continue
        expect(not seen_empty, f"per_rank[{i}] is not empty but follows an empty rank")
        lo, hi = entry["start"], entry["stop"]
        expect(lo == next_lo, f"per_rank[{i}] starts at {lo}, expected {next_lo}: "
               "blocks are not contiguous")
        next_lo = hi + 1
        expect(entry["chunks"] == 1 and entry["numbers"] == hi - lo + 1,
               f"per_rank[{i}] {entry['chunks']} chunks, {entry['numbers']} numbers for "
               f"its block [{lo}, {hi}], expected 1 and {hi - lo + 1}")
        if decomposition == "block":
            expect((lo, hi) == expected_blocks[i],
                   f"per_rank[{i}] block [{lo}, {hi}], expected {expected_blocks[i]} "
                   "(balanced block decomposition)")
    expect(next_lo == stop + 1, f"the blocks end at {next_lo - 1}, not at stop {stop}")


def check_per_rank_cyclic(report, start, stop, nranks):
    """--count, cyclic: every rank's span, chunks and numbers exactly the
    round-robin of the report's chunk."""
    model = cyclic_model(start, stop, report["chunk"], nranks)
    for i, (entry, want) in enumerate(zip(report["per_rank"], model)):
        got = None if entry["empty"] else (entry["start"], entry["stop"], entry["chunks"],
                                           entry["numbers"])
        expect(got == want, f"per_rank[{i}] (start, stop, chunks, numbers) {got}, expected "
               f"{want} (chunks of {report['chunk']} dealt round-robin)")
    chunks = [entry["chunks"] for entry in report["per_rank"]]
    expect(max(chunks) - min(chunks) <= 1, f"cyclic chunks per rank {chunks}: not round-robin")


def check_per_rank_dynamic(report, start, stop, nranks):
    """--count, dynamic: rank r starts with chunk r (the ranks beyond the
    last chunk have nothing); every chunk is done once."""
    chunk = report["chunk"]
    nchunks = -(-(stop - start + 1) // chunk)
    per_rank = report["per_rank"]
    for i, entry in enumerate(per_rank):
        if i >= nchunks:
            expect(entry["empty"], f"per_rank[{i}] is not empty, but there are only "
                   f"{nchunks} chunks")
            continue
        expect(not entry["empty"], f"per_rank[{i}] is empty, but should start with chunk {i}")
        expect(entry["start"] == start + i * chunk,
               f"per_rank[{i}] starts at {entry['start']}, not at its first chunk "
               f"{start + i * chunk}")
        c, n = entry["chunks"], entry["numbers"]
        expect((c - 1) * chunk < n <= c * chunk,
               f"per_rank[{i}] {n} numbers in {c} chunks of {chunk}")
    done = sum(entry["chunks"] for entry in per_rank)
    expect(done == nchunks, f"the ranks did {done} chunks, expected {nchunks}")
    expect(max(entry["stop"] or 0 for entry in per_rank) == stop,
           f"no rank reaches stop {stop}")


def check_per_rank_rounds(report, start, stop, nranks):
    """Each rank's span inside [START, STOP], the spans starting in rank
    order (a round commits a prefix of its chunks, and rank r's first chunk
    of a round comes before rank r + 1's), the first at START, one reaching
    STOP."""
    per_rank = report["per_rank"]
    expect(isinstance(per_rank, list) and len(per_rank) == nranks,
           f"per_rank has {len(per_rank)} entries, expected {nranks}")
    prev_lo, top = None, None
    for i, entry in enumerate(per_rank):
        expect(entry["rank"] == i, f"per_rank[{i}].rank is {entry['rank']}")
        expect(is_uint(entry["count"]) and is_seconds(entry["io_s"]),
               f"per_rank[{i}] count/io_s {entry['count']!r}/{entry['io_s']!r}")
        if entry["empty"]:
            expect(entry["count"] == 0, f"per_rank[{i}] is empty but counts {entry['count']}")
            continue
        lo, hi = entry["start"], entry["stop"]
        expect(is_uint(lo) and is_uint(hi) and start <= lo <= hi <= stop,
               f"per_rank[{i}] span {lo}..{hi} outside [{start}, {stop}]")
        expect(prev_lo is None or lo > prev_lo,
               f"per_rank[{i}] starts at {lo}, not after rank {i - 1}'s {prev_lo}")
        if prev_lo is None:
            expect(lo == start, f"the first span starts at {lo}, not at {start}")
        prev_lo = lo
        top = hi if top is None else max(top, hi)
    expect(top == stop, f"no rank's span reaches stop {stop} (highest {top})")
    total = sum(entry["count"] for entry in per_rank)
    expect(total == report["count"],
           f"per-rank counts sum to {total}, but count is {report['count']}")



# ---------------------------------------------------------------------------
# --csv: one summary row per run, appended


CSV_COLUMNS = ("timestamp,version,start,stop,ranks,hosts,method,decomposition,rounds,"
               "buffer_bytes,count,first,last,elapsed_s,compute_max_s,compute_mean_s,"
               "comm_max_s,comm_mean_s,io_max_s,max_rss_kib,job_id,job_nodelist,"
               "chunk,cpu_max_s,cpu_mean_s,imbalance,serial_s,twins,triplets,quadruplets,"
               "quintuplets,sextuplets,largest_gap,largest_gap_after,nth_prime").split(",")


def read_csv_rows(path):
    """The rows of a --csv file, after checking its header and shape."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    expect(rows and rows[0] == CSV_COLUMNS, f"header of {path}: {rows[:1]}")
    for i, row in enumerate(rows[1:], 2):
        expect(len(row) == len(CSV_COLUMNS), f"line {i} has {len(row)} fields: {row}")
        expect(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row[0]),
               f"line {i}: timestamp {row[0]!r}")
    return [dict(zip(CSV_COLUMNS, row)) for row in rows[1:]]


# ---------------------------------------------------------------------------
# Hostfiles


HOSTFILE_LINE = re.compile(r"([A-Za-z0-9._-]+)((?:\s+[a-z_]+=\d+)*)")


def active_lines(text):
    """(line number, text) of the lines that are not blank or comments."""
    for number, line in enumerate(text.splitlines(), 1):
        active = line.split("#", 1)[0].strip()
        if active:
            yield number, active


def parse_openmpi_hostfile(text, where):
    """[(host, {attribute: int})] from an Open MPI hostfile's text; every
    active line must be `HOST [slots=N] [max_slots=M]`."""
    entries = []
    for number, line in active_lines(text):
        m = HOSTFILE_LINE.fullmatch(line)
        expect(m, f"{where} line {number} is not 'HOST slots=N ...': {line!r}")
        attrs = dict((k, int(v)) for k, v in re.findall(r"([a-z_]+)=(\d+)", m.group(2)))
        unknown = set(attrs) - {"slots", "max_slots"}
        expect(not unknown, f"{where} line {number}: unknown {sorted(unknown)}")
        entries.append((m.group(1), attrs))
    expect(entries, f"{where} names no host")
    return entries


# An MPICH "host:N" line commented out ("# host:N") in an Open MPI hostfile.
MPICH_COMMENTED = re.compile(r"^#\s*([A-Za-z0-9._-]+):(\d+)\s*$", re.M)


def parse_mpich_hostfile(text, where):
    """[(host, N)] from an MPICH (Hydra) hostfile; every active line must be
    `host:N`."""
    entries = []
    for number, line in active_lines(text):
        m = re.fullmatch(r"([A-Za-z0-9._-]+):(\d+)", line)
        expect(m, f"{where} line {number} is not 'host:N': {line!r}")
        entries.append((m.group(1), int(m.group(2))))
    expect(entries, f"{where} names no host")
    return entries
