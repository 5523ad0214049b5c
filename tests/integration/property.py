#!/usr/bin/env python3
"""Property test for mpprimes: random cases (ranges, rank counts, methods,
decompositions, outlets), each checked against an independent reference.

    property.py --binary PATH --mpiexec PATH --source-dir REPO
                [--seed S] [--cases N] [--time-budget SECONDS] [--case I]
                [--max-cost SECONDS] [--minimise] [--dry-run]

Each case draws, from its own generator (seeded with the seed and the case's
number, so case I of seed S is the same whatever ran before it):

  * a range, from one of the categories below, taken in turn (from an offset
    that depends on the seed), so a run of ten cases or more covers them all:
      small            from 0, 1, 2, 3 or a small number, up to 10..1e6 wide
                       (sometimes STOP alone, which means [2, STOP])
      near 2^31        straddling 2^31, ending just below it, starting just
      near 2^32        above it, or a few numbers at the edge itself
      near 2^40        (trial division is still cheap there)
      near 2^64        ending exactly at 2^64 - 1, just below it, around the
                       largest 64-bit prime 2^64 - 59, single numbers at the top
      above last prime START beyond 2^64 - 59, the largest 64-bit prime: no
                       primes however wide the window
      random 64-bit    a random bit length 1..64, a random START of that
                       length, a width up to 1e6 (cut at 2^64 - 1)
      prime gap        inside a gap between consecutive primes (no primes),
                       a prime alone, or the two primes bounding the gap
      single           START = STOP: edges (0, 1, 2, 2^31 - 1, 2^32 - 5,
                       2^64 - 59, 2^64 - 1, ...), random primes, random numbers
      wide             1e6 to 1e9 numbers below 1e13, counted or gathered
      many pieces      1e5 to 3e7 numbers at a height up to 3e18, by the sieve in
                       many pieces per rank: small chunks (cyclic, dynamic) or
                       a small buffer (rounds), so that each rank's sieve state
                       goes on, jumps forward, reads a segment again and sieves
                       partial segments (sieve.c, "State across pieces")
  * a rank count 1..8 (oversubscribed), the method (sieve or trial), the
    decomposition (block, balanced, cyclic, dynamic; sometimes --chunk);
  * an outlet: --count, the default gather, --print or --output FILE in text
    or binary, with the default --buffer or one small enough that the
    listing takes many rounds; numbers sometimes written as 2^k+-d, options
    in long or short form, in random order;
  * for --count, the patterns (from a generator of their own): half the
    cases count a random set of kinds (--count=KINDS: primes, twins to
    sextuplets), a third of those whose reference lists the primes also
    --gaps;
  * for --print and --output, what is listed (from a generator of its own):
    two in five list the K-tuplets, --print=K with K = 2 ... 6 (with
    --output it says what goes into the file), one in ten the primes as
    --print=1, the rest the primes as before.

The case's cost is estimated (the sieve near 2^64 pays seconds per block for
its sieving primes up to 2^32; trial division pays sqrt(x)/2 divisions per
prime, 2^31 near 2^64, about 10 s); a case above --max-cost is cut down
deterministically (larger chunks or buffer, fewer ranks, a narrower window
kept around its point of interest, or the sieve instead of trial division),
so a replay gives the same case. Trial division near 2^64 thus gets windows
of composites with small factors (2^64 - 1, [2^64 - 58, 2^64 - 1], ...) or
at most one prime (about 10 s at the default --max-cost, 20); windows with
more primes there go to the sieve (tests/test_trial.c's long
largest_64_bit_prime trial-divides 2^64 - 59 as well).

References: a deterministic Miller-Rabin test in Python (bases 2..37,
exact below 3.1e23, the least strong pseudoprime to all of them) on the
numbers a pre-sieve by the primes below 2^16 leaves, for windows up to
MR_MAX_WIDTH numbers; primesieve (--print) for wider listings; for the wide
category primesieve --count, with the first and last prime found by
Miller-Rabin from each end. The reference is checked at start-up (known
primes, strong pseudoprimes, a Carmichael number, pi(1e6), and against
primesieve on two windows).

The tuplet counts are checked against their definition over the
reference's primes (primesieve -c123456 for a wide range), every rank's
counts against the total, and --gaps's largest gap, maximal gaps and
histogram against the reference's primes. A --print=K listing is the
reference's K-tuplets (reference.tuplets_of over its primes) byte for byte,
"(3, 5)" lines in text (as primesieve -pK prints them), each least member in
binary; its report has count, first and last null and "counts" only the
kind, per rank too, the ranks' counts adding up to it.

A case passes when mpprimes exits 0 in time, stderr is empty (with --print
it holds the JSON report, and nothing else), the JSON report's count, first
and last are the reference's, the rest of the report is consistent
(reference.check_json_report: per-rank table, chunk, balance; buffer_bytes;
several rounds when the listing exceeds --buffer), the listing (--print,
--output) is the reference's byte for byte (text: one prime per line;
binary: 8 bytes per prime, little-endian), and --output leaves only its
file behind.

Output: the seed first ("property: seed S (replay with --seed S)"), then
per case its estimated cost, its command line and "ok" or "FAIL" with the
reference's and mpprimes' figures, the first difference of the listings and
the command that replays that case alone (--case I; --max-cost, which
shapes the cases, is part of the replay when not the default). A cheap
failing case is minimised (halves and quarters of the window, the numbers
that differ alone, fewer ranks, -d block, --count) to the smallest command
that still fails; --minimise does it for costly ones too. Last, what ran
(categories, methods, decompositions, outlets, ranks, references) and
"property: N cases passed (seed S)", or how many failed; exit status 0 only
when every case passed. --dry-run prints the cases without running them.

Python 3 standard library only.
"""

