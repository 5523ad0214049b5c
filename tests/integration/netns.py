"""Several "hosts" on one Linux machine, made of network namespaces.

A test that needs a real cluster of machines (several host names, one IP
address each, TCP between them) can build one here as root:

    from netns import Cluster, NetnsUnavailable

    cluster = Cluster(["node01", "node02", "node03"])
    try:
        cluster.create()              # raises NetnsUnavailable if refused
        argv = cluster.exec_argv(cluster.hosts[0], ["hostname"])
        ...
    finally:
        problems = cluster.destroy()  # kills what runs there, removes all
        problems += cluster.leftovers()

Topology. Every host is a network namespace of its own with its loopback up
and one interface, eth0, holding 10.213.7.(11 + i)/24. The eth0s are veth
pairs whose other ends are ports of a bridge; the bridge lives in one more
namespace, the "switch", which also holds 10.213.7.1 on the bridge, so a
program started there (mpirun, say) reaches every host, like a launch node.

Nothing is made in the root namespace: no bridge, no veth, no address, no
route. That is why the switch is a namespace and not a bridge in the root
namespace: MPI jobs that run at the same time in the root namespace never see
an interface of ours (Open MPI offers every interface it finds to its peers),
the host's firewall and bridge netfilter rules do not apply to our traffic
(a fresh namespace has no rules), and the 10.213.7.0/24 subnet cannot clash
with anything: it exists only inside namespaces that are connected to nothing
else, so two clusters made at once, each with its own switch, use the same
addresses without noticing. It also means these hosts have no route out:
a DNS lookup made in them fails at once (network unreachable) instead of
waiting for a server.

Names. The namespaces are called PREFIX-NAME (the switch PREFIX-switch),
the bridge PREFIXbr and its ports PREFIXvI, where PREFIX is "mpp" and the
creating process's PID, so that two runs at once never collide; the host
name of a host is its namespace name. A namespace has no host name of its
own: exec_argv() runs a command in a new UTS namespace whose host name it
sets first, so gethostname() there returns the host's name. The names are
not made resolvable (no /etc/hosts entry, no /etc/netns/ file): Open MPI
does not need that, it hands them to the rsh agent, and its daemons and
ranks exchange IP addresses. The file systems are shared: `ip netns exec`
gives a command a mount namespace of its own only to remount /sys, so every
host sees the same files, like a cluster with a shared file system.

write_rsh_agent() writes the script that Open MPI's rsh launcher can use in
place of ssh (`mpirun --mca plm_rsh_agent PATH`): called as `AGENT HOST
COMMAND...`, it runs COMMAND on HOST the way sshd would, through /bin/sh.

Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN), iproute2 (`ip`) and util-linux
(`unshare`). Python 3 standard library only.
"""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time

SUBNET = "10.213.7"          # the /24 every cluster uses inside its namespaces
SWITCH_ADDRESS = SUBNET + ".1"
FIRST_HOST_OCTET = 11        # host i gets SUBNET.(11 + i)
MAX_HOSTS = 100

# Sets the host name of a fresh UTS namespace, then runs the command:
#   sh -c SCRIPT NAME ARGV...
SET_HOSTNAME = 'printf %s "$0" > /proc/sys/kernel/hostname && exec "$@"'


class NetnsUnavailable(Exception):
    """This process may not make network namespaces (not root, or refused)."""


class NetnsError(Exception):
    """A command that builds the topology failed."""


def tool(name):
    """The absolute path of a program, from PATH or the sbin directories."""
    path = shutil.which(name) or shutil.which(
        name, path="/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin")
    if not path:
        raise NetnsUnavailable(f"{name} not found")
    return path


class Host:
    """One namespace host: NAME is both its host name and its namespace."""

    def __init__(self, name, address, port):
        self.name = name
        self.netns = name
        self.address = address   # its IPv4 address on eth0
        self.port = port         # the bridge port (in the switch) its eth0 plugs into

    def __repr__(self):
        return f"Host({self.name!r}, {self.address!r})"


