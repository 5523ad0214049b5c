#!/usr/bin/env python3
"""mpprimes across several hosts, for real, on one Linux machine.

Builds a small cluster out of network namespaces (see netns.py): N "hosts"
(default 3), each a namespace with its own host name (a UTS namespace), its
own IPv4 address 10.213.7.(11+i)/24 on a veth, loopback up, all plugged into
a bridge in a further "switch" namespace, which doubles as the launch node
(10.213.7.1) where mpirun runs. Open MPI starts its daemons (orted) on the
hosts through an "rsh agent", a script standing in for ssh that runs the
daemon in the host's namespace under the host's name; the ranks then talk
to each other, and the daemons to mpirun, over TCP across the bridge.

The hostfile of every job is hostfiles/cluster.example with node01, node02,
... renamed to the namespace hosts and the slot counts set per case, so the
example's format is what Open MPI is shown to accept. hostfiles/cluster.mpich
(MPICH is not installed) is checked against cluster.example: the same hosts
and slot counts, every active line "host:N".

Cases: the topology itself (host names, addresses, TCP between every pair of
hosts); one mpirun job, 2 ranks per host, for --json 1e7 and --count 1e9
(pi(x) known; ranks; every rank on the host the hostfile puts it on, the
agent asked for each host once); --output from every rank into one file with
MPI-IO on the shared file system, against primesieve (or a Python sieve);
uneven slot counts (1, 2, 3, ...) placing ranks accordingly; and 1 rank per
host with `--mca btl tcp,self` and --print to 1e6, against a Python sieve,
with each host's eth0 counters showing that its primes crossed the wire.
Last, "cleanup": every process in the namespaces is killed, the namespaces
(with their veths and bridge) are deleted, and nothing named with the run's
prefix may remain in `ip netns list` or `ip link`.

Run as root (CI does, via ctest):

    tests/integration/multihost.py --binary build/mpprimes \\
        --mpiexec /usr/bin/mpirun --source-dir . [--hosts N] [--keep] [-v]

--keep leaves the cluster and its temporary directory in place and prints
how to use and remove them; -v prints every command line run. Not root, or
`ip netns add` refused: exits 77 (a skip for ctest) with the reason, unless
CI=true is set, where that is a failure.

Every case prints "ok   NAME", "FAIL NAME: WHY" or "skip NAME: WHY"; the
last line is "N passed, M failed"; the exit status is 0 only when all
passed. Every program run has a timeout; a run that exceeds it is killed,
its session and whatever it started in the namespaces (the orted daemons
detach from mpirun's session), and fails its case. SIGTERM, SIGINT and
SIGHUP stop the test with the same cleanup. Python 3 standard library only.
"""

import argparse
import json
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402  (the namespace plumbing, next to this file)
import harness  # noqa: E402  (cases and runs, shared with the other tests)
from harness import (CaseFailure, Interrupted, Suite, add_program_args,  # noqa: E402
                     expect, expect_success, ignore_stop_signals,
                     interrupt_on_signals, mpi_env)
from reference import (HOSTFILE_LINE, KNOWN_PI, MPICH_COMMENTED,  # noqa: E402
                       active_lines, expect_same_listing, json_reports,
                       listing_text, parse_mpich_hostfile, parse_openmpi_hostfile,
                       report_problems, small_primes)

TIMEOUT_RUN = 30       # one mpirun job (they take about half a second)
TIMEOUT_TOOL = 10      # one helper program
TIME_BUDGET = 100      # the whole test: later runs get what is left
STRAY_GRACE = 5        # how long daemons may outlive mpirun
KILL_GRACE = 3.0       # a timed-out run's SIGTERM before SIGKILL

VERBOSE = False
DEADLINE = time.monotonic() + TIME_BUDGET


def log(message):
    if VERBOSE:
        print("  " + message, flush=True)


# ---------------------------------------------------------------------------
# Running programs


def run(cmd, timeout=TIMEOUT_RUN, env=None, cwd=None, cluster=None):
    """harness.run with the timeout cut to what is left of TIME_BUDGET, the
    command logged (-v), and, with CLUSTER, every process in the cluster's
    namespaces killed too when the run is (on timeout or an exception, such
    as a signal)."""
    timeout = max(1.0, min(timeout, DEADLINE - time.monotonic()))
    log("$ " + shlex.join(cmd))
    on_kill = (lambda: cluster.kill_all(grace=1.0)) if cluster else None
    return harness.run(cmd, timeout, env=env, cwd=cwd, grace=KILL_GRACE, on_kill=on_kill)


