"""Before grading: one sandboxed kernel, started and probed for what the sandbox promises.

A grader that cannot start kernels, or whose sandbox is not in force, must stop before it grades
anyone, not write a class of zeros, nor grade untrusted code unconfined without saying so.
``check`` starts one kernel (as every submission's would be started), runs PROBE in it, and
compares what the kernel sees with what the grader sees:

- no network: it cannot reach a server the grader listens on (loopback), nor any address;
- only the allowlist (allowlist.py): the kit's private folders (solutions, checks, tests...) are
  empty or absent for it, and so are files the grader plants for the probe outside the allowlist
  (a fresh folder in the grader's state folder, a copy of a kit's solutions/ under /srv); its /tmp
  is not the host's (a file the grader puts there is not seen);
- nothing it sees read-only can be written: a new file in each read-only folder (the system, the
  Python installation, the virtual environment, data_scripts/...) and every world-writable file
  at their top (uv's .venv/.lock is 0666) are refused;
- the system-call filter (syscalls.py) is in force and reports: a kernel key (add_key), a lock
  on a read-only shared file (flock, fcntl F_SETLK) and an inotify instance are refused with
  EPERM, and the refused-calls log names them;
- its IPC, mount, network, PID and UTS namespaces are not the grader's, and its /proc lists no
  process of another user but the namespace's reaper (PID 1);
- its environment holds none of the grader's own variables but the allowlisted ones
  (kernel._kernel_env);
- it runs as another user than the grader, under the resource limits of confine.LIMITS, and in
  its control groups where the host has them.

The outcome is one line for the start of the run, saying what holds. With confinement asked for
(``grade``'s default) and any promise broken, ``check`` raises ConfinementMissing; ``--no-confine``
grades without it, said in that line; Gradescope grades with what holds, said in results.json.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pwd
import shutil
import socket
import sys
import tempfile
import uuid
from pathlib import Path

from autograder.sandbox import syscalls, users
from autograder.sandbox.bridge import Bridge
from autograder.sandbox.cgroup import PIDS_LIMIT
from autograder.sandbox.confine import LIMITS
from autograder.sandbox.kernel import DEFAULT_TIMEOUT, PRIVATE, Sandbox, _kernel_env

#: Run in the kernel: what it can see and do, as JSON on stdout.
PROBE = r'''
import ctypes as _ctypes, fcntl as _fcntl, json as _json, os as _os, resource as _resource, socket as _socket, struct as _struct
def _probe(port, marker, private, planted, read_only, add_key, shared, fcntl_call):
    seen = {}
    def _reach(address):
        try:
            _socket.create_connection(address, timeout=1).close()
            return True
        except OSError:
            return False
    seen["network"] = [a for a in (("127.0.0.1", port), ("1.1.1.1", 53)) if _reach(a)]
    seen["private"] = [p for p in private if _os.path.isdir(p) and _os.listdir(p) or _os.path.isfile(p)]
    seen["planted"] = [p for p in planted if _os.path.exists(p)]
    seen["marker"] = _os.path.exists(marker)
    seen["written"] = []
    for folder in read_only:
        targets = [_os.path.join(folder, ".autograder-probe")]
        try:
            targets += [e.path for e in _os.scandir(folder) if e.is_file(follow_symlinks=False)
                        and e.stat(follow_symlinks=False).st_mode & 0o002]
        except OSError:
            pass
        for target in targets:
            try:
                with open(target, "a"):
                    seen["written"].append(target)
            except OSError:
                pass
    _libc = _ctypes.CDLL(None, use_errno=True)
    def _errno(result):
        return 0 if result >= 0 else _ctypes.get_errno()
    # (into the thread's keyring, which dies with the thread: a probe of a broken filter leaves no key)
    seen["add_key"] = _errno(_libc.syscall(add_key, b"user", b"autograder-probe", b"x", 1, _ctypes.c_int(-1)))
    seen["inotify"] = _errno(_libc.inotify_init1(0))
    seen["locks"] = {}
    with open(shared, "rb") as _shared:
        for name, lock in (("flock", lambda: _fcntl.flock(_shared, _fcntl.LOCK_SH | _fcntl.LOCK_NB)),
                           ("fcntl F_SETLK", lambda: _fcntl.lockf(_shared, _fcntl.LOCK_SH | _fcntl.LOCK_NB))):
            try:
                lock()
                seen["locks"][name] = 0
            except OSError as exc:
                seen["locks"][name] = exc.errno
        # F_SETLK with the upper 32 bits of the command set: the kernel reads an int, a filter
        # comparing all 64 bits would let it through
        _request = _ctypes.create_string_buffer(_struct.pack("hhqqi", _fcntl.F_RDLCK, 0, 0, 1, 0), 64)
        seen["locks"]["fcntl F_SETLK (upper bits set)"] = _errno(
            _libc.syscall(fcntl_call, _shared.fileno(), _ctypes.c_ulong((1 << 32) | _fcntl.F_SETLK), _request))
    seen["namespaces"] = {n: _os.readlink(f"/proc/self/ns/{n}") for n in ("ipc", "mnt", "net", "pid", "uts")}
    me = _os.getuid()
    seen["others"] = sum(1 for pid in filter(str.isdigit, _os.listdir("/proc"))
                         if pid != "1" and _os.path.exists(f"/proc/{pid}") and _os.stat(f"/proc/{pid}").st_uid != me)
    seen["uid"] = me
    seen["pid"] = _os.getpid()
    seen["environment"] = dict(_os.environ)
    seen["limits"] = {"address_space": _resource.getrlimit(_resource.RLIMIT_AS)[1],
                      "processes": _resource.getrlimit(_resource.RLIMIT_NPROC)[1]}
    print(_json.dumps(seen))
'''

#: What the probe's refused calls must be logged as.
REFUSALS_PROBED = ("add_key", "inotify_init1", "flock", "fcntl F_SETLK")


class KernelsUnavailable(RuntimeError):
    """No student kernel can start here (a missing package, an interpreter or venv the sandbox
    cannot run): a fault of the grader's machine, which must stop the run, not zero the class."""