class Cluster:
    """N hosts on one bridge. BASENAMES are the host names without the
    prefix (node01, ...); the hosts are named PREFIX-BASENAME."""

    def __init__(self, basenames, prefix=None, timeout=10):
        basenames = list(basenames)
        if not 1 <= len(basenames) <= MAX_HOSTS:
            raise ValueError(f"between 1 and {MAX_HOSTS} hosts")
        if len(set(basenames)) != len(basenames):
            raise ValueError("host names must differ")
        for name in basenames:
            if not re.fullmatch(r"[a-z][a-z0-9]{0,19}", name):
                raise ValueError(f"bad host name {name!r}: a-z and 0-9 only")
        self.prefix = prefix or f"mpp{os.getpid()}"
        self.timeout = timeout
        self.ip = tool("ip")
        self.unshare = tool("unshare")
        self.switch = f"{self.prefix}-switch"
        self.bridge = f"{self.prefix}br"
        self.hosts = [Host(f"{self.prefix}-{base}", f"{SUBNET}.{FIRST_HOST_OCTET + i}",
                           f"{self.prefix}v{i}")
                      for i, base in enumerate(basenames)]
        if len(self.hosts[-1].port) > 15:
            raise ValueError("prefix too long for an interface name")
        self.by_name = {h.name: h for h in self.hosts}

    # -- running things -------------------------------------------------

    def _ip(self, *args, check=True):
        """Runs `ip ARGS`; raises NetnsError (or returns the result)."""
        res = subprocess.run([self.ip] + list(args), stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=self.timeout)
        if check and res.returncode != 0:
            raise NetnsError(f"`ip {shlex.join(args)}` failed: {res.stderr.strip()}")
        return res

    def exec_argv(self, host, argv):
        """The command line that runs ARGV in HOST (a Host, or the switch's
        name for the switch) under HOST's host name."""
        name = host.name if isinstance(host, Host) else host
        return [self.ip, "netns", "exec", name, self.unshare, "--uts", "--",
                "/bin/sh", "-c", SET_HOSTNAME, name] + list(argv)

    def switch_argv(self, argv):
        """ARGV run in the switch namespace (the launch node)."""
        return self.exec_argv(self.switch, argv)

    # -- building -------------------------------------------------------

    def namespaces(self):
        return [self.switch] + [h.netns for h in self.hosts]

    def create(self):
        """Makes the switch and the hosts. On failure, whatever was made stays
        until destroy(); raises NetnsUnavailable when the very first namespace
        is refused (not root, no permission), NetnsError on later trouble."""
        if os.geteuid() != 0:
            raise NetnsUnavailable("not root: `ip netns add` needs CAP_SYS_ADMIN")
        existing = self.list_namespaces()
        clash = [ns for ns in self.namespaces() if ns in existing]
        if clash:
            raise NetnsError(f"namespaces already exist (left over by a run with the "
                             f"same PID?): {', '.join(clash)}")
        res = self._ip("netns", "add", self.switch, check=False)
        if res.returncode != 0:
            raise NetnsUnavailable(f"`ip netns add` refused: {res.stderr.strip()}")
        sw = ["-n", self.switch]
        self._ip(*sw, "link", "set", "lo", "up")
        self._ip(*sw, "link", "add", self.bridge, "type", "bridge")
        self._ip(*sw, "addr", "add", f"{SWITCH_ADDRESS}/24", "dev", self.bridge)
        self._ip(*sw, "link", "set", self.bridge, "up")
        for host in self.hosts:
            self._ip("netns", "add", host.netns)
            hn = ["-n", host.netns]
            self._ip(*hn, "link", "set", "lo", "up")
            # The pair is made in the switch, its far end moved into the host
            # as eth0 in the same step: nothing passes through the root
            # namespace.
            self._ip(*sw, "link", "add", host.port, "type", "veth",
                     "peer", "name", "eth0", "netns", host.netns)
            self._ip(*sw, "link", "set", host.port, "master", self.bridge)
            self._ip(*sw, "link", "set", host.port, "up")
            self._ip(*hn, "addr", "add", f"{host.address}/24", "dev", "eth0")
            self._ip(*hn, "link", "set", "eth0", "up")
        return self

    # -- inspecting -----------------------------------------------------

    def list_namespaces(self):
        res = self._ip("netns", "list", check=False)
        return [line.split()[0] for line in res.stdout.splitlines() if line.strip()]

    def pids(self, netns):
        """PIDs of the processes in namespace NETNS."""
        res = self._ip("netns", "pids", netns, check=False)
        return [int(p) for p in res.stdout.split() if p.isdigit()]

    def all_pids(self):
        existing = set(self.list_namespaces())
        return {ns: self.pids(ns) for ns in self.namespaces() if ns in existing}

    def wait_empty(self, timeout):
        """Waits up to TIMEOUT seconds for our namespaces to hold no process;
        returns {namespace: [pid, ...]} of those that still do."""
        deadline = time.monotonic() + timeout
        while True:
            busy = {ns: pids for ns, pids in self.all_pids().items() if pids}
            if not busy or time.monotonic() >= deadline:
                return busy
            time.sleep(0.05)

    def link_bytes(self, host):
        """(rx_bytes, tx_bytes) of HOST's eth0 so far."""
        res = self._ip("-n", host.netns, "-s", "-j", "link", "show", "dev", "eth0")
        stats = json.loads(res.stdout)[0]["stats64"]
        return stats["rx"]["bytes"], stats["tx"]["bytes"]

    def mine(self, name):
        """Whether a namespace or interface name is one this prefix makes."""
        return re.match(re.escape(self.prefix) + r"(-|v\d|br$)", name) is not None

    def leftovers(self):
        """Descriptions of anything of ours that still exists: namespaces,
        and interfaces in the root namespace (where none are ever made)."""
        found = [f"namespace {ns}" for ns in self.list_namespaces() if self.mine(ns)]
        res = self._ip("-o", "link", "show", check=False)
        for line in res.stdout.splitlines():
            m = re.match(r"\d+:\s+([^:@\s]+)", line)
            if m and self.mine(m.group(1)):
                found.append(f"interface {m.group(1)} in the root namespace")
        return found

    # -- tearing down ---------------------------------------------------

    def kill_all(self, grace=3.0):
        """SIGTERM to every process in our namespaces, SIGKILL after GRACE
        seconds to what is left. Returns descriptions of survivors."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 3.0)):
            pids = [p for ps in self.all_pids().values() for p in ps]
            if not pids:
                return []
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and any(self.all_pids().values()):
                time.sleep(0.05)
        return [f"processes {ps} still in {ns}" for ns, ps in self.all_pids().items() if ps]

    def destroy(self):
        """Kills what runs in our namespaces and deletes them (which deletes
        the veths and the bridge with them). Safe after a partial create()
        and when called twice. Returns descriptions of what went wrong."""
        problems = self.kill_all()
        existing = self.list_namespaces()
        # Hosts first, the switch last; then anything else with our prefix.
        order = [ns for ns in self.namespaces()[1:] + [self.switch] if ns in existing]
        order += [ns for ns in existing if self.mine(ns) and ns not in order]
        for ns in order:
            res = self._ip("netns", "delete", ns, check=False)
            if res.returncode != 0:
                problems.append(f"`ip netns delete {ns}`: {res.stderr.strip()}")
        return problems


def write_rsh_agent(path, cluster, log=None):
    """Writes an executable script at PATH for `mpirun --mca plm_rsh_agent
    PATH`. Open MPI calls it like ssh, `AGENT HOST WORD...`, and means the
    words to be joined with spaces and run by a shell on HOST (they hold
    quoting and `;` for that shell). The agent checks that HOST is one of
    CLUSTER's hosts and runs `/bin/sh -c "WORD..."` in HOST's network
    namespace under HOST's host name. With LOG, it appends "HOST WORD..." to
    that file first, so a test can see which hosts it was asked for."""
    names = "|".join(h.name for h in cluster.hosts)
    log_line = (f'printf "%s\\n" "$*" >> {shlex.quote(log)}\n' if log else "")
    script = f"""#!/bin/sh
# Open MPI rsh agent for the namespace hosts {cluster.prefix}-*: stands in for
# ssh. Usage: {os.path.basename(path)} HOST COMMAND...
{log_line}case "$1" in
  {names}) ;;
  *) echo "{os.path.basename(path)}: unknown host '$1'" >&2; exit 255 ;;
esac
host=$1
shift
exec {shlex.quote(cluster.ip)} netns exec "$host" {shlex.quote(cluster.unshare)} --uts -- \\
  /bin/sh -c {shlex.quote(SET_HOSTNAME)} "$host" /bin/sh -c "$*"
"""
    with open(path, "w") as f:
        f.write(script)
    os.chmod(path, 0o755)
    return path