# ---------------------------------------------------------------------------
# Reference primes


def reference_listing(limit, use_primesieve=True):
    """The primes <= LIMIT as text, one per line: primesieve's when it is
    installed and USE_PRIMESIEVE, else a Python sieve's."""
    tool = shutil.which("primesieve") if use_primesieve else None
    if tool:
        res = run([tool, str(limit), "--print"], timeout=TIMEOUT_RUN)
        expect_success(res)
        return res.stdout, "primesieve"
    return listing_text(small_primes(limit)), "a Python sieve"


# ---------------------------------------------------------------------------
# Hostfiles (parsed by reference.parse_openmpi_hostfile)


def hostfile_from_example(example_text, names, slots):
    """cluster.example's text with its first len(NAMES) hosts renamed to
    NAMES and their slots (and max_slots) set to SLOTS[i]; the other lines
    and the comments go. More hosts than the example has: its last line's
    form is repeated. The rewrite keeps each line's own layout, so what
    Open MPI reads is the example's format."""
    lines = [line for _, line in active_lines(example_text)]
    out = ["# Generated by multihost.py from hostfiles/cluster.example\n"]
    for i, (name, count) in enumerate(zip(names, slots)):
        line = lines[min(i, len(lines) - 1)]
        old = HOSTFILE_LINE.fullmatch(line).group(1)
        line = name + line[len(old):]
        line = re.sub(r"\b(max_slots|slots)=\d+", lambda m: f"{m.group(1)}={count}", line)
        if not re.search(r"\bslots=", line):
            line += f" slots={count}"  # Open MPI would count the cores instead
        out.append(line + "\n")
    return "".join(out)


def placement(entries, np):
    """The host of each of NP ranks when Open MPI maps by slot (its default):
    the hosts in order, each filled up to its slots."""
    hosts = [name for name, attrs in entries for _ in range(attrs.get("slots", 1))]
    return hosts[:np]


# ---------------------------------------------------------------------------
# The cluster and its mpirun


class Harness:
    def __init__(self, args, tmp, cluster, example_text):
        self.binary = os.path.abspath(args.binary)
        self.mpiexec = args.mpiexec
        self.tmp = tmp
        self.cluster = cluster
        self.example_text = example_text
        self.agent_log = os.path.join(tmp, "agent.log")
        self.agent = netns.write_rsh_agent(os.path.join(tmp, "rsh-agent"), cluster,
                                           log=self.agent_log)
        # A hermetic Open MPI: no transport or mapping settings from outside.
        self.env = mpi_env(hermetic=True)
        # Open MPI's session directories (named after the host, so distinct
        # per namespace host anyway) go into our directory, which goes away.
        self.env["TMPDIR"] = tmp

    def hostfile(self, slots, tag):
        """Writes a hostfile for the cluster's hosts with SLOTS[i] slots each,
        made from cluster.example; returns (path, parsed entries)."""
        text = hostfile_from_example(self.example_text,
                                     [h.name for h in self.cluster.hosts], slots)
        entries = parse_openmpi_hostfile(text, f"hostfile {tag}")
        path = os.path.join(self.tmp, f"hostfile-{tag}")
        with open(path, "w") as f:
            f.write(text)
        return path, entries

    def mpirun(self, hostfile, np, args, mca=()):
        """mpirun in the switch namespace (the launch node): NP ranks of the
        binary on the hosts of HOSTFILE, started through the agent."""
        with open(self.agent_log, "w"):
            pass  # a fresh log per job
        opts = ["--mca", "plm_rsh_agent", self.agent,
                # mpirun starts every daemon itself (no daemon starts others)
                "--mca", "plm_rsh_no_tree_spawn", "1"]
        for key, value in mca:
            opts += ["--mca", key, value]
        cmd = self.cluster.switch_argv(
            [self.mpiexec] + opts + ["--hostfile", hostfile, "-np", str(np), self.binary]
            + list(args))
        res = run(cmd, env=self.env, cwd=self.tmp, cluster=self.cluster)
        # The daemons detach from mpirun (orted --daemonize), so their end is
        # checked apart: once mpirun is gone, nothing may be left running on
        # the hosts (or the launch node).
        busy = self.cluster.wait_empty(STRAY_GRACE)
        if busy:
            self.cluster.kill_all(grace=1.0)
            raise CaseFailure(f"processes left after mpirun ended: {busy}; "
                              + res.describe())
        return res

    def agent_hosts(self):
        """The hosts the agent was called for in the last job, in order."""
        with open(self.agent_log) as f:
            return [line.split()[0] for line in f if line.strip()]


