"""Sandbox users and working directories (the grader's side of confinement).

Each confined kernel runs as one of a few system users, ``autograder-sandbox-<k>``, one per
kernel running at the same time (a slot, held with a file lock), so that when a sandbox closes
every process of its user can be killed: nothing a submission starts outlives its grading.
Its working directory is a size-limited tmpfs owned by that user.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import fcntl
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

#: Where slot locks and kernel working directories live when confining (not under /tmp, which
#: a confined kernel sees as its own private tmpfs).
BASE = Path(os.environ.get("AUTOGRADER_STATE", "/var/lib/autograder"))
MAX_SLOTS = 32
USER_PREFIX = "autograder-sandbox-"
WORKDIR_SIZE = "64m"


@dataclasses.dataclass
class Slot:
    """One sandbox user, held by this process until release()."""

    index: int
    uid: int
    gid: int
    lock: object

    def release(self) -> None:
        with contextlib.suppress(Exception):
            fcntl.flock(self.lock, fcntl.LOCK_UN)
            self.lock.close()


def acquire() -> Slot:
    """Hold a free slot (creating its system user on first use)."""
    (BASE / "slots").mkdir(parents=True, exist_ok=True)
    (BASE / "slots").chmod(0o700)  # the grader's own: no kernel may open (and flock) a slot's lock
    for index in range(MAX_SLOTS):
        lock = open(BASE / "slots" / f"{index}.lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        name = f"{USER_PREFIX}{index}"
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                            "--shell", "/usr/sbin/nologin", "--user-group", name],
                           check=True, capture_output=True)
            entry = pwd.getpwnam(name)
        kill_processes(entry.pw_uid)  # leftovers of a grader that was killed
        return Slot(index, entry.pw_uid, entry.pw_gid, lock)
    raise RuntimeError(f"all {MAX_SLOTS} sandbox slots are busy")


def make_parcels_dir() -> Path:
    """Where the grader writes large inputs for the kernel to read: readable by the sandbox
    user, writable only by the grader, and not on the working directory a submission can fill."""
    if os.geteuid() != 0:
        return Path(tempfile.mkdtemp(prefix="autograder-parcels-"))
    (BASE / "parcels").mkdir(parents=True, exist_ok=True)
    os.chmod(BASE / "parcels", 0o711)
    folder = Path(tempfile.mkdtemp(dir=BASE / "parcels"))
    os.chmod(folder, 0o755)
    return folder


def make_private_dir(kind: str) -> Path:
    """A fresh folder of the grader's own under BASE/<kind> (mode 0700, root's): no kernel sees it
    (bubblewrap binds nothing of it) nor, without bubblewrap, may open it."""
    (BASE / kind).mkdir(parents=True, exist_ok=True)
    os.chmod(BASE / kind, 0o700)
    return Path(tempfile.mkdtemp(dir=BASE / kind))


def make_workdir(slot: Slot | None) -> Path:
    """An empty working directory: for a slot, a tmpfs of WORKDIR_SIZE owned by its user."""
    if slot is None:
        return Path(tempfile.mkdtemp(prefix="autograder-kernel-"))
    (BASE / "kernels").mkdir(parents=True, exist_ok=True)
    os.chmod(BASE, 0o755)
    os.chmod(BASE / "kernels", 0o711)
    workdir = Path(tempfile.mkdtemp(prefix=f"{slot.index}-", dir=BASE / "kernels"))
    libc = ctypes.CDLL(None, use_errno=True)
    options = f"size={WORKDIR_SIZE},mode=0700,uid={slot.uid},gid={slot.gid}".encode()
    if libc.mount(b"tmpfs", str(workdir).encode(), b"tmpfs", 2 | 4, options) != 0:  # nosuid, nodev
        os.chown(workdir, slot.uid, slot.gid)  # no tmpfs: a plain directory of the user's
    return workdir


def remove_workdir(workdir: Path | None, slot: Slot | None) -> None:
    if workdir is None:
        return
    if slot is not None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.umount2(str(workdir).encode(), 2)  # MNT_DETACH; fails harmlessly if not mounted
    shutil.rmtree(workdir, ignore_errors=True)


def kill_processes(uid: int, rounds: int = 40, keep=()) -> int:
    """SIGKILL every process of ``uid`` (but the pids in ``keep``) until none is left (forks racing the
    kill included), and reap the ones that are ours to reap: zombies still count against the
    user's process limit. Returns how many were killed."""
    become_subreaper()
    killed = 0
    for _ in range(rounds):
        live = []
        for process in psutil.process_iter(["uids", "status"]):
            uids, status = process.info["uids"], process.info["status"]
            if process.pid in keep or uids is None or uid not in (uids.real, uids.effective):
                continue
            if status in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
                with contextlib.suppress(ChildProcessError, OSError):
                    os.waitpid(process.pid, os.WNOHANG)
            else:
                live.append(process.pid)
        if not live:
            return killed
        for pid in live:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        time.sleep(0.05)
    return killed


def reap_adopted(pids, names=("bwrap",)) -> None:
    """Reap the processes among ``pids`` that ended as zombies of this process and are named in ``names``:
    bubblewrap's, orphaned when the kernel's launcher exits and adopted here (a subreaper), which nothing
    else waits for. Only by name and only if ours, so that no other child's exit status is taken."""
    for pid in pids:
        with contextlib.suppress(psutil.Error, OSError):
            process = psutil.Process(pid)
            if process.ppid() == os.getpid() and process.status() == psutil.STATUS_ZOMBIE and process.name() in names:
                os.waitpid(pid, os.WNOHANG)


_SUBREAPER = False


def become_subreaper() -> None:
    """Make this process adopt its orphaned descendants (Linux), so that the processes a kernel
    leaves behind can be reaped here instead of lingering as zombies of PID 1."""
    global _SUBREAPER
    if not _SUBREAPER:
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        _SUBREAPER = True
