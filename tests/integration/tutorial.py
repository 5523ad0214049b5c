#!/usr/bin/env python3
"""Runs every command of docs/tutorial.md, so that the tutorial cannot rot.

    tutorial.py --binary build/mpprimes --source-dir . [--doc docs/tutorial.md]

The tutorial's commands are the lines beginning with "$ " inside ```console
blocks; the lines after one, up to the next command or the block's end, are
the output it shows. Each command runs with bash in the directory of
--binary (the build directory, where the tutorial says to run them), with
Open MPI allowed to run as root and to oversubscribe (as
scripts/mpi-env.sh sets up for a shell). A command passes when:

  * it exits with status 0 within its time limit;
  * every shown line that does not depend on the machine is in its output
    (stdout and stderr together), exactly: the report's header lines
    (# range, # ranks, # method, # decomposition, # chunk, # primes,
    # first, # last), the plan's lines (# plan, #   rank ..., with the
    model's figures), and the Python examples' "primes N" (up to
    " seconds"). Timings, host names and memory are not compared.

It fails when the tutorial has no command at all.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Suite, add_program_args, expect, mpi_env, run  # noqa: E402

TIMEOUT = 300

STABLE = re.compile(r"^# (range|ranks|method|decomposition|chunk|primes|first|last|plan) |"
                    r"^#   rank |^#   modeled |^primes \d+")


def commands(path):
    """[(line number, command, [shown output lines])] of the doc at PATH."""
    found, in_block, current = [], False, None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("```"):
                in_block = line.strip() == "```console" and not in_block
                current = None
                continue
            if not in_block:
                continue
            if line.startswith("$ "):
                current = (n, line[2:], [])
                found.append(current)
            elif current is not None:
                current[2].append(line)
    return found


def stable(line):
    """The part of a shown line that must appear in the output, or None."""
    if not STABLE.match(line):
        return None
    if line.startswith("primes "):
        return line.split(" seconds")[0]
    return line


def check(cmd, shown, cwd, env):
    res = run(["bash", "-c", cmd], TIMEOUT, env=env, cwd=cwd)
    expect(not res.timed_out and res.rc == 0, "expected exit 0: " + res.describe())
    got = res.out + res.stderr
    lines = [ln.rstrip() for ln in got.splitlines()]
    for want in shown:
        part = stable(want.rstrip())
        if part is None:
            continue
        if part.startswith("primes "):
            ok = any(ln.startswith(part + " ") or ln == part for ln in lines)
        else:
            ok = part in lines
        expect(ok, f"the tutorial shows {part!r}, the command printed:\n{got}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_program_args(ap, mpiexec=False)
    ap.add_argument("--doc")
    args = ap.parse_args()
    doc = args.doc or os.path.join(args.source_dir, "docs", "tutorial.md")
    cwd = os.path.dirname(os.path.abspath(args.binary))
    env = mpi_env(oversubscribe=True)
    suite = Suite()
    found = commands(doc)
    if not found:
        suite.fail("tutorial", f"no ```console command in {doc}")
    for n, cmd, shown in found:
        suite.case(f"tutorial.md:{n}: {cmd}", check, cmd, shown, cwd, env)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