def parse_report(text, where):
    """The one JSON report in TEXT (other lines may come before or after it)."""
    reports = json_reports(text)
    expect(len(reports) == 1,
           f"{len(reports)} JSON reports on {where}, expected 1: {text[:300]!r}")
    return reports[0]


def check_report(h, report, np, stop, expected_hosts):
    """[2, STOP], count = pi(STOP), NP ranks (the per-rank counts adding up
    to the count), and rank i on EXPECTED_HOSTS[i]."""
    problems = report_problems(report, np, 2, stop, KNOWN_PI[stop])
    expect(not problems, "; ".join(problems))
    per_rank = report["per_rank"]
    hosts = [r.get("host") for r in per_rank]
    names = {host.name for host in h.cluster.hosts}
    expect(set(hosts) <= names, f"ranks ran on hosts not ours: {sorted(set(hosts) - names)}")
    expect(hosts == expected_hosts,
           f"rank placement {hosts}, expected (from the hostfile) {expected_hosts}")
    return per_rank


def check_agent(h, expected_hosts):
    """The agent was asked once for each host that has ranks."""
    called = h.agent_hosts()
    want = sorted(set(expected_hosts))
    expect(sorted(called) == want,
           f"rsh agent called for {sorted(called)}, expected once for each of {want}")


# ---------------------------------------------------------------------------
# Cases


def case_mpich_hostfile(source_dir):
    """hostfiles/cluster.mpich: every active line host:N; the same hosts and
    slot counts as cluster.example (and as the MPICH block commented in it)."""
    with open(os.path.join(source_dir, "hostfiles", "cluster.example")) as f:
        example = f.read()
    with open(os.path.join(source_dir, "hostfiles", "cluster.mpich")) as f:
        mpich = parse_mpich_hostfile(f.read(), "cluster.mpich")
    openmpi = [(name, attrs.get("slots", 1))
               for name, attrs in parse_openmpi_hostfile(example, "cluster.example")]
    expect(mpich == openmpi, f"cluster.mpich lists {mpich}, cluster.example {openmpi}")
    commented = [(m.group(1), int(m.group(2))) for m in MPICH_COMMENTED.finditer(example)]
    expect(commented == mpich,
           f"cluster.example's MPICH comment block {commented} differs from cluster.mpich")


PROBE = r"""
import json, socket, sys
me, others = sys.argv[1], sys.argv[2:]
srv = socket.socket()
srv.bind((me, 7777))
srv.listen(len(others))
srv.settimeout(8)
print(json.dumps({"host": socket.gethostname()}), flush=True)   # ready
sys.stdin.readline()                                             # go
for addr in others:
    with socket.create_connection((addr, 7777), timeout=8) as c:
        c.sendall(socket.gethostname().encode())
got = []
for _ in others:
    c, _ = srv.accept()
    with c:
        got.append(c.recv(100).decode())
print(json.dumps({"from": sorted(got)}), flush=True)
"""


