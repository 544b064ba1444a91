"""A control group per sandboxed kernel: the CPU time of every process the kernel runs, read
from outside it.

Wall time on a shared machine depends on the neighbours; the CPU time a kernel's processes
used does not (and nothing inside the kernel can change what the host counts). The speed check
compares it with the CPU time of the naive reference in the grader's thread. The kernel's launcher
joins its group, as root, before it starts bubblewrap (autograder/sandbox/confine.py), so every
process of the kernel, whatever its session, is counted too.

It is also the kernel's share of the CPU: every kernel has a group of its own in the cpu
controller with the same cpu.shares (v1) or cpu.weight (v2), so a student whose code forks 40
busy processes gets one kernel's share of the machine, not 40 (the scheduler shares CPU between
groups first, then within them). Where the memory and pids controllers are there, the group
caps the kernel's memory (MEMORY_LIMIT, all its processes together) and its number of
processes (PIDS_LIMIT), and ``kill`` ends every process in it, whatever session it started
(v2's cgroup.kill; on v1 every pid it lists is killed until it is empty, pids.max bounding
what can fork meanwhile; a freezer group was tried and dropped: a group left frozen would
freeze the next kernel of the same slot). Over its memory limit, the out-of-memory killer ends
one process of the group, maybe a child while the kernel sleeps on: ``oom_kills`` counts them,
and the sandbox then ends the whole kernel (v2's memory.oom.group does that by itself).
The groups are made right below the grader's own (a memory limit set on the grader still
holds), each on its own: see ``_place``.

cgroup v1 (the cpuacct controller under /sys/fs/cgroup/cpuacct and the cpu controller under
/sys/fs/cgroup/cpu, as on these machines; the same group when they are mounted together) or v2
(cpu.stat's usage_usec, cpu.weight where the cpu controller is enabled); where neither can be
created (not root, not Linux, no cgroup file system) ``KernelCgroup.create`` returns None and
the callers fall back to wall time.
"""

from __future__ import annotations

import time
from pathlib import Path

V1 = Path("/sys/fs/cgroup/cpuacct")
V1_CPU = Path("/sys/fs/cgroup/cpu")
V2 = Path("/sys/fs/cgroup")
SHARES, WEIGHT = 1024, 100  # every kernel the same: the defaults, written so that they hold
MEMORY_LIMIT = 2 * 1024**3  # bytes, every process of one kernel together
PIDS_LIMIT = 512  # processes and threads of one kernel (the sandbox user's rlimit allows 64 processes)
#: v1 controllers holding limits: (controller, setting, value).
V1_LIMITS = (("memory", "memory.limit_in_bytes", MEMORY_LIMIT), ("pids", "pids.max", PIDS_LIMIT))


def _own_v1_path(controller: str) -> str:
    """This process's group in a v1 controller ('' for the root), from /proc/self/cgroup."""
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                return path.rstrip("/")
    except (OSError, ValueError):
        pass
    return ""


def _place(root: Path, controller: str, name: str, v2: bool) -> Path:
    """Where the kernel's group goes in one hierarchy: ``autograder-<name>`` right below the
    grader's own group (v1), or at the top (v2, whose inner groups may not hold processes and
    groups with controllers at once). Never below a parent shared by all kernels: in the cpu
    controller that parent would weigh as one process, and all kernels together would get one
    process's share of a busy machine (measured: 3 kernels, 0.3 of a core at load 15; kernels
    then took over 60 s to start)."""
    return root / f"autograder-{name}" if v2 else Path(f"{root}{_own_v1_path(controller)}") / f"autograder-{name}"