import argparse
import copy
import math
import os
import random
import shlex
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import CaseFailure, Runner, add_program_args, expect, run  # noqa: E402
from reference import (TUPLET_NAMES, U64_MAX, check_json_report, gaps_of,  # noqa: E402
                       have_primesieve, is_prime_mr, listing_rounds, listing_text,
                       parse_json_report, primesieve_count, primesieve_primes,
                       primesieve_tuplets, round_room, sieve_window, small_primes,
                       tuplet_counts, tuplet_listing, tuplets_of)

TOP_PRIME = 2**64 - 59            # the largest prime below 2^64

PRESIEVE_LIMIT = 2**16            # the small primes every window is sieved by
MR_MAX_WIDTH = 200_000            # wider listings come from primesieve

DEFAULT_BUFFER = 64 * 2**20      # --buffer's default (64M)
RUN_TIMEOUT = 600                 # most seconds for one mpirun (a hang fails)
REF_TIMEOUT = 300                 # most seconds for one primesieve run

# Cost model, in seconds of CPU on the 2-core development VM under load
# (measured: the sieve over [2^64 - 1001, 2^64 - 1] 8.7 s, 10 chunks there
# 113 s; trial division of 2^64 - 59 10 s; 1198 rounds of a tiny --buffer 1 s).
SIEVE_SETUP_S = 9.0               # a rank's sieve set-up at STOP = 2^64, ~ sqrt(STOP)
SIEVE_JUMP_S = 1.0                # a jump's re-placement at STOP = 2^64, ~ sqrt(STOP)
SIEVE_BLOCK_S = 3e-4              # fixed cost of one sieve block
SIEVE_NUMBER_S = 3e-10            # per number sieved
TRIAL_DIV_S = 4.7e-9              # per trial division
ROUND_S = 1e-3                    # per round of a listing, per 4 ranks
CHUNK_S = {"cyclic": 2e-5, "dynamic": 3e-4}   # per chunk handed out
RANK_START_S = 0.05               # start-up of one rank

CATEGORIES = ("small", "near 2^31", "near 2^32", "near 2^40", "near 2^64",
              "above last prime", "random 64-bit", "prime gap", "single", "wide",
              "many pieces")
OUTLETS = ("count", "gather", "print text", "print binary", "output text",
           "output binary")


# ---------------------------------------------------------------------------
# The reference: Miller-Rabin, and primesieve (reference.py) for wide windows


_window_cache = {}


def mr_window(lo, hi):
    """(primes in [LO, HI], rough composites): the window sieved by the
    primes below PRESIEVE_LIMIT (at most sqrt(HI)); what is left is prime
    when HI < bound^2, else tested by Miller-Rabin. Rough composites: those
    left that are not prime (no factor below the bound)."""
    key = (lo, hi)
    if key in _window_cache:
        return _window_cache[key]
    lo2 = max(lo, 2)
    if lo2 > hi:
        result = ([], 0)
    else:
        bound = min(PRESIEVE_LIMIT, math.isqrt(hi))
        flags = sieve_window(lo2, hi, bound)
        exact = hi < (bound + 1) ** 2   # a composite <= HI has a factor <= bound
        primes, rough = [], 0
        for i in (i for i, f in enumerate(flags) if f):
            n = lo2 + i
            if exact or n <= bound or is_prime_mr(n):
                primes.append(n)
            else:
                rough += 1
        result = (primes, rough)
    if len(_window_cache) > 64:
        _window_cache.clear()
    _window_cache[key] = result
    return result


def next_prime(n):
    """The least prime >= N below 2^64, or None."""
    n = max(n, 2)
    while n <= U64_MAX:
        if is_prime_mr(n):
            return n
        n += 1
    return None


def prev_prime(n):
    """The greatest prime <= N, or None."""
    while n >= 2:
        if is_prime_mr(n):
            return n
        n -= 1
    return None


class Reference:
    """What the case must find: COUNT, FIRST, LAST (None when no prime) and,
    for listing outlets, PRIMES; WHO says which reference gave it."""

    def __init__(self, lo, hi, listing):
        n = hi - lo + 1
        if n <= MR_MAX_WIDTH or not have_primesieve():
            self.primes = mr_window(lo, hi)[0]
            self.who = "miller-rabin"
        elif listing or hi - lo <= 2_000_000:
            self.primes = primesieve_primes(lo, hi, REF_TIMEOUT)
            self.who = "primesieve --print"
        else:  # wide: counted by primesieve, the ends found by Miller-Rabin
            self.primes = None
            self.count = primesieve_count(lo, hi, REF_TIMEOUT)
            self.first = next_prime(lo) if self.count else None
            self.last = prev_prime(hi) if self.count else None
            self.who = "primesieve --count, ends by miller-rabin"
            return
        self.count = len(self.primes)
        self.first = self.primes[0] if self.primes else None
        self.last = self.primes[-1] if self.primes else None

    def figures(self):
        return f"count {self.count}, first {self.first}, last {self.last}"


