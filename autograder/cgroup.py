"""A control group per sandboxed kernel: the CPU time of every process the kernel runs, read
from outside it.

Wall time on a shared machine depends on the neighbours; the CPU time a kernel's processes
used does not (and nothing inside the kernel can change what the host counts). The speed check
compares it with the CPU time of the naive reference in the grader's thread. The kernel joins
its group before it drops root (autograder/confine.py), so every process it starts, whatever
its session, is counted too.

It is also the kernel's share of the CPU: every kernel has a group of its own in the cpu
controller with the same cpu.shares (v1) or cpu.weight (v2), so a student whose code forks 40
busy processes gets one kernel's share of the machine, not 40 (the scheduler shares CPU between
groups first, then within them).

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


class KernelCgroup:
    """One group, ``path`` (its CPU time), and ``share``, the group that sets its share of the
    CPU (the same on v2 or when v1 mounts cpu and cpuacct together; None where there is none);
    ``joins`` are the files a process writes its pid into to join them."""

    def __init__(self, path: Path, v2: bool, share: Path | None = None):
        self.path, self.v2, self.share = Path(path), v2, share
        self.procs = self.path / "cgroup.procs"
        self.joins = [self.procs] + ([share / "cgroup.procs"] if share is not None and share != self.path else [])

    @classmethod
    def create(cls, name: str) -> "KernelCgroup | None":
        """The group ``autograder/<name>`` (made if missing), or None where groups cannot be made."""
        for root, v2, probe in ((V1, False, "cpuacct.usage"), (V2, True, "cgroup.controllers")):
            if (root / probe).is_file():
                group = cls(root / "autograder" / name, v2)
                try:
                    group.path.mkdir(parents=True, exist_ok=True)
                    group.cpu_seconds()
                except (OSError, ValueError):
                    return None
                group.share = group._make_share(name)
                group.joins = [group.procs] + ([group.share / "cgroup.procs"]
                                               if group.share is not None and group.share != group.path else [])
                return group
        return None

    def _make_share(self, name: str) -> Path | None:
        """The group holding this kernel's CPU share, made and set; None where it cannot be."""
        if self.v2:
            path, setting, value = self.path, "cpu.weight", WEIGHT
        elif (V1_CPU / "cpu.shares").is_file():
            path, setting, value = V1_CPU / "autograder" / name, "cpu.shares", SHARES
        else:
            return None
        try:
            path.mkdir(parents=True, exist_ok=True)
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
        for path in dict.fromkeys([self.path] + ([self.share] if self.share is not None else [])):
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
