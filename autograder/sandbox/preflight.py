"""Before grading: one sandboxed kernel, started and probed for what the sandbox promises.

A grader that cannot start kernels, or whose sandbox is not in force, must stop before it grades
anyone, not write a class of zeros, nor grade untrusted code unconfined without saying so.
``check`` starts one kernel (as every submission's would be started), runs PROBE in it, and
compares what the kernel sees with what the grader sees:

- no network: it cannot reach a server the grader listens on (loopback), nor any address;
- the kit's private folders (solutions, checks, tests...) are empty or absent for it;
- its /tmp is not the host's (a file the grader puts there is not seen), and its IPC, mount,
  network, PID and UTS namespaces are not the grader's;
- its /proc lists no process but its own user's;
- its environment holds none of the grader's own variables but the allowlisted ones
  (sandbox._kernel_env);
- it runs as another user than the grader, under the resource limits of confine.LIMITS, and in
  its control groups where the host has them.

The outcome is one line for the start of the run. With confinement asked for (``grade``'s
default) and any promise broken, ``check`` raises ConfinementMissing; ``--no-confine`` grades
without it, said in that line.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pwd
import socket
import tempfile

from autograder.sandbox.bridge import Bridge
from autograder.sandbox.cgroup import PIDS_LIMIT
from autograder.sandbox.confine import LIMITS
from autograder.sandbox.kernel import DEFAULT_TIMEOUT, PRIVATE, Sandbox, _kernel_env

#: Run in the kernel: what it can see and do, as JSON on stdout.
PROBE = r'''
import json as _json, os as _os, resource as _resource, socket as _socket
def _probe(port, marker, private):
    seen = {}
    def _reach(address):
        try:
            _socket.create_connection(address, timeout=1).close()
            return True
        except OSError:
            return False
    seen["network"] = [a for a in (("127.0.0.1", port), ("1.1.1.1", 53)) if _reach(a)]
    seen["private"] = [p for p in private if _os.path.isdir(p) and _os.listdir(p) or _os.path.isfile(p)]
    seen["marker"] = _os.path.exists(marker)
    seen["namespaces"] = {n: _os.readlink(f"/proc/self/ns/{n}") for n in ("ipc", "mnt", "net", "pid", "uts")}
    me = _os.getuid()
    seen["others"] = sum(1 for pid in filter(str.isdigit, _os.listdir("/proc"))
                         if _os.path.exists(f"/proc/{pid}") and _os.stat(f"/proc/{pid}").st_uid != me)
    seen["uid"] = me
    seen["environment"] = dict(_os.environ)
    seen["limits"] = {"address_space": _resource.getrlimit(_resource.RLIMIT_AS)[1],
                      "processes": _resource.getrlimit(_resource.RLIMIT_NPROC)[1]}
    seen["cgroup"] = open("/proc/self/cgroup").read()
    print(_json.dumps(seen))
'''

class KernelsUnavailable(RuntimeError):
    """No student kernel can start here (a missing package, an interpreter or venv the sandbox
    cannot run): a fault of the grader's machine, which must stop the run, not zero the class."""


class ConfinementMissing(RuntimeError):
    """Confinement was asked for and is not (fully) in force: nobody is graded."""


@dataclasses.dataclass
class SandboxReport:
    """What the probe found: ``broken`` promises (empty when all hold) and the start-up line."""

    confined: bool
    broken: list
    line: str


_checked: SandboxReport | None = None  # one probe per process


def check(timeout: float = DEFAULT_TIMEOUT, require: bool = False) -> SandboxReport:
    """Start one sandboxed kernel, probe it, and return the report. Raises KernelsUnavailable
    when no kernel can start or import numpy, and ConfinementMissing when ``require`` and the
    kernel is not confined or a promise is broken."""
    global _checked
    if _checked is None:
        _checked = _probe(timeout)
    if require and not _checked.confined:
        raise ConfinementMissing("confinement was asked for but cannot be in force here (it needs root on Linux); "
                                 "run the grader as root, or pass --no-confine to grade without it; nobody was graded")
    if require and _checked.broken:
        raise ConfinementMissing("the sandbox is not in force: " + "; ".join(_checked.broken)
                                 + " (--no-confine grades without it); nobody was graded")
    return _checked


