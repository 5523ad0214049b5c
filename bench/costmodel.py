#!/usr/bin/env python3
"""Checks docs/scaling.md's cost model against runs at up to 64 ranks.

    costmodel.py [--binary build/mpprimes] [--ranks 1,2,4,8,16,32,64]
                 [--listing START STOP] [--dynamic STOP] [--out FILE]

At each rank count (oversubscribed past the cores: the figures checked are
counts and bytes, not times) it runs

    mpirun -np P mpprimes --print --json START STOP > /dev/null   (a listing in rounds)
    mpirun -np P mpprimes --count -d dynamic --json 2 STOP        (the dynamic manager)

and reads from the JSON reports what the model predicts:

  * rounds of the listing: the bytes of the listing over P --buffers (rank 0
    gathers block's pieces in turns, one rank's whole buffer at a time), so
    the rounds at 1 rank over P, rounded up;
  * messages through rank 0 per round: 4 (P - 1) (MPI_Scatter of the round
    messages, MPI_Gather of the summaries, MPI_Gatherv of the chunk metas and
    P - 1 of the bytes, one rank's each), and the bytes of the fixed-size ones, P x 8 x
    (MPP_ROUND_MSG_WORDS + MPP_ROUND_SUMMARY_WORDS) = P x 96;
  * rank 0's memory: the runtime's, plus --buffer, plus P x 256 chunk
    entries of about 120 bytes (30 KiB per rank) for the round's bookkeeping;
  * each rank's pieces of the listing: one per round, so `rounds` per rank,
    each after the first a jump of the rank's sieve;
  * the dynamic manager: C chunks of max(STOP / (64 P), 32 sqrt(STOP))
    numbers, and a request and an answer through rank 0 for every chunk a
    worker does (its first comes unasked, its last request is answered "no
    more"): measured as twice the workers' chunks, 2 C (P - 1) / P when the
    ranks share the chunks evenly.

It prints one table (Markdown) with the measured figures beside the model's;
--out writes it to FILE as well.
"""
import argparse
import json
import math
import os
import subprocess
import sys

ROUND_MSG_WORDS = 2 + 7  # records.h: MPP_ROUND_MSG_WORDS
ROUND_SUMMARY_WORDS = 3  # records.h
RANK_CHUNKS = 256        # rounds.h: MPP_ROUND_RANK_CHUNKS
ENTRY_BYTES = 120        # rank 0's bookkeeping per chunk entry (listing.c)


def env():
    e = dict(os.environ)
    if os.geteuid() == 0:
        e.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    e["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
    return e


def report(cmd):
    listing = "--print" in cmd
    p = subprocess.run(cmd, env=env(), check=True, text=True,
                       stdout=subprocess.DEVNULL if listing else subprocess.PIPE,
                       stderr=subprocess.PIPE if listing else subprocess.DEVNULL)
    text = p.stderr if listing else p.stdout
    return json.loads(text[:text.rindex("}") + 1])


def number(s):
    return int(float(s)) if "e" in s else int(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/mpprimes")
    ap.add_argument("--ranks", default="1,2,4,8,16,32,64")
    ap.add_argument("--listing", nargs=2, default=["1e12", "1e12+1e9"])
    ap.add_argument("--dynamic", default="1e10")
    ap.add_argument("--out")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    ranks = [int(x) for x in args.ranks.split(",")]
    stop = number(args.dynamic)
    rows = []
    base = None
    for p in ranks:
        lst = report(["mpirun", "-np", str(p), binary, "--print", "--json"] + args.listing)
        dyn = report(["mpirun", "-np", str(p), binary, "--count", "-d", "dynamic", "--json",
                      "2", args.dynamic])
        rss0 = lst["per_rank"][0]["max_rss_kib"]
        pieces = [r["chunks"] for r in lst["per_rank"]]
        chunks = sum(r["chunks"] for r in dyn["per_rank"])
        want_chunk = max(-(-(stop - 1) // (64 * p)), int(32 * math.sqrt(stop)))
        want_chunks = -(-(stop - 1) // want_chunk)
        if base is None:
            base = (lst["rounds"], rss0)
        rows.append(dict(p=p, rounds=lst["rounds"], rounds_model=-(-base[0] // p), rss0=rss0,
                         rss0_model=base[1] + (p - 1) * RANK_CHUNKS * ENTRY_BYTES // 1024,
                         pieces_max=max(pieces), msgs=4 * (p - 1),
                         fixed_bytes=p * 8 * (ROUND_MSG_WORDS + ROUND_SUMMARY_WORDS),
                         chunk=dyn["chunk"], chunks=chunks, chunks_model=want_chunks,
                         manager=2 * sum(r["chunks"] for r in dyn["per_rank"][1:]),
                         manager_model=round(2 * want_chunks * (p - 1) / p),
                         comm0=dyn["per_rank"][0]["comm_s"],
                         elapsed=lst["elapsed_s"]))
        r = rows[-1]
        print(f"P={p}: rounds {r['rounds']}, rank 0 {rss0} KiB, pieces per rank <= "
              f"{r['pieces_max']}, dynamic chunks {chunks} (model {want_chunks})",
              file=sys.stderr, flush=True)
    out = ["| ranks | rounds (model: 1 rank's / P) | pieces per rank, at most | messages "
           "through rank 0 per round (model) | fixed bytes per round (model) | rank 0 "
           "max_rss_kib (model: 1 rank's + 30 KiB per rank) | dynamic chunk | dynamic "
           "chunks (model) | manager messages (model: 2 C (P - 1) / P) |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['p']} | {r['rounds']} ({r['rounds_model']}) | {r['pieces_max']} | "
                   f"{r['msgs']} | {r['fixed_bytes']} | {r['rss0']} ({r['rss0_model']}) | "
                   f"{r['chunk']} | {r['chunks']} ({r['chunks_model']}) | {r['manager']} "
                   f"({r['manager_model']}) |")
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
