"""A control group per sandboxed kernel: the CPU time of every process the kernel runs, read
from outside it.

Wall time on a shared machine depends on the neighbours; the CPU time a kernel's processes
used does not (and nothing inside the kernel can change what the host counts). The speed check
compares it with the CPU time of the naive reference in the grader's thread. The kernel joins
its group before it drops root (autograder/confine.py), so every process it starts, whatever
its session, is counted too.

cgroup v1 (the cpuacct controller under /sys/fs/cgroup/cpuacct, as on these machines) or v2
(cpu.stat's usage_usec); where neither can be created (not root, not Linux, no cgroup file
system) ``KernelCgroup.create`` returns None and the callers fall back to wall time.
"""

from __future__ import annotations

import time
from pathlib import Path

V1 = Path("/sys/fs/cgroup/cpuacct")
V2 = Path("/sys/fs/cgroup")


class KernelCgroup:
    """One group, ``path``; ``procs`` is the file a process writes its pid into to join it."""

    def __init__(self, path: Path, v2: bool):
        self.path, self.v2 = Path(path), v2
        self.procs = self.path / "cgroup.procs"

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
                return group
        return None

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
        while True:
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.05)