class ConfinementMissing(RuntimeError):
    """Confinement was asked for and is not (fully) in force: nobody is graded."""


@dataclasses.dataclass
class SandboxReport:
    """What the probe found: ``broken`` promises (empty when all hold), the start-up line, and
    the sandbox's mode ("bwrap", "direct" or None, see allowlist.mode)."""

    confined: bool
    broken: list
    line: str
    mode: str | None = None


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


def plant() -> list[Path]:
    """Files outside the allowlist that no kernel may see, made for one probe (remove their
    folders after): one in a fresh folder of the grader's state folder, one in a copy of a kit's
    solutions/ under /srv (another checkout of the kit), where /srv can be written."""
    planted = []
    for folder in (users.BASE / f"probe-{uuid.uuid4().hex[:12]}",
                   Path("/srv") / f"autograder-probe-{uuid.uuid4().hex[:12]}" / "solutions"):
        try:
            folder.mkdir(parents=True, mode=0o755)
            (folder / "planted.txt").write_text("a file outside the allowlist\n")
            os.chmod(folder / "planted.txt", 0o644)
            planted.append(folder / "planted.txt")
        except OSError:
            continue
    return planted


def _remove_planted(planted: list[Path]) -> None:
    for path in planted:
        top = path.parent.parent if path.parent.name == "solutions" else path.parent
        shutil.rmtree(top, ignore_errors=True)


def _probe(timeout: float) -> SandboxReport:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    marker = tempfile.NamedTemporaryFile(prefix="autograder-probe-", dir="/tmp" if os.path.isdir("/tmp") else None)
    planted = []
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
            planted = plant()
            private = [str(p) for p in PRIVATE if p.exists()]
            read_only = sorted({"/usr", *box.read_only()} - {str(box.parcels)})
            shared = next(str(p) for p in (Path(sys.prefix) / "pyvenv.cfg", Path(sys.executable).resolve()) if p.is_file())
            arguments = (listener.getsockname()[1], marker.name, private, [str(p) for p in planted], read_only,
                         _syscall_number("add_key"), shared, _syscall_number("fcntl"))
            ran = box.run(PROBE + f"\n_probe(*{arguments!r})\n", timeout=60)
            seen = json.loads(ran.stream.strip().splitlines()[-1]) if ran.ok and ran.stream.strip() else None
            if seen is None:
                why = f"the probe did not run in the kernel ({ran.status}: {ran.error[:200]})"
                return SandboxReport(True, [why], f"sandbox: NOT known to be confined: {why}", box.mode)
            report = _judge(seen, box, box.refused())
    except (KernelsUnavailable, ConfinementMissing):
        raise
    except Exception as exc:
        from autograder.sandbox.allowlist import mode

        why = f"; the sandbox runs without bubblewrap: {mode()[1]}" if mode()[0] == "direct" else ""
        raise KernelsUnavailable(f"the student kernels cannot start on this machine ({type(exc).__name__}: "
                                 f"{str(exc)[:300]}{why}); nobody was graded") from None
    finally:
        listener.close()
        marker.close()
        _remove_planted(planted)
    return report