def self_check():
    """The reference against known facts: it must be right before it
    judges mpprimes."""
    expect([n for n in range(200) if is_prime_mr(n)] == list(small_primes(199)),
           "miller-rabin disagrees with a sieve below 200")
    for n in (2**31 - 1, 2**32 - 5, 10**12 + 39, TOP_PRIME, 2**61 - 1):
        expect(is_prime_mr(n), f"miller-rabin says {n} is composite")
    # Strong pseudoprimes to the first bases (3215031751: 2, 3, 5, 7;
    # 3825123056546413051: 2..23); a Carmichael number; squares of primes.
    for n in (3215031751, 3825123056546413051, 561, 4294967297, 4294967291**2, 2**64 - 1):
        expect(not is_prime_mr(n), f"miller-rabin says {n} is prime")
    expect(mr_window(TOP_PRIME + 1, U64_MAX)[0] == [], "primes above 2^64 - 59?")
    expect(len(mr_window(0, 10**6)[0]) == 78498, "pi(1e6) != 78498")
    expect(len(mr_window(2**32 - 10**5, 2**32 + 10**5)[0])
           == len(mr_window(2**32 - 10**5, 2**32)[0]) + len(mr_window(2**32 + 1, 2**32 + 10**5)[0]),
           "windows do not add up")
    if have_primesieve():
        for lo, hi in ((2**40 - 5000, 2**40 + 5000), (10**15, 10**15 + 3000)):
            expect(mr_window(lo, hi)[0] == primesieve_primes(lo, hi, REF_TIMEOUT),
                   f"miller-rabin and primesieve disagree on [{lo}, {hi}]")


# ---------------------------------------------------------------------------
# Drawing cases


def logw(rng, most):
    """A width in [0, MOST], log-uniform."""
    return min(most, int(10 ** rng.uniform(0, math.log10(most + 1))) - 1)


def clamp(v):
    return min(max(v, 0), U64_MAX)


class Case:
    def __init__(self, index, category):
        self.index = index
        self.category = category
        self.lo = self.hi = self.anchor = 0
        self.shrinkable = True
        self.stop_only = False
        self.np = 1
        self.method = "sieve"
        self.decomposition = "block"
        self.chunk = None
        self.outlet = "count"
        self.buffer = None
        self.texts = None          # how START and STOP are written
        self.direct_stdout = True  # MPPRIMES_DIRECT_STDOUT (--print)
        self.order = []            # the option groups, in their order
        self.cost = 0.0
        self.adjusted = []         # what the cost model changed
        self.kinds = None          # --count=KINDS (digits), or None
        self.list_kind = None      # --print=K of a listing outlet (1-6), or None
        self.gaps = False          # --gaps

    @property
    def width(self):
        return self.hi - self.lo + 1

    @property
    def listing(self):
        return self.outlet.startswith(("print", "output"))

    @property
    def fmt(self):
        return self.outlet.split()[1] if self.listing else None