class KernelCgroup:
    """One group, ``path`` (its CPU time), and ``share``, the group that sets its share of the
    CPU (the same on v2 or when v1 mounts cpu and cpuacct together; None where there is none);
    ``joins`` are the files a process writes its pid into to join them."""

    def __init__(self, path: Path, v2: bool, share: Path | None = None):
        self.path, self.v2, self.share = Path(path), v2, share
        self.procs = self.path / "cgroup.procs"
        self.joins = [self.procs] + ([share / "cgroup.procs"] if share is not None and share != self.path else [])
        self.limits: dict[str, Path] = {}  # v1 controller -> the kernel's group in it

    @classmethod
    def create(cls, name: str) -> "KernelCgroup | None":
        """The group ``autograder-<name>`` (made if missing), or None where groups cannot be made."""
        for root, v2, probe in ((V1, False, "cpuacct.usage"), (V2, True, "cgroup.controllers")):
            if (root / probe).is_file():
                group = cls(_place(root, "cpuacct", name, v2), v2)
                try:
                    group.path.mkdir(exist_ok=True)
                    group.cpu_seconds()
                except (OSError, ValueError):
                    return None
                group.share = group._make_share(name)
                group.joins = [group.procs] + ([group.share / "cgroup.procs"]
                                               if group.share is not None and group.share != group.path else [])
                group._make_limits(name)
                group.joins += [path / "cgroup.procs" for path in group.limits.values()]
                return group
        return None

    def _make_limits(self, name: str) -> None:
        """The memory and pids limits (v1: groups of their own), where they can be set."""
        if self.v2:
            # memory.oom.group: the out-of-memory killer ends the whole group, not one process
            for setting, value in (("memory.max", MEMORY_LIMIT), ("pids.max", PIDS_LIMIT), ("memory.oom.group", 1)):
                if (self.path / setting).is_file():
                    try:
                        (self.path / setting).write_text(str(value))
                    except OSError:
                        pass
            return
        for controller, setting, value in V1_LIMITS:
            root = Path("/sys/fs/cgroup") / controller
            if not (root / "cgroup.procs").is_file():
                continue
            path = _place(root, controller, name, False)
            try:
                path.mkdir(exist_ok=True)
                if setting:
                    (path / setting).write_text(str(value))
            except OSError:
                continue
            self.limits[controller] = path

    def pids(self) -> list[int]:
        """Every process in the group (v1: threads' processes; each listed once)."""
        try:
            return sorted({int(pid) for pid in self.procs.read_text().split()})
        except (OSError, ValueError):
            return []

    def kill(self, wait: float = 2.0) -> None:
        """Kill every process in the group, whatever session it started, and wait until it is
        empty (at most ``wait`` seconds)."""
        import os
        import signal

        deadline = time.monotonic() + wait
        if self.v2 and (self.path / "cgroup.kill").is_file():
            try:
                (self.path / "cgroup.kill").write_text("1")
            except OSError:
                pass
        while self.pids() and time.monotonic() < deadline:  # pids.max bounds what forks meanwhile
            for pid in self.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def memory_limit(self) -> int | None:
        """The memory limit in bytes as set, or None."""
        path = self.limits.get("memory")
        setting = (self.path / "memory.max") if self.v2 else (path / "memory.limit_in_bytes" if path else None)
        try:
            return int(setting.read_text()) if setting is not None else None
        except (OSError, ValueError):
            return None

    def oom_kills(self) -> int:
        """How many processes of the group the kernel's out-of-memory killer has ended so far
        (v1: memory.oom_control's oom_kill; v2: memory.events'); 0 where it cannot be read."""
        path = self.path / "memory.events" if self.v2 else (
            self.limits["memory"] / "memory.oom_control" if "memory" in self.limits else None)
        try:
            for line in path.read_text().splitlines() if path is not None else ():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def _make_share(self, name: str) -> Path | None:
        """The group holding this kernel's CPU share, made and set; None where it cannot be."""
        if self.v2:
            path, setting, value = self.path, "cpu.weight", WEIGHT
        elif (V1_CPU / "cpu.shares").is_file():
            path, setting, value = _place(V1_CPU, "cpu", name, False), "cpu.shares", SHARES
        else:
            return None
        try:
            path.mkdir(exist_ok=True)
            (path / setting).write_text(str(value))
        except OSError:
            return None
        return path

    def shares(self) -> int | None:
        """The group's CPU share as set (cpu.shares or cpu.weight), or None."""
        if self.share is None:
            return None
        return int((self.share / ("cpu.weight" if self.v2 else "cpu.shares")).read_text())

    def cpu_seconds(self) -> float:
        """CPU seconds used by the group's processes, alive or gone, since it was made."""
        if self.v2:
            stat = dict(line.split() for line in (self.path / "cpu.stat").read_text().splitlines())
            return int(stat["usage_usec"]) / 1e6
        return int((self.path / "cpuacct.usage").read_text()) / 1e9

    def remove(self, wait: float = 2.0) -> None:
        """Remove the group once its processes are gone (the sandbox kills them; the last ones
        may take a moment to leave)."""
        deadline = time.monotonic() + wait
        for path in dict.fromkeys([self.path] + ([self.share] if self.share is not None else [])
                                  + list(self.limits.values())):
            while True:
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.05)