def _syscall_number(name: str) -> int:
    seccomp = syscalls.pyseccomp()
    return seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)


def _judge(seen: dict, box: Sandbox, refused: dict) -> SandboxReport:
    import errno

    broken = []
    if box.mode != "bwrap":
        broken.append(f"no bubblewrap allowlist ({box.mode_reason}): the kernel sees the whole file system")
    if seen["network"]:
        broken.append(f"the kernel reached {seen['network']} over the network")
    if seen["private"]:
        broken.append(f"the kernel sees the kit's private files ({', '.join(seen['private'])})")
    if seen["planted"]:
        broken.append(f"the kernel sees files outside its allowlist ({', '.join(seen['planted'])})")
    if seen["marker"]:
        broken.append("the kernel's /tmp is the host's")
    if seen["written"]:
        broken.append(f"the kernel could write {', '.join(seen['written'][:5])}")
    filtered, why = box.filter_state()
    if not filtered:
        broken.append(f"no system-call filter ({why})")
    if seen["add_key"] != errno.EPERM:
        broken.append("the kernel could add a key to a kernel keyring" if not seen["add_key"]
                      else f"add_key failed with {errno.errorcode.get(seen['add_key'])}, not EPERM")
    if seen["inotify"] != errno.EPERM:
        broken.append("the kernel could watch files with inotify")
    for name, code in seen["locks"].items():
        if code != errno.EPERM:
            broken.append(f"the kernel could take a lock on a shared read-only file ({name})")
    if filtered and not set(REFUSALS_PROBED) <= set(refused):
        broken.append(f"the refused calls were not all logged ({', '.join(sorted(refused)) or 'none'})")
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
        kernel = box._kernel_pid()
        if kernel is None or kernel not in box.cgroup.pids():
            broken.append("the kernel is not in its control group")
        limit = box.cgroup.memory_limit()
        groups = ", and per kernel " + ", ".join(
            ([f"{limit / 1024**3:g} GB of memory"] if limit else []) + ([f"{PIDS_LIMIT} tasks"] if "pids" in box.cgroup.limits
                                                                         or box.cgroup.v2 else [])
            + (["a CPU share of its own"] if box.cgroup.share is not None else []) + ["CPU time read from its control group"])
    else:
        groups = "; no control groups here: rlimits only, and the speed checks use wall time"
    user = pwd.getpwuid(seen["uid"]).pw_name if seen["uid"] in {u.pw_uid for u in pwd.getpwall()} else seen["uid"]
    holds = [("bubblewrap allowlist (the system, Python, the virtual environment and data_scripts/ read-only, its "
              "working directory), kit hidden, private /tmp, IPC, mount, PID, network and UTS namespaces, own /proc")
             if box.mode == "bwrap" else f"NO allowlist or namespaces ({box.mode_reason})"]
    holds += [f"seccomp filter ({len(syscalls.REFUSED)} calls, and fcntl locks, clone namespaces and other socket "
              "families, refused with EPERM, each named in the student's report)" if filtered else "NO seccomp filter"]
    holds += [f"user {user}"] + (["no network"] if not seen["network"] else [])
    holds += ["nothing it sees read-only writable"] if not seen["written"] else []
    holds += [f"environment allowlisted ({len(seen['environment'])} variables)",
              f"limits of {LIMITS['address_space'] / 1024**3:g} GB address space and {LIMITS['processes']} processes"]
    line = "sandbox: " + ("confined" if not broken else "NOT fully confined") + ": " + ", ".join(holds) + groups
    if broken:
        line += "; broken: " + "; ".join(broken)
    return SandboxReport(True, broken, line, box.mode)