def near(rng, a, most=10**6):
    """(lo, hi, anchor) around A: straddling it, just below, just above, or
    at the edge itself."""
    kind = rng.choice(("straddle", "below", "above", "edge"))
    if kind == "straddle":
        return a - 1 - logw(rng, most // 2), a + logw(rng, most // 2), a
    if kind == "below":
        hi = a - 1 - logw(rng, 100)
        return hi - logw(rng, most), hi, hi
    if kind == "above":
        lo = a + logw(rng, 100)
        return lo, lo + logw(rng, most), lo
    lo = a + rng.choice((-2, -1, 0))
    return lo, max(lo, a + rng.choice((-1, 0, 1, 2))), a


def random_of_bits(rng, bits):
    return rng.randrange(2**(bits - 1), 2**bits) if bits > 1 else rng.randint(0, 1)


def draw_range(case, rng):
    c = case.category
    if c == "small":
        lo = rng.choice((0, 1, 2, 3, rng.randint(0, 30), rng.randint(0, 1000)))
        hi = lo + logw(rng, rng.choice((10, 1000, 10**6)))
        anchor = lo
        case.stop_only = lo == 2 and rng.random() < 0.5
    elif c.startswith("near 2^") and c != "near 2^64":
        lo, hi, anchor = near(rng, 2**int(c[7:]), 10**6 if c != "near 2^40" else 10**5)
    elif c == "near 2^64":
        kind = rng.choice(("ends at top", "below top", "last prime", "single"))
        if kind == "ends at top":
            hi = anchor = U64_MAX
            lo = hi - logw(rng, 10**6)
        elif kind == "below top":
            hi = anchor = U64_MAX - 1 - logw(rng, 10**6)
            lo = hi - logw(rng, 10**5)
        elif kind == "last prime":
            lo, anchor = TOP_PRIME - logw(rng, 2000), TOP_PRIME
            hi = TOP_PRIME + rng.choice((0, 1, rng.randint(0, 58)))
        else:
            lo = hi = anchor = rng.choice((U64_MAX, U64_MAX - 1, TOP_PRIME, TOP_PRIME + 1,
                                           U64_MAX - rng.randint(0, 1000)))
    elif c == "above last prime":
        lo = anchor = rng.randint(TOP_PRIME + 1, U64_MAX)
        hi = rng.randint(lo, U64_MAX)
    elif c == "random 64-bit":
        lo = anchor = random_of_bits(rng, rng.randint(1, 64))
        hi = min(lo + logw(rng, 10**6), U64_MAX)
    elif c == "prime gap":
        while True:
            p = next_prime(random_of_bits(rng, rng.randint(2, 64)))
            if p is not None:
                break
        q = next_prime(p + 1)
        top = U64_MAX if q is None else q - 1   # the gap is (p, q)
        kind = rng.choice(("gap", "inside gap", "prime alone", "both ends"))
        if kind == "gap" and p + 1 <= top:
            lo, hi = p + 1, top
        elif kind == "inside gap" and p + 1 <= top:
            lo = rng.randint(p + 1, top)
            hi = rng.randint(lo, top)
        elif kind == "both ends" and q is not None:
            lo, hi = p, q
        else:
            lo = hi = p
        anchor = lo
    elif c == "single":
        kind = rng.choice(("edge", "prime", "any"))
        if kind == "edge":
            n = rng.choice((0, 1, 2, 3, 4, 2**31 - 1, 2**31, 2**32 - 5, 2**32 - 1, 2**32,
                            2**32 + 1, 2**40, TOP_PRIME, U64_MAX))
        elif kind == "prime":
            n = None
            while n is None:
                n = next_prime(random_of_bits(rng, rng.randint(1, 64)))
        else:
            n = random_of_bits(rng, rng.randint(1, 64))
        lo = hi = anchor = n
    elif c == "many pieces":
        lo = anchor = int(10 ** rng.uniform(1, 18.5))
        hi = lo + int(10 ** rng.uniform(5, 7.5))
    else:  # wide
        lo = anchor = int(10 ** rng.uniform(0, 13))
        hi = lo + int(10 ** rng.uniform(6, 9))
        case.shrinkable = False
    case.lo, case.hi = clamp(min(lo, hi)), clamp(max(lo, hi))
    case.anchor = min(max(anchor, case.lo), case.hi)


def item_bytes(case):
    """The most bytes one listed item takes (outlets.c): a prime's line, a
    K-tuplet's line "(a, b, ...)" (--print=K), or 8 in binary."""
    if case.fmt != "text":
        return 8
    digits = len(str(case.hi))
    k = case.list_kind or 1
    return k * (digits + 2) + 1 if k > 1 else digits + 1


def min_buffer(case):
    """The least --buffer the outlet accepts at this rank count (outlets.c:
    each rank's share must hold one item; to stdout a share is 1/ranks)."""
    need = item_bytes(case)
    least = need if case.outlet.startswith("output") else need * case.np
    return max(64, least)


def draw_case(seed, index, offset):
    rng = random.Random(f"mpprimes property {seed} {index}")
    case = Case(index, CATEGORIES[(index + offset) % len(CATEGORIES)])
    draw_range(case, rng)
    if not have_primesieve() and case.width > MR_MAX_WIDTH:
        case.hi = case.lo + MR_MAX_WIDTH - 1   # Miller-Rabin alone must do
        case.anchor = min(case.anchor, case.hi)
    case.np = rng.randint(1, 8)
    case.method = rng.choice(("sieve", "trial"))
    case.decomposition = rng.choice(("block", "balanced", "cyclic", "dynamic"))
    if case.decomposition in ("cyclic", "dynamic") and rng.random() < 0.5:
        case.chunk = max(1, int(10 ** rng.uniform(0, math.log10(2 * case.width + 1))))
    outlets = OUTLETS[:2] if case.category == "wide" else OUTLETS
    case.outlet = rng.choice(outlets)
    if case.category == "many pieces":
        case.method = "sieve"
        case.np = rng.randint(1, 4)
        if case.decomposition in ("cyclic", "dynamic"):
            case.chunk = int(10 ** rng.uniform(2, math.log10(case.width / 4)))
        elif case.outlet == "count":
            case.outlet = rng.choice(OUTLETS[1:])
    if case.listing:
        draw_listed_kind(case, seed, index)
    if case.outlet != "count":
        kind = rng.choice(("default", "tiny", "small"))
        if case.category == "many pieces" and case.chunk is None:
            kind = "small"  # many rounds
        if kind == "tiny":
            case.buffer = min_buffer(case) + rng.randint(0, 16 * case.np)
        elif kind == "small":
            case.buffer = max(min_buffer(case), rng.randint(64, 8192) * case.np)
    if case.outlet == "count":
        draw_patterns(case, seed, index)
    case.direct_stdout = rng.random() < 0.75
    case.order = ["method", "decomposition", "outlet", "buffer", "json"]
    rng.shuffle(case.order)
    case.long_names = rng.random() < 0.5
    fit(case, rng)
    case.texts = (render(rng, case.lo), render(rng, case.hi))
    return case


def draw_patterns(case, seed, index):
    """Half the counts ask for tuplets (--count=KINDS, a random set of the
    digits 1-6), a third for --gaps where the reference lists the primes,
    from a generator of their own, so that the rest of the case is drawn as
    before."""
    rng = random.Random(f"mpprimes property patterns {seed} {index}")
    if rng.random() < 0.5:
        digits = [d for d in "123456" if rng.random() < 0.5] or [rng.choice("23456")]
        rng.shuffle(digits)
        case.kinds = "".join(digits)
    listed = case.width <= MR_MAX_WIDTH or (have_primesieve() and case.width <= 2_000_000)
    case.gaps = listed and rng.random() < 0.35


def draw_listed_kind(case, seed, index):
    """Two in five listings list the K-tuplets instead of the primes
    (--print=K, K = 2 ... 6; with --output it says what goes into the file),
    one in ten asks for the primes as --print=1; from a generator of its
    own, so that the rest of the case is drawn as before."""
    rng = random.Random(f"mpprimes property listed kind {seed} {index}")
    x = rng.random()
    if x < 0.4:
        case.list_kind = rng.randint(2, 6)
    elif x < 0.5:
        case.list_kind = 1


def render(rng, v):
    """V as mpprimes reads it: decimal, or 2^k+d / 2^k-d."""
    if rng.random() < 0.3 and v >= 16:
        k = min(64, round(math.log2(v)))
        d = v - 2**k
        if abs(d) < 10**7 and (k < 64 or d < 0):
            return f"2^{k}" + ("" if d == 0 else f"{d:+d}")
    return str(v)


# ---------------------------------------------------------------------------
# The cost model, and cutting a case down to --max-cost


def li(x):
    if x < 3:
        return 0.0
    lx = math.log(x)
    return x / lx * (1 + 1 / lx + 2 / lx**2)


def expected_primes(lo, hi):
    """(number of primes, rough composites) in [LO, HI]: exact for narrow
    windows, estimated otherwise."""
    if hi - lo + 1 <= 4096 or (hi - lo + 1 <= MR_MAX_WIDTH and hi > 2**40):
        primes, rough = mr_window(lo, hi)
        return len(primes), rough
    count = max(0.0, li(hi) - li(max(lo, 2)))
    rough = 0.0
    if hi > PRESIEVE_LIMIT**2:
        rough = (hi - lo + 1) * 0.05 - count   # prod(1 - 1/p) below 2^16 ~ 0.05
    return count, max(0.0, rough)


def composite_divisions(hi):
    """Mean trial divisions for a number with a factor below 2^16 (odd
    divisors from 3: about p/2 for its smallest factor p)."""
    top = min(PRESIEVE_LIMIT, math.isqrt(hi))
    total, survive = 0.0, 0.5
    for p in small_primes(top)[1:]:
        total += survive / p * p / 2
        survive *= 1 - 1 / p
    return total


# Hardy-Littlewood: about C * N / ln(x)^K K-tuplets among N numbers near x
# (every admissible form of the kind together).
TUPLET_DENSITY = {2: 1.32, 3: 5.72, 4: 4.15, 5: 20.3, 6: 17.3}


def est_items(case, count):
    """The items CASE lists: COUNT primes, or about that many K-tuplets."""
    k = case.list_kind or 1
    if k == 1:
        return count
    return min(count, TUPLET_DENSITY[k] * case.width / math.log(max(case.hi, 3)) ** k)


def est_rounds(case, count):
    if case.outlet == "count":
        return 1
    count = est_items(case, count)
    per = item_bytes(case)
    room = round_room(case.buffer or DEFAULT_BUFFER, case.np, case.outlet, case.decomposition)
    return max(1, math.ceil(count * per / (0.5 * room)))


def est_chunks(case):
    if case.decomposition not in ("cyclic", "dynamic"):
        return min(case.np, case.width)
    chunk = case.chunk
    if chunk is None:
        chunk = -(-case.width // (16 * case.np))
        if case.method == "sieve":
            chunk = max(chunk, int(32 * math.sqrt(case.hi)))
    return -(-case.width // min(chunk, case.width))


def estimate(case):
    """Estimated seconds of CPU for CASE: start-up, rounds, chunks and the
    method's work."""
    count, rough = expected_primes(case.lo, case.hi)
    rounds = est_rounds(case, count)
    chunks = est_chunks(case)
    busy = min(case.np, case.width)
    cost = RANK_START_S * case.np + rounds * ROUND_S * (1 + case.np / 4)
    cost += chunks * CHUNK_S.get(case.decomposition, 0)
    if case.method == "sieve":
        # each rank sets its sieve up once (per 2^31 numbers above 2^56);
        # every further block or chunk is a jump: its primes re-placed
        blocks = chunks + (rounds - 1) * busy
        root = math.isqrt(case.hi) / 2**32
        windows = busy * (1 + (case.width >> 31 if case.hi >= 2**56 else 0))
        cost += windows * SIEVE_SETUP_S * root + blocks * (SIEVE_BLOCK_S + SIEVE_JUMP_S * root)
        cost += case.width * SIEVE_NUMBER_S
    else:
        root = math.isqrt(case.hi) / 2
        divisions = (count + rough) * root + case.width * composite_divisions(case.hi)
        cost += divisions * TRIAL_DIV_S
    return cost


def shrink(case):
    """Halves the window, keeping the anchor where it was in it."""
    w = max(1, case.width // 2)
    frac = (case.anchor - case.lo) / case.width
    lo = case.anchor - int(frac * w)
    lo = min(max(lo, case.lo), case.hi - w + 1)
    case.lo, case.hi = lo, lo + w - 1
    case.anchor = min(max(case.anchor, case.lo), case.hi)
    case.stop_only = case.stop_only and case.lo == 2


def fit(case, rng):
    """Cuts CASE down until its estimated cost is within MAX_COST; every
    choice is from RNG, so the same seed gives the same case."""
    for _ in range(200):
        case.cost = estimate(case)
        if case.cost <= MAX_COST:
            return
        count = expected_primes(case.lo, case.hi)[0]
        if case.chunk is not None and est_chunks(case) > 1:
            case.chunk *= 16
            if case.chunk >= case.width:
                case.chunk = None
            step = "chunk"
        elif case.buffer is not None and est_rounds(case, count) > 2:
            case.buffer = case.buffer * 16 if case.buffer < 2**26 else None
            step = "buffer"
        elif case.method == "trial" and case.shrinkable and case.width > 1:
            shrink(case)  # trial division's work is the same at any rank count
            step = "window"
        elif case.method == "trial":
            case.method = "sieve"
            step = "method"
        elif case.np > 1 and (case.width == 1 or rng.random() < 0.5 or not case.shrinkable):
            case.np = max(1, case.np // 2)
            step = "ranks"
        elif case.width > 1 and case.shrinkable:
            shrink(case)
            step = "window"
        else:
            return  # as small as it gets (one number, one rank)
        if not case.adjusted or case.adjusted[-1] != step:
            case.adjusted.append(step)
        if case.buffer is not None:
            case.buffer = max(case.buffer, min_buffer(case))


DEFAULT_MAX_COST = 20.0
MAX_COST = DEFAULT_MAX_COST   # set from --max-cost


# ---------------------------------------------------------------------------
# Running and checking a case


def command_args(case, path):
    """mpprimes' arguments for CASE (PATH: the --output file)."""
    long_names = case.long_names
    groups = {
        "method": [("--method" if long_names else "-m"), case.method],
        "decomposition": (["--decomposition" if long_names else "-d", case.decomposition]
                          + (["--chunk", str(case.chunk)] if case.chunk else [])),
        "buffer": ["--buffer", str(case.buffer)] if case.buffer else [],
        "json": ["--json"],
    }
    if case.outlet == "count":
        digits = case.kinds or ""
        groups["outlet"] = ([f"--count={digits}" if digits else "--count"] if long_names
                            else [f"-c{digits}"])
        groups["outlet"] += ["--gaps"] if case.gaps else []
    elif case.outlet == "gather":
        groups["outlet"] = []
    else:
        how, fmt = case.outlet.split()
        k = case.list_kind
        listed = [] if k is None else [f"--print={k}" if long_names else f"-p{k}"]
        if how == "print":
            out = listed or ["--print" if long_names else "-p"]
        else:
            out = ["--output" if long_names else "-o", path] + listed
        if fmt == "binary" or case.index % 2:
            out += ["--format", fmt]
        groups["outlet"] = out
    args = [a for name in case.order for a in groups[name]]
    return args + ([case.texts[1]] if case.stop_only else list(case.texts))


def describe(case):
    bits = [f"case {case.index} [{case.category}]", f"est {case.cost:.1f} s"]
    if case.kinds or case.gaps:
        bits.append(f"patterns {case.kinds or ''}{' gaps' if case.gaps else ''}")
    if case.listing and case.list_kind:
        bits.append(f"lists --print={case.list_kind}")
    if case.adjusted:
        bits.append("cut: " + ",".join(case.adjusted))
    return " ".join(bits)


def listing_bytes(primes, fmt):
    if fmt == "binary":
        return struct.pack(f"<{len(primes)}Q", *primes)
    return listing_text(primes)


def decode(data, fmt):
    """The primes of a listing (None where a line is not a number)."""
    if fmt == "binary":
        whole = len(data) - len(data) % 8
        return [int.from_bytes(data[i:i + 8], "little") for i in range(0, whole, 8)]
    out = []
    for line in data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"):
        out.append(int(line) if line.isdigit() else line)
    return out


def listing_difference(got, want, fmt, data):
    """Where the primes GOT of the listing DATA in format FMT (decode())
    first differ from the reference's, WANT."""
    if fmt == "binary" and len(data) % 8:
        return f"{len(data)} bytes, not a multiple of 8"
    if fmt == "text" and data and not data.endswith(b"\n"):
        return "the text does not end with a newline"
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return f"prime #{i + 1}: got {g!r}, expected {w}"
    if len(got) != len(want):
        longer, what = (got, "extra") if len(got) > len(want) else (want, "missing")
        i = min(len(got), len(want))
        return (f"got {len(got)} primes, expected {len(want)}; first {what}: "
                f"#{i + 1} {longer[i]!r}")
    return "same primes, different bytes"


def figures(report):
    return (f"count {report.get('count')}, first {report.get('first')}, "
            f"last {report.get('last')}")


def pattern_problems(case, ref, report):
    """What the report's counts and gaps (--count=KINDS, --gaps) say that
    the reference does not: the tuplets by their definition from the
    reference's primes, or by primesieve -c123456 for a wide range; the gaps
    from the primes."""
    problems = []
    asked = sorted({int(d) for d in case.kinds or "1"})
    if case.kinds:
        want = (tuplet_counts(ref.primes) if ref.primes is not None
                else primesieve_tuplets(case.lo, case.hi, REF_TIMEOUT))
        want = {TUPLET_NAMES[k]: want[k] for k in asked}
        if report.get("counts") != want:
            problems.append(f"counts {report.get('counts')}, the reference's {want}")
    elif report.get("counts") != {"primes": ref.count}:
        problems.append(f"counts {report.get('counts')}, expected {{'primes': {ref.count}}}")
    per_rank = report.get("per_rank") or []
    for name in (TUPLET_NAMES[k] for k in asked):
        total = sum(r.get("counts", {}).get(name, 0) for r in per_rank)
        if total != (report.get("counts") or {}).get(name):
            problems.append(f"the ranks' {name} add up to {total}, not to the total")
    if case.gaps:
        want = gaps_of(ref.primes)
        got = report.get("gaps")
        if got != want:
            problems.append(f"gaps differ from the reference's: largest "
                            f"{(got or {}).get('largest')} against {want['largest']}, "
                            f"{len((got or {}).get('records', []))} records against "
                            f"{len(want['records'])}")
    elif "gaps" in report:
        problems.append("a gaps key without --gaps")
    return problems


def run_case(runner, case, show=True):
    """Runs CASE (printing its command line with SHOW); returns the
    Reference. Raises CaseFailure, saying every difference it found."""
    ref = Reference(case.lo, case.hi, case.listing)
    with tempfile.TemporaryDirectory(prefix="mpprimes-prop-") as tmp:
        path = os.path.join(tmp, "primes.out")
        cmd = runner.mpirun_cmd(command_args(case, path), case.np)
        case.cmd = cmd
        env = runner.env({"MPPRIMES_DIRECT_STDOUT": "1" if case.direct_stdout else "0"})
        if show:
            print(f"  {shlex.join(cmd)}", flush=True)
        res = run(cmd, min(RUN_TIMEOUT, 120 + 15 * case.cost), env=env)
        case.elapsed = res.elapsed
        expect(not res.timed_out, "timed out: " + res.describe())
        expect(res.rc == 0, "expected exit 0: " + res.describe())
        data = None
        if case.outlet.startswith("print"):
            data, report_text = res.stdout, res.stderr
        else:
            expect(res.stderr == "", f"stderr not empty: {res.stderr[:800]!r}")
            report_text = res.out
        if case.outlet.startswith("output"):
            left = sorted(os.listdir(tmp))
            expect(left == ["primes.out"], f"the directory holds {left}, expected primes.out")
            with open(path, "rb") as f:
                data = f.read()
    report = parse_json_report(report_text, "the report")
    if listed_kind(case) > 1:
        check_tuplets(case, ref, report, data)
        return ref
    problems = []
    got = (report.get("count"), report.get("first"), report.get("last"))
    # Numbers to look at first when minimising: where mpprimes and the
    # reference disagree.
    case.suspects = sorted({x for x, y in zip(got[1:], (ref.first, ref.last))
                            if x != y and isinstance(x, int)}
                           | {y for x, y in zip(got[1:], (ref.first, ref.last))
                              if x != y and y is not None})
    if got != (ref.count, ref.first, ref.last):
        problems.append(f"the JSON report differs from the reference\n"
                        f"    reference ({ref.who}): {ref.figures()}\n"
                        f"    mpprimes: {figures(report)}")
    if data is not None:
        want = listing_bytes(ref.primes, case.fmt)
        if data != want:
            primes = decode(data, case.fmt)
            odd = set(p for p in primes if isinstance(p, int)) ^ set(ref.primes)
            case.suspects = sorted(odd)[:3] + case.suspects
            problems.append(f"--{case.outlet.split()[0]} --format {case.fmt} differs from "
                            f"the reference ({ref.who}; got {len(data)} bytes, expected "
                            f"{len(want)}): "
                            + listing_difference(primes, ref.primes, case.fmt, data))
    problems += pattern_problems(case, ref, report)
    if problems:
        raise CaseFailure("\n    ".join(problems))
    check_json_report(report, case.lo, case.hi, case.np, case.method, ref.count, ref.first,
                      ref.last, decomposition=case.decomposition, chunk=case.chunk)
    if case.outlet == "count":
        expect(report["buffer_bytes"] is None,
               f"buffer_bytes {report['buffer_bytes']} with --count, expected null")
    else:
        size = case.buffer or DEFAULT_BUFFER
        expect(report["buffer_bytes"] == size,
               f"buffer_bytes {report['buffer_bytes']}, expected {size}")
        held = len(data) if data is not None else ref.count * 8
        listing_rounds(report, held, round_room(size, case.np, case.outlet,
                                                case.decomposition))
    return ref


def listed_kind(case):
    """K of the --print=K a listing outlet asks for (1: the primes), 0 for
    the counting and gathering outlets."""
    return (case.list_kind or 1) if case.listing else 0


def check_tuplets(case, ref, report, data):
    """A --print=K listing (K >= 2) against the reference's K-tuplets
    (reference.tuplets_of over its primes): DATA byte for byte (text: as
    primesieve -pK prints them; binary: each least member, 8 bytes
    little-endian); the report's count, first and last null, "counts" only
    the kind, the per-rank counts null and only the kind, summing to it; the
    rest of the report as for a count (check_json_report, the kind's counts
    standing in for the primes'), buffer_bytes, several rounds when the
    listing exceeds a round's room."""
    k, name = case.list_kind, TUPLET_NAMES[case.list_kind]
    tuplets = tuplets_of(ref.primes, k)
    n = len(tuplets)
    problems = []
    want = tuplet_listing(tuplets, case.fmt)
    if data != want:
        got = data.split(b"\n") if case.fmt == "text" else \
            [data[i:i + 8] for i in range(0, len(data), 8)]
        exp = want.split(b"\n") if case.fmt == "text" else \
            [want[i:i + 8] for i in range(0, len(want), 8)]
        at = next((i for i, (g, w) in enumerate(zip(got, exp)) if g != w),
                  min(len(got), len(exp)))
        show = (lambda x: x[:80]) if case.fmt == "text" else \
            (lambda x: int.from_bytes(x, "little"))
        case.suspects = [t[0] for t in tuplets[max(at - 1, 0):at + 1]]
        how = "" if case.outlet.startswith("print") else "--output "
        problems.append(f"{how}--print={k} --format {case.fmt} differs "
                        f"from the reference's {n} {name} ({ref.who}; got {len(data)} bytes, "
                        f"expected {len(want)}): item #{at + 1}: got "
                        f"{show(got[at]) if at < len(got) else None!r}, expected "
                        f"{show(exp[at]) if at < len(exp) else None!r}")
    ends = {key: report.get(key, "missing") for key in ("count", "first", "last")}
    if ends != dict.fromkeys(ends):
        problems.append(f"count, first, last {ends} with --print={k}, expected null")
    if report.get("counts") != {name: n}:
        problems.append(f"counts {report.get('counts')}, the reference's {{'{name}': {n}}}")
    per_rank = report.get("per_rank") or []
    if any(r.get("count", "missing") is not None or list(r.get("counts") or ()) != [name]
           for r in per_rank):
        seen = [(r.get("count"), r.get("counts")) for r in per_rank]
        problems.append(f"per_rank (count, counts) {seen}, expected null and only {name}")
    elif sum(r["counts"][name] for r in per_rank) != n:
        problems.append(f"the ranks' {name} add up to "
                        f"{sum(r['counts'][name] for r in per_rank)}, not to {n}")
    if problems:
        raise CaseFailure("\n    ".join(problems))
    shadow = dict(report, count=n, per_rank=[dict(r, count=r["counts"][name])
                                             for r in per_rank])
    check_json_report(shadow, case.lo, case.hi, case.np, case.method, n,
                      check_first_last=False, decomposition=case.decomposition,
                      chunk=case.chunk)
    size = case.buffer or DEFAULT_BUFFER
    expect(report["buffer_bytes"] == size,
           f"buffer_bytes {report['buffer_bytes']}, expected {size}")
    listing_rounds(report, len(data), round_room(size, case.np, case.outlet,
                                                 case.decomposition))


def variant(case, **changes):
    """A copy of CASE with CHANGES, its numbers written in decimal."""
    c = copy.copy(case)
    for k, v in changes.items():
        setattr(c, k, v)
    if c.decomposition not in ("cyclic", "dynamic"):
        c.chunk = None
    if c.outlet == "count":
        c.buffer = None
    elif c.buffer is not None:
        c.buffer = max(c.buffer, min_buffer(c))
    c.stop_only = False
    c.texts = (str(c.lo), str(c.hi))
    c.cost = estimate(c)
    return c


def minimise(runner, case, why, budget=30):
    """Looks for a smaller case that still fails: halves or quarters of the
    window, fewer ranks, the block decomposition, --count; at most BUDGET
    runs. Returns (case, why) of the smallest found."""
    runs = 0
    while runs < budget:
        tries = [variant(case, lo=x, hi=x, np=1) for x in getattr(case, "suspects", [])
                 if case.lo <= x <= case.hi and case.width > 1][:3]
        if case.width > 1:
            half, quarter = case.lo + case.width // 2, max(1, case.width // 4)
            tries += [variant(case, hi=half - 1), variant(case, lo=half),
                      variant(case, lo=case.lo + quarter), variant(case, hi=case.hi - quarter)]
        if case.np > 1:
            tries += [variant(case, np=1), variant(case, np=case.np - 1)]
        if case.decomposition != "block":
            tries.append(variant(case, decomposition="block"))
        if case.outlet != "count":
            tries.append(variant(case, outlet="count"))
        for c in tries:
            if c.cost > max(case.cost, 2.0) or runs >= budget:
                continue
            runs += 1
            try:
                run_case(runner, c, show=False)
            except CaseFailure as e:
                case, why = c, str(e)
                break
        else:
            break
    return case, why


# ---------------------------------------------------------------------------


def main(argv=None):
    global MAX_COST
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_program_args(parser)
    parser.add_argument("--seed", type=int, help="the seed (default: random)")
    parser.add_argument("--cases", type=int, help="run this many cases at most")
    parser.add_argument("--time-budget", type=float,
                        help="start no case after this many seconds")
    parser.add_argument("--case", type=int, action="append",
                        help="run only case I of the seed (repeatable)")
    parser.add_argument("--max-cost", type=float, default=MAX_COST,
                        help=f"cut cases estimated above this many CPU seconds "
                             f"(default {MAX_COST:g})")
    parser.add_argument("--minimise", action="store_true",
                        help="look for a smaller failing case however costly")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the cases and their estimated cost, run nothing")
    args = parser.parse_args(argv)
    MAX_COST = args.max_cost
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(6), "little")
    if args.cases is None and args.time_budget is None and not args.case:
        args.cases = 30
    again = f"--seed {seed}" + ("" if MAX_COST == DEFAULT_MAX_COST else f" --max-cost {MAX_COST:g}")
    replay = shlex.join([sys.executable, os.path.abspath(__file__), "--binary", args.binary,
                         "--mpiexec", args.mpiexec, "--source-dir", args.source_dir]) + " " + again
    print(f"property: seed {seed} (replay with {again})", flush=True)
    if not os.access(args.binary, os.X_OK):
        print(f"property: {args.binary} is not an executable")
        return 1
    if not have_primesieve():
        print("property: note: primesieve not found; Miller-Rabin stands in everywhere")
    try:
        self_check()
    except CaseFailure as e:
        print(f"property: FAIL: the reference is wrong: {e}")
        return 1

    runner = Runner(args.binary, args.mpiexec, args.source_dir)
    offset = random.Random(f"mpprimes property {seed}").randrange(len(CATEGORIES))
    indices = args.case or range(args.cases if args.cases is not None else 10**9)
    start = time.monotonic()
    passed, failed, tally, drawn = 0, [], {}, 0
    for index in indices:
        if args.time_budget is not None and time.monotonic() - start >= args.time_budget:
            break
        case = draw_case(seed, index, offset)
        print(describe(case), flush=True)
        if args.dry_run:
            print(f"  -np {case.np} " + shlex.join(command_args(case, "FILE")), flush=True)
            drawn += 1
            continue
        try:
            ref = run_case(runner, case)
        except CaseFailure as e:
            failed.append(index)
            print(f"FAIL case {index} [{case.category}]: {e}\n"
                  f"    range [{case.lo}, {case.hi}], {case.np} ranks, {case.method}, "
                  f"{case.decomposition}, {case.outlet}\n"
                  f"    replay: {replay} --case {index}", flush=True)
            if args.minimise or (case.cost <= 2.0 and len(failed) <= 3):
                small, why = minimise(runner, case, str(e))
                if small is not case:
                    print(f"    minimised: {shlex.join(small.cmd)}\n    {why}", flush=True)
            else:
                print("    (not minimised here: add --minimise to the replay)", flush=True)
            continue
        passed += 1
        for group, key in (("categories", case.category), ("methods", case.method),
                           ("decompositions", case.decomposition),
                           ("outlets", case.outlet), ("ranks", case.np),
                           ("references", ref.who),
                           ("listed", f"--print={listed_kind(case)}" if case.listing
                            else "nothing")):
            counts = tally.setdefault(group, {})
            counts[key] = counts.get(key, 0) + 1
        print(f"ok   case {index} ({case.elapsed:.1f} s; {ref.count} primes; "
              f"{ref.who})", flush=True)
    elapsed = time.monotonic() - start
    if args.dry_run:
        print(f"property: {drawn} cases drawn, none run (seed {seed})")
        return 0
    for group, counts in tally.items():
        print(f"property: {group}: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if failed:
        print(f"property: {len(failed)} of {passed + len(failed)} cases FAILED "
              f"(cases {', '.join(map(str, failed))}; seed {seed}; {elapsed:.0f} s)")
        return 1
    print(f"property: {passed} cases passed (seed {seed}) in {elapsed:.0f} s")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