def _probe(timeout: float) -> SandboxReport:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    marker = tempfile.NamedTemporaryFile(prefix="autograder-probe-", dir="/tmp" if os.path.isdir("/tmp") else None)
    try:
        with Sandbox(timeout=timeout) as box:
            bridge = Bridge(box)
            outcome = bridge.load("import numpy as np")
            if not outcome.ok:
                raise KernelsUnavailable(f"a student kernel started but cannot import numpy ({outcome.error[:300]}); "
                                         "nobody was graded")
            if not box.confined:
                return SandboxReport(False, [], "sandbox: not confined (--no-confine, or not root on Linux): student "
                                                "code runs with resource limits only, as the grader's user, with the "
                                                "network and the kit's files in reach")
            private = [str(p) for p in PRIVATE if p.exists()]
            ran = box.run(PROBE + f"\n_probe({listener.getsockname()[1]}, {marker.name!r}, {private!r})\n", timeout=60)
            seen = json.loads(ran.stream.strip().splitlines()[-1]) if ran.ok and ran.stream.strip() else None
            if seen is None:
                why = f"the probe did not run in the kernel ({ran.status}: {ran.error[:200]})"
                return SandboxReport(True, [why], f"sandbox: NOT known to be confined: {why}")
            report = _judge(seen, box)
    except (KernelsUnavailable, ConfinementMissing):
        raise
    except Exception as exc:
        raise KernelsUnavailable(f"the student kernels cannot start on this machine ({type(exc).__name__}: "
                                 f"{str(exc)[:300]}); nobody was graded") from None
    finally:
        listener.close()
        marker.close()
    return report


def _judge(seen: dict, box: Sandbox) -> SandboxReport:
    broken = []
    if seen["network"]:
        broken.append(f"the kernel reached {seen['network']} over the network")
    if seen["private"]:
        broken.append(f"the kernel sees the kit's private files ({', '.join(seen['private'])})")
    if seen["marker"]:
        broken.append("the kernel's /tmp is the host's")
    for name, link in seen["namespaces"].items():
        if link == os.readlink(f"/proc/self/ns/{name}"):
            broken.append(f"the kernel shares the grader's {name} namespace")
    if seen["others"]:
        broken.append(f"the kernel's /proc lists {seen['others']} processes of other users")
    if seen["uid"] == os.getuid():
        broken.append("the kernel runs as the grader's own user")
    allowed = set(_kernel_env())  # what Jupyter adds (JPY_PARENT_PID, CLICOLOR_FORCE...) is not the grader's
    leaked = sorted(name for name, value in seen["environment"].items()
                    if name not in allowed and os.environ.get(name) == value)
    if leaked:
        broken.append(f"the kernel's environment holds {', '.join(leaked[:5])}")
    for name, value in seen["limits"].items():
        if value != LIMITS[name]:
            broken.append(f"the kernel's {name} limit is {value}, not {LIMITS[name]}")
    if box.cgroup is not None:
        if box.cgroup.path.name not in seen["cgroup"]:
            broken.append("the kernel is not in its control group")
        limit = box.cgroup.memory_limit()
        groups = ", and per kernel " + ", ".join(
            ([f"{limit / 1024**3:g} GB of memory"] if limit else []) + ([f"{PIDS_LIMIT} tasks"] if "pids" in box.cgroup.limits
                                                                         or box.cgroup.v2 else [])
            + (["a CPU share of its own"] if box.cgroup.share is not None else []) + ["CPU time read from its control group"])
    else:
        groups = "; no control groups here: rlimits only, and the speed checks use wall time"
    user = pwd.getpwuid(seen["uid"]).pw_name if seen["uid"] in {u.pw_uid for u in pwd.getpwall()} else seen["uid"]
    line = ("sandbox: " + ("confined" if not broken else "NOT fully confined") + f": user {user}, "
            "no network, kit hidden, private /tmp, IPC, mount, PID and UTS namespaces, own /proc, "
            f"environment allowlisted ({len(seen['environment'])} variables), limits of "
            f"{LIMITS['address_space'] / 1024**3:g} GB address space and {LIMITS['processes']} processes{groups}")
    if broken:
        line += "; broken: " + "; ".join(broken)
    return SandboxReport(True, broken, line)