def case_topology(h):
    """Each host: its own host name (gethostname), its address, and a TCP
    connection to and from every other host."""
    hosts = h.cluster.hosts
    procs = []
    try:
        for host in hosts:
            others = [o.address for o in hosts if o is not host]
            cmd = h.cluster.exec_argv(host, [sys.executable, "-c", PROBE, host.address]
                                      + others)
            log("$ " + shlex.join(cmd).replace(shlex.quote(PROBE), "PROBE"))
            procs.append(subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True,
                                          start_new_session=True))
        deadline = time.monotonic() + TIMEOUT_TOOL
        for host, proc in zip(hosts, procs):
            # Each binds first, then says so with its host name.
            ready, _, _ = select.select([proc.stdout], [], [],
                                        max(0.0, deadline - time.monotonic()))
            expect(ready, f"probe on {host.name} did not start in {TIMEOUT_TOOL} s")
            line = proc.stdout.readline()
            if not line:
                proc.wait(timeout=TIMEOUT_TOOL)
                raise CaseFailure(f"probe on {host.name} failed: {proc.stderr.read()[-300:]}")
            name = json.loads(line)["host"]
            expect(name == host.name, f"gethostname() in {host.netns} is {name!r}")
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for host, proc in zip(hosts, procs):
            out, err = proc.communicate(timeout=TIMEOUT_TOOL)
            expect(proc.returncode == 0, f"probe on {host.name}: exit {proc.returncode}: "
                   + err.strip()[-300:])
            got = json.loads(out.strip().splitlines()[-1])["from"]
            want = sorted(o.name for o in hosts if o is not host)
            expect(got == want, f"{host.name} heard from {got}, expected {want}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                harness.kill_session(proc, KILL_GRACE)


def case_json(h, per_host, stop, count_only):
    """PER_HOST ranks on every host, --json [--count] STOP."""
    n = len(h.cluster.hosts)
    hostfile, entries = h.hostfile([per_host] * n, f"json-{stop}")
    np = per_host * n
    args = ["--json"] + (["--count"] if count_only else []) + [str(stop)]
    res = h.mpirun(hostfile, np, args)
    expect_success(res)
    report = parse_report(res.stdout.decode(), "stdout")
    expected = placement(entries, np)
    check_report(h, report, np, stop, expected)
    expect(len(set(expected)) >= min(3, n), "fewer than 3 distinct hosts")
    check_agent(h, expected)


def case_uneven(h):
    """Slots 1, 2, 3, 1, 2, 3, ...: the ranks land where the hostfile says."""
    n = len(h.cluster.hosts)
    slots = [i % 3 + 1 for i in range(n)]
    hostfile, entries = h.hostfile(slots, "uneven")
    np = sum(slots)
    res = h.mpirun(hostfile, np, ["--json", "--count", "1e7"])
    expect_success(res)
    expected = placement(entries, np)
    check_report(h, parse_report(res.stdout.decode(), "stdout"), np, 10**7, expected)
    check_agent(h, expected)


def case_output(h):
    """--output: every rank writes its part of one file with MPI-IO; the
    file system is shared (one mount namespace), as on a real cluster."""
    n = len(h.cluster.hosts)
    hostfile, entries = h.hostfile([2] * n, "output")
    np = 2 * n
    path = os.path.join(h.tmp, "primes-1e7.txt")
    res = h.mpirun(hostfile, np, ["--json", "--output", path, "1e7"])
    expect_success(res)
    check_report(h, parse_report(res.stdout.decode(), "stdout"), np, 10**7,
                 placement(entries, np))
    with open(path, "rb") as f:
        actual = f.read()
    os.unlink(path)
    expected, source = reference_listing(10**7)
    expect_same_listing(actual, expected, "--output file", source)


def case_tcp_print(h):
    """One rank per host, only the TCP and self transports, only the
    cluster's subnet: --print to 1e6 must equal a Python sieve, and each
    host's eth0 must have sent at least its rank's primes (4 bytes each,
    less than either the binary or the text form), so the data crossed the
    veths rather than anything shared."""
    n = len(h.cluster.hosts)
    hostfile, entries = h.hostfile([1] * n, "tcp")
    subnet = f"{netns.SUBNET}.0/24"
    before = {host.name: h.cluster.link_bytes(host) for host in h.cluster.hosts}
    res = h.mpirun(hostfile, n, ["--print", "--json", "1e6"],
                   mca=[("btl", "tcp,self"), ("btl_tcp_if_include", subnet),
                        ("oob_tcp_if_include", subnet)])
    expect_success(res)
    after = {host.name: h.cluster.link_bytes(host) for host in h.cluster.hosts}
    per_rank = check_report(h, parse_report(res.stderr, "stderr"), n, 10**6,
                            placement(entries, n))
    expected, source = reference_listing(10**6, use_primesieve=False)
    expect_same_listing(res.stdout, expected, "--print", source)
    for r in per_rank:
        sent = after[r["host"]][1] - before[r["host"]][1]
        log(f"rank {r['rank']} on {r['host']}: {r['count']} primes, eth0 sent {sent} bytes")
        expect(sent >= 4 * r["count"],
               f"{r['host']} sent {sent} bytes, less than its {r['count']} primes")
    check_agent(h, placement(entries, n))


# ---------------------------------------------------------------------------
# Main


def unavailable(suite, why):
    """Namespaces cannot be made: a skip (77), or under CI=true a failure."""
    return suite.finish_unavailable("multihost", why, "network namespaces",
                                    "this test must run as root")


def main(argv=None):
    global VERBOSE
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_program_args(parser)
    parser.add_argument("--hosts", type=int, default=3, help="namespace hosts (default 3)")
    parser.add_argument("--keep", action="store_true",
                        help="leave the cluster and its files in place at the end")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every command")
    args = parser.parse_args(argv)
    VERBOSE = args.verbose
    if not 2 <= args.hosts <= 50:
        parser.error("--hosts must be between 2 and 50")
    for path in (args.binary, args.mpiexec):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            parser.error(f"{path}: not an executable file")

    suite = Suite()
    suite.case("cluster.mpich matches cluster.example", case_mpich_hostfile, args.source_dir)
    example_path = os.path.join(args.source_dir, "hostfiles", "cluster.example")
    with open(example_path) as f:
        example_text = f.read()
    example_hosts = [name for name, _ in parse_openmpi_hostfile(example_text, example_path)]
    # The example's host names (node01, ...) become the namespace hosts'
    # names, behind the run's prefix; more hosts than it has: node05, ...
    basenames = [re.sub(r"[^a-z0-9]", "", name.lower())[:12] for name in example_hosts]
    basenames += [f"node{i + 1:02d}" for i in range(len(basenames), args.hosts)]
    basenames = basenames[:args.hosts]
    if len(set(basenames)) != len(basenames) or not all(
            re.fullmatch(r"[a-z][a-z0-9]*", b) for b in basenames):
        basenames = [f"node{i + 1:02d}" for i in range(args.hosts)]

    if os.geteuid() != 0:
        return unavailable(suite, "not root (network namespaces need CAP_SYS_ADMIN)")
    try:
        cluster = netns.Cluster(basenames)
    except netns.NetnsUnavailable as e:
        return unavailable(suite, str(e))

    tmp = tempfile.mkdtemp(prefix=f"mpprimes-multihost-{os.getpid()}-")
    interrupt_on_signals()
    status = None
    refused = None
    try:
        start = time.monotonic()
        try:
            cluster.create()
        except netns.NetnsUnavailable as e:
            refused = str(e)
        except netns.NetnsError as e:
            suite.fail("topology", str(e))
        else:
            log(f"made {', '.join(cluster.namespaces())} in {time.monotonic() - start:.2f} s")
            h = Harness(args, tmp, cluster, example_text)
            suite.case(f"topology: {len(cluster.hosts)} hosts, names, TCP", case_topology, h)
            suite.case("2 ranks per host: --json 1e7", case_json, h, 2, 10**7, False)
            suite.case("2 ranks per host: --json --count 1e9", case_json, h, 2, 10**9, True)
            suite.case("2 ranks per host: --output 1e7 (MPI-IO, shared file)", case_output, h)
            suite.case("uneven slots: ranks as the hostfile says", case_uneven, h)
            suite.case("1 rank per host, btl tcp,self: --print 1e6", case_tcp_print, h)
    except Interrupted as e:
        suite.fail("interrupted", f"signal {e.signum}; cleaning up")
        status = 128 + e.signum
    finally:
        ignore_stop_signals()  # the cleanup may not be cut short by a second signal
        if args.keep:
            keep_message(cluster, tmp)
        else:
            cleanup(suite, cluster, tmp)
    if refused is not None:
        return unavailable(suite, refused)
    code = suite.finish()
    return status if status is not None else code


def keep_message(cluster, tmp):
    names = " ".join(cluster.namespaces())
    print(f"kept (--keep): namespaces {names}; files in {tmp}")
    print(f"  a shell on the launch node: {shlex.join(cluster.switch_argv(['/bin/sh']))}")
    print(f"  remove: for ns in {names}; do ip netns pids $ns | xargs -r kill -9; "
          f"ip netns delete $ns; done; rm -rf {tmp}", flush=True)


def cleanup(suite, cluster, tmp):
    """Kills and deletes everything; the "cleanup" case fails if anything
    of ours is left: a namespace, an interface, a process, the directory."""
    problems = cluster.destroy()
    shutil.rmtree(tmp, ignore_errors=True)
    problems += cluster.leftovers()
    if os.path.exists(tmp):
        problems.append(f"{tmp} still exists")
    if problems:
        suite.fail("cleanup", "; ".join(problems))
    else:
        suite.ok("cleanup: no namespace, interface, process or file of ours left")

if __name__ == "__main__":
    sys.exit(main())
